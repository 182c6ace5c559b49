//! A scope: routes under one prefix that share middleware.

use super::BuildError;
use crate::middleware::{Layer, Middleware};
use crate::route::{IntoRoutes, Route, BARE_PREFIX, PREFIX_SLASH};
use crate::router::pattern::Segment;
use std::sync::Arc;

/// Routes mounted under one prefix with middleware of their own: the unit a guard, a rate limit
/// or a CORS policy applies to. Scopes nest; an outer scope's middleware runs outside an inner
/// one's.
///
/// ```
/// use framework::middleware::Next;
/// use framework::{get, routes, test::TestClient, App, Error, IntoResponse, Request, RequestContext, Response, Scope};
///
/// fn require_token(req: &mut Request, _: &RequestContext<'_>, next: Next<'_>) -> Response {
///     match req.headers().get("authorization") {
///         Some("Bearer s3cret") => next.run(req),
///         _ => Error::unauthorized("missing or wrong token").into_response(),
///     }
/// }
///
/// #[get("/stats")]
/// fn stats() -> &'static str { "42 users" }
/// #[get("/health")]
/// fn health() -> &'static str { "ok" }
///
/// let admin = Scope::new("/admin").wrap(require_token).mount("/", routes![stats]);
/// let app = App::new().mount("/", routes![health]).scope(admin);
/// let client = TestClient::new(app)?;
/// assert_eq!(client.get("/health").send().status().as_u16(), 200);
/// assert_eq!(client.get("/admin/stats").send().status().as_u16(), 401);
/// // The guard runs for whatever reaches the scope's handlers, however the path is spelled.
/// assert_eq!(client.get("/%61dmin/stats").send().status().as_u16(), 401);
/// let res = client.get("/admin/stats").header("Authorization", "Bearer s3cret").send();
/// assert_eq!(res.text(), "42 users");
/// # Ok::<(), framework::BuildError>(())
/// ```
#[must_use]
#[derive(Debug, Default)]
pub struct Scope {
    prefix: String,
    pub(crate) routes: Vec<Route>,
    layers: Vec<Layer>,
    /// The body limit of its routes that set none of their own.
    body_limit: Option<u64>,
    /// The first prefix that is not plain static segments, reported by `App::build`.
    pub(crate) bad_prefix: Option<BuildError>,
}

/// Joins a mount prefix and a route path: `"/api" + "/users"` is `/api/users`; `"/"` adds nothing;
/// a route `/` under `/api` is `/api`. The markers for the prefix itself ([`BARE_PREFIX`],
/// [`PREFIX_SLASH`]) become `/api` and `/api/`, and stay markers under the root prefix, so that a
/// scope mounted at `/` and nested later still gets them right.
pub(crate) fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        path.to_string()
    } else if path == "/" || path == BARE_PREFIX {
        prefix.to_string()
    } else if path == PREFIX_SLASH {
        format!("{prefix}/")
    } else {
        format!("{prefix}{path}")
    }
}

/// `prefix` with a leading `/`.
fn rooted(prefix: &str) -> String {
    if prefix.starts_with('/') {
        prefix.to_string()
    } else {
        format!("/{prefix}")
    }
}

impl Scope {
    /// An empty scope under `prefix` (static segments only, as for
    /// [`App::mount`](crate::App::mount)).
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: rooted(prefix),
            ..Self::default()
        }
    }

    /// The prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Mounts routes under `prefix` inside this scope (`"/"` for the scope's own prefix): what
    /// `routes![...]` gives, or a [`Files`](crate::serve::Files) directory.
    pub fn mount(mut self, prefix: &str, routes: impl IntoRoutes) -> Self {
        let routes: Vec<Route> = routes.into_routes();
        let prefix = join(&self.prefix, &rooted(prefix));
        let trimmed = prefix.trim_end_matches('/');
        let bad_segment = trimmed
            .split('/')
            .skip(1)
            .find(|s| s.is_empty() || !matches!(Segment::parse(s), Segment::Static(_)));
        if let (None, Some(segment), Some(route)) = (&self.bad_prefix, bad_segment, routes.first())
        {
            self.bad_prefix = Some(BuildError::InvalidPath {
                route: route.describe(),
                path: join(&prefix, &route.meta.path),
                reason: format!(
                    "the mount prefix `{prefix}` has the segment `{segment}`: a mount prefix is static segments only"
                ),
            });
        }
        for mut route in routes {
            route.meta.path = join(&prefix, &route.meta.path);
            route.layers.splice(0..0, self.layers.iter().cloned());
            self.routes.push(route);
        }
        self
    }

    /// Nests a scope: its prefix goes under this one's, and this scope's middleware runs outside
    /// the inner scope's.
    pub fn scope(mut self, mut inner: Scope) -> Self {
        let outer = self.prefix.clone();
        if self.bad_prefix.is_none() {
            self.bad_prefix = inner.bad_prefix.take();
        }
        let moved = Scope {
            prefix: outer,
            ..Scope::default()
        }
        .mount("/", inner.into_routes());
        if self.bad_prefix.is_none() {
            self.bad_prefix = moved.bad_prefix;
        }
        for mut route in moved.routes {
            route.layers.splice(0..0, self.layers.iter().cloned());
            self.routes.push(route);
        }
        self
    }

    /// Sets the most request-body bytes for the routes of this scope (mounted before or after
    /// this call, nested scopes included) that set no limit of their own: the route attribute's
    /// `limit` and an inner scope's limit win. See [`Route::body_limit`].
    ///
    /// ```
    /// use framework::{post, routes, test::TestClient, App, Scope};
    ///
    /// #[post("/")]
    /// fn upload(body: Vec<u8>) -> String { body.len().to_string() }
    ///
    /// let uploads = Scope::new("/upload").body_limit(50 << 20).mount("/", routes![upload]);
    /// let client = TestClient::new(App::new().scope(uploads))?;
    /// let res = client.post("/upload").body(vec![0u8; 2 << 20]).send();
    /// assert_eq!(res.text(), "2097152");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Its routes, with the scope's body limit applied to those without their own.
    pub(crate) fn into_routes(self) -> Vec<Route> {
        let mut routes = self.routes;
        if let Some(limit) = self.body_limit {
            for route in &mut routes {
                route.meta.body_limit.get_or_insert(limit);
            }
        }
        routes
    }

    /// Adds a middleware for every route of this scope, mounted before or after this call. The
    /// first `wrap` is the outermost; scope middleware runs inside the app's and outside the
    /// routes' own (see [`middleware`](crate::middleware)).
    pub fn wrap(mut self, middleware: impl Middleware) -> Self {
        let layer: Layer = Arc::new(middleware);
        // Routes mounted earlier get it after the scope layers they already have, before their own.
        let before = self.layers.len();
        for route in &mut self.routes {
            route.layers.insert(before, Arc::clone(&layer));
        }
        self.layers.push(layer);
        self
    }
}
