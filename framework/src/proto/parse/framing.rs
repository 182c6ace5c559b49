//! What the head says about the body and the connection: message framing (RFC 9112 §6),
//! persistence (§9.3), `Expect` (RFC 9110 §10.1.1) and `Host` (RFC 9112 §3.2).
//!
//! The work is done while the head is parsed, not in a second pass over its fields: the parser
//! asks [`FramingField::of`] about each field name (for most names, their length and first letter
//! answer "none" at once) and hands the value of each framing field to a [`FramingScan`], which
//! the parser keeps. [`Framing::from_head`] then only draws the conclusions. The answer, errors
//! included, is the one that walking the fields in order afterwards would give.

use super::chars::{host_stops, scan, HOST, REG_NAME};
use super::{Head, ParseError};
use crate::http::Version;

/// How the request body is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    /// No body: neither Content-Length nor Transfer-Encoding (rule 7 for requests).
    None,
    /// Exactly this many bytes (rule 6).
    Length(u64),
    /// `Transfer-Encoding: chunked` (rule 4).
    Chunked,
}

/// The framing decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// How the body is delimited.
    pub body: BodyLength,
    /// Whether the client wants the connection kept open after this exchange (RFC 9112 §9.3).
    pub keep_alive: bool,
    /// `Expect: 100-continue` on an HTTP/1.1 request (HTTP/1.0 ones ignore it, RFC 9110 §10.1.1).
    pub expect_continue: bool,
}

impl Framing {
    /// Decides framing, persistence and expectations, and checks `Host`, from the fields of a
    /// complete head.
    ///
    /// # Errors
    /// The first framing rule broken: see [`ParseError`].
    pub fn from_head(head: &Head<'_>) -> Result<Self, ParseError> {
        head.framing_scan().decide(head.version())
    }
}

/// One of the fields that [`Framing`] depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FramingField {
    Host,
    Expect,
    Connection,
    ContentLength,
    TransferEncoding,
}

impl FramingField {
    /// The framing field that a field name of `len` bytes starting with `first` may be, if any.
    /// Most names are none, and these two tell in a test or two; [`FramingField::is`] then
    /// compares the whole name.
    #[inline(always)]
    pub(crate) fn of(len: usize, first: u8) -> Option<Self> {
        match (len, first | 0x20) {
            (4, b'h') => Some(Self::Host),
            (6, b'e') => Some(Self::Expect),
            (10, b'c') => Some(Self::Connection),
            (14, b'c') => Some(Self::ContentLength),
            (17, b't') => Some(Self::TransferEncoding),
            _ => None,
        }
    }

    /// Whether the field name `name` (a token) names this field, in any case.
    #[inline(always)]
    pub(crate) fn is(self, name: &[u8]) -> bool {
        match self {
            Self::Host => name_is(name, b"host"),
            Self::Expect => name_is(name, b"expect"),
            Self::Connection => name_is(name, b"connection"),
            Self::ContentLength => name_is(name, b"content-length"),
            Self::TransferEncoding => name_is(name, b"transfer-encoding"),
        }
    }

    /// The framing field that the field name `name` (a token) names, in any case, if any.
    #[cfg(test)]
    fn named(name: &[u8]) -> Option<Self> {
        let field = Self::of(name.len(), *name.first()?)?;
        field.is(name).then_some(field)
    }
}

/// What the framing fields of a head said so far. The parser feeds it each framing field as it
/// completes the field's line ([`FramingScan::field`]); [`Framing::from_head`] asks it for the
/// decision ([`FramingScan::decide`]) once the head is complete.
#[derive(Debug, Clone, Default)]
pub(crate) struct FramingScan {
    /// The first rule that a field broke: the answer, whatever the fields after it say.
    error: Option<ParseError>,
    length: Option<u64>,
    codings: usize,
    chunked_last: bool,
    chunked_seen: bool,
    unknown_coding: bool,
    hosts: usize,
    close: bool,
    keep_alive_token: bool,
    expect_continue: bool,
    bad_expectation: bool,
}

