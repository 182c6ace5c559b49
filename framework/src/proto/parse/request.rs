//! The request head: request line and field lines (RFC 9112 §2–§5), parsed incrementally.
//!
//! [`HeadParser::parse`] is handed the bytes received so far, starting where the head starts. It
//! answers [`Status::Partial`] until the empty line that ends the head has arrived, then
//! [`Status::Complete`] with the head's length. Completed lines are remembered, so a retry resumes at
//! the first incomplete line; and a retry with no new LF since the last one does no parsing at all.
//! A client that sends one byte at a time therefore costs linear, not quadratic, work. A bad byte is
//! an error on the first parse that reaches it: at once when it arrives with the rest of its line,
//! otherwise when the line's LF arrives (or, in a request line, once it passes `ParseLimits::max_target`;
//! in any line, once the bytes pass `ParseLimits::max_head`). A limit is an error as soon as it is
//! certain to be exceeded, and never hides a bad byte that one parse of the same bytes would find
//! first: however the bytes arrive, an answer other than `Partial` is the answer one parse gives.

use super::chars::{
    path_stops, scan, scan_marked, target_stops, token_stops, value_stops, FIELD_VALUE, PATH,
    TARGET, TCHAR,
};
use super::framing::{FramingField, FramingScan};
use super::ParseError;
use super::ParseLimits;
use crate::http::Version;
use std::ops::Range;

/// The answer of an incremental parse step.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<T> {
    /// Done: the value (for the head parser, the head's length in bytes).
    Complete(T),
    /// Not enough bytes yet; call again once more have arrived.
    Partial,
}

/// Longest method token accepted. RFC 9110 sets none; the registered ones are at most 17 bytes.
const MAX_METHOD: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    RequestLine,
    Fields,
}

/// Where a field's name and value sit in the head.
#[derive(Debug, Clone)]
struct FieldSpan {
    name: Range<usize>,
    value: Range<usize>,
}

/// An incremental, resumable parser for one request head. Reuse it for the next request with
/// [`HeadParser::reset`], which keeps its allocation.
///
/// ```
/// use framework::proto::parse::{HeadParser, Status};
/// use framework::proto::parse::ParseLimits;
/// use framework::Version;
///
/// let raw = b"GET /users/7?full=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
/// let mut parser = HeadParser::new();
/// let limits = ParseLimits::default();
/// assert_eq!(parser.parse(&raw[..20], &limits), Ok(Status::Partial));
/// assert_eq!(parser.parse(raw, &limits), Ok(Status::Complete(raw.len())));
/// let head = parser.head(raw);
/// assert_eq!(head.method(), b"GET");
/// assert_eq!(head.path(), b"/users/7");
/// assert_eq!(head.query(), Some(&b"full=1"[..]));
/// assert_eq!(head.version(), Version::Http11);
/// assert_eq!(head.fields().next(), Some((&b"Host"[..], &b"example.com"[..])));
/// ```
#[derive(Debug, Clone)]
pub struct HeadParser {
    phase: Phase,
    /// Start of the first line not parsed yet.
    pos: usize,
    /// `buf[pos..scanned]` is known to hold no LF: a retry that brings no new LF skips parsing.
    scanned: usize,
    method: Range<usize>,
    target: Range<usize>,
    path: Range<usize>,
    query: Option<Range<usize>>,
    version: Version,
    fields: Vec<FieldSpan>,
    /// What the framing fields said, taken in as each field line is parsed, so that
    /// [`Framing::from_head`](super::Framing::from_head) need not walk the fields again.
    framing: FramingScan,
}

impl Default for HeadParser {
    fn default() -> Self {
        Self::new()
    }
}

impl HeadParser {
    /// A parser waiting for the first byte of a request.
    #[must_use]
    pub fn new() -> Self {
        Self {
            phase: Phase::RequestLine,
            pos: 0,
            scanned: 0,
            method: 0..0,
            target: 0..0,
            path: 0..0,
            query: None,
            version: Version::Http11,
            fields: Vec::new(),
            framing: FramingScan::default(),
        }
    }

    /// Forgets the last head, keeping the field list's allocation.
    pub fn reset(&mut self) {
        self.phase = Phase::RequestLine;
        self.pos = 0;
        self.scanned = 0;
        self.fields.clear();
        self.framing = FramingScan::default();
    }

    /// Parses as much of the head at the start of `buf` as has arrived. `buf` must hold the same
    /// bytes at the same offsets on every call for one head (more may be appended).
    ///
    /// # Errors
    /// The first rule the bytes break, as soon as it is broken, or a limit of `limits` once it
    /// is certain to be exceeded.
    pub fn parse(&mut self, buf: &[u8], limits: &ParseLimits) -> Result<Status<usize>, ParseError> {
        // No byte past `max_head` can belong to a head that is accepted, so none is looked at: an
        // error then never depends on bytes after the point where the head became too large,
        // which a parse that saw fewer of them would not have seen.
        let buf = buf.get(..limits.max_head.saturating_add(1)).unwrap_or(buf);
        if self.scanned > self.pos {
            let fresh = buf.get(self.scanned..).unwrap_or_default();
            let long_line =
                self.phase == Phase::RequestLine && buf.len() - self.pos > limits.max_target;
            // Past `max_head` the answer is an error either way, and it must be the one a single
            // parse of these bytes gives: a bad byte among the fresh ones comes first.
            let too_large = buf.len() > limits.max_head;
            if !fresh.contains(&b'\n') && !long_line && !too_large {
                return self.partial(buf, limits);
            }
        }
        loop {
            let rest = buf.get(self.pos..).unwrap_or_default();
            match self.phase {
                Phase::RequestLine => match rest {
                    // RFC 9112 §2.2: ignore empty lines received before the request line.
                    [b'\r', b'\n', ..] => self.pos += 2,
                    [] | [b'\r'] => return self.partial(buf, limits),
                    [b'\n', ..] => return Err(ParseError::NewLine),
                    _ => match self.request_line(rest, limits)? {
                        Status::Partial => return self.partial(buf, limits),
                        Status::Complete(len) => {
                            self.pos += len;
                            self.phase = Phase::Fields;
                        }
                    },
                },
                Phase::Fields => {
                    let (pos, status) = self.field_lines(buf, self.pos, limits);
                    self.pos = pos;
                    return match status? {
                        Status::Partial => self.partial(buf, limits),
                        complete => Ok(complete),
                    };
                }
            }
        }
    }

