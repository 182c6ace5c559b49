//! Differential against httparse's request parser. For any input: when both parsers finish a
//! head, the length, method, target, version and every field name and value are equal; when
//! only one of them finishes it, the input must be one of the deliberate differences listed in
//! the README (`deliberate` below tells which, each from the bytes alone). A target the framework
//! accepts must also pass the independent reading of its rules (`framework_fuzz::target`).
#![no_main]

use framework::proto::parse::{HeadParser, ParseError, ParseLimits, Status};
use framework::Version;
use framework_fuzz::target;
use libfuzzer_sys::fuzz_target;

/// Both parsers get this many field lines at most; each refuses one more.
const FIELDS: usize = 64;

/// Longest method the framework accepts.
const MAX_METHOD: usize = 32;

/// What a parser made of a head.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    len: usize,
    method: Vec<u8>,
    target: Vec<u8>,
    version: u8,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

#[derive(Debug)]
enum Ours {
    Complete(Head),
    Partial,
    Error(ParseError),
}

#[derive(Debug)]
enum Theirs {
    Complete(Head),
    Partial,
    Error(#[allow(dead_code)] httparse::Error),
}

fn ours(input: &[u8]) -> Ours {
    let limits = ParseLimits::default()
        .with_max_head(usize::MAX)
        .with_max_target(usize::MAX)
        .with_max_fields(FIELDS);
    let mut parser = HeadParser::new();
    match parser.parse(input, &limits) {
        Err(e) => Ours::Error(e),
        Ok(Status::Partial) => Ours::Partial,
        Ok(Status::Complete(len)) => {
            let head = parser.head(input);
            Ours::Complete(Head {
                len,
                method: head.method().to_vec(),
                target: head.target().to_vec(),
                version: match head.version() {
                    Version::Http10 => 0,
                    _ => 1,
                },
                fields: head
                    .fields()
                    .map(|(n, v)| (n.to_vec(), v.to_vec()))
                    .collect(),
            })
        }
    }
}

fn theirs(input: &[u8]) -> Theirs {
    let mut headers = [httparse::EMPTY_HEADER; FIELDS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(input) {
        Err(e) => Theirs::Error(e),
        Ok(httparse::Status::Partial) => Theirs::Partial,
        Ok(httparse::Status::Complete(len)) => Theirs::Complete(Head {
            len,
            method: req.method.unwrap_or_default().as_bytes().to_vec(),
            target: req.path.unwrap_or_default().as_bytes().to_vec(),
            version: req.version.unwrap_or(9),
            fields: req
                .headers
                .iter()
                .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
                .collect(),
        }),
    }
}

/// Whether `bytes` holds an LF without a CR before it.
fn bare_lf(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))
}

/// Which deliberate difference explains that only one parser finished the head, if any. Each name
/// is a line of the README's list and the name of a test in framework's `proto::parse` tests.
fn deliberate(input: &[u8], ours: &Ours, theirs: &Theirs) -> Option<&'static str> {
    match (ours, theirs) {
        (Ours::Error(ParseError::NewLine), Theirs::Complete(head))
            if bare_lf(&input[..head.len]) =>
        {
            Some("bare_lf_ends_no_line")
        }
        (Ours::Error(ParseError::Target | ParseError::Connect), Theirs::Complete(head))
            if target::check(&head.method, &head.target).is_err() =>
        {
            Some("target_outside_the_request_target_forms")
        }
        (Ours::Error(ParseError::Method), Theirs::Complete(head))
            if head.method.len() > MAX_METHOD =>
        {
            Some("method_longer_than_32_bytes")
        }
        _ => None,
    }
}

/// `FUZZ_SHOW_DIFFERENCES=1` prints each deliberate difference met (to review a corpus with
/// `-runs=0`).
fn show() -> bool {
    static SHOW: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SHOW.get_or_init(|| std::env::var_os("FUZZ_SHOW_DIFFERENCES").is_some())
}

fuzz_target!(|data: &[u8]| {
    let ours = ours(data);
    let theirs = theirs(data);
    if let Ours::Complete(head) = &ours {
        if let Err(why) = target::check(&head.method, &head.target) {
            panic!(
                "accepted target {:?}: {why}",
                String::from_utf8_lossy(&head.target)
            );
        }
    }
    match (&ours, &theirs) {
        (Ours::Complete(a), Theirs::Complete(b)) => assert_eq!(a, b, "the parsers disagree"),
        (Ours::Complete(_), _) | (_, Theirs::Complete(_)) => match deliberate(data, &ours, &theirs)
        {
            None => panic!("undocumented difference: ours {ours:?}, httparse {theirs:?}"),
            Some(name) if show() => {
                eprintln!("difference {name}: {:?}", data.escape_ascii().to_string())
            }
            Some(_) => {}
        },
        _ => {}
    }
});
