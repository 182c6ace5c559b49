//! Helpers shared by the socket-level tests (`tests/server.rs`, `tests/routing.rs`,
//! `tests/extract.rs`, `tests/api.rs`, `tests/middleware.rs`): an [`App`] or a bare [`Server`]
//! served on `127.0.0.1:0` in a thread, and a raw HTTP/1.1 client over `std::net::TcpStream` that
//! parses responses one after another (so pipelined responses can be told apart) with the
//! framework's own parser, [`TestResponse::parse`], and checks their framing and `Date`.
//!
//! Every client socket has a read timeout, so a server that hangs fails the test instead of
//! blocking it forever. Nothing here measures time.

// Each `tests/*.rs` file is its own crate and includes this module with `mod support;`; none of
// them uses every helper, so unused items are expected in each crate.
#![allow(dead_code)]
// Test-only code (integration tests are always built with `cfg(test)`): saying so lets the
// workspace's `clippy.toml` (`allow-unwrap-in-tests`, `allow-expect-in-tests`) cover these helpers,
// which are not `#[test]` functions themselves.
#![cfg(test)]

use framework::test::{ParseResponseError, TestResponse};
use framework::{App, Limits, Request, Response, ResponseBody, Server, ShutdownHandle, StatusCode};
use std::fmt::Debug;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a client waits for the server before the test fails.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// An app served on its own thread. Dropping it shuts the server down.
pub struct TestApp {
    pub addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<Result<framework::ShutdownReport, framework::RunError>>>,
}

impl TestApp {
    /// Binds `app` (banner, access log and signal handling off: the test process's signals are
    /// its own) to a free port and serves it on a thread.
    pub fn start(app: App) -> Self {
        let bound = app
            .banner(false)
            .access_log(false)
            .handle_signals(false)
            .bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("App::bind failed: {e}"));
        let addr = bound.local_addr();
        let handle = bound.shutdown_handle();
        let thread = thread::spawn(move || bound.serve());
        Self {
            addr,
            handle,
            thread: Some(thread),
        }
    }

    pub fn connect(&self) -> Client {
        Client::connect(self.addr)
    }

    /// Sends `request` on a fresh connection and reads one response (`head`: the request was
    /// HEAD, so no body follows).
    pub fn exchange(&self, request: &[u8], head: bool) -> HttpResponse {
        let mut c = self.connect();
        c.send(request);
        if head {
            c.read_head_response()
        } else {
            c.read_response()
        }
    }

    /// Sends `request` on a fresh connection, reads until the server closes it and returns every
    /// response it sent; fails if the server keeps the connection open (the read times out).
    pub fn exchange_until_close(&self, request: &[u8]) -> Vec<HttpResponse> {
        let mut c = self.connect();
        c.send(request);
        if let Err(e) = c.read_until_close() {
            panic!("the server did not close the connection cleanly ({e})");
        }
        c.remaining_responses()
    }

    /// `method target` with a Host and no body, on a fresh connection.
    pub fn call(&self, method: &str, target: &str) -> HttpResponse {
        self.exchange(&request(method, target), method == "HEAD")
    }

    pub fn get(&self, target: &str) -> HttpResponse {
        self.call("GET", target)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.handle.shutdown(Duration::ZERO);
            let _ = thread.join();
        }
    }
}

/// `METHOD target HTTP/1.1` with a Host and no body.
pub fn request(method: &str, target: &str) -> Vec<u8> {
    format!("{method} {target} HTTP/1.1\r\nHost: test\r\n\r\n").into_bytes()
}

/// A request with a Content-Length body.
pub fn request_with_body(method: &str, target: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "{method} {target} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A request with a chunked body, one chunk per piece.
pub fn request_chunked(method: &str, target: &str, pieces: &[&[u8]]) -> Vec<u8> {
    let mut bytes =
        format!("{method} {target} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n")
            .into_bytes();
    for piece in pieces {
        bytes.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        bytes.extend_from_slice(piece);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    bytes
}

// ---------------------------------------------------------------------------------------------
// A bare `Server` running a fixed test handler
// ---------------------------------------------------------------------------------------------

/// The body of `/plaintext`.
pub const PLAINTEXT: &str = "Hello, World!";

/// The pieces `/stream` yields, one per `read` call, so one chunk each on the wire.
pub const STREAM_PIECES: [&str; 3] = ["alpha", "beta", "gamma"];

/// What the test handler shares with the test.
#[derive(Default)]
pub struct State {
    /// How many `/slow` requests have reached the handler.
    pub slow_started: AtomicUsize,
    /// How many `/slow` handlers have returned.
    pub slow_done: AtomicUsize,
    /// While set, `/slow` waits (up to `IO_TIMEOUT`) before its 300 ms sleep.
    pub slow_gate_closed: AtomicBool,
    /// `/drip` and `/drip-sized` send their second piece only once this is set (or after
    /// `IO_TIMEOUT`).
    pub drip_released: AtomicBool,
}

impl State {
    /// Waits until `n` `/slow` requests are in the handler.
    pub fn wait_slow_started(&self, n: usize) {
        let deadline = Instant::now() + IO_TIMEOUT;
        while self.slow_started.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "/slow never reached the handler");
            thread::sleep(Duration::from_millis(2));
        }
    }
}