    /// Parses the field lines from `pos` on, up to the empty line that ends the head. Answers the
    /// start of the first line not parsed, with the outcome. (A loop of its own, with `pos` in a
    /// local, so that the per-field work stays in registers.)
    #[inline(always)]
    fn field_lines(
        &mut self,
        buf: &[u8],
        mut pos: usize,
        limits: &ParseLimits,
    ) -> (usize, Result<Status<usize>, ParseError>) {
        loop {
            let rest = buf.get(pos..).unwrap_or_default();
            let (first, line) = match rest {
                [b'\r', b'\n', ..] => {
                    let len = pos + 2;
                    return if len > limits.max_head {
                        (pos, Err(ParseError::HeadTooLarge))
                    } else {
                        (pos, Ok(Status::Complete(len)))
                    };
                }
                [] | [b'\r'] => return (pos, Ok(Status::Partial)),
                [b'\r', ..] | [b'\n', ..] => return (pos, Err(ParseError::NewLine)),
                // RFC 9112 §5.2: obs-fold is refused; so is whitespace before the first field.
                [b' ' | b'\t', ..] => return (pos, Err(ParseError::ObsFold)),
                [first, ..] => match field_line(rest) {
                    Err(e) => return (pos, Err(e)),
                    Ok(Status::Partial) => return (pos, Ok(Status::Partial)),
                    Ok(Status::Complete(line)) => (*first, line),
                },
            };
            if self.fields.len() >= limits.max_fields {
                return (pos, Err(ParseError::TooManyFields));
            }
            if let Some(field) = FramingField::of(line.name_end, first) {
                if field.is(rest.get(..line.name_end).unwrap_or_default()) {
                    let value = rest.get(line.value.clone()).unwrap_or_default();
                    self.framing.field(field, value);
                }
            }
            self.fields.push(FieldSpan {
                name: pos..pos + line.name_end,
                value: pos + line.value.start..pos + line.value.end,
            });
            pos += line.len;
            if pos > limits.max_head {
                return (pos, Err(ParseError::HeadTooLarge));
            }
        }
    }

    fn partial(&mut self, buf: &[u8], limits: &ParseLimits) -> Result<Status<usize>, ParseError> {
        self.scanned = buf.len();
        // RFC 9112 §2.3 leaves the bound to the server; ours is `max_head`, request line included.
        if buf.len() > limits.max_head {
            return Err(ParseError::HeadTooLarge);
        }
        Ok(Status::Partial)
    }

    /// `request-line = method SP request-target SP HTTP-version CRLF` (RFC 9112 §3).
    fn request_line(
        &mut self,
        line: &[u8],
        limits: &ParseLimits,
    ) -> Result<Status<usize>, ParseError> {
        let base = self.pos;
        let method_len = match method(line)? {
            Status::Complete(len) => len,
            Status::Partial => return Ok(Status::Partial),
        };
        let target_start = method_len + 1;
        let rest = line.get(target_start..).unwrap_or_default();
        // One pass: the run of path bytes, then, from the first byte that is not one (`?` in the
        // usual case), the rest of the target.
        let path_end = scan(rest, 0, path_stops, &PATH);
        let target_len = match rest.get(path_end) {
            Some(&b) if TARGET[usize::from(b)] => scan(rest, path_end, target_stops, &TARGET),
            _ => path_end,
        };
        // RFC 9112 §3: a target longer than the server will parse gets 414.
        if target_len > limits.max_target {
            return Err(ParseError::TargetTooLong);
        }
        match rest.get(target_len) {
            None => return Ok(Status::Partial),
            Some(b' ') if target_len > 0 => {}
            Some(_) => return Err(ParseError::Target),
        }
        let method = &line[..method_len];
        let target = &rest[..target_len];
        let (path, query) = match target.get(path_end) {
            // origin-form whose path holds only path bytes: what `target_form` would find, without
            // a second pass over the path.
            None | Some(b'?') if target[0] == b'/' && method != b"CONNECT" => (
                0..path_end,
                (path_end < target_len).then(|| path_end + 1..target_len),
            ),
            _ => target_form(method, target)?,
        };
        let version_start = target_start + target_len + 1;
        let version = line.get(version_start..).unwrap_or_default();
        let version = match version_line(version)? {
            Status::Complete(version) => version,
            Status::Partial => return Ok(Status::Partial),
        };
        let end = version_start + 8;
        let target_base = base + target_start;
        self.method = base..base + method_len;
        self.target = target_base..target_base + target_len;
        self.path = target_base + path.start..target_base + path.end;
        self.query = query.map(|q| target_base + q.start..target_base + q.end);
        self.version = version;
        Ok(Status::Complete(end + 2))
    }

    /// A view of the parsed head. Call it only after [`HeadParser::parse`] returned
    /// [`Status::Complete`], with the same `buf`.
    #[must_use]
    pub fn head<'b>(&'b self, buf: &'b [u8]) -> Head<'b> {
        Head { buf, parser: self }
    }
}

/// `method SP` at the start of the request line `line`: the method's length.
#[inline(always)]
fn method(line: &[u8]) -> Result<Status<usize>, ParseError> {
    // The most common method is known without a scan (httparse has the same shortcut).
    if line.starts_with(b"GET ") {
        return Ok(Status::Complete(3));
    }
    let len = scan(line, 0, token_stops, &TCHAR);
    if len > MAX_METHOD {
        return Err(ParseError::Method);
    }
    match line.get(len) {
        None => Ok(Status::Partial),
        Some(b' ') if len > 0 => Ok(Status::Complete(len)),
        Some(_) => Err(ParseError::Method),
    }
}