impl FramingScan {
    /// Takes in the framing field `field` with the (trimmed) value `value`. (Out of line, so that
    /// the parser's loop over the fields keeps its registers.)
    #[inline(never)]
    pub(crate) fn field(&mut self, field: FramingField, value: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.apply(field, value) {
                self.error = Some(e);
            }
        }
    }

    fn apply(&mut self, field: FramingField, value: &[u8]) -> Result<(), ParseError> {
        match field {
            FramingField::Host => {
                self.hosts += 1;
                if !valid_authority(value, true) {
                    return Err(ParseError::InvalidHost);
                }
            }
            FramingField::Expect => {
                if value.eq_ignore_ascii_case(b"100-continue") {
                    self.expect_continue = true;
                } else {
                    self.bad_expectation = true;
                }
            }
            FramingField::Connection => list_elements(value, |token| {
                if token.eq_ignore_ascii_case(b"close") {
                    self.close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    self.keep_alive_token = true;
                }
                Ok::<(), ParseError>(())
            })?,
            FramingField::ContentLength => content_length(value, &mut self.length)?,
            FramingField::TransferEncoding => self.transfer_encoding(value)?,
        }
        Ok(())
    }

    /// `Transfer-Encoding = #transfer-coding` (RFC 9112 §6.1): counts the codings and notes
    /// whether `chunked` came, and came last.
    fn transfer_encoding(&mut self, value: &[u8]) -> Result<(), ParseError> {
        let before = self.codings;
        list_elements(value, |coding| {
            self.codings += 1;
            // A coding may carry parameters (`gzip;q=1`); only its name matters here.
            let name = coding
                .split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            let is_chunked = name.eq_ignore_ascii_case(b"chunked") && name.len() == coding.len();
            if is_chunked {
                if self.chunked_seen {
                    return Err(ParseError::InvalidTransferEncoding);
                }
                self.chunked_seen = true;
            } else {
                self.unknown_coding = true;
            }
            self.chunked_last = is_chunked;
            Ok(())
        })?;
        if self.codings == before {
            return Err(ParseError::InvalidTransferEncoding);
        }
        Ok(())
    }

    /// The decision for a complete head of version `version` whose framing fields were all fed in.
    ///
    /// # Errors
    /// The first rule broken by a field, else the first broken by their combination.
    pub(crate) fn decide(&self, version: Version) -> Result<Framing, ParseError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        // RFC 9112 §3.2: exactly one Host in HTTP/1.1; never more than one.
        match (self.hosts, version) {
            (0, Version::Http11) => return Err(ParseError::MissingHost),
            (0 | 1, _) => {}
            _ => return Err(ParseError::InvalidHost),
        }
        let body = if self.codings > 0 {
            // RFC 9112 §6.3 rule 3: both is a smuggling attempt; refuse it and close.
            if self.length.is_some() {
                return Err(ParseError::LengthWithTransferEncoding);
            }
            // RFC 9112 §6.1: HTTP/1.0 has no transfer codings; the framing is faulty.
            if version == Version::Http10 {
                return Err(ParseError::InvalidTransferEncoding);
            }
            // RFC 9112 §6.1: a server that does not understand a coding answers 501.
            if self.unknown_coding {
                return Err(ParseError::UnknownTransferEncoding);
            }
            // Rule 4: chunked must be the final coding (here: the only one).
            if !self.chunked_last {
                return Err(ParseError::InvalidTransferEncoding);
            }
            BodyLength::Chunked
        } else {
            match self.length {
                Some(n) => BodyLength::Length(n),
                None => BodyLength::None,
            }
        };
        if self.bad_expectation {
            return Err(ParseError::Expectation);
        }
        let keep_alive = match version {
            Version::Http11 => !self.close,
            Version::Http10 => self.keep_alive_token && !self.close,
        };
        Ok(Framing {
            body,
            keep_alive,
            expect_continue: self.expect_continue && version == Version::Http11,
        })
    }
}

