use super::{Body, Extensions, HeaderMap, Method, Version};
use crate::parse::{Head, HeadParser, ParseError, Status};
use crate::server::Limits;
use std::net::SocketAddr;
use std::ops::Range;

/// An HTTP request: method, target, version, header fields and a body that is read on demand.
///
/// The server builds these from the wire; tests can build them with [`Request::new`].
///
/// ```
/// use framework::{Method, Request};
/// let req = Request::new(Method::Get, "/search?q=rust%20web")?;
/// assert_eq!(req.path(), "/search");
/// assert_eq!(req.query(), Some("q=rust%20web"));
/// # Ok::<(), framework::parse::ParseError>(())
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
    /// A request for `target` (origin-form, e.g. `/users/7?x=1`), HTTP/1.1, no fields, no body.
    ///
    /// # Errors
    /// [`ParseError`] if the target would not pass the server's parser.
    pub fn new(method: Method, target: &str) -> Result<Self, ParseError> {
        let line = format!("{method} {target} HTTP/1.1\r\n\r\n");
        let mut parser = HeadParser::new();
        let limits = Limits::default();
        match parser.parse(line.as_bytes(), &limits)? {
            Status::Complete(_) => {}
            Status::Partial => return Err(ParseError::Target),
        }
        let mut req = Self::default();
        req.fill_from(&parser.head(line.as_bytes()), None);
        Ok(req)
    }

    /// Refills this request from a parsed head, reusing its allocations.
    pub(crate) fn fill_from(&mut self, head: &Head<'_>, remote_addr: Option<SocketAddr>) {
        self.method = crate::http::Method::from_token(head.method());
        self.target.clear();
        // The parser only lets ASCII through in a target.
        self.target
            .push_str(std::str::from_utf8(head.target()).unwrap_or_default());
        let (path, query) = head.target_ranges();
        self.path = path;
        self.query = query;
        self.version = head.version();
        self.headers.clear();
        for (name, value) in head.fields() {
            self.headers.push_unchecked(name, value);
        }
        self.body = Body::empty();
        self.remote_addr = remote_addr;
        self.extensions.clear();
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
    /// [`decode_path_segment`](crate::parse::decode_path_segment)). `/` for an absolute-form target
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
