//! Responders: what a handler may return.

use crate::error::Error;
use crate::http::{HeaderError, HeaderMap, Response, ResponseBody, StatusCode};
use crate::proto::refusal::json_error;

mod sse;
pub use sse::{Event, Events, Sse, DEFAULT_KEEP_ALIVE};

/// Turns a handler's return value into a response.
///
/// Implemented for [`Response`], [`String`], `&'static str` (both `text/plain; charset=utf-8`),
/// `Vec<u8>` (`application/octet-stream`), [`Json<T>`](crate::extract::Json), [`Html<T>`],
/// [`Redirect`], [`StatusCode`] (an empty response), `()` (`204 No Content`), `(StatusCode, T)`,
/// `(headers, T)` and `(StatusCode, headers, T)` (headers: see [`IntoHeaders`]), `Option<T>`
/// (`None` is a `404`), [`Error`], [`HeaderError`] (a `500`) and `Result<T, E>` where both sides
/// are responders.
///
/// An `Err` never looks like success: when the `Err` value renders a status below `400` (a
/// `String` is `200 text/plain`, `()` is `204`, a [`Redirect`] is `3xx`), the response becomes
/// `500 Internal Server Error` with the same body and header fields. An `Err` that renders `4xx`
/// or `5xx` keeps its status, and `Ok` always answers as its value does.
///
/// For anything else, build a [`Response`] with its builder methods, or implement this trait for
/// your own types to return them from handlers:
///
/// ```
/// use framework::{get, routes, test::TestClient, App, IntoResponse, Response, StatusCode};
///
/// struct Teapot;
///
/// impl IntoResponse for Teapot {
///     fn into_response(self) -> Response {
///         let status = StatusCode::from_u16(418).unwrap_or(StatusCode::OK);
///         Response::text("short and stout").with_status(status)
///     }
/// }
///
/// #[get("/tea")]
/// fn tea() -> Teapot {
///     Teapot
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![tea]))?;
/// let res = client.get("/tea").send();
/// assert_eq!((res.status().as_u16(), res.text()), (418, "short and stout".to_string()));
/// # Ok::<(), framework::BuildError>(())
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

/// A response built by hand, as it is.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, Error, Response, StatusCode};
///
/// #[get("/built")]
/// fn built() -> Result<Response, Error> {
///     Response::text("made by hand")
///         .with_status(StatusCode::ACCEPTED)
///         .with_header("Cache-Control", "no-store")
///         .map_err(|e| Error::internal(e.to_string()))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![built]))?;
/// let res = client.get("/built").send();
/// assert_eq!(res.status(), StatusCode::ACCEPTED);
/// assert_eq!(res.header("cache-control"), Some("no-store"));
/// # Ok::<(), framework::BuildError>(())
/// ```
impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

/// Text, as `text/plain; charset=utf-8`.
///
/// ```
/// use framework::IntoResponse;
/// let res = format!("{} items", 3).into_response();
/// assert_eq!(res.headers().get("content-type"), Some("text/plain; charset=utf-8"));
/// assert_eq!(res.body().len(), Some(7));
/// ```
impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

/// Static text, as `text/plain; charset=utf-8`.
///
/// ```
/// use framework::{IntoResponse, StatusCode};
/// let res = "pong".into_response();
/// assert_eq!(res.status(), StatusCode::OK);
/// assert_eq!(res.headers().get("content-type"), Some("text/plain; charset=utf-8"));
/// ```
impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

/// A status with an empty body.
///
/// ```
/// use framework::{IntoResponse, StatusCode};
/// let res = StatusCode::ACCEPTED.into_response();
/// assert_eq!(res.status(), StatusCode::ACCEPTED);
/// assert!(res.body().is_empty());
/// ```
impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

/// `204 No Content`: what a handler without a return type answers.
///
/// ```
/// use framework::{delete, routes, test::TestClient, App, StatusCode};
///
/// #[delete("/items/:id")]
/// fn remove(id: u64) {
///     let _ = id;
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![remove]))?;
/// assert_eq!(client.delete("/items/7").send().status(), StatusCode::NO_CONTENT);
/// # Ok::<(), framework::BuildError>(())
/// ```
impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(StatusCode::NO_CONTENT)
    }
}

/// Another status for `T`'s response.
///
/// ```
/// use framework::{IntoResponse, StatusCode};
/// let res = (StatusCode::CREATED, "made").into_response();
/// assert_eq!(res.status(), StatusCode::CREATED);
/// assert_eq!(res.headers().get("content-type"), Some("text/plain; charset=utf-8"));
/// ```
impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        self.1.into_response().with_status(self.0)
    }
}

