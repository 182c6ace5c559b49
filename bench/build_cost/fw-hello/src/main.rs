//! `{"message":"Hello, world!"}` at `/`, on the framework.

use framework::{get, routes, App, Json};
use serde::Serialize;

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

#[get("/")]
fn hello() -> Json<Message> {
    Json(Message {
        message: "Hello, world!",
    })
}

fn main() -> Result<(), framework::RunError> {
    App::new().mount("/", routes![hello]).run("127.0.0.1:3000")
}
