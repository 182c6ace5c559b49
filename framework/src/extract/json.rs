//! `Json<T>`: a JSON request body in, a JSON response body out.

use super::{FromRequest, RequestContext};
use crate::error::Error;
use crate::http::{Request, Response, StatusCode};
use crate::respond::IntoResponse;
use serde_core::de::DeserializeOwned;
use serde_core::Serialize;

/// A JSON body. As an argument (the last one: it reads the body) it accepts `application/json`
/// and `application/*+json`, matched case-insensitively, parameters such as `charset` allowed,
/// and deserializes the body into `T`; as a return value it serializes `T` as `application/json`.
///
/// | problem | status |
/// |---|---|
/// | Content-Type missing or not JSON | 415 |
/// | malformed JSON, or bytes after the value | 400 |
/// | well-formed JSON of the wrong shape (missing field, wrong type) | 422 |
/// | body over `Limits::max_body` | 413 |
///
/// Nesting deeper than serde_json's recursion limit (128) is refused as malformed, so a hostile
/// body cannot overflow a connection thread's stack.
///
/// ```
/// use framework::{post, routes, test::TestClient, App, Json, StatusCode};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Deserialize)]
/// struct NewUser { name: String }
///
/// #[derive(Serialize)]
/// struct User { id: u64, name: String }
///
/// #[post("/users")]
/// fn create(Json(new): Json<NewUser>) -> (StatusCode, Json<User>) {
///     (StatusCode::CREATED, Json(User { id: 1, name: new.name }))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![create]))?;
/// let res = client.post("/users").json(&serde_json::json!({"name": "Ann"})).send();
/// assert_eq!(res.status(), StatusCode::CREATED);
/// assert_eq!(res.header("content-type"), Some("application/json"));
/// assert_eq!(res.text(), r#"{"id":1,"name":"Ann"}"#);
///
/// let res = client.post("/users").json(&serde_json::json!({"nom": "Ann"})).send();
/// assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
/// assert!(res.text().contains("missing field `name` at line 1 column 13"));
/// # Ok::<(), framework::BuildError>(())
/// ```
///
/// # Rejections
///
/// A `Json<T>` argument that cannot be extracted is rejected with an [`Error`], as every
/// extractor's is (one style for all: no per-extractor rejection types): `415` when the
/// Content-Type is missing or not JSON, `400` for malformed JSON or bytes after the value, `422` for
/// well-formed JSON of the wrong shape, and the body's own status when it cannot be read. Take
/// `Result<Json<T>, Error>` to answer it yourself:
///
/// ```
/// use framework::{post, routes, test::TestClient, App, Error, Json, StatusCode};
///
/// #[post("/echo")]
/// fn echo(body: Result<Json<serde_json::Value>, Error>) -> (StatusCode, String) {
///     match body {
///         Ok(Json(value)) => (StatusCode::OK, value.to_string()),
///         Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
///             (StatusCode::OK, "send JSON, please".into())
///         }
///         Err(e) => (e.status(), format!("bad JSON: {}", e.message())),
///     }
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![echo]))?;
/// assert_eq!(client.post("/echo").body("[1]").send().text(), "send JSON, please");
/// let res = client.post("/echo").header("Content-Type", "application/json").body("[1,").send();
/// assert_eq!(res.status(), StatusCode::BAD_REQUEST);
/// assert!(res.text().starts_with("bad JSON: malformed JSON: EOF while parsing"));
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// Whether a Content-Type names JSON: `application/json` or `application/<anything>+json`.
pub(crate) fn is_json(content_type: &str) -> bool {
    let essence = super::media_type(content_type);
    match essence.strip_prefix("application/") {
        Some("json") => true,
        Some(subtype) => subtype.len() > "+json".len() && subtype.ends_with("+json"),
        None => false,
    }
}

/// `415`: the Content-Type is missing or not JSON.
fn not_json() -> Error {
    Error::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "expected a JSON body: Content-Type must be application/json",
    )
}

/// `400` for malformed JSON, `422` for well-formed JSON of the wrong shape.
fn classify(e: serde_json::Error) -> Error {
    match e.classify() {
        serde_json::error::Category::Data => {
            Error::unprocessable(format!("invalid JSON body: {e}"))
        }
        _ => Error::bad_request(format!("malformed JSON: {e}")),
    }
}

