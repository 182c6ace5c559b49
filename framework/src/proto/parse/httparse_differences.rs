//! The deliberate differences between this parser and httparse's request parser, one test each:
//! the list in `framework/fuzz/README.md`, which the `differential` fuzz target holds every
//! disagreement to. Each test runs both parsers on the same bytes and checks that httparse
//! finishes the head and this parser refuses it, with the error the list names.

use super::{HeadParser, ParseError, ParseLimits, Status};

/// httparse finishes a head in `raw`, and this parser refuses `raw` with `error`.
fn httparse_accepts_and_we_refuse(raw: &[u8], error: ParseError) {
    let shown = raw.escape_ascii().to_string();
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let theirs = httparse::Request::new(&mut headers).parse(raw);
    assert!(
        matches!(theirs, Ok(httparse::Status::Complete(_))),
        "httparse: {theirs:?} for {shown}"
    );
    let ours = HeadParser::new().parse(raw, &ParseLimits::default());
    assert_eq!(ours, Err(error), "{shown}");
}

/// RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator"; this parser
/// does not, anywhere in the head.
#[test]
fn bare_lf_ends_no_line() {
    for raw in [
        &b"GET / HTTP/1.1\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n\n",
        b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        httparse_accepts_and_we_refuse(raw, ParseError::NewLine);
    }
}

/// RFC 9112 §3.2: "request-target = origin-form / absolute-form / authority-form /
/// asterisk-form"; httparse takes any run of visible bytes. This parser checks the form: an
/// origin-form path of `pchar`s (its query: visible ASCII but `#`), an `http`/`https` absolute
/// form with a host, `*` for `OPTIONS` only (§3.2.4), no fragment; and `CONNECT`'s
/// authority-form is answered `501`.
#[test]
fn target_outside_the_request_target_forms() {
    for raw in [
        &b"GET a/b HTTP/1.1\r\nHost: a\r\n\r\n"[..],
        b"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /{x} HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET http:// HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        httparse_accepts_and_we_refuse(raw, ParseError::Target);
    }
    httparse_accepts_and_we_refuse(
        b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
        ParseError::Connect,
    );
}

/// RFC 9112 §3: "A server that receives a method longer than any that it implements SHOULD
/// respond with a 501 (Not Implemented) status code." This parser stops reading a method at 32
/// bytes (the longest registered one has 17) and answers `400`, as for a method that is no token.
#[test]
fn method_longer_than_32_bytes() {
    let method = "M".repeat(33);
    let raw = format!("{method} / HTTP/1.1\r\nHost: a\r\n\r\n");
    httparse_accepts_and_we_refuse(raw.as_bytes(), ParseError::Method);
    let longest = format!("{} / HTTP/1.1\r\nHost: a\r\n\r\n", "M".repeat(32));
    assert!(matches!(
        HeadParser::new().parse(longest.as_bytes(), &ParseLimits::default()),
        Ok(Status::Complete(_))
    ));
}
