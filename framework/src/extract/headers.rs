//! Header extractors: the whole map, one named field, and cookies.

use super::{FromRequestParts, RequestContext};
use crate::error::Error;
use crate::http::{HeaderMap, Request};
use std::collections::HashMap;
use std::marker::PhantomData;

/// All the request's header fields (a copy of the map).
///
/// ```
/// use framework::{get, routes, test::TestClient, App};
/// use framework::extract::Headers;
///
/// #[get("/tags")]
/// fn tags(Headers(fields): Headers) -> String {
///     let tags: Vec<&[u8]> = fields.get_all("x-tag").collect();
///     format!("{} tags, host {:?}", tags.len(), fields.get("host"))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![tags]))?;
/// let res = client.get("/tags").header("X-Tag", "a").header("x-tag", "b").send();
/// assert_eq!(res.text(), r#"2 tags, host Some("localhost")"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Headers(pub HeaderMap);

impl FromRequestParts for Headers {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(Self(req.headers().clone()))
    }
}

/// Names a header field for [`Header`]. Common ones are in [`names`]; declare your own with a unit
/// struct:
///
/// ```
/// use framework::{get, routes, test::TestClient, App};
/// use framework::extract::{Header, HeaderName};
///
/// struct RequestId;
/// impl HeaderName for RequestId {
///     const NAME: &'static str = "X-Request-Id";
/// }
///
/// #[get("/trace")]
/// fn trace(id: Option<Header<RequestId>>) -> String {
///     id.map_or_else(|| "none".to_string(), |h| h.value)
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![trace]))?;
/// assert_eq!(client.get("/trace").header("x-request-id", "42").send().text(), "42");
/// assert_eq!(client.get("/trace").send().text(), "none");
/// # Ok::<(), framework::BuildError>(())
/// ```
pub trait HeaderName {
    /// The field name (matched case-insensitively).
    const NAME: &'static str;
}

/// Common header names for [`Header`]: `Header<names::UserAgent>`.
pub mod names {
    macro_rules! names {
        ($($ty:ident = $name:literal),* $(,)?) => {$(
            #[doc = concat!("`", $name, "`")]
            #[derive(Debug, Clone, Copy)]
            pub struct $ty;
            impl super::HeaderName for $ty {
                const NAME: &'static str = $name;
            }
        )*};
    }
    names! {
        Accept = "Accept",
        Authorization = "Authorization",
        ContentType = "Content-Type",
        Host = "Host",
        IfNoneMatch = "If-None-Match",
        Origin = "Origin",
        Referer = "Referer",
        UserAgent = "User-Agent",
    }
}

/// The value of one header field, as text: `Header<names::UserAgent>`. A missing field (or one
/// that is not UTF-8) is a `400` naming it; take `Option<Header<N>>` when it is optional. With
/// several fields of that name, the first one.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, StatusCode};
/// use framework::extract::{names, Header};
///
/// #[get("/agent")]
/// fn agent(ua: Header<names::UserAgent>) -> String {
///     ua.value
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![agent]))?;
/// assert_eq!(client.get("/agent").header("User-Agent", "curl/8").send().text(), "curl/8");
///
/// let res = client.get("/agent").send();
/// assert_eq!(res.status(), StatusCode::BAD_REQUEST);
/// assert_eq!(res.text(), r#"{"error":"missing header `User-Agent`"}"#);
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<N> {
    /// The field's value.
    pub value: String,
    name: PhantomData<N>,
}

impl<N: HeaderName> FromRequestParts for Header<N> {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        match req.headers().get(N::NAME) {
            Some(value) => Ok(Self {
                value: value.to_string(),
                name: PhantomData,
            }),
            None if req.headers().contains(N::NAME) => Err(Error::bad_request(format!(
                "header `{}` is not valid UTF-8",
                N::NAME
            ))),
            None => Err(Error::bad_request(format!("missing header `{}`", N::NAME))),
        }
    }
}

/// The `Last-Event-ID` field: the id of the last server-sent event a browser's `EventSource`
/// received, sent when it reconnects, so that a stream can resume after it (see
/// [`Event::id`](crate::respond::Event::id)). Take `Option<LastEventId>`: a first connection
/// has none (a missing field is otherwise a `400`).
///
/// ```
/// use framework::{get, routes, test::TestClient, App};
/// use framework::extract::LastEventId;
///
/// #[get("/events")]
/// fn events(last: Option<LastEventId>) -> String {
///     let next = last.and_then(|id| id.0.parse::<u64>().ok()).map_or(1, |n| n + 1);
///     format!("resuming at {next}")
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![events]))?;
/// assert_eq!(client.get("/events").send().text(), "resuming at 1");
/// assert_eq!(client.get("/events").header("Last-Event-ID", "41").send().text(), "resuming at 42");
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEventId(pub String);

struct LastEventIdName;

impl HeaderName for LastEventIdName {
    const NAME: &'static str = "Last-Event-ID";
}

impl FromRequestParts for LastEventId {
    type Rejection = Error;

    fn from_request_parts(req: &Request, cx: &RequestContext<'_>) -> Result<Self, Error> {
        Header::<LastEventIdName>::from_request_parts(req, cx).map(|h| Self(h.value))
    }
}

/// The cookies the client sent (`Cookie` fields, RFC 6265 §5.4), by name. Malformed pairs are
/// skipped; with a name sent twice, the first value wins.
///
/// ```
/// use framework::{get, routes, test::TestClient, App};
/// use framework::extract::Cookies;
///
/// #[get("/whoami")]
/// fn whoami(cookies: Cookies) -> String {
///     cookies.get("session").unwrap_or("anonymous").to_string()
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![whoami]))?;
/// let res = client.get("/whoami").header("Cookie", "theme=dark; session=abc").send();
/// assert_eq!(res.text(), "abc");
/// assert_eq!(client.get("/whoami").send().text(), "anonymous");
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cookies(HashMap<String, String>);

impl Cookies {
    /// Parses `Cookie` field values: `name=value` pairs separated by `;`.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut map = HashMap::new();
        for value in values {
            let Ok(text) = std::str::from_utf8(value) else {
                continue;
            };
            for pair in text.split(';') {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                let name = name.trim();
                // A cookie value may be quoted (RFC 6265 §4.1.1).
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                if !name.is_empty() && name.bytes().all(crate::http::token::is_tchar) {
                    map.entry(name.to_string())
                        .or_insert_with(|| value.to_string());
                }
            }
        }
        Self(map)
    }

    /// The value of cookie `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Number of cookies.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromRequestParts for Cookies {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        Ok(Self::parse(req.headers().get_all("cookie")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_split_on_semicolons_and_skip_junk() {
        let c = Cookies::parse([&b"a=1; b=\"two\"; junk; =x; a=3"[..], b"c=4"]);
        assert_eq!(
            (c.get("a"), c.get("b"), c.get("c"), c.len()),
            (Some("1"), Some("two"), Some("4"), 3)
        );
    }
}
