//! What the head says about the body and the connection: one pass over the fields that decides
//! message framing (RFC 9112 §6), persistence (§9.3), `Expect` (RFC 9110 §10.1.1) and `Host`
//! (RFC 9112 §3.2).

use super::chars::{HOST, REG_NAME};
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
    /// Decides framing, persistence and expectations, and checks `Host`, in one pass over the fields.
    ///
    /// # Errors
    /// The first framing rule broken: see [`ParseError`].
    pub fn from_head(head: &Head<'_>) -> Result<Self, ParseError> {
        let version = head.version();
        let mut length: Option<u64> = None;
        let mut codings = 0usize;
        let mut chunked_last = false;
        let mut chunked_seen = false;
        let mut unknown_coding = false;
        let mut hosts = 0usize;
        let mut close = false;
        let mut keep_alive_token = false;
        let mut expect_continue = false;
        let mut bad_expectation = false;

        // Only the fields that may be one of these, noted by the parser.
        for (name, value) in head.framing_fields() {
            match name.len() {
                4 if name_is(name, b"host") => {
                    hosts += 1;
                    if !valid_authority(value, true) {
                        return Err(ParseError::InvalidHost);
                    }
                }
                6 if name_is(name, b"expect") => {
                    if value.eq_ignore_ascii_case(b"100-continue") {
                        expect_continue = true;
                    } else {
                        bad_expectation = true;
                    }
                }
                10 if name_is(name, b"connection") => list_elements(value, |token| {
                    if token.eq_ignore_ascii_case(b"close") {
                        close = true;
                    } else if token.eq_ignore_ascii_case(b"keep-alive") {
                        keep_alive_token = true;
                    }
                    Ok::<(), ParseError>(())
                })?,
                14 if name_is(name, b"content-length") => content_length(value, &mut length)?,
                17 if name_is(name, b"transfer-encoding") => {
                    let before = codings;
                    list_elements(value, |coding| {
                        codings += 1;
                        // A coding may carry parameters (`gzip;q=1`); only its name matters here.
                        let name = coding
                            .split(|&b| b == b';')
                            .next()
                            .unwrap_or_default()
                            .trim_ascii();
                        let is_chunked =
                            name.eq_ignore_ascii_case(b"chunked") && name.len() == coding.len();
                        if is_chunked {
                            if chunked_seen {
                                return Err(ParseError::InvalidTransferEncoding);
                            }
                            chunked_seen = true;
                        } else {
                            unknown_coding = true;
                        }
                        chunked_last = is_chunked;
                        Ok(())
                    })?;
                    if codings == before {
                        return Err(ParseError::InvalidTransferEncoding);
                    }
                }
                _ => {}
            }
        }

        // RFC 9112 §3.2: exactly one Host in HTTP/1.1; never more than one.
        match (hosts, version) {
            (0, Version::Http11) => return Err(ParseError::MissingHost),
            (0 | 1, _) => {}
            _ => return Err(ParseError::InvalidHost),
        }
        let body = if codings > 0 {
            // RFC 9112 §6.3 rule 3: both is a smuggling attempt; refuse it and close.
            if length.is_some() {
                return Err(ParseError::LengthWithTransferEncoding);
            }
            // RFC 9112 §6.1: HTTP/1.0 has no transfer codings; the framing is faulty.
            if version == Version::Http10 {
                return Err(ParseError::InvalidTransferEncoding);
            }
            // RFC 9112 §6.1: a server that does not understand a coding answers 501.
            if unknown_coding {
                return Err(ParseError::UnknownTransferEncoding);
            }
            // Rule 4: chunked must be the final coding (here: the only one).
            if !chunked_last {
                return Err(ParseError::InvalidTransferEncoding);
            }
            BodyLength::Chunked
        } else {
            match length {
                Some(n) => BodyLength::Length(n),
                None => BodyLength::None,
            }
        };
        if bad_expectation {
            return Err(ParseError::Expectation);
        }
        let keep_alive = match version {
            Version::Http11 => !close,
            Version::Http10 => keep_alive_token && !close,
        };
        Ok(Self {
            body,
            keep_alive,
            expect_continue: expect_continue && version == Version::Http11,
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
        let end = value
            .iter()
            .position(|&b| !REG_NAME[usize::from(b)])
            .unwrap_or(value.len());
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

/// Whether `name` may be one of the fields [`Framing::from_head`] acts on: most are none of them, and length
/// and first letter tell in a test or two. (Those that pass are checked in full.)
#[inline(always)]
pub(crate) fn may_be_framing_name(name: &[u8]) -> bool {
    // By length: the first letter of `host`, `expect`, `connection`, `content-length` and
    // `transfer-encoding`; 0 for the lengths of none of them.
    const FIRST: [u8; 18] = [
        0, 0, 0, 0, b'h', 0, b'e', 0, 0, 0, b'c', 0, 0, 0, b'c', 0, 0, b't',
    ];
    match (FIRST.get(name.len()), name.first()) {
        (Some(&first), Some(&b)) => first != 0 && b | 0x20 == first,
        _ => false,
    }
}

/// Whether the field name `name` is `lower` (lower-case letters and `-`) in any case.
///
/// For a token, as every parsed field name is, this is `eq_ignore_ascii_case`: setting bit 0x20
/// maps only `A-Z` onto `a-z`, and only `-` and CR onto `-`; CR is no `tchar`. It is cheaper than
/// the standard library's, which is written for long slices.
#[inline(always)]
pub(crate) fn name_is(name: &[u8], lower: &[u8]) -> bool {
    name.len() == lower.len() && name.iter().zip(lower).all(|(&a, &b)| a | 0x20 == b)
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