/// A reader that yields one piece per call.
struct Pieces(std::vec::IntoIter<&'static str>);

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.next() {
            None => Ok(0),
            Some(piece) => {
                let n = piece.len().min(buf.len());
                buf[..n].copy_from_slice(&piece.as_bytes()[..n]);
                Ok(n)
            }
        }
    }
}

/// `DRIP[0]`, then, once `State::drip_released` is set, `DRIP[1]`: a producer that takes its
/// time, to show that each piece is sent when it is produced.
struct Drip {
    state: Arc<State>,
    next: usize,
}

pub const DRIP: [&str; 2] = ["first", "second"];

impl Read for Drip {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.next == 1 {
            let deadline = Instant::now() + IO_TIMEOUT;
            while !self.state.drip_released.load(Ordering::SeqCst) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(2));
            }
        }
        let Some(piece) = DRIP.get(self.next) else {
            return Ok(0);
        };
        self.next += 1;
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece.as_bytes()[..n]);
        Ok(n)
    }
}

/// The test handler, routing by path.
pub fn router(state: Arc<State>) -> impl Fn(&mut Request) -> Response + Send + Sync + 'static {
    move |req: &mut Request| match req.path() {
        "/plaintext" => Response::text(PLAINTEXT),
        "/echo" => match req.body_mut().bytes() {
            Ok(body) => Response::text(body),
            Err(e) => {
                Response::json_bytes(format!("{{\"error\":\"{e}\"}}")).with_status(e.status())
            }
        },
        "/panic" => panic!("deliberate panic from the /panic test route"),
        "/slow" => {
            state.slow_started.fetch_add(1, Ordering::SeqCst);
            let deadline = Instant::now() + IO_TIMEOUT;
            while state.slow_gate_closed.load(Ordering::SeqCst) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(2));
            }
            thread::sleep(Duration::from_millis(300));
            state.slow_done.fetch_add(1, Ordering::SeqCst);
            Response::text("slow done")
        }
        "/nobody" => Response::text("body not read"),
        "/stream" => Response::new(StatusCode::OK).with_body(ResponseBody::stream(Pieces(
            STREAM_PIECES.to_vec().into_iter(),
        ))),
        // A length known up front: exactly the pieces' total.
        "/sized" => {
            let len = STREAM_PIECES.concat().len() as u64;
            let pieces = Pieces(STREAM_PIECES.to_vec().into_iter());
            Response::new(StatusCode::OK).with_body(ResponseBody::sized(pieces, len))
        }
        // A reader with more than it announced: only the announced bytes go out.
        "/sized-long" => {
            Response::new(StatusCode::OK).with_body(ResponseBody::sized(&b"abcdefgh"[..], 3))
        }
        // A reader that ends before its announced length: the connection must close.
        "/sized-short" => {
            Response::new(StatusCode::OK).with_body(ResponseBody::sized(&b"abc"[..], 10))
        }
        "/drip" => Response::new(StatusCode::OK).with_body(ResponseBody::stream(Drip {
            state: Arc::clone(&state),
            next: 0,
        })),
        "/drip-sized" => {
            let len = DRIP.concat().len() as u64;
            let drip = Drip {
                state: Arc::clone(&state),
                next: 0,
            };
            Response::new(StatusCode::OK).with_body(ResponseBody::sized(drip, len))
        }
        _ => Response::new(StatusCode::NOT_FOUND),
    }
}

/// A server running the test handler on its own thread. Dropping it shuts it down at once.
pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: ShutdownHandle,
    pub state: Arc<State>,
    thread: Option<JoinHandle<io::Result<framework::ShutdownReport>>>,
}

impl TestServer {
    pub fn start(limits: Limits) -> Self {
        let server = Server::bind("127.0.0.1:0")
            .expect("bind 127.0.0.1:0")
            .with_limits(limits);
        let addr = server.local_addr();
        let handle = server.shutdown_handle();
        let state = Arc::new(State::default());
        let handler = router(Arc::clone(&state));
        let thread = thread::spawn(move || server.serve(handler));
        Self {
            addr,
            handle,
            state,
            thread: Some(thread),
        }
    }

