//! `Extension<T>`: a typed value that middleware attached to the request.

use super::{FromRequestParts, RequestContext};
use crate::error::Error;
use crate::http::Request;
use std::ops::Deref;

/// A value of type `T` that a middleware attached with `req.extensions_mut().insert(value)`,
/// cloned for the handler. A request without one is refused with a `500`: the handler was
/// mounted without the middleware it relies on. Take `Option<Extension<T>>` where the value is
/// optional.
///
/// ```
/// use framework::extract::Extension;
/// use framework::middleware::Next;
/// use framework::{get, routes, test::TestClient, App, Request, RequestContext, Response};
///
/// #[derive(Clone)]
/// struct Tenant(String);
///
/// fn tenant(req: &mut Request, _: &RequestContext<'_>, next: Next<'_>) -> Response {
///     let name = req.headers().get("x-tenant").unwrap_or("public").to_string();
///     req.extensions_mut().insert(Tenant(name));
///     next.run(req)
/// }
///
/// #[get("/whose")]
/// fn whose(tenant: Extension<Tenant>) -> String {
///     tenant.0.0.clone()
/// }
///
/// let client = TestClient::new(App::new().wrap(tenant).mount("/", routes![whose]))?;
/// assert_eq!(client.get("/whose").header("X-Tenant", "acme").send().text(), "acme");
/// // Without the middleware, the handler's requirement is unmet: 500.
/// let bare = TestClient::new(App::new().mount("/", routes![whose]))?;
/// assert_eq!(bare.get("/whose").send().status().as_u16(), 500);
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extension<T>(pub T);

impl<T> Deref for Extension<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone + Send + Sync + 'static> FromRequestParts for Extension<T> {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        req.extensions()
            .get::<T>()
            .cloned()
            .map(Self)
            .ok_or_else(|| {
                Error::internal("internal server error").with_detail(format!(
                    "no `{}` extension on the request: is the middleware that attaches it mounted?",
                    std::any::type_name::<T>()
                ))
            })
    }
}
