//! Extractors: typed values a handler takes as arguments, built from the request.
//!
//! Two traits, so that at most one argument can read the body, checked by the compiler:
//! [`FromRequestParts`] sees the request head (any number of arguments may use it), and
//! [`FromRequest`] may consume the body (only the last argument is extracted with it). Every
//! `FromRequestParts` type is also a `FromRequest` one, so a head-only extractor can come last too.
//!
//! Arguments named like a `:param` of the route path are not extractors: they are parsed from the
//! percent-decoded segment with [`FromStr`](std::str::FromStr), and a value that does not parse is
//! a `400` naming the parameter.

mod body;
mod context;
mod extension;
mod form;
pub(crate) mod generated;
mod headers;
mod json;
mod parts;
mod path;
mod query;
mod state;
mod urlencoded;

pub use context::{RequestContext, Requirements, RouteMeta, Routing};
pub use extension::Extension;
pub use form::Form;
pub use headers::{names, Cookies, Header, HeaderName, Headers, LastEventId};
pub use json::Json;
pub use parts::{RemoteAddr, Uri};
pub use path::path_param;
pub use path::{FromParam, InvalidParam};
pub use query::Query;
pub use state::State;
pub(crate) use state::StateMap;
pub use urlencoded::{from_str as from_urlencoded, UrlencodedError, UrlencodedErrorKind};

use crate::http::Request;
use crate::respond::IntoResponse;

/// The essence of a media type (RFC 9110 §8.3.1): `type/subtype`, lowercased, parameters dropped.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// An extractor that needs only the request head (method, target, fields, path parameters,
/// state). Any number of a handler's arguments may be such extractors.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument here",
    label = "not a path parameter, and not an extractor of the request head",
    note = "an argument named like a `:param` of the route path is parsed with `FromStr`; any other argument but the last is an extractor of the request head: `Query<T>`, `State<T>` (a value registered with `App::manage`), `Header<N>`, `Headers`, `Cookies`, `Method`, `Uri`, `RemoteAddr`, `ClientAddr`, `RequestId`, `Extension<T>` (a value a middleware attached), an `Option` or `Result` of one, or your own type implementing `framework::FromRequestParts`",
    note = "if `{Self}` is shared state registered with `App::manage`, take `State<{Self}>`"
)]
pub trait FromRequestParts: Sized {
    /// What the client gets when extraction fails.
    type Rejection: IntoResponse;

    /// Builds the value from the request head.
    ///
    /// # Errors
    /// The rejection, turned into the response by the caller.
    fn from_request_parts(req: &Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection>;

    /// Declares what the extractor needs from the application (see [`Requirements`]).
    fn requirements(_needs: &mut Requirements) {}
}

/// Markers that keep the blanket implementation of [`FromRequest`] for every
/// [`FromRequestParts`] type apart from body extractors.
pub mod marker {
    /// The extractor reads the body.
    #[derive(Debug)]
    pub enum ViaRequest {}
    /// The extractor only reads the head.
    #[derive(Debug)]
    pub enum ViaParts {}
}

/// An extractor that may consume the request body. Only a handler's last argument is extracted
/// with this trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not a path parameter, and not an extractor",
    note = "an argument named like a `:param` of the route path is parsed with `FromStr`; the last argument, if it is not one, is an extractor: one that reads the body (`Json<T>`, `Form<T>`, `String`, `Vec<u8>`, `Body`, `Request`), one of the request head (`Query<T>`, `State<T>` for a value registered with `App::manage`, `Header<N>`, `Headers`, `Cookies`, `Method`, `Uri`, `RemoteAddr`, `ClientAddr`, `RequestId`, `Extension<T>`), an `Option` or `Result` of one, or your own type implementing `framework::FromRequest` or `framework::FromRequestParts`",
    note = "if `{Self}` is shared state registered with `App::manage`, take `State<{Self}>`"
)]
pub trait FromRequest<M = marker::ViaRequest>: Sized {
    /// What the client gets when extraction fails.
    type Rejection: IntoResponse;

    /// Builds the value from the request, body included.
    ///
    /// # Errors
    /// The rejection, turned into the response by the caller.
    fn from_request(req: &mut Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection>;

    /// Declares what the extractor needs from the application (see [`Requirements`]).
    fn requirements(_needs: &mut Requirements) {}
}

// Hidden from diagnostics, so that a last argument that is no extractor at all is reported with
// `FromRequest`'s message, without the `ViaParts` marker.
#[diagnostic::do_not_recommend]
impl<T: FromRequestParts> FromRequest<marker::ViaParts> for T {
    type Rejection = T::Rejection;

    fn from_request(req: &mut Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection> {
        T::from_request_parts(req, cx)
    }

    fn requirements(needs: &mut Requirements) {
        T::requirements(needs);
    }
}

/// `Option<T>`: `None` instead of a rejection, for a value the handler can do without.
impl<T: FromRequestParts> FromRequestParts for Option<T> {
    type Rejection = std::convert::Infallible;

    fn from_request_parts(req: &Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection> {
        Ok(T::from_request_parts(req, cx).ok())
    }
}

/// `Result<T, T::Rejection>`: the handler sees the rejection and decides what to answer.
impl<T: FromRequestParts> FromRequestParts for Result<T, T::Rejection> {
    type Rejection = std::convert::Infallible;

    fn from_request_parts(req: &Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection> {
        Ok(T::from_request_parts(req, cx))
    }
}

/// `Option<T>` for a body extractor.
impl<T: FromRequest> FromRequest for Option<T> {
    type Rejection = std::convert::Infallible;

    fn from_request(req: &mut Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection> {
        Ok(T::from_request(req, cx).ok())
    }
}

/// `Result<T, T::Rejection>` for a body extractor.
impl<T: FromRequest> FromRequest for Result<T, T::Rejection> {
    type Rejection = std::convert::Infallible;

    fn from_request(req: &mut Request, cx: &RequestContext<'_>) -> Result<Self, Self::Rejection> {
        Ok(T::from_request(req, cx))
    }
}
