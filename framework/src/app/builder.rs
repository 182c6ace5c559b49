//! The application builder: routes, scopes, middleware, state and limits, checked once by
//! [`App::build`].

use super::dispatch::{Dispatch, ErrorPages};
use super::{BoundApp, BuildError, BuiltApp, RunError, Scope};
use crate::error::{Error, ErrorHook};
use crate::extract::{Requirements, StateMap};
use crate::http::{Request, Response};
use crate::middleware::{AccessLog, Layer, Middleware};
use crate::route::{IntoRoutes, Route, BARE_PREFIX, PREFIX_SLASH};
use crate::router::{InsertError, Router};
use crate::server::{Drain, Lifecycle, Limits, Server};
use std::fmt;
use std::net::ToSocketAddrs;
use std::sync::Arc;

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
    lifecycle: Lifecycle,
    drain: Drain,
    signals: bool,
    reuse_port: bool,
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
        let lifecycle = Lifecycle::new();
        let mut state = StateMap::default();
        state.insert(lifecycle.clone());
        Self {
            routes: Vec::new(),
            layers: Vec::new(),
            access_format: AccessLog::default(),
            state,
            limits: Limits::default(),
            banner: true,
            access_log: true,
            catch: None,
            lifecycle,
            drain: Drain::new(),
            signals: true,
            reuse_port: false,
            bad_prefix: None,
        }
    }

    /// Mounts routes under a prefix (`"/"` for none). Mount as often as needed; conflicts across
    /// mounts are reported by [`App::build`]. A prefix is static segments only: one with a
    /// `:param`, a `*catch_all` or an empty segment is refused by [`App::build`] (the handlers'
    /// parameters are numbered from their own paths, so a parameter in front would shift them).
    ///
    /// `routes` is what `routes![...]` gives, or a [`Files`](crate::serve::Files) directory
    /// (`.mount("/static", Files::new("public"))`), which answers the prefix and everything
    /// below it.
    pub fn mount(self, prefix: &str, routes: impl IntoRoutes) -> Self {
        self.scope(Scope::new(prefix).mount("/", routes))
    }

    /// Mounts a [`Scope`]: its routes under its prefix, with its middleware.
    pub fn scope(mut self, mut scope: Scope) -> Self {
        if self.bad_prefix.is_none() {
            self.bad_prefix = scope.bad_prefix.take();
        }
        // Routes for the prefix itself that are still markers were mounted at the root: the bare
        // prefix is nothing there, and the prefix with a slash is `/`.
        for mut route in scope.into_routes() {
            match route.meta.path.as_str() {
                BARE_PREFIX => continue,
                PREFIX_SLASH => route.meta.path = "/".to_string(),
                _ => {}
            }
            self.routes.push(route);
        }
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
        self.state.insert(value);
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

    /// How the server drains when it stops (see [`Drain`]): by default a 30-second grace period
    /// for requests in progress, and no delay before it stops accepting.
    pub fn drain(mut self, drain: Drain) -> Self {
        self.drain = drain;
        self
    }

    /// Whether [`App::run`] and [`BoundApp::serve`] handle SIGINT and SIGTERM (on by default, on
    /// Unix): the first drains the server as [`App::drain`] says, and `serve` returns once the
    /// drain is done; a second ends the process at once. `false` leaves the signals alone (their
    /// default action ends the process at once), and the app stops through its
    /// [`ShutdownHandle`](crate::ShutdownHandle) only.
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.signals = on;
        self
    }

    /// Binds with `SO_REUSEPORT` (Linux; off by default), so that a new process can listen on the
    /// port while the old one drains: the zero-downtime restart in the README's "Deploying".
    pub fn reuse_port(mut self, on: bool) -> Self {
        self.reuse_port = on;
        self
    }

    /// Adds a readiness route at `path` for a load balancer to poll: `GET` (and `HEAD`) answers
    /// `200` with `{"status":"ready"}` while the server serves, and `503` with
    /// `{"status":"draining"}` from the moment a drain begins (with [`Drain::delay`], the server
    /// still accepts then). Neither is cached, and the access log records them as any request.
    ///
    /// ```
    /// use framework::{test::TestClient, App, StatusCode};
    ///
    /// let client = TestClient::new(App::new().readiness("/ready"))?;
    /// let res = client.get("/ready").send();
    /// assert_eq!(res.status(), StatusCode::OK);
    /// assert_eq!(res.text(), r#"{"status":"ready"}"#);
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    #[track_caller]
    pub fn readiness(mut self, path: &str) -> Self {
        let route = super::readiness::route(path, self.lifecycle.clone());
        self.routes.push(route);
        self
    }

    /// Checks the app and builds its [`Handler`](crate::Handler): every path must be a valid
    /// pattern, no two routes may answer the same method on the same paths, every `State<T>` a
    /// route takes must be registered, and every middleware's configuration must hold.
    ///
    /// # Errors
    /// The first [`BuildError`] found.
    pub fn build(self) -> Result<BuiltApp, BuildError> {
        if let Some(e) = self.bad_prefix {
            return Err(e);
        }
        check_layers(&self.layers, &self.routes)?;
        let mut routes = self.routes;
        for route in &mut routes {
            route.chain = self.layers.iter().chain(&route.layers).cloned().collect();
        }
        let mut router = Router::new();
        for (index, route) in routes.iter().enumerate() {
            let mut needs = Requirements::default();
            (route.requirements)(&mut needs);
            if let Some(&(_, type_name)) =
                needs.state.iter().find(|(id, _)| !self.state.contains(*id))
            {
                return Err(BuildError::MissingState {
                    route: route.describe(),
                    type_name,
                });
            }
            for method in &route.meta.methods {
                match router.insert(method.clone(), &route.meta.path, route.clone()) {
                    Ok(()) => {}
                    Err(InsertError::Conflict { with }) => {
                        let earlier = routes
                            .iter()
                            .take(index)
                            .find(|r| r.meta.path == with && r.meta.methods.contains(method));
                        if earlier.is_some_and(|r| same_declaration(r, route)) {
                            return Err(BuildError::MountedTwice {
                                route: route.describe(),
                                path: route.meta.path.clone(),
                            });
                        }
                        let first = earlier
                            .map_or_else(|| with.clone(), |r| format!("{with} {}", r.describe()));
                        return Err(BuildError::Conflict {
                            method: method.to_string(),
                            first,
                            second: format!("{} {}", route.meta.path, route.describe()),
                        });
                    }
                    Err(InsertError::Pattern(e)) => {
                        return Err(BuildError::InvalidPath {
                            route: route.describe(),
                            path: route.meta.path.clone(),
                            reason: e.to_string(),
                        })
                    }
                }
            }
        }
        let dispatch = Dispatch {
            router,
            layers: self.layers.into(),
            state: self.state,
        };
        Ok(BuiltApp {
            handler: ErrorPages::new(dispatch, self.catch),
            routes,
            access_format: self.access_format,
            limits: self.limits,
            banner: self.banner,
            access_log: self.access_log,
            lifecycle: self.lifecycle,
            drain: self.drain,
            signals: self.signals,
            reuse_port: self.reuse_port,
        })
    }

    /// Builds the app and binds a listening socket (port 0 picks a free port).
    ///
    /// # Errors
    /// [`RunError::Build`] with the first [`BuildError`], or [`RunError::Bind`] when the address
    /// does not resolve or cannot be bound (the error names it).
    pub fn bind(self, addr: impl ToSocketAddrs) -> Result<BoundApp, RunError> {
        let app = self.build()?;
        let mut server = if app.reuse_port {
            Server::bind_reusing_port(addr)?
        } else {
            Server::bind(addr)?
        }
        .with_limits(app.limits().clone());
        server.share_lifecycle(&app.lifecycle);
        Ok(BoundApp::new(server, app))
    }

    /// Builds, binds, prints the banner (unless turned off) and serves until a signal (SIGINT,
    /// SIGTERM; see [`App::handle_signals`]) or a [`ShutdownHandle`](crate::ShutdownHandle)
    /// drains the server; returns once the drain is done, having printed its report (unless the
    /// banner is off).
    ///
    /// # Errors
    /// As [`App::bind`]; then [`RunError::Io`] if the signal handlers cannot be installed, or if
    /// the listening socket fails while serving.
    pub fn run(self, addr: impl ToSocketAddrs) -> Result<(), RunError> {
        self.bind(addr)?.serve().map(drop)
    }
}

