use framework::get;

#[get(42)]
fn index() {}

fn main() {}
