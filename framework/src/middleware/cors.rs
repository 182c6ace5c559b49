//! CORS: STUB, being written.

use super::{Middleware, Next};
use crate::extract::RequestContext;
use crate::http::{Request, Response};

/// Why a CORS configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsError {
    /// Placeholder.
    Invalid(String),
}

/// The CORS middleware.
#[derive(Debug, Clone, Default)]
pub struct Cors;

impl Middleware for Cors {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        next.run(req)
    }
}