/// Either side's response: typically `Result<T, Error>`, so that `?` works in handlers.
///
/// An `Err` whose response has a status below `400` becomes `500 Internal Server Error`, with
/// the same body and header fields: an error never answers as a success or a redirect. So
/// `Result<Json<User>, String>` answers `Err("no such user".into())` with `500` and the text (use
/// [`Error`], or `(StatusCode, String)`, to choose the status); an `Err` rendering `4xx` or `5xx`
/// is unchanged.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, Error, StatusCode};
///
/// #[get("/half/:n")]
/// fn half(n: u32) -> Result<String, Error> {
///     if n % 2 == 1 {
///         return Err(Error::bad_request("odd"));
///     }
///     Ok((n / 2).to_string())
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![half]))?;
/// assert_eq!(client.get("/half/8").send().text(), "4");
/// let res = client.get("/half/7").send();
/// assert_eq!((res.status(), res.text()), (StatusCode::BAD_REQUEST, r#"{"error":"odd"}"#.into()));
///
/// #[get("/name/:id")]
/// fn name(id: u32) -> Result<String, String> {
///     if id == 1 { Ok("Ann".into()) } else { Err(format!("no user {id}")) }
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![name]))?;
/// let res = client.get("/name/2").send();
/// assert_eq!((res.status(), res.text()), (StatusCode::INTERNAL_SERVER_ERROR, "no user 2".into()));
/// assert_eq!(res.header("content-type"), Some("text/plain; charset=utf-8"));
/// # Ok::<(), framework::BuildError>(())
/// ```
impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(t) => t.into_response(),
            Err(e) => error_response(e.into_response()),
        }
    }
}