/// `HTTP/1.1` and `HTTP/1.0` as little-endian words.
const HTTP_11: u64 = u64::from_le_bytes(*b"HTTP/1.1");
const HTTP_10: u64 = u64::from_le_bytes(*b"HTTP/1.0");

/// `HTTP-version CRLF` (RFC 9112 §2.3) at the start of `v`, the end of the request line.
#[inline(always)]
fn version_line(v: &[u8]) -> Result<Status<Version>, ParseError> {
    let Some((&version, rest)) = v.split_first_chunk::<8>() else {
        // Refuse a wrong version as soon as it is wrong, not when its line ends.
        return if version_prefix_ok(v) {
            Ok(Status::Partial)
        } else {
            Err(ParseError::Version)
        };
    };
    // The usual case in two comparisons: the version as one word, then CRLF.
    let version = match u64::from_le_bytes(version) {
        HTTP_11 => Version::Http11,
        HTTP_10 => Version::Http10,
        _ => {
            return match version {
                [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
                    if major.is_ascii_digit() && minor.is_ascii_digit() =>
                {
                    Err(ParseError::UnsupportedVersion)
                }
                _ => Err(ParseError::Version),
            };
        }
    };
    match rest {
        [b'\r', b'\n', ..] => Ok(Status::Complete(version)),
        [] | [b'\r'] => Ok(Status::Partial),
        [b'\r' | b'\n', ..] => Err(ParseError::NewLine),
        [_, ..] => Err(ParseError::Version),
    }
}

/// Whether `v` (fewer than 8 bytes) can still become `HTTP/d.d`.
fn version_prefix_ok(v: &[u8]) -> bool {
    v.iter().enumerate().all(|(i, &b)| match i {
        0..=4 => b == b"HTTP/"[i],
        6 => b == b'.',
        _ => b.is_ascii_digit(),
    })
}

/// Checks the form of a complete target (RFC 9112 §3.2) and finds its path and query.
///
/// - origin-form `absolute-path [ "?" query ]`, the usual one;
/// - absolute-form `http://authority/path?query` (scheme `http` or `https`);
/// - asterisk-form `*`, for `OPTIONS` only;
/// - authority-form is `CONNECT`'s, which this server does not serve (501).
fn target_form(
    method: &[u8],
    target: &[u8],
) -> Result<(Range<usize>, Option<Range<usize>>), ParseError> {
    if method == b"CONNECT" {
        return Err(ParseError::Connect);
    }
    match target.first() {
        Some(b'/') => Ok(path_and_query(target, 0)),
        Some(b'*') if target == b"*" && method == b"OPTIONS" => Ok((0..1, None)),
        Some(_) => absolute_form(target),
        None => Err(ParseError::Target),
    }
    .and_then(|(path, query)| {
        if target[path.clone()].iter().all(|&b| PATH[usize::from(b)]) || target == b"*" {
            Ok((path, query))
        } else {
            Err(ParseError::Target)
        }
    })
}

fn path_and_query(target: &[u8], from: usize) -> (Range<usize>, Option<Range<usize>>) {
    match target[from..].iter().position(|&b| b == b'?') {
        Some(q) => (from..from + q, Some(from + q + 1..target.len())),
        None => (from..target.len(), None),
    }
}

/// `absolute-URI` with an `http` or `https` scheme, a non-empty authority without userinfo
/// (RFC 9110 §4.2.4), and an optional path. An empty path stands for `/`.
fn absolute_form(target: &[u8]) -> Result<(Range<usize>, Option<Range<usize>>), ParseError> {
    let scheme_len = if target.len() >= 7 && target[..7].eq_ignore_ascii_case(b"http://") {
        4
    } else if target.len() >= 8 && target[..8].eq_ignore_ascii_case(b"https://") {
        5
    } else {
        return Err(ParseError::Target);
    };
    let authority_start = scheme_len + 3;
    let authority_len = target[authority_start..]
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(target.len() - authority_start);
    let authority = &target[authority_start..authority_start + authority_len];
    // RFC 9110 §4.2.1: an empty host (no authority, or only `:port`) is invalid.
    if matches!(authority.first(), None | Some(b':'))
        || !authority
            .iter()
            .all(|&b| super::chars::HOST[usize::from(b)])
    {
        return Err(ParseError::Target);
    }
    Ok(path_and_query(target, authority_start + authority_len))
}

/// Offsets of one field line, relative to its start.
struct FieldLine {
    name_end: usize,
    value: Range<usize>,
    len: usize,
}

/// `field-line = field-name ":" OWS field-value OWS` CRLF (RFC 9112 §5).
#[inline(always)]
fn field_line(line: &[u8]) -> Result<Status<FieldLine>, ParseError> {
    let (name_word, name_end) = scan_marked(line, 0, token_stops, &TCHAR);
    // The end of the value, found from the word where the name ends rather than from the name's
    // last byte: the name, the colon and OWS are all field-value bytes, so the first byte that
    // is not one is the same either way, and the line's end does not wait for the name's. (Where
    // the next line starts is what the parse of every field waits for.)
    let i = scan(line, name_word, value_stops, &FIELD_VALUE);
    match line.get(name_end) {
        None => return Ok(Status::Partial),
        // RFC 9112 §5.1: no whitespace between name and colon; an empty name is no token.
        Some(b':') if name_end > 0 => {}
        Some(_) => return Err(ParseError::HeaderName),
    }
    let value_start = match line.get(name_end + 1..name_end + 3) {
        // The usual case: a single SP, then the value.
        Some(&[b' ', b]) if b != b' ' && b != b'\t' => name_end + 2,
        _ => {
            let mut i = name_end + 1;
            while let Some(b' ' | b'\t') = line.get(i) {
                i += 1;
            }
            i
        }
    };
    if line.get(i..i + 2) != Some(b"\r\n") {
        return value_end_error(line.get(i..).unwrap_or_default());
    }
    // Trailing OWS: usually none.
    let mut value_end = i;
    while value_end > value_start {
        match line.get(value_end - 1) {
            Some(b' ' | b'\t') => value_end -= 1,
            _ => break,
        }
    }
    Ok(Status::Complete(FieldLine {
        name_end,
        value: value_start..value_end,
        len: i + 2,
    }))
}

/// What a field value that runs into `rest` (a byte outside `FIELD_VALUE`, or the end of the
/// bytes) means, when `rest` does not start with CRLF.
#[cold]
fn value_end_error(rest: &[u8]) -> Result<Status<FieldLine>, ParseError> {
    match rest {
        [] | [b'\r'] => Ok(Status::Partial),
        [b'\r' | b'\n', ..] => Err(ParseError::NewLine),
        // NUL, DEL and the other controls (RFC 9110 §5.5).
        _ => Err(ParseError::HeaderValue),
    }
}

/// A parsed request head, borrowed from the read buffer.
#[derive(Debug, Clone, Copy)]
pub struct Head<'b> {
    buf: &'b [u8],
    parser: &'b HeadParser,
}

