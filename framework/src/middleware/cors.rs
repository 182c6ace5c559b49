//! CORS: answers preflight requests and marks the responses a browser may hand to scripts of
//! another origin, following the CORS protocol of the Fetch standard (§3.2).
//!
//! The middleware only decides which headers go out; the browser enforces them. A request without
//! `Origin` is not a CORS request and passes through (gaining `Vary: Origin`, see below).
//!
//! # Preflight
//!
//! An `OPTIONS` request with `Origin` and `Access-Control-Request-Method` is a preflight:
//!
//! | Origin      | method and headers asked for | answer                                            |
//! |-------------|------------------------------|---------------------------------------------------|
//! | allowed     | allowed                      | `204` with the `Access-Control-Allow-*` headers, early (the app does not see it) |
//! | allowed     | not allowed                  | `403`, early, with no `Access-Control-*` header: the browser fails the request |
//! | not allowed | (not looked at)              | passed on to the app (its `OPTIONS` or `404` answer), no `Access-Control-*` header |
//!
//! An `OPTIONS` request without `Access-Control-Request-Method` is an actual request.
//!
//! # Actual requests
//!
//! Every response to a request from an allowed origin, error responses included (a `404`, a `401`
//! of an inner middleware, a handler's panic), gets `Access-Control-Allow-Origin`, and
//! `Access-Control-Allow-Credentials: true` and `Access-Control-Expose-Headers` when configured. A
//! request from another origin gets none of them.
//!
//! # `Vary`
//!
//! When the answer depends on `Origin` (always, unless any origin is allowed), every response gets
//! `Origin` in `Vary`, requests without `Origin` included, so a shared cache cannot hand one
//! origin's answer to another. A preflight answer also varies on `Access-Control-Request-Method`
//! and `Access-Control-Request-Headers`. The names are merged into an existing `Vary` (none
//! repeated, nothing removed; a `Vary: *` is left alone).
//!
//! With [`Cors::allow_any_origin`] the answer is the same for everyone: every response, with or
//! without `Origin`, carries `Access-Control-Allow-Origin: *` (the Fetch standard's advice for a
//! static answer, §3.2.5), and no `Vary: Origin` is needed.

use super::fields::{add_vary, list_elements, VaryNames};
use super::{Middleware, Next};
use crate::error::Error;
use crate::extract::RequestContext;
use crate::http::token::is_tchar;
use crate::http::{HeaderMap, Method, Request, Response, StatusCode};
use crate::respond::IntoResponse;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

const ORIGIN: &str = "Origin";
const REQUEST_METHOD: &str = "Access-Control-Request-Method";
const REQUEST_HEADERS: &str = "Access-Control-Request-Headers";
const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";
const ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
const ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
const EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
const MAX_AGE: &str = "Access-Control-Max-Age";

/// The methods allowed unless [`Cors::allow_methods`] says otherwise: those a REST API answers.
const DEFAULT_METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// The request headers allowed unless [`Cors::allow_headers`] says otherwise: a JSON body's
/// `Content-Type` is what makes most `PUT`/`PATCH`/`POST` calls preflighted.
const DEFAULT_HEADERS: [&str; 1] = ["content-type"];

const VARY_ORIGIN: VaryNames = VaryNames {
    names: &[ORIGIN],
    joined: "Origin",
};
const VARY_PREFLIGHT: VaryNames = VaryNames {
    names: &[ORIGIN, REQUEST_METHOD, REQUEST_HEADERS],
    joined: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
};
const VARY_PREFLIGHT_ANY_ORIGIN: VaryNames = VaryNames {
    names: &[REQUEST_METHOD, REQUEST_HEADERS],
    joined: "Access-Control-Request-Method, Access-Control-Request-Headers",
};

/// Why a CORS configuration was refused (by [`Cors::validate`], and so by
/// [`App::build`](crate::App::build) as a [`BuildError::Middleware`](crate::BuildError::Middleware)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CorsError {
    /// No origin is allowed: the middleware would refuse every cross-origin request.
    NoOriginAllowed,
    /// `*` in the list of origins, where only exact origins go.
    WildcardInOriginList,
    /// An entry of the origin list is not a serialized origin, so it can never match.
    InvalidOrigin(String),
    /// A method is neither a token (RFC 9110 §9.1) nor `*`.
    InvalidMethod(String),
    /// An allowed or exposed header name is neither a token (RFC 9110 §5.1) nor `*`.
    InvalidHeaderName(String),
    /// Credentials with any origin: the Fetch standard forbids `*` with credentials.
    CredentialsWithAnyOrigin,
    /// Credentials with `*` as an allowed method, which then means the method named `*`.
    CredentialsWithWildcardMethod,
    /// Credentials with `*` as an allowed header, which then means the header named `*`.
    CredentialsWithWildcardHeader,
    /// Credentials with `*` as an exposed header, which then means the header named `*`.
    CredentialsWithWildcardExposedHeader,
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoOriginAllowed => f.write_str(
                "no origin is allowed: call allow_origin, allow_origins, allow_origin_fn or allow_any_origin",
            ),
            Self::WildcardInOriginList => {
                f.write_str("`*` is not an origin: use allow_any_origin to allow every origin")
            }
            Self::InvalidOrigin(origin) => write!(
                f,
                "`{origin}` is not a serialized origin such as `https://example.com` or `http://localhost:5173` (lowercase scheme and host, no path, no trailing slash, no default port), so it would never match"
            ),
            Self::InvalidMethod(method) => write!(f, "`{method}` is not a method token"),
            Self::InvalidHeaderName(name) => write!(f, "`{name}` is not a header name"),
            Self::CredentialsWithAnyOrigin => f.write_str(
                "credentials cannot be allowed for any origin (`*` never goes with credentials): list the origins",
            ),
            Self::CredentialsWithWildcardMethod => f.write_str(
                "credentials cannot be allowed with `*` as a method: list the methods or use allow_any_method",
            ),
            Self::CredentialsWithWildcardHeader => f.write_str(
                "credentials cannot be allowed with `*` as a request header: list the headers or use allow_any_header",
            ),
            Self::CredentialsWithWildcardExposedHeader => f.write_str(
                "credentials cannot be allowed with `*` as an exposed header: list the headers",
            ),
        }
    }
}