    pub fn start_default() -> Self {
        Self::start(Limits::default())
    }

    pub fn connect(&self) -> Client {
        Client::connect(self.addr)
    }

    /// Waits for `serve` to return, and checks that it returned `Ok`.
    pub fn join(&mut self) {
        if let Some(thread) = self.thread.take() {
            thread
                .join()
                .expect("the serve thread panicked")
                .expect("serve returned an error");
        }
    }

    /// A fresh connection gets `/plaintext` served: the server is still healthy.
    pub fn assert_serves_fresh_connection(&self) {
        let mut c = self.connect();
        c.send(&get("/plaintext"));
        let res = c.read_response();
        assert_eq!(res.status, 200, "a fresh connection was not served");
        assert_eq!(res.text(), PLAINTEXT);
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.handle.shutdown(Duration::ZERO);
            let _ = thread.join();
        }
    }
}

/// `GET path HTTP/1.1` with a Host.
pub fn get(path: &str) -> Vec<u8> {
    request("GET", path)
}

/// `POST /echo` with a Content-Length body.
pub fn post_echo(body: &str) -> Vec<u8> {
    request_with_body("POST", "/echo", body.as_bytes())
}

/// The only value of field `name` (case-insensitive) in `fields`; fails if it is repeated.
/// `owner` (the whole response) is printed on failure.
pub fn single_field<'a>(
    fields: &'a [(String, String)],
    name: &str,
    owner: &dyn Debug,
) -> Option<&'a str> {
    let mut values = fields
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str());
    let first = values.next();
    assert!(values.next().is_none(), "{name} is repeated in {owner:?}");
    first
}

/// A response, as [`TestResponse::parse`] (the framework's parser, the one `TestClient` uses)
/// read it, with its fields as strings for the assertions here.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The chunk sizes seen, for a chunked body.
    pub chunks: Option<Vec<usize>>,
    /// The response as it was on the wire, head included.
    pub raw: Vec<u8>,
}

impl HttpResponse {
    /// `parsed`, after the checks every response of these tests must pass: UTF-8 field values,
    /// an IMF-fixdate `Date` on every final response, no framing fields on a 1xx or 204, and
    /// `Connection: close` on a body that the close delimits.
    fn checked(parsed: &TestResponse, head_request: bool) -> Self {
        let headers = parsed
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = std::str::from_utf8(value)
                    .unwrap_or_else(|_| panic!("a non-UTF-8 {name} in {parsed:?}"));
                (name.to_owned(), value.to_owned())
            })
            .collect();
        let res = Self {
            status: parsed.status().as_u16(),
            reason: parsed.reason().to_owned(),
            headers,
            body: parsed.bytes().to_vec(),
            chunks: parsed.chunk_sizes().map(<[usize]>::to_vec),
            raw: parsed.raw().to_vec(),
        };
        let status = res.status;
        if status >= 200 {
            let date = res
                .header("date")
                .unwrap_or_else(|| panic!("no Date header in {res:?}"));
            assert_imf_fixdate(date);
        }
        let chunked = res.header("transfer-encoding").is_some();
        let length = res.header("content-length").is_some();
        if status == 204 || status < 200 {
            // RFC 9110 §8.6: no Content-Length (nor chunking) in a 1xx or 204.
            assert!(
                !chunked && !length,
                "a {status} must carry no framing fields: {res:?}"
            );
        } else if status != 304 && !head_request && !chunked && !length {
            assert!(
                res.closes(),
                "a close-delimited body needs Connection: close: {res:?}"
            );
        }
        res
    }

    /// The only value of a field (case-insensitive name); fails if it is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        single_field(&self.headers, name, self)
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    pub fn closes(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
    /// The fields, lowercased names, sorted, without `Date` (which may tick between responses).
    pub fn fields_without_date(&self) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .filter(|(n, _)| n != "date")
            .collect();
        fields.sort();
        fields
    }

    /// A `{"error":"..."}` body, as `application/json`, whose message contains `needle`; returns
    /// the message.
    pub fn assert_json_error(&self, status: u16, needle: &str) -> String {
        assert_eq!(self.status, status, "wrong status in {self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "not JSON: {self:?}"
        );
        let value: serde_json::Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {self:?}"));
        let object = value.as_object().expect("a JSON object");
        assert_eq!(object.len(), 1, "only `error` expected in {value}");
        let message = object
            .get("error")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_else(|| panic!("no string `error` in {value}"))
            .to_owned();
        assert!(
            message.contains(needle),
            "error message {message:?} does not contain {needle:?}"
        );
        message
    }

    /// The checks every protocol-level refusal must pass: a JSON `{"error":...}` body framed
    /// by Content-Length, a Date, and `Connection: close`.
    pub fn assert_refusal(&self, status: u16) {
        self.assert_json_error(status, "");
        assert!(!self.reason.is_empty(), "no reason phrase in {self:?}");
        let length = self
            .header("content-length")
            .unwrap_or_else(|| panic!("no Content-Length in {self:?}"));
        assert_eq!(length.parse::<usize>().unwrap(), self.body.len());
        assert!(self.header("date").is_some(), "no Date in {self:?}");
        let body = self.text();
        assert!(
            body.starts_with("{\"error\":\"") && body.ends_with("\"}") && body.len() > 12,
            "not a JSON error body: {body:?}"
        );
        assert!(self.closes(), "an error response must close: {self:?}");
    }
}

