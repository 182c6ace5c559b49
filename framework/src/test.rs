//! An in-process test client: requests go through the same connection state machine, router,
//! extractors, handlers and responders as on a socket, over an in-memory stream, so a response
//! here is byte for byte what a client would get (its `Date` aside).
//!
//! ```
//! use framework::{get, routes, App, StatusCode};
//! use framework::test::TestClient;
//!
//! #[get("/hello/:name")]
//! fn hello(name: String) -> String {
//!     format!("Hello, {name}!")
//! }
//!
//! let client = TestClient::new(App::new().mount("/", routes![hello]))?;
//! let res = client.get("/hello/J%C3%BCrgen").send();
//! assert_eq!(res.status(), StatusCode::OK);
//! assert_eq!(res.header("content-type"), Some("text/plain; charset=utf-8"));
//! assert_eq!(res.text(), "Hello, Jürgen!");
//! # Ok::<(), framework::BuildError>(())
//! ```

use crate::app::{App, BuildError, BuiltApp};
use crate::http::{HeaderMap, Method, StatusCode};
use crate::server::driver::{self, Transport};
use crate::server::Limits;
use serde_core::de::DeserializeOwned;
use serde_core::Serialize;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A client for an [`App`], without sockets.
pub struct TestClient {
    app: Arc<BuiltApp>,
    limits: Arc<Limits>,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl TestClient {
    /// Builds the app (see [`App::build`]) and wraps it.
    ///
    /// # Errors
    /// The app's [`BuildError`].
    pub fn new(app: App) -> Result<Self, BuildError> {
        let app = app.build()?;
        let limits = Arc::new(app.limits().clone());
        Ok(Self {
            app: Arc::new(app),
            limits,
        })
    }

    /// A request with any method.
    pub fn request(&self, method: Method, target: &str) -> TestRequest<'_> {
        TestRequest {
            client: self,
            method,
            target: target.to_string(),
            headers: Vec::new(),
            body: None,
            remote: None,
        }
    }

    /// A `GET` request.
    pub fn get(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Get, target)
    }

    /// A `HEAD` request.
    pub fn head(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Head, target)
    }

    /// A `POST` request.
    pub fn post(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Post, target)
    }

    /// A `PUT` request.
    pub fn put(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Put, target)
    }

    /// A `PATCH` request.
    pub fn patch(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Patch, target)
    }

    /// A `DELETE` request.
    pub fn delete(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Delete, target)
    }

    /// An `OPTIONS` request.
    pub fn options(&self, target: &str) -> TestRequest<'_> {
        self.request(Method::Options, target)
    }

    /// Sends raw request bytes (one or more pipelined requests) and returns the raw bytes the
    /// server wrote, exactly as a socket would carry them.
    #[must_use]
    pub fn raw(&self, request: &[u8]) -> Vec<u8> {
        self.raw_from(request, None)
    }

    /// As [`TestClient::raw`], with the requests coming from socket address `remote` (what
    /// [`RemoteAddr`](crate::extract::RemoteAddr) and the trusted-proxy check see).
    #[must_use]
    pub fn raw_from(&self, request: &[u8], remote: Option<SocketAddr>) -> Vec<u8> {
        self.serve_memory(request.to_vec(), Vec::new(), remote)
    }

    /// As [`TestClient::raw`], with the bytes arriving in these pieces: each read the server
    /// makes returns at most the rest of one piece, as when a client's writes reach the socket
    /// one by one. Whatever the split, the server must write the same bytes (the `Date` header
    /// aside); the fuzz targets and the byte-split tests check that.
    ///
    /// ```
    /// use framework::{get, routes, test::TestClient, App};
    ///
    /// #[get("/")]
    /// fn index() -> &'static str { "hi" }
    ///
    /// let client = TestClient::new(App::new().mount("/", routes![index]).access_log(false))?;
    /// let whole = client.raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    /// let split = client.raw_in_pieces(&[b"GET / HT", b"TP/1.1\r\nHo", b"st: x\r\n\r", b"\n"]);
    /// assert_eq!(whole.len(), split.len());
    /// assert!(split.ends_with(b"\r\n\r\nhi"));
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    #[must_use]
    pub fn raw_in_pieces(&self, pieces: &[&[u8]]) -> Vec<u8> {
        let mut input = Vec::new();
        let mut ends = Vec::new();
        for piece in pieces {
            input.extend_from_slice(piece);
            ends.push(input.len());
        }
        self.serve_memory(input, ends, None)
    }

    /// Serves `input` over memory; `ends` are the offsets where a read must stop.
    fn serve_memory(
        &self,
        input: Vec<u8>,
        ends: Vec<usize>,
        remote: Option<SocketAddr>,
    ) -> Vec<u8> {
        let output = Arc::new(Mutex::new(Vec::new()));
        let stream = MemoryStream {
            input,
            read: 0,
            ends,
            output: Arc::clone(&output),
        };
        driver::serve(
            stream,
            remote,
            &*self.app,
            Arc::clone(&self.limits),
            &AtomicBool::new(false),
            &AtomicBool::new(false),
        );
        let out = output.lock().unwrap_or_else(PoisonError::into_inner);
        out.clone()
    }
}