/// Whether two routes come from one declaration (the same function's attribute, or the same
/// built-in route's call site): a conflict between them is one route mounted twice.
fn same_declaration(a: &Route, b: &Route) -> bool {
    (a.meta.name, a.meta.file, a.meta.line) == (b.meta.name, b.meta.file, b.meta.line)
}

/// Runs every middleware's own configuration check, each shared layer once.
fn check_layers(app_layers: &[Layer], routes: &[Route]) -> Result<(), BuildError> {
    let mut checked: Vec<*const ()> = Vec::new();
    for layer in app_layers
        .iter()
        .chain(routes.iter().flat_map(|r| &r.layers))
    {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::RequestContext;
    use crate::route::RouteInfo;

    fn endpoint(_: &mut Request, _: &RequestContext<'_>) -> Response {
        Response::text("ok")
    }

    fn route(name: &'static str, path: &'static str, line: u32) -> Route {
        let info = RouteInfo {
            methods: &["GET"],
            path,
            name,
            file: "src/main.rs",
            line,
            body_limit: None,
        };
        Route::from_generated(&info, endpoint, |_| {})
    }

    fn build_error(app: App) -> Option<BuildError> {
        app.build().err()
    }

    #[test]
    fn one_route_mounted_twice_at_one_prefix_is_a_double_mount() {
        let app = App::new()
            .mount("/api", vec![route("show", "/users/:id", 3)])
            .mount("/api/", vec![route("show", "/users/:id", 3)]);
        assert_eq!(
            build_error(app),
            Some(BuildError::MountedTwice {
                route: "`show` (src/main.rs:3)".into(),
                path: "/api/users/:id".into(),
            })
        );
    }

    #[test]
    fn two_routes_of_one_shape_are_a_conflict() {
        let app = App::new()
            .mount("/", vec![route("show", "/users/:id", 3)])
            .mount("/", vec![route("by_name", "/users/:name", 7)]);
        assert!(
            matches!(build_error(app), Some(BuildError::Conflict { ref first, ref second, .. })
                if first.contains("`show`") && second.contains("`by_name`")),
        );
    }

    #[test]
    fn one_route_under_two_prefixes_is_fine() {
        let app = App::new()
            .mount("/v1", vec![route("show", "/users/:id", 3)])
            .mount("/v2", vec![route("show", "/users/:id", 3)]);
        assert_eq!(build_error(app), None);
    }
}
