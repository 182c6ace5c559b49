//! The chunked transfer coding (RFC 9112 §7.1), decoded incrementally:
//!
//! ```text
//! chunked-body   = *chunk last-chunk trailer-section CRLF
//! chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! chunk-size     = 1*HEXDIG
//! last-chunk     = 1*("0") [ chunk-ext ] CRLF
//! chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! trailer-section = *( field-line CRLF )
//! ```
//!
//! Extensions are skipped (they may hold only field-value bytes); trailer fields are checked like
//! header fields, bounded by `Limits::max_head` and `Limits::max_fields`, and dropped.

use super::chars::{hex, FIELD_VALUE, TCHAR};
use super::ParseError;
use crate::server::Limits;

/// At most 16 hex digits: any more could overflow a `u64` (httparse stops at the same place).
const MAX_SIZE_DIGITS: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading the hex digits of a chunk size.
    Size { digits: u32, size: u64 },
    /// After the digits, whitespace that must lead to `;`.
    SizeSpace { size: u64 },
    /// Inside extensions, up to CR.
    Extension { size: u64 },
    /// Saw CR after the size line; LF must follow.
    SizeLf { size: u64 },
    /// Inside chunk data.
    Data { remaining: u64 },
    /// Data done; CR must follow.
    DataCr,
    /// Data done, CR seen; LF must follow.
    DataLf,
    /// At the start of a trailer line (or of the final CRLF).
    TrailerStart,
    /// Inside a trailer field name.
    TrailerName { len: usize },
    /// Inside a trailer field value.
    TrailerValue,
    /// Saw CR at the end of a trailer line.
    TrailerLf,
    /// Saw CR on the empty line that ends the message.
    EndLf,
    /// The whole body, trailers included, has been read.
    Done,
}

