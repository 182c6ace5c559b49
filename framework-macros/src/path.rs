//! A route path literal, `"/users/:id/files/*rest"`, parsed into segments with their problems.

use crate::diag::Errors;
use syn::LitStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Static,
    Param(String),
    CatchAll(String),
}

/// Characters allowed in a static segment: RFC 3986 `pchar` without `%` escapes.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Parses the path, recording every problem in `errors` (spanned on the literal: stable Rust
/// cannot point inside it, so each message names the segment).
pub(crate) fn parse(lit: &LitStr, errors: &mut Errors) -> Vec<Segment> {
    let path = lit.value();
    let Some(rest) = path.strip_prefix('/') else {
        errors.spanned(
            lit,
            format!("a route path must start with `/`: write \"/{}\"", path.trim_start_matches('/')),
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
                errors.spanned(lit, format!("empty segment (`//`) in route path `{path}`: remove the extra `/`"));
            }
            if let Some(bad) = part.chars().find(|&c| !allowed(c)) {
                let hint = match bad {
                    '?' => " (query strings are not part of a route: take a `Query<T>` argument)",
                    '%' => " (write the character itself, not its escape: requests are decoded before matching)",
                    _ => "",
                };
                errors.spanned(
                    lit,
                    format!("character `{}` is not allowed in route path `{path}`{hint}; use letters, digits and `-._~!$&'()*+,;=:@`", bad.escape_default()),
                );
            }
            Segment::Static
        };
        if let Segment::Param(name) | Segment::CatchAll(name) = &segment {
            let sigil = if matches!(segment, Segment::Param(_)) { ':' } else { '*' };
            if name.is_empty() {
                errors.spanned(lit, format!("`{sigil}` without a name in route path `{path}`: write `{sigil}name`"));
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
pub(crate) fn params(segments: &[Segment]) -> Vec<&str> {
    segments
        .iter()
        .filter_map(|s| match s {
            Segment::Param(n) | Segment::CatchAll(n) => Some(n.as_str()),
            Segment::Static => None,
        })
        .collect()
}
