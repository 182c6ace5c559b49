//! Middleware: plain functions around the handler, in the spirit of Express's `app.use` and
//! Go's `func(http.Handler) http.Handler`.
//!
//! A middleware gets the request, what the router decided about it, and a [`Next`] that runs the
//! rest of the chain. It may answer early without calling `next` (a `401`, a `429`, a CORS
//! preflight), change the request before (`req.headers_mut()`, `req.extensions_mut()`), and change
//! the response after (status, headers, body):
//!
//! ```
//! use framework::middleware::{from_fn, Next};
//! use framework::{get, routes, test::TestClient, App, Error, IntoResponse, Request, RequestContext, Response};
//! use framework::extract::Extension;
//!
//! #[derive(Clone)]
//! struct User(String);
//!
//! // Answers 401 early, or attaches the user for the handler and marks the response.
//! fn auth(req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
//!     let Some(name) = req.headers().get("x-user").map(str::to_string) else {
//!         return Error::unauthorized("log in first").into_response();
//!     };
//!     req.extensions_mut().insert(User(name));
//!     let mut res = next.run(req);
//!     let _ = res.headers_mut().insert("X-Authenticated", "1");
//!     res
//! }
//!
//! #[get("/me")]
//! fn me(Extension(user): Extension<User>) -> String {
//!     format!("hello {}", user.0)
//! }
//!
//! let app = App::new()
//!     .wrap(auth)
//!     .wrap(from_fn(|req, _cx, next| next.run(req)))
//!     .mount("/", routes![me]);
//! let client = TestClient::new(app)?;
//! assert_eq!(client.get("/me").send().status().as_u16(), 401);
//! let res = client.get("/me").header("X-User", "ada").send();
//! assert_eq!((res.text(), res.header("x-authenticated")), ("hello ada".to_string(), Some("1")));
//! # Ok::<(), framework::BuildError>(())
//! ```
//!
//! # Where middleware applies, and in which order
//!
//! - [`App::wrap`](crate::App::wrap): every request, including the `404`, `405`, automatic `HEAD`
//!   and automatic `OPTIONS` answers, so that logging and CORS see everything.
//! - [`Scope::wrap`](crate::Scope::wrap): the routes mounted in that scope (and in scopes nested in
//!   it). It runs when the router matched one of them, and for the `405` and automatic `OPTIONS`
//!   answers of a path whose routes all share it.
//! - [`Route::wrap`](crate::Route::wrap): that one route.
//!
//! What the connection refuses before there is a request to route (a malformed head, a declared
//! body over `Limits::max_body`, a head timeout: the protocol errors listed in the README) is
//! answered by the connection itself, without middleware.
//!
//! The chain is app, then scope (outer scope before inner), then route; within each, the order of
//! the `wrap` calls: **the first `wrap` is the outermost**, it sees the request first and the
//! response last. [`App::catch`](crate::App::catch) renders errors after the whole chain, and the
//! access log times the whole chain.
//!
//! Routing happens before the chain runs, so a middleware sees the decision in
//! [`RequestContext::routing`](crate::RequestContext::routing): the matched [`Route`](crate::Route)
//! (its pattern and handler name), the decoded path parameters
//! ([`RequestContext::param`](crate::RequestContext::param)), or "no route" / "method not
//! allowed". Middleware cannot re-route a request.
//!
//! # Guards: look at the route, never at raw target bytes
//!
//! [`Request::path`](crate::Request::path) is the target as the client sent it, still
//! percent-encoded, while the router compares decoded segments: a guard that tests
//! `req.path().starts_with("/admin")` lets `/%61dmin/stats` through to the admin handler. Put the
//! guard on the scope instead: it then runs for exactly the requests that reach the scope's
//! handlers, however their paths were spelled. A guard that must be app-wide should decide on
//! `cx.route()` (the matched pattern), never on the raw path. A third way, per handler, is a
//! guard extractor: a type implementing [`FromRequestParts`](crate::FromRequestParts) that
//! rejects the request (see the README).
//!
//! # Panics
//!
//! A middleware that panics is answered like a handler that panics: `500`, and the connection
//! closes. The layers outside it still see that response.

pub mod access_log;
#[cfg(feature = "compression")]
pub mod compress;
pub mod cors;
pub(crate) mod fields;
pub mod proxy;
pub mod request_id;

pub use access_log::{AccessLog, LogFormatError};
#[cfg(feature = "compression")]
pub use compress::Compression;
pub use cors::{Cors, CorsError};
pub use proxy::{ClientAddr, ProxyError, ProxyHeader, TrustedProxies};
pub use request_id::{RequestId, RequestIds};

pub(crate) use access_log::ErrorLog;

use crate::extract::RequestContext;
use crate::handler::catch_panic;
use crate::http::{Request, Response};
use std::sync::Arc;

/// Something that runs around a handler: see the [module docs](self).
///
/// Plain functions with the signature of [`Middleware::handle`] are middleware; closures become
/// middleware with [`from_fn`] (which lets the compiler infer their argument types).
pub trait Middleware: Send + Sync + 'static {
    /// Handles one request: answer it, or call `next.run(req)` and return (or change) its answer.
    fn handle(&self, req: &mut Request, cx: &RequestContext<'_>, next: Next<'_>) -> Response;

    /// Checks the configuration when the app is built; an `Err` is a
    /// [`BuildError::Middleware`](crate::BuildError::Middleware) with this message.
    ///
    /// # Errors
    /// What is wrong with the configuration.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// A name for diagnostics: the type's name unless overridden.
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }
}

impl<F> Middleware for F
where
    F: Fn(&mut Request, &RequestContext<'_>, Next<'_>) -> Response + Send + Sync + 'static,
{
    fn handle(&self, req: &mut Request, cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        self(req, cx, next)
    }
}

/// Makes a middleware of a closure, so that its argument types are inferred:
/// `from_fn(|req, cx, next| next.run(req))`.
pub fn from_fn<F>(f: F) -> F
where
    F: Fn(&mut Request, &RequestContext<'_>, Next<'_>) -> Response + Send + Sync + 'static,
{
    f
}

impl std::fmt::Debug for dyn Middleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A middleware, shared by every route it applies to.
pub(crate) type Layer = Arc<dyn Middleware>;

/// What the chain ends in: the route's handler, or the answer for "no route".
pub(crate) type Endpoint<'a> = &'a dyn Fn(&mut Request, &RequestContext<'_>) -> Response;

/// The rest of the chain, handed to a middleware: [`Next::run`] calls the next middleware, or the
/// handler after the last one. Not calling it answers early.
#[must_use = "a middleware answers early unless it calls `next.run(req)`"]
pub struct Next<'a> {
    chain: &'a [Layer],
    endpoint: Endpoint<'a>,
    cx: &'a RequestContext<'a>,
}

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("remaining", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Next<'a> {
    pub(crate) fn new(
        chain: &'a [Layer],
        endpoint: Endpoint<'a>,
        cx: &'a RequestContext<'a>,
    ) -> Self {
        Self {
            chain,
            endpoint,
            cx,
        }
    }

    /// Runs the rest of the chain and returns its response. A panic in it becomes a `500` (with
    /// `Connection: close`), so the caller always gets a response.
    pub fn run(self, req: &mut Request) -> Response {
        let Self {
            chain,
            endpoint,
            cx,
        } = self;
        match chain.split_first() {
            Some((first, rest)) => {
                catch_panic(|| first.handle(req, cx, Next::new(rest, endpoint, cx)))
            }
            None => catch_panic(|| endpoint(req, cx)),
        }
    }
}
