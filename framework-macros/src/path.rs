//! A route path literal, `"/users/:id/files/*rest"`, parsed into segments with their problems.
//!
//! The grammar, the names (`Segment::{Static, Param, CatchAll}`, `is_identifier`,
//! `param_names`) and the test table of valid patterns are those of the runtime's
//! `framework/src/router/pattern.rs`, which this crate cannot depend on (the runtime depends on
//! it). What this side adds: every problem is reported at once with a fix, and static segments
//! are held to RFC 3986 `pchar`, which the runtime's router does not need to check.
//!
//! ```text
//! pattern   = "/" segment *( "/" segment )
//! segment   = static / param / catch-all     ; a catch-all only as the last segment
//! static    = *pchar                          ; without `%` escapes; empty only at the end
//! param     = ":" name
//! catch-all = "*" name
//! name      = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" ), each name once per pattern
//! ```

use crate::diag::Errors;
use syn::LitStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Text that must equal the (decoded) path segment.
    Static(String),
    /// `:name`: any one non-empty segment.
    Param(String),
    /// `*name`: the rest of the path.
    CatchAll(String),
}

/// Characters allowed in a static segment: RFC 3986 `pchar` without `%` escapes.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
}

/// Whether `name` can name a parameter: an ASCII identifier, as the handler argument must be.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Parses the path, recording every problem in `errors` (spanned on the literal: stable Rust
/// cannot point inside it, so each message names the segment).
pub(crate) fn parse(lit: &LitStr, errors: &mut Errors) -> Vec<Segment> {
    let full = lit.value();
    // The query is reported once, and the rest is checked without it.
    let path = match full.split_once('?') {
        Some((path, _)) => {
            errors.spanned(
                lit,
                format!("a route path cannot hold a query string: write \"{path}\" (a handler reads the query from a `framework::extract::Uri` argument)"),
            );
            path.to_string()
        }
        None => full,
    };
    let Some(rest) = path.strip_prefix('/') else {
        errors.spanned(
            lit,
            format!(
                "a route path must start with `/`: write \"/{}\"",
                path.trim_start_matches('/')
            ),
        );
        return Vec::new();
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    let mut segments = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let segment = if let Some(name) = part.strip_prefix(':') {
            Segment::Param(name.to_string())
        } else if let Some(name) = part.strip_prefix('*') {
            if i != last {
                errors.spanned(
                    lit,
                    format!("the catch-all `*{name}` must be the last segment of the path: it takes the rest of the path"),
                );
            }
            Segment::CatchAll(name.to_string())
        } else {
            if part.is_empty() && i != last {
                errors.spanned(
                    lit,
                    format!("empty segment (`//`) in route path `{path}`: remove the extra `/`"),
                );
            }
            if let Some(bad) = part.chars().find(|&c| !allowed(c)) {
                let what = match bad {
                    ' ' => "a space".to_string(),
                    _ => format!("character `{}`", bad.escape_default()),
                };
                let fix = match bad {
                    '%' => "write the character itself, not its escape (requests are decoded before matching), or use letters, digits and `-._~!$&'()*+,;=:@`",
                    _ => "use letters, digits and `-._~!$&'()*+,;=:@`",
                };
                errors.spanned(
                    lit,
                    format!("{what} is not allowed in route path `{path}`: {fix}"),
                );
            }
            Segment::Static((*part).to_string())
        };
        if let Segment::Param(name) | Segment::CatchAll(name) = &segment {
            let sigil = if matches!(segment, Segment::Param(_)) {
                ':'
            } else {
                '*'
            };
            if name.is_empty() {
                errors.spanned(
                    lit,
                    format!("`{sigil}` without a name in route path `{path}`: write `{sigil}name`"),
                );
            } else if !is_identifier(name) {
                errors.spanned(lit, format!("`{sigil}{name}` is not a valid parameter name: use an identifier such as `{sigil}id`"));
            } else if seen.contains(name) {
                errors.spanned(lit, format!("route parameter `{name}` appears twice in `{path}`: give each parameter its own name"));
            } else {
                seen.push(name.clone());
            }
        }
        segments.push(segment);
    }
    segments
}

/// The parameter names of the segments, in order.
pub(crate) fn param_names(segments: &[Segment]) -> Vec<&str> {
    segments
        .iter()
        .filter_map(|s| match s {
            Segment::Param(n) | Segment::CatchAll(n) => Some(n.as_str()),
            Segment::Static(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    /// The segments of `path` and the messages of its errors.
    fn parse_str(path: &str) -> (Vec<Segment>, Vec<String>) {
        let mut errors = Errors::new();
        let segments = parse(&LitStr::new(path, Span::call_site()), &mut errors);
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (segments, messages)
    }

    /// The same rows as `valid_patterns_split_into_static_param_and_catch_all_segments` in
    /// `framework/src/router/pattern.rs`.
    #[test]
    fn valid_patterns_split_into_static_param_and_catch_all_segments() {
        let st = |t: &str| Segment::Static(t.to_string());
        let param = |n: &str| Segment::Param(n.to_string());
        let cases: &[(&str, Vec<Segment>)] = &[
            ("/", vec![st("")]),
            ("/users/", vec![st("users"), st("")]),
            ("/users/:id", vec![st("users"), param("id")]),
            (
                "/a/:b_2/*rest",
                vec![st("a"), param("b_2"), Segment::CatchAll("rest".into())],
            ),
            ("/v1.0/~me/a-b_c", vec![st("v1.0"), st("~me"), st("a-b_c")]),
        ];
        for (path, expected) in cases {
            assert_eq!(parse_str(path), (expected.clone(), Vec::new()), "{path}");
        }
    }

    #[test]
    fn parameter_names_come_in_order() {
        let (segments, _) = parse_str("/a/:x/b/:y/*z");
        assert_eq!(param_names(&segments), ["x", "y", "z"]);
    }

    // One mistake, one error: a bad segment must not also be reported as a missing argument or
    // a second problem elsewhere.
    #[test]
    fn each_mistake_gives_exactly_one_error_naming_it() {
        let cases = [
            ("users", "must start with `/`: write \"/users\""),
            ("/user list", "a space is not allowed"),
            (
                "/search?q=rust",
                "cannot hold a query string: write \"/search\"",
            ),
            ("/a%20b", "character `%` is not allowed"),
            ("/users/:", "`:` without a name"),
            ("/files/*", "`*` without a name"),
            ("/:1d", "`:1d` is not a valid parameter name"),
            ("/:id/:id", "route parameter `id` appears twice"),
            ("/*rest/x", "the catch-all `*rest` must be the last segment"),
            ("/users//posts", "empty segment (`//`)"),
        ];
        for (path, expected) in cases {
            let (_, messages) = parse_str(path);
            assert_eq!(messages.len(), 1, "{path}: {messages:?}");
            assert!(messages[0].contains(expected), "{path}: {messages:?}");
        }
    }

    /// The same rows as in `framework/src/router/pattern.rs`.
    #[test]
    fn identifiers_are_ascii_letters_digits_and_underscores_not_leading_digits() {
        for ok in ["id", "_", "user_id", "a1", "ID"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "1a", "a-b", "é", "a b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