impl std::error::Error for CorsError {}

/// Names as configured, with the header value they make, joined once when configured.
#[derive(Debug, Clone)]
struct NameList {
    names: Vec<Box<str>>,
    joined: Box<str>,
    /// Whether `*` is one of the names.
    wildcard: bool,
}

impl NameList {
    fn new<I>(items: I) -> Self
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        Self::from_names(
            items
                .into_iter()
                .map(|item| item.to_string().trim().into())
                .collect(),
        )
    }

    /// The non-generic rest of [`NameList::new`], compiled once.
    fn from_names(names: Vec<Box<str>>) -> Self {
        let joined = names
            .iter()
            .map(|n| &**n)
            .collect::<Vec<_>>()
            .join(", ")
            .into();
        let wildcard = names.iter().any(|n| &**n == "*");
        Self {
            names,
            joined,
            wildcard,
        }
    }

    fn contains_ignore_case(&self, name: &[u8]) -> bool {
        self.names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
    }

    fn first_invalid(&self) -> Option<&str> {
        self.names
            .iter()
            .map(|n| &**n)
            .find(|n| *n != "*" && !is_token(n.as_bytes()))
    }
}

/// Which methods or request headers a preflight may ask for.
#[derive(Debug, Clone)]
enum Allowed {
    /// These (`*` among them is the Fetch standard's wildcard).
    List(NameList),
    /// Whatever the preflight asks for, echoed back.
    Mirror,
}

impl Allowed {
    fn wildcard(&self) -> bool {
        matches!(self, Self::List(list) if list.wildcard)
    }
}

type OriginFn = dyn Fn(&str) -> bool + Send + Sync;

/// The CORS middleware: which origins may read responses, with which methods, request headers
/// and credentials. See the [module docs](crate::middleware::cors) for what it answers.
///
/// Builder methods never fail; [`Cors::validate`] (which [`App::build`](crate::App::build) calls)
/// reports an inconsistent configuration, such as credentials with any origin.
///
/// Defaults ([`Cors::new`]): no origin (add some), methods `GET, HEAD, POST, PUT, PATCH, DELETE`,
/// request header `content-type`, no credentials, no exposed headers, no `Access-Control-Max-Age`.
///
/// ```
/// use framework::middleware::Cors;
/// use framework::{put, routes, test::TestClient, App};
/// use std::time::Duration;
///
/// #[put("/todos/:id")]
/// fn save(id: u32) -> String {
///     format!("saved {id}")
/// }
///
/// let cors = Cors::new()
///     .allow_origin("http://localhost:5173")
///     .allow_headers(["content-type", "authorization"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600));
/// let client = TestClient::new(App::new().wrap(cors).mount("/", routes![save]))?;
///
/// // The browser asks first...
/// let preflight = client
///     .options("/todos/7")
///     .header("Origin", "http://localhost:5173")
///     .header("Access-Control-Request-Method", "PUT")
///     .header("Access-Control-Request-Headers", "content-type")
///     .send();
/// assert_eq!(preflight.status().as_u16(), 204);
/// assert_eq!(preflight.header("access-control-allow-origin"), Some("http://localhost:5173"));
/// assert_eq!(preflight.header("access-control-allow-credentials"), Some("true"));
/// assert_eq!(preflight.header("access-control-max-age"), Some("600"));
///
/// // ...then sends the request, whose answer it hands to the page.
/// let res = client.put("/todos/7").header("Origin", "http://localhost:5173").send();
/// assert_eq!(res.text(), "saved 7");
/// assert_eq!(res.header("access-control-allow-origin"), Some("http://localhost:5173"));
/// assert_eq!(res.header("vary"), Some("Origin"));
///
/// // Another origin gets no CORS headers: its browser keeps the answer from the page.
/// let res = client.put("/todos/7").header("Origin", "https://evil.example").send();
/// assert_eq!(res.header("access-control-allow-origin"), None);
///
/// // Credentials with any origin are refused when the app is built.
/// let bad = Cors::new().allow_any_origin().allow_credentials(true);
/// assert!(TestClient::new(App::new().wrap(bad)).is_err());
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct Cors {
    any_origin: bool,
    origins: Vec<Box<str>>,
    origin_fn: Option<Arc<OriginFn>>,
    methods: Allowed,
    headers: Allowed,
    expose: NameList,
    credentials: bool,
    /// `Access-Control-Max-Age` in seconds, formatted once.
    max_age: Option<Box<str>>,
}

