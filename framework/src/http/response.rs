use super::push::{BodyWriter, Producer};
use super::{HeaderError, HeaderMap, StatusCode};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read};

/// What a response carries after its head.
#[non_exhaustive]
pub enum ResponseBody {
    /// Nothing (`Content-Length: 0` where a length is allowed).
    Empty,
    /// Bytes known up front, sent with `Content-Length`.
    Bytes(Cow<'static, [u8]>),
    /// Bytes of unknown length, pulled from a reader and sent with `Transfer-Encoding: chunked`
    /// (to HTTP/1.0 clients: until the connection closes).
    Stream(Box<dyn Read + Send>),
    /// Exactly `len` bytes pulled from a reader, sent with `Content-Length: len` (see
    /// [`ResponseBody::sized`]).
    Sized {
        /// Where the bytes come from; read no further than `len` bytes.
        reader: Box<dyn Read + Send>,
        /// The length announced in `Content-Length`.
        len: u64,
    },
    /// Bytes written by a producer as the response goes out (see [`ResponseBody::push`]), sent
    /// like a stream of unknown length.
    Push(Producer),
}

impl ResponseBody {
    /// A streaming body read from `reader` as the response is written, of a length not known up
    /// front: it goes out with `Transfer-Encoding: chunked` (to an HTTP/1.0 client, raw, and the
    /// connection closes after it).
    ///
    /// **When bytes are written**: the head is sent before the reader is first asked for bytes,
    /// and every piece is written to the socket as soon as `read` returns it (one chunk per read
    /// of up to 16 KiB), not when some amount has piled up. So a reader that blocks until it has
    /// something to say (an event, a line of a log) is a live stream: the client sees the head at
    /// once and each piece when it is produced. The last chunk (the end of the body) goes out
    /// with the connection's next write, which is at once unless pipelined requests are waiting
    /// (their responses then share the write). The handler's thread (a worker of the pool) stays with the
    /// response until the reader ends; a write that fails (the client went away) or takes longer
    /// than `Limits::write_timeout` ends the response and drops the reader. A read error ends the
    /// body early: the connection then closes without the last chunk, so the client sees an
    /// incomplete body.
    ///
    /// ```
    /// use framework::{test::TestClient, App, Response, ResponseBody};
    /// # use framework::{get, routes};
    /// #[get("/count")]
    /// fn count() -> Response {
    ///     Response::text(ResponseBody::stream(&b"one two three"[..]))
    /// }
    /// let client = TestClient::new(App::new().mount("/", routes![count]))?;
    /// let res = client.get("/count").send();
    /// assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    /// assert_eq!(res.text(), "one two three");
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    pub fn stream(reader: impl Read + Send + 'static) -> Self {
        Self::Stream(Box::new(reader))
    }

    /// A streaming body of exactly `len` bytes, read from `reader` as the response is written
    /// and sent with `Content-Length: len` instead of chunked coding (a file, whose size is known
    /// before its bytes are read). Each piece is written as soon as the reader returns it (reads
    /// of up to 64 KiB), as for [`ResponseBody::stream`], except that the head waits for the
    /// first piece and goes out in the same write.
    ///
    /// The writer sends exactly `len` bytes and never reads past them. A reader that ends (or
    /// fails) before `len` bytes closes the connection after what it gave, so the client sees a
    /// body shorter than announced rather than a wrong one. A response to `HEAD` gets the
    /// `Content-Length` and no body (the reader is dropped unread).
    ///
    /// ```
    /// use framework::{test::TestClient, App, Response, ResponseBody};
    /// # use framework::{get, routes};
    /// #[get("/file")]
    /// fn file() -> Response {
    ///     // Only the first 5 bytes are announced, so only they are sent.
    ///     Response::text(ResponseBody::sized(&b"hello, world"[..], 5))
    /// }
    /// let client = TestClient::new(App::new().mount("/", routes![file]))?;
    /// let res = client.get("/file").send();
    /// assert_eq!(res.header("content-length"), Some("5"));
    /// assert_eq!(res.text(), "hello");
    /// assert_eq!(client.head("/file").send().header("content-length"), Some("5"));
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    pub fn sized(reader: impl Read + Send + 'static, len: u64) -> Self {
        Self::Sized {
            reader: Box::new(reader),
            len,
        }
    }

