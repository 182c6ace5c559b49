//! Small extractors of the request head: method, target, client address, and the whole request.

use super::{FromRequest, FromRequestParts, RequestContext};
use crate::error::Error;
use crate::http::{Method, Request};
use std::net::SocketAddr;

/// The request method.
///
/// ```
/// use framework::{route, routes, test::TestClient, App, Method};
///
/// #[route(GET, DELETE, "/thing")]
/// fn thing(method: Method) -> String {
///     format!("{method} /thing")
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![thing]))?;
/// assert_eq!(client.delete("/thing").send().text(), "DELETE /thing");
/// # Ok::<(), framework::BuildError>(())
/// ```
impl FromRequestParts for Method {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.method().clone())
    }
}

/// The request target: path and query, still percent-encoded.
///
/// ```
/// use framework::{get, routes, test::TestClient, App};
/// use framework::extract::Uri;
///
/// #[get("/files/*path")]
/// fn file(path: String, uri: Uri) -> String {
///     format!("{path} from {} {:?}", uri.path, uri.query)
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![file]))?;
/// let res = client.get("/files/a%20b.txt?v=2").send();
/// assert_eq!(res.text(), r#"a b.txt from /files/a%20b.txt Some("v=2")"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    /// The path, e.g. `/users/7`.
    pub path: String,
    /// The query after `?`, if any.
    pub query: Option<String>,
}

impl FromRequestParts for Uri {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(Self {
            path: req.path().to_string(),
            query: req.query().map(str::to_string),
        })
    }
}

/// The client's socket address. Absent only for requests that did not come over a socket
/// (in-process tests), where extraction fails with a `500`; take `Option<RemoteAddr>` to allow it.
///
/// ```
/// use framework::{get, routes, test::TestClient, App};
/// use framework::extract::RemoteAddr;
///
/// #[get("/ip")]
/// fn ip(remote: Option<RemoteAddr>) -> String {
///     remote.map_or_else(|| "no socket".to_string(), |RemoteAddr(addr)| addr.ip().to_string())
/// }
///
/// // Over a socket this is the client's address; the in-process client has none.
/// let client = TestClient::new(App::new().mount("/", routes![ip]))?;
/// assert_eq!(client.get("/ip").send().text(), "no socket");
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAddr(pub SocketAddr);

impl FromRequestParts for RemoteAddr {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        req.remote_addr()
            .map(Self)
            .ok_or_else(|| Error::internal("the request has no remote address"))
    }
}

/// The whole request, body included (so only as the last argument).
///
/// ```
/// use framework::{post, routes, test::TestClient, App, Error, Request};
///
/// #[post("/raw")]
/// fn raw(mut req: Request) -> Result<String, Error> {
///     let body = req.body_mut().text()?;
///     Ok(format!("{} {} {:?}: {body}", req.method(), req.path(), req.headers().get("x-tag")))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![raw]))?;
/// let res = client.post("/raw").header("X-Tag", "t").body("hi").send();
/// assert_eq!(res.text(), r#"POST /raw Some("t"): hi"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
impl FromRequest for Request {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        let taken = std::mem::take(req);
        // What middleware attached stays visible to the layers around the handler (the access
        // log reads the request id and the client address after the handler has run).
        *req.extensions_mut() = taken.extensions().clone();
        req.set_remote_addr(taken.remote_addr());
        Ok(taken)
    }
}
