use framework::get;

#[get]
fn index() {}

fn main() {}
