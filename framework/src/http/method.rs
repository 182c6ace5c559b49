use std::fmt;
use std::str::FromStr;

/// A request method (RFC 9110 §9): the standard ones, or any other token as an extension.
///
/// ```
/// use framework::Method;
/// assert_eq!("GET".parse::<Method>(), Ok(Method::Get));
/// assert_eq!("PURGE".parse::<Method>().map(|m| m.to_string()), Ok("PURGE".to_string()));
/// // Methods are case-sensitive: `get` is an extension method, not GET.
/// assert_ne!("get".parse::<Method>(), Ok(Method::Get));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH` (RFC 5789)
    Patch,
    /// Any other method token.
    Extension(Box<str>),
}

/// Why a string is not a method: it is empty or holds a byte outside RFC 9110's `tchar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidMethod;

impl fmt::Display for InvalidMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a method must be a non-empty token (RFC 9110 §9.1)")
    }
}

impl std::error::Error for InvalidMethod {}

impl Method {
    /// Turns a token already checked by the parser into a method, without allocating for the
    /// standard ones.
    pub(crate) fn from_token(token: &[u8]) -> Self {
        match token {
            b"GET" => Self::Get,
            b"HEAD" => Self::Head,
            b"POST" => Self::Post,
            b"PUT" => Self::Put,
            b"DELETE" => Self::Delete,
            b"CONNECT" => Self::Connect,
            b"OPTIONS" => Self::Options,
            b"TRACE" => Self::Trace,
            b"PATCH" => Self::Patch,
            other => Self::Extension(String::from_utf8_lossy(other).into()),
        }
    }

    /// The method name as sent on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
            Self::Connect => "CONNECT",
            Self::Options => "OPTIONS",
            Self::Trace => "TRACE",
            Self::Patch => "PATCH",
            Self::Extension(name) => name,
        }
    }
}

impl FromStr for Method {
    type Err = InvalidMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || !s.bytes().all(crate::http::token::is_tchar) {
            return Err(InvalidMethod);
        }
        Ok(Self::from_token(s.as_bytes()))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
