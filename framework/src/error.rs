//! The handler-facing error: a status and a message, rendered as `{"error": "..."}`.

use crate::http::{Request, Response, StatusCode};
use crate::respond::IntoResponse;
use std::borrow::Cow;
use std::fmt;

/// An error a handler or an extractor returns: a status code and a human message. It renders as
/// `application/json` with the body `{"error":"<message>"}`.
///
/// ```
/// use framework::{Error, IntoResponse, StatusCode};
/// let res = Error::new(StatusCode::NOT_FOUND, "user not found").into_response();
/// assert_eq!(res.status(), StatusCode::NOT_FOUND);
/// assert_eq!(res.headers().get("content-type"), Some("application/json"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    status: StatusCode,
    message: Cow<'static, str>,
}

impl Error {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// `400 Bad Request`.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// `404 Not Found`.
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// `500 Internal Server Error`.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for Error {}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut res = json_error(self.status, &self.message);
        res.set_error(self);
        res
    }
}

/// Renders errors in place of the default `{"error": "..."}`: see `App::catch`.
pub type ErrorHook = dyn Fn(&Error, &Request) -> Response + Send + Sync;

/// `{"error":"<message>"}` as `application/json` with `status`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    let mut body = String::with_capacity(message.len() + 12);
    body.push_str("{\"error\":");
    push_json_string(&mut body, message);
    body.push('}');
    Response::json_bytes(body).with_status(status)
}

/// Appends `s` as a JSON string literal (RFC 8259 §7).
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped_as_json() {
        let mut s = String::new();
        push_json_string(&mut s, "a\"b\\c\nd\u{1}é");
        assert_eq!(s, r#""a\"b\\c\nd\u0001é""#);
    }
}
