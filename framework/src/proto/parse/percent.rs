//! Percent-decoding (RFC 3986 §2.1) for path segments, and `application/x-www-form-urlencoded`
//! pairs for query strings and form bodies.

use super::chars::hex;
use std::borrow::Cow;
use std::fmt;

/// Why a percent-encoded string could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PercentError {
    /// A `%` not followed by two hex digits; `at` is its byte offset.
    InvalidEscape {
        /// Byte offset of the `%` in the input.
        at: usize,
    },
    /// The decoded bytes are not UTF-8.
    InvalidUtf8,
}

impl fmt::Display for PercentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape { at } => {
                write!(
                    f,
                    "invalid percent-escape at byte {at}: `%` must be followed by two hex digits"
                )
            }
            Self::InvalidUtf8 => f.write_str("percent-decoded text is not valid UTF-8"),
        }
    }
}

impl std::error::Error for PercentError {}

fn decode(input: &str, plus_is_space: bool) -> Result<Cow<'_, str>, PercentError> {
    let bytes = input.as_bytes();
    let first = bytes
        .iter()
        .position(|&b| b == b'%' || (plus_is_space && b == b'+'));
    let Some(first) = first else {
        return Ok(Cow::Borrowed(input));
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut i = first;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex);
                let lo = bytes.get(i + 2).copied().and_then(hex);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(PercentError::InvalidEscape { at: i });
                };
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| PercentError::InvalidUtf8)
}

/// Decodes one path segment: `%XX` escapes become bytes, `+` stays a plus sign.
///
/// ```
/// use framework::proto::parse::decode_path_segment;
/// assert_eq!(decode_path_segment("J%C3%BCrgen+Co").as_deref(), Ok("Jürgen+Co"));
/// assert!(decode_path_segment("100%").is_err());
/// ```
///
/// # Errors
/// A `%` without two hex digits after it, or a result that is not UTF-8.
pub fn decode_path_segment(segment: &str) -> Result<Cow<'_, str>, PercentError> {
    decode(segment, false)
}

/// Decodes one key or value of `application/x-www-form-urlencoded` data: `%XX` escapes become
/// bytes and `+` becomes a space.
///
/// ```
/// use framework::proto::parse::decode_form_component;
/// assert_eq!(decode_form_component("a+b%26c").as_deref(), Ok("a b&c"));
/// ```
///
/// # Errors
/// A `%` without two hex digits after it, or a result that is not UTF-8.
pub fn decode_form_component(component: &str) -> Result<Cow<'_, str>, PercentError> {
    decode(component, true)
}

/// A decoded key and value from [`form_pairs`].
pub type FormPair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Splits `application/x-www-form-urlencoded` data (a query string or a form body) into decoded
/// `(key, value)` pairs, in order. Empty pieces (`a=1&&b=2`) are skipped; a piece without `=` is a
/// key with an empty value.
///
/// ```
/// use framework::proto::parse::form_pairs;
/// let pairs: Result<Vec<_>, _> = form_pairs("name=J%C3%BCrgen&tag=a+b&flag").collect();
/// let pairs = pairs?;
/// assert_eq!(pairs[0], ("name".into(), "Jürgen".into()));
/// assert_eq!(pairs[1], ("tag".into(), "a b".into()));
/// assert_eq!(pairs[2], ("flag".into(), "".into()));
/// # Ok::<(), framework::proto::parse::PercentError>(())
/// ```
pub fn form_pairs(data: &str) -> impl Iterator<Item = Result<FormPair<'_>, PercentError>> {
    data.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            Ok((decode_form_component(key)?, decode_form_component(value)?))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_escapes_is_borrowed() {
        assert!(matches!(
            decode_path_segment("plain"),
            Ok(Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn escapes_decode_in_either_case() {
        assert_eq!(decode_path_segment("a%2fb%2Fc").as_deref(), Ok("a/b/c"));
    }

    #[test]
    fn truncated_escape_is_an_error() {
        assert_eq!(
            decode_path_segment("ab%4"),
            Err(PercentError::InvalidEscape { at: 2 })
        );
        assert_eq!(
            decode_path_segment("%"),
            Err(PercentError::InvalidEscape { at: 0 })
        );
    }

    #[test]
    fn non_hex_escape_is_an_error() {
        assert_eq!(
            decode_path_segment("%zz"),
            Err(PercentError::InvalidEscape { at: 0 })
        );
        assert_eq!(
            decode_form_component("x%g1"),
            Err(PercentError::InvalidEscape { at: 1 })
        );
    }

    #[test]
    fn decoded_bytes_must_be_utf8() {
        assert_eq!(
            decode_path_segment("%ff%fe"),
            Err(PercentError::InvalidUtf8)
        );
    }

    #[test]
    fn plus_is_space_only_in_form_data() {
        assert_eq!(decode_path_segment("a+b").as_deref(), Ok("a+b"));
        assert_eq!(decode_form_component("a+b").as_deref(), Ok("a b"));
        assert_eq!(decode_form_component("a%2Bb").as_deref(), Ok("a+b"));
    }

    #[test]
    fn form_pairs_split_on_first_equals_and_skip_empty_pieces() {
        let pairs: Vec<_> = form_pairs("a=1=2&&b&=v")
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "1=2".into()),
                ("b".into(), "".into()),
                ("".into(), "v".into())
            ]
        );
    }

    #[test]
    fn form_pairs_report_bad_escapes() {
        let first = form_pairs("ok=1&bad=%x").nth(1);
        assert_eq!(first, Some(Err(PercentError::InvalidEscape { at: 0 })));
    }
}
