//! The path-pattern grammar, parsed in one place: the router inserts with [`segments`], the
//! compile-time conflict check of `routes![...]` compares patterns with [`same_shape`] (a `const
//! fn` over the same segment walker), and the app checks mount prefixes with [`Segment::parse`].
//! The macro crate's `path.rs` follows this grammar with the same names, and adds spans and fixes
//! to its messages.
//!
//! ```text
//! pattern   = "/" segment *( "/" segment )
//! segment   = static / param / catch-all     ; a catch-all only as the last segment
//! static    = *( any byte but "/" )          ; the route attributes allow RFC 3986 pchar only
//! param     = ":" name                       ; one whole, non-empty path segment
//! catch-all = "*" name                       ; the rest of the path, at least one character
//! name      = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" )
//! ```

use std::fmt;

/// One segment of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text that must equal the (decoded) path segment.
    Static(&'a str),
    /// `:name`: any one non-empty segment.
    Param(&'a str),
    /// `*name`: the rest of the path.
    CatchAll(&'a str),
}

impl<'a> Segment<'a> {
    /// Classifies one segment (the text between two `/`); the name is not checked here.
    #[must_use]
    pub fn parse(segment: &'a str) -> Self {
        match kind(segment.as_bytes(), 0, segment.len()) {
            Kind::Param => Self::Param(&segment[1..]),
            Kind::CatchAll => Self::CatchAll(&segment[1..]),
            Kind::Static => Self::Static(segment),
        }
    }

    /// The name a parameter or catch-all binds; `None` for static text.
    #[must_use]
    pub fn name(&self) -> Option<&'a str> {
        match *self {
            Self::Param(n) | Self::CatchAll(n) => Some(n),
            Self::Static(_) => None,
        }
    }
}

/// Why a pattern is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern does not start with `/`.
    MissingSlash,
    /// A `:` or `*` with no name, or a name that is not an identifier.
    InvalidParam {
        /// The segment at fault.
        segment: String,
    },
    /// A `*catch_all` that is not the last segment.
    CatchAllNotLast,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSlash => f.write_str("a route path must start with `/`"),
            Self::InvalidParam { segment } => {
                write!(f, "`{segment}` is not a valid parameter: write `:name` or `*name` with an identifier")
            }
            Self::CatchAllNotLast => f.write_str("a `*catch_all` must be the last segment"),
        }
    }
}

impl std::error::Error for PatternError {}

/// Whether `name` can name a parameter: an ASCII identifier, as the handler argument must be.
#[must_use]
pub const fn is_identifier(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || !(b[0] == b'_' || b[0].is_ascii_alphabetic()) {
        return false;
    }
    let mut i = 1;
    while i < b.len() {
        if !(b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
            return false;
        }
        i += 1;
    }
    true
}

/// Splits a pattern into segments, checking the parameter syntax.
///
/// # Errors
/// The first [`PatternError`].
pub fn segments(pattern: &str) -> Result<Vec<Segment<'_>>, PatternError> {
    let rest = pattern
        .strip_prefix('/')
        .ok_or(PatternError::MissingSlash)?;
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let segment = Segment::parse(part);
        match segment {
            Segment::Static(_) => {}
            Segment::CatchAll(_) if i != last => return Err(PatternError::CatchAllNotLast),
            Segment::Param(name) | Segment::CatchAll(name) if is_identifier(name) => {}
            Segment::Param(_) | Segment::CatchAll(_) => {
                return Err(PatternError::InvalidParam {
                    segment: (*part).to_string(),
                })
            }
        }
        out.push(segment);
    }
    Ok(out)
}

/// What kind of segment a byte range holds: the segment walker's one decision, usable in `const`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Static,
    Param,
    CatchAll,
}

/// The kind of the segment `p[start..end]`.
const fn kind(p: &[u8], start: usize, end: usize) -> Kind {
    if start < end && p[start] == b':' {
        Kind::Param
    } else if start < end && p[start] == b'*' {
        Kind::CatchAll
    } else {
        Kind::Static
    }
}

/// The end of the segment that starts at byte `i`.
const fn segment_end(p: &[u8], mut i: usize) -> usize {
    while i < p.len() && p[i] != b'/' {
        i += 1;
    }
    i
}

/// Whether `a[ai..ae]` and `b[bi..be]` hold the same bytes.
const fn range_eq(a: &[u8], ai: usize, ae: usize, b: &[u8], bi: usize, be: usize) -> bool {
    if ae - ai != be - bi {
        return false;
    }
    let mut k = 0;
    while k < ae - ai {
        if a[ai + k] != b[bi + k] {
            return false;
        }
        k += 1;
    }
    true
}

