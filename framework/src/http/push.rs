//! A response body written by a producer while the response goes out, instead of pulled from a
//! reader: for streams that spend most of their life waiting (server-sent events, live logs),
//! which must learn when the client has gone without having to write first.
//!
//! The interface to the connection ([`PushSink`]) is defined here and implemented by the
//! server's driver, like [`BodySource`](super::BodySource) for request bodies.

use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

/// What a producer's writes go to: the connection, as the driver sees it.
pub(crate) trait PushSink {
    /// Writes `data` as one piece of the body and sends it to the client now.
    ///
    /// # Errors
    /// The write failed or timed out: the client is gone or stopped reading.
    fn send(&mut self, data: &[u8]) -> io::Result<()>;

    /// Waits up to `timeout` without writing; `Ok(true)` as soon as the client has closed its
    /// side of the connection (or the server is shutting it down), `Ok(false)` when the time
    /// is up. A zero `timeout` only looks.
    ///
    /// # Errors
    /// The connection cannot be watched.
    fn closed_within(&mut self, timeout: Duration) -> io::Result<bool>;
}

/// The producer of a [`ResponseBody::Push`](super::ResponseBody::Push) body.
pub type Producer = Box<dyn FnOnce(&mut BodyWriter<'_>) -> io::Result<()> + Send>;

/// Buffered bytes beyond this are sent without waiting for [`BodyWriter::flush`].
const SEND_AT: usize = 16 * 1024;

/// Where a [`ResponseBody::push`](super::ResponseBody::push) producer writes the body.
///
/// Writes are buffered until [`flush`](Write::flush) (or [`wait`](BodyWriter::wait), or 16 KiB,
/// or the producer's return); each flush goes out to the client at once, as one piece (one
/// chunk of a chunked body). An error from any method means the client is gone or stopped
/// reading: the producer should return it (`?`), and the response ends there.
pub struct BodyWriter<'a> {
    sink: &'a mut dyn PushSink,
    buf: Vec<u8>,
}

impl fmt::Debug for BodyWriter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyWriter")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

/// The error of a wait that ended because the client closed the connection.
fn client_gone() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "the client closed the connection",
    )
}

impl<'a> BodyWriter<'a> {
    pub(crate) fn new(sink: &'a mut dyn PushSink) -> Self {
        Self {
            sink,
            buf: Vec::new(),
        }
    }

    /// A writer to the same connection with a buffer of its own, for a wrapper that owns its
    /// writer (the buffer of `self` is left as it is).
    pub(crate) fn reborrow(&mut self) -> BodyWriter<'_> {
        BodyWriter::new(&mut *self.sink)
    }

    /// Sends what is buffered, then waits for `timeout` while watching the connection.
    ///
    /// # Errors
    /// `BrokenPipe` as soon as the client closes the connection (it is not left to the next
    /// write to find out), or the error of the flush.
    pub fn wait(&mut self, timeout: Duration) -> io::Result<()> {
        self.flush()?;
        if self.sink.closed_within(timeout)? {
            Err(client_gone())
        } else {
            Ok(())
        }
    }

    /// Whether the client has closed the connection, looked up now without waiting.
    pub fn is_closed(&mut self) -> bool {
        self.sink.closed_within(Duration::ZERO).unwrap_or(true)
    }
}

impl Write for BodyWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= SEND_AT {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = self.sink.send(&self.buf);
        self.buf.clear();
        result
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A sink that records what was sent, piece by piece, and says the client closed after
    /// `open_for` waits.
    #[derive(Default)]
    pub(crate) struct Recorder {
        pub(crate) pieces: Vec<Vec<u8>>,
        pub(crate) waited: Vec<Duration>,
        pub(crate) open_for: Option<usize>,
    }

    impl PushSink for Recorder {
        fn send(&mut self, data: &[u8]) -> io::Result<()> {
            self.pieces.push(data.to_vec());
            Ok(())
        }
        fn closed_within(&mut self, timeout: Duration) -> io::Result<bool> {
            self.waited.push(timeout);
            Ok(self.open_for.is_some_and(|n| self.waited.len() > n))
        }
    }

    #[test]
    fn writes_are_sent_as_one_piece_per_flush() {
        let mut sink = Recorder::default();
        let mut w = BodyWriter::new(&mut sink);
        w.write_all(b"a").unwrap();
        w.write_all(b"b").unwrap();
        w.flush().unwrap();
        w.flush().unwrap();
        w.write_all(b"c").unwrap();
        w.wait(Duration::from_millis(5)).unwrap();
        assert_eq!(sink.pieces, [b"ab".to_vec(), b"c".to_vec()]);
        assert_eq!(sink.waited, [Duration::from_millis(5)]);
    }

    #[test]
    fn a_large_write_is_sent_without_a_flush() {
        let mut sink = Recorder::default();
        let mut w = BodyWriter::new(&mut sink);
        w.write_all(&[b'x'; SEND_AT]).unwrap();
        assert_eq!(sink.pieces.len(), 1);
    }

    #[test]
    fn a_wait_ends_with_broken_pipe_once_the_client_closed() {
        let mut sink = Recorder {
            open_for: Some(1),
            ..Recorder::default()
        };
        let mut w = BodyWriter::new(&mut sink);
        assert!(w.wait(Duration::from_secs(1)).is_ok());
        let e = w.wait(Duration::from_secs(1)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        assert!(w.is_closed());
    }
}
