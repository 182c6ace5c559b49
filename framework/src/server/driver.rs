//! The thread-per-connection driver: a thin loop that moves bytes between a blocking socket and
//! the [`Connection`] state machine, runs the handler, and applies the timeouts. The pieces that
//! serve one request ([`SharedConnection`], [`run_request`]) are shared with the readiness-based
//! driver (`server/epoll/`), which differs only in who waits for the bytes.

use super::{date, Limits};
use crate::handler::{catch_panic, Handler};
use crate::http::{
    Body, BodyError, BodySource, BodyStream, BodyWriter, Producer, PushSink, Request,
};
use crate::proto::connection::{BodyRead, Connection, Event, RequestBody, Wait};
use crate::proto::write::{StreamFraming, StreamedBody};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Output beyond this is sent before the next pipelined request is parsed.
const FLUSH_AT: usize = 64 * 1024;
/// Largest read from a streamed body of unknown length (each read becomes one chunk, sent at once).
const STREAM_PIECE: usize = 16 * 1024;
/// Largest read from a sized body (a file): larger pieces, fewer system calls.
const SIZED_PIECE: usize = 64 * 1024;
/// How often a pushed body's wait looks at whether the server is shutting down.
const STOP_CHECK: Duration = Duration::from_millis(200);
/// After a response that closes the connection, how long unread client bytes are drained so that
/// the kernel does not answer them with a reset that could destroy the response in flight.
pub(crate) const LINGER: Duration = Duration::from_secs(1);
/// Most bytes drained while lingering, at least: a client that sends a whole body over the limit
/// before it reads (as most clients do) must still get its 413, not a reset. The drain budget is
/// this or twice `Limits::parse.max_body`, whichever is larger; `LINGER` bounds the time either way.
const LINGER_BYTES: usize = 16 * 1024 * 1024;

/// `now + timeout`, or a far future for timeouts too long to add (`Duration::MAX` means "never").
pub(crate) fn later(now: Instant, timeout: Duration) -> Instant {
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// A byte stream the driver can serve: a TCP socket, or an in-memory pipe in tests.
pub(crate) trait Transport: Read + Write + Send + 'static {
    /// Sets how long a read may block; `None` blocks forever.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
    /// Closes the sending side, so the peer sees the end of the stream.
    fn shutdown_write(&mut self);
    /// Waits up to `timeout` for the peer to close, without reading (see `server/peer.rs`).
    fn closed_within(&self, timeout: Duration) -> io::Result<bool>;
}

/// A socket shared with the server's registry, which may shut it down on graceful shutdown.
pub(crate) struct SharedStream(pub(crate) Arc<TcpStream>);

impl Read for SharedStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Write for SharedStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for SharedStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(timeout)
    }
    fn shutdown_write(&mut self) {
        let _ = self.0.shutdown(Shutdown::Write);
    }
    fn closed_within(&self, timeout: Duration) -> io::Result<bool> {
        super::peer::closed_within(&self.0, timeout)
    }
}

/// The connection state and its socket, shared between the driver loop and the request body that
/// the handler reads from.
pub(crate) struct SharedConnection<T> {
    pub(crate) conn: Connection,
    pub(crate) stream: T,
    pub(crate) limits: Arc<Limits>,
    /// The read timeout now set on the socket (changing it costs a system call).
    timeout: Option<Duration>,
    /// When the head being read must be complete.
    pub(crate) head_deadline: Option<Instant>,
}

impl<T: Transport> SharedConnection<T> {
    pub(crate) fn new(stream: T, limits: Arc<Limits>) -> Self {
        Self {
            conn: Connection::new(limits.parse, date::now),
            stream,
            limits,
            timeout: None,
            head_deadline: None,
        }
    }

    /// When a wait for `wait` that starts `now` ends: idle and body waits get their whole
    /// timeout; a head must be complete within `header_timeout` of its first byte (of the
    /// connect, for the first head), however many waits it takes.
    pub(crate) fn deadline(&mut self, wait: Wait, now: Instant) -> Instant {
        match wait {
            Wait::Idle => {
                self.head_deadline = None;
                later(now, self.limits.idle_timeout)
            }
            Wait::Head => *self
                .head_deadline
                .get_or_insert_with(|| later(now, self.limits.header_timeout)),
            Wait::Body => later(now, self.limits.body_timeout),
        }
    }

