//! The raw body as an extractor: [`Body`] (streaming), `Vec<u8>` and `String` (read whole,
//! bounded by `Limits::max_body`).

use super::{FromRequest, RequestContext};
use crate::error::Error;
use crate::http::{Body, BodyError, Request};

impl From<BodyError> for Error {
    fn from(e: BodyError) -> Self {
        Self::new(e.status(), e.to_string())
    }
}

/// The body as a stream, read as the handler consumes it (that is when `100 Continue` is sent).
/// It implements [`std::io::Read`]; every read is bounded by `Limits::max_body`.
///
/// ```
/// use framework::{post, routes, test::TestClient, App, Body, Error};
/// use std::io::Read;
///
/// #[post("/count")]
/// fn count(mut body: Body) -> Result<String, Error> {
///     let (mut piece, mut total) = ([0u8; 4096], 0);
///     loop {
///         match body.read(&mut piece) {
///             Ok(0) => return Ok(format!("{total} bytes")),
///             Ok(n) => total += n,
///             Err(e) => return Err(Error::bad_request(e.to_string())),
///         }
///     }
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![count]))?;
/// assert_eq!(client.post("/count").body(vec![7u8; 10_000]).send().text(), "10000 bytes");
/// # Ok::<(), framework::BuildError>(())
/// ```
impl FromRequest for Body {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.take_body())
    }
}

/// The whole body as bytes (`413` when it is over `Limits::max_body`).
///
/// ```
/// use framework::{post, routes, test::TestClient, App};
///
/// #[post("/reverse")]
/// fn reverse(mut bytes: Vec<u8>) -> Vec<u8> {
///     bytes.reverse();
///     bytes
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![reverse]))?;
/// assert_eq!(client.post("/reverse").body(&b"\x00\xff"[..]).send().bytes(), b"\xff\x00");
/// # Ok::<(), framework::BuildError>(())
/// ```
impl FromRequest for Vec<u8> {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.body_mut().bytes()?)
    }
}

/// The whole body as UTF-8 text (`400` when it is not UTF-8, `413` when it is over
/// `Limits::max_body`).
///
/// ```
/// use framework::{post, routes, test::TestClient, App, StatusCode};
///
/// #[post("/shout")]
/// fn shout(text: String) -> String {
///     text.to_uppercase()
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![shout]))?;
/// assert_eq!(client.post("/shout").body("héllo").send().text(), "HÉLLO");
/// let res = client.post("/shout").body(&b"\xff"[..]).send();
/// assert_eq!(res.status(), StatusCode::BAD_REQUEST);
/// # Ok::<(), framework::BuildError>(())
/// ```
impl FromRequest for String {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.body_mut().text()?)
    }
}