/// An incremental decoder for one chunked body.
///
/// ```
/// use framework::parse::ChunkedDecoder;
/// use framework::Limits;
///
/// let mut decoder = ChunkedDecoder::new();
/// let mut out = [0u8; 32];
/// let (read, written) = decoder.decode(b"5;ext=1\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n", &mut out, &Limits::default())?;
/// assert_eq!((read, &out[..written]), (32, &b"hello"[..]));
/// assert!(decoder.is_done());
/// # Ok::<(), framework::parse::ParseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: State,
    /// Data bytes decoded so far (checked against `Limits::max_body`).
    total: u64,
    /// Bytes of the current size line or of the trailer section (checked against `max_head`).
    line_bytes: usize,
    trailer_fields: usize,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: State::Size { digits: 0, size: 0 },
            total: 0,
            line_bytes: 0,
            trailer_fields: 0,
        }
    }

    /// Whether the last chunk and the trailer section have been read.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes from `input` into `out`, returning `(bytes of input consumed, bytes written)`.
    /// It stops when the body ends, the input runs out, or `out` is full; call it again with the
    /// unconsumed input (and more) to go on.
    ///
    /// # Errors
    /// Malformed framing, or a body over `limits.max_body` (as soon as a chunk size says so), or a
    /// trailer section over `limits.max_head` / `limits.max_fields`.
    pub fn decode(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        limits: &Limits,
    ) -> Result<(usize, usize), ParseError> {
        let mut i = 0;
        let mut written = 0;
        while let Some(&b) = input.get(i) {
            if let State::Data { remaining } = self.state {
                let room = out.len() - written;
                if room == 0 {
                    break;
                }
                let avail = input.len() - i;
                let n = usize::try_from(remaining)
                    .map_or(avail, |r| r.min(avail))
                    .min(room);
                out[written..written + n].copy_from_slice(&input[i..i + n]);
                written += n;
                i += n;
                let remaining = remaining - n as u64;
                self.state = if remaining == 0 {
                    State::DataCr
                } else {
                    State::Data { remaining }
                };
                continue;
            }
            self.state = self.step(b, limits)?;
            i += 1;
            if self.state == State::Done {
                break;
            }
        }
        Ok((i, written))
    }

    /// One framing byte (anything but chunk data).
    fn step(&mut self, b: u8, limits: &Limits) -> Result<State, ParseError> {
        let state = match self.state {
            State::Size { digits, size } => {
                self.line_bytes += 1;
                match (b, hex(b)) {
                    (_, Some(d)) => {
                        if digits == MAX_SIZE_DIGITS {
                            return Err(ParseError::ChunkSize);
                        }
                        let size = size << 4 | u64::from(d);
                        // RFC 9110 §15.5.14: refuse as soon as the body is known to be too large.
                        if self.total.saturating_add(size) > limits.max_body {
                            return Err(ParseError::BodyTooLarge);
                        }
                        State::Size {
                            digits: digits + 1,
                            size,
                        }
                    }
                    _ if digits == 0 => return Err(ParseError::ChunkSize),
                    (b';', _) => State::Extension { size },
                    (b' ' | b'\t', _) => State::SizeSpace { size },
                    (b'\r', _) => State::SizeLf { size },
                    _ => return Err(ParseError::ChunkSize),
                }
            }
            State::SizeSpace { size } => {
                self.line_bytes += 1;
                match b {
                    b' ' | b'\t' => State::SizeSpace { size },
                    b';' => State::Extension { size },
                    _ => return Err(ParseError::ChunkSize),
                }
            }
            State::Extension { size } => {
                self.line_bytes += 1;
                if self.line_bytes > limits.max_head {
                    return Err(ParseError::ChunkSize);
                }
                match b {
                    b'\r' => State::SizeLf { size },
                    _ if FIELD_VALUE[usize::from(b)] => State::Extension { size },
                    _ => return Err(ParseError::ChunkSize),
                }
            }
            State::SizeLf { size } => {
                if b != b'\n' {
                    return Err(ParseError::ChunkSize);
                }
                self.line_bytes = 0;
                if size == 0 {
                    State::TrailerStart
                } else {
                    self.total += size;
                    State::Data { remaining: size }
                }
            }
            State::Data { .. } | State::Done => self.state,
            State::DataCr if b == b'\r' => State::DataLf,
            State::DataLf if b == b'\n' => State::Size { digits: 0, size: 0 },
            State::DataCr | State::DataLf => return Err(ParseError::ChunkData),
            State::TrailerStart => match b {
                b'\r' => State::EndLf,
                _ if TCHAR[usize::from(b)] => {
                    self.trailer_fields += 1;
                    if self.trailer_fields > limits.max_fields {
                        return Err(ParseError::TrailerTooLarge);
                    }
                    self.count_trailer_byte(limits)?;
                    State::TrailerName { len: 1 }
                }
                _ => return Err(ParseError::Trailer),
            },
            State::TrailerName { len } => {
                self.count_trailer_byte(limits)?;
                match b {
                    b':' => State::TrailerValue,
                    _ if TCHAR[usize::from(b)] => State::TrailerName { len: len + 1 },
                    _ => return Err(ParseError::Trailer),
                }
            }
            State::TrailerValue => {
                self.count_trailer_byte(limits)?;
                match b {
                    b'\r' => State::TrailerLf,
                    _ if FIELD_VALUE[usize::from(b)] => State::TrailerValue,
                    _ => return Err(ParseError::Trailer),
                }
            }
            State::TrailerLf if b == b'\n' => {
                self.count_trailer_byte(limits)?;
                State::TrailerStart
            }
            State::TrailerLf => return Err(ParseError::Trailer),
            State::EndLf if b == b'\n' => State::Done,
            State::EndLf => return Err(ParseError::Trailer),
        };
        Ok(state)
    }

    fn count_trailer_byte(&mut self, limits: &Limits) -> Result<(), ParseError> {
        self.line_bytes += 1;
        if self.line_bytes > limits.max_head {
            Err(ParseError::TrailerTooLarge)
        } else {
            Ok(())
        }
    }
}
