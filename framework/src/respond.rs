//! Responders: what a handler may return.

use crate::error::Error;
use crate::http::{HeaderError, HeaderMap, Response, ResponseBody, StatusCode};

/// Turns a handler's return value into a response.
///
/// Implemented for [`Response`], [`String`], `&'static str` (both `text/plain; charset=utf-8`),
/// `Vec<u8>` (`application/octet-stream`), [`Json<T>`](crate::extract::Json), [`Html<T>`],
/// [`Redirect`], [`StatusCode`] (an empty response), `()` (`204 No Content`), `(StatusCode, T)`,
/// `(StatusCode, headers, T)`, `Option<T>` (`None` is a `404`), [`Error`] and `Result<T, E>`
/// where both sides are responders. For anything else, build a [`Response`] with its builder
/// methods, or implement this trait for your own types: Implement it for your own types to return them
/// from handlers:
///
/// ```
/// use framework::{IntoResponse, Response, StatusCode};
///
/// struct Teapot;
///
/// impl IntoResponse for Teapot {
///     fn into_response(self) -> Response {
///         Response::text("short and stout").with_status(StatusCode::from_u16(418).unwrap_or(StatusCode::OK))
///     }
/// }
/// assert_eq!(Teapot.into_response().status().as_u16(), 418);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a handler",
    label = "this return type is not a responder",
    note = "return a type that implements `framework::IntoResponse` (String, &'static str, StatusCode, (StatusCode, T), Response, Result<T, E>, ...) or implement it for `{Self}`"
)]
pub trait IntoResponse {
    /// Builds the response.
    #[must_use]
    fn into_response(self) -> Response;
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(StatusCode::NO_CONTENT)
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        self.1.into_response().with_status(self.0)
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(t) => t.into_response(),
            Err(e) => e.into_response(),
        }
    }
}

/// Never constructed: the rejection of extractors that cannot fail.
impl IntoResponse for std::convert::Infallible {
    fn into_response(self) -> Response {
        match self {}
    }
}

/// Raw bytes, as `application/octet-stream`.
impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        let mut res = Response::new(StatusCode::OK).with_body(self);
        let _ = res
            .headers_mut()
            .insert("Content-Type", "application/octet-stream");
        res
    }
}

/// `None` is a `404` with a JSON error; `Some(t)` is `t`'s response.
impl<T: IntoResponse> IntoResponse for Option<T> {
    fn into_response(self) -> Response {
        match self {
            Some(t) => t.into_response(),
            None => Error::not_found("not found").into_response(),
        }
    }
}

/// Header fields a responder tuple `(StatusCode, headers, body)` can carry.
pub trait IntoHeaders {
    /// Appends the fields to `headers`.
    ///
    /// # Errors
    /// A name or value that would not be valid on the wire.
    fn append_to(self, headers: &mut HeaderMap) -> Result<(), HeaderError>;
}

impl IntoHeaders for HeaderMap {
    fn append_to(self, headers: &mut HeaderMap) -> Result<(), HeaderError> {
        for (name, value) in self.iter() {
            headers.append(name, value)?;
        }
        Ok(())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> IntoHeaders for [(K, V); N] {
    fn append_to(self, headers: &mut HeaderMap) -> Result<(), HeaderError> {
        for (name, value) in self {
            headers.append(name.as_ref(), value)?;
        }
        Ok(())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> IntoHeaders for Vec<(K, V)> {
    fn append_to(self, headers: &mut HeaderMap) -> Result<(), HeaderError> {
        for (name, value) in self {
            headers.append(name.as_ref(), value)?;
        }
        Ok(())
    }
}

/// Status, extra header fields, and a body: `(StatusCode::CREATED, [("Location", "/users/7")], Json(user))`.
/// The fields replace those of the same name the body set (e.g. its Content-Type). A field that
/// would not be valid on the wire turns the response into a `500`.
impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (StatusCode, H, T) {
    fn into_response(self) -> Response {
        let (status, headers, body) = self;
        let mut res = body.into_response().with_status(status);
        let mut extra = HeaderMap::new();
        if let Err(e) = headers.append_to(&mut extra) {
            return Error::internal(format!("invalid response header: {e}")).into_response();
        }
        // The fields given here replace the body's own (e.g. its Content-Type).
        for (name, _) in extra.iter() {
            res.headers_mut().remove(name);
        }
        for (name, value) in extra.iter() {
            let _ = res.headers_mut().append(name, value);
        }
        res
    }
}

/// An HTML body, as `text/html; charset=utf-8`.
///
/// ```
/// use framework::{get, respond::Html};
///
/// #[get("/")]
/// fn index() -> Html<&'static str> {
///     Html("<h1>Hello</h1>")
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Html<T>(pub T);

impl<T: Into<ResponseBody>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        let mut res = Response::new(StatusCode::OK).with_body(self.0);
        let _ = res
            .headers_mut()
            .insert("Content-Type", "text/html; charset=utf-8");
        res
    }
}

/// A redirect: a `3xx` status with `Location`.
///
/// ```
/// use framework::{respond::Redirect, IntoResponse, StatusCode};
/// let res = Redirect::see_other("/users/7").into_response();
/// assert_eq!(res.status(), StatusCode::SEE_OTHER);
/// assert_eq!(res.headers().get("location"), Some("/users/7"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    status: StatusCode,
    location: String,
}

impl Redirect {
    /// `303 See Other`: after a POST, "look at this instead" (the client follows with GET).
    pub fn see_other(location: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SEE_OTHER,
            location: location.into(),
        }
    }

    /// `307 Temporary Redirect`: the same request, elsewhere, this time.
    pub fn temporary(location: impl Into<String>) -> Self {
        Self {
            status: StatusCode::TEMPORARY_REDIRECT,
            location: location.into(),
        }
    }

    /// `308 Permanent Redirect`: the same request, elsewhere, from now on.
    pub fn permanent(location: impl Into<String>) -> Self {
        Self {
            status: StatusCode::PERMANENT_REDIRECT,
            location: location.into(),
        }
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        let res = Response::new(self.status);
        match res.with_header("Location", self.location) {
            Ok(res) => res,
            Err(e) => Error::internal(format!("invalid redirect location: {e}")).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_render_either_side() {
        let ok: Result<&'static str, Error> = Ok("yes");
        assert_eq!(ok.into_response().status(), StatusCode::OK);
        let err: Result<&'static str, Error> = Err(Error::not_found("no"));
        assert_eq!(err.into_response().status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn a_status_pair_overrides_the_status() {
        let res = (StatusCode::CREATED, "made").into_response();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.body().len(), Some(4));
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn none_is_a_json_404() {
        let res = Option::<String>::None.into_response();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(res.headers().get("content-type"), Some("application/json"));
    }

    #[test]
    fn status_headers_body_tuples_add_fields() {
        let res = (StatusCode::CREATED, [("Location", "/u/1")], "made").into_response();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers().get("location"), Some("/u/1"));
        let typed = (StatusCode::OK, [("Content-Type", "text/csv")], "a,b").into_response();
        assert_eq!(
            typed.headers().get_all("content-type").collect::<Vec<_>>(),
            [b"text/csv"]
        );
        let bad = (StatusCode::OK, [("Bad Name", "x")], "x").into_response();
        assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn html_and_bytes_have_their_content_types() {
        assert_eq!(
            Html("<p>").into_response().headers().get("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            vec![1u8].into_response().headers().get("content-type"),
            Some("application/octet-stream")
        );
    }
}
