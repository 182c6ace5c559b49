//! Request framing and the chunked decoder.
//!
//! The payload is a request head and what follows it. When the head parses and its framing says
//! `chunked`, the rest is decoded twice: at once into a buffer as large as the input, and piece by
//! piece (the input's cuts) into an output buffer of 1 to 64 bytes (the knob byte). Both must
//! give the same data and stop at the same byte, or fail with the same error; no call may write more body
//! bytes than it consumed; the body stays within `max_body`; a finished body's trailer section
//! stays within `max_head` bytes and `max_fields` lines, and its data is what an independent
//! reading of the chunk sizes finds. When the framing is `Content-Length`, the length must be the
//! one `Content-Length` holds.
#![no_main]

use framework::proto::parse::{
    BodyLength, ChunkedDecoder, Framing, HeadParser, ParseError, ParseLimits, Status,
};
use framework_fuzz::{limits, Input};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq, Eq)]
struct Decoded {
    data: Vec<u8>,
    consumed: usize,
    done: bool,
    error: Option<ParseError>,
}

/// Decodes `input` fed as the prefixes `ends`, into an output buffer of `room` bytes.
fn decode(input: &[u8], ends: &[usize], room: usize, limits: &ParseLimits) -> Decoded {
    let mut decoder = ChunkedDecoder::new();
    let mut out = vec![0u8; room];
    let mut data = Vec::new();
    let mut at = 0;
    for &end in ends {
        loop {
            match decoder.decode(&input[at..end], &mut out, limits) {
                Ok((read, written)) => {
                    assert!(written <= read, "{written} bytes out of {read} in");
                    assert!(read <= end - at);
                    data.extend_from_slice(&out[..written]);
                    at += read;
                    if decoder.is_done() || (read == 0 && written == 0) {
                        break;
                    }
                }
                Err(error) => {
                    // What a failing call decoded is not reported, so only the error compares.
                    return Decoded {
                        data: Vec::new(),
                        consumed: 0,
                        done: false,
                        error: Some(error),
                    };
                }
            }
        }
        if decoder.is_done() {
            // Once done, the rest belongs to the next message.
            assert_eq!(decoder.decode(&input[at..], &mut out, limits), Ok((0, 0)));
            break;
        }
    }
    Decoded {
        data,
        consumed: at,
        done: decoder.is_done(),
        error: None,
    }
}

/// An independent reading of a body the decoder accepted: its data and trailer section (without
/// the final CRLF).
fn reread(body: &[u8]) -> (Vec<u8>, &[u8]) {
    let mut data = Vec::new();
    let mut at = 0;
    loop {
        let line_end = at
            + body[at..]
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("a size line ends in CRLF");
        let digits = body[at..line_end]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        let size = usize::from_str_radix(
            std::str::from_utf8(&body[at..at + digits]).expect("hex digits"),
            16,
        )
        .expect("a size that fits");
        at = line_end + 2;
        if size == 0 {
            return (data, &body[at..body.len() - 2]);
        }
        data.extend_from_slice(&body[at..at + size]);
        assert_eq!(&body[at + size..at + size + 2], b"\r\n");
        at += size + 2;
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::parse(data);
    let limits = limits(input.limits);
    let payload = input.payload;
    let mut parser = HeadParser::new();
    let Ok(Status::Complete(len)) = parser.parse(payload, &limits) else {
        return;
    };
    let head = parser.head(payload);
    let Ok(framing) = Framing::from_head(&head) else {
        return;
    };
    let body = &payload[len..];
    match framing.body {
        BodyLength::None => {
            assert!(!head
                .fields()
                .any(|(n, _)| n.eq_ignore_ascii_case(b"content-length")
                    || n.eq_ignore_ascii_case(b"transfer-encoding")));
            return;
        }
        BodyLength::Length(n) => {
            let values: Vec<&[u8]> = head
                .fields()
                .filter(|(n, _)| n.eq_ignore_ascii_case(b"content-length"))
                .map(|(_, v)| v)
                .collect();
            assert!(!values.is_empty());
            for value in values {
                for element in value.split(|&b| b == b',') {
                    let element = std::str::from_utf8(element.trim_ascii()).expect("digits");
                    assert_eq!(element.parse::<u64>().ok(), Some(n));
                }
            }
            return;
        }
        BodyLength::Chunked => {}
    }

    let cuts: Vec<usize> = input
        .cuts
        .iter()
        .map(|&c| c.saturating_sub(len))
        .chain([body.len()])
        .collect();
    let room = 1 + usize::from(input.knob % 64);
    let whole = decode(body, &[body.len()], body.len().max(1), &limits);
    let split = decode(body, &cuts, room, &limits);
    assert_eq!(split, whole, "split decode differs (room {room})");

    assert!(whole.data.len() as u64 <= limits.max_body);
    assert!(whole.data.len() <= whole.consumed);
    if whole.done {
        let (data, trailers) = reread(&body[..whole.consumed]);
        assert_eq!(data, whole.data);
        assert!(
            trailers.len() <= limits.max_head,
            "trailer of {}",
            trailers.len()
        );
        let lines = trailers.windows(2).filter(|w| w == b"\r\n").count();
        assert!(lines <= limits.max_fields, "{lines} trailer lines");
    }
});
