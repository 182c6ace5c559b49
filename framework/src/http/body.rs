use crate::http::ParseError;
use crate::http::StatusCode;
use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// Why reading a request body failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// The chunked framing is malformed, or the body is larger than `Limits::parse.max_body`
    /// ([`ParseError::BodyTooLarge`]).
    Framing(ParseError),
    /// The client sent nothing for `Limits::body_timeout`.
    TimedOut,
    /// The connection ended before the whole body arrived.
    Incomplete,
    /// The body is not UTF-8 (from [`Body::text`]).
    NotUtf8,
    /// The body was read after the response to its request had been sent.
    Detached,
    /// The socket failed.
    Io(io::ErrorKind),
}

impl BodyError {
    /// The status code of a response that reports this error to the client.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::Framing(e) => e.status(),
            Self::TimedOut => StatusCode::REQUEST_TIMEOUT,
            Self::Incomplete | Self::NotUtf8 => StatusCode::BAD_REQUEST,
            Self::Detached | Self::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Framing(e) => e.fmt(f),
            Self::TimedOut => f.write_str("timed out reading the request body"),
            Self::Incomplete => f.write_str("the connection closed before the request body ended"),
            Self::NotUtf8 => f.write_str("request body is not valid UTF-8"),
            Self::Detached => f.write_str("request body read after the response was sent"),
            Self::Io(kind) => write!(f, "I/O error reading the request body: {kind}"),
        }
    }
}

impl std::error::Error for BodyError {}

impl From<BodyError> for io::Error {
    fn from(e: BodyError) -> Self {
        let kind = match e {
            BodyError::TimedOut => io::ErrorKind::TimedOut,
            BodyError::Incomplete => io::ErrorKind::UnexpectedEof,
            BodyError::Io(kind) => kind,
            BodyError::Framing(_) | BodyError::NotUtf8 | BodyError::Detached => {
                io::ErrorKind::InvalidData
            }
        };
        Self::new(kind, e)
    }
}

/// Where a streaming body gets its bytes. This module does no I/O itself: the interface is
/// defined here, next to [`Body`], and the server's driver implements it over the connection the
/// request arrived on (dependency inversion: `http` never imports `server`).
pub(crate) trait BodySource: Send {
    /// Reads body bytes of request number `seq` into `dst`; `Ok(0)` at the end of the body.
    fn read_body(&mut self, seq: u64, dst: &mut [u8]) -> Result<usize, BodyError>;
    /// Sets the most body bytes request number `seq` may have, before its body is read.
    fn set_limit(&mut self, seq: u64, bytes: u64);
}

/// A body still on the wire, read through the connection.
pub(crate) struct BodyStream {
    pub(crate) source: Arc<Mutex<dyn BodySource>>,
    pub(crate) seq: u64,
}

enum Inner {
    Empty,
    Full { data: Vec<u8>, read: usize },
    Stream(BodyStream),
    Failed(BodyError),
}

/// A request body. It is read from the connection only when the handler reads it: that is when a
/// client that sent `Expect: 100-continue` is told to go on. Every read is bounded by
/// `Limits::parse.max_body`.
///
/// Read it whole with [`Body::bytes`] or [`Body::text`], or stream it through [`std::io::Read`].
///
/// ```
/// use framework::Body;
/// let mut body = Body::from(b"hello".to_vec());
/// assert_eq!(body.text()?, "hello");
/// assert_eq!(body.bytes()?, b""); // a body is read once
/// # Ok::<(), framework::BodyError>(())
/// ```
pub struct Body {
    inner: Inner,
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Empty => f.write_str("Body::Empty"),
            Inner::Full { data, read } => {
                write!(f, "Body::Full({} bytes, {read} read)", data.len())
            }
            Inner::Stream(s) => write!(f, "Body::Stream(request {})", s.seq),
            Inner::Failed(e) => write!(f, "Body::Failed({e:?})"),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(data: Vec<u8>) -> Self {
        Self {
            inner: Inner::Full { data, read: 0 },
        }
    }
}

