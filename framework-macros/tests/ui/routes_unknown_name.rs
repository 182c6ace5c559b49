use framework::{get, routes, Route};

#[get("/")]
fn index() -> &'static str {
    "hello"
}

fn app() -> Vec<Route> {
    routes![index, indx]
}

fn main() {}
