//! Helpers for the socket-level tests of `tests/routing.rs`: an [`App`] served on `127.0.0.1:0`
//! in a thread, and a raw HTTP/1.1 client over `std::net::TcpStream` that parses responses one
//! after another (so pipelined responses can be told apart).
//!
//! Every client socket has a read timeout, so a server that hangs fails the test instead of
//! blocking it forever. Nothing here measures time.

use framework::{App, ResponseBody, ShutdownHandle};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long a client waits for the server before the test fails.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// An app served on its own thread. Dropping it shuts the server down.
pub struct TestApp {
    pub addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<Result<(), framework::RunError>>>,
}

impl TestApp {
    /// Binds `app` (banner and access log off) to a free port and serves it on a thread.
    pub fn start(app: App) -> Self {
        let bound = app
            .banner(false)
            .access_log(false)
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

/// A parsed response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The only value of a field (case-insensitive name); fails if it is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = values.next();
        assert!(values.next().is_none(), "{name} is repeated in {self:?}");
        first
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
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
}

/// The bytes of an in-process response body (`Service::handle`), which must not stream.
pub fn body_bytes(body: &ResponseBody) -> Vec<u8> {
    match body {
        ResponseBody::Empty => Vec::new(),
        ResponseBody::Bytes(b) => b.to_vec(),
        ResponseBody::Stream(_) => panic!("a streaming body was not expected here"),
    }
}

/// A raw HTTP client over one TCP connection, with a buffer so that pipelined responses are
/// parsed one after another.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect to the test server");
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send to the server");
    }

    /// Sends `bytes` from another thread, so that the response can be read while a large request
    /// is still being written (a server may answer and close before reading it all). Write errors
    /// are ignored: the response is what the test checks.
    #[allow(dead_code)] // not every test crate that includes `support` uses it
    pub fn send_in_background(&self, bytes: Vec<u8>) -> JoinHandle<()> {
        let mut stream = self.stream.try_clone().expect("clone the client socket");
        thread::spawn(move || {
            let _ = stream.write_all(&bytes);
        })
    }

    /// Asserts that the server closed the connection: nothing more arrives but the end of the
    /// stream (a reset after the close counts as closed too).
    #[allow(dead_code)] // not every test crate that includes `support` uses it
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

    /// Reads more bytes into the buffer; 0 at EOF. Fails the test on a timeout.
    fn fill(&mut self, what: &str) -> usize {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
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

    fn take(&mut self, n: usize) -> Vec<u8> {
        self.buf.drain(..n).collect()
    }

    fn read_exact_bytes(&mut self, n: usize, what: &str) -> Vec<u8> {
        while self.buf.len() < n {
            assert!(self.fill(what) > 0, "EOF while waiting for {what}");
        }
        self.take(n)
    }

    /// One CRLF-terminated line, without the CRLF.
    fn read_line(&mut self, what: &str) -> String {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.take(i + 2);
                return String::from_utf8(line[..i].to_vec())
                    .unwrap_or_else(|_| panic!("non-UTF-8 line in {what}"));
            }
            assert!(self.fill(what) > 0, "EOF in the middle of {what}");
        }
    }

    /// The next response, to a request that was not HEAD.
    pub fn read_response(&mut self) -> HttpResponse {
        self.parse_response(false)
    }

    /// The next response, to a HEAD request: no body follows the head.
    pub fn read_head_response(&mut self) -> HttpResponse {
        self.parse_response(true)
    }

    fn parse_response(&mut self, head_request: bool) -> HttpResponse {
        let status_line = self.read_line("the status line");
        let mut parts = status_line.splitn(3, ' ');
        assert_eq!(
            parts.next(),
            Some("HTTP/1.1"),
            "bad status line {status_line:?}"
        );
        let status: u16 = parts
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("bad status code in {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = self.read_line("the header section");
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("bad header line {line:?}"));
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let mut res = HttpResponse {
            status,
            headers,
            body: Vec::new(),
        };
        let chunked = res
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let length = res
            .header("content-length")
            .map(|v| v.parse::<usize>().expect("a numeric Content-Length"));
        assert!(
            !(chunked && length.is_some()),
            "both Content-Length and Transfer-Encoding in {res:?}"
        );
        if status == 204 || status == 304 || status < 200 {
            // RFC 9110 §8.6: no Content-Length (nor chunking) in a 1xx or 204.
            if status != 304 {
                assert!(
                    !chunked && length.is_none(),
                    "a {status} must carry no framing fields: {res:?}"
                );
            }
            return res;
        }
        if head_request {
            return res;
        }
        if chunked {
            loop {
                let line = self.read_line("a chunk-size line");
                let hex = line.split(';').next().unwrap_or_default();
                let size = usize::from_str_radix(hex, 16)
                    .unwrap_or_else(|_| panic!("bad chunk-size line {line:?}"));
                if size == 0 {
                    break;
                }
                let data = self.read_exact_bytes(size, "chunk data");
                res.body.extend_from_slice(&data);
                assert_eq!(
                    self.read_exact_bytes(2, "the CRLF after chunk data"),
                    b"\r\n"
                );
            }
            while !self.read_line("the trailer section").is_empty() {}
        } else if let Some(n) = length {
            res.body = self.read_exact_bytes(n, "the response body");
        } else {
            while self.fill("a close-delimited body") > 0 {}
            res.body = std::mem::take(&mut self.buf);
        }
        res
    }
}