/// Whether `value` is `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2): a bracketed
/// IP literal or a registered name / IPv4 address, then optionally a colon and digits. `Host` may
/// be empty (`allow_empty`); the authority of an absolute-form target may not.
pub(crate) fn valid_authority(value: &[u8], allow_empty: bool) -> bool {
    if value.first() != Some(&b'[') {
        // The usual case, in one pass: a reg-name or IPv4 address (HOST bytes but `:`, `[` and
        // `]`) up to the first byte that cannot be in one, which must start the port. The same
        // answer as below: that byte is the first `:` exactly when the host before it is valid.
        let end = scan(value, 0, host_stops, &REG_NAME);
        let port_ok = match value[end..].split_first() {
            None => true,
            Some((b':', port)) => port.iter().all(u8::is_ascii_digit),
            Some(_) => false,
        };
        return port_ok && (allow_empty || end > 0);
    }
    // An IP literal: `[`, HOST bytes but brackets, `]`, then an optional port.
    let Some(end) = value.iter().position(|&b| b == b']') else {
        return false;
    };
    let (host, rest) = (&value[1..end], &value[end + 1..]);
    let host_ok = host
        .iter()
        .all(|&b| HOST[usize::from(b)] && b != b'[' && b != b']');
    let port_ok = match rest.split_first() {
        None => true,
        Some((b':', port)) => port.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    };
    host_ok && port_ok && (allow_empty || !host.is_empty())
}

/// Whether the field name `name` is `lower` (lower-case letters and `-`) in any case.
///
/// For a token, as every parsed field name is, this is `eq_ignore_ascii_case`: setting bit 0x20
/// maps only `A-Z` onto `a-z`, and only `-` and CR onto `-`; CR is no `tchar`. With the length
/// known at compile time the comparison takes a few word-sized steps, where the standard
/// library's `eq_ignore_ascii_case` goes byte by byte.
#[inline(always)]
pub(crate) fn name_is<const N: usize>(name: &[u8], lower: &[u8; N]) -> bool {
    <&[u8; N]>::try_from(name).is_ok_and(|name| name.map(|b| b | 0x20) == *lower)
}

/// Calls `f` on each non-empty, whitespace-trimmed element of a comma-separated list
/// (RFC 9110 §5.6.1), stopping at the first error.
fn list_elements<E>(value: &[u8], mut f: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
    for element in value.split(|&b| b == b',') {
        let element = element.trim_ascii();
        if !element.is_empty() {
            f(element)?;
        }
    }
    Ok(())
}

