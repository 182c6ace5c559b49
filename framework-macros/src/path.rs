//! A route path literal, `"/users/:id/files/*rest"`, parsed into segments with their problems.
//!
//! The grammar, the names (`Segment::{Static, Param, CatchAll}`, `is_identifier`,
//! `param_names`) and the test table of valid patterns are those of the runtime's
//! `framework/src/router/pattern.rs`, which this crate cannot depend on (the runtime depends on
//! it). What this side adds: every problem is reported at once with a fix; other frameworks'
//! syntax (`<id>`, `{id}`, `{*rest}`) is recognised; and static segments are refused what could
//! never match a decoded request segment (`%` escapes, `#`, control characters).
//!
//! ```text
//! pattern   = "/" segment *( "/" segment )
//! segment   = static / param / catch-all     ; a catch-all only as the last segment
//! static    = *( any character but "/" "%" "#" and controls )   ; empty only at the end
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

/// What a character that cannot be in a static segment is, for a message; `None` for the rest.
/// A static segment is compared with the request's decoded segment, so any text goes (spaces
/// and non-ASCII included) but `%` (an escape would be compared undecoded), `#` (a fragment
/// never reaches the server) and control characters (no client can send them decoded).
fn refused(c: char) -> Option<String> {
    match c {
        '%' | '#' => Some(format!("`{c}`")),
        c if c.is_control() => Some(format!("the control character U+{:04X}", u32::from(c))),
        _ => None,
    }
}

/// Percent-decodes `text`, if every `%` starts a valid escape of UTF-8 text.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A segment written in another framework's syntax, and what to write instead: Rocket's
/// `<id>` and `<path..>`, axum's `{id}` and `{*path}`, and `{path:.*}`-style patterns.
fn foreign(part: &str) -> Option<(String, &'static str)> {
    let (inner, framework) =
        if let Some(inner) = part.strip_prefix('<').and_then(|p| p.strip_suffix('>')) {
            (inner, "Rocket")
        } else if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            (inner, "axum")
        } else {
            return None;
        };
    if let Some(name) = inner.strip_suffix("..") {
        return Some((format!("*{name}"), framework));
    }
    if let Some(name) = inner.strip_prefix('*') {
        return Some((format!("*{name}"), framework));
    }
    if let Some((name, pattern)) = inner.split_once(':') {
        // A pattern that takes slashes (`.*`, `.+`) is a catch-all; any other is one segment.
        let rest = pattern.contains(".*") || pattern.contains(".+");
        let sigil = if rest { '*' } else { ':' };
        return Some((format!("{sigil}{name}"), "a regular-expression"));
    }
    Some((format!(":{inner}"), framework))
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
    // Segments in another framework's syntax: one error for the path, with the whole fix.
    if parts.iter().any(|p| foreign(p).is_some()) {
        let mut fixed = String::new();
        let mut whose = "";
        for part in &parts {
            fixed.push('/');
            match foreign(part) {
                Some((ours, framework)) => {
                    fixed.push_str(&ours);
                    whose = framework;
                }
                None => fixed.push_str(part),
            }
        }
        let how = if whose == "a regular-expression" {
            "no patterns here: `:name` takes any one segment and `*name` the rest of the path; check the value in the handler"
        } else {
            "`:name` is one segment, `*name` the rest of the path"
        };
        errors.spanned(
            lit,
            format!("`{path}` uses {whose} path syntax: write \"{fixed}\" ({how})"),
        );
        return Vec::new();
    }
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
            if let Some(what) = part.chars().find_map(refused) {
                let fix = match part.contains('%').then(|| percent_decoded(part)).flatten() {
                    Some(decoded) if !decoded.contains('/') && decoded.chars().all(|c| refused(c).is_none()) => format!(
                        "a static segment is compared with the decoded request path, so write the text itself: `{decoded}` instead of `{part}`"
                    ),
                    _ if what == "`#`" => "a fragment (`#...`) is never sent to the server: remove it".to_string(),
                    _ if what == "`%`" => "a static segment is compared with the decoded request path: write the text itself, not its percent-escapes".to_string(),
                    _ => "remove it".to_string(),
                };
                // Control characters escaped; everything else as itself.
                let shown: String = path
                    .chars()
                    .map(|c| {
                        if c.is_control() {
                            c.escape_default().to_string()
                        } else {
                            c.to_string()
                        }
                    })
                    .collect();
                errors.spanned(
                    lit,
                    format!("{what} cannot be in route path `{shown}`: {fix}"),
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
            ("/café/a b", vec![st("café"), st("a b")]),
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
            ("/user\tlist", "the control character U+0009 cannot be"),
            ("/a#b", "a fragment"),
            (
                "/search?q=rust",
                "cannot hold a query string: write \"/search\"",
            ),
            ("/a%20b", "write the text itself: `a b` instead of `a%20b`"),
            (
                "/users/<id>",
                "uses Rocket path syntax: write \"/users/:id\"",
            ),
            ("/f/<path..>", "write \"/f/*path\""),
            ("/users/{id}", "uses axum path syntax: write \"/users/:id\""),
            ("/f/{*rest}", "write \"/f/*rest\""),
            ("/f/{rest:.*}", "write \"/f/*rest\""),
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
