//! A synchronous web framework for small REST services: annotate plain functions, take typed
//! inputs, return JSON structs. Underneath, a strict handwritten HTTP/1.1 parser, a response
//! writer that always emits valid HTTP, and a threaded server on `std::net` (readiness-based on
//! Linux, a thread per connection elsewhere). No async runtime: handlers are plain functions that may block.
//!
//! ```
//! use framework::{get, post, routes, test::TestClient, App, Error, Json};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct User { id: u64, name: String }
//!
//! #[get("/users/:id")]
//! fn show(id: u64) -> Result<Json<User>, Error> {
//!     if id == 0 {
//!         return Err(Error::not_found("no such user"));
//!     }
//!     Ok(Json(User { id, name: "Ada".into() }))
//! }
//!
//! #[post("/users")]
//! fn create(Json(user): Json<User>) -> Json<User> {
//!     Json(user)
//! }
//!
//! let app = App::new().mount("/", routes![show, create]);
//! // `app.run("127.0.0.1:8080")` serves it; the test client drives the same code in memory.
//! let client = TestClient::new(app)?;
//! assert_eq!(client.get("/users/7").send().text(), r#"{"id":7,"name":"Ada"}"#);
//! assert_eq!(client.get("/users/0").send().status().as_u16(), 404);
//! # Ok::<(), framework::BuildError>(())
//! ```
//!
//! A tour, in the order you will need things:
//!
//! 1. **Routes**: [`get`], [`post`], [`put`], [`patch`], [`delete`], [`route`] on plain
//!    functions (each attribute's page has the path syntax, the argument rules and the return
//!    rules), collected with [`routes!`] and mounted with [`App::mount`]; groups with [`Scope`].
//! 2. **Inputs**: [`extract`]: path parameters, [`Query`], [`Json`], [`Form`], [`State`],
//!    headers, cookies, the raw [`Body`].
//! 3. **Outputs**: [`respond`]: [`IntoResponse`], [`Json`], HTML, redirects, server-sent events
//!    ([`respond::Sse`]), errors ([`Error`], with `App::catch` to render them your way).
//! 4. **Around handlers**: [`middleware`]: CORS, request ids, access logs, compression, proxies,
//!    your own; static files with [`serve::Files`].
//! 5. **Running it**: [`App::run`], [`Limits`] for every bound; SIGINT and SIGTERM drain the
//!    server ([`Drain`], [`App::readiness`], [`Lifecycle`]), as does a
//!    [`BoundApp::shutdown_handle`]; tests with [`test::TestClient`].
//!
//! Data flows one way: socket ([`Server`]) → protocol (`proto`: parse, then write) →
//! [`router`] → [`middleware`] → [`extract`]ors → your handler function → [`respond`]ers →
//! protocol → socket. The protocol is a state machine that never touches a socket or a clock, so
//! the same code serves real connections and the in-memory [`test`](mod@test) client. The layers, lowest
//! first, and what each may import are listed in the README's design section.
//!
//! Every bound is a field of [`Limits`], with a documented default.
//!
//! Cargo features: `compression` (off by default: `features = ["compression"]`) provides
//! `middleware::Compression`, gzip for responses, through `flate2`'s pure-Rust backend.

mod app;
mod error;
pub mod extract;
mod handler;
mod http;
pub mod middleware;
/// Protocol internals (the request parser, the chunked decoder): public for the benchmarks and
/// the fuzz targets, not part of the API.
#[doc(hidden)]
pub mod proto;
pub mod respond;
mod route;
pub mod router;
pub mod serve;
mod server;
pub mod test;

#[cfg(test)]
mod layers;

pub use app::{App, BoundApp, BuildError, BuiltApp, RunError, Scope};
pub use error::Error;
pub use extract::{
    Form, FromRequest, FromRequestParts, Json, Query, RequestContext, RouteMeta, Routing, State,
};
pub use framework_macros::{delete, get, head, options, patch, post, put, route, routes};
pub use handler::Handler;
pub use http::{
    http_date, parse_http_date, Body, BodyError, BodyWriter, Extensions, HeaderError, HeaderMap,
    Method, Producer, Request, Response, ResponseBody, StatusCode, Version,
};
pub use respond::IntoResponse;
pub use route::{IntoRoutes, Route};
pub use server::{
    BindError, Drain, Driver, Lifecycle, Limits, Server, ShutdownHandle, ShutdownReport,
};

/// What the route macros expand to. Not a public API: it changes with the macros, which are
/// released in lockstep with this crate.
#[doc(hidden)]
pub mod __private {
    pub use crate::extract::generated::{form, json, last, parts, query, Arg};
    pub use crate::extract::{
        path_param, FromParam, FromRequest, FromRequestParts, RequestContext, Requirements,
    };
    pub use crate::http::{Request, Response};
    pub use crate::respond::IntoResponse;
    pub use crate::route::{conflicts, EndpointFn, IntoRoute, NotARoute, Route, RouteInfo};
}

/// The README's code blocks, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