/// A request being built; [`TestRequest::send`] runs it.
#[derive(Debug)]
#[must_use = "a test request does nothing until it is sent"]
pub struct TestRequest<'c> {
    client: &'c TestClient,
    method: Method,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<Vec<u8>>,
    remote: Option<SocketAddr>,
}

/// `application/x-www-form-urlencoded` encoding of one component.
fn form_encode(out: &mut String, text: &str) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

fn form_encode_pairs(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        form_encode(&mut out, k);
        out.push('=');
        form_encode(&mut out, v);
    }
    out
}

impl TestRequest<'_> {
    /// Adds a header field.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_string(), value.as_ref().to_vec()));
        self
    }

    /// Appends query parameters, form-encoded.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        self.target
            .push(if self.target.contains('?') { '&' } else { '?' });
        self.target.push_str(&form_encode_pairs(pairs));
        self
    }

    /// Sends the request as if from socket address `addr` (by default there is none, as for a
    /// request that did not come over a socket).
    pub fn remote_addr(mut self, addr: impl Into<SocketAddr>) -> Self {
        self.remote = Some(addr.into());
        self
    }

    /// Sets a raw body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    pub fn json(self, value: &impl Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        self.header("Content-Type", "application/json").body(body)
    }

    /// Sets a form body and `Content-Type: application/x-www-form-urlencoded`.
    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let body = form_encode_pairs(pairs);
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
    }

    /// The request as bytes on the wire.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        if !self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            out.extend_from_slice(b"Host: localhost\r\n");
        }
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        if let Some(body) = &self.body {
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            out.extend_from_slice(body);
        } else {
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Runs the request and returns the response.
    #[must_use]
    pub fn send(self) -> TestResponse {
        let head_request = self.method == Method::Head;
        let raw = self.client.raw_from(&self.to_bytes(), self.remote);
        let mut res = TestResponse::parse(&raw, head_request).unwrap_or_else(|e| {
            // The server wrote no (well-formed) response: a 500 that says why.
            let why = if raw.is_empty() {
                "no response".to_string()
            } else {
                e.to_string()
            };
            TestResponse {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                reason: String::new(),
                headers: HeaderMap::new(),
                body: why.into_bytes(),
                chunks: None,
                raw: Vec::new(),
            }
        });
        res.raw = raw;
        res
    }
}

/// A response as the client received it.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    reason: String,
    headers: HeaderMap,
    body: Vec<u8>,
    chunks: Option<Vec<usize>>,
    raw: Vec<u8>,
}

/// Why bytes could not be parsed as a response by [`TestResponse::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseResponseError {
    /// The bytes end before the response does: its head, or its body as framed by
    /// `Content-Length` or chunked coding (or, for [`TestResponse::parse_prefix`], a body that
    /// only the end of the connection delimits). More bytes may complete it.
    Incomplete,
    /// Not a well-formed HTTP/1.1 response; what is wrong with it.
    Malformed(String),
}

impl std::fmt::Display for ParseResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Incomplete => f.write_str("incomplete response"),
            Self::Malformed(why) => write!(f, "malformed response: {why}"),
        }
    }
}

impl std::error::Error for ParseResponseError {}

fn malformed(why: impl Into<String>) -> ParseResponseError {
    ParseResponseError::Malformed(why.into())
}

