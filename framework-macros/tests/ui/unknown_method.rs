use framework::route;

#[route(FOO, "/x")]
fn x() {}

fn main() {}
