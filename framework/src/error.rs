//! The handler-facing error: a status and a message, rendered as `{"error": "..."}`.

use crate::http::{Request, Response, StatusCode};
use crate::proto::refusal::push_json_string;
use serde_core::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// An error a handler or an extractor returns: a status code and a human message. It renders as
/// `application/json` with the body `{"error":"<message>"}`, plus any fields added with
/// [`Error::with_field`] (an error code, say), so every error has one body shape.
///
/// ```
/// use framework::{Error, IntoResponse, StatusCode};
/// let res = Error::not_found("user not found").into_response();
/// assert_eq!(res.status(), StatusCode::NOT_FOUND);
/// assert_eq!(res.headers().get("content-type"), Some("application/json"));
///
/// let err = Error::conflict("email taken").with_field("code", "E_DUPLICATE");
/// assert_eq!(err.to_json(), r#"{"error":"email taken","code":"E_DUPLICATE"}"#);
/// ```
///
/// # `?` in handlers
///
/// A handler returning `Result<T, Error>` can use `?` on [`std::io::Error`] and
/// [`HeaderError`](crate::HeaderError) (both a `500` whose body says only "internal server
/// error"; the cause goes to the error log on stderr, see [`Error::with_detail`]), on
/// [`serde_json::Error`] (parsing a client's JSON: `400` for bad syntax, `422` for the wrong
/// shape), and on body and extractor errors.
///
/// Your own error type joins in with a `From` conversion: then `?` works on it, and its responses
/// go through [`App::catch`](crate::App::catch) like every other error, because they *are*
/// [`Error`]s:
///
/// ```
/// use framework::{get, routes, test::TestClient, App, Error};
///
/// enum ShopError { OutOfStock(u32), Database(String) }
///
/// impl From<ShopError> for Error {
///     fn from(e: ShopError) -> Self {
///         match e {
///             ShopError::OutOfStock(id) => Error::conflict(format!("item {id} is out of stock"))
///                 .with_field("code", "OUT_OF_STOCK"),
///             ShopError::Database(why) => Error::internal("internal server error").with_detail(why),
///         }
///     }
/// }
///
/// fn reserve(id: u32) -> Result<(), ShopError> { Err(ShopError::OutOfStock(id)) }
///
/// #[get("/buy/:id")]
/// fn buy(id: u32) -> Result<&'static str, Error> {
///     reserve(id)?;
///     Ok("bought")
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![buy]))?;
/// let res = client.get("/buy/7").send();
/// assert_eq!(res.status().as_u16(), 409);
/// assert_eq!(res.text(), r#"{"error":"item 7 is out of stock","code":"OUT_OF_STOCK"}"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
///
/// (To return `Result<T, ShopError>` directly, implement `IntoResponse` for it as
/// `Error::from(self).into_response()`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    status: StatusCode,
    message: Cow<'static, str>,
    /// Extra top-level fields of the JSON body, in insertion order.
    fields: Vec<(Cow<'static, str>, serde_json::Value)>,
    /// What went wrong inside, for the log only.
    detail: Option<Arc<str>>,
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $name:ident => $status:ident,)*) => {$(
        $(#[$doc])*
        pub fn $name(message: impl Into<Cow<'static, str>>) -> Self {
            Self::new(StatusCode::$status, message)
        }
    )*};
}

impl Error {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            message: message.into(),
            fields: Vec::new(),
            detail: None,
        }
    }

    constructors! {
        /// `400 Bad Request`: the request is malformed.
        bad_request => BAD_REQUEST,
        /// `401 Unauthorized`: no valid credentials. Add a `WWW-Authenticate` field to the
        /// response where a client can act on it (RFC 9110 §15.5.2).
        unauthorized => UNAUTHORIZED,
        /// `403 Forbidden`: the credentials are valid but not enough.
        forbidden => FORBIDDEN,
        /// `404 Not Found`.
        not_found => NOT_FOUND,
        /// `409 Conflict`: the request conflicts with the resource's current state.
        conflict => CONFLICT,
        /// `410 Gone`: the resource existed and will not come back.
        gone => GONE,
        /// `422 Unprocessable Content`: well-formed, but the wrong shape or values.
        unprocessable => UNPROCESSABLE_ENTITY,
        /// `429 Too Many Requests`. Add `Retry-After` where you know when.
        too_many_requests => TOO_MANY_REQUESTS,
        /// `500 Internal Server Error`. The message goes to the client: keep causes out of it and
        /// put them in [`Error::with_detail`].
        internal => INTERNAL_SERVER_ERROR,
        /// `503 Service Unavailable`.
        service_unavailable => SERVICE_UNAVAILABLE,
    }

    /// Adds a top-level field to the JSON body, after `"error"`: an error code, the field that
    /// failed validation, a retry hint. A later field of the same name replaces an earlier one;
    /// the name `error` is the message's and is ignored here. A value that does not serialize
    /// becomes `null`.
    #[must_use]
    pub fn with_field(mut self, name: impl Into<Cow<'static, str>>, value: impl Serialize) -> Self {
        let name = name.into();
        if name == "error" {
            return self;
        }
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
        self
    }

    /// Attaches what went wrong inside (a file path, a database message): written to the error
    /// log on stderr with the request's method and path, never sent to the client.
    #[must_use]
    pub fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.detail = Some(Arc::from(detail.to_string()));
        self
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Replaces the status (for a `Result`'s `Err` that rendered below `400`, see
    /// `impl IntoResponse for Result`).
    pub(crate) fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The extra body fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.fields.iter().map(|(n, v)| (&**n, v))
    }

    /// The internal detail, if any (see [`Error::with_detail`]).
    #[must_use]
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The JSON body: `{"error":"<message>"}` with the extra fields after it.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut body = String::with_capacity(self.message.len() + 12);
        body.push_str("{\"error\":");
        push_json_string(&mut body, &self.message);
        for (name, value) in &self.fields {
            body.push(',');
            push_json_string(&mut body, name);
            body.push(':');
            body.push_str(&value.to_string());
        }
        body.push('}');
        body
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for Error {}

