use framework::{get, routes, Route};

#[get("/")]
fn index() -> &'static str {
    "hello"
}

fn plain_fn() -> &'static str {
    "not a route"
}

fn app() -> Vec<Route> {
    routes![index, plain_fn]
}

fn main() {}