/// The index just past the next CRLF at or after `from`, and the line before it.
fn line_at(raw: &[u8], from: usize) -> Result<(&[u8], usize), ParseResponseError> {
    let rest = raw.get(from..).unwrap_or_default();
    let i = rest
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or(ParseResponseError::Incomplete)?;
    Ok((&rest[..i], from + i + 2))
}

/// A chunked body starting at `at`: the data, the chunk sizes, and the index past the trailer
/// section.
fn parse_chunked(
    raw: &[u8],
    mut at: usize,
) -> Result<(Vec<u8>, Vec<usize>, usize), ParseResponseError> {
    let mut body = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let (line, next) = line_at(raw, at)?;
        let line =
            std::str::from_utf8(line).map_err(|_| malformed("a non-UTF-8 chunk-size line"))?;
        let hex = line.split(';').next().unwrap_or_default().trim_end();
        let size = (!hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| usize::from_str_radix(hex, 16).ok())
            .flatten()
            .ok_or_else(|| malformed(format!("bad chunk-size line {line:?}")))?;
        at = next;
        if size == 0 {
            break;
        }
        let end = at
            .checked_add(size)
            .ok_or_else(|| malformed("a chunk too large"))?;
        let data = raw.get(at..end).ok_or(ParseResponseError::Incomplete)?;
        body.extend_from_slice(data);
        sizes.push(size);
        match raw.get(end..raw.len().min(end + 2)) {
            Some(b"\r\n") => at = end + 2,
            Some(b"" | b"\r") => return Err(ParseResponseError::Incomplete),
            _ => return Err(malformed("no CRLF after chunk data")),
        }
    }
    // The trailer section: fields up to an empty line.
    loop {
        let (line, next) = line_at(raw, at)?;
        at = next;
        if line.is_empty() {
            return Ok((body, sizes, at));
        }
    }
}

impl TestResponse {
    /// Parses the first response at the start of `raw`, which holds everything the server sent
    /// until it closed the connection (so a body without `Content-Length` or chunked coding
    /// ends where `raw` ends). `head_request`: the request was `HEAD`, so no body follows the
    /// head whatever its fields say; a `1xx`, `204` or `304` has none either.
    ///
    /// The response keeps exactly its own bytes as [`TestResponse::raw`]: pipelined responses
    /// are parsed one after another from `raw[first.raw().len()..]`. A chunked body is decoded,
    /// and its chunk sizes are kept ([`TestResponse::chunk_sizes`]).
    ///
    /// ```
    /// use framework::test::TestResponse;
    /// use framework::StatusCode;
    ///
    /// let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\
    ///             HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
    ///             2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n";
    /// let first = TestResponse::parse(raw, false)?;
    /// assert_eq!((first.status(), first.reason()), (StatusCode::OK, "OK"));
    /// assert_eq!(first.text(), "hello");
    /// let second = TestResponse::parse(&raw[first.raw().len()..], false)?;
    /// assert_eq!(second.text(), "hello");
    /// assert_eq!(second.chunk_sizes(), Some(&[2, 3][..]));
    /// assert_eq!(first.raw().len() + second.raw().len(), raw.len());
    ///
    /// // A HEAD response has no body, whatever its Content-Length.
    /// let head = TestResponse::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true)?;
    /// assert!(head.bytes().is_empty());
    /// # Ok::<(), framework::test::ParseResponseError>(())
    /// ```
    ///
    /// # Errors
    /// [`ParseResponseError::Incomplete`] if `raw` ends inside the head or a framed body;
    /// [`ParseResponseError::Malformed`] for a status line other than `HTTP/1.1 NNN reason`, a
    /// field line that is not `name: value`, both `Content-Length` and `Transfer-Encoding`, a
    /// `Content-Length` that is not one number, a coding other than `chunked`, or bad chunked
    /// framing.
    pub fn parse(raw: &[u8], head_request: bool) -> Result<Self, ParseResponseError> {
        Self::parse_bytes(raw, head_request, true)
    }

