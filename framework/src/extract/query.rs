//! `Query<T>`: the query string, deserialized.

use super::urlencoded::from_str;
use super::{FromRequestParts, RequestContext};
use crate::error::Error;
use crate::http::Request;
use serde_core::de::DeserializeOwned;

/// The query string deserialized into `T` with serde (see [`from_urlencoded`](super::from_urlencoded)
/// for the rules: `+` is a space, a missing key is `None` or the `#[serde(default)]`, a repeated
/// key fills a `Vec`). A request without a query is an empty one. Any value that does not fit `T`
/// is a `400` whose JSON error names the field.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, Query, StatusCode};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Page {
///     #[serde(default)]
///     offset: u32,
///     limit: Option<u32>,
///     #[serde(default)]
///     tag: Vec<String>,
/// }
///
/// #[get("/items")]
/// fn items(Query(page): Query<Page>) -> String {
///     format!("{} {:?} {:?}", page.offset, page.limit, page.tag)
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![items]))?;
/// assert_eq!(client.get("/items").send().text(), "0 None []");
/// let res = client.get("/items?limit=5&tag=a&tag=b+c").send();
/// assert_eq!(res.text(), r#"0 Some(5) ["a", "b c"]"#);
///
/// let res = client.get("/items?limit=ten").send();
/// assert_eq!(res.status(), StatusCode::BAD_REQUEST);
/// assert!(res.text().contains("`limit`"));
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> Query<T> {
    /// Deserializes a query string (without the `?`), as the extractor does.
    ///
    /// # Errors
    /// A `400` [`Error`] naming the field at fault.
    pub fn try_from_query(query: &str) -> Result<Self, Error> {
        from_str(query)
            .map(Self)
            .map_err(|e| Error::bad_request(format!("invalid query string: {e}")))
    }
}

impl<T: DeserializeOwned> FromRequestParts for Query<T> {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Self::try_from_query(req.query().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusCode;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Page {
        #[serde(default)]
        limit: u32,
        name: Option<String>,
    }

    #[test]
    fn a_query_deserializes_with_defaults() {
        let q = Query::<Page>::try_from_query("name=a+b").map(|q| q.0);
        assert_eq!(
            q.ok(),
            Some(Page {
                limit: 0,
                name: Some("a b".into())
            })
        );
    }

    #[test]
    fn a_bad_value_is_a_400_naming_the_field() {
        let e = Query::<Page>::try_from_query("limit=x").err();
        assert_eq!(e.as_ref().map(Error::status), Some(StatusCode::BAD_REQUEST));
        assert!(e.is_some_and(|e| e.message().contains("limit")));
    }
}
