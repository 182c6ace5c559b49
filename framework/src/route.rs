//! A route: methods, path pattern, handler, and where it was declared.

use crate::extract::{RequestContext, Requirements, RouteMeta};
use crate::http::{Method, Request, Response};
use crate::middleware::{Layer, Middleware};
use crate::router::pattern::same_shape;
use std::fmt;
use std::sync::Arc;

/// A route's endpoint, as the route attribute generates it: extracts the arguments, calls the
/// user's function, turns its return value into the response. (The [`Handler`](crate::Handler)
/// is the whole app; an endpoint is one route's part of it.)
pub type EndpointFn = fn(&mut Request, &RequestContext<'_>) -> Response;

/// A route's endpoint once built: a generated [`EndpointFn`], or a value that carries its own
/// configuration (the directory of a [`Files`](crate::serve::Files)).
pub(crate) type SharedEndpoint =
    Arc<dyn Fn(&mut Request, &RequestContext<'_>) -> Response + Send + Sync>;

/// Route paths that stand for the mount prefix itself, for routes that must answer both the
/// prefix and the prefix with a trailing slash (a directory: `/static` redirects to `/static/`).
/// Neither can be written in a route attribute (a path starts with `/` and has no empty segment).
///
/// `BARE_PREFIX`: the prefix as it is (`/static`); at the root, where it would be empty, the route
/// is dropped when the app takes it.
pub(crate) const BARE_PREFIX: &str = "";
/// `PREFIX_SLASH`: the prefix with a trailing slash (`/static/`); `/` at the root.
pub(crate) const PREFIX_SLASH: &str = "//";

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
    /// The attribute's `limit`, in bytes.
    pub body_limit: Option<u64>,
}

/// A route, ready to mount: what `routes![...]` collects.
#[derive(Clone)]
pub struct Route {
    pub(crate) meta: RouteMeta,
    pub(crate) endpoint: SharedEndpoint,
    pub(crate) requirements: fn(&mut Requirements),
    /// Scope and route middleware, outermost first (the app's come in front when it is built).
    pub(crate) layers: Vec<Layer>,
    /// The whole chain, app middleware included: filled by `App::build`.
    pub(crate) chain: Arc<[Layer]>,
}

impl Route {
    /// Builds a route from what the route attribute generated.
    #[doc(hidden)]
    #[must_use]
    pub fn from_generated(
        info: &RouteInfo,
        endpoint: EndpointFn,
        requirements: fn(&mut Requirements),
    ) -> Self {
        Self {
            meta: RouteMeta {
                // The attribute only emits valid method tokens.
                methods: info.methods.iter().filter_map(|m| m.parse().ok()).collect(),
                path: info.path.to_string(),
                name: info.name,
                file: info.file,
                line: info.line,
                body_limit: info.body_limit,
            },
            endpoint: Arc::new(endpoint),
            requirements,
            layers: Vec::new(),
            chain: Arc::from(Vec::new()),
        }
    }

    /// A route built by the framework itself (not by a route attribute): `name` and the caller's
    /// location describe it in the banner and in start-up errors.
    pub(crate) fn built_in(
        methods: Vec<Method>,
        path: &str,
        name: &'static str,
        endpoint: SharedEndpoint,
        location: &'static std::panic::Location<'static>,
    ) -> Self {
        Self {
            meta: RouteMeta {
                methods,
                path: path.to_string(),
                name,
                file: location.file(),
                line: location.line(),
                body_limit: None,
            },
            endpoint,
            requirements: |_| {},
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

    /// Sets the most request-body bytes this route accepts, above or below the server's
    /// `Limits::parse.max_body` (what `#[post("/upload", limit = "50 MiB")]` sets). It applies
    /// when the handler reads the body: a declared length over it is refused with `413` before
    /// any byte is read (and without `100 Continue`), a chunked body as soon as it passes it. A
    /// route that reads no body is not refused for one.
    ///
    /// ```
    /// use framework::{post, routes, test::TestClient, App};
    ///
    /// #[post("/notes")]
    /// fn note(body: String) -> String { body }
    ///
    /// let small: Vec<_> = routes![note].into_iter().map(|r| r.body_limit(4)).collect();
    /// let client = TestClient::new(App::new().mount("/", small))?;
    /// assert_eq!(client.post("/notes").body("tiny").send().text(), "tiny");
    /// assert_eq!(client.post("/notes").body("too long").send().status().as_u16(), 413);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.meta.body_limit = Some(bytes);
        self
    }

    /// The methods it answers.
    #[must_use]
    pub fn methods(&self) -> &[Method] {
        self.meta.methods()
    }

    /// The path pattern, mount prefix included.
    #[must_use]
    pub fn path(&self) -> &str {
        self.meta.path()
    }

    /// The name of the function the route calls.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.meta.name()
    }

    /// `file:line` of the route attribute.
    #[must_use]
    pub fn location(&self) -> String {
        self.meta.location()
    }

    /// `` `name` (file:line) ``, as start-up errors name a route.
    pub(crate) fn describe(&self) -> String {
        format!("`{}` ({})", self.meta.name, self.location())
    }

    /// Its description, as middleware sees it in [`RequestContext::route`].
    #[must_use]
    pub fn meta(&self) -> &RouteMeta {
        &self.meta
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<&str> = self.meta.methods.iter().map(Method::as_str).collect();
        write!(
            f,
            "{} {} -> {} ({})",
            methods.join(","),
            self.meta.path,
            self.meta.name,
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
        body_limit: None,
    };
    const IS_ROUTE: bool = false;

    fn into_route() -> Route {
        // Unreachable: a program that names a `NotARoute` in `routes![...]` does not compile.
        // Should it ever be built, it answers nothing (no methods, an invalid path).
        fn endpoint(_: &mut Request, _: &RequestContext<'_>) -> Response {
            Response::new(crate::http::StatusCode::INTERNAL_SERVER_ERROR)
        }
        Route::from_generated(&Self::INFO, endpoint, |_| {})
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

/// What [`App::mount`](crate::App::mount) and [`Scope::mount`](crate::Scope::mount) take: the
/// routes of `routes![...]`, one [`Route`], or a mountable value such as
/// [`serve::Files`](crate::serve::Files).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of routes",
    label = "wrap handler functions in `routes![...]`",
    note = "mount the routes of annotated functions with `.mount(\"/\", routes![index, show])`, or a folder with `.mount(\"/static\", serve::Files::new(\"public\"))`"
)]
pub trait IntoRoutes {
    /// The routes.
    fn into_routes(self) -> Vec<Route>;
}

impl IntoRoutes for Vec<Route> {
    fn into_routes(self) -> Vec<Route> {
        self
    }
}

impl IntoRoutes for Route {
    fn into_routes(self) -> Vec<Route> {
        vec![self]
    }
}

impl<const N: usize> IntoRoutes for [Route; N] {
    fn into_routes(self) -> Vec<Route> {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_need_a_shared_method() {
        let get = RouteInfo {
            methods: &["GET"],
            path: "/u/:id",
            name: "a",
            file: "f",
            line: 1,
            body_limit: None,
        };
        let get2 = RouteInfo {
            methods: &["POST", "GET"],
            path: "/u/:name",
            name: "b",
            file: "f",
            line: 2,
            body_limit: None,
        };
        let post = RouteInfo {
            methods: &["POST"],
            path: "/u/:id",
            name: "c",
            file: "f",
            line: 3,
            body_limit: None,
        };
        assert!(conflicts(&get, &get2));
        assert!(!conflicts(&get, &post));
    }
}
