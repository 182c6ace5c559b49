use framework::route;

#[route("/x")]
fn x() {}

fn main() {}