impl<'b> Head<'b> {
    fn slice(&self, range: &Range<usize>) -> &'b [u8] {
        self.buf.get(range.clone()).unwrap_or_default()
    }

    /// The method token.
    #[must_use]
    pub fn method(&self) -> &'b [u8] {
        self.slice(&self.parser.method)
    }

    /// The request target as sent.
    #[must_use]
    pub fn target(&self) -> &'b [u8] {
        self.slice(&self.parser.target)
    }

    /// The path of the target, still percent-encoded. Empty for an absolute-form target
    /// without a path (which means `/`).
    #[must_use]
    pub fn path(&self) -> &'b [u8] {
        self.slice(&self.parser.path)
    }

    /// The query of the target (after `?`), if it has one.
    #[must_use]
    pub fn query(&self) -> Option<&'b [u8]> {
        self.parser.query.as_ref().map(|q| self.slice(q))
    }

    /// Where the path and query sit inside [`Head::target`].
    pub(crate) fn target_ranges(&self) -> (Range<usize>, Option<Range<usize>>) {
        let base = self.parser.target.start;
        let path = self.parser.path.start - base..self.parser.path.end - base;
        let query = self
            .parser
            .query
            .as_ref()
            .map(|q| q.start - base..q.end - base);
        (path, query)
    }

    /// The protocol version.
    #[must_use]
    pub fn version(&self) -> Version {
        self.parser.version
    }

    /// What the framing fields of the head said.
    pub(crate) fn framing_scan(&self) -> &'b FramingScan {
        &self.parser.framing
    }

    /// The field lines, in order, as `(name, value)` with the value's surrounding whitespace removed.
    #[must_use]
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&'b [u8], &'b [u8])> + 'b {
        let buf = self.buf;
        self.parser.fields.iter().map(move |f| {
            (
                buf.get(f.name.clone()).unwrap_or_default(),
                buf.get(f.value.clone()).unwrap_or_default(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete head, copied out of the parser so that a test can compare it whole.
    #[derive(Debug, PartialEq, Eq)]
    struct Parsed {
        len: usize,
        method: Vec<u8>,
        target: Vec<u8>,
        path: Vec<u8>,
        query: Option<Vec<u8>>,
        version: Version,
        fields: Vec<Field>,
    }

    /// A field line as `(name, value)`.
    type Field = (Vec<u8>, Vec<u8>);

    fn copy_out(parser: &HeadParser, buf: &[u8], len: usize) -> Parsed {
        let head = parser.head(buf);
        Parsed {
            len,
            method: head.method().to_vec(),
            target: head.target().to_vec(),
            path: head.path().to_vec(),
            query: head.query().map(<[u8]>::to_vec),
            version: head.version(),
            fields: head
                .fields()
                .map(|(name, value)| (name.to_vec(), value.to_vec()))
                .collect(),
        }
    }

    /// `raw` parsed in one call by a fresh parser.
    fn parse_with(raw: &[u8], limits: &ParseLimits) -> Result<Status<Parsed>, ParseError> {
        let mut parser = HeadParser::new();
        Ok(match parser.parse(raw, limits)? {
            Status::Complete(len) => Status::Complete(copy_out(&parser, raw, len)),
            Status::Partial => Status::Partial,
        })
    }

    fn parse(raw: &[u8]) -> Result<Status<Parsed>, ParseError> {
        parse_with(raw, &ParseLimits::default())
    }

    /// `raw` fed to one parser one byte at a time: the first error, the head as soon as it is
    /// complete, or `Partial` when the bytes run out first.
    fn parse_bytewise(raw: &[u8], limits: &ParseLimits) -> Result<Status<Parsed>, ParseError> {
        let mut parser = HeadParser::new();
        for end in 0..=raw.len() {
            if let Status::Complete(len) = parser.parse(&raw[..end], limits)? {
                return Ok(Status::Complete(copy_out(&parser, &raw[..end], len)));
            }
        }
        Ok(Status::Partial)
    }

    /// The parts of a head that must be complete.
    fn complete(raw: &[u8]) -> Result<Parsed, ParseError> {
        match parse(raw)? {
            Status::Complete(parsed) => Ok(parsed),
            Status::Partial => panic!("head unexpectedly partial: {:?}", raw.escape_ascii()),
        }
    }

    /// The fields of a complete head that has the request line `GET / HTTP/1.1`.
    fn fields_of(fields: &[u8]) -> Result<Vec<Field>, ParseError> {
        complete(&[b"GET / HTTP/1.1\r\n", fields, b"\r\n"].concat()).map(|head| head.fields)
    }

    /// The error (or `Ok(())`) of a head with request line `GET / HTTP/1.1` and these fields.
    fn field_error(fields: &[u8]) -> Result<(), ParseError> {
        fields_of(fields).map(drop)
    }

    /// The error of a request line (CRLF and an empty line are appended), or its head.
    fn request_line(line: &[u8]) -> Result<Parsed, ParseError> {
        complete(&[line, b"\r\nHost: a\r\n\r\n"].concat())
    }

    const VALID_HEADS: [&[u8]; 7] = [
        b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET /users/7?full=1&q=%7Bx%7D HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
        b"\r\n\r\nPOST /form HTTP/1.0\r\nContent-Length: 3\r\nX-Pad: \t a\tb \t\r\n\r\n",
        b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET https://example.com:8443?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Obs: caf\xe9\r\n\r\n",
        b"DELETE /a/b;c=d HTTP/1.1\r\nHost: a\r\nEmpty:\r\nX-Long-Value: 0123456789abcdef0123456789\r\n\r\n",
    ];

    #[test]
    fn every_strict_prefix_of_a_valid_head_is_partial() {
        let limits = ParseLimits::default();
        for raw in VALID_HEADS {
            let shown = raw.escape_ascii();
            let mut grown = HeadParser::new();
            for end in 0..raw.len() {
                let fresh = HeadParser::new().parse(&raw[..end], &limits);
                assert_eq!(
                    fresh,
                    Ok(Status::Partial),
                    "fresh parser, end {end} of {shown}"
                );
                let again = grown.parse(&raw[..end], &limits);
                assert_eq!(
                    again,
                    Ok(Status::Partial),
                    "growing prefix, end {end} of {shown}"
                );
            }
            assert_eq!(
                grown.parse(raw, &limits),
                Ok(Status::Complete(raw.len())),
                "{shown}"
            );
            assert_eq!(
                Ok(Status::Complete(copy_out(&grown, raw, raw.len()))),
                parse(raw),
                "{shown}"
            );
        }
    }

    #[test]
    fn head_fed_one_byte_at_a_time_parses_like_whole() {
        let limits = ParseLimits::default();
        for raw in VALID_HEADS {
            let whole = parse(raw);
            assert!(
                matches!(whole, Ok(Status::Complete(_))),
                "{}",
                raw.escape_ascii()
            );
            assert_eq!(
                parse_bytewise(raw, &limits),
                whole,
                "{}",
                raw.escape_ascii()
            );
        }
    }

    #[test]
    fn head_ends_at_the_empty_line() {
        for raw in VALID_HEADS {
            let with_body = [raw, b"BODY\r\n\r\n".as_slice()].concat();
            assert_eq!(complete(&with_body).map(|h| h.len), Ok(raw.len()));
        }
    }

    #[test]
    fn request_line_and_fields_are_parsed() {
        let raw = b"GET /users/7?full=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
        assert_eq!(
            complete(raw),
            Ok(Parsed {
                len: raw.len(),
                method: b"GET".to_vec(),
                target: b"/users/7?full=1".to_vec(),
                path: b"/users/7".to_vec(),
                query: Some(b"full=1".to_vec()),
                version: Version::Http11,
                fields: vec![
                    (b"Host".to_vec(), b"example.com".to_vec()),
                    (b"Accept".to_vec(), b"*/*".to_vec()),
                ],
            })
        );
    }

    #[test]
    fn method_with_a_non_token_byte_is_rejected() {
        for line in [
            &b"G(T / HTTP/1.1"[..],
            b"GE\"T / HTTP/1.1",
            b"G\xc3\x89T / HTTP/1.1",
            b"GET\t/ HTTP/1.1",
            b"GET\x00/ HTTP/1.1",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Method),
                "{}",
                line.escape_ascii()
            );
        }
        // As soon as the bad byte is seen.
        assert_eq!(parse(b"G(").map(drop), Err(ParseError::Method));
    }

    #[test]
    fn empty_method_is_rejected() {
        assert_eq!(request_line(b" / HTTP/1.1"), Err(ParseError::Method));
    }

    #[test]
    fn over_long_method_is_rejected() {
        let longest = "M".repeat(MAX_METHOD);
        let line = format!("{longest} / HTTP/1.1");
        assert_eq!(
            request_line(line.as_bytes()).map(|h| h.method),
            Ok(longest.clone().into_bytes())
        );
        let line = format!("{longest}M / HTTP/1.1");
        assert_eq!(request_line(line.as_bytes()), Err(ParseError::Method));
        // Before the space that would end it.
        assert_eq!(
            parse(format!("{longest}M").as_bytes()).map(drop),
            Err(ParseError::Method)
        );
    }

    #[test]
    fn absolute_form_target_is_accepted_for_http_and_https() {
        let parts = |line: &[u8]| request_line(line).map(|h| (h.target, h.path, h.query));
        assert_eq!(
            parts(b"GET http://example.com/a/b?c=d HTTP/1.1"),
            Ok((
                b"http://example.com/a/b?c=d".to_vec(),
                b"/a/b".to_vec(),
                Some(b"c=d".to_vec())
            ))
        );
        assert_eq!(
            parts(b"GET HTTPS://[::1]:8443/ HTTP/1.1"),
            Ok((b"HTTPS://[::1]:8443/".to_vec(), b"/".to_vec(), None))
        );
    }

    #[test]
    fn absolute_form_target_without_path_means_root() {
        let parts = |line: &[u8]| request_line(line).map(|h| (h.path, h.query));
        // The parser leaves the path empty; the request reports it as `/`.
        assert_eq!(
            parts(b"GET http://example.com HTTP/1.1"),
            Ok((vec![], None))
        );
        assert_eq!(
            parts(b"GET https://example.com?x=1 HTTP/1.1"),
            Ok((vec![], Some(b"x=1".to_vec())))
        );
        let req = crate::http::Request::new(crate::http::Method::Get, "http://example.com");
        assert_eq!(req.as_ref().map(|r| r.path()), Ok("/"));
    }

    #[test]
    fn absolute_form_target_with_userinfo_is_rejected() {
        for line in [
            &b"GET http://user@example.com/ HTTP/1.1"[..],
            b"GET http://user:pass@example.com/ HTTP/1.1",
            b"GET https://@example.com HTTP/1.1",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn absolute_form_target_needs_an_http_scheme_and_a_host() {
        for line in [
            &b"GET ftp://example.com/ HTTP/1.1"[..],
            b"GET example.com/ HTTP/1.1",
            b"GET http:/example.com/ HTTP/1.1",
            b"GET http:///a HTTP/1.1",
            // RFC 9110 §4.2.1: an http(s) URI with an empty host must be rejected.
            b"GET http://:80/a HTTP/1.1",
            b"GET https://:443 HTTP/1.1",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn asterisk_form_is_accepted_for_options() {
        assert_eq!(
            request_line(b"OPTIONS * HTTP/1.1").map(|h| (h.method, h.target, h.path, h.query)),
            Ok((b"OPTIONS".to_vec(), b"*".to_vec(), b"*".to_vec(), None))
        );
    }

    #[test]
    fn asterisk_form_with_another_method_is_rejected() {
        for line in [
            &b"GET * HTTP/1.1"[..],
            b"POST * HTTP/1.1",
            b"OPTIONS *x HTTP/1.1",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn connect_is_not_implemented() {
        assert_eq!(
            request_line(b"CONNECT example.com:443 HTTP/1.1"),
            Err(ParseError::Connect)
        );
        assert_eq!(
            request_line(b"CONNECT / HTTP/1.1"),
            Err(ParseError::Connect)
        );
    }

    #[test]
    fn only_http_1_0_and_1_1_are_accepted() {
        assert_eq!(
            request_line(b"GET / HTTP/1.0").map(|h| h.version),
            Ok(Version::Http10)
        );
        assert_eq!(
            request_line(b"GET / HTTP/1.1").map(|h| h.version),
            Ok(Version::Http11)
        );
    }

    #[test]
    fn other_well_formed_versions_are_unsupported() {
        for line in [
            &b"GET / HTTP/2.0"[..],
            b"GET / HTTP/0.9",
            b"GET / HTTP/1.2",
            b"GET / HTTP/3.0",
        ] {
            let shown = line.escape_ascii();
            assert_eq!(
                request_line(line),
                Err(ParseError::UnsupportedVersion),
                "{shown}"
            );
            // Known as soon as the version is, before the line ends.
            assert_eq!(
                parse(line).map(drop),
                Err(ParseError::UnsupportedVersion),
                "{shown}"
            );
        }
    }

    #[test]
    fn malformed_version_is_rejected() {
        for line in [
            &b"GET / HTTP/1.10"[..],
            b"GET / http/1.1",
            b"GET / HTTP/1.1 ",
            b"GET / HTTP/1.1\t",
            b"GET / HTTP/11",
            b"GET / HTTP/1",
            b"GET / HTTP/1.x",
            b"GET / HTTPS/1.1",
            b"GET /  HTTP/1.1",
            b"GET / ",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Version),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn space_inside_target_is_rejected() {
        // The target ends at the first space, so what follows is taken for a (bad) version.
        assert_eq!(request_line(b"GET /a b HTTP/1.1"), Err(ParseError::Version));
        // Two spaces before the target leave it empty.
        assert_eq!(request_line(b"GET  / HTTP/1.1"), Err(ParseError::Target));
    }

    #[test]
    fn control_byte_in_target_is_rejected() {
        for line in [
            &b"GET /a\x00b HTTP/1.1"[..],
            b"GET /a\x01b HTTP/1.1",
            b"GET /a\tb HTTP/1.1",
            b"GET /a\x7fb HTTP/1.1",
            b"GET /a?b\x1fc HTTP/1.1",
            b"GET /\r\n",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn non_ascii_byte_in_target_is_rejected() {
        for line in [
            &b"GET /caf\xc3\xa9 HTTP/1.1"[..],
            b"GET /a?q=\xff HTTP/1.1",
            b"GET http://ex\xe9.com/ HTTP/1.1",
        ] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn fragment_in_target_is_rejected() {
        for line in [&b"GET /a#frag HTTP/1.1"[..], b"GET /a?b=1#frag HTTP/1.1"] {
            assert_eq!(
                request_line(line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn path_chars_outside_pchar_are_rejected() {
        for c in b"\"<>{}|\\^`[]" {
            let line = [b"GET /a".as_slice(), &[*c], b"b?x=1 HTTP/1.1"].concat();
            assert_eq!(
                request_line(&line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
            let line = [b"GET http://h/a".as_slice(), &[*c], b" HTTP/1.1"].concat();
            assert_eq!(
                request_line(&line),
                Err(ParseError::Target),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn query_accepts_visible_ascii_outside_pchar() {
        assert_eq!(
            request_line(b"GET /a/b;c=d:e@f!$&'()*+,%20?q=\"<>{}|\\^`[]/?x HTTP/1.1")
                .map(|h| (h.path, h.query)),
            Ok((
                b"/a/b;c=d:e@f!$&'()*+,%20".to_vec(),
                Some(b"q=\"<>{}|\\^`[]/?x".to_vec())
            ))
        );
    }

    #[test]
    fn field_name_must_be_a_token() {
        for fields in [
            &b"X(y): 1\r\n"[..],
            b"X\"y: 1\r\n",
            b"X/y: 1\r\n",
            b"N\xc3\xa4me: 1\r\n",
            b"X\x00: 1\r\n",
            b"@: 1\r\n",
            b"Host\r\n",
        ] {
            assert_eq!(
                field_error(fields),
                Err(ParseError::HeaderName),
                "{}",
                fields.escape_ascii()
            );
        }
        assert_eq!(
            fields_of(b"X-a_b.c!#$%&'*+^`|~9: 1\r\n"),
            Ok(vec![(b"X-a_b.c!#$%&'*+^`|~9".to_vec(), b"1".to_vec())])
        );
    }

    #[test]
    fn whitespace_before_colon_is_rejected() {
        for fields in [&b"Host : a\r\n"[..], b"Host\t: a\r\n", b"X-A  :1\r\n"] {
            assert_eq!(
                field_error(fields),
                Err(ParseError::HeaderName),
                "{}",
                fields.escape_ascii()
            );
        }
    }

    #[test]
    fn empty_field_name_is_rejected() {
        assert_eq!(field_error(b": a\r\n"), Err(ParseError::HeaderName));
        assert_eq!(
            field_error(b"Host: a\r\n:\r\n"),
            Err(ParseError::HeaderName)
        );
    }

    #[test]
    fn obs_fold_is_rejected() {
        assert_eq!(field_error(b"X: a\r\n b\r\n"), Err(ParseError::ObsFold));
        assert_eq!(field_error(b"X: a\r\n\tb\r\n"), Err(ParseError::ObsFold));
        // Whitespace before the first field line is refused the same way (RFC 9112 §2.2).
        assert_eq!(field_error(b" Host: a\r\n"), Err(ParseError::ObsFold));
    }

    #[test]
    fn bare_cr_in_field_value_is_rejected() {
        assert_eq!(field_error(b"X: a\rb\r\n"), Err(ParseError::NewLine));
        assert_eq!(field_error(b"X: a\r\r\n"), Err(ParseError::NewLine));
        assert_eq!(
            field_error(b"X: 0123456789abcdef\rb\r\n"),
            Err(ParseError::NewLine)
        );
    }

    #[test]
    fn control_byte_in_field_value_is_rejected() {
        let controls = (0u8..0x20).filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'));
        for ctl in controls.chain([0x7f]) {
            // Every position in an 8-byte word, and past the first word.
            for before in 0..18 {
                let fields = [b"X: ", &b"v".repeat(before)[..], &[ctl], b"w\r\n"].concat();
                assert_eq!(
                    field_error(&fields),
                    Err(ParseError::HeaderValue),
                    "{}",
                    fields.escape_ascii()
                );
            }
        }
    }

    #[test]
    fn bare_lf_ends_no_request_line() {
        assert_eq!(
            parse(b"GET / HTTP/1.1\nHost: a\r\n\r\n").map(drop),
            Err(ParseError::NewLine)
        );
        assert_eq!(
            parse(b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").map(drop),
            Err(ParseError::NewLine)
        );
        assert_eq!(
            parse(b"GET / HTTP/1.1\rHost: a\r\n\r\n").map(drop),
            Err(ParseError::NewLine)
        );
    }

    #[test]
    fn bare_lf_ends_no_field_line() {
        assert_eq!(field_error(b"Host: a\nX: b\r\n"), Err(ParseError::NewLine));
        assert_eq!(
            field_error(b"Host: 0123456789abcdef\n"),
            Err(ParseError::NewLine)
        );
        // Nor the empty line that ends the head.
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost: a\r\n\n").map(drop),
            Err(ParseError::NewLine)
        );
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost: a\r\n\rX").map(drop),
            Err(ParseError::NewLine)
        );
    }

    #[test]
    fn field_value_ows_is_trimmed() {
        assert_eq!(
            fields_of(b"A:  \t a b \t \r\nB:b\r\nC:   \r\nD:\r\nE: 0123456789abcdef \r\n"),
            Ok(vec![
                (b"A".to_vec(), b"a b".to_vec()),
                (b"B".to_vec(), b"b".to_vec()),
                (b"C".to_vec(), b"".to_vec()),
                (b"D".to_vec(), b"".to_vec()),
                (b"E".to_vec(), b"0123456789abcdef".to_vec()),
            ])
        );
    }

    #[test]
    fn htab_is_allowed_inside_field_values() {
        assert_eq!(
            fields_of(b"X: a\tb\t\tc\r\nY: 0123456789\tabcdef\r\n"),
            Ok(vec![
                (b"X".to_vec(), b"a\tb\t\tc".to_vec()),
                (b"Y".to_vec(), b"0123456789\tabcdef".to_vec()),
            ])
        );
    }

    #[test]
    fn obs_text_is_allowed_in_field_values() {
        let obs_text: Vec<u8> = (0x80..=0xff).collect();
        let fields = [b"X: caf\xe9\r\nY: ", &obs_text[..], b"\r\n"].concat();
        assert_eq!(
            fields_of(&fields),
            Ok(vec![
                (b"X".to_vec(), b"caf\xe9".to_vec()),
                (b"Y".to_vec(), obs_text.clone()),
            ])
        );
        // Each byte in every position of an 8-byte word, and near the end of the buffer.
        for b in obs_text {
            for before in 0..10 {
                let value = [&b"v".repeat(before)[..], &[b]].concat();
                let fields = [b"X: ", &value[..], b"\r\n"].concat();
                assert_eq!(
                    fields_of(&fields),
                    Ok(vec![(b"X".to_vec(), value)]),
                    "{}",
                    fields.escape_ascii()
                );
            }
        }
    }

    #[test]
    fn empty_lines_before_request_line_are_ignored() {
        let raw = b"\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(
            complete(raw),
            Ok(Parsed {
                len: raw.len(),
                method: b"GET".to_vec(),
                target: b"/a".to_vec(),
                path: b"/a".to_vec(),
                query: None,
                version: Version::Http11,
                fields: vec![(b"Host".to_vec(), b"a".to_vec())],
            })
        );
    }

    #[test]
    fn target_over_max_target_is_refused_before_the_line_ends() {
        let limits = ParseLimits {
            max_target: 16,
            ..ParseLimits::default()
        };
        let longest = format!("/{}", "a".repeat(15));
        let raw = format!("GET {longest} HTTP/1.1\r\n\r\n");
        assert_eq!(
            parse_with(raw.as_bytes(), &limits).map(|s| match s {
                Status::Complete(head) => Some(head.target),
                Status::Partial => None,
            }),
            Ok(Some(longest.clone().into_bytes()))
        );
        // Only the method and one byte too many: no space, no version, no CRLF yet.
        let too_long = format!("GET {longest}a");
        assert_eq!(
            parse_with(too_long.as_bytes(), &limits).map(drop),
            Err(ParseError::TargetTooLong)
        );
        // The same, one byte at a time to one parser: refused at that byte, not later.
        let mut parser = HeadParser::new();
        let bytes = too_long.as_bytes();
        for end in 0..bytes.len() {
            assert_eq!(
                parser.parse(&bytes[..end], &limits),
                Ok(Status::Partial),
                "end {end}"
            );
        }
        assert_eq!(parser.parse(bytes, &limits), Err(ParseError::TargetTooLong));
    }

    #[test]
    fn head_over_max_head_is_refused_once_complete() {
        let limits = ParseLimits {
            max_head: 64,
            ..ParseLimits::default()
        };
        // 16 (request line) + 3 + pad + 2 + 2 (empty line) bytes.
        let head = |pad: usize| format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(pad));
        assert_eq!(
            parse_with(head(41).as_bytes(), &limits).map(|s| match s {
                Status::Complete(head) => Some(head.len),
                Status::Partial => None,
            }),
            Ok(Some(64))
        );
        assert_eq!(
            parse_with(head(42).as_bytes(), &limits).map(drop),
            Err(ParseError::HeadTooLarge)
        );
        assert_eq!(
            parse_bytewise(head(42).as_bytes(), &limits).map(drop),
            Err(ParseError::HeadTooLarge)
        );
        // A field line that ends past the limit is refused before the lines after it are read.
        let raw = format!("GET / HTTP/1.1\r\nX: {}\r\n\x01bad\r\n\r\n", "a".repeat(44));
        assert_eq!(
            parse_with(raw.as_bytes(), &limits).map(drop),
            Err(ParseError::HeadTooLarge)
        );
    }

    #[test]
    fn head_over_max_head_is_refused_while_partial() {
        let limits = ParseLimits {
            max_head: 64,
            max_target: 1000,
            ..ParseLimits::default()
        };
        for start in ["GET / HTTP/1.1\r\nX: ", "GET /", "\r\n\r\n\r\n"] {
            let mut raw = start.to_owned();
            let mut parser = HeadParser::new();
            while raw.len() < 64 {
                raw.push_str(if start.ends_with('\n') { "\r\n" } else { "a" });
            }
            raw.truncate(64);
            let bytes = raw.as_bytes();
            assert_eq!(parse_with(bytes, &limits).map(drop), Ok(()), "{start:?}");
            assert_eq!(
                parser.parse(bytes, &limits),
                Ok(Status::Partial),
                "{start:?}"
            );
            raw.push('a');
            let bytes = raw.as_bytes();
            assert_eq!(
                parse_with(bytes, &limits).map(drop),
                Err(ParseError::HeadTooLarge),
                "{start:?}"
            );
            assert_eq!(
                parser.parse(bytes, &limits),
                Err(ParseError::HeadTooLarge),
                "{start:?}"
            );
        }
    }

    #[test]
    fn a_bad_byte_is_found_before_max_head_whatever_the_split() {
        // Found by the head_split fuzz target: the second piece brings no LF, so the resumed
        // parse skipped it and answered `HeadTooLarge`, where one parse of the same bytes finds
        // the control byte first.
        let limits = ParseLimits {
            max_head: 48,
            ..ParseLimits::default()
        };
        let raw = b"GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789\x00abcdefghijklmnopqrstuvwxyz";
        assert_eq!(
            parse_with(raw, &limits).map(drop),
            Err(ParseError::HeaderValue)
        );
        let mut parser = HeadParser::new();
        assert_eq!(parser.parse(&raw[..30], &limits), Ok(Status::Partial));
        assert_eq!(parser.parse(raw, &limits), Err(ParseError::HeaderValue));
        assert_eq!(
            parse_bytewise(raw, &limits).map(drop),
            Err(ParseError::HeaderValue)
        );
    }

    #[test]
    fn bytes_past_max_head_decide_nothing() {
        // Found by the head_split fuzz target: one parse of the whole answered `HeaderName` for
        // a byte past the limit, a parse of the first 65 bytes `HeadTooLarge`.
        let limits = ParseLimits {
            max_head: 64,
            ..ParseLimits::default()
        };
        let raw = [
            b"GET / HTTP/1.1\r\n".as_slice(),
            &[b'm'; 50],
            b"\x00: 1\r\n\r\n",
        ]
        .concat();
        assert_eq!(
            parse_with(&raw[..65], &limits).map(drop),
            Err(ParseError::HeadTooLarge)
        );
        assert_eq!(
            parse_with(&raw, &limits).map(drop),
            Err(ParseError::HeadTooLarge)
        );
        let mut parser = HeadParser::new();
        assert_eq!(parser.parse(&raw[..40], &limits), Ok(Status::Partial));
        assert_eq!(parser.parse(&raw, &limits), Err(ParseError::HeadTooLarge));
    }

    #[test]
    fn more_than_max_fields_fields_are_refused() {
        let limits = ParseLimits {
            max_fields: 3,
            ..ParseLimits::default()
        };
        let raw = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        assert_eq!(
            parse_with(raw, &limits).map(|s| match s {
                Status::Complete(head) => head.fields.len(),
                Status::Partial => 0,
            }),
            Ok(3)
        );
        let raw = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
        assert_eq!(
            parse_with(raw, &limits).map(drop),
            Err(ParseError::TooManyFields)
        );
        assert_eq!(
            parse_bytewise(raw, &limits).map(drop),
            Err(ParseError::TooManyFields)
        );
    }
}