impl Default for Cors {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("any_origin", &self.any_origin)
            .field("origins", &self.origins)
            .field("origin_fn", &self.origin_fn.is_some())
            .field("methods", &self.methods)
            .field("headers", &self.headers)
            .field("expose", &self.expose.names)
            .field("credentials", &self.credentials)
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl Cors {
    /// A configuration that allows no origin yet, with the defaults listed on [`Cors`].
    pub fn new() -> Self {
        Self {
            any_origin: false,
            origins: Vec::new(),
            origin_fn: None,
            methods: Allowed::List(NameList::new(DEFAULT_METHODS)),
            headers: Allowed::List(NameList::new(DEFAULT_HEADERS)),
            expose: NameList::new(std::iter::empty::<&str>()),
            credentials: false,
            max_age: None,
        }
    }

    /// Allows one origin, compared exactly with the request's `Origin` as the browser serializes
    /// it: `scheme://host[:port]`, lowercase, without a default port or a trailing slash (e.g.
    /// `http://localhost:5173`). Adds to the origins allowed so far.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into().into_boxed_str());
        self
    }

    /// Allows several origins, as [`Cors::allow_origin`] does for one.
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.origins
            .extend(origins.into_iter().map(|o| o.into().into_boxed_str()));
        self
    }

    /// Allows the origins for which `allowed` returns `true` (given the request's `Origin`, e.g.
    /// `https://pr-42.preview.example.com`), besides those listed. Replaces an earlier function.
    /// The answer names the origin itself, so this works with credentials: make the test strict.
    pub fn allow_origin_fn<F>(mut self, allowed: F) -> Self
    where
        F: Fn(&str) -> bool + Send + Sync + 'static,
    {
        self.origin_fn = Some(Arc::new(allowed));
        self
    }

    /// Allows every origin, answering `Access-Control-Allow-Origin: *` (the list and function
    /// are then not consulted). Cannot go with credentials.
    pub fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self
    }

    /// Sets the methods a preflight may ask for (`Method`s or strings), replacing the default
    /// `GET, HEAD, POST, PUT, PATCH, DELETE`. Methods are case-sensitive. `*` allows any method,
    /// but only without credentials (Fetch standard).
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        self.methods = Allowed::List(NameList::new(methods));
        self
    }

    /// Allows whatever method a preflight asks for, naming it in the answer (works with
    /// credentials).
    pub fn allow_any_method(mut self) -> Self {
        self.methods = Allowed::Mirror;
        self
    }

    /// Sets the request headers a preflight may ask for, replacing the default `content-type`;
    /// compared case-insensitively. `*` allows any header but `Authorization`, and only without
    /// credentials (Fetch standard).
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        self.headers = Allowed::List(NameList::new(headers));
        self
    }

    /// Allows whatever request headers a preflight asks for, naming them in the answer (works
    /// with credentials).
    pub fn allow_any_header(mut self) -> Self {
        self.headers = Allowed::Mirror;
        self
    }

    /// Lets the browser send credentials (cookies, HTTP authentication) and hand the answer to
    /// the page: `Access-Control-Allow-Credentials: true`. Off by default.
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long a browser may cache a preflight answer (`Access-Control-Max-Age`, whole seconds;
    /// browsers cap it, Chromium at two hours).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age.as_secs().to_string().into_boxed_str());
        self
    }

    /// Sets the response headers, beyond the CORS-safelisted ones, that scripts may read
    /// (`Access-Control-Expose-Headers`). `*` exposes all, but only without credentials.
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        self.expose = NameList::new(headers);
        self
    }

    /// Checks that the configuration is consistent and can match anything.
    ///
    /// ```
    /// use framework::middleware::{Cors, CorsError};
    /// let cors = Cors::new().allow_origin("http://localhost:5173/");
    /// assert_eq!(cors.validate(), Err(CorsError::InvalidOrigin("http://localhost:5173/".into())));
    /// let cors = Cors::new().allow_origin("http://localhost:5173").allow_headers(["x-token"]);
    /// assert_eq!(cors.validate(), Ok(()));
    /// ```
    ///
    /// # Errors
    /// The first [`CorsError`] found.
    pub fn validate(&self) -> Result<(), CorsError> {
        if !self.any_origin && self.origins.is_empty() && self.origin_fn.is_none() {
            return Err(CorsError::NoOriginAllowed);
        }
        if !self.any_origin {
            for origin in &self.origins {
                check_origin(origin)?;
            }
        }
        if let Allowed::List(methods) = &self.methods {
            if let Some(bad) = methods.first_invalid() {
                return Err(CorsError::InvalidMethod(bad.to_string()));
            }
        }
        let header_lists = [
            match &self.headers {
                Allowed::List(list) => Some(list),
                Allowed::Mirror => None,
            },
            Some(&self.expose),
        ];
        if let Some(bad) = header_lists
            .iter()
            .flatten()
            .find_map(|l| l.first_invalid())
        {
            return Err(CorsError::InvalidHeaderName(bad.to_string()));
        }
        if self.credentials {
            if self.any_origin {
                return Err(CorsError::CredentialsWithAnyOrigin);
            }
            if self.methods.wildcard() {
                return Err(CorsError::CredentialsWithWildcardMethod);
            }
            if self.headers.wildcard() {
                return Err(CorsError::CredentialsWithWildcardHeader);
            }
            if self.expose.wildcard {
                return Err(CorsError::CredentialsWithWildcardExposedHeader);
            }
        }
        Ok(())
    }

    /// Whether `origin` may read answers, and what to name it in `Access-Control-Allow-Origin`.
    fn match_origin(&self, origin: &RequestOrigin<'_>) -> Option<AllowedOrigin<'_>> {
        if self.any_origin {
            return Some(AllowedOrigin::Any);
        }
        let RequestOrigin::Value(origin) = *origin else {
            return None;
        };
        if let Some(listed) = self.origins.iter().find(|o| ***o == *origin) {
            return Some(AllowedOrigin::Listed(listed));
        }
        match &self.origin_fn {
            Some(allowed) if allowed(origin) => Some(AllowedOrigin::Accepted(origin.to_string())),
            _ => None,
        }
    }

    /// Adds the headers of an actual request's answer.
    fn mark_actual(&self, headers: &mut HeaderMap, origin: &AllowedOrigin<'_>) {
        let _ = headers.insert(ALLOW_ORIGIN, origin.value());
        if self.credentials {
            let _ = headers.insert(ALLOW_CREDENTIALS, "true");
        }
        if !self.expose.names.is_empty() {
            let _ = headers.insert(EXPOSE_HEADERS, &*self.expose.joined);
        }
        if !matches!(origin, AllowedOrigin::Any) {
            add_vary(headers, &VARY_ORIGIN);
        }
    }

    /// Answers a preflight from an allowed origin.
    fn preflight(&self, req: &Request, origin: &AllowedOrigin<'_>) -> Response {
        let vary = match origin {
            AllowedOrigin::Any => &VARY_PREFLIGHT_ANY_ORIGIN,
            AllowedOrigin::Listed(_) | AllowedOrigin::Accepted(_) => &VARY_PREFLIGHT,
        };
        let refuse = |message: String| {
            let mut res = Error::forbidden(message).into_response();
            add_vary(res.headers_mut(), vary);
            res
        };
        let headers = req.headers();
        let method = match headers.get_bytes(REQUEST_METHOD) {
            Some(m) if is_token(m) => m,
            _ => {
                return refuse(
                    "CORS preflight: Access-Control-Request-Method is not a method".into(),
                )
            }
        };
        let method_ok = match &self.methods {
            Allowed::Mirror => true,
            Allowed::List(list) => {
                list.wildcard || list.names.iter().any(|n| n.as_bytes() == method)
            }
        };
        if !method_ok {
            return refuse(format!(
                "CORS preflight: method `{}` is not allowed",
                String::from_utf8_lossy(method)
            ));
        }
        for name in requested_headers(headers) {
            let allowed = match &self.headers {
                _ if !is_token(name) => false,
                Allowed::Mirror => true,
                // Fetch standard: the wildcard does not cover `Authorization`.
                Allowed::List(list) => {
                    list.contains_ignore_case(name)
                        || (list.wildcard && !name.eq_ignore_ascii_case(b"authorization"))
                }
            };
            if !allowed {
                return refuse(format!(
                    "CORS preflight: request header `{}` is not allowed",
                    String::from_utf8_lossy(name)
                ));
            }
        }

        let mut res = Response::new(StatusCode::NO_CONTENT);
        let out = res.headers_mut();
        let _ = out.insert(ALLOW_ORIGIN, origin.value());
        if self.credentials {
            let _ = out.insert(ALLOW_CREDENTIALS, "true");
        }
        match &self.methods {
            Allowed::Mirror => {
                let _ = out.insert(ALLOW_METHODS, method);
            }
            Allowed::List(list) => {
                let _ = out.insert(ALLOW_METHODS, &*list.joined);
            }
        }
        match &self.headers {
            Allowed::Mirror => {
                let mut mirrored = Vec::new();
                for name in requested_headers(headers) {
                    if !mirrored.is_empty() {
                        mirrored.extend_from_slice(b", ");
                    }
                    mirrored.extend_from_slice(name);
                }
                if !mirrored.is_empty() {
                    let _ = out.insert(ALLOW_HEADERS, mirrored);
                }
            }
            Allowed::List(list) if !list.names.is_empty() => {
                let _ = out.insert(ALLOW_HEADERS, &*list.joined);
            }
            Allowed::List(_) => {}
        }
        if let Some(max_age) = &self.max_age {
            let _ = out.insert(MAX_AGE, &**max_age);
        }
        add_vary(out, vary);
        res
    }
}

