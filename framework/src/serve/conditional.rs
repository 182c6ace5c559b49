//! Conditional and range requests on a file (RFC 9110 §13, §14): pure decisions from the
//! request's fields and the file's validators, no I/O. [`evaluate`] takes the preconditions in
//! the order of RFC 9110 §13.2.2 (the shape of Go's `checkPreconditions`), then the range.

use crate::http::parse_http_date;
use std::borrow::Cow;

/// The request fields that make a request conditional or partial. List fields (`If-Match`,
/// `If-None-Match`) hold every field line joined with commas.
#[derive(Debug, Default, Clone)]
pub(crate) struct Conditions<'a> {
    pub(crate) if_match: Option<Cow<'a, str>>,
    pub(crate) if_unmodified_since: Option<&'a str>,
    pub(crate) if_none_match: Option<Cow<'a, str>>,
    pub(crate) if_modified_since: Option<&'a str>,
    pub(crate) if_range: Option<&'a str>,
    pub(crate) range: Option<&'a str>,
}

/// What a file offers to compare against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Validators<'a> {
    /// The strong entity tag, quotes included: `"1f-5d2c"`.
    pub(crate) etag: &'a str,
    /// Last modification, in whole seconds since the epoch.
    pub(crate) last_modified: u64,
    /// The length of the representation.
    pub(crate) len: u64,
}

/// The answer [`evaluate`] chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// `200` with the whole representation.
    Whole,
    /// `206` with bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// `304 Not Modified`.
    NotModified,
    /// `412 Precondition Failed`.
    PreconditionFailed,
    /// `416 Range Not Satisfiable`.
    RangeNotSatisfiable,
}

/// What a `Range` field asks of a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// Send everything: no range we serve (another unit, several ranges, bad syntax).
    Whole,
    /// Bytes `start..=end`, within the representation.
    Part { start: u64, end: u64 },
    /// A well-formed single range that misses the representation.
    Unsatisfiable,
}

/// Decides how to answer a `GET` (`is_get`) or `HEAD` for a representation with `v`'s
/// validators. RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since (`412` when false); then
/// If-None-Match, else If-Modified-Since (`304` when false); then, for `GET` only, If-Range and
/// Range. A date that does not parse makes its condition absent.
pub(crate) fn evaluate(c: &Conditions<'_>, v: &Validators<'_>, is_get: bool) -> Decision {
    // 1. and 2.: the client's copy must still be current.
    if let Some(list) = &c.if_match {
        if !list_matches(list, v.etag, Compare::Strong) {
            return Decision::PreconditionFailed;
        }
    } else if let Some(since) = c.if_unmodified_since.and_then(secs_of) {
        if v.last_modified > since {
            return Decision::PreconditionFailed;
        }
    }
    // 3. and 4.: the client's copy may be reused (both only for GET and HEAD, which is all we
    // serve).
    if let Some(list) = &c.if_none_match {
        if list_matches(list, v.etag, Compare::Weak) {
            return Decision::NotModified;
        }
    } else if let Some(since) = c.if_modified_since.and_then(secs_of) {
        if v.last_modified <= since {
            return Decision::NotModified;
        }
    }
    // 5.: RFC 9110 §14.2: range handling is defined for GET only.
    let Some(range) = c.range.filter(|_| is_get) else {
        return Decision::Whole;
    };
    if let Some(if_range) = c.if_range {
        if !if_range_holds(if_range, v) {
            return Decision::Whole;
        }
    }
    match parse_range(range, v.len) {
        RangeRequest::Whole => Decision::Whole,
        RangeRequest::Part { start, end } => Decision::Partial { start, end },
        RangeRequest::Unsatisfiable => Decision::RangeNotSatisfiable,
    }
}

/// RFC 9110 §13.1.5: an entity tag must match strongly; a date must equal the last
/// modification exactly (our `Last-Modified` is a strong validator: it comes with a strong tag
/// from the same file metadata).
fn if_range_holds(value: &str, v: &Validators<'_>) -> bool {
    let value = value.trim_ascii();
    if value.starts_with('"') || value.starts_with("W/") {
        // One tag, compared strongly: ours is strong, so only the same bytes match.
        return value == v.etag;
    }
    secs_of(value) == Some(v.last_modified)
}

fn secs_of(date: &str) -> Option<u64> {
    let t = parse_http_date(date)?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    /// Both tags strong and equal (RFC 9110 §8.8.3.2).
    Strong,
    /// Equal opaque tags, `W/` or not.
    Weak,
}

