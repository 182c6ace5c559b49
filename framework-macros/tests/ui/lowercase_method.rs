use framework::route;

#[route(get, "/x")]
fn x() {}

fn main() {}
