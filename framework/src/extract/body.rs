//! The raw body as an extractor: [`Body`] (streaming), `Vec<u8>` and `String` (read whole,
//! bounded by `Limits::max_body`).

use super::{FromRequest, RequestContext};
use crate::http::{Body, BodyError, Request};
use crate::Error;

impl From<BodyError> for Error {
    fn from(e: BodyError) -> Self {
        Self::new(e.status(), e.to_string())
    }
}

/// The body as a stream, read as the handler consumes it (that is when `100 Continue` is sent).
impl FromRequest for Body {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.take_body())
    }
}

/// The whole body as bytes.
impl FromRequest for Vec<u8> {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.body_mut().bytes()?)
    }
}

/// The whole body as UTF-8 text (`400` when it is not UTF-8).
impl FromRequest for String {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.body_mut().text()?)
    }
}