/// An `Err`'s response: one below `400` becomes a `500`, body and fields kept (and so does the
/// [`Error`] it carries, if any, so that the error hook sees the status that is sent).
fn error_response(mut res: Response) -> Response {
    if res.status().as_u16() < 400 {
        res.set_status(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(mut error) = res.take_error() {
            error.set_status(StatusCode::INTERNAL_SERVER_ERROR);
            res.set_error(error);
        }
    }
    res
}

/// Never constructed: the rejection of extractors that cannot fail.
impl IntoResponse for std::convert::Infallible {
    fn into_response(self) -> Response {
        match self {}
    }
}

/// Raw bytes, as `application/octet-stream`.
///
/// ```
/// use framework::IntoResponse;
/// let res = vec![0u8, 255].into_response();
/// assert_eq!(res.headers().get("content-type"), Some("application/octet-stream"));
/// assert_eq!(res.body().len(), Some(2));
/// ```
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
///
/// ```
/// use framework::{get, routes, test::TestClient, App, Json, StatusCode};
///
/// #[get("/users/:id")]
/// fn user(id: u64) -> Option<Json<&'static str>> {
///     (id == 1).then_some(Json("Ann"))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![user]))?;
/// assert_eq!(client.get("/users/1").send().text(), r#""Ann""#);
/// let res = client.get("/users/2").send();
/// assert_eq!(res.status(), StatusCode::NOT_FOUND);
/// assert_eq!(res.text(), r#"{"error":"not found"}"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
impl<T: IntoResponse> IntoResponse for Option<T> {
    fn into_response(self) -> Response {
        match self {
            Some(t) => t.into_response(),
            None => Error::not_found("not found").into_response(),
        }
    }
}

/// Header fields a responder tuple, `(headers, body)` or `(StatusCode, headers, body)`, can
/// carry: an array or a `Vec` of `(name, value)` pairs, a [`HeaderMap`], or an `Option` of one of
/// them (`None` adds nothing).
///
/// The pairs of an array or a `Vec` share one name type and one value type. To mix values of
/// different types (a `&str` and a `String`), give each its own type with `.to_string()`, or
/// build a [`HeaderMap`] with [`HeaderMap::with`], which checks each field as it goes:
///
/// ```
/// use framework::{HeaderMap, IntoResponse, StatusCode};
///
/// let total = 2;
/// let fields = HeaderMap::new()
///     .with("X-Total", total.to_string())?
///     .with("Cache-Control", "no-store")?;
/// let res = (StatusCode::OK, fields, "a,b").into_response();
/// assert_eq!(res.headers().get("x-total"), Some("2"));
///
/// let pairs = vec![("X-Page", "1".to_string()), ("X-Pages", "3".to_string())];
/// let res = (StatusCode::OK, pairs, "a,b").into_response();
/// assert_eq!(res.headers().get("x-pages"), Some("3"));
///
/// let etag: Option<[(&str, String); 1]> = None;
/// let res = (etag, "a,b").into_response();
/// assert!(!res.headers().contains("etag"));
/// # Ok::<(), framework::HeaderError>(())
/// ```
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

/// A field only some responses carry: `None` adds nothing.
impl<H: IntoHeaders> IntoHeaders for Option<H> {
    fn append_to(self, headers: &mut HeaderMap) -> Result<(), HeaderError> {
        match self {
            Some(fields) => fields.append_to(headers),
            None => Ok(()),
        }
    }
}

/// `res` with `fields` added, replacing those of the same names the body set (e.g. its
/// Content-Type); a `500` if a field would not be valid on the wire.
fn with_fields(mut res: Response, fields: impl IntoHeaders) -> Response {
    let mut extra = HeaderMap::new();
    if let Err(e) = fields.append_to(&mut extra) {
        return Error::internal(format!("invalid response header: {e}")).into_response();
    }
    for (name, _) in extra.iter() {
        res.headers_mut().remove(name);
    }
    for (name, value) in extra.iter() {
        let _ = res.headers_mut().append(name, value);
    }
    res
}

/// Extra header fields and a body, the body's status kept: `([("Cache-Control", "no-store")],
/// Json(user))`. As with `(StatusCode, headers, body)`, the fields replace those of the same
/// name the body set, and a field that would not be valid on the wire turns the response into a
/// `500`. (`(StatusCode, T)` is not this: a [`StatusCode`] is not a set of fields.) Pairs nest,
/// so sets of fields of different kinds go one inside the other: `(fields, (etag, body))`.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, HeaderMap, Json, StatusCode};
///
/// #[get("/users/:id")]
/// fn user(id: u64) -> ([(&'static str, String); 2], Json<u64>) {
///     ([("Cache-Control", "max-age=60".into()), ("ETag", format!("\"u{id}\""))], Json(id))
/// }
///
/// #[get("/page")]
/// fn page() -> Result<(HeaderMap, &'static str), framework::Error> {
///     let fields = HeaderMap::new().with("X-Page", 1.to_string())?.with("X-Pages", "3")?;
///     Ok((fields, "a,b"))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![user, page]))?;
/// let res = client.get("/users/7").send();
/// assert_eq!(res.status(), StatusCode::OK);
/// assert_eq!(res.header("etag"), Some("\"u7\""));
/// assert_eq!(res.header("content-type"), Some("application/json"));
/// assert_eq!(client.get("/page").send().header("x-pages"), Some("3"));
/// # Ok::<(), framework::BuildError>(())
/// ```
impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (H, T) {
    fn into_response(self) -> Response {
        let (fields, body) = self;
        with_fields(body.into_response(), fields)
    }
}

/// Status, extra header fields, and a body: `(StatusCode::CREATED, [("Location", "/users/7")], Json(user))`.
/// The fields replace those of the same name the body set (e.g. its Content-Type). A field that
/// would not be valid on the wire turns the response into a `500`.
///
/// ```
/// use framework::{post, routes, test::TestClient, App, Json, StatusCode};
///
/// #[post("/users")]
/// fn create() -> (StatusCode, [(&'static str, &'static str); 1], Json<u64>) {
///     (StatusCode::CREATED, [("Location", "/users/7")], Json(7))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![create]))?;
/// let res = client.post("/users").send();
/// assert_eq!(res.status(), StatusCode::CREATED);
/// assert_eq!(res.header("location"), Some("/users/7"));
/// assert_eq!(res.header("content-type"), Some("application/json"));
/// # Ok::<(), framework::BuildError>(())
/// ```
impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (StatusCode, H, T) {
    fn into_response(self) -> Response {
        let (status, fields, body) = self;
        with_fields(body.into_response().with_status(status), fields)
    }
}

/// A header the handler built was invalid: a bug on the server side, `500` "internal server
/// error", the cause in the error log (as `?` into [`Error`] does). So a [`Response`] built with
/// [`Response::with_header`] can be returned as it is:
///
/// ```
/// use framework::{get, routes, test::TestClient, App, HeaderError, Response, StatusCode};
///
/// #[get("/greet/:name")]
/// fn greet(name: String) -> Result<Response, HeaderError> {
///     Response::text(format!("hello {name}"))
///         .with_status(StatusCode::ACCEPTED)
///         .with_header("X-Greeted", &name)?
///         .with_header("Cache-Control", "no-store")
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![greet]))?;
/// let res = client.get("/greet/ann").send();
/// assert_eq!((res.status(), res.header("x-greeted")), (StatusCode::ACCEPTED, Some("ann")));
/// // `%0A` decodes to a line feed, which no field value may hold.
/// let res = client.get("/greet/a%0Ab").send();
/// assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// assert_eq!(res.text(), r#"{"error":"internal server error"}"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
impl IntoResponse for HeaderError {
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

/// An HTML body, as `text/html; charset=utf-8`.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, respond::Html};
///
/// #[get("/")]
/// fn index() -> Html<&'static str> {
///     Html("<h1>Hello</h1>")
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![index]))?;
/// let res = client.get("/").send();
/// assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
/// assert_eq!(res.text(), "<h1>Hello</h1>");
/// # Ok::<(), framework::BuildError>(())
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
/// use framework::{post, routes, test::TestClient, App, StatusCode, respond::Redirect};
///
/// #[post("/users")]
/// fn create() -> Redirect {
///     Redirect::see_other("/users/7")
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![create]))?;
/// let res = client.post("/users").send();
/// assert_eq!(res.status(), StatusCode::SEE_OTHER);
/// assert_eq!(res.header("location"), Some("/users/7"));
/// # Ok::<(), framework::BuildError>(())
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

