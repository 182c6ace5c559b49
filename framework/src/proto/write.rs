//! Response → bytes: status line, fields, `Date`, framing, body (RFC 9112 §4, §6).
//!
//! The writer owns the framing fields: `Content-Length`, `Transfer-Encoding` and `Connection`
//! set by a handler are dropped and written from what the body and the connection really are,
//! so a response on the wire is always well-framed.

use crate::http::{Producer, Response, ResponseBody, Version};
use std::io::Read;

/// What the connection knows about the exchange a response answers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exchange<'a> {
    /// The request's version: HTTP/1.0 clients get no chunked coding.
    pub version: Version,
    /// A response to HEAD: the same fields as for GET, no body.
    pub head_request: bool,
    /// Whether the connection stays open after this response.
    pub keep_alive: bool,
    /// The `Date` value.
    pub date: &'a [u8; 29],
}

/// How the rest of a streaming body must be written after the head.
pub(crate) enum StreamedBody {
    /// The whole response is in the buffer.
    Done,
    /// Pull from the reader and write what it gives, framed as `framing` says.
    Stream {
        /// Where the body comes from.
        reader: Box<dyn Read + Send>,
        /// How the body is delimited on the wire.
        framing: StreamFraming,
    },
    /// Call the producer with a writer whose pieces are framed as `framing` says.
    Push {
        /// What writes the body.
        producer: Producer,
        /// How the body is delimited on the wire.
        framing: StreamFraming,
    },
}

/// How a streamed body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamFraming {
    /// Each piece as a chunk, then the last chunk.
    Chunked,
    /// Exactly this many raw bytes, announced by `Content-Length`; a reader that ends sooner
    /// means the connection must close.
    Sized(u64),
    /// Raw bytes; the connection closes at the end (HTTP/1.0).
    UntilClose,
}

/// Fields the writer decides on its own.
fn is_framing_field(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-length")
        || name.eq_ignore_ascii_case("transfer-encoding")
        || name.eq_ignore_ascii_case("connection")
        || name.eq_ignore_ascii_case("date")
}

fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        // `n % 10 < 10`, so the cast is lossless.
        #[allow(clippy::cast_possible_truncation)]
        let d = (n % 10) as u8;
        digits[i] = b'0' + d;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends the response to `out`. Returns how a streaming body goes on, and whether the
/// connection may stay open afterwards (a close-delimited body forces a close).
pub(crate) fn response(
    out: &mut Vec<u8>,
    mut res: Response,
    ex: &Exchange<'_>,
) -> (StreamedBody, bool) {
    let status = res.status();
    let mut keep_alive = ex.keep_alive;
    out.extend_from_slice(b"HTTP/1.1 ");
    push_decimal(out, u64::from(status.as_u16()));
    out.push(b' ');
    out.extend_from_slice(status.reason().as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in res.headers().iter() {
        if !is_framing_field(name) {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"Date: ");
    out.extend_from_slice(ex.date);
    out.extend_from_slice(b"\r\n");

    let mut bytes = None;
    let tail = if status.forbids_body() {
        // RFC 9110 §8.6: no Content-Length on 1xx and 204; a 304 has no content to measure.
        StreamedBody::Done
    } else {
        match res.take_body() {
            ResponseBody::Empty => {
                out.extend_from_slice(b"Content-Length: 0\r\n");
                StreamedBody::Done
            }
            ResponseBody::Bytes(b) => {
                out.extend_from_slice(b"Content-Length: ");
                push_decimal(out, b.len() as u64);
                out.extend_from_slice(b"\r\n");
                bytes = Some(b);
                StreamedBody::Done
            }
            ResponseBody::Stream(reader) if ex.version == Version::Http11 => {
                out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
                StreamedBody::Stream {
                    reader,
                    framing: StreamFraming::Chunked,
                }
            }
            ResponseBody::Stream(reader) => {
                // RFC 9112 §6.3 rule 8: without chunked, only the close can end the body.
                keep_alive = false;
                StreamedBody::Stream {
                    reader,
                    framing: StreamFraming::UntilClose,
                }
            }
            ResponseBody::Push(producer) => {
                let framing = if ex.version == Version::Http11 {
                    out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
                    StreamFraming::Chunked
                } else {
                    keep_alive = false;
                    StreamFraming::UntilClose
                };
                StreamedBody::Push { producer, framing }
            }
            ResponseBody::Sized { reader, len } => {
                // RFC 9112 §6.3 rule 6: the length delimits the body, for either version.
                out.extend_from_slice(b"Content-Length: ");
                push_decimal(out, len);
                out.extend_from_slice(b"\r\n");
                if len == 0 {
                    StreamedBody::Done
                } else {
                    StreamedBody::Stream {
                        reader,
                        framing: StreamFraming::Sized(len),
                    }
                }
            }
        }
    };
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    } else if ex.version == Version::Http10 {
        out.extend_from_slice(b"Connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if ex.head_request {
        // RFC 9110 §9.3.2: the fields a GET would get, and no content.
        return (StreamedBody::Done, keep_alive);
    }
    if let Some(bytes) = bytes {
        out.extend_from_slice(&bytes);
    }
    (tail, keep_alive)
}

/// Appends one chunk of a chunked body (RFC 9112 §7.1); an empty `data` writes nothing.
pub(crate) fn chunk(out: &mut Vec<u8>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    out.extend_from_slice(format!("{:X}\r\n", data.len()).as_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Appends the last chunk and an empty trailer section.
pub(crate) fn last_chunk(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0\r\n\r\n");
}
