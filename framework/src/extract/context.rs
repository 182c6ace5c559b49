//! What extractors and middleware see besides the request: the router's decision, the matched
//! route's description and path parameters, and the application state.

use super::{State, StateMap};
use crate::http::{Method, Request};
use crate::router::RouteParams;
use std::any::TypeId;

/// A route's description: its methods, its path pattern (mount prefix included), the name of the
/// function it calls and where its attribute is. Part of every [`Route`](crate::Route), and what
/// [`RequestContext::route`] hands to middleware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMeta {
    pub(crate) methods: Vec<Method>,
    pub(crate) path: String,
    pub(crate) name: &'static str,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
    /// Its own body limit (the attribute's `limit`, [`Route::body_limit`](crate::Route::body_limit)
    /// or its scope's); `None`: `Limits::parse.max_body`.
    pub(crate) body_limit: Option<u64>,
}

impl RouteMeta {
    /// The methods it answers.
    #[must_use]
    pub fn methods(&self) -> &[Method] {
        &self.methods
    }

    /// The path pattern, mount prefix included.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The name of the function the route calls.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `file:line` of the route attribute.
    #[must_use]
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// The most request-body bytes the route accepts, when it sets its own limit (otherwise the
    /// server's `Limits::parse.max_body` applies).
    #[must_use]
    pub fn body_limit(&self) -> Option<u64> {
        self.body_limit
    }
}

/// What the router decided about a request, as middleware sees it in
/// [`RequestContext::routing`](crate::RequestContext::routing).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Routing<'a> {
    /// A route answers the request (for `HEAD`, possibly the `GET` route).
    Matched(&'a RouteMeta),
    /// No route has this path: the answer is `404`.
    NotFound,
    /// Routes have this path, none with this method: the answer is `405` with `allow`.
    MethodNotAllowed {
        /// The `Allow` value.
        allow: &'a str,
    },
    /// An `OPTIONS` request that no route answers (or `OPTIONS *`): the answer is `204` with
    /// `allow`.
    Options {
        /// The `Allow` value.
        allow: &'a str,
    },
}

/// What an extractor or a middleware can see besides the request: what the router decided, the
/// route's path parameters, and the application's state.
#[derive(Debug)]
pub struct RequestContext<'a> {
    pub(crate) params: &'a RouteParams<'a>,
    pub(crate) state: &'a StateMap,
    pub(crate) routing: Routing<'a>,
}

impl<'a> RequestContext<'a> {
    /// The raw (still percent-encoded) value of path parameter `i` of this request.
    #[must_use]
    pub fn raw_param<'r>(&self, req: &'r Request, i: usize) -> Option<&'r str> {
        self.params.get(req.path(), i)
    }

    /// What the router decided: a matched route, no route, or a method it does not allow.
    #[must_use]
    pub fn routing(&self) -> Routing<'a> {
        self.routing
    }

    /// The matched route (its [`path`](RouteMeta::path) is the pattern, mount prefix included,
    /// and its [`name`](RouteMeta::name) the handler function's), or `None` when no route answers.
    #[must_use]
    pub fn route(&self) -> Option<&'a RouteMeta> {
        match self.routing {
            Routing::Matched(route) => Some(route),
            _ => None,
        }
    }

    /// The percent-decoded value of the path parameter `name` (`:name` or `*name` in the matched
    /// pattern); `None` without a matched route, without such a parameter, or when the value does
    /// not decode to UTF-8.
    ///
    /// ```
    /// use framework::middleware::Next;
    /// use framework::{get, routes, test::TestClient, App, Request, RequestContext, Response};
    ///
    /// fn tag(req: &mut Request, cx: &RequestContext<'_>, next: Next<'_>) -> Response {
    ///     let who = cx.param(req, "name").map(|n| n.into_owned());
    ///     let mut res = next.run(req);
    ///     if let Some(who) = who {
    ///         let _ = res.headers_mut().insert("X-Name", who);
    ///     }
    ///     res
    /// }
    ///
    /// #[get("/hello/:name")]
    /// fn hello(name: String) -> String { name }
    ///
    /// let client = TestClient::new(App::new().wrap(tag).mount("/", routes![hello]))?;
    /// assert_eq!(client.get("/hello/J%C3%BCrgen").send().header("x-name"), Some("Jürgen"));
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    #[must_use]
    pub fn param<'r>(&self, req: &'r Request, name: &str) -> Option<std::borrow::Cow<'r, str>> {
        let index = self.params.index_of(name)?;
        crate::proto::parse::decode_path_segment(self.raw_param(req, index)?).ok()
    }

    /// The application state of type `T`, if registered with `App::manage`.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<State<T>> {
        self.state.get::<T>().map(State::from_arc)
    }
}

/// What a route's extractors need from the application, checked when the app is built, so that a
/// missing `State<T>` is a start-up error and not a `500` at request time.
#[derive(Debug, Default)]
pub struct Requirements {
    pub(crate) state: Vec<(TypeId, &'static str)>,
}

impl Requirements {
    /// Declares that state of type `T` must be registered with `App::manage`.
    pub fn state<T: 'static>(&mut self) {
        self.state
            .push((TypeId::of::<T>(), std::any::type_name::<T>()));
    }
}
