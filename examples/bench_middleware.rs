//! The `rest_api` example with three middleware layers in front of every route — request ids,
//! CORS and a no-op — to measure what the middleware chain costs:
//!
//! ```sh
//! bench/run --example bench_middleware --only this
//! bench/run --example rest_api --only this
//! ```

#[path = "rest_api.rs"]
#[allow(dead_code)]
mod rest_api;

use framework::middleware::{from_fn, Cors, RequestIds};

fn main() -> Result<(), framework::RunError> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    rest_api::app()
        .wrap(RequestIds::new())
        .wrap(Cors::new().allow_origins(["http://localhost:5173"]))
        .wrap(from_fn(|req, _cx, next| next.run(req)))
        .run(format!("127.0.0.1:{port}"))
}
