//! A route: methods, path pattern, handler, and where it was declared.

use crate::extract::{RequestContext, Requirements};
use crate::http::{Method, Request, Response};
use crate::middleware::{Layer, Middleware};
use std::fmt;
use std::sync::Arc;

/// A generated handler: extracts the arguments, calls the user's function, builds the response.
pub type HandlerFn = fn(&mut Request, &RequestContext<'_>) -> Response;

/// What a route attribute knows at compile time; a `const` per route, so that `routes![...]`
/// can compare routes while compiling.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    /// Method names, e.g. `["GET"]`.
    pub methods: &'static [&'static str],
    /// The path pattern as written.
    pub path: &'static str,
    /// The handler function's name.
    pub name: &'static str,
    /// Where the attribute is.
    pub file: &'static str,
    /// Line of the attribute.
    pub line: u32,
}

/// A route, ready to mount: what `routes![...]` collects.
#[derive(Clone)]
pub struct Route {
    pub(crate) methods: Vec<Method>,
    pub(crate) path: String,
    pub(crate) name: &'static str,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
    pub(crate) handler: HandlerFn,
    pub(crate) requirements: fn(&mut Requirements),
    /// Scope and route middleware, outermost first (the app's come in front when it is built).
    pub(crate) layers: Vec<Layer>,
    /// The whole chain, app middleware included: filled by `App::build`.
    pub(crate) chain: Arc<[Layer]>,
}

/// What the router decided about a request, as middleware sees it in
/// [`RequestContext::routing`](crate::RequestContext::routing).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Routing<'a> {
    /// A route answers the request (for `HEAD`, possibly the `GET` route).
    Matched(&'a Route),
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

impl Route {
    /// Builds a route from what the route attribute generated.
    #[doc(hidden)]
    #[must_use]
    pub fn from_generated(
        info: &RouteInfo,
        handler: HandlerFn,
        requirements: fn(&mut Requirements),
    ) -> Self {
        Self {
            // The attribute only emits valid method tokens.
            methods: info.methods.iter().filter_map(|m| m.parse().ok()).collect(),
            path: info.path.to_string(),
            name: info.name,
            file: info.file,
            line: info.line,
            handler,
            requirements,
            layers: Vec::new(),
            chain: Arc::from(Vec::new()),
        }
    }

    /// Adds a middleware to this route only; it runs inside the app's and the scope's middleware,
    /// and the first `wrap` is the outermost (see [`middleware`](crate::middleware)).
    ///
    /// ```
    /// use framework::middleware::Next;
    /// use framework::{get, routes, test::TestClient, App, Request, RequestContext, Response};
    ///
    /// fn no_store(req: &mut Request, _: &RequestContext<'_>, next: Next<'_>) -> Response {
    ///     let mut res = next.run(req);
    ///     let _ = res.headers_mut().insert("Cache-Control", "no-store");
    ///     res
    /// }
    ///
    /// #[get("/a")]
    /// fn a() -> &'static str { "a" }
    /// #[get("/b")]
    /// fn b() -> &'static str { "b" }
    ///
    /// let [a, b]: [_; 2] = routes![a, b].try_into().map_err(|_| "two routes")?;
    /// let client = TestClient::new(App::new().mount("/", vec![a.wrap(no_store), b]))?;
    /// assert_eq!(client.get("/a").send().header("cache-control"), Some("no-store"));
    /// assert_eq!(client.get("/b").send().header("cache-control"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn wrap(mut self, middleware: impl Middleware) -> Self {
        self.layers.push(Arc::new(middleware));
        self
    }

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

    /// The handler's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `file:line` of the route attribute.
    #[must_use]
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<&str> = self.methods.iter().map(Method::as_str).collect();
        write!(
            f,
            "{} {} -> {} ({})",
            methods.join(","),
            self.path,
            self.name,
            self.location()
        )
    }
}

/// Turns a route attribute's marker struct into a [`Route`]; `routes![...]` calls it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a route",
    label = "not a function annotated with a route attribute",
    note = "`routes![...]` takes the names of functions annotated with `#[get(\"/path\")]`, `#[post(\"/path\")]`, `#[route(GET, POST, \"/path\")]`, ..."
)]
pub trait IntoRoute {
    /// The route's compile-time description.
    const INFO: RouteInfo;
    /// `false` only for [`NotARoute`], which `routes![...]` substitutes for a name that has no
    /// route attribute, so that it can report that at compile time.
    const IS_ROUTE: bool = true;
    /// The route.
    fn into_route() -> Route;
}

