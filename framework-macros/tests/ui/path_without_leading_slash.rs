use framework::get;

#[get("users")]
fn users() {}

fn main() {}
