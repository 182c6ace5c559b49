//! The head parser fed in two or more pieces, each parse handed the same buffer with more
//! appended: it must answer as one parse of the whole does. Before the head is complete every
//! answer is `Partial`; the head, once complete, has the same length, method, target, path,
//! query, version and fields; an error is the same error.
//!
//! One latitude, documented on `HeadParser`: a resumed parse that brings no new LF does not look
//! at the new bytes, so a bad byte in an unfinished line is found when the line's LF arrives.
//! There a resumed parse may answer `Partial` where one parse of the whole finds the error; once
//! an LF follows, both answer that error. (And an error stays an error whatever follows it.)
#![no_main]

use framework::proto::parse::{HeadParser, ParseError, ParseLimits, Status};
use framework::Version;
use framework_fuzz::{limits, Input};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    len: usize,
    method: Vec<u8>,
    target: Vec<u8>,
    path: Vec<u8>,
    query: Option<Vec<u8>>,
    version: Version,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Partial,
    Complete(Parsed),
    Error(ParseError),
}

fn step(parser: &mut HeadParser, buf: &[u8], limits: &ParseLimits) -> Outcome {
    match parser.parse(buf, limits) {
        Err(e) => Outcome::Error(e),
        Ok(Status::Partial) => Outcome::Partial,
        Ok(Status::Complete(len)) => {
            assert!(len <= buf.len(), "head of {len} bytes in {}", buf.len());
            let head = parser.head(buf);
            Outcome::Complete(Parsed {
                len,
                method: head.method().to_vec(),
                target: head.target().to_vec(),
                path: head.path().to_vec(),
                query: head.query().map(<[u8]>::to_vec),
                version: head.version(),
                fields: head
                    .fields()
                    .map(|(n, v)| (n.to_vec(), v.to_vec()))
                    .collect(),
            })
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::parse(data);
    let limits = limits(input.limits);
    let whole = step(&mut HeadParser::new(), input.payload, &limits);

    let mut parser = HeadParser::new();
    let mut resumed = Outcome::Partial;
    for prefix in input.prefixes() {
        resumed = step(&mut parser, prefix, &limits);
        if let Outcome::Complete(head) = &resumed {
            // Complete only once the prefix holds the head, never earlier.
            assert_eq!(Some(&resumed), Some(&whole), "at {} bytes", prefix.len());
            assert!(head.len <= prefix.len());
        }
        if resumed != Outcome::Partial {
            break;
        }
    }
    if let (Outcome::Partial, Outcome::Error(e)) = (&resumed, &whole) {
        let lf = [input.payload, b"\n"].concat();
        let fresh = step(&mut HeadParser::new(), &lf, &limits);
        assert_eq!(
            fresh,
            Outcome::Error(*e),
            "an error undone by the bytes after it"
        );
        assert_eq!(
            step(&mut parser, &lf, &limits),
            fresh,
            "an error still deferred after an LF"
        );
    } else {
        assert_eq!(resumed, whole, "resumed parse differs from the whole");
    }

    // A parser reset for the next head forgets this one.
    parser.reset();
    assert_eq!(
        step(&mut parser, input.payload, &limits),
        whole,
        "after reset"
    );
});