/// An I/O failure inside a handler is the server's problem: `500`, cause in the log only.
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::internal("internal server error").with_detail(format_args!("I/O error: {e}"))
    }
}

/// A header the handler tried to set was invalid: a bug on the server side, `500`.
impl From<crate::http::HeaderError> for Error {
    fn from(e: crate::http::HeaderError) -> Self {
        Self::internal("internal server error")
            .with_detail(format_args!("invalid response header: {e}"))
    }
}

/// JSON a handler parsed itself (from a body, a header, a query value): the client's mistake.
/// Bad syntax or a truncated document is `400`, the wrong shape `422`; an I/O error underneath
/// is `500`.
impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof => Self::bad_request(format!("invalid JSON: {e}")),
            Category::Data => Self::unprocessable(format!("invalid JSON data: {e}")),
            Category::Io => Self::internal("internal server error")
                .with_detail(format_args!("JSON I/O error: {e}")),
        }
    }
}

/// The error a response was rendered from travels with it (the slot lives in `http`, which
/// cannot name this type).
impl Response {
    /// The [`Error`] this response was rendered from, when it was (a rejection, a 404 or 405, a
    /// handler's `Err`, a panic's 500).
    #[must_use]
    pub fn error(&self) -> Option<&Error> {
        self.error.as_deref().and_then(|e| e.downcast_ref())
    }

    /// Marks the response as the rendering of `error`.
    pub(crate) fn set_error(&mut self, error: Error) {
        self.error = Some(Box::new(error));
    }

    /// Takes the error this response was rendered from.
    pub(crate) fn take_error(&mut self) -> Option<Error> {
        self.error
            .take()
            .and_then(|e| e.downcast().ok())
            .map(|e| *e)
    }
}

/// Renders errors in place of the default `{"error": "..."}`: see `App::catch`.
pub type ErrorHook = dyn Fn(&Error, &Request) -> Response + Send + Sync;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::respond::IntoResponse;

    #[test]
    fn every_common_status_has_a_constructor() {
        let all = [
            (Error::bad_request("x"), 400),
            (Error::unauthorized("x"), 401),
            (Error::forbidden("x"), 403),
            (Error::not_found("x"), 404),
            (Error::conflict("x"), 409),
            (Error::gone("x"), 410),
            (Error::unprocessable("x"), 422),
            (Error::too_many_requests("x"), 429),
            (Error::internal("x"), 500),
            (Error::service_unavailable("x"), 503),
        ];
        for (err, code) in all {
            assert_eq!(err.status().as_u16(), code);
        }
    }

    #[test]
    fn extra_fields_follow_the_message_and_cannot_replace_it() {
        let err = Error::too_many_requests("slow down")
            .with_field("code", "RATE")
            .with_field("retry_after", 3)
            .with_field("error", "hijack")
            .with_field("code", "RATE_LIMITED");
        assert_eq!(
            err.to_json(),
            r#"{"error":"slow down","code":"RATE_LIMITED","retry_after":3}"#
        );
        let res = err.into_response();
        assert_eq!(res.status().as_u16(), 429);
    }

    #[test]
    fn io_errors_keep_their_cause_out_of_the_body() {
        let err = Error::from(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "/etc/secret: permission denied",
        ));
        assert_eq!(err.status().as_u16(), 500);
        assert_eq!(err.to_json(), r#"{"error":"internal server error"}"#);
        assert!(err.detail().is_some_and(|d| d.contains("/etc/secret")));
    }

    #[test]
    fn json_errors_are_the_clients_syntax_or_shape() {
        let syntax = serde_json::from_str::<serde_json::Value>("{")
            .map_err(Error::from)
            .err();
        assert_eq!(syntax.map(|e| e.status().as_u16()), Some(400));
        let shape = serde_json::from_str::<u32>("\"x\"")
            .map_err(Error::from)
            .err();
        assert_eq!(shape.map(|e| e.status().as_u16()), Some(422));
    }

    #[test]
    fn header_errors_are_internal() {
        let err = Error::from(crate::http::HeaderError::Value);
        assert_eq!(err.status().as_u16(), 500);
        assert!(err.detail().is_some());
    }
}
