use framework::{post, route, routes, Route};

#[route(GET, POST, "/a")]
fn read_or_write() {}

#[post("/a")]
fn write() {}

fn app() -> Vec<Route> {
    routes![read_or_write, write]
}

fn main() {}