/// Whether the `#entity-tag` list (or `*`) holds a tag equal to `ours` (a strong tag, quotes
/// included). A list that stops parsing matches nothing past the bad element.
fn list_matches(list: &str, ours: &str, compare: Compare) -> bool {
    let list = list.trim_ascii();
    if list == "*" {
        // The representation exists: we only ever evaluate for a file that does.
        return true;
    }
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        if rest.is_empty() {
            return false;
        }
        if rest.starts_with('*') {
            // `*` belongs alone, but a list holding it is read as it (as Go's server does).
            return true;
        }
        let (weak, tagged) = match rest.strip_prefix("W/") {
            Some(tail) => (true, tail),
            None => (false, rest),
        };
        let Some(inner) = tagged.strip_prefix('"') else {
            return false;
        };
        let Some(close) = inner.find('"') else {
            return false;
        };
        let tag = &tagged[..close + 2];
        let equal = tag == ours;
        if equal && (compare == Compare::Weak || !weak) {
            return true;
        }
        rest = &inner[close + 1..];
    }
}

/// Parses a `Range` field (RFC 9110 §14.1.2) against a representation of `len` bytes. Only a
/// single `bytes` range is served: several ranges, another unit or bad syntax give
/// [`RangeRequest::Whole`] (a server may ignore `Range`).
pub(crate) fn parse_range(value: &str, len: u64) -> RangeRequest {
    let Some((unit, set)) = value.trim_ascii().split_once('=') else {
        return RangeRequest::Whole;
    };
    if !unit.trim_ascii().eq_ignore_ascii_case("bytes") {
        return RangeRequest::Whole;
    }
    // The list rule allows empty elements (`bytes=0-1,`); several real ones are not served.
    let mut specs = set
        .split(',')
        .map(str::trim_ascii)
        .filter(|s| !s.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else {
        return RangeRequest::Whole;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return RangeRequest::Whole;
    };
    match (number(first), number(last)) {
        // `-N`: the last N bytes.
        (None, Some(suffix)) if first.is_empty() => {
            if suffix == 0 || len == 0 {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part {
                    start: len - suffix.min(len),
                    end: len - 1,
                }
            }
        }
        // `A-`: from A to the end.
        (Some(start), None) if last.is_empty() => {
            if start >= len {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part {
                    start,
                    end: len - 1,
                }
            }
        }
        // `A-B`, inclusive; B past the end means the end.
        (Some(start), Some(end)) if start <= end => {
            if start >= len {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part {
                    start,
                    end: end.min(len - 1),
                }
            }
        }
        _ => RangeRequest::Whole,
    }
}

/// 1 to 19 ASCII digits (so the value fits a `u64`).
fn number(text: &str) -> Option<u64> {
    (!text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "\"a-1\"";
    /// Last-Modified of the test file: Sun, 06 Nov 1994 08:49:37 GMT.
    const LM: u64 = 784_111_777;
    const AT_LM: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const BEFORE_LM: &str = "Sun, 06 Nov 1994 08:49:36 GMT";
    const AFTER_LM: &str = "Sun, 06 Nov 1994 08:49:38 GMT";

    fn validators() -> Validators<'static> {
        Validators {
            etag: TAG,
            last_modified: LM,
            len: 100,
        }
    }

    #[test]
    fn range_forms_are_resolved_against_the_length() {
        use RangeRequest::{Part, Unsatisfiable, Whole};
        let rows: &[(&str, u64, RangeRequest)] = &[
            ("bytes=0-9", 100, Part { start: 0, end: 9 }),
            ("bytes=10-", 100, Part { start: 10, end: 99 }),
            ("bytes=-10", 100, Part { start: 90, end: 99 }),
            ("bytes=-1000", 100, Part { start: 0, end: 99 }),
            ("bytes=90-1000", 100, Part { start: 90, end: 99 }),
            ("bytes=99-99", 100, Part { start: 99, end: 99 }),
            ("BYTES=0-0", 100, Part { start: 0, end: 0 }),
            (" bytes = 5-6 ", 100, Part { start: 5, end: 6 }),
            ("bytes=5-6,", 100, Part { start: 5, end: 6 }),
            ("bytes=100-", 100, Unsatisfiable),
            ("bytes=100-200", 100, Unsatisfiable),
            ("bytes=-0", 100, Unsatisfiable),
            ("bytes=0-", 0, Unsatisfiable),
            ("bytes=-5", 0, Unsatisfiable),
            // Ignored: the whole file.
            ("bytes=0-1,5-6", 100, Whole),
            ("bytes=9-0", 100, Whole),
            ("bytes=", 100, Whole),
            ("bytes=-", 100, Whole),
            ("bytes=a-b", 100, Whole),
            ("bytes=+1-2", 100, Whole),
            ("bytes=1-2-3", 100, Whole),
            ("bytes 0-1", 100, Whole),
            ("items=0-1", 100, Whole),
            ("bytes=99999999999999999999-", 100, Whole),
        ];
        for &(value, len, expected) in rows {
            assert_eq!(parse_range(value, len), expected, "{value:?} of {len}");
        }
    }

    /// The fields of a request: `(name, value)` pairs.
    fn conditions<'a>(fields: &[(&str, &'a str)]) -> Conditions<'a> {
        let mut c = Conditions::default();
        for &(name, value) in fields {
            match name {
                "if-match" => c.if_match = Some(Cow::Borrowed(value)),
                "if-unmodified-since" => c.if_unmodified_since = Some(value),
                "if-none-match" => c.if_none_match = Some(Cow::Borrowed(value)),
                "if-modified-since" => c.if_modified_since = Some(value),
                "if-range" => c.if_range = Some(value),
                "range" => c.range = Some(value),
                other => panic!("unknown field {other}"),
            }
        }
        c
    }

    #[test]
    fn preconditions_are_decided_in_rfc_order() {
        use Decision::{NotModified, Partial, PreconditionFailed, RangeNotSatisfiable, Whole};
        let rows: &[(&[(&str, &str)], Decision)] = &[
            (&[], Whole),
            // If-Match: strong comparison; `*` matches any existing file.
            (&[("if-match", TAG)], Whole),
            (&[("if-match", "\"x\", \"a-1\"")], Whole),
            (&[("if-match", "*")], Whole),
            (&[("if-match", "\"other\"")], PreconditionFailed),
            (&[("if-match", "W/\"a-1\"")], PreconditionFailed),
            (&[("if-match", "garbage")], PreconditionFailed),
            // If-Unmodified-Since: only without If-Match.
            (&[("if-unmodified-since", AT_LM)], Whole),
            (&[("if-unmodified-since", AFTER_LM)], Whole),
            (&[("if-unmodified-since", BEFORE_LM)], PreconditionFailed),
            (&[("if-unmodified-since", "not a date")], Whole),
            (
                &[("if-match", TAG), ("if-unmodified-since", BEFORE_LM)],
                Whole,
            ),
            // If-None-Match: weak comparison.
            (&[("if-none-match", TAG)], NotModified),
            (&[("if-none-match", "W/\"a-1\"")], NotModified),
            (&[("if-none-match", "\"x\",W/\"a-1\"")], NotModified),
            (&[("if-none-match", "*")], NotModified),
            (&[("if-none-match", "\"x\"")], Whole),
            // If-Modified-Since: only without If-None-Match.
            (&[("if-modified-since", AT_LM)], NotModified),
            (&[("if-modified-since", AFTER_LM)], NotModified),
            (&[("if-modified-since", BEFORE_LM)], Whole),
            (
                &[("if-modified-since", "Sunday, 06-Nov-94 08:49:37 GMT")],
                NotModified,
            ),
            (
                &[("if-modified-since", "Sun Nov  6 08:49:37 1994")],
                NotModified,
            ),
            (&[("if-modified-since", "garbage")], Whole),
            (
                &[("if-none-match", "\"x\""), ("if-modified-since", AT_LM)],
                Whole,
            ),
            // 412 wins over 304.
            (
                &[("if-match", "\"x\""), ("if-none-match", TAG)],
                PreconditionFailed,
            ),
            (
                &[
                    ("if-unmodified-since", BEFORE_LM),
                    ("if-modified-since", AT_LM),
                ],
                PreconditionFailed,
            ),
            // Range, and If-Range (strong tag or exact date).
            (&[("range", "bytes=0-9")], Partial { start: 0, end: 9 }),
            (&[("range", "bytes=200-")], RangeNotSatisfiable),
            (&[("range", "bytes=0-1,3-4")], Whole),
            (
                &[("range", "bytes=0-9"), ("if-range", TAG)],
                Partial { start: 0, end: 9 },
            ),
            (&[("range", "bytes=0-9"), ("if-range", "\"old\"")], Whole),
            (&[("range", "bytes=0-9"), ("if-range", "W/\"a-1\"")], Whole),
            (
                &[("range", "bytes=0-9"), ("if-range", AT_LM)],
                Partial { start: 0, end: 9 },
            ),
            (&[("range", "bytes=0-9"), ("if-range", AFTER_LM)], Whole),
            (&[("range", "bytes=0-9"), ("if-range", "garbage")], Whole),
            (&[("range", "bytes=200-"), ("if-range", "\"old\"")], Whole),
            // A 304 or 412 comes before the range.
            (
                &[("range", "bytes=0-9"), ("if-none-match", TAG)],
                NotModified,
            ),
            (
                &[("range", "bytes=0-9"), ("if-match", "\"x\"")],
                PreconditionFailed,
            ),
            (
                &[("range", "bytes=0-9"), ("if-match", TAG)],
                Partial { start: 0, end: 9 },
            ),
        ];
        for (fields, expected) in rows {
            let c = conditions(fields);
            assert_eq!(evaluate(&c, &validators(), true), *expected, "{fields:?}");
        }
    }

    #[test]
    fn head_requests_ignore_range() {
        let c = conditions(&[("range", "bytes=0-9")]);
        assert_eq!(evaluate(&c, &validators(), false), Decision::Whole);
        let c = conditions(&[("if-none-match", TAG), ("range", "bytes=0-9")]);
        assert_eq!(evaluate(&c, &validators(), false), Decision::NotModified);
    }
}