/// Whether two patterns have the same shape: the same static segments, with parameters and
/// catch-alls in the same places (names aside). Such patterns match exactly the same paths.
#[must_use]
pub const fn same_shape(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        let (ei, ej) = (segment_end(a, i), segment_end(b, j));
        let same = match (kind(a, i, ei), kind(b, j, ej)) {
            (Kind::Param, Kind::Param) | (Kind::CatchAll, Kind::CatchAll) => true,
            (Kind::Static, Kind::Static) => range_eq(a, i, ei, b, j, ej),
            _ => false,
        };
        if !same {
            return false;
        }
        match (ei == a.len(), ej == b.len()) {
            (true, true) => return true,
            (false, false) => {
                i = ei + 1;
                j = ej + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grammar's table; `framework-macros/src/path.rs` tests the same rows.
    #[test]
    fn valid_patterns_split_into_static_param_and_catch_all_segments() {
        let cases: &[(&str, &[Segment<'_>])] = &[
            ("/", &[Segment::Static("")]),
            ("/users/", &[Segment::Static("users"), Segment::Static("")]),
            (
                "/users/:id",
                &[Segment::Static("users"), Segment::Param("id")],
            ),
            (
                "/a/:b_2/*rest",
                &[
                    Segment::Static("a"),
                    Segment::Param("b_2"),
                    Segment::CatchAll("rest"),
                ],
            ),
            (
                "/v1.0/~me/a-b_c",
                &[
                    Segment::Static("v1.0"),
                    Segment::Static("~me"),
                    Segment::Static("a-b_c"),
                ],
            ),
        ];
        for (pattern, expected) in cases {
            assert_eq!(segments(pattern).as_deref(), Ok(*expected), "{pattern}");
        }
    }

    #[test]
    fn malformed_patterns_are_refused_with_their_cause() {
        let invalid = |s: &str| PatternError::InvalidParam { segment: s.into() };
        let cases = [
            ("users", PatternError::MissingSlash),
            ("", PatternError::MissingSlash),
            ("/users/:", invalid(":")),
            ("/users/*", invalid("*")),
            ("/users/:1d", invalid(":1d")),
            ("/users/:a-b", invalid(":a-b")),
            ("/files/*rest/more", PatternError::CatchAllNotLast),
        ];
        for (pattern, expected) in cases {
            assert_eq!(segments(pattern), Err(expected), "{pattern}");
        }
    }

    #[test]
    fn identifiers_are_ascii_letters_digits_and_underscores_not_leading_digits() {
        for ok in ["id", "_", "user_id", "a1", "ID"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "1a", "a-b", "é", "a b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn parameter_names_come_in_order() {
        let names = |p| -> Vec<&str> {
            segments(p)
                .unwrap_or_default()
                .iter()
                .filter_map(Segment::name)
                .collect()
        };
        assert_eq!(names("/a/:x/b/:y/*z"), ["x", "y", "z"]);
        assert!(names("/a/b").is_empty());
    }

    #[test]
    fn shapes_compare_segments_and_ignore_parameter_names() {
        assert!(same_shape("/users/:id", "/users/:name"));
        assert!(same_shape("/", "/"));
        assert!(same_shape("/a/*x", "/a/*y"));
        assert!(!same_shape("/users/:id", "/users/me"));
        assert!(!same_shape("/users/:id", "/users/*id"));
        assert!(!same_shape("/users", "/users/"));
        assert!(!same_shape("/users/:id", "/users/:id/posts"));
        assert!(!same_shape("/a/b", "/a/c"));
    }

    /// The const walker and the runtime splitter agree on every pair from a small corpus.
    #[test]
    fn same_shape_agrees_with_the_segment_splitter() {
        let corpus = [
            "/", "/a", "/a/", "/:x", "/*x", "/a/:x", "/a/:y", "/a/b", "/:x/b", "/a/*r",
        ];
        for a in corpus {
            for b in corpus {
                let shape = |p| -> Vec<String> {
                    segments(p)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|s| match s {
                            Segment::Static(t) => format!("s{t}"),
                            Segment::Param(_) => "p".into(),
                            Segment::CatchAll(_) => "c".into(),
                        })
                        .collect()
                };
                assert_eq!(same_shape(a, b), shape(a) == shape(b), "{a} vs {b}");
            }
        }
    }
}