impl Body {
    /// A body with no bytes.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            inner: Inner::Empty,
        }
    }

    pub(crate) fn stream(stream: BodyStream) -> Self {
        Self {
            inner: Inner::Stream(stream),
        }
    }

    /// Sets the most bytes this body may have (its route's limit), before it is read: reading a
    /// longer one fails with [`BodyError::Framing`]`(`[`ParseError::BodyTooLarge`]`)`, before any
    /// byte of it is read when its length is declared.
    pub(crate) fn set_limit(&mut self, bytes: u64) {
        match &mut self.inner {
            Inner::Empty | Inner::Failed(_) => {}
            Inner::Full { data, read } => {
                if data.len().saturating_sub(*read) as u64 > bytes {
                    self.inner = Inner::Failed(BodyError::Framing(ParseError::BodyTooLarge));
                }
            }
            Inner::Stream(stream) => {
                if let Ok(mut source) = stream.source.lock() {
                    source.set_limit(stream.seq, bytes);
                }
            }
        }
    }

    /// Reads the rest of the body into memory.
    ///
    /// # Errors
    /// [`BodyError`]: malformed chunked framing, a body over the limit, a timeout or a closed
    /// connection. After an error the body keeps answering with the same error.
    pub fn bytes(&mut self) -> Result<Vec<u8>, BodyError> {
        match &mut self.inner {
            Inner::Empty => Ok(Vec::new()),
            Inner::Failed(e) => Err(*e),
            Inner::Full { data, read } => {
                let out = if *read == 0 {
                    std::mem::take(data)
                } else {
                    data.get(*read..).unwrap_or_default().to_vec()
                };
                self.inner = Inner::Empty;
                Ok(out)
            }
            Inner::Stream(_) => {
                // Read straight into the vector's tail: no bounce buffer on the (small) stack.
                let mut out = Vec::new();
                loop {
                    let filled = out.len();
                    out.resize(filled + 8192, 0);
                    let n = self.read_chunk(&mut out[filled..])?;
                    out.truncate(filled + n);
                    if n == 0 {
                        return Ok(out);
                    }
                }
            }
        }
    }

    /// Reads the rest of the body as UTF-8 text.
    ///
    /// # Errors
    /// As [`Body::bytes`], and [`BodyError::NotUtf8`].
    pub fn text(&mut self) -> Result<String, BodyError> {
        String::from_utf8(self.bytes()?).map_err(|_| BodyError::NotUtf8)
    }

    /// Streams the rest of the body into `out` as it arrives, without holding more than a piece
    /// of it (an upload to a file, a hash, a byte count), and returns how many bytes it wrote.
    ///
    /// ```
    /// use framework::{post, routes, test::TestClient, App, Body, Error};
    ///
    /// #[post("/upload")]
    /// fn upload(mut body: Body) -> Result<String, Error> {
    ///     let bytes = body.copy_to(&mut std::io::sink())?;
    ///     Ok(format!("{bytes} bytes"))
    /// }
    ///
    /// let client = TestClient::new(App::new().mount("/", routes![upload]))?;
    /// assert_eq!(client.post("/upload").body("hello").send().text(), "5 bytes");
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Body::bytes`]; a failed write to `out` is [`BodyError::Io`] with its kind.
    pub fn copy_to(&mut self, out: &mut impl io::Write) -> Result<u64, BodyError> {
        let mut piece = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = self.read_chunk(&mut piece)?;
            if n == 0 {
                return Ok(total);
            }
            out.write_all(&piece[..n])
                .map_err(|e| BodyError::Io(e.kind()))?;
            total += n as u64;
        }
    }

    /// Reads some body bytes into `dst`; `Ok(0)` at the end.
    fn read_chunk(&mut self, dst: &mut [u8]) -> Result<usize, BodyError> {
        let result = match &mut self.inner {
            Inner::Empty => Ok(0),
            Inner::Failed(e) => Err(*e),
            Inner::Full { data, read } => {
                let rest = data.get(*read..).unwrap_or_default();
                let n = rest.len().min(dst.len());
                dst[..n].copy_from_slice(&rest[..n]);
                *read += n;
                Ok(n)
            }
            Inner::Stream(stream) => {
                // A poisoned lock means a handler panicked while reading; the connection is lost.
                let mut source = stream.source.lock().map_err(|_| BodyError::Detached)?;
                source.read_body(stream.seq, dst)
            }
        };
        match result {
            Ok(0) if !dst.is_empty() => self.inner = Inner::Empty,
            Err(e) => self.inner = Inner::Failed(e),
            Ok(_) => {}
        }
        result
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_chunk(buf).map_err(io::Error::from)
    }
}
