//! Answering a request with a built app: route it, run its middleware chain and endpoint (or the
//! `404`, `405` or automatic `OPTIONS` answer), then render errors through the error hook.
//!
//! Two [`Handler`]s, one wrapping the other as Go's handlers wrap each other: [`Dispatch`] routes
//! and runs chains, [`ErrorPages`] logs error details and applies [`App::catch`](crate::App::catch).
//! The access log wraps both when the app is served (`serve.rs`).

use crate::error::{Error, ErrorHook};
use crate::extract::{RequestContext, Routing, StateMap};
use crate::handler::Handler;
use crate::http::{Method, Request, Response, StatusCode};
use crate::middleware::{ErrorLog, Layer, Next};
use crate::respond::IntoResponse;
use crate::route::Route;
use crate::router::{Miss, RouteParams, Router};
use std::sync::Arc;

/// Routes a request and runs the chain that answers it.
pub(crate) struct Dispatch {
    pub(crate) router: Router<Route>,
    /// App-wide middleware: the whole chain of a request no route matches.
    pub(crate) layers: Arc<[Layer]>,
    pub(crate) state: StateMap,
}

impl Handler for Dispatch {
    /// Routes the request, then runs its chain.
    fn handle(&self, req: &mut Request) -> Response {
        const EVERY_METHOD: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
        let no_params = RouteParams::default();
        let cx = |params, routing| RequestContext {
            params,
            state: &self.state,
            routing,
        };
        if *req.method() == Method::Options && req.path() == "*" {
            let cx = cx(
                &no_params,
                Routing::Options {
                    allow: EVERY_METHOD,
                },
            );
            let endpoint = |_: &mut Request, _: &RequestContext<'_>| {
                allow_response(StatusCode::NO_CONTENT, EVERY_METHOD)
            };
            return Next::new(&self.layers, &endpoint, &cx).run(req);
        }
        match self.router.at(req.method(), req.path()) {
            Ok(m) => {
                let route = m.value;
                let params = m.params.detach();
                if let Some(limit) = route.meta.body_limit {
                    req.body_mut().set_limit(limit);
                }
                let cx = cx(&params, Routing::Matched(&route.meta));
                Next::new(&route.chain, &*route.endpoint, &cx).run(req)
            }
            Err(Miss::NotFound) => {
                let cx = cx(&no_params, Routing::NotFound);
                let endpoint = |_: &mut Request, _: &RequestContext<'_>| {
                    Error::not_found("not found").into_response()
                };
                Next::new(&self.layers, &endpoint, &cx).run(req)
            }
            Err(Miss::MethodNotAllowed(allow)) => {
                // Scope middleware shared by every route of this path applies to its 405 and
                // automatic OPTIONS answers too.
                let chain = self.shared_chain(req.path());
                if *req.method() == Method::Options {
                    // RFC 9110 §9.3.7: OPTIONS answers with the allowed methods.
                    let cx = cx(&no_params, Routing::Options { allow });
                    let endpoint = |_: &mut Request, _: &RequestContext<'_>| {
                        allow_response(StatusCode::NO_CONTENT, allow)
                    };
                    Next::new(chain, &endpoint, &cx).run(req)
                } else {
                    // RFC 9110 §15.5.6: a 405 carries Allow.
                    let cx = cx(&no_params, Routing::MethodNotAllowed { allow });
                    let endpoint = |_: &mut Request, _: &RequestContext<'_>| {
                        let mut res =
                            Error::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
                                .into_response();
                        let _ = res.headers_mut().insert("Allow", allow);
                        res
                    };
                    Next::new(chain, &endpoint, &cx).run(req)
                }
            }
        }
    }
}

impl Dispatch {
    /// The app's middleware, then the scope middleware that every route of `path` shares (the
    /// longest common run of their chains, outermost first).
    fn shared_chain(&self, path: &str) -> &[Layer] {
        let mut routes = self.router.endpoint_values(path);
        let Some(first) = routes.next() else {
            return &self.layers;
        };
        let mut shared = first.chain.len();
        for route in routes {
            shared = first
                .chain
                .iter()
                .zip(route.chain.iter())
                .take(shared)
                .take_while(|(a, b)| Arc::ptr_eq(a, b))
                .count();
        }
        first.chain.get(..shared).unwrap_or(&self.layers)
    }
}

/// Logs the internal detail of every error response and, with an error hook, renders errors
/// through it.
pub(crate) struct ErrorPages<H> {
    inner: H,
    hook: Option<Arc<ErrorHook>>,
}

impl<H: Handler> ErrorPages<H> {
    pub(crate) fn new(inner: H, hook: Option<Arc<ErrorHook>>) -> Self {
        Self { inner, hook }
    }
}

impl<H: Handler> Handler for ErrorPages<H> {
    fn handle(&self, req: &mut Request) -> Response {
        let mut res = self.inner.handle(req);
        if let Some(error) = res.error() {
            if let Some(detail) = error.detail() {
                ErrorLog::record(req, error.status(), detail);
            }
        }
        let Some(hook) = &self.hook else {
            return res;
        };
        let Some(error) = res.take_error() else {
            return res;
        };
        let mut custom = hook(&error, req);
        // Fields the default response carried and the hook's does not (such as `Allow`) stay.
        for (name, value) in res.headers().iter() {
            if !custom.headers().contains(name) && !name.eq_ignore_ascii_case("content-type") {
                let _ = custom.headers_mut().append(name, value);
            }
        }
        custom.set_error(error);
        custom
    }
}

fn allow_response(status: StatusCode, allow: &str) -> Response {
    let mut res = Response::new(status);
    let _ = res.headers_mut().insert("Allow", allow);
    res
}
