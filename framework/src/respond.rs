//! Responders: what a handler may return.

use crate::http::{Response, StatusCode};

/// Turns a handler's return value into a response.
///
/// Implemented for [`Response`], [`String`], `&'static str` (both `text/plain; charset=utf-8`),
/// [`StatusCode`] (an empty response), `()` (`204 No Content`), `(StatusCode, T)` and
/// `Result<T, E>` where both sides are responders. Implement it for your own types to return them
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

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