/// What `routes![f]` finds when `f` is a function without a route attribute: the expansion
/// glob-imports this type under the name it looks up, and an explicit import of the route's
/// marker struct shadows it. A `const` assertion on [`IntoRoute::IS_ROUTE`] then fails with a
/// message naming `f`, so this route is never built.
#[doc(hidden)]
#[derive(Debug)]
pub struct NotARoute {}

impl IntoRoute for NotARoute {
    const INFO: RouteInfo = RouteInfo {
        methods: &[],
        path: "",
        name: "",
        file: "",
        line: 0,
    };
    const IS_ROUTE: bool = false;

    fn into_route() -> Route {
        // Unreachable: a program that names a `NotARoute` in `routes![...]` does not compile.
        // Should it ever be built, it answers nothing (no methods, an invalid path).
        fn handler(_: &mut Request, _: &RequestContext<'_>) -> Response {
            Response::new(crate::http::StatusCode::INTERNAL_SERVER_ERROR)
        }
        Route::from_generated(&Self::INFO, handler, |_| {})
    }
}

/// Whether two byte strings are equal, in a const context.
const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The end of the segment that starts at `i`.
const fn segment_end(p: &[u8], mut i: usize) -> usize {
    while i < p.len() && p[i] != b'/' {
        i += 1;
    }
    i
}

/// Whether two patterns have the same shape: the same static segments, with parameters and
/// catch-alls in the same places (names aside). Such patterns match exactly the same paths.
#[doc(hidden)]
#[must_use]
pub const fn same_shape(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        let (ei, ej) = (segment_end(a, i), segment_end(b, j));
        let (ka, kb) = (if i < ei { a[i] } else { 0 }, if j < ej { b[j] } else { 0 });
        let same = match (ka, kb) {
            (b':', b':') | (b'*', b'*') => true,
            (b':' | b'*', _) | (_, b':' | b'*') => false,
            _ => {
                let (sa, _) = a.split_at(ei);
                let (_, sa) = sa.split_at(i);
                let (sb, _) = b.split_at(ej);
                let (_, sb) = sb.split_at(j);
                bytes_eq(sa, sb)
            }
        };
        if !same {
            return false;
        }
        match (ei == a.len(), ej == b.len()) {
            (true, true) => return true,
            (false, false) => {
                i = ei + 1;
                j = ej + 1;
            }
            _ => return false,
        }
    }
}

/// Whether two routes would answer the same method on the same paths: the compile-time check
/// behind `routes![...]`.
#[doc(hidden)]
#[must_use]
pub const fn conflicts(a: &RouteInfo, b: &RouteInfo) -> bool {
    if !same_shape(a.path, b.path) {
        return false;
    }
    let mut i = 0;
    while i < a.methods.len() {
        let mut j = 0;
        while j < b.methods.len() {
            if bytes_eq(a.methods[i].as_bytes(), b.methods[j].as_bytes()) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_compare_segments_and_ignore_parameter_names() {
        assert!(same_shape("/users/:id", "/users/:name"));
        assert!(same_shape("/", "/"));
        assert!(same_shape("/a/*x", "/a/*y"));
        assert!(!same_shape("/users/:id", "/users/me"));
        assert!(!same_shape("/users/:id", "/users/*id"));
        assert!(!same_shape("/users", "/users/"));
        assert!(!same_shape("/users/:id", "/users/:id/posts"));
        assert!(!same_shape("/a/b", "/a/c"));
    }

    #[test]
    fn conflicts_need_a_shared_method() {
        let get = RouteInfo {
            methods: &["GET"],
            path: "/u/:id",
            name: "a",
            file: "f",
            line: 1,
        };
        let get2 = RouteInfo {
            methods: &["POST", "GET"],
            path: "/u/:name",
            name: "b",
            file: "f",
            line: 2,
        };
        let post = RouteInfo {
            methods: &["POST"],
            path: "/u/:id",
            name: "c",
            file: "f",
            line: 3,
        };
        assert!(conflicts(&get, &get2));
        assert!(!conflicts(&get, &post));
    }
}
