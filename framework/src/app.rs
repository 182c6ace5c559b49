//! The application builder: routes, state and limits, checked once and then served.

use crate::error::{Error, ErrorHook};
use crate::extract::{RequestContext, Requirements};
use crate::http::{Method, Request, Response, StatusCode};
use crate::middleware::{AccessLog, ErrorLog, Layer, Middleware, Next};
use crate::respond::IntoResponse;
use crate::route::{Route, Routing};
use crate::router::{InsertError, Miss, Params, Router};
use crate::scope::Scope;
use crate::server::{Limits, Server, ShutdownHandle};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Instant;

/// Application state, one value per type.
#[derive(Default)]
pub(crate) struct StateMap {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl StateMap {
    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|v| Arc::clone(v).downcast().ok())
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateMap({} values)", self.values.len())
    }
}

/// Why an app could not be built. Each names the routes at fault and where they are declared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// Two routes answer the same method on the same paths.
    Conflict {
        /// The method both answer.
        method: String,
        /// The first route: `name (file:line) path`.
        first: String,
        /// The second route, same form.
        second: String,
    },
    /// A route's path (with its mount prefix) is not a valid pattern.
    InvalidPath {
        /// The route: `name (file:line)`.
        route: String,
        /// The full path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A route takes `State<T>` for a `T` never registered with [`App::manage`].
    MissingState {
        /// The route: `name (file:line)`.
        route: String,
        /// The state type.
        type_name: &'static str,
    },
    /// A middleware's configuration is inconsistent (see
    /// [`Middleware::check`](crate::middleware::Middleware::check)).
    Middleware {
        /// The middleware's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict { method, first, second } => write!(
                f,
                "routes conflict: {method} {second} would answer the same requests as {method} {first}; remove one or change its path"
            ),
            Self::InvalidPath { route, path, reason } => write!(f, "route {route}: invalid path `{path}`: {reason}"),
            Self::MissingState { route, type_name } => write!(
                f,
                "route {route} takes `State<{type_name}>`, but no `{type_name}` was registered: add `.manage(value)` to the App"
            ),
            Self::Middleware { name, reason } => write!(f, "middleware `{name}`: {reason}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Why [`App::run`] or [`App::bind`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError {
    /// The app is inconsistent (see [`BuildError`]).
    Build(BuildError),
    /// The address could not be bound, or the listener failed.
    Io(io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(e) => e.fmt(f),
            Self::Io(e) => write!(f, "server error: {e}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Build(e) => Some(e),
            Self::Io(e) => Some(e),
        }
    }
}

impl From<BuildError> for RunError {
    fn from(e: BuildError) -> Self {
        Self::Build(e)
    }
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// An application: mounted routes, shared state and limits.
///
/// ```no_run
/// use framework::{get, routes, App};
///
/// #[get("/hello/:name")]
/// fn hello(name: String) -> String {
///     format!("Hello, {name}!")
/// }
///
/// fn main() -> Result<(), framework::RunError> {
///     App::new().mount("/", routes![hello]).run("127.0.0.1:8080")
/// }
/// ```
#[must_use]
pub struct App {
    routes: Vec<Route>,
    layers: Vec<Layer>,
    access_format: AccessLog,
    state: StateMap,
    limits: Limits,
    banner: bool,
    access_log: bool,
    catch: Option<Arc<ErrorHook>>,
    /// The first mount prefix that is not plain static segments, reported by [`App::build`].
    bad_prefix: Option<BuildError>,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("routes", &self.routes)
            .field("state", &self.state)
            .field("limits", &self.limits)
            .finish()
    }
}

impl App {
    /// An app with no routes, no state and default limits; it prints a start-up banner.
    pub fn new() -> Self {
        Self {
            routes: Vec::new(),
            layers: Vec::new(),
            access_format: AccessLog::default(),
            state: StateMap::default(),
            limits: Limits::default(),
            banner: true,
            access_log: true,
            catch: None,
            bad_prefix: None,
        }
    }

    /// Mounts routes under a prefix (`"/"` for none). Mount as often as needed; conflicts across
    /// mounts are reported by [`App::build`]. A prefix is static segments only: one with a
    /// `:param`, a `*catch_all` or an empty segment is refused by [`App::build`] (the handlers'
    /// parameters are numbered from their own paths, so a parameter in front would shift them).
    pub fn mount(self, prefix: &str, routes: Vec<Route>) -> Self {
        self.scope(Scope::new(prefix).mount("/", routes))
    }

    /// Mounts a [`Scope`]: its routes under its prefix, with its middleware.
    pub fn scope(mut self, scope: Scope) -> Self {
        if self.bad_prefix.is_none() {
            self.bad_prefix = scope.bad_prefix;
        }
        self.routes.extend(scope.routes);
        self
    }

    /// Adds a middleware that runs for every request: routed, `404`, `405`, automatic `HEAD` and
    /// `OPTIONS`. The first `wrap` is the outermost; app middleware runs outside scope and route
    /// middleware. See [`middleware`](crate::middleware).
    pub fn wrap(mut self, middleware: impl Middleware) -> Self {
        self.layers.push(Arc::new(middleware));
        self
    }

    /// Registers shared state, which handlers take as [`State<T>`](crate::State). One value per
    /// type; a second `manage` of the same type replaces the first.
    pub fn manage<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.values.insert(TypeId::of::<T>(), Arc::new(value));
        self
    }

    /// Replaces the server limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces how errors render: 404, 405, the 500 of a panicking handler, extractor
    /// rejections and every [`Error`] a handler returns go through `hook` instead of the default
    /// `{"error": "..."}` JSON. Fields the default response carried and the hook's does not (such
    /// as `Allow` on a 405) are kept.
    ///
    /// ```
    /// use framework::{App, Response, StatusCode, respond::Html, IntoResponse};
    ///
    /// let app = App::new().catch(|err, _req| {
    ///     Html(format!("<h1>{}</h1><p>{}</p>", err.status(), err.message()))
    ///         .into_response()
    ///         .with_status(err.status())
    /// });
    /// ```
    pub fn catch<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Error, &Request) -> Response + Send + Sync + 'static,
    {
        self.catch = Some(Arc::new(hook));
        self
    }

    /// Turns the access log (one line per request on stderr; by default method, target, status,
    /// body bytes, handling time, client address and request id, see
    /// [`App::access_log_format`]) on or off. On by default; the environment variable
    /// `ACCESS_LOG=0` or `ACCESS_LOG=1` overrides this setting.
    pub fn access_log(mut self, on: bool) -> Self {
        self.access_log = on;
        self
    }

    /// Sets the access log's fields and format (see [`AccessLog`]); whether it is written at all
    /// is [`App::access_log`]'s decision.
    pub fn access_log_format(mut self, format: AccessLog) -> Self {
        self.access_format = format;
        self
    }

    /// Turns the start-up banner (address and route table, on stdout) on or off.
    pub fn banner(mut self, on: bool) -> Self {
        self.banner = on;
        self
    }

    /// Checks the app and builds the request handler: every path must be a valid pattern, no two
    /// routes may answer the same method on the same paths, and every `State<T>` a route takes
    /// must be registered.
    ///
    /// # Errors
    /// The first [`BuildError`] found.
    pub fn build(self) -> Result<Service, BuildError> {
        if let Some(e) = self.bad_prefix {
            return Err(e);
        }
        let describe = |r: &Route| format!("`{}` ({})", r.name, r.location());
        let mut checked: Vec<*const ()> = Vec::new();
        for layer in self
            .layers
            .iter()
            .chain(self.routes.iter().flat_map(|r| &r.layers))
        {
            // Each shared layer once.
            let id = Arc::as_ptr(layer).cast::<()>();
            if checked.contains(&id) {
                continue;
            }
            checked.push(id);
            if let Err(reason) = layer.check() {
                return Err(BuildError::Middleware {
                    name: layer.name().to_string(),
                    reason,
                });
            }
        }
        let mut routes = self.routes;
        for route in &mut routes {
            route.chain = self.layers.iter().chain(&route.layers).cloned().collect();
        }
        let mut router = Router::new();
        for route in &routes {
            let mut needs = Requirements::default();
            (route.requirements)(&mut needs);
            if let Some(&(_, type_name)) = needs
                .state
                .iter()
                .find(|(id, _)| !self.state.values.contains_key(id))
            {
                return Err(BuildError::MissingState {
                    route: describe(route),
                    type_name,
                });
            }
            for method in &route.methods {
                let result = router.insert(method.clone(), &route.path, route.clone());
                match result {
                    Ok(()) => {}
                    Err(InsertError::Conflict { index }) => {
                        let first = router
                            .values()
                            .nth(index)
                            .map_or_else(String::new, |r| format!("{} {}", r.path, describe(r)));
                        return Err(BuildError::Conflict {
                            method: method.to_string(),
                            first,
                            second: format!("{} {}", route.path, describe(route)),
                        });
                    }
                    Err(e) => {
                        return Err(BuildError::InvalidPath {
                            route: describe(route),
                            path: route.path.clone(),
                            reason: e.to_string(),
                        })
                    }
                }
            }
        }
        Ok(Service {
            router,
            layers: self.layers.into(),
            access_format: self.access_format,
            state: self.state,
            routes,
            limits: self.limits,
            banner: self.banner,
            access_log: self.access_log,
            catch: self.catch,
        })
    }

    /// Builds the app and binds a listening socket (port 0 picks a free port).
    ///
    /// # Errors
    /// A [`BuildError`], or the address cannot be bound.
    pub fn bind(self, addr: impl ToSocketAddrs) -> Result<Bound, RunError> {
        let service = self.build()?;
        let server = Server::bind(addr)?.with_limits(service.limits.clone());
        Ok(Bound {
            server,
            service: Arc::new(service),
        })
    }

    /// Builds, binds, prints the banner (unless turned off) and serves until shut down.
    ///
    /// # Errors
    /// A [`BuildError`], or the address cannot be bound.
    pub fn run(self, addr: impl ToSocketAddrs) -> Result<(), RunError> {
        self.bind(addr)?.serve()
    }
}

