//! From a parsed head to a [`Request`]: the one place where the parser's output becomes the
//! value handlers see.

use crate::http::{Method, ParseError, Request};
use crate::proto::parse::{Head, HeadParser, ParseLimits, Status};
use std::net::SocketAddr;

impl Request {
    /// A request for `target` (origin-form, e.g. `/users/7?x=1`), HTTP/1.1, no fields, no body.
    ///
    /// # Errors
    /// [`ParseError`] if the target would not pass the server's parser.
    pub fn new(method: Method, target: &str) -> Result<Self, ParseError> {
        let line = format!("{method} {target} HTTP/1.1\r\n\r\n");
        let mut parser = HeadParser::new();
        match parser.parse(line.as_bytes(), &ParseLimits::default())? {
            Status::Complete(_) => {}
            Status::Partial => return Err(ParseError::Target),
        }
        let mut req = Self::default();
        req.fill_from(&parser.head(line.as_bytes()), None);
        Ok(req)
    }

    /// Refills this request from a parsed head, reusing its allocations.
    pub(crate) fn fill_from(&mut self, head: &Head<'_>, remote_addr: Option<SocketAddr>) {
        // The parser only lets ASCII through in a target.
        let target = std::str::from_utf8(head.target()).unwrap_or_default();
        let fields = self.reset_head(
            Method::from_token(head.method()),
            target,
            head.target_ranges(),
            head.version(),
            remote_addr,
        );
        for (name, value) in head.fields() {
            fields.push_unchecked(name, value);
        }
    }
}
