use framework::route;

#[route(CONNECT, "/x")]
fn x() {}

fn main() {}
