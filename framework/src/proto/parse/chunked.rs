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
//! header fields, bounded by `ParseLimits::max_head` and `ParseLimits::max_fields`, and dropped.

use super::chars::{hex, FIELD_VALUE, TCHAR};
use super::ParseError;
use super::ParseLimits;

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
/// use framework::proto::parse::ChunkedDecoder;
/// use framework::proto::parse::ParseLimits;
///
/// let mut decoder = ChunkedDecoder::new();
/// let mut out = [0u8; 32];
/// let (read, written) = decoder.decode(b"5;ext=1\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n", &mut out, &ParseLimits::default())?;
/// assert_eq!((read, &out[..written]), (31, &b"hello"[..]));
/// assert!(decoder.is_done());
/// # Ok::<(), framework::proto::parse::ParseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: State,
    /// Data bytes decoded so far (checked against `ParseLimits::max_body`).
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
        limits: &ParseLimits,
    ) -> Result<(usize, usize), ParseError> {
        let mut i = 0;
        let mut written = 0;
        // Once done, the bytes that follow belong to the next message.
        while let (Some(&b), false) = (input.get(i), self.is_done()) {
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
        }
        Ok((i, written))
    }

    /// One framing byte (anything but chunk data).
    fn step(&mut self, b: u8, limits: &ParseLimits) -> Result<State, ParseError> {
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

    fn count_trailer_byte(&mut self, limits: &ParseLimits) -> Result<(), ParseError> {
        self.line_bytes += 1;
        if self.line_bytes > limits.max_head {
            Err(ParseError::TrailerTooLarge)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What decoding gave: input bytes consumed, data, and whether the body ended.
    #[derive(Debug, PartialEq, Eq)]
    struct Decoded {
        read: usize,
        data: Vec<u8>,
        done: bool,
    }

    /// `input` decoded in one call, with room for all of its data.
    fn decode_with(input: &[u8], limits: &ParseLimits) -> Result<Decoded, ParseError> {
        let mut decoder = ChunkedDecoder::new();
        let mut out = vec![0; input.len()];
        let (read, written) = decoder.decode(input, &mut out, limits)?;
        out.truncate(written);
        Ok(Decoded {
            read,
            data: out,
            done: decoder.is_done(),
        })
    }

    fn decode(input: &[u8]) -> Result<Decoded, ParseError> {
        decode_with(input, &ParseLimits::default())
    }

    /// `input` handed over one byte at a time, into a one-byte output buffer.
    fn decode_bytewise(input: &[u8], limits: &ParseLimits) -> Result<Decoded, ParseError> {
        let mut decoder = ChunkedDecoder::new();
        let mut data = Vec::new();
        let mut read = 0;
        while read < input.len() && !decoder.is_done() {
            let mut out = [0u8; 1];
            let (n, written) = decoder.decode(&input[read..=read], &mut out, limits)?;
            assert_eq!(n, 1, "no progress at byte {read}");
            read += n;
            data.extend_from_slice(&out[..written]);
        }
        Ok(Decoded {
            read,
            data,
            done: decoder.is_done(),
        })
    }

    fn done(read: usize, data: &[u8]) -> Result<Decoded, ParseError> {
        Ok(Decoded {
            read,
            data: data.to_vec(),
            done: true,
        })
    }

    const VALID_BODIES: [&[u8]; 5] = [
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        b"0\r\n\r\n",
        b"A\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n000\r\n\r\n",
        b"5;a=b\r\nhello\r\n3 ;x\t; y = \"z\"\r\nabc\r\n0;last\r\n\r\n",
        b"2\r\n\r\n\r\n0\r\nX-Sum: 1\r\nY:\t\xe9 \r\n\r\n",
    ];

    #[test]
    fn chunked_body_decodes() {
        let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        let next = [body.as_slice(), b"NEXT"].concat();
        assert_eq!(decode(&next), done(body.len(), b"hello world"));
        let body = b"A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n";
        assert_eq!(decode(body), done(body.len(), b"0123456789abcdefghij"));
        // Until the last chunk arrives the body is not done.
        assert_eq!(
            decode(b"5\r\nhello\r\n"),
            Ok(Decoded {
                read: 10,
                data: b"hello".to_vec(),
                done: false
            })
        );
    }

    #[test]
    fn chunk_extensions_are_ignored() {
        for body in [
            &b"5;a=b\r\nhello\r\n0\r\n\r\n"[..],
            b"5 ;a\r\nhello\r\n0\r\n\r\n",
            b"5\t ; a = \"b;c\" ;d\r\nhello\r\n0\r\n\r\n",
            b"5\r\nhello\r\n0;a=b\r\n\r\n",
        ] {
            assert_eq!(
                decode(body),
                done(body.len(), b"hello"),
                "{}",
                body.escape_ascii()
            );
        }
    }

    #[test]
    fn trailers_are_read_and_dropped() {
        let body = b"5\r\nhello\r\n0\r\nX-Sum: 1\r\nY:\t2 \r\n\r\n";
        let next = [body.as_slice(), b"GET / HTTP/1.1\r\n"].concat();
        assert_eq!(decode(&next), done(body.len(), b"hello"));
    }

    #[test]
    fn malformed_trailer_field_is_rejected() {
        for trailer in [
            &b"X : 1\r\n"[..],
            b": 1\r\n",
            b" X: 1\r\n",
            b"X: a\x00b\r\n",
            b"X: 1\n",
            b"X\r\n",
            b"\rX",
        ] {
            let body = [b"0\r\n", trailer, b"\r\n"].concat();
            assert_eq!(
                decode(&body),
                Err(ParseError::Trailer),
                "{}",
                body.escape_ascii()
            );
        }
    }

    #[test]
    fn too_many_trailer_fields_are_refused() {
        let limits = ParseLimits {
            max_fields: 2,
            ..ParseLimits::default()
        };
        let body = b"0\r\nA: 1\r\nB: 2\r\n\r\n";
        assert_eq!(decode_with(body, &limits), done(body.len(), b""));
        let body = b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        assert_eq!(decode_with(body, &limits), Err(ParseError::TrailerTooLarge));
    }

    #[test]
    fn oversized_trailer_section_is_refused() {
        let limits = ParseLimits {
            max_head: 32,
            ..ParseLimits::default()
        };
        // The trailer lines, CRLFs included, count against `max_head`.
        let body = |pad| format!("0\r\nX: {}\r\n\r\n", "a".repeat(pad));
        let fits = body(27);
        assert_eq!(decode_with(fits.as_bytes(), &limits), done(fits.len(), b""));
        assert_eq!(
            decode_with(body(28).as_bytes(), &limits),
            Err(ParseError::TrailerTooLarge)
        );
        // Over several lines, and before the line ends.
        let lines = format!("0\r\n{}X: aaa", "A: 1\r\n".repeat(5));
        assert_eq!(
            decode_with(lines.as_bytes(), &limits),
            Err(ParseError::TrailerTooLarge)
        );
    }

    #[test]
    fn chunk_size_over_16_hex_digits_is_rejected() {
        let limits = ParseLimits {
            max_body: u64::MAX,
            ..ParseLimits::default()
        };
        for size in [
            &b"fffffffffffffffff"[..],
            b"10000000000000000",
            b"00000000000000001",
        ] {
            let line = [size, b"\r\n"].concat();
            assert_eq!(
                decode_with(&line, &limits),
                Err(ParseError::ChunkSize),
                "{}",
                size.escape_ascii()
            );
        }
        // Sixteen digits still fit.
        let body = b"0000000000000005\r\nhello\r\n0\r\n\r\n";
        assert_eq!(decode_with(body, &limits), done(body.len(), b"hello"));
    }

    #[test]
    fn chunk_size_must_be_hex_digits() {
        for line in [
            &b"g\r\n"[..],
            b"-1\r\n",
            b"+1\r\n",
            b"\r\n",
            b";a\r\n",
            b" 5\r\n",
            b"5 \r\n",
            b"5\t\r\n",
            b"5 5\r\n",
            b"5g\r\n",
            b"0x5\r\n",
        ] {
            assert_eq!(
                decode(line),
                Err(ParseError::ChunkSize),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn bare_lf_after_chunk_size_is_rejected() {
        for body in [
            &b"5\nhello\r\n"[..],
            b"5;a\nhello\r\n",
            b"5\rhello\r\n",
            b"0\n\r\n",
        ] {
            assert_eq!(
                decode(body),
                Err(ParseError::ChunkSize),
                "{}",
                body.escape_ascii()
            );
        }
    }

    #[test]
    fn chunk_data_must_end_in_crlf() {
        for body in [
            &b"5\r\nhelloX"[..],
            b"5\r\nhello\n0\r\n\r\n",
            b"5\r\nhello\rX",
            b"5\r\nhello world\r\n",
        ] {
            assert_eq!(
                decode(body),
                Err(ParseError::ChunkData),
                "{}",
                body.escape_ascii()
            );
        }
    }

    #[test]
    fn body_over_max_body_is_refused_from_the_size_line() {
        let limits = ParseLimits {
            max_body: 10,
            ..ParseLimits::default()
        };
        // Exactly the limit, in one chunk or several.
        let body = b"a\r\n0123456789\r\n0\r\n\r\n";
        assert_eq!(decode_with(body, &limits), done(body.len(), b"0123456789"));
        let body = b"5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n";
        assert_eq!(decode_with(body, &limits), done(body.len(), b"0123456789"));
        // One more: refused on the size digit, before its CRLF or data.
        assert_eq!(decode_with(b"b", &limits), Err(ParseError::BodyTooLarge));
        assert_eq!(
            decode_with(b"6\r\n012345\r\n5", &limits),
            Err(ParseError::BodyTooLarge)
        );
        assert_eq!(
            decode_with(b"00000000b", &limits),
            Err(ParseError::BodyTooLarge)
        );
    }

    #[test]
    fn chunked_body_fed_one_byte_at_a_time_decodes_like_whole() {
        let limits = ParseLimits::default();
        for body in VALID_BODIES {
            let whole = decode_with(body, &limits);
            assert!(
                matches!(whole, Ok(Decoded { done: true, .. })),
                "{}",
                body.escape_ascii()
            );
            assert_eq!(
                decode_bytewise(body, &limits),
                whole,
                "{}",
                body.escape_ascii()
            );
        }
    }

    #[test]
    fn chunked_body_split_anywhere_decodes_like_whole() -> Result<(), ParseError> {
        let limits = ParseLimits::default();
        for body in VALID_BODIES {
            let whole = decode_with(body, &limits);
            for split in 0..=body.len() {
                let mut decoder = ChunkedDecoder::new();
                let mut out = vec![0; body.len()];
                let (first, written) = decoder.decode(&body[..split], &mut out, &limits)?;
                let (second, more) =
                    decoder.decode(&body[first..], &mut out[written..], &limits)?;
                out.truncate(written + more);
                let split_up = Ok(Decoded {
                    read: first + second,
                    data: out,
                    done: decoder.is_done(),
                });
                assert_eq!(
                    split_up,
                    whole,
                    "split at {split} of {}",
                    body.escape_ascii()
                );
            }
        }
        Ok(())
    }

    #[test]
    fn bytes_after_the_end_are_left_for_the_next_message() -> Result<(), ParseError> {
        let mut decoder = ChunkedDecoder::new();
        let mut out = [0u8; 8];
        let input = b"1\r\na\r\n0\r\n\r\nGET";
        let (read, written) = decoder.decode(input, &mut out, &ParseLimits::default())?;
        assert_eq!(
            (read, written, decoder.is_done()),
            (input.len() - 3, 1, true)
        );
        assert_eq!(
            decoder.decode(b"GET", &mut out, &ParseLimits::default())?,
            (0, 0)
        );
        Ok(())
    }
}
