use framework::get;

#[get("/user list")]
fn users() {}

fn main() {}