impl Middleware for Cors {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        let origin = request_origin(req.headers());
        if let RequestOrigin::Absent = origin {
            // Not a CORS request; only the static `*` answer goes on it (see the module docs).
            let mut res = next.run(req);
            if self.any_origin {
                self.mark_actual(res.headers_mut(), &AllowedOrigin::Any);
            } else {
                add_vary(res.headers_mut(), &VARY_ORIGIN);
            }
            return res;
        }
        let Some(allowed) = self.match_origin(&origin) else {
            let mut res = next.run(req);
            add_vary(res.headers_mut(), &VARY_ORIGIN);
            return res;
        };
        if *req.method() == Method::Options && req.headers().contains(REQUEST_METHOD) {
            return self.preflight(req, &allowed);
        }
        let mut res = next.run(req);
        self.mark_actual(res.headers_mut(), &allowed);
        res
    }

    fn check(&self) -> Result<(), String> {
        self.validate().map_err(|e| e.to_string())
    }

    fn name(&self) -> &str {
        "Cors"
    }
}

/// The request's `Origin` field.
enum RequestOrigin<'r> {
    /// None: not a CORS request.
    Absent,
    /// Exactly one, as text.
    Value(&'r str),
    /// Repeated, or not UTF-8: matches no listed origin.
    Unmatchable,
}