    /// As [`TestResponse::parse`], for the bytes received so far on a connection that is still
    /// open: a body that only the end of the connection delimits is
    /// [`ParseResponseError::Incomplete`] (read on until the close, then call
    /// [`TestResponse::parse`]).
    ///
    /// ```
    /// use framework::test::{ParseResponseError, TestResponse};
    ///
    /// let so_far = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel";
    /// let incomplete = Some(ParseResponseError::Incomplete);
    /// assert_eq!(TestResponse::parse_prefix(so_far, false).err(), incomplete);
    /// let close_delimited = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhel";
    /// assert_eq!(TestResponse::parse_prefix(close_delimited, false).err(), incomplete);
    /// assert_eq!(TestResponse::parse(close_delimited, false)?.text(), "hel");
    /// # Ok::<(), ParseResponseError>(())
    /// ```
    ///
    /// # Errors
    /// As [`TestResponse::parse`].
    pub fn parse_prefix(raw: &[u8], head_request: bool) -> Result<Self, ParseResponseError> {
        Self::parse_bytes(raw, head_request, false)
    }

    /// The parser; `at_eof`: `raw` ends where the connection did.
    fn parse_bytes(
        raw: &[u8],
        head_request: bool,
        at_eof: bool,
    ) -> Result<Self, ParseResponseError> {
        let (status_line, mut at) = line_at(raw, 0)?;
        let status_line =
            std::str::from_utf8(status_line).map_err(|_| malformed("a non-UTF-8 status line"))?;
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let code = parts.next().unwrap_or_default();
        let status =
            (version == "HTTP/1.1" && code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
                .then(|| code.parse().ok().and_then(StatusCode::from_u16))
                .flatten()
                .ok_or_else(|| malformed(format!("bad status line {status_line:?}")))?;
        let reason = parts.next().unwrap_or_default().to_string();

        let mut headers = HeaderMap::new();
        loop {
            let (line, next) = line_at(raw, at)?;
            at = next;
            if line.is_empty() {
                break;
            }
            let shown = String::from_utf8_lossy(line);
            let colon = line
                .iter()
                .position(|&b| b == b':')
                .ok_or_else(|| malformed(format!("bad field line {shown:?}")))?;
            let name = std::str::from_utf8(&line[..colon])
                .map_err(|_| malformed(format!("bad field name in {shown:?}")))?;
            let value = line[colon + 1..].trim_ascii();
            headers
                .append(name, value)
                .map_err(|e| malformed(format!("bad field line {shown:?}: {e}")))?;
        }
        let head_end = at;

        let chunked = match headers.get_bytes("transfer-encoding") {
            None => false,
            Some(te) if te.eq_ignore_ascii_case(b"chunked") => true,
            Some(te) => {
                return Err(malformed(format!(
                    "unsupported Transfer-Encoding {:?}",
                    String::from_utf8_lossy(te)
                )))
            }
        };
        let lengths: Vec<&[u8]> = headers.get_all("content-length").collect();
        let length = match lengths[..] {
            [] => None,
            [value] => Some(
                std::str::from_utf8(value)
                    .ok()
                    .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .ok_or_else(|| malformed("a Content-Length that is not a number"))?,
            ),
            _ => return Err(malformed("more than one Content-Length")),
        };
        if chunked && length.is_some() {
            return Err(malformed("both Content-Length and Transfer-Encoding"));
        }

        let mut chunks = None;
        let (body, end) = if head_request || status.forbids_body() {
            (Vec::new(), head_end)
        } else if chunked {
            let (body, sizes, end) = parse_chunked(raw, head_end)?;
            chunks = Some(sizes);
            (body, end)
        } else if let Some(n) = length {
            let end = head_end
                .checked_add(n)
                .ok_or_else(|| malformed("a Content-Length too large"))?;
            let body = raw
                .get(head_end..end)
                .ok_or(ParseResponseError::Incomplete)?;
            (body.to_vec(), end)
        } else if at_eof {
            (raw[head_end..].to_vec(), raw.len())
        } else {
            return Err(ParseResponseError::Incomplete);
        };
        Ok(Self {
            status,
            reason,
            headers,
            body,
            chunks,
            raw: raw[..end].to_vec(),
        })
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reason phrase of the status line (may be empty).
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The header fields, in the order received, names as sent.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of a header field.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The body (decoded, if it was chunked).
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (lossy).
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    ///
    /// # Errors
    /// The body is not JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The size of each chunk, in order, if the body was chunked (the last, empty chunk is not
    /// counted).
    #[must_use]
    pub fn chunk_sizes(&self) -> Option<&[usize]> {
        self.chunks.as_deref()
    }

    /// The bytes on the wire: from [`TestResponse::parse`], exactly this response's; from
    /// [`TestRequest::send`], everything the server wrote, head included.
    #[must_use]
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
}

/// Input bytes, then EOF; output collected for the test.
struct MemoryStream {
    input: Vec<u8>,
    read: usize,
    /// Offsets in `input` that a read does not cross (the ends of the client's writes).
    ends: Vec<usize>,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Read for MemoryStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = self
            .ends
            .iter()
            .copied()
            .find(|&end| end > self.read)
            .unwrap_or(self.input.len());
        let rest = self.input.get(self.read..end).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.read += n;
        Ok(n)
    }
}

impl Write for MemoryStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for MemoryStream {
    fn set_read_timeout(&mut self, _timeout: Option<Duration>) -> io::Result<()> {
        Ok(())
    }

