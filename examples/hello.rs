//! The smallest app: `Hello, World!` at `/`.
//!
//! `cargo run --release --example hello`, then `curl http://127.0.0.1:8080/` (PORT overrides 8080).

use framework::{get, routes, App};

#[get("/")]
fn hello() -> &'static str {
    "Hello, World!"
}

fn main() -> Result<(), framework::RunError> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    App::new()
        .mount("/", routes![hello])
        .run(format!("127.0.0.1:{port}"))
}