/// `Content-Length = 1*DIGIT`, possibly repeated as a list of one same value (RFC 9110 §8.6).
fn content_length(value: &[u8], seen: &mut Option<u64>) -> Result<(), ParseError> {
    let mut any = false;
    for element in value.split(|&b| b == b',') {
        let element = element.trim_ascii();
        if element.is_empty() || !element.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::InvalidContentLength);
        }
        let n = element.iter().try_fold(0u64, |n, &d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        });
        let n = n.ok_or(ParseError::InvalidContentLength)?;
        match *seen {
            Some(prev) if prev != n => return Err(ParseError::ConflictingContentLength),
            _ => *seen = Some(n),
        }
        any = true;
    }
    if any {
        Ok(())
    } else {
        Err(ParseError::InvalidContentLength)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::parse::ParseLimits;
    use crate::proto::parse::{HeadParser, Status};

    /// The framing of a complete head.
    fn framing_of(raw: &[u8]) -> Result<Framing, ParseError> {
        let mut parser = HeadParser::new();
        match parser.parse(raw, &ParseLimits::default())? {
            Status::Complete(_) => Framing::from_head(&parser.head(raw)),
            Status::Partial => panic!("head unexpectedly partial: {:?}", raw.escape_ascii()),
        }
    }

    /// An HTTP/1.1 request with a `Host` field and then `fields` (CRLF-terminated lines).
    fn http11(fields: &str) -> Result<Framing, ParseError> {
        framing_of(format!("POST /up HTTP/1.1\r\nHost: example.com\r\n{fields}\r\n").as_bytes())
    }

    /// An HTTP/1.0 request without `Host` and with `fields` (CRLF-terminated lines).
    fn http10(fields: &str) -> Result<Framing, ParseError> {
        framing_of(format!("POST /up HTTP/1.0\r\n{fields}\r\n").as_bytes())
    }

    /// An HTTP/1.1 request without a body or any special field.
    const PLAIN: Framing = Framing {
        body: BodyLength::None,
        keep_alive: true,
        expect_continue: false,
    };

    #[test]
    fn framing_field_names_are_matched_whole_in_any_case() {
        let names: [(&[u8], FramingField); 5] = [
            (b"host", FramingField::Host),
            (b"expect", FramingField::Expect),
            (b"connection", FramingField::Connection),
            (b"content-length", FramingField::ContentLength),
            (b"transfer-encoding", FramingField::TransferEncoding),
        ];
        let tokens: Vec<u8> = (0u8..=255)
            .filter(|&b| crate::http::token::TCHAR[usize::from(b)])
            .collect();
        for (lower, field) in names {
            let upper = lower.to_ascii_uppercase();
            assert_eq!(FramingField::named(lower), Some(field));
            assert_eq!(FramingField::named(&upper), Some(field));
            // Every token byte in every position: recognised exactly when still the name.
            for pos in 0..lower.len() {
                for &b in &tokens {
                    let mut name = lower.to_vec();
                    name[pos] = b;
                    let want = name.eq_ignore_ascii_case(lower).then_some(field);
                    assert_eq!(
                        FramingField::named(&name),
                        want,
                        "{:?}",
                        name.escape_ascii()
                    );
                }
            }
            // A prefix or an extension of the name is another name.
            assert_eq!(FramingField::named(&lower[..lower.len() - 1]), None);
            assert_eq!(FramingField::named(&[lower, b"s"].concat()), None);
        }
        for other in [
            &b""[..],
            b"accept",
            b"hos",
            b"hostx",
            b"cookie",
            b"content-type",
        ] {
            assert_eq!(
                FramingField::named(other),
                None,
                "{:?}",
                other.escape_ascii()
            );
        }
    }

    #[test]
    fn framing_is_the_same_however_the_head_arrives() {
        let raw = b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\
            Content-Length: 5\r\nExpect: 100-continue\r\n\r\n";
        let whole = framing_of(raw);
        assert_eq!(
            whole,
            Ok(Framing {
                body: BodyLength::Length(5),
                keep_alive: false,
                expect_continue: true,
            })
        );
        let limits = ParseLimits::default();
        let mut parser = HeadParser::new();
        for end in 0..raw.len() {
            assert_eq!(
                parser.parse(&raw[..end], &limits),
                Ok(Status::Partial),
                "end {end}"
            );
        }
        assert_eq!(parser.parse(raw, &limits), Ok(Status::Complete(raw.len())));
        assert_eq!(Framing::from_head(&parser.head(raw)), whole);
    }

    #[test]
    fn reset_forgets_the_framing_fields_of_the_last_head() {
        let limits = ParseLimits::default();
        let mut parser = HeadParser::new();
        let first = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";
        let second = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        let bad = b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n";
        for (raw, want) in [
            (
                &first[..],
                Ok(Framing {
                    body: BodyLength::Length(5),
                    keep_alive: false,
                    ..PLAIN
                }),
            ),
            (second, Ok(PLAIN)),
            (bad, Err(ParseError::InvalidHost)),
            (second, Ok(PLAIN)),
        ] {
            parser.reset();
            assert_eq!(parser.parse(raw, &limits), Ok(Status::Complete(raw.len())));
            assert_eq!(
                Framing::from_head(&parser.head(raw)),
                want,
                "{:?}",
                raw.escape_ascii()
            );
        }
    }

    #[test]
    fn the_first_broken_field_rule_is_the_answer() {
        // In field order, as a walk over the fields would find them.
        assert_eq!(
            http11("Content-Length: x\r\nTransfer-Encoding:\r\n"),
            Err(ParseError::InvalidContentLength)
        );
        assert_eq!(
            http11("Transfer-Encoding:\r\nContent-Length: x\r\n"),
            Err(ParseError::InvalidTransferEncoding)
        );
        // A field's error before the rules about the fields together.
        assert_eq!(
            framing_of(b"GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n"),
            Err(ParseError::ConflictingContentLength)
        );
    }

    #[test]
    fn request_without_length_or_coding_has_no_body() {
        assert_eq!(http11("Accept: */*\r\n"), Ok(PLAIN));
    }

    #[test]
    fn content_length_frames_the_body() {
        let length = |n| {
            Ok(Framing {
                body: BodyLength::Length(n),
                ..PLAIN
            })
        };
        assert_eq!(http11("Content-Length: 5\r\n"), length(5));
        assert_eq!(http11("content-length: 0\r\n"), length(0));
        assert_eq!(http11("Content-Length: 007\r\n"), length(7));
    }

    #[test]
    fn transfer_encoding_chunked_frames_the_body() {
        let chunked = Ok(Framing {
            body: BodyLength::Chunked,
            ..PLAIN
        });
        assert_eq!(http11("Transfer-Encoding: chunked\r\n"), chunked);
        assert_eq!(http11("transfer-encoding: Chunked\r\n"), chunked);
        assert_eq!(http11("Transfer-Encoding: , chunked ,\r\n"), chunked);
    }

    #[test]
    fn content_length_with_transfer_encoding_is_rejected() {
        for fields in [
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n",
        ] {
            assert_eq!(
                http11(fields),
                Err(ParseError::LengthWithTransferEncoding),
                "{fields:?}"
            );
        }
    }

    #[test]
    fn differing_content_lengths_are_rejected() {
        for fields in [
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            "Content-Length: 5, 6\r\n",
            "Content-Length: 5, 5\r\nContent-Length: 6\r\n",
            "Content-Length: 0\r\nContent-Length: 00000000000000000001\r\n",
        ] {
            assert_eq!(
                http11(fields),
                Err(ParseError::ConflictingContentLength),
                "{fields:?}"
            );
        }
    }

    #[test]
    fn identical_content_length_repeats_are_accepted() {
        for fields in [
            "Content-Length: 5, 5\r\n",
            "Content-Length: 5,5,5\r\n",
            "Content-Length: 5\r\nContent-Length: 5\r\n",
            "Content-Length: 5\r\nContent-Length: 05\r\n",
        ] {
            assert_eq!(
                http11(fields),
                Ok(Framing {
                    body: BodyLength::Length(5),
                    ..PLAIN
                }),
                "{fields:?}"
            );
        }
    }

    #[test]
    fn content_length_must_be_digits_only() {
        for value in [
            "+5", "-5", "5 5", "0x5", "", " ", "5a", "5.0", "5,", ", 5", "٥",
        ] {
            assert_eq!(
                http11(&format!("Content-Length: {value}\r\n")),
                Err(ParseError::InvalidContentLength),
                "{value:?}"
            );
        }
    }

    #[test]
    fn content_length_overflow_is_rejected() {
        for value in ["99999999999999999999", "18446744073709551616"] {
            assert_eq!(
                http11(&format!("Content-Length: {value}\r\n")),
                Err(ParseError::InvalidContentLength),
                "{value:?}"
            );
        }
    }

    #[test]
    fn content_length_of_u64_max_is_accepted() {
        assert_eq!(
            http11("Content-Length: 18446744073709551615\r\n"),
            Ok(Framing {
                body: BodyLength::Length(u64::MAX),
                ..PLAIN
            })
        );
    }

    #[test]
    fn transfer_coding_other_than_a_final_chunked_is_not_implemented() {
        for fields in [
            "Transfer-Encoding: gzip\r\n",
            "Transfer-Encoding: gzip, chunked\r\n",
            "Transfer-Encoding: chunked, gzip\r\n",
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
            "Transfer-Encoding: chunked;q=1\r\n",
        ] {
            assert_eq!(
                http11(fields),
                Err(ParseError::UnknownTransferEncoding),
                "{fields:?}"
            );
        }
    }

    #[test]
    fn repeated_chunked_is_rejected() {
        for fields in [
            "Transfer-Encoding: chunked, chunked\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        ] {
            assert_eq!(
                http11(fields),
                Err(ParseError::InvalidTransferEncoding),
                "{fields:?}"
            );
        }
    }

    #[test]
    fn empty_transfer_encoding_is_rejected() {
        for fields in ["Transfer-Encoding:\r\n", "Transfer-Encoding: , ,\r\n"] {
            assert_eq!(
                http11(fields),
                Err(ParseError::InvalidTransferEncoding),
                "{fields:?}"
            );
        }
        // Even next to a valid one.
        assert_eq!(
            http11("Transfer-Encoding: chunked\r\nTransfer-Encoding: \r\n"),
            Err(ParseError::InvalidTransferEncoding)
        );
    }

    #[test]
    fn transfer_encoding_in_http_1_0_is_rejected() {
        assert_eq!(
            http10("Transfer-Encoding: chunked\r\n"),
            Err(ParseError::InvalidTransferEncoding)
        );
    }

    #[test]
    fn http_1_1_request_without_host_is_rejected() {
        assert_eq!(
            framing_of(b"GET / HTTP/1.1\r\n\r\n"),
            Err(ParseError::MissingHost)
        );
        assert_eq!(
            framing_of(b"GET / HTTP/1.1\r\nHostname: a\r\nX-Host: a\r\n\r\n"),
            Err(ParseError::MissingHost)
        );
    }

    #[test]
    fn repeated_host_is_rejected() {
        assert_eq!(
            http11("Host: example.com\r\n"),
            Err(ParseError::InvalidHost)
        );
        assert_eq!(http11("host: other\r\n"), Err(ParseError::InvalidHost));
        assert_eq!(
            http10("Host: a\r\nHost: a\r\n"),
            Err(ParseError::InvalidHost)
        );
    }

    #[test]
    fn host_with_invalid_bytes_is_rejected() {
        for value in [
            &b"exa mple.com"[..],
            b"a/b",
            b"user@host",
            b"a<b",
            b"a\"b",
            b"h\xe9",
            b"a?b",
            b"a#b",
        ] {
            let raw = [b"GET / HTTP/1.1\r\nHost: ", value, b"\r\n\r\n"].concat();
            assert_eq!(
                framing_of(&raw),
                Err(ParseError::InvalidHost),
                "{}",
                value.escape_ascii()
            );
        }
    }

    #[test]
    fn host_may_be_a_name_an_address_or_ip_literal_with_a_port() {
        for value in [
            "example.com",
            "example.com:8080",
            "127.0.0.1:1",
            "[::1]:8080",
            "",
        ] {
            let raw = format!("GET / HTTP/1.1\r\nHost: {value}\r\n\r\n");
            assert_eq!(framing_of(raw.as_bytes()), Ok(PLAIN), "{value:?}");
        }
    }

    #[test]
    fn http_1_0_request_without_host_is_accepted() {
        assert_eq!(
            framing_of(b"GET / HTTP/1.0\r\n\r\n"),
            Ok(Framing {
                keep_alive: false,
                ..PLAIN
            })
        );
    }

    #[test]
    fn connection_close_ends_keep_alive() {
        let closing = Ok(Framing {
            keep_alive: false,
            ..PLAIN
        });
        assert_eq!(http11("Connection: close\r\n"), closing);
        assert_eq!(http11("Connection: keep-alive, CLOSE\r\n"), closing);
        assert_eq!(
            http11("Connection: upgrade\r\nConnection: close\r\n"),
            closing
        );
        assert_eq!(http11("Connection: keep-alive\r\n"), Ok(PLAIN));
        assert_eq!(http11("Connection: closed\r\n"), Ok(PLAIN));
    }

    #[test]
    fn http_1_0_closes_unless_keep_alive_is_asked_for() {
        let framing = |keep_alive| {
            Ok(Framing {
                keep_alive,
                ..PLAIN
            })
        };
        assert_eq!(http10(""), framing(false));
        assert_eq!(http10("Connection: keep-alive\r\n"), framing(true));
        assert_eq!(http10("connection: Keep-Alive\r\n"), framing(true));
        assert_eq!(http10("Connection: keep-alive, close\r\n"), framing(false));
    }

    #[test]
    fn expect_100_continue_is_honoured_in_http_1_1_only() {
        let continuing = Ok(Framing {
            expect_continue: true,
            ..PLAIN
        });
        assert_eq!(http11("Expect: 100-continue\r\n"), continuing);
        assert_eq!(http11("expect: 100-Continue\r\n"), continuing);
        assert_eq!(
            http10("Expect: 100-continue\r\n"),
            Ok(Framing {
                keep_alive: false,
                ..PLAIN
            })
        );
    }

    #[test]
    fn other_expectations_are_rejected() {
        for value in ["200-ok", "100-continue, foo", "100", ""] {
            assert_eq!(
                http11(&format!("Expect: {value}\r\n")),
                Err(ParseError::Expectation),
                "{value:?}"
            );
        }
    }

    #[test]
    fn host_port_must_be_digits() {
        for good in [
            &b""[..],
            b"a",
            b"a:80",
            b"a:",
            b"10.0.0.1:8080",
            b"[::1]",
            b"[::1]:80",
            b"[v1.x]",
        ] {
            assert!(
                valid_authority(good, true),
                "{:?}",
                String::from_utf8_lossy(good)
            );
        }
        for bad in [
            &b"a:x"[..],
            b"a:80:81",
            b"[::1",
            b"[::1]x",
            b"::1",
            b"a]",
            b"[::1]:8x",
        ] {
            assert!(
                !valid_authority(bad, true),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(!valid_authority(b"", false));
        assert!(!valid_authority(b":80", false));
    }
}