/// The bytes of an in-process response body (`Service::handle`), which must not stream.
pub fn body_bytes(body: &ResponseBody) -> Vec<u8> {
    match body {
        ResponseBody::Empty => Vec::new(),
        ResponseBody::Bytes(b) => b.to_vec(),
        _ => panic!("a streaming body was not expected here"),
    }
}

/// A raw HTTP client over one TCP connection, with a buffer so that pipelined responses are
/// parsed one after another.
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// Set by `read_until_close`: the buffer holds everything the server will ever send.
    eof: bool,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect to the test server");
        Self::from_stream(stream)
    }

    pub fn from_stream(stream: TcpStream) -> Self {
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::new(),
            eof: false,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send to the server");
    }

    /// Sends `bytes` from another thread, so that the response can be read while a large request
    /// is still being written (a server may answer and close before reading it all). Write errors
    /// are ignored: the response is what the test checks.
    pub fn send_in_background(&self, bytes: Vec<u8>) -> JoinHandle<()> {
        let mut stream = self.stream.try_clone().expect("clone the client socket");
        thread::spawn(move || {
            let _ = stream.write_all(&bytes);
        })
    }

    /// Asserts that the server closed the connection: nothing more arrives but the end of the
    /// stream (a reset after the close counts as closed too).
    pub fn assert_closed(&mut self) {
        let mut chunk = [0u8; 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                    ) =>
                {
                    break
                }
                Err(e) => panic!(
                    "the connection was not closed ({e}); buffered: {:?}",
                    String::from_utf8_lossy(&self.buf)
                ),
            }
        }
        assert!(
            self.buf.is_empty(),
            "unexpected bytes before the close: {:?}",
            String::from_utf8_lossy(&self.buf)
        );
    }

    /// Sends one byte per write, with a short pause between writes.
    pub fn send_byte_by_byte(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.send(std::slice::from_ref(b));
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// Reads more bytes into the buffer; 0 at EOF. Fails the test on a timeout.
    fn fill(&mut self, what: &str) -> usize {
        if self.eof {
            return 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    self.eof = n == 0;
                    return n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    panic!(
                        "timed out waiting for {what}; buffered: {:?}",
                        String::from_utf8_lossy(&self.buf)
                    )
                }
                Err(e) => panic!("read failed waiting for {what}: {e}"),
            }
        }
    }

    /// Reads until the bytes received (and not yet parsed) contain `needle`; fails on EOF or
    /// when nothing comes for `IO_TIMEOUT`.
    pub fn read_until(&mut self, needle: &[u8], what: &str) {
        while !self.buf.windows(needle.len()).any(|w| w == needle) {
            assert!(self.fill(what) > 0, "EOF while waiting for {what}");
        }
    }

    /// The bytes received and not yet parsed.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Exactly `n` bytes.
    pub fn read_exact_bytes(&mut self, n: usize, what: &str) -> Vec<u8> {
        while self.buf.len() < n {
            assert!(self.fill(what) > 0, "EOF while waiting for {what}");
        }
        self.buf.drain(..n).collect()
    }

    /// The next response (to a request that was not HEAD).
    pub fn read_response(&mut self) -> HttpResponse {
        self.try_read_response(false)
            .expect("the connection closed instead of answering")
    }

    /// The next response, to a HEAD request: no body follows the head.
    pub fn read_head_response(&mut self) -> HttpResponse {
        self.try_read_response(true)
            .expect("the connection closed instead of answering")
    }

    /// The next response, or `None` if the connection ends cleanly before its first byte. It is
    /// parsed by [`TestResponse::parse_prefix`] as bytes arrive (by [`TestResponse::parse`] once
    /// the connection has ended), then checked as [`HttpResponse::checked`] says.
    pub fn try_read_response(&mut self, head_request: bool) -> Option<HttpResponse> {
        while self.buf.is_empty() {
            if self.fill("a response") == 0 {
                return None;
            }
        }
        loop {
            let parsed = if self.eof {
                TestResponse::parse(&self.buf, head_request)
            } else {
                TestResponse::parse_prefix(&self.buf, head_request)
            };
            match parsed {
                Ok(res) => {
                    self.buf.drain(..res.raw().len());
                    return Some(HttpResponse::checked(&res, head_request));
                }
                Err(ParseResponseError::Incomplete) => {
                    assert!(
                        !self.eof,
                        "EOF in the middle of a response: {:?}",
                        String::from_utf8_lossy(&self.buf)
                    );
                    self.fill("the rest of a response");
                }
                Err(e) => panic!("{e}: {:?}", String::from_utf8_lossy(&self.buf)),
            }
        }
    }

    /// Asserts that the server closes the connection without sending anything more.
    pub fn expect_eof(&mut self) {
        assert!(
            self.buf.is_empty(),
            "unexpected bytes before EOF: {:?}",
            String::from_utf8_lossy(&self.buf)
        );
        let n = self.fill("EOF");
        assert_eq!(
            n,
            0,
            "expected EOF, got {:?}",
            String::from_utf8_lossy(&self.buf)
        );
    }

    /// Reads everything until the server closes into the buffer (then parse it with
    /// `try_read_response`). A reset ends the stream too, and is returned as the error.
    pub fn read_until_close(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let result = loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => break Ok(()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        self.eof = true;
        result
    }

    /// After [`Client::read_until_close`]: every response left in the buffer, in order.
    pub fn remaining_responses(&mut self) -> Vec<HttpResponse> {
        std::iter::from_fn(|| self.try_read_response(false)).collect()
    }

    /// Asserts that nothing arrives during `window` (the server is holding this client).
    /// This checks silence, not speed: the server must not answer at all in this state.
    pub fn assert_silent_for(&mut self, window: Duration) {
        self.stream.set_read_timeout(Some(window)).unwrap();
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Ok(0) => panic!("the connection was closed instead of held"),
            Ok(_) => panic!("the server answered while it should have held the connection"),
            Err(e) => panic!("read failed: {e}"),
        }
        self.stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    }

    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7), with a weekday that matches the date.
