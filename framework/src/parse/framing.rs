//! What the head says about the body and the connection: one pass over the fields that decides
//! message framing (RFC 9112 §6), persistence (§9.3), `Expect` (RFC 9110 §10.1.1) and `Host`
//! (RFC 9112 §3.2).

use super::chars::HOST;
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

/// Decides framing, persistence and expectations, and checks `Host`, in one pass over the fields.
///
/// # Errors
/// The first framing rule broken: see [`ParseError`].
pub fn inspect(head: &Head<'_>) -> Result<Framing, ParseError> {
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

    for (name, value) in head.fields() {
        // Dispatch on length first: most fields are none of these.
        match name.len() {
            4 if name.eq_ignore_ascii_case(b"host") => {
                hosts += 1;
                if !value.iter().all(|&b| HOST[usize::from(b)]) {
                    return Err(ParseError::InvalidHost);
                }
            }
            6 if name.eq_ignore_ascii_case(b"expect") => {
                if value.eq_ignore_ascii_case(b"100-continue") {
                    expect_continue = true;
                } else {
                    bad_expectation = true;
                }
            }
            10 if name.eq_ignore_ascii_case(b"connection") => list_elements(value, |token| {
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive_token = true;
                }
                Ok::<(), ParseError>(())
            })?,
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                content_length(value, &mut length)?
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
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
    Ok(Framing {
        body,
        keep_alive,
        expect_continue: expect_continue && version == Version::Http11,
    })
}
