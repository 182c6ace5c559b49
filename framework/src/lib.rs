//! A synchronous web framework for small REST services: a strict, handwritten HTTP/1.1 parser, a
//! response writer that always emits valid HTTP, and a thread-per-connection server on `std::net`.
//! No async runtime.
//!
//! ```no_run
//! use framework::{Request, Response, Server, StatusCode};
//!
//! fn main() -> std::io::Result<()> {
//!     let server = Server::bind("127.0.0.1:8080")?;
//!     println!("listening on http://{}", server.local_addr());
//!     server.serve(|req: &mut Request| match req.path() {
//!         "/plaintext" => Response::text("Hello, World!"),
//!         _ => Response::new(StatusCode::NOT_FOUND),
//!     })
//! }
//! ```
//!
//! Data flows one way: socket → [`parse`] → [`router`] → [`middleware`] → extractors → handler →
//! responders → response writer → socket. The protocol
//! (parsing, body framing, keep-alive, `100 Continue`, serialization) is a state machine that never
//! touches a socket, so the same code serves real connections and in-memory tests.
//!
//! Every bound is a field of [`Limits`], with a documented default.

mod app;
mod error;
pub mod extract;
mod http;
pub mod middleware;
pub mod parse;
pub mod respond;
mod route;
pub mod router;
mod scope;
mod server;
pub mod test;
mod write;

pub use app::{App, Bound, BuildError, RunError, Service};
pub use error::Error;
pub use extract::{Form, FromRequest, FromRequestParts, Json, Query, RequestContext, State};
pub use framework_macros::{delete, get, head, options, patch, post, put, route, routes};
pub use http::{
    Body, BodyError, Extensions, HeaderError, HeaderMap, Method, Request, Response, ResponseBody,
    StatusCode, Version,
};
pub use respond::IntoResponse;
pub use route::{Route, Routing};
pub use scope::Scope;
pub use server::{Limits, Server, ShutdownHandle, ShutdownReport};

/// What the route macros expand to. Not a public API: it changes with the macros, which are
/// released in lockstep with this crate.
#[doc(hidden)]
pub mod __private {
    pub use crate::extract::{
        path_param, FromParam, FromRequest, FromRequestParts, RequestContext, Requirements,
    };
    pub use crate::http::{Request, Response};
    pub use crate::respond::IntoResponse;
    pub use crate::route::{conflicts, HandlerFn, IntoRoute, NotARoute, Route, RouteInfo};
}

/// The README's code blocks, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