pub fn assert_imf_fixdate(date: &str) {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = date.as_bytes();
    assert_eq!(b.len(), 29, "bad Date length: {date:?}");
    let num = |range: std::ops::Range<usize>| -> u32 {
        let s = &date[range];
        assert!(s.bytes().all(|c| c.is_ascii_digit()), "bad Date: {date:?}");
        s.parse().unwrap()
    };
    assert_eq!(&date[3..5], ", ", "bad Date: {date:?}");
    assert_eq!(&b[7..8], b" ");
    assert_eq!(&b[11..12], b" ");
    assert_eq!(&b[16..17], b" ");
    assert_eq!(&b[19..20], b":");
    assert_eq!(&b[22..23], b":");
    assert_eq!(&date[25..], " GMT", "bad Date: {date:?}");
    let weekday = DAYS
        .iter()
        .position(|d| *d == &date[..3])
        .unwrap_or_else(|| panic!("bad weekday in {date:?}"));
    let month = MONTHS
        .iter()
        .position(|m| *m == &date[8..11])
        .unwrap_or_else(|| panic!("bad month in {date:?}"))
        + 1;
    let (day, year) = (num(5..7), num(12..16));
    let (hour, minute, second) = (num(17..19), num(20..22), num(23..25));
    assert!(
        (1..=31).contains(&day) && year >= 2000,
        "bad Date: {date:?}"
    );
    assert!(
        hour < 24 && minute < 60 && second < 61,
        "bad Date: {date:?}"
    );
    // Sakamoto's day-of-week (0 = Sunday).
    const T: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    let dow = (y + y / 4 - y / 100 + y / 400 + T[month - 1] + day) % 7;
    assert_eq!(
        dow as usize, weekday,
        "weekday does not match the date in {date:?}"
    );
}

/// A small deterministic pseudo-random generator (64-bit LCG, high byte out).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }

    pub fn byte(&mut self) -> u8 {
        self.next_u64().to_be_bytes()[0]
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        let span = u64::try_from(hi - lo + 1).unwrap();
        lo + usize::try_from((self.next_u64() >> 16) % span).unwrap()
    }
}