fn request_origin(headers: &HeaderMap) -> RequestOrigin<'_> {
    let mut values = headers.get_all(ORIGIN);
    let Some(first) = values.next() else {
        return RequestOrigin::Absent;
    };
    if values.next().is_some() {
        return RequestOrigin::Unmatchable;
    }
    std::str::from_utf8(first).map_or(RequestOrigin::Unmatchable, RequestOrigin::Value)
}

/// What `Access-Control-Allow-Origin` says.
enum AllowedOrigin<'c> {
    /// `*`.
    Any,
    /// A configured origin (equal to the request's).
    Listed(&'c str),
    /// The request's origin, accepted by the configured function.
    Accepted(String),
}

impl AllowedOrigin<'_> {
    fn value(&self) -> &str {
        match self {
            Self::Any => "*",
            Self::Listed(origin) => origin,
            Self::Accepted(origin) => origin,
        }
    }
}

/// The names in every `Access-Control-Request-Headers` field: a comma-separated list, empty
/// elements skipped (RFC 9110 §5.6.1).
fn requested_headers(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> + '_ {
    list_elements(headers.get_all(REQUEST_HEADERS))
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Checks that a listed origin is an origin as a browser serializes it (HTML's "serialization
/// of an origin"): `null`, or `scheme "://" host [ ":" port ]` in lowercase ASCII, the port
/// without leading zeros and not the scheme's default.
fn check_origin(origin: &str) -> Result<(), CorsError> {
    if origin == "*" {
        return Err(CorsError::WildcardInOriginList);
    }
    if origin == "null" || is_serialized_origin(origin) {
        Ok(())
    } else {
        Err(CorsError::InvalidOrigin(origin.to_string()))
    }
}

fn is_serialized_origin(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    let scheme_ok = scheme_bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && scheme_bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'+' | b'-' | b'.'));
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        // An IPv6 literal: `[` hex digits, colons and dots `]`.
        let Some((inner, after)) = rest.split_once(']') else {
            return false;
        };
        let inner_ok = !inner.is_empty()
            && inner
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b':' | b'.'));
        if !inner_ok {
            return false;
        }
        match after {
            "" => (inner, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (inner, Some(port)),
                None => return false,
            },
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && (authority.starts_with('[')
            || host
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_')));
    let port_ok = match port {
        None => true,
        Some(port) => {
            let default = match scheme {
                "http" | "ws" => Some(80),
                "https" | "wss" => Some(443),
                _ => None,
            };
            port.parse::<u16>()
                .is_ok_and(|n| n.to_string() == port && Some(n) != default)
        }
    };
    scheme_ok && host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{Route, RouteInfo};
    use crate::test::{TestClient, TestResponse};
    use crate::{App, BuildError};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const SITE: &str = "http://localhost:5173";
    const OTHER: &str = "https://evil.example";

    fn ok(_: &mut Request, _: &RequestContext<'_>) -> Response {
        Response::text("ok")
    }

    fn varies_on_accept(_: &mut Request, _: &RequestContext<'_>) -> Response {
        let mut res = Response::text("ok");
        let _ = res.headers_mut().append("Vary", "Accept-Encoding");
        let _ = res.headers_mut().append("Vary", "accept");
        res
    }

    fn varies_on_everything(_: &mut Request, _: &RequestContext<'_>) -> Response {
        let mut res = Response::text("ok");
        let _ = res.headers_mut().append("Vary", "*");
        res
    }

    fn panics(_: &mut Request, _: &RequestContext<'_>) -> Response {
        panic!("handler bug")
    }

    fn route(
        methods: &'static [&'static str],
        path: &'static str,
        handler: fn(&mut Request, &RequestContext<'_>) -> Response,
    ) -> Route {
        let info = RouteInfo {
            methods,
            path,
            name: path,
            file: file!(),
            line: line!(),
            body_limit: None,
        };
        Route::from_generated(&info, handler, |_| {})
    }

    /// An app with `cors` outermost, then a guard answering `401` to `/private` without a token.
    fn client(cors: Cors) -> Result<TestClient, BuildError> {
        fn guard(req: &mut Request, _: &RequestContext<'_>, next: Next<'_>) -> Response {
            if req.path() == "/private" && !req.headers().contains("x-token") {
                return Error::unauthorized("log in first").into_response();
            }
            next.run(req)
        }
        let routes = vec![
            route(&["GET", "PUT", "DELETE"], "/items", ok),
            route(&["GET"], "/private", ok),
            route(&["GET"], "/vary", varies_on_accept),
            route(&["GET"], "/vary-star", varies_on_everything),
            route(&["GET"], "/panic", panics),
        ];
        TestClient::new(App::new().wrap(cors).wrap(guard).mount("/", routes))
    }

    fn site_cors() -> Cors {
        Cors::new()
            .allow_origin(SITE)
            .allow_headers(["Content-Type", "X-Token"])
            .allow_credentials(true)
            .expose_headers(["X-Request-Id", "ETag"])
            .max_age(Duration::from_secs(600))
    }

    fn preflight(
        client: &TestClient,
        origin: &str,
        method: &str,
        headers: Option<&str>,
    ) -> TestResponse {
        let mut req = client
            .options("/items")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method);
        if let Some(headers) = headers {
            req = req.header("Access-Control-Request-Headers", headers);
        }
        req.send()
    }

    /// The CORS fields of a response, in a fixed order, absent ones as `None`.
    fn cors_fields(res: &TestResponse) -> [Option<&str>; 6] {
        [
            ALLOW_ORIGIN,
            ALLOW_CREDENTIALS,
            ALLOW_METHODS,
            ALLOW_HEADERS,
            MAX_AGE,
            EXPOSE_HEADERS,
        ]
        .map(|name| res.header(name))
    }

    const NONE: [Option<&str>; 6] = [None; 6];

    #[test]
    fn a_preflight_from_an_allowed_origin_is_answered_early_with_every_allow_field() -> TestResult {
        let client = client(site_cors())?;
        let cases: [(&str, Option<&str>); 4] = [
            ("PUT", Some("content-type")),
            ("DELETE", Some("x-token, content-type")),
            ("PUT", Some("X-TOKEN")),
            ("PUT", None),
        ];
        for (method, headers) in cases {
            let res = preflight(&client, SITE, method, headers);
            assert_eq!(res.status().as_u16(), 204, "{method} {headers:?}");
            assert_eq!(
                cors_fields(&res),
                [
                    Some(SITE),
                    Some("true"),
                    Some("GET, HEAD, POST, PUT, PATCH, DELETE"),
                    Some("Content-Type, X-Token"),
                    Some("600"),
                    None,
                ],
                "{method} {headers:?}"
            );
            assert_eq!(
                res.header("vary"),
                Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
            );
            // The app's automatic OPTIONS answer would carry Allow: the app did not run.
            assert_eq!(res.header("allow"), None);
        }
        Ok(())
    }

    #[test]
    fn a_preflight_asking_for_a_method_or_header_not_allowed_gets_403_without_cors_fields(
    ) -> TestResult {
        let client = client(site_cors().allow_methods(["GET", "PUT"]))?;
        let cases: [(&str, Option<&str>); 5] = [
            ("DELETE", None),
            ("put", None), // methods are case-sensitive
            ("PUT", Some("content-type, x-secret")),
            ("PUT", Some("bad header")),
            ("", None),
        ];
        for (method, headers) in cases {
            let res = preflight(&client, SITE, method, headers);
            assert_eq!(res.status().as_u16(), 403, "{method} {headers:?}");
            assert_eq!(cors_fields(&res), NONE, "{method} {headers:?}");
            assert_eq!(
                res.header("vary"),
                Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
            );
        }
        Ok(())
    }

    #[test]
    fn a_preflight_from_another_origin_goes_to_the_app_without_cors_fields() -> TestResult {
        let client = client(site_cors())?;
        for origin in [
            OTHER,
            "http://localhost:5174",
            "http://LOCALHOST:5173",
            "null",
        ] {
            let res = preflight(&client, origin, "PUT", Some("content-type"));
            // The app's automatic OPTIONS answer.
            assert_eq!(res.status().as_u16(), 204, "{origin}");
            assert_eq!(
                res.header("allow"),
                Some("GET, HEAD, PUT, DELETE, OPTIONS"),
                "{origin}"
            );
            assert_eq!(cors_fields(&res), NONE, "{origin}");
            assert_eq!(res.header("vary"), Some("Origin"), "{origin}");
        }
        // On a path with no route, the app's 404.
        let res = client
            .options("/nowhere")
            .header("Origin", OTHER)
            .header("Access-Control-Request-Method", "PUT")
            .send();
        assert_eq!(res.status().as_u16(), 404);
        assert_eq!(cors_fields(&res), NONE);
        Ok(())
    }

    #[test]
    fn options_without_a_request_method_is_an_actual_request() -> TestResult {
        let client = client(site_cors())?;
        let res = client.options("/items").header("Origin", SITE).send();
        assert_eq!(res.status().as_u16(), 204);
        assert!(res.header("allow").is_some(), "the app answered");
        assert_eq!(
            cors_fields(&res),
            [
                Some(SITE),
                Some("true"),
                None,
                None,
                None,
                Some("X-Request-Id, ETag")
            ]
        );
        Ok(())
    }

    #[test]
    fn every_answer_to_an_allowed_origin_is_marked_error_responses_included() -> TestResult {
        let client = client(site_cors())?;
        let marked = [
            Some(SITE),
            Some("true"),
            None,
            None,
            None,
            Some("X-Request-Id, ETag"),
        ];
        let cases = [
            (crate::Method::Get, "/items", 200),
            (crate::Method::Put, "/items", 200),
            (crate::Method::Post, "/items", 405),
            (crate::Method::Get, "/nowhere", 404),
            (crate::Method::Get, "/private", 401),
            (crate::Method::Get, "/panic", 500),
        ];
        for (method, path, status) in cases {
            let res = client
                .request(method.clone(), path)
                .header("Origin", SITE)
                .send();
            assert_eq!(res.status().as_u16(), status, "{method} {path}");
            assert_eq!(cors_fields(&res), marked, "{method} {path}");
            assert_eq!(res.header("vary"), Some("Origin"), "{method} {path}");
        }
        Ok(())
    }

    #[test]
    fn another_origin_and_no_origin_get_no_cors_fields_but_vary_origin() -> TestResult {
        let client = client(site_cors())?;
        let cases: [(&str, Option<&str>); 4] = [
            ("other origin", Some(OTHER)),
            ("a path after the origin", Some("http://localhost:5173/")),
            ("a prefix of the origin", Some("http://localhost:517")),
            ("no origin", None),
        ];
        for (case, origin) in cases {
            let mut req = client.get("/items");
            if let Some(origin) = origin {
                req = req.header("Origin", origin);
            }
            let res = req.send();
            assert_eq!(
                (res.status().as_u16(), res.text()),
                (200, "ok".to_string()),
                "{case}"
            );
            assert_eq!(cors_fields(&res), NONE, "{case}");
            assert_eq!(res.header("vary"), Some("Origin"), "{case}");
        }
        Ok(())
    }

    #[test]
    fn a_repeated_origin_field_matches_nothing() -> TestResult {
        let client = client(site_cors())?;
        let res = client
            .get("/items")
            .header("Origin", SITE)
            .header("Origin", SITE)
            .send();
        assert_eq!(cors_fields(&res), NONE);
        Ok(())
    }

    #[test]
    fn any_origin_answers_a_static_star_to_everyone_without_vary_origin() -> TestResult {
        let client = client(
            Cors::new()
                .allow_any_origin()
                .max_age(Duration::from_secs(60)),
        )?;
        for origin in [Some(SITE), Some(OTHER), Some("null"), None] {
            let mut req = client.get("/items");
            if let Some(origin) = origin {
                req = req.header("Origin", origin);
            }
            let res = req.send();
            assert_eq!(
                cors_fields(&res),
                [Some("*"), None, None, None, None, None],
                "{origin:?}"
            );
            assert_eq!(res.header("vary"), None, "{origin:?}");
        }
        let res = preflight(&client, OTHER, "PATCH", Some("content-type"));
        assert_eq!(res.status().as_u16(), 204);
        assert_eq!(
            cors_fields(&res),
            [
                Some("*"),
                None,
                Some("GET, HEAD, POST, PUT, PATCH, DELETE"),
                Some("content-type"),
                Some("60"),
                None
            ]
        );
        assert_eq!(
            res.header("vary"),
            Some("Access-Control-Request-Method, Access-Control-Request-Headers")
        );
        Ok(())
    }

    #[test]
    fn an_origin_function_accepts_origins_besides_the_list() -> TestResult {
        let cors = Cors::new()
            .allow_origin(SITE)
            .allow_origin_fn(|o| o.starts_with("https://") && o.ends_with(".preview.example.com"))
            .allow_credentials(true);
        let client = client(cors)?;
        let cases = [
            (SITE, Some(SITE)),
            (
                "https://pr-42.preview.example.com",
                Some("https://pr-42.preview.example.com"),
            ),
            ("http://pr-42.preview.example.com", None),
            (OTHER, None),
        ];
        for (origin, expected) in cases {
            let res = client.get("/items").header("Origin", origin).send();
            assert_eq!(res.header(ALLOW_ORIGIN), expected, "{origin}");
            assert_eq!(
                res.header(ALLOW_CREDENTIALS),
                expected.map(|_| "true"),
                "{origin}"
            );
            let res = preflight(&client, origin, "PUT", None);
            assert_eq!(res.header(ALLOW_ORIGIN), expected, "preflight {origin}");
        }
        Ok(())
    }

    #[test]
    fn any_method_and_any_header_mirror_what_the_preflight_asks_for() -> TestResult {
        let cors = Cors::new()
            .allow_origin(SITE)
            .allow_any_method()
            .allow_any_header()
            .allow_credentials(true);
        let client = client(cors)?;
        let res = preflight(&client, SITE, "PURGE", Some("x-b, authorization"));
        assert_eq!(res.status().as_u16(), 204);
        assert_eq!(res.header(ALLOW_METHODS), Some("PURGE"));
        assert_eq!(res.header(ALLOW_HEADERS), Some("x-b, authorization"));
        let res = client
            .options("/items")
            .header("Origin", SITE)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "x-a,")
            .header("Access-Control-Request-Headers", " x-c")
            .send();
        assert_eq!(res.header(ALLOW_HEADERS), Some("x-a, x-c"));
        let res = preflight(&client, SITE, "PUT", None);
        assert_eq!(res.header(ALLOW_HEADERS), None);
        Ok(())
    }

    #[test]
    fn the_header_wildcard_allows_any_header_but_authorization() -> TestResult {
        let cors = Cors::new()
            .allow_any_origin()
            .allow_headers(["*"])
            .allow_methods(["*"]);
        let client = client(cors)?;
        let res = preflight(&client, SITE, "PURGE", Some("x-anything, content-type"));
        assert_eq!(res.status().as_u16(), 204);
        assert_eq!(
            (res.header(ALLOW_METHODS), res.header(ALLOW_HEADERS)),
            (Some("*"), Some("*"))
        );
        let res = preflight(&client, SITE, "GET", Some("authorization"));
        assert_eq!(res.status().as_u16(), 403);
        let client = self::client(
            Cors::new()
                .allow_any_origin()
                .allow_headers(["*", "Authorization"]),
        )?;
        let res = preflight(&client, SITE, "GET", Some("authorization"));
        assert_eq!(res.status().as_u16(), 204);
        Ok(())
    }

    #[test]
    fn vary_is_merged_into_the_existing_field_once() -> TestResult {
        let client = client(site_cors())?;
        for origin in [Some(SITE), Some(OTHER), None] {
            let mut req = client.get("/vary");
            if let Some(origin) = origin {
                req = req.header("Origin", origin);
            }
            let res = req.send();
            let vary: Vec<&[u8]> = res.headers().get_all("vary").collect();
            assert_eq!(
                vary,
                [&b"Accept-Encoding, accept, Origin"[..]],
                "{origin:?}"
            );
            let res = client.get("/vary-star").header("Origin", SITE).send();
            assert_eq!(res.header("vary"), Some("*"));
        }
        Ok(())
    }

    #[test]
    fn add_vary_adds_only_the_missing_names() -> Result<(), crate::HeaderError> {
        let cases: [(&[&str], &str); 6] = [
            (
                &[],
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
            (
                &["origin"],
                "origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
            (
                &["Accept", "ORIGIN, access-control-request-method"],
                "Accept, ORIGIN, access-control-request-method, Access-Control-Request-Headers",
            ),
            (
                &["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"],
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
            (&["*"], "*"),
            (
                &["Accept,,"],
                "Accept, Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        ];
        for (existing, expected) in cases {
            let mut headers = HeaderMap::new();
            for value in existing {
                headers.append("Vary", value)?;
            }
            add_vary(&mut headers, &VARY_PREFLIGHT);
            let vary: Vec<&[u8]> = headers.get_all("vary").collect();
            assert_eq!(vary, [expected.as_bytes()], "{existing:?}");
        }
        Ok(())
    }

    #[test]
    fn inconsistent_configurations_are_refused_with_their_cause() {
        let site = || Cors::new().allow_origin(SITE);
        let cases = [
            (Cors::new(), Some(CorsError::NoOriginAllowed)),
            (
                Cors::new().allow_origin("*"),
                Some(CorsError::WildcardInOriginList),
            ),
            (
                site().allow_origin("http://localhost:5173/"),
                Some(CorsError::InvalidOrigin("http://localhost:5173/".into())),
            ),
            (
                site().allow_methods(["GET", "BAD METHOD"]),
                Some(CorsError::InvalidMethod("BAD METHOD".into())),
            ),
            (
                site().allow_headers(["x-ok", "x:bad"]),
                Some(CorsError::InvalidHeaderName("x:bad".into())),
            ),
            (
                site().expose_headers(["x(bad)"]),
                Some(CorsError::InvalidHeaderName("x(bad)".into())),
            ),
            (
                Cors::new().allow_any_origin().allow_credentials(true),
                Some(CorsError::CredentialsWithAnyOrigin),
            ),
            (
                site().allow_methods(["*"]).allow_credentials(true),
                Some(CorsError::CredentialsWithWildcardMethod),
            ),
            (
                site().allow_headers(["*"]).allow_credentials(true),
                Some(CorsError::CredentialsWithWildcardHeader),
            ),
            (
                site().expose_headers(["*"]).allow_credentials(true),
                Some(CorsError::CredentialsWithWildcardExposedHeader),
            ),
            (
                site()
                    .allow_any_header()
                    .allow_any_method()
                    .allow_credentials(true),
                None,
            ),
            (
                Cors::new()
                    .allow_origin_fn(|_| false)
                    .allow_credentials(true),
                None,
            ),
            (
                Cors::new()
                    .allow_any_origin()
                    .allow_headers(["*"])
                    .expose_headers(["*"]),
                None,
            ),
            (site().allow_methods([Method::Get, Method::Patch]), None),
        ];
        for (cors, expected) in cases {
            assert_eq!(cors.validate().err(), expected, "{cors:?}");
        }
    }

    #[test]
    fn the_app_refuses_to_build_with_a_bad_configuration() {
        let cors = Cors::new().allow_any_origin().allow_credentials(true);
        let err = TestClient::new(App::new().wrap(cors)).err();
        assert_eq!(
            err,
            Some(BuildError::Middleware {
                name: "Cors".into(),
                reason: CorsError::CredentialsWithAnyOrigin.to_string(),
            })
        );
    }

    #[test]
    fn listed_origins_must_be_serialized_origins() {
        let cases = [
            ("http://localhost:5173", true),
            ("https://example.com", true),
            ("http://127.0.0.1:8080", true),
            ("http://[::1]:3000", true),
            ("https://[2001:db8::1]", true),
            ("app+x-y.z://host", true),
            ("null", true),
            ("http://localhost:5173/", false),
            ("http://localhost:5173/app", false),
            ("HTTP://localhost", false),
            ("http://Example.com", false),
            ("http://example.com:80", false),
            ("https://example.com:443", false),
            ("http://example.com:8080x", false),
            ("http://example.com:08080", false),
            ("http://example.com:65536", false),
            ("http://example.com:", false),
            ("http://", false),
            ("http://user@example.com", false),
            ("http://[::1", false),
            ("http://[::1]x", false),
            ("example.com", false),
            ("://example.com", false),
            ("http://exämple.com", false),
        ];
        for (origin, valid) in cases {
            assert_eq!(check_origin(origin).is_ok(), valid, "{origin}");
        }
    }
}