    fn shutdown_write(&mut self) {}

    /// The test client reads the response once the handler is done: nobody closes early.
    fn closed_within(&self, timeout: Duration) -> io::Result<bool> {
        std::thread::sleep(timeout);
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNKED: &[u8] =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n";

    #[test]
    fn every_cut_of_a_response_is_incomplete_and_the_whole_is_not() {
        for (raw, head_request) in [
            (CHUNKED, false),
            (
                &b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"[..],
                false,
            ),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", true),
            (b"HTTP/1.1 100 Continue\r\n\r\n", false),
        ] {
            for cut in 0..raw.len() {
                assert_eq!(
                    TestResponse::parse(&raw[..cut], head_request).err(),
                    Some(ParseResponseError::Incomplete),
                    "{:?}",
                    String::from_utf8_lossy(&raw[..cut])
                );
            }
            let res = TestResponse::parse(raw, head_request).map_err(|e| e.to_string());
            assert_eq!(res.map(|r| r.raw().len()), Ok(raw.len()));
        }
    }

    #[test]
    fn a_chunked_body_is_decoded_with_its_chunk_sizes() {
        let mut raw = CHUNKED.to_vec();
        raw.extend_from_slice(b"HTTP/1.1 204 No Content\r\n\r\n");
        let res = TestResponse::parse(&raw, false).ok();
        assert_eq!(res.as_ref().map(TestResponse::text).as_deref(), Some("abc"));
        assert_eq!(
            res.as_ref().and_then(TestResponse::chunk_sizes),
            Some(&[3][..])
        );
        assert_eq!(res.map(|r| r.raw().len()), Some(CHUNKED.len()));
    }

    #[test]
    fn malformed_responses_say_what_is_wrong() {
        for (raw, needle) in [
            (&b"HTTP/1.0 200 OK\r\n\r\n"[..], "status line"),
            (b"HTTP/1.1 20 OK\r\n\r\n", "status line"),
            (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "field line"),
            (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "field line"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                "both",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
                "not a number",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
                "more than one",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                "Transfer-Encoding",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
                "chunk-size",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
                "CRLF",
            ),
        ] {
            match TestResponse::parse(raw, false) {
                Err(ParseResponseError::Malformed(why)) => assert!(why.contains(needle), "{why}"),
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(raw)),
            }
        }
    }

    #[test]
    fn a_close_delimited_body_needs_the_end_of_the_connection() {
        let raw = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end";
        assert_eq!(
            TestResponse::parse_prefix(raw, false).err(),
            Some(ParseResponseError::Incomplete)
        );
        let res = TestResponse::parse(raw, false).ok();
        assert_eq!(res.map(|r| r.text()).as_deref(), Some("to the end"));
    }

    #[test]
    fn send_keeps_everything_the_server_wrote() {
        let client = TestClient::new(App::new()).ok();
        let res = client.as_ref().map(|c| c.get("/nope").send());
        assert_eq!(
            res.as_ref().map(|r| r.status()),
            Some(StatusCode::NOT_FOUND)
        );
        let raw = res
            .as_ref()
            .map(|r| String::from_utf8_lossy(r.raw()).into_owned());
        assert!(
            raw.as_deref()
                .is_some_and(|r| r.starts_with("HTTP/1.1 404 Not Found\r\n")
                    && r.ends_with(r#"{"error":"not found"}"#)),
            "{raw:?}"
        );
    }
}