impl<T> Json<T> {
    /// Deserializes JSON bytes, classifying errors as the extractor does (400 vs 422).
    ///
    /// # Errors
    /// `400` (malformed) or `422` (wrong shape), as [`Error`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error>
    where
        T: DeserializeOwned,
    {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value = T::deserialize(&mut de).map_err(classify)?;
        de.end().map_err(classify)?;
        Ok(Self(value))
    }
}

impl<T: DeserializeOwned> FromRequest for Json<T> {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        if !req.headers().get("content-type").is_some_and(is_json) {
            return Err(not_json());
        }
        let bytes = req
            .body_mut()
            .bytes()
            .map_err(|e| Error::new(e.status(), e.to_string()))?;
        Self::from_bytes(&bytes)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::json_bytes(body),
            Err(e) => {
                Error::internal(format!("could not serialize the response: {e}")).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct User {
        name: String,
        age: u8,
    }

    #[test]
    fn json_media_types_are_recognised() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.api+json",
            "application/problem+json",
        ] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in [
            "text/json",
            "application/jsonx",
            "application/+json",
            "application/x-www-form-urlencoded",
            "",
        ] {
            assert!(!is_json(ct), "{ct}");
        }
    }

    #[test]
    fn malformed_json_and_trailing_bytes_are_syntax_errors() {
        for body in [
            &b"{\"name\":"[..],
            b"{nope}",
            b"{\"name\":\"a\",\"age\":1} x",
            b"",
        ] {
            let r = Json::<User>::from_bytes(body);
            assert!(
                matches!(&r, Err(e) if e.status() == StatusCode::BAD_REQUEST),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn wrong_shape_is_a_shape_error_naming_the_field() {
        let r = Json::<User>::from_bytes(br#"{"name":"a"}"#);
        assert!(
            matches!(&r, Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY && e.message().contains("missing field `age`"))
        );
        let r = Json::<User>::from_bytes(br#"{"name":"a","age":300}"#);
        assert_eq!(
            r.map_err(|e| e.status()).err(),
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let deep = "[".repeat(100_000);
        let r = Json::<serde_json::Value>::from_bytes(deep.as_bytes());
        assert!(matches!(&r, Err(e) if e.status() == StatusCode::BAD_REQUEST));
    }

    #[test]
    fn well_formed_json_deserializes() {
        let r = Json::<User>::from_bytes(br#" {"name":"a","age":3} "#).map(|j| j.0);
        assert_eq!(
            r.ok(),
            Some(User {
                name: "a".into(),
                age: 3
            })
        );
    }

    /// The deepest nesting serde_json reaches (127 levels accepted, the 128th refused), of arrays
    /// and of objects, must fit in half a connection thread's default stack, in debug builds too:
    /// the other half is for the driver, the handler and the extractors below it. (With 256 KiB
    /// in debug builds, a body of nested objects overflowed the connection thread, aborting the
    /// whole server.)
    #[test]
    fn the_deepest_nesting_fits_in_half_a_connection_thread() {
        let stack = crate::Limits::default().thread_stack_size / 2;
        let bodies = [
            format!("{}{}", "[".repeat(127), "]".repeat(127)),
            format!("{}1{}", r#"{"a":"#.repeat(127), "}".repeat(127)),
            "[".repeat(100_000),
            r#"{"a":"#.repeat(100_000),
            r#"[{"a":"#.repeat(100_000),
        ];
        let worker = std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || {
                bodies
                    .iter()
                    .map(
                        |body| match Json::<serde_json::Value>::from_bytes(body.as_bytes()) {
                            Ok(_) => "ok",
                            Err(e) if e.status() == StatusCode::BAD_REQUEST => "syntax",
                            Err(_) => "other",
                        },
                    )
                    .collect::<Vec<_>>()
            });
        assert_eq!(
            worker.map(|w| w.join().ok()).ok().flatten(),
            Some(vec!["ok", "ok", "syntax", "syntax", "syntax"])
        );
    }
}
