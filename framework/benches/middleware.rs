//! What the middleware chain costs per request, in process: `BuiltApp::handle` for `GET /json`
//! (the bench harness's endpoint: a small struct serialized per request) on an app without
//! middleware and on the same app with three layers in front — request ids, CORS and a no-op —
//! the configuration of `examples/bench_middleware.rs`. No sockets: this isolates the chain from
//! the connection and the kernel, which `../shared/bench/run` measures.
//!
//! Environment: `MIDDLEWARE_BENCH_ITERS` (requests per batch, default 200000) and
//! `MIDDLEWARE_BENCH_BATCHES` (default 15); small values suit callgrind.
//!
//! The output ends with one line for scripts, in ns per request:
//! ```text
//! middleware json: none 123.4 ns, three layers 150.2 ns
//! ```

use framework::middleware::{from_fn, Cors, RequestIds};
use framework::{get, routes, App, BuiltApp, Json, Method, Request};
use serde::Serialize;

#[path = "timing.rs"]
mod timing;

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

#[get("/json")]
fn json() -> Json<Message> {
    Json(Message {
        message: "Hello, World!",
    })
}

fn service(layers: bool) -> BuiltApp {
    let app = App::new().banner(false).mount("/", routes![json]);
    let app = if layers {
        app.wrap(RequestIds::new())
            .wrap(Cors::new().allow_origins(["http://localhost:5173"]))
            .wrap(from_fn(|req, _cx, next| next.run(req)))
    } else {
        app
    };
    match app.build() {
        Ok(service) => service,
        Err(e) => panic!("bench app: {e}"),
    }
}

/// One request through `service`, as the connection hands it over: extensions cleared.
fn one(service: &BuiltApp, req: &mut Request) -> usize {
    req.extensions_mut().clear();
    let res = service.handle(req);
    usize::from(res.status().as_u16()) + res.headers().len()
}

fn main() {
    let (iters, batches) = timing::settings(
        ("MIDDLEWARE_BENCH_ITERS", 200_000),
        ("MIDDLEWARE_BENCH_BATCHES", 15),
    );
    let plain = service(false);
    let layered = service(true);
    let Ok(mut a) = Request::new(Method::Get, "/json") else {
        panic!("request");
    };
    let Ok(mut b) = Request::new(Method::Get, "/json") else {
        panic!("request");
    };
    let _ = a.headers_mut().append("Host", "localhost");
    let _ = b.headers_mut().append("Host", "localhost");
    assert_eq!(
        one(&plain, &mut a),
        200 + 1,
        "plain: status and Content-Type"
    );
    assert!(
        one(&layered, &mut b) > 200 + 2,
        "layered: X-Request-Id and Vary too"
    );
    let (none, three) = timing::best_of_batches(
        iters,
        batches,
        || one(&plain, &mut a),
        || one(&layered, &mut b),
    );
    println!("middleware json: none {none:.1} ns, three layers {three:.1} ns");
}
