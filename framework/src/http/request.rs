use super::{Body, Extensions, HeaderMap, Method, Version};
use std::net::SocketAddr;
use std::ops::Range;

/// An HTTP request: method, target, version, header fields and a body that is read on demand.
///
/// The protocol layer builds these from the wire; tests can build them with [`Request::new`].
///
/// ```
/// use framework::{Method, Request};
/// let req = Request::new(Method::Get, "/search?q=rust%20web")?;
/// assert_eq!(req.path(), "/search");
/// assert_eq!(req.query(), Some("q=rust%20web"));
/// # Ok::<(), framework::proto::parse::ParseError>(())
/// ```
#[derive(Debug)]
pub struct Request {
    method: Method,
    target: String,
    path: Range<usize>,
    query: Option<Range<usize>>,
    version: Version,
    headers: HeaderMap,
    body: Body,
    remote_addr: Option<SocketAddr>,
    extensions: Extensions,
}

impl Default for Request {
    fn default() -> Self {
        Self {
            method: Method::Get,
            target: String::from("/"),
            path: 0..1,
            query: None,
            version: Version::Http11,
            headers: HeaderMap::new(),
            body: Body::empty(),
            remote_addr: None,
            extensions: Extensions::new(),
        }
    }
}

impl Request {
    /// Starts refilling this request with a new head, reusing its allocations: the method,
    /// target (with the byte ranges of its path and query), version and remote address are
    /// replaced, the fields, body and extensions emptied. Returns the field map to fill. The
    /// protocol layer calls this (see `proto/head.rs`, where [`Request::new`] lives too).
    pub(crate) fn reset_head(
        &mut self,
        method: Method,
        target: &str,
        ranges: (Range<usize>, Option<Range<usize>>),
        version: Version,
        remote_addr: Option<SocketAddr>,
    ) -> &mut HeaderMap {
        self.method = method;
        self.target.clear();
        self.target.push_str(target);
        (self.path, self.query) = ranges;
        self.version = version;
        self.headers.clear();
        self.body = Body::empty();
        self.remote_addr = remote_addr;
        self.extensions.clear();
        &mut self.headers
    }

    /// The method.
    #[must_use]
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request target exactly as sent (e.g. `/users/7?full=1`).
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path, still percent-encoded (decode segments with
    /// [`decode_path_segment`](crate::proto::parse::decode_path_segment)). `/` for an absolute-form target
    /// with no path; `*` for `OPTIONS *`.
    #[must_use]
    pub fn path(&self) -> &str {
        match self.target.get(self.path.clone()) {
            Some("") | None => "/",
            Some(path) => path,
        }
    }

    /// The query string after `?`, still encoded; `None` when the target has no `?`.
    #[must_use]
    pub fn query(&self) -> Option<&str> {
        self.query.clone().and_then(|q| self.target.get(q))
    }

    /// The protocol version.
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// The header fields.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The header fields, to change (e.g. in tests or middleware).
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body, to read.
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }

    /// Takes the body out of the request, leaving an empty one.
    pub fn take_body(&mut self) -> Body {
        std::mem::take(&mut self.body)
    }

    /// Replaces the body.
    pub fn set_body(&mut self, body: Body) {
        self.body = body;
    }

    /// The client's address, when the request came over a socket.
    #[must_use]
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// Typed values middleware attached to this request (see [`Extensions`]).
    #[must_use]
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The typed values, to attach or remove one.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    /// Sets the client's socket address (for tests and for requests built by hand).
    pub fn set_remote_addr(&mut self, addr: Option<SocketAddr>) {
        self.remote_addr = addr;
    }
}