/// A built app: the router and the state, ready to answer requests.
pub struct Service {
    router: Router<Route>,
    /// App-wide middleware: the whole chain of a request no route matches.
    layers: Arc<[Layer]>,
    access_format: AccessLog,
    state: StateMap,
    routes: Vec<Route>,
    limits: Limits,
    banner: bool,
    access_log: bool,
    catch: Option<Arc<ErrorHook>>,
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service")
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// Answers one request: route it, run the middleware chain and the handler (or the `404`,
    /// `405` or automatic `OPTIONS` answer), then render errors through the [`App::catch`] hook.
    /// A handler or middleware that panics gets a `500`, and its connection is closed.
    pub fn handle(&self, req: &mut Request) -> Response {
        let mut res = self.dispatch(req);
        if let Some(error) = res.error() {
            if let Some(detail) = error.detail() {
                ErrorLog::record(req, error.status(), detail);
            }
        }
        let Some(hook) = &self.catch else {
            return res;
        };
        let Some(error) = res.take_error() else {
            return res;
        };
        let mut custom = hook(&error, req);
        for (name, value) in res.headers().iter() {
            if !custom.headers().contains(name) && !name.eq_ignore_ascii_case("content-type") {
                let _ = custom.headers_mut().append(name, value);
            }
        }
        custom.set_error(error);
        custom
    }

