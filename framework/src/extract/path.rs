//! Path parameters: an argument named like a `:param` is parsed from its percent-decoded segment.

use super::RequestContext;
use crate::error::Error;
use crate::http::Request;
use std::str::FromStr;

/// A type a path parameter can be parsed into: anything that implements [`FromStr`].
#[diagnostic::on_unimplemented(
    message = "path parameter type `{Self}` does not implement `FromStr`",
    label = "this parameter's type cannot be parsed from the path",
    note = "an argument named like a `:param` of the route is parsed with `FromStr`: implement `FromStr` for `{Self}`, or use a type that implements it (`u64`, `String`, `uuid::Uuid`, ...)"
)]
pub trait FromParam: Sized {
    /// Parses the decoded segment.
    ///
    /// # Errors
    /// [`InvalidParam`] when the text is not a valid value.
    fn from_param(text: &str) -> Result<Self, InvalidParam>;
}

/// A path segment that does not parse as the parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidParam;

// Hidden from diagnostics: a type without `FromStr` is then reported with `FromParam`'s own
// message, without rustc's list of every `FromStr` type in scope.
#[diagnostic::do_not_recommend]
impl<T: FromStr> FromParam for T {
    fn from_param(text: &str) -> Result<Self, InvalidParam> {
        text.parse().map_err(|_| InvalidParam)
    }
}

/// Parses path parameter number `index`, named `name`, for a generated handler, with `parse`
/// (`<T as FromParam>::from_param`: the macro names the trait at the argument's type, so that a
/// type without `FromStr` is reported there, not at a bound of this function).
#[doc(hidden)]
pub fn path_param<T>(
    req: &Request,
    cx: &RequestContext<'_>,
    index: usize,
    name: &str,
    parse: fn(&str) -> Result<T, InvalidParam>,
) -> Result<T, Error> {
    let raw = cx.raw_param(req, index).unwrap_or_default();
    let decoded = crate::proto::parse::decode_path_segment(raw)
        .map_err(|e| Error::bad_request(format!("invalid path parameter `{name}`: {e}")))?;
    parse(&decoded).map_err(|InvalidParam| {
        let ty = std::any::type_name::<T>();
        Error::bad_request(format!(
            "invalid path parameter `{name}`: `{decoded}` is not a valid {ty}"
        ))
    })
}
