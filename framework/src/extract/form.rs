//! `Form<T>`: an `application/x-www-form-urlencoded` body, deserialized.

use super::urlencoded::{from_str, UrlencodedErrorKind};
use super::{FromRequest, RequestContext};
use crate::error::Error;
use crate::http::{Request, StatusCode};
use serde_core::de::DeserializeOwned;

/// A form body deserialized into `T` (the last argument: it reads the body).
///
/// | problem | status |
/// |---|---|
/// | Content-Type missing or not `application/x-www-form-urlencoded` | 415 |
/// | malformed encoding (bad `%` escape, not UTF-8) | 400 |
/// | well-formed form of the wrong shape (missing field, wrong type) | 422 |
/// | body over `Limits::max_body` | 413 |
///
/// ```
/// use framework::{post, routes, test::TestClient, App, Form, StatusCode};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Login { user: String, remember: Option<bool> }
///
/// #[post("/login")]
/// fn login(Form(login): Form<Login>) -> String {
///     format!("{} {:?}", login.user, login.remember)
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![login]))?;
/// let res = client.post("/login").form(&[("user", "Ann Lee"), ("remember", "true")]).send();
/// assert_eq!(res.text(), "Ann Lee Some(true)");
///
/// let res = client.post("/login").form(&[("remember", "true")]).send();
/// assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY); // no `user`
/// let res = client.post("/login").body("user=Ann").send();
/// assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE); // no Content-Type
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

/// Whether a Content-Type is the form media type (parameters such as `charset` allowed).
fn is_form(content_type: &str) -> bool {
    super::media_type(content_type) == "application/x-www-form-urlencoded"
}

impl<T: DeserializeOwned> Form<T> {
    /// Deserializes form bytes, classifying errors as the extractor does (400 vs 422).
    ///
    /// # Errors
    /// A `400` or `422` [`Error`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::bad_request("malformed form: the body is not UTF-8"))?;
        from_str(text).map(Self).map_err(|e| match e.kind() {
            UrlencodedErrorKind::Syntax => Error::bad_request(format!("malformed form: {e}")),
            UrlencodedErrorKind::Shape => Error::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("invalid form: {e}"),
            ),
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Form<T> {
    type Rejection = Error;

    fn from_request(req: &mut Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        if !req.headers().get("content-type").is_some_and(is_form) {
            return Err(Error::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a form body: Content-Type must be application/x-www-form-urlencoded",
            ));
        }
        let bytes = req.body_mut().bytes()?;
        Self::from_bytes(&bytes)
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
    fn form_media_type_is_matched_without_parameters_and_case() {
        assert!(is_form("application/x-www-form-urlencoded"));
        assert!(is_form("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
        assert!(!is_form("multipart/form-data"));
        assert!(!is_form("application/json"));
    }

    #[test]
    fn malformed_is_400_and_wrong_shape_is_422() {
        let status = |b: &[u8]| Form::<User>::from_bytes(b).err().map(|e| e.status());
        assert_eq!(status(b"name=a&age=%zz"), Some(StatusCode::BAD_REQUEST));
        assert_eq!(status(b"name=\xff"), Some(StatusCode::BAD_REQUEST));
        assert_eq!(status(b"name=a"), Some(StatusCode::UNPROCESSABLE_ENTITY));
        assert_eq!(
            status(b"name=a&age=300"),
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        );
        assert_eq!(status(b"name=a+b&age=3"), None);
    }
}