    /// How many bytes the lingering close drains at most.
    pub(crate) fn linger_budget(&self) -> usize {
        usize::try_from(self.limits.parse.max_body.saturating_mul(2))
            .unwrap_or(usize::MAX)
            .max(LINGER_BYTES)
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        let out = self.conn.output();
        if out.is_empty() {
            return Ok(());
        }
        let result = self.stream.write_all(out);
        let n = out.len();
        self.conn.consumed_output(n);
        result
    }

    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        // A zero timeout means "block forever" to the OS; keep at least a millisecond.
        let timeout = Some(timeout.max(Duration::from_millis(1)));
        if self.timeout != timeout {
            self.stream.set_read_timeout(timeout)?;
            self.timeout = timeout;
        }
        Ok(())
    }

    /// Reads more bytes into the connection, waiting at most as long as `wait` allows. A timeout
    /// is reported to the connection, which decides what it means.
    fn fill(&mut self, wait: Wait) -> io::Result<()> {
        let now = Instant::now();
        let timeout = self.deadline(wait, now).saturating_duration_since(now);
        if timeout.is_zero() {
            self.conn.timed_out(wait);
            return Ok(());
        }
        self.set_timeout(timeout)?;
        loop {
            match self.stream.read(self.conn.read_buf()) {
                Ok(n) => {
                    self.conn.received(n);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    self.conn.timed_out(wait);
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends what is left, then closes gracefully: shut down the sending side and drain what the
    /// client still sends for a moment, so that it reads the last response before the close.
    fn close(&mut self) {
        if self.flush().is_err() {
            return;
        }
        self.stream.shutdown_write();
        if self.set_timeout(LINGER).is_err() {
            return;
        }
        let deadline = Instant::now() + LINGER;
        let budget = self.linger_budget();
        let mut drained = 0;
        while drained < budget && Instant::now() < deadline {
            // The read buffer is no longer needed; a stack array here would cost every connection
            // thread its pages (stack probes touch large frames on entry).
            match self.stream.read(self.conn.read_buf()) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }
}

impl<T: Transport> BodySource for SharedConnection<T> {
    fn set_limit(&mut self, seq: u64, bytes: u64) {
        self.conn.set_body_limit(seq, bytes);
    }

    fn read_body(&mut self, seq: u64, dst: &mut [u8]) -> Result<usize, BodyError> {
        loop {
            match self.conn.read_body(seq, dst)? {
                BodyRead::Data(n) => return Ok(n),
                BodyRead::End => return Ok(0),
                BodyRead::NeedData => {
                    // Sends `100 Continue` when it is due.
                    if let Err(e) = self.flush() {
                        return Err(self.conn.fail_body(BodyError::Io(e.kind())));
                    }
                    if let Err(e) = self.fill(Wait::Body) {
                        return Err(self.conn.fail_body(BodyError::Io(e.kind())));
                    }
                }
            }
        }
    }
}

/// Locks the shared state. A poisoned lock means a handler panicked inside a body read; the state
/// is still consistent (each step leaves it so), and the connection closes after the 500.
pub(crate) fn lock<T>(io: &Mutex<T>) -> MutexGuard<'_, T> {
    io.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Serves one connection until it closes. `idle` is true while it waits between requests with
/// nothing received, so that a drain closes only those at once; `stopping` asks the connection to
/// finish the request in progress and close.
pub(crate) fn serve<T: Transport>(
    stream: T,
    remote: Option<SocketAddr>,
    handler: &dyn Handler,
    limits: Arc<Limits>,
    idle: &AtomicBool,
    stopping: &AtomicBool,
) {
    let io = Arc::new(Mutex::new(SharedConnection::new(stream, limits)));
    let source: Arc<Mutex<dyn BodySource>> = io.clone();
    let mut req = Request::default();
    loop {
        let mut guard = lock(&io);
        if stopping.load(Ordering::Relaxed) {
            guard.conn.stop();
        }
        match guard.conn.poll(&mut req, remote) {
            Event::NeedData(wait) => {
                idle.store(matches!(wait, Wait::Idle), Ordering::Release);
                if guard.flush().is_err() || guard.fill(wait).is_err() {
                    return;
                }
            }
            Event::Close => {
                guard.close();
                return;
            }
            Event::Request(body) => {
                idle.store(false, Ordering::Release);
                drop(guard);
                if !run_request(&io, &source, &mut req, body, handler, stopping) {
                    return;
                }
            }
        }
    }
}

/// Runs the handler on the request that [`Connection::poll`] just produced, and writes its
/// response (sending the output once it is large). The connection's lock is not held while the
/// handler runs: the request body takes it for each read. False when the connection is lost.
pub(crate) fn run_request<T: Transport>(
    io: &Mutex<SharedConnection<T>>,
    source: &Arc<Mutex<dyn BodySource>>,
    req: &mut Request,
    body: RequestBody,
    handler: &dyn Handler,
    stopping: &AtomicBool,
) -> bool {
    let seq = {
        let mut guard = lock(io);
        // The next head gets its own `header_timeout`.
        guard.head_deadline = None;
        guard.conn.seq()
    };
    req.set_body(match body {
        RequestBody::Empty => Body::empty(),
        RequestBody::Full(data) => Body::from(data),
        RequestBody::Stream => Body::stream(BodyStream {
            source: Arc::clone(source),
            seq,
        }),
    });
    let res = catch_panic(|| handler.handle(req));
    drop(req.take_body());
    let mut guard = lock(io);
    // A shutdown that began while the handler ran: this response is the last on the
    // connection, and must say so (`Connection: close`).
    if stopping.load(Ordering::Relaxed) {
        guard.conn.stop();
    }
    let tail = guard.conn.respond(res);
    let written = match tail {
        StreamedBody::Push { producer, framing } => {
            write_pushed_body(&mut guard, producer, framing, stopping)
        }
        tail => write_streamed_body(&mut guard, tail),
    };
    if !written {
        return false;
    }
    !(guard.conn.output().len() >= FLUSH_AT && guard.flush().is_err())
}

/// Writes a streaming response body, each piece sent as soon as the reader returns it (see
/// `ResponseBody::stream`); false when the connection is lost. A body of unknown length sends
/// its head first, since its reader may take its time; a sized one (a file) sends its head with
/// the first piece. A sized body is read up to its length and no further; a reader that ends or
/// fails before that leaves the connection closing.
fn write_streamed_body<T: Transport>(io: &mut SharedConnection<T>, tail: StreamedBody) -> bool {
    let StreamedBody::Stream { reader, framing } = tail else {
        return true;
    };
    let mut pump = StreamPump::new(reader, framing);
    if pump.remaining.is_none() && io.flush().is_err() {
        return false;
    }
    while pump.step(&mut io.conn) {
        if io.flush().is_err() {
            return false;
        }
    }
    true
}

/// The part of [`write_streamed_body`] that does not depend on the transport (everything but
/// sending), compiled once rather than once per transport type.
struct StreamPump {
    reader: Box<dyn Read + Send>,
    framing: StreamFraming,
    /// The bytes a sized body still owes; `None` for a body of unknown length.
    remaining: Option<u64>,
    piece: Vec<u8>,
}

impl StreamPump {
    fn new(reader: Box<dyn Read + Send>, framing: StreamFraming) -> Self {
        let (remaining, piece_len) = match framing {
            StreamFraming::Sized(len) => (
                Some(len),
                usize::try_from(len).map_or(SIZED_PIECE, |n| n.min(SIZED_PIECE)),
            ),
            StreamFraming::Chunked | StreamFraming::UntilClose => (None, STREAM_PIECE),
        };
        Self {
            reader,
            framing,
            remaining,
            piece: vec![0u8; piece_len],
        }
    }

    /// Reads the next piece into `conn`'s output: true when there is one to send, false when
    /// the body has ended (`conn` then knows how: complete, short, or failed).
    fn step(&mut self, conn: &mut Connection) -> bool {
        loop {
            let want = match self.remaining {
                Some(0) => {
                    conn.end_stream(self.framing, true);
                    return false;
                }
                Some(left) => {
                    usize::try_from(left).map_or(self.piece.len(), |n| n.min(self.piece.len()))
                }
                None => self.piece.len(),
            };
            match self.reader.read(&mut self.piece[..want]) {
                Ok(0) => {
                    // The end: complete unless a sized body still owes bytes.
                    conn.end_stream(self.framing, self.remaining.is_none());
                    return false;
                }
                Ok(n) => {
                    let n = n.min(want);
                    conn.stream_chunk(&self.piece[..n], self.framing);
                    if let Some(left) = &mut self.remaining {
                        *left -= n as u64;
                    }
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    conn.end_stream(self.framing, false);
                    return false;
                }
            }
        }
    }
}

/// The connection as the producer of a pushed body sees it.
struct PushTarget<'a, T> {
    io: &'a mut SharedConnection<T>,
    framing: StreamFraming,
    stopping: &'a AtomicBool,
    /// A send failed or the client closed: the connection is done for.
    lost: bool,
}

impl<T: Transport> PushSink for PushTarget<'_, T> {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.io.conn.stream_chunk(data, self.framing);
        let result = self.io.flush();
        self.lost |= result.is_err();
        result
    }

    fn closed_within(&mut self, timeout: Duration) -> io::Result<bool> {
        let deadline = later(Instant::now(), timeout);
        loop {
            // A graceful shutdown ends pushed bodies as if their clients had left: they could
            // otherwise hold the drain for as long as they like.
            if self.stopping.load(Ordering::Relaxed) {
                return Ok(true);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let slice = left.min(STOP_CHECK);
            if self.io.stream.closed_within(slice)? {
                self.lost = true;
                return Ok(true);
            }
            if left <= slice {
                return Ok(false);
            }
        }
    }
}

/// Writes a pushed body (see `ResponseBody::push`): the head goes out first, then the producer
/// writes through a [`BodyWriter`] whose every flush is a chunk sent at once. False when the
/// connection is lost. A producer that fails or panics ends the body early, which closes the
/// connection without the last chunk.
fn write_pushed_body<T: Transport>(
    io: &mut SharedConnection<T>,
    producer: Producer,
    framing: StreamFraming,
    stopping: &AtomicBool,
) -> bool {
    if io.flush().is_err() {
        return false;
    }
    let mut target = PushTarget {
        io,
        framing,
        stopping,
        lost: false,
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut writer = BodyWriter::new(&mut target);
        producer(&mut writer).and_then(|()| std::io::Write::flush(&mut writer))
    }));
    if target.lost {
        return false;
    }
    let complete = matches!(result, Ok(Ok(())));
    target.io.conn.end_stream(framing, complete);
    true
}
