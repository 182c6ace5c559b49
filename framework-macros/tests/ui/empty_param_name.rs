use framework::get;

#[get("/users/:")]
fn show() {}

fn main() {}