    /// A body written by `producer` while the response goes out, for streams that spend most
    /// of their time waiting: server-sent events ([`Sse`](crate::respond::Sse) is built on
    /// this), live logs, progress reports. It is framed like [`ResponseBody::stream`] (chunked;
    /// raw until the close for HTTP/1.0); the head is sent before the producer is called.
    ///
    /// The producer gets a [`BodyWriter`]: each [`flush`](std::io::Write::flush) goes out at
    /// once as one chunk, and [`BodyWriter::wait`] sleeps while watching the connection, so the
    /// producer learns that the client has gone as soon as it closes, not at its next write.
    /// When the producer returns `Ok`, the body ends properly; when it returns an error, the
    /// connection closes without the last chunk (the client sees an incomplete body). As for
    /// a stream, the producer runs on the handler's worker thread, which stays with the
    /// response until it returns; a response to `HEAD` drops the producer uncalled.
    ///
    /// ```
    /// use framework::{test::TestClient, App, Response, ResponseBody};
    /// # use framework::{get, routes};
    /// use std::io::Write;
    /// use std::time::Duration;
    ///
    /// #[get("/ticks")]
    /// fn ticks() -> Response {
    ///     Response::text(ResponseBody::push(|out| {
    ///         for i in 1..=3 {
    ///             writeln!(out, "tick {i}")?;
    ///             out.wait(Duration::from_millis(10))?; // sends the line, then waits
    ///         }
    ///         Ok(())
    ///     }))
    /// }
    /// let client = TestClient::new(App::new().mount("/", routes![ticks]))?;
    /// assert_eq!(client.get("/ticks").send().text(), "tick 1\ntick 2\ntick 3\n");
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    pub fn push(
        producer: impl FnOnce(&mut BodyWriter<'_>) -> io::Result<()> + Send + 'static,
    ) -> Self {
        Self::Push(Box::new(producer))
    }

    /// The length when known up front.
    #[must_use]
    pub fn len(&self) -> Option<usize> {
        match self {
            Self::Empty => Some(0),
            Self::Bytes(b) => Some(b.len()),
            Self::Stream(_) | Self::Push(_) => None,
            Self::Sized { len, .. } => usize::try_from(*len).ok(),
        }
    }

    /// Whether the body is known to be empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Bytes(b) => write!(f, "Bytes({:?})", String::from_utf8_lossy(b)),
            Self::Stream(_) => f.write_str("Stream(..)"),
            Self::Sized { len, .. } => write!(f, "Sized({len} bytes)"),
            Self::Push(_) => f.write_str("Push(..)"),
        }
    }
}

impl From<Vec<u8>> for ResponseBody {
    fn from(v: Vec<u8>) -> Self {
        Self::Bytes(Cow::Owned(v))
    }
}

impl From<String> for ResponseBody {
    fn from(s: String) -> Self {
        Self::Bytes(Cow::Owned(s.into_bytes()))
    }
}

impl From<&'static str> for ResponseBody {
    fn from(s: &'static str) -> Self {
        Self::Bytes(Cow::Borrowed(s.as_bytes()))
    }
}

impl From<&'static [u8]> for ResponseBody {
    fn from(b: &'static [u8]) -> Self {
        Self::Bytes(Cow::Borrowed(b))
    }
}

/// An HTTP response: status, header fields and body. The server adds `Date`, `Content-Length` or
/// `Transfer-Encoding`, and `Connection` itself; framing fields set here are ignored.
///
/// ```
/// use framework::{Response, StatusCode};
/// let res = Response::text("created")
///     .with_status(StatusCode::CREATED)
///     .with_header("Location", "/users/7")?;
/// assert_eq!(res.status(), StatusCode::CREATED);
/// assert_eq!(res.headers().get("location"), Some("/users/7"));
/// # Ok::<(), framework::HeaderError>(())
/// ```
#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: ResponseBody,
    /// The handler-facing error this response renders, if any, so that the app's error hook can
    /// re-render it. Opaque here (`http` sits below `error`); `error.rs` reads and writes it.
    pub(crate) error: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl Response {
    /// An empty response with this status.
    #[must_use]
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            // Room for what responses usually carry (a type, a location, a request id, CORS
            // fields), so that adding them does not reallocate.
            headers: HeaderMap::with_capacity(6, 192),
            body: ResponseBody::Empty,
            error: None,
        }
    }

    /// `200 OK` with a `text/plain; charset=utf-8` body.
    #[must_use]
    pub fn text(body: impl Into<ResponseBody>) -> Self {
        let mut res = Self::new(StatusCode::OK).with_body(body);
        res.headers
            .push_unchecked(b"Content-Type", b"text/plain; charset=utf-8");
        res
    }

    /// `200 OK` with an `application/json` body that is already serialized.
    #[must_use]
    pub fn json_bytes(body: impl Into<ResponseBody>) -> Self {
        let mut res = Self::new(StatusCode::OK).with_body(body);
        res.headers
            .push_unchecked(b"Content-Type", b"application/json");
        res
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Replaces the status code.
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Sets the status code.
    pub fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    /// Adds a header field.
    ///
    /// # Errors
    /// [`HeaderError`] when the name or value would not be valid on the wire.
    pub fn with_header(mut self, name: &str, value: impl AsRef<[u8]>) -> Result<Self, HeaderError> {
        self.headers.append(name, value)?;
        Ok(self)
    }

    /// Replaces the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<ResponseBody>) -> Self {
        self.body = body.into();
        self
    }

    /// The header fields.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The header fields, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &ResponseBody {
        &self.body
    }

    /// Takes the body, leaving [`ResponseBody::Empty`].
    pub fn take_body(&mut self) -> ResponseBody {
        std::mem::replace(&mut self.body, ResponseBody::Empty)
    }
}