/// An [`Error`] renders as `{"error":"<message>"}` plus its extra fields, and travels with its
/// response so that the app's error hook can render it again.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut res = if self.fields().next().is_none() {
            json_error(self.status(), self.message())
        } else {
            Response::json_bytes(self.to_json()).with_status(self.status())
        };
        res.set_error(self);
        res
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

    // Issue 12: `Result<Json<User>, String>` answered `200` on `Err`.
    #[test]
    fn an_err_below_400_becomes_a_500_with_its_body_and_fields() {
        let err: Result<Html<&str>, String> = Err("no such user".into());
        let mut res = err.into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.headers().get("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert!(matches!(res.take_body(), ResponseBody::Bytes(b) if *b == *b"no such user"));

        let res = Result::<(), Redirect>::Err(Redirect::see_other("/login")).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers().get("location"), Some("/login"));
    }

    #[test]
    fn an_err_keeps_a_4xx_or_5xx_status_and_an_ok_keeps_any() {
        for code in [
            100, 101, 200, 201, 204, 301, 304, 399, 400, 404, 418, 499, 500, 503,
        ] {
            let Some(status) = StatusCode::from_u16(code) else {
                panic!("{code} is a status");
            };
            let expected = if code < 400 { 500 } else { code };
            let err = Result::<(), StatusCode>::Err(status).into_response();
            assert_eq!(err.status().as_u16(), expected, "Err({code})");
            let ok = Result::<StatusCode, Error>::Ok(status).into_response();
            assert_eq!(ok.status().as_u16(), code, "Ok({code})");
        }
    }

    #[test]
    fn an_err_error_below_400_is_a_500_for_the_error_hook_too() {
        let err: Result<(), Error> = Err(Error::new(StatusCode::OK, "odd"));
        let res = err.into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.error().map(Error::status),
            Some(StatusCode::INTERNAL_SERVER_ERROR)
        );
        assert_eq!(res.error().map(Error::message), Some("odd"));
    }

    #[test]
    fn a_status_pair_overrides_the_status() {
        let res = (StatusCode::CREATED, "made").into_response();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.body().len(), Some(4));
    }

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
    fn header_body_pairs_keep_the_body_status() -> Result<(), HeaderError> {
        let res = ([("Cache-Control", "no-store")], StatusCode::ACCEPTED).into_response();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        assert_eq!(res.headers().get("cache-control"), Some("no-store"));
        let fields = HeaderMap::new().with("Content-Type", "text/csv")?;
        let typed = (fields, "a,b").into_response();
        assert_eq!(
            typed.headers().get_all("content-type").collect::<Vec<_>>(),
            [b"text/csv"]
        );
        let bad = (vec![("X", "a\nb")], "x").into_response();
        assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
        Ok(())
    }

    #[test]
    fn optional_fields_add_nothing_when_none() {
        let none: Option<[(&str, &str); 1]> = None;
        let res = (StatusCode::OK, none, "x").into_response();
        assert_eq!(res.headers().len(), 1, "{:?}", res.headers());
        let some = Some([("ETag", "\"1\"")]);
        let res = (StatusCode::OK, some, "x").into_response();
        assert_eq!(res.headers().get("etag"), Some("\"1\""));
    }

    #[test]
    fn a_header_error_is_a_500_that_names_no_cause() {
        let res = HeaderError::Value.into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.error().map(Error::message),
            Some("internal server error")
        );
        let built = Response::text("x").with_header("Bad Name", "1");
        assert_eq!(
            built.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
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
