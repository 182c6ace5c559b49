//! The one meaning of "handler" in this crate: something that answers a request.
//!
//! [`Handler`] is what the [`Server`](crate::Server) calls for every request, as Go's
//! `http.Handler` is what its server calls. A closure `Fn(&mut Request) -> Response` is one; a
//! built [`App`](crate::App) is one (its router, middleware chains and route endpoints inside);
//! and the app wraps its own handler in others before serving (the error hook of
//! [`App::catch`](crate::App::catch), then the access log), the way `StripPrefix` or a logging
//! wrapper wraps a Go handler. Per-route code is an *endpoint* (`Route`), and code that runs
//! around endpoints is [middleware](crate::middleware).
//!
//! A panic anywhere under a handler becomes a `500` in exactly one function, [`catch_panic`]:
//! the server calls it around every handler, and the middleware chain calls it around each
//! layer and the endpoint, so that outer middleware (CORS, request ids) still sees the `500`.

use crate::error::Error;
use crate::http::{Request, Response};
use crate::respond::IntoResponse;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Answers requests: what [`Server::serve`](crate::Server::serve) runs for each one.
///
/// ```
/// use framework::{Handler, Request, Response};
///
/// let hello = |_: &mut Request| Response::text("hello");
/// let mut req = Request::new(framework::Method::Get, "/")?;
/// assert_eq!(hello.handle(&mut req).status().as_u16(), 200);
/// # Ok::<(), framework::proto::parse::ParseError>(())
/// ```
pub trait Handler: Send + Sync + 'static {
    /// Answers one request. May block (a database call, a file read): it runs on a worker
    /// thread, and the server starts more workers when all of them are blocked.
    fn handle(&self, req: &mut Request) -> Response;
}

impl<F> Handler for F
where
    F: Fn(&mut Request) -> Response + Send + Sync + 'static,
{
    fn handle(&self, req: &mut Request) -> Response {
        self(req)
    }
}

/// Runs `f`; if it panics, answers `500` (`{"error":"internal server error"}`, rendered from
/// [`Error::internal`] so that the error hook sees it) with `Connection: close`, because a panic
/// may have left the request body half-read.
pub(crate) fn catch_panic(f: impl FnOnce() -> Response) -> Response {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        let mut res = Error::internal("internal server error").into_response();
        let _ = res.headers_mut().insert("Connection", "close");
        res
    })
}
