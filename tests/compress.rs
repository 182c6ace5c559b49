//! End-to-end tests of `middleware::Compression` over real sockets: what a client that accepts
//! gzip receives for a body known up front and for a streamed one (decoded with flate2 and
//! compared with the original), what other clients receive, `HEAD` against `GET`, and an
//! HTTP/1.0 client. The negotiation and decision tables are unit tests in
//! `framework/src/middleware/compress.rs`.

mod support;

use framework::middleware::Compression;
use framework::{get, routes, App, Error, Response, ResponseBody};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use support::{HttpResponse, TestApp};

fn page_text() -> String {
    (0..500).map(|i| format!("<li>item {i}</li>\n")).collect()
}

/// The pieces `/events` yields, one per read.
fn pieces() -> Vec<String> {
    (0..6)
        .map(|i| format!("data: {}\n\n", "tick ".repeat(i + 1)))
        .collect()
}

/// Yields its pieces one per `read`, like a producer that has a little more each time.
struct Pieces(VecDeque<Vec<u8>>);

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(piece) = self.0.pop_front() else {
            return Ok(0);
        };
        buf[..piece.len()].copy_from_slice(&piece);
        Ok(piece.len())
    }
}

#[get("/page")]
fn page() -> Result<Response, Error> {
    Ok(Response::text(page_text()).with_header("ETag", "\"v1\"")?)
}

#[get("/feed")]
fn feed() -> Response {
    let pieces = pieces().into_iter().map(String::into_bytes).collect();
    Response::text("").with_body(ResponseBody::stream(Pieces(pieces)))
}

#[get("/small")]
fn small() -> &'static str {
    "ok"
}

fn server() -> TestApp {
    TestApp::start(
        App::new()
            .wrap(Compression::new())
            .mount("/", routes![page, feed, small]),
    )
}

fn get(server: &TestApp, path: &str, accept: Option<&str>) -> HttpResponse {
    request(server, "GET", path, accept)
}

fn request(server: &TestApp, method: &str, path: &str, accept: Option<&str>) -> HttpResponse {
    let accept = accept.map_or(String::new(), |a| format!("Accept-Encoding: {a}\r\n"));
    let raw = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n{accept}\r\n");
    server.exchange(raw.as_bytes(), method == "HEAD")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = flate2::read::GzDecoder::new(bytes).read_to_end(&mut out) {
        panic!("not a valid gzip body: {e}");
    }
    out
}

#[test]
fn a_body_known_up_front_is_sent_gzipped_and_chunked() {
    let server = server();
    let res = get(&server, "/page", Some("gzip, deflate, br"));
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(res.header("vary"), Some("Accept-Encoding"));
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    assert_eq!(res.header("content-length"), None);
    assert_eq!(res.header("etag"), Some("W/\"v1\""));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(gunzip(&res.body), page_text().into_bytes());
    assert!(
        res.body.len() < page_text().len() / 4,
        "{} bytes",
        res.body.len()
    );
}

#[test]
fn a_client_that_does_not_accept_gzip_gets_identity_and_vary() {
    let server = server();
    for accept in [
        None,
        Some("br"),
        Some("gzip;q=0"),
        Some("*;q=0"),
        Some("identity"),
    ] {
        let res = get(&server, "/page", accept);
        assert_eq!(res.header("content-encoding"), None, "{accept:?}");
        assert_eq!(res.header("vary"), Some("Accept-Encoding"), "{accept:?}");
        let length = page_text().len().to_string();
        assert_eq!(
            res.header("content-length"),
            Some(length.as_str()),
            "{accept:?}"
        );
        assert_eq!(res.header("etag"), Some("\"v1\""), "{accept:?}");
        assert_eq!(res.text(), page_text(), "{accept:?}");
    }
    let res = get(&server, "/page", Some("*"));
    assert_eq!(res.header("content-encoding"), Some("gzip"));
}

#[test]
fn a_streamed_body_is_compressed_piece_by_piece() {
    let server = server();
    let res = get(&server, "/feed", Some("gzip"));
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(res.header("vary"), Some("Accept-Encoding"));
    assert_eq!(res.header("content-length"), None);
    let chunks = res.chunks.clone().expect("a chunked body");
    let pieces = pieces();
    // One chunk per read of the handler's reader, and the gzip trailer.
    assert_eq!(chunks.len(), pieces.len() + 1, "{chunks:?}");
    // Each chunk completes the decoding of one piece: nothing is held back.
    let mut decoder = flate2::write::GzDecoder::new(Vec::new());
    let mut at = 0;
    for (i, size) in chunks.iter().take(pieces.len()).enumerate() {
        decoder.write_all(&res.body[at..at + size]).unwrap();
        decoder.flush().unwrap();
        at += size;
        assert_eq!(
            String::from_utf8_lossy(decoder.get_ref()),
            pieces[..=i].concat(),
            "after chunk {i}"
        );
    }
    assert_eq!(gunzip(&res.body), pieces.concat().into_bytes());
}

#[test]
fn head_carries_the_fields_of_get() {
    let server = server();
    for path in ["/page", "/feed", "/small"] {
        for accept in [Some("gzip"), None] {
            let got = get(&server, path, accept);
            let head = request(&server, "HEAD", path, accept);
            assert_eq!(
                got.fields_without_date(),
                head.fields_without_date(),
                "{path} {accept:?}"
            );
            assert!(head.body.is_empty());
        }
    }
}

#[test]
fn small_bodies_are_sent_as_they_are_without_vary() {
    let server = server();
    let res = get(&server, "/small", Some("gzip"));
    assert_eq!(
        (
            res.header("content-encoding"),
            res.header("vary"),
            res.text()
        ),
        (None, None, "ok".to_string())
    );
    assert_eq!(res.header("content-length"), Some("2"));
}

#[test]
fn an_http10_client_gets_a_close_delimited_gzip_body() {
    let server = server();
    let raw = b"GET /page HTTP/1.0\r\nHost: test\r\nAccept-Encoding: gzip\r\n\r\n";
    let responses = server.exchange_until_close(raw);
    let [res] = responses.as_slice() else {
        panic!("one response expected: {responses:?}");
    };
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(res.header("transfer-encoding"), None);
    assert_eq!(res.header("content-length"), None);
    assert!(res.closes());
    assert_eq!(gunzip(&res.body), page_text().into_bytes());
}

#[test]
fn keep_alive_survives_a_compressed_response() {
    let server = server();
    let mut client = server.connect();
    let raw = b"GET /page HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip\r\n\r\n";
    client.send(raw);
    let first = client.read_response();
    client.send(raw);
    let second = client.read_response();
    assert!(!first.closes() && !second.closes());
    assert_eq!(gunzip(&first.body), gunzip(&second.body));
}