    /// Routes the request, then runs its chain.
    fn dispatch(&self, req: &mut Request) -> Response {
        const EVERY_METHOD: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
        let no_params = Params::default();
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
                let cx = cx(&m.params, Routing::Matched(route));
                Next::new(&route.chain, &route.handler, &cx).run(req)
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

    /// The access log format the app was built with.
    pub(crate) fn access_format(&self) -> &AccessLog {
        &self.access_format
    }

    /// The limits the app was built with.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The routes, in mount order.
    #[must_use]
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Writes the start-up banner: where the server listens and the route table.
    fn print_banner(&self, addr: SocketAddr) {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let width = self.routes.iter().map(|r| r.path.len()).max().unwrap_or(0);
        for r in &self.routes {
            let methods: Vec<&str> = r.methods.iter().map(Method::as_str).collect();
            let _ = writeln!(
                out,
                "  {:<8} {:<width$}  {} ({})",
                methods.join(","),
                r.path,
                r.name,
                r.location()
            );
        }
        let _ = out.flush();
    }
}

fn allow_response(status: StatusCode, allow: &str) -> Response {
    let mut res = Response::new(status);
    let _ = res.headers_mut().insert("Allow", allow);
    res
}

impl IntoResponse for BuildError {
    fn into_response(self) -> Response {
        Error::internal(self.to_string()).into_response()
    }
}

/// An app bound to its address, not serving yet: learn the address (useful with port 0) and get
/// a shutdown handle first.
pub struct Bound {
    server: Server,
    service: Arc<Service>,
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bound")
            .field("addr", &self.server.local_addr())
            .finish_non_exhaustive()
    }
}

impl Bound {
    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// A handle to shut the server down gracefully.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.server.shutdown_handle()
    }

    /// Prints the banner (unless turned off) and serves until shut down.
    ///
    /// # Errors
    /// Only if the listening socket fails.
    pub fn serve(self) -> Result<(), RunError> {
        if self.service.banner {
            self.service.print_banner(self.server.local_addr());
        }
        let service = self.service;
        if crate::middleware::access_log::enabled(service.access_log) {
            self.server.serve(move |req: &mut Request| {
                let start = Instant::now();
                let method = req.method().clone();
                let target = req.target().to_string();
                let res = service.handle(req);
                service
                    .access_format()
                    .record(&method, &target, req, &res, start.elapsed());
                res
            })?;
        } else {
            self.server
                .serve(move |req: &mut Request| service.handle(req))?;
        }
        Ok(())
    }
}
