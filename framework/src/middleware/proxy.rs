//! Trusted proxies: STUB, being written.

use super::{Middleware, Next};
use crate::extract::RequestContext;
use crate::http::{Request, Response};
use std::net::IpAddr;

/// The client's address as the framework sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// Why a trusted proxy entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyError {
    /// Not an address or CIDR range.
    Invalid(String),
}

/// The trusted-proxies middleware.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies;

impl Middleware for TrustedProxies {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        next.run(req)
    }
}
