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
use crate::proto::parse::{ChunkedDecoder, ParseLimits};
use crate::server::driver::{self, Transport};
use crate::server::Limits;
use serde::de::DeserializeOwned;
use serde::Serialize;
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
        let output = Arc::new(Mutex::new(Vec::new()));
        let stream = MemoryStream {
            input: request.to_vec(),
            read: 0,
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
        TestResponse::parse(
            &self.client.raw_from(&self.to_bytes(), self.remote),
            head_request,
        )
    }
}

/// A response as the client received it.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    raw: Vec<u8>,
}

impl TestResponse {
    /// Parses the first response in `raw` (a `HEAD` response has no body whatever its length).
    fn parse(raw: &[u8], head_request: bool) -> Self {
        let broken = |why: &str| Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: HeaderMap::new(),
            body: why.as_bytes().to_vec(),
            raw: raw.to_vec(),
        };
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            return broken("no response");
        };
        let head = String::from_utf8_lossy(&raw[..end]);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .and_then(StatusCode::from_u16);
        let Some(status) = status else {
            return broken("bad status line");
        };
        let mut headers = HeaderMap::new();
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                let _ = headers.append(name, value.trim());
            }
        }
        let rest = &raw[end + 4..];
        let body = if head_request || status.forbids_body() {
            Vec::new()
        } else if let Some(len) = headers
            .get("content-length")
            .and_then(|l| l.parse::<usize>().ok())
        {
            rest[..len.min(rest.len())].to_vec()
        } else if headers.get("transfer-encoding").is_some() {
            let mut out = vec![0u8; rest.len()];
            let limits = ParseLimits::default().with_max_body(u64::MAX);
            match ChunkedDecoder::new().decode(rest, &mut out, &limits) {
                Ok((_, written)) => out[..written].to_vec(),
                Err(_) => return broken("bad chunked body"),
            }
        } else {
            rest.to_vec()
        };
        Self {
            status,
            headers,
            body,
            raw: raw.to_vec(),
        }
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The header fields.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of a header field.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The body.
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

    /// Everything the server wrote, head included.
    #[must_use]
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
}

/// Input bytes, then EOF; output collected for the test.
struct MemoryStream {
    input: Vec<u8>,
    read: usize,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Read for MemoryStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.input.get(self.read..).unwrap_or_default();
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
}
