//! Request ids: STUB, being written.

use super::{Middleware, Next};
use crate::extract::RequestContext;
use crate::http::{Request, Response};

/// A request's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// Wraps an id without checking it.
    #[must_use]
    pub fn new_unchecked(id: &str) -> Self {
        Self(id.to_string())
    }
    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The request-id middleware.
#[derive(Debug, Clone, Default)]
pub struct RequestIds;

impl Middleware for RequestIds {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        next.run(req)
    }
}
