//! Small extractors of the request head: method, target, client address, and the whole request.

use super::{FromRequest, FromRequestParts, RequestContext};
use crate::error::Error;
use crate::http::{Method, Request};
use std::net::SocketAddr;

/// The request method.
impl FromRequestParts for Method {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(req.method().clone())
    }
}

/// The request target: path and query, still percent-encoded.
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
impl FromRequest for Request {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(std::mem::take(req))
    }
}
