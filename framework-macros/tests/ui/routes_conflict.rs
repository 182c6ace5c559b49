use framework::{get, routes, Route};

#[get("/users/:id")]
fn by_id(id: u64) -> String {
    id.to_string()
}

#[get("/users/:name")]
fn by_name(name: String) -> String {
    name
}

fn app() -> Vec<Route> {
    routes![by_id, by_name]
}

fn main() {}
