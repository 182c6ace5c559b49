use framework::{get, post, route, routes, App, State, StatusCode};

struct Greeting(String);

#[get("/hello/:name")]
fn hello(name: String, greeting: State<Greeting>) -> String {
    format!("{}, {name}!", greeting.0 .0)
}

#[get("/users/:id")]
fn user(id: u64) -> String {
    format!("user {id}")
}

#[post("/echo")]
fn echo(body: framework::Body) -> StatusCode {
    let _ = body;
    StatusCode::OK
}

#[route(GET, POST, "/both")]
fn both() -> &'static str {
    "both"
}

#[get("/files/*path")]
fn files(path: String) -> String {
    path
}

fn main() {
    let app = App::new().manage(Greeting("Hello".into())).mount("/", routes![hello, user, both, files, echo]);
    let _ = app.banner(true).run("127.0.0.1:18300");
}
