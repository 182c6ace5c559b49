//! The request head: request line and field lines (RFC 9112 §2–§5), parsed incrementally.
//!
//! [`HeadParser::parse`] is handed the bytes received so far, starting where the head starts. It
//! answers [`Status::Partial`] until the empty line that ends the head has arrived, then
//! [`Status::Complete`] with the head's length. Completed lines are remembered, so a retry resumes at
//! the first incomplete line; and a retry with no new LF since the last one does no parsing at all.
//! A client that sends one byte at a time therefore costs linear, not quadratic, work. A bad byte is
//! an error as soon as it is seen, and a limit as soon as it is certain to be exceeded.

use super::chars::{word_is_plain_value, FIELD_VALUE, PATH, TARGET, TCHAR};
use super::ParseError;
use crate::http::Version;
use crate::server::Limits;
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
/// use framework::parse::{HeadParser, Status};
/// use framework::{Limits, Version};
///
/// let raw = b"GET /users/7?full=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
/// let mut parser = HeadParser::new();
/// let limits = Limits::default();
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
        }
    }

    /// Forgets the last head, keeping the field list's allocation.
    pub fn reset(&mut self) {
        self.phase = Phase::RequestLine;
        self.pos = 0;
        self.scanned = 0;
        self.fields.clear();
    }

    /// Parses as much of the head at the start of `buf` as has arrived. `buf` must hold the same
    /// bytes at the same offsets on every call for one head (more may be appended).
    ///
    /// # Errors
    /// The first rule the bytes break, as soon as it is broken, or a limit of `limits` once it
    /// is certain to be exceeded.
    pub fn parse(&mut self, buf: &[u8], limits: &Limits) -> Result<Status<usize>, ParseError> {
        if self.scanned > self.pos {
            let fresh = buf.get(self.scanned..).unwrap_or_default();
            let long_line =
                self.phase == Phase::RequestLine && buf.len() - self.pos > limits.max_target;
            if !fresh.contains(&b'\n') && !long_line {
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
                Phase::Fields => match rest {
                    [b'\r', b'\n', ..] => {
                        let len = self.pos + 2;
                        return if len > limits.max_head {
                            Err(ParseError::HeadTooLarge)
                        } else {
                            Ok(Status::Complete(len))
                        };
                    }
                    [] | [b'\r'] => return self.partial(buf, limits),
                    [b'\r', ..] | [b'\n', ..] => return Err(ParseError::NewLine),
                    // RFC 9112 §5.2: obs-fold is refused; so is whitespace before the first field.
                    [b' ' | b'\t', ..] => return Err(ParseError::ObsFold),
                    _ => match field_line(rest)? {
                        Status::Partial => return self.partial(buf, limits),
                        Status::Complete(line) => {
                            if self.fields.len() >= limits.max_fields {
                                return Err(ParseError::TooManyFields);
                            }
                            let base = self.pos;
                            self.fields.push(FieldSpan {
                                name: base..base + line.name_end,
                                value: base + line.value.start..base + line.value.end,
                            });
                            self.pos += line.len;
                            if self.pos > limits.max_head {
                                return Err(ParseError::HeadTooLarge);
                            }
                        }
                    },
                },
            }
        }
    }

    fn partial(&mut self, buf: &[u8], limits: &Limits) -> Result<Status<usize>, ParseError> {
        self.scanned = buf.len();
        // RFC 9112 §2.3 leaves the bound to the server; ours is `max_head`, request line included.
        if buf.len() > limits.max_head {
            return Err(ParseError::HeadTooLarge);
        }
        Ok(Status::Partial)
    }

    /// `request-line = method SP request-target SP HTTP-version CRLF` (RFC 9112 §3).
    fn request_line(&mut self, line: &[u8], limits: &Limits) -> Result<Status<usize>, ParseError> {
        let base = self.pos;
        let method_len = line.iter().take_while(|&&b| TCHAR[usize::from(b)]).count();
        if method_len > MAX_METHOD {
            return Err(ParseError::Method);
        }
        match line.get(method_len) {
            None => return Ok(Status::Partial),
            Some(b' ') if method_len > 0 => {}
            Some(_) => return Err(ParseError::Method),
        }
        let target_start = method_len + 1;
        let rest = line.get(target_start..).unwrap_or_default();
        let target_len = rest.iter().take_while(|&&b| TARGET[usize::from(b)]).count();
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
        let (path, query) = target_form(method, target)?;
        let version_start = target_start + target_len + 1;
        let version = line.get(version_start..).unwrap_or_default();
        let version = match version.get(..8) {
            None => {
                // Refuse a wrong version as soon as it is wrong, not when its line ends.
                return if version_prefix_ok(version) {
                    Ok(Status::Partial)
                } else {
                    Err(ParseError::Version)
                };
            }
            Some(b"HTTP/1.1") => Version::Http11,
            Some(b"HTTP/1.0") => Version::Http10,
            Some(&[b'H', b'T', b'T', b'P', b'/', major, b'.', minor])
                if major.is_ascii_digit() && minor.is_ascii_digit() =>
            {
                return Err(ParseError::UnsupportedVersion);
            }
            Some(_) => return Err(ParseError::Version),
        };
        let end = version_start + 8;
        match (line.get(end), line.get(end + 1)) {
            (None, _) | (Some(b'\r'), None) => return Ok(Status::Partial),
            (Some(b'\r'), Some(b'\n')) => {}
            (Some(b'\r' | b'\n'), _) => return Err(ParseError::NewLine),
            (Some(_), _) => return Err(ParseError::Version),
        }
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
    if authority.is_empty()
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
fn field_line(line: &[u8]) -> Result<Status<FieldLine>, ParseError> {
    let name_end = line.iter().take_while(|&&b| TCHAR[usize::from(b)]).count();
    match line.get(name_end) {
        None => return Ok(Status::Partial),
        // RFC 9112 §5.1: no whitespace between name and colon; an empty name is no token.
        Some(b':') if name_end > 0 => {}
        Some(_) => return Err(ParseError::HeaderName),
    }
    let mut i = name_end + 1;
    while let Some(b' ' | b'\t') = line.get(i) {
        i += 1;
    }
    let value_start = i;
    // Eight bytes at a time while none is a control character, then byte by byte.
    while let Some(chunk) = line.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if !word_is_plain_value(u64::from_le_bytes(word)) {
            break;
        }
        i += 8;
    }
    while let Some(&b) = line.get(i) {
        if !FIELD_VALUE[usize::from(b)] {
            break;
        }
        i += 1;
    }
    match (line.get(i), line.get(i + 1)) {
        (None, _) | (Some(b'\r'), None) => return Ok(Status::Partial),
        (Some(b'\r'), Some(b'\n')) => {}
        (Some(b'\r' | b'\n'), _) => return Err(ParseError::NewLine),
        // NUL, DEL and the other controls (RFC 9110 §5.5).
        (Some(_), _) => return Err(ParseError::HeaderValue),
    }
    let mut value_end = i;
    while value_end > value_start && matches!(line[value_end - 1], b' ' | b'\t') {
        value_end -= 1;
    }
    Ok(Status::Complete(FieldLine {
        name_end,
        value: value_start..value_end,
        len: i + 2,
    }))
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
