//! One connection's protocol, as a state machine with no sockets, threads or clocks (sans-I/O):
//! bytes go in with [`Connection::read_buf`] / [`Connection::received`], requests come out of
//! [`Connection::poll`], responses go in with [`Connection::respond`], and the bytes to send wait
//! in [`Connection::output`]. The caller supplies the clock: a function that answers the current
//! `Date` value (an IMF-fixdate, see `server/date.rs`), called only when a response is written. Both socket drivers
//! (`server/driver.rs`, `server/epoll/`), the in-process test client and the tests that split requests at every
//! byte all run this same code.
//!
//! ```text
//! Head ──request──▶ Dispatched ──respond──▶ Head            (keep-alive, body fully read)
//!                              └─respond──▶ Drain ──▶ Head  (keep-alive, body left unread)
//!                              └─respond──▶ Close           (close, or body unusable)
//! any bad head, EOF or timeout ───────────▶ Close
//! ```

use crate::http::{BodyError, Method, Request, Response, StatusCode, Version};
use crate::proto::parse::{
    BodyLength, ChunkedDecoder, Framing, HeadParser, ParseError, ParseLimits, Status,
};
use crate::proto::refusal::json_error;
use crate::proto::write::{self, Exchange, StreamFraming, StreamedBody};
use std::net::SocketAddr;

/// Smallest read the buffer offers before it compacts or grows.
const MIN_READ: usize = 1024;
/// First size of a connection's read buffer; it grows (to `max_head` + `MIN_READ`) only when a
/// head does not fit.
const INITIAL_BUFFER: usize = 4096;

/// What the driver should wait for when the connection needs more bytes; each has its own timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Between requests (`Limits::idle_timeout`).
    Idle,
    /// In the middle of a head (`Limits::header_timeout`, counted from the head's first byte).
    Head,
    /// In the middle of a body (`Limits::body_timeout`).
    Body,
}

/// The body of a request that [`Connection::poll`] hands out.
#[derive(Debug)]
pub(crate) enum RequestBody {
    /// No body.
    Empty,
    /// The whole body was already in the buffer.
    Full(Vec<u8>),
    /// The body is still on the wire: read it with [`Connection::read_body`].
    Stream,
}

/// What [`Connection::poll`] asks of the driver.
#[derive(Debug)]
pub(crate) enum Event {
    /// A request was written into the caller's `Request`: dispatch it, then call
    /// [`Connection::respond`].
    Request(RequestBody),
    /// Send [`Connection::output`], then read more bytes.
    NeedData(Wait),
    /// Send [`Connection::output`], then close the connection.
    Close,
}

/// What [`Connection::read_body`] produced.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyRead {
    /// This many bytes were written into the caller's buffer.
    Data(usize),
    /// The body has ended.
    End,
    /// Send [`Connection::output`] (it may hold `100 Continue`), read more, and call again.
    NeedData,
}

#[derive(Debug)]
enum BodyState {
    Length(u64),
    /// A declared length the handler's limit refused before any of it was read: every read
    /// fails with `BodyTooLarge`, and the connection treats the bytes as unread.
    Refused(u64),
    Chunked(ChunkedDecoder),
    Done,
    Failed(BodyError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Continue {
    /// No `Expect: 100-continue`, or already answered.
    No,
    /// The client waits for `100 Continue` before it sends the body.
    Pending,
}

#[derive(Debug)]
enum State {
    /// Reading a request head (or waiting for one).
    Head,
    /// A request is with the handler.
    Dispatched {
        body: BodyState,
        /// The most body bytes this request may have: `ParseLimits::max_body`, unless the route
        /// set its own (`Connection::set_body_limit`).
        limit: u64,
        /// Body bytes handed to the handler so far.
        taken: u64,
        expect: Continue,
        keep_alive: bool,
        head_request: bool,
        version: Version,
    },
    /// The response was sent; the unread rest of the body is being discarded.
    Drain(BodyState),
    /// Close once the output is sent.
    Close,
}

/// The protocol state of one connection.
pub(crate) struct Connection {
    limits: ParseLimits,
    /// The current `Date` value, asked for whenever a response is written.
    clock: fn() -> [u8; 29],
    buf: Vec<u8>,
    start: usize,
    end: usize,
    parser: HeadParser,
    state: State,
    out: Vec<u8>,
    seq: u64,
    eof: bool,
    stopping: bool,
}

impl Connection {
    pub(crate) fn new(limits: ParseLimits, clock: fn() -> [u8; 29]) -> Self {
        Self {
            limits,
            clock,
            buf: Vec::new(),
            start: 0,
            end: 0,
            parser: HeadParser::new(),
            state: State::Head,
            out: Vec::new(),
            seq: 0,
            eof: false,
            stopping: false,
        }
    }

    /// Free space to read into. Compacts and grows the buffer as needed, within the limits.
    pub(crate) fn read_buf(&mut self) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.buf.len() - self.end < MIN_READ && self.start > 0 {
            // The head parser's offsets are relative to `start`, so moving the bytes keeps them valid.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let cap = self.limits.max_head.max(INITIAL_BUFFER) + MIN_READ;
        if self.buf.len() - self.end < MIN_READ && self.buf.len() < cap {
            let len = (self.buf.len() * 2).clamp(INITIAL_BUFFER, cap);
            self.buf.resize(len, 0);
        }
        &mut self.buf[self.end..]
    }

    /// `n` bytes were read into [`Connection::read_buf`]; `0` means the peer closed its side.
    pub(crate) fn received(&mut self, n: usize) {
        if n == 0 {
            self.eof = true;
        }
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Between requests, with nothing buffered, gives up the read and write buffers, so that an
    /// idle connection holds none (a readiness-based driver lends them to the next connection).
    /// `None` while any byte is buffered or a request is in progress.
    pub(crate) fn take_idle_buffers(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        if !matches!(self.state, State::Head) || self.start != self.end || !self.out.is_empty() {
            return None;
        }
        if self.buf.capacity() == 0 && self.out.capacity() == 0 {
            return None;
        }
        self.start = 0;
        self.end = 0;
        self.parser.reset();
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        Some((std::mem::take(&mut self.buf), out))
    }

    /// Lends buffers to a connection that holds none (see [`Connection::take_idle_buffers`]);
    /// a connection that still has its own keeps them, and the lent ones are dropped.
    pub(crate) fn lend_buffers(&mut self, read: Vec<u8>, mut out: Vec<u8>) {
        if self.buf.capacity() == 0 {
            self.buf = read;
            self.start = 0;
            self.end = 0;
        }
        if self.out.capacity() == 0 {
            out.clear();
            self.out = out;
        }
    }

    /// Drops every buffered input byte: the connection is closing, and what the client still
    /// sends is read only to be thrown away.
    pub(crate) fn discard_input(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Whether bytes of an unfinished head are buffered (so a timeout deserves a 408).
    pub(crate) fn has_partial_head(&self) -> bool {
        matches!(self.state, State::Head) && self.end > self.start
    }

    /// Bytes waiting to be sent.
    pub(crate) fn output(&self) -> &[u8] {
        &self.out
    }

    /// The first `n` bytes of [`Connection::output`] were sent.
    pub(crate) fn consumed_output(&mut self, n: usize) {
        self.out.drain(..n.min(self.out.len()));
    }

    /// The server is shutting down: answer the request in progress with `Connection: close`, and
    /// start no new one.
    pub(crate) fn stop(&mut self) {
        self.stopping = true;
    }

    /// Advances the state machine. A request is written into `req`, reusing its allocations.
    pub(crate) fn poll(&mut self, req: &mut Request, remote: Option<SocketAddr>) -> Event {
        loop {
            match &mut self.state {
                State::Close => return Event::Close,
                State::Dispatched { .. } => {
                    // A driver bug: it must respond before polling again. Close rather than guess.
                    self.state = State::Close;
                }
                State::Drain(body) => {
                    match drain(body, &self.buf[self.start..self.end], &self.limits) {
                        Ok((consumed, done)) => {
                            self.start += consumed;
                            if done {
                                self.state = State::Head;
                            } else if self.eof {
                                self.state = State::Close;
                            } else {
                                return Event::NeedData(Wait::Body);
                            }
                        }
                        Err(_) => self.state = State::Close,
                    }
                }
                State::Head => return self.poll_head(req, remote),
            }
        }
    }

    fn poll_head(&mut self, req: &mut Request, remote: Option<SocketAddr>) -> Event {
        if self.start == self.end {
            self.parser.reset();
            // Stopping closes a connection between requests, but a new one still gets its first
            // request in (a client whose connect the server accepted may already have sent it).
            return if self.eof || (self.stopping && self.seq > 0) {
                self.state = State::Close;
                Event::Close
            } else if self.seq == 0 {
                // A new connection owes its first head within `header_timeout`, from the connect.
                Event::NeedData(Wait::Head)
            } else {
                Event::NeedData(Wait::Idle)
            };
        }
        let bytes = &self.buf[self.start..self.end];
        let len = match self.parser.parse(bytes, &self.limits) {
            Err(e) => return self.refuse(e, Version::Http11),
            Ok(Status::Partial) if self.eof => {
                // The client gave up half-way through a head: nothing to answer, unless what came
                // is already malformed (a resumed parse leaves a line without its LF unread).
                if let Some(e) = self.malformed_partial_head() {
                    return self.refuse(e, Version::Http11);
                }
                self.state = State::Close;
                return Event::Close;
            }
            Ok(Status::Partial) => return Event::NeedData(Wait::Head),
            Ok(Status::Complete(len)) => len,
        };
        let head = self.parser.head(&bytes[..len]);
        let framing = match Framing::from_head(&head) {
            Ok(framing) => framing,
            Err(e) => {
                let version = head.version();
                return self.refuse(e, version);
            }
        };
        req.fill_from(&head, remote);
        self.start += len;
        self.parser.reset();
        let version = req.version();
        let (body, handed) = match framing.body {
            BodyLength::None | BodyLength::Length(0) => (BodyState::Done, RequestBody::Empty),
            // A declared length over the limit is refused when the handler reads the body, after
            // routing (the route may allow more, or read nothing): see `read_body`. So a body
            // over `max_body` is never handed whole, even when it came with its head: only the
            // connection checks the limit of a body it streams.
            BodyLength::Length(n) => match usize::try_from(n) {
                Ok(n) if n <= self.end - self.start && n as u64 <= self.limits.max_body => {
                    let data = self.buf[self.start..self.start + n].to_vec();
                    self.start += n;
                    (BodyState::Done, RequestBody::Full(data))
                }
                _ => (BodyState::Length(n), RequestBody::Stream),
            },
            BodyLength::Chunked => (
                BodyState::Chunked(ChunkedDecoder::new()),
                RequestBody::Stream,
            ),
        };
        let expect = if framing.expect_continue && !matches!(body, BodyState::Done) {
            Continue::Pending
        } else {
            Continue::No
        };
        self.seq += 1;
        self.state = State::Dispatched {
            body,
            limit: self.limits.max_body,
            taken: 0,
            expect,
            keep_alive: framing.keep_alive,
            head_request: *req.method() == Method::Head,
            version,
        };
        Event::Request(handed)
    }

    /// The error in the buffered, unfinished head, if one parse of it finds one. A resumed parse
    /// does not look at bytes that brought no LF (see `HeadParser::parse`), so a head that ends
    /// in a bad byte is `Partial` to it; once no more bytes will come (EOF, a timeout), this one
    /// parse gives the answer that the same bytes in one read would have had at once.
    fn malformed_partial_head(&mut self) -> Option<ParseError> {
        self.parser.reset();
        let result = self
            .parser
            .parse(&self.buf[self.start..self.end], &self.limits);
        self.parser.reset();
        result.err()
    }

    /// Answers a request that cannot be served with its error status, and closes.
    fn refuse(&mut self, e: ParseError, version: Version) -> Event {
        let res = json_error(e.status(), e.message());
        let ex = Exchange {
            version,
            head_request: false,
            keep_alive: false,
            date: &(self.clock)(),
        };
        let _ = write::response(&mut self.out, res, &ex);
        self.state = State::Close;
        Event::Close
    }

    /// The number of the request now dispatched; body reads must name it.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// Sets the most body bytes request `seq` may have (its route's limit), before its body is
    /// read. Ignored for another request.
    pub(crate) fn set_body_limit(&mut self, seq: u64, bytes: u64) {
        if let State::Dispatched { limit, .. } = &mut self.state {
            if seq == self.seq {
                *limit = bytes;
            }
        }
    }

    /// Reads body bytes of request `seq` into `dst`.
    pub(crate) fn read_body(&mut self, seq: u64, dst: &mut [u8]) -> Result<BodyRead, BodyError> {
        let State::Dispatched {
            body,
            limit,
            taken,
            expect,
            ..
        } = &mut self.state
        else {
            return Err(BodyError::Detached);
        };
        if seq != self.seq {
            return Err(BodyError::Detached);
        }
        // RFC 9110 §15.5.14: a body declared too large is refused before any of it is read, and
        // before the client is told to send it.
        if let BodyState::Length(remaining) = body {
            if taken.saturating_add(*remaining) > *limit {
                // Not `Failed`: the body is left unread, as when the whole of it came with the
                // head and was refused in memory, so the connection goes on the same way.
                *body = BodyState::Refused(*remaining);
            }
        }
        if let BodyState::Refused(_) = body {
            return Err(BodyError::Framing(ParseError::BodyTooLarge));
        }
        if *expect == Continue::Pending {
            // RFC 9110 §10.1.1: the handler wants the body, so tell the client to send it.
            *expect = Continue::No;
            self.out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        let input = &self.buf[self.start..self.end];
        let (consumed, result) = match body {
            BodyState::Done => return Ok(BodyRead::End),
            BodyState::Failed(e) => return Err(*e),
            BodyState::Refused(_) => return Err(BodyError::Framing(ParseError::BodyTooLarge)),
            BodyState::Length(remaining) => {
                let n = usize::try_from(*remaining)
                    .map_or(input.len(), |r| r.min(input.len()))
                    .min(dst.len());
                dst[..n].copy_from_slice(&input[..n]);
                *remaining -= n as u64;
                *taken += n as u64;
                if *remaining == 0 {
                    *body = BodyState::Done;
                }
                (n, Ok(n))
            }
            BodyState::Chunked(decoder) => match decoder.decode(
                input,
                dst,
                &ParseLimits {
                    max_body: *limit,
                    ..self.limits
                },
            ) {
                Ok((consumed, written)) => {
                    if decoder.is_done() {
                        *body = BodyState::Done;
                    }
                    (consumed, Ok(written))
                }
                Err(e) => (0, Err(BodyError::Framing(e))),
            },
        };
        self.start += consumed;
        match result {
            Ok(0) if matches!(body, BodyState::Done) => Ok(BodyRead::End),
            Ok(0) if dst.is_empty() => Ok(BodyRead::Data(0)),
            Ok(0) if self.eof => Err(self.fail_body(BodyError::Incomplete)),
            Ok(0) => Ok(BodyRead::NeedData),
            Ok(n) => Ok(BodyRead::Data(n)),
            Err(e) => Err(self.fail_body(e)),
        }
    }

    /// Records that the body can no longer be read (the driver reports timeouts and socket errors
    /// here); the connection will close after the response.
    pub(crate) fn fail_body(&mut self, e: BodyError) -> BodyError {
        if let State::Dispatched { body, .. } = &mut self.state {
            *body = BodyState::Failed(e);
        }
        e
    }

    /// Serializes the response to the dispatched request. A streaming body comes back as a
    /// [`StreamedBody`] for the driver to write through [`Connection::stream_chunk`].
    pub(crate) fn respond(&mut self, res: Response) -> StreamedBody {
        let state = std::mem::replace(&mut self.state, State::Close);
        let State::Dispatched {
            body,
            expect,
            keep_alive,
            head_request,
            version,
            ..
        } = state
        else {
            return StreamedBody::Done;
        };
        let wants_close = res.headers().get_all("connection").any(|v| {
            v.split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"))
        });
        let body_usable = match body {
            BodyState::Done => true,
            BodyState::Failed(_) => false,
            // The client never got `100 Continue`: it may or may not send the body, so the next
            // request cannot be found reliably (RFC 9110 §10.1.1).
            _ if expect != Continue::No => false,
            // What the handler left unread is discarded before the next request, up to
            // `max_body` bytes (a chunked body: until its total passes `max_body`); more than that
            // is not worth reading, so the connection closes instead.
            BodyState::Length(remaining) | BodyState::Refused(remaining) => {
                remaining <= self.limits.max_body
            }
            BodyState::Chunked(_) => true,
        };
        let keep = keep_alive && body_usable && !wants_close && !self.stopping;
        let ex = Exchange {
            version,
            head_request,
            keep_alive: keep,
            date: &(self.clock)(),
        };
        let (tail, keep) = write::response(&mut self.out, res, &ex);
        self.state = match (keep, body) {
            (false, _) => State::Close,
            (true, BodyState::Done) => State::Head,
            (true, body) => State::Drain(body),
        };
        tail
    }

    /// Appends a piece of a streaming response body.
    pub(crate) fn stream_chunk(&mut self, data: &[u8], framing: StreamFraming) {
        match framing {
            StreamFraming::Chunked => write::chunk(&mut self.out, data),
            StreamFraming::Sized(_) | StreamFraming::UntilClose => {
                self.out.extend_from_slice(data);
            }
        }
    }

    /// Ends a streaming response body: `complete` when the reader ended where the framing says
    /// (any end for chunked and close-delimited bodies, exactly the announced length for a sized
    /// one). An incomplete body (the reader failed, or a sized one ended short) and a
    /// close-delimited one leave the connection closing, so that the client sees where the body
    /// really ends.
    pub(crate) fn end_stream(&mut self, framing: StreamFraming, complete: bool) {
        match framing {
            StreamFraming::Chunked if complete => write::last_chunk(&mut self.out),
            StreamFraming::Sized(_) if complete => {}
            StreamFraming::Chunked | StreamFraming::Sized(_) | StreamFraming::UntilClose => {
                self.state = State::Close;
            }
        }
    }

    /// The driver's read timed out while waiting for `wait`.
    pub(crate) fn timed_out(&mut self, wait: Wait) {
        match wait {
            Wait::Head if self.has_partial_head() => {
                if let Some(e) = self.malformed_partial_head() {
                    self.refuse(e, Version::Http11);
                    return;
                }
                let res = json_error(
                    StatusCode::REQUEST_TIMEOUT,
                    "timed out reading the request head",
                );
                let ex = Exchange {
                    version: Version::Http11,
                    head_request: false,
                    keep_alive: false,
                    date: &(self.clock)(),
                };
                let _ = write::response(&mut self.out, res, &ex);
                self.state = State::Close;
            }
            Wait::Body => {
                self.fail_body(BodyError::TimedOut);
                if matches!(self.state, State::Drain(_)) {
                    self.state = State::Close;
                }
            }
            Wait::Idle | Wait::Head => self.state = State::Close,
        }
    }
}

/// Discards body bytes; `(consumed, done)`.
fn drain(
    body: &mut BodyState,
    input: &[u8],
    limits: &ParseLimits,
) -> Result<(usize, bool), BodyError> {
    match body {
        BodyState::Done => Ok((0, true)),
        BodyState::Failed(e) => Err(*e),
        BodyState::Length(remaining) | BodyState::Refused(remaining) => {
            let n = usize::try_from(*remaining).map_or(input.len(), |r| r.min(input.len()));
            *remaining -= n as u64;
            Ok((n, *remaining == 0))
        }
        BodyState::Chunked(decoder) => {
            let mut scratch = [0u8; 1024];
            let mut consumed = 0;
            while !decoder.is_done() {
                let (c, w) = decoder
                    .decode(&input[consumed..], &mut scratch, limits)
                    .map_err(BodyError::Framing)?;
                consumed += c;
                if c == 0 && w == 0 {
                    break;
                }
            }
            Ok((consumed, decoder.is_done()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A clock that stands still.
    fn clock() -> [u8; 29] {
        *b"Wed, 25 Nov 2026 00:00:00 GMT"
    }

    /// What a test handler does with a request body.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum BodyUse {
        Read,
        Ignore,
    }

    /// Drives a connection over `chunks` (delivered one per read, then EOF) the way the socket
    /// driver does, with a handler that answers `METHOD TARGET BODY`. Returns every byte sent.
    fn drive_with(chunks: &[&[u8]], body_use: BodyUse, limits: ParseLimits) -> Vec<u8> {
        let mut conn = Connection::new(limits, clock);
        let mut req = Request::default();
        let mut input: VecDeque<u8> = VecDeque::new();
        // An empty read means EOF to a connection, so empty chunks are not delivered.
        let mut chunks: VecDeque<&[u8]> =
            chunks.iter().copied().filter(|c| !c.is_empty()).collect();
        let mut sent = Vec::new();
        let mut feed = |conn: &mut Connection, sent: &mut Vec<u8>| {
            sent.extend_from_slice(conn.output());
            let n = conn.output().len();
            conn.consumed_output(n);
            if input.is_empty() {
                match chunks.pop_front() {
                    Some(chunk) => input.extend(chunk),
                    None => return conn.received(0),
                }
            }
            let buf = conn.read_buf();
            let n = buf.len().min(input.len());
            for (dst, src) in buf.iter_mut().zip(input.drain(..n)) {
                *dst = src;
            }
            conn.received(n);
        };
        for _ in 0..100_000 {
            match conn.poll(&mut req, None) {
                Event::NeedData(_) => feed(&mut conn, &mut sent),
                Event::Close => {
                    sent.extend_from_slice(conn.output());
                    return sent;
                }
                Event::Request(body) => {
                    let mut data = Vec::new();
                    match body {
                        RequestBody::Empty => {}
                        RequestBody::Full(d) => data = d,
                        RequestBody::Stream if body_use == BodyUse::Ignore => {}
                        RequestBody::Stream => loop {
                            let mut piece = [0u8; 7];
                            match conn.read_body(conn.seq(), &mut piece) {
                                Ok(BodyRead::Data(n)) => data.extend_from_slice(&piece[..n]),
                                Ok(BodyRead::End) => break,
                                Ok(BodyRead::NeedData) => feed(&mut conn, &mut sent),
                                Err(e) => {
                                    data = format!("<{e}>").into_bytes();
                                    break;
                                }
                            }
                        },
                    }
                    let text = format!(
                        "{} {} {}",
                        req.method(),
                        req.target(),
                        String::from_utf8_lossy(&data)
                    );
                    let tail = conn.respond(Response::text(text));
                    assert!(matches!(tail, StreamedBody::Done));
                }
            }
        }
        panic!("the connection never closed");
    }

    fn drive(chunks: &[&[u8]]) -> String {
        String::from_utf8_lossy(&drive_with(chunks, BodyUse::Read, ParseLimits::default()))
            .into_owned()
    }

    const PIPELINE: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n\
POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n\
HEAD /d HTTP/1.1\r\nHost: x\r\n\r\n\
GET /e HTTP/1.0\r\n\r\n";

    #[test]
    fn pipelined_requests_are_answered_in_order() {
        let out = drive(&[PIPELINE]);
        let bodies: Vec<&str> = ["GET /a ", "POST /b hello", "POST /c abcde", "GET /e "]
            .into_iter()
            .filter(|b| out.contains(b))
            .collect();
        assert_eq!(bodies.len(), 4, "{out}");
        let positions: Vec<usize> = [
            "GET /a ",
            "POST /b hello",
            "POST /c abcde",
            "Content-Length: 8\r\n\r\nHTTP",
            "GET /e ",
        ]
        .iter()
        .map(|needle| out.find(needle).unwrap_or(usize::MAX))
        .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{positions:?}\n{out}"
        );
        // HEAD: the GET's length, no body; HTTP/1.0: closed after its response.
        assert!(!out.contains("HEAD /d"), "{out}");
        assert!(out.ends_with("Connection: close\r\n\r\nGET /e "), "{out}");
    }

    #[test]
    fn any_split_of_the_input_gives_the_same_output() {
        let whole = drive(&[PIPELINE]);
        for at in 0..PIPELINE.len() {
            let (a, b) = PIPELINE.split_at(at);
            assert_eq!(drive(&[a, b]), whole, "split at byte {at}");
        }
    }

    #[test]
    fn byte_at_a_time_gives_the_same_output() {
        let whole = drive(&[PIPELINE]);
        let bytes: Vec<&[u8]> = PIPELINE.chunks(1).collect();
        assert_eq!(drive(&bytes), whole);
    }

    #[test]
    fn continue_is_sent_only_when_the_body_is_read() {
        let head: &[u8] =
            b"POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
        let read = drive(&[head, b"ok"]);
        assert!(
            read.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
            "{read}"
        );
        assert!(read.ends_with("POST /u ok"), "{read}");

        let ignored = drive_with(&[head, b"ok"], BodyUse::Ignore, ParseLimits::default());
        let ignored = String::from_utf8_lossy(&ignored);
        assert!(ignored.starts_with("HTTP/1.1 200 OK\r\n"), "{ignored}");
        // The client never got `100 Continue`, so the connection cannot be reused.
        assert!(ignored.contains("Connection: close\r\n"), "{ignored}");
    }

    #[test]
    fn an_http10_expectation_is_ignored() {
        let out = drive(&[
            b"POST /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
            b"ok",
        ]);
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    }

    #[test]
    fn an_unread_body_is_drained_before_the_next_request() {
        let input: &[u8] = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n";
        let out = drive_with(
            &[
                input,
                b"ab",
                b"cdGET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ],
            BodyUse::Ignore,
            ParseLimits::default(),
        );
        let out = String::from_utf8_lossy(&out);
        assert!(
            out.contains("POST /a \r\n") || out.contains("POST /a "),
            "{out}"
        );
        assert!(out.ends_with("GET /next "), "{out}");
    }

    #[test]
    fn an_unread_chunked_body_is_drained_before_the_next_request() {
        let out = drive_with(
            &[b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\nGET /next HTTP/1.0\r\n\r\n"],
            BodyUse::Ignore,
            ParseLimits::default(),
        );
        assert!(String::from_utf8_lossy(&out).ends_with("GET /next "));
    }

    #[test]
    fn a_bad_head_gets_its_status_and_a_close() {
        let out = drive(&[
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        ]);
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("Connection: close\r\n"), "{out}");
        assert!(
            out.ends_with("{\"error\":\"both Content-Length and Transfer-Encoding\"}"),
            "{out}"
        );
    }

    #[test]
    fn a_declared_body_over_the_limit_fails_the_first_read_before_100_continue() {
        let limits = ParseLimits {
            max_body: 4,
            ..ParseLimits::default()
        };
        let out = drive_with(
            &[b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"],
            BodyUse::Read,
            limits,
        );
        let out = String::from_utf8_lossy(&out);
        assert!(!out.contains("100 Continue"), "{out}");
        assert!(out.contains("<request body too large>"), "{out}");
        assert!(out.contains("Connection: close\r\n"), "{out}");
    }

    #[test]
    fn a_raised_limit_lets_a_longer_declared_body_through() {
        let mut conn = Connection::new(
            ParseLimits {
                max_body: 4,
                ..ParseLimits::default()
            },
            clock,
        );
        let mut req = Request::default();
        let head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n";
        conn.read_buf()[..head.len()].copy_from_slice(head);
        conn.received(head.len());
        assert!(matches!(
            conn.poll(&mut req, None),
            Event::Request(RequestBody::Stream)
        ));
        conn.set_body_limit(conn.seq(), 6);
        let buf = conn.read_buf();
        buf[..6].copy_from_slice(b"abcdef");
        conn.received(6);
        let mut dst = [0u8; 16];
        assert!(matches!(
            conn.read_body(conn.seq(), &mut dst),
            Ok(BodyRead::Data(6))
        ));
        assert_eq!(&dst[..6], b"abcdef");
    }

    #[test]
    fn an_unread_body_over_max_body_closes_instead_of_being_drained() {
        let limits = ParseLimits {
            max_body: 4,
            ..ParseLimits::default()
        };
        let out = drive_with(
            &[
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
                b"hello",
            ],
            BodyUse::Ignore,
            limits,
        );
        let out = String::from_utf8_lossy(&out);
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        assert!(out.contains("Connection: close\r\n"), "{out}");
    }

    #[test]
    fn a_chunked_body_over_the_limit_fails_the_read_and_closes() {
        let limits = ParseLimits {
            max_body: 4,
            ..ParseLimits::default()
        };
        let out = drive_with(
            &[b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"],
            BodyUse::Read,
            limits,
        );
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("<request body too large>"), "{out}");
        assert!(out.contains("Connection: close\r\n"), "{out}");
    }

    #[test]
    fn a_body_cut_short_by_eof_is_incomplete() {
        let out = drive(&[b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"]);
        assert!(
            out.contains("<the connection closed before the request body ended>"),
            "{out}"
        );
    }

    #[test]
    fn a_head_cut_short_by_eof_gets_no_answer() {
        assert_eq!(drive(&[b"GET / HTTP/1.1\r\nHo"]), "");
    }

    #[test]
    fn a_head_that_ends_in_a_bad_byte_is_refused_however_it_arrives() {
        // Found by the connection fuzz target: in one read the bad byte was a 400 at once; in two
        // (the second without an LF) the resumed parse did not look at it, and EOF closed in
        // silence.
        let whole = drive(&[b"GET /users/0?full\x9c1&q="]);
        assert!(whole.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{whole}");
        assert_eq!(drive(&[b"GET /users/", b"0?full\x9c1&q="]), whole);
        assert_eq!(
            drive(&[b"GET / HTTP/1.1\r\nX: a", b"\x01b"]),
            drive(&[b"GET / HTTP/1.1\r\nX: a\x01b"])
        );
        // The same bytes before a head timeout: the 400 they deserve, not a 408.
        let mut conn = Connection::new(ParseLimits::default(), clock);
        let mut req = Request::default();
        for piece in [&b"GET /users/"[..], b"0?full\x9c1"] {
            conn.read_buf()[..piece.len()].copy_from_slice(piece);
            conn.received(piece.len());
            assert!(matches!(
                conn.poll(&mut req, None),
                Event::NeedData(Wait::Head)
            ));
        }
        conn.timed_out(Wait::Head);
        assert!(matches!(conn.poll(&mut req, None), Event::Close));
        assert!(conn.output().starts_with(b"HTTP/1.1 400 Bad Request\r\n"));
    }

    #[test]
    fn a_timeout_mid_head_is_a_408_and_silent_or_idle_timeouts_close_quietly() {
        let mut conn = Connection::new(ParseLimits::default(), clock);
        let buf = conn.read_buf();
        buf[..3].copy_from_slice(b"GET");
        conn.received(3);
        let mut req = Request::default();
        assert!(matches!(
            conn.poll(&mut req, None),
            Event::NeedData(Wait::Head)
        ));
        conn.timed_out(Wait::Head);
        assert!(matches!(conn.poll(&mut req, None), Event::Close));
        assert!(conn
            .output()
            .starts_with(b"HTTP/1.1 408 Request Timeout\r\n"));

        let mut silent = Connection::new(ParseLimits::default(), clock);
        assert!(matches!(
            silent.poll(&mut req, None),
            Event::NeedData(Wait::Head)
        ));
        silent.timed_out(Wait::Head);
        assert!(matches!(silent.poll(&mut req, None), Event::Close));
        assert!(silent.output().is_empty());

        let mut idle = Connection::new(ParseLimits::default(), clock);
        let raw = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        idle.read_buf()[..raw.len()].copy_from_slice(raw);
        idle.received(raw.len());
        assert!(matches!(idle.poll(&mut req, None), Event::Request(_)));
        let _ = idle.respond(Response::text("x"));
        let sent = idle.output().len();
        idle.consumed_output(sent);
        assert!(matches!(
            idle.poll(&mut req, None),
            Event::NeedData(Wait::Idle)
        ));
        idle.timed_out(Wait::Idle);
        assert!(matches!(idle.poll(&mut req, None), Event::Close));
        assert!(idle.output().is_empty());
    }

    #[test]
    fn stopping_answers_the_request_in_progress_with_close() {
        let mut conn = Connection::new(ParseLimits::default(), clock);
        let raw = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n";
        conn.read_buf()[..raw.len()].copy_from_slice(raw);
        conn.received(raw.len());
        let mut req = Request::default();
        assert!(matches!(conn.poll(&mut req, None), Event::Request(_)));
        conn.stop();
        let _ = conn.respond(Response::text("x"));
        assert!(conn.output().ends_with(b"Connection: close\r\n\r\nx"));
        assert!(matches!(conn.poll(&mut req, None), Event::Close));
    }

    #[test]
    fn a_body_read_for_an_old_request_is_detached() {
        let mut conn = Connection::new(ParseLimits::default(), clock);
        let raw = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n";
        conn.read_buf()[..raw.len()].copy_from_slice(raw);
        conn.received(raw.len());
        let mut req = Request::default();
        assert!(matches!(
            conn.poll(&mut req, None),
            Event::Request(RequestBody::Stream)
        ));
        let stale = conn.seq() - 1;
        assert_eq!(
            conn.read_body(stale, &mut [0u8; 4]),
            Err(BodyError::Detached)
        );
    }

    /// A small deterministic generator, so failures reproduce.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u8 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0.to_be_bytes()[0]
        }
    }

    #[test]
    fn random_bytes_never_panic_and_always_end_in_a_close() {
        let mut rng = Lcg(7);
        for round in 0..300 {
            let len = 1 + usize::from(rng.next()) * 8;
            let junk: Vec<u8> = (0..len).map(|_| rng.next()).collect();
            let out = drive(&[&junk]);
            assert!(
                out.is_empty() || out.starts_with("HTTP/1.1 "),
                "round {round}: {out}"
            );
        }
    }

    #[test]
    fn mutated_valid_requests_never_panic() {
        let mut rng = Lcg(11);
        for round in 0..2000 {
            let mut bytes = PIPELINE.to_vec();
            for _ in 0..1 + rng.next() % 4 {
                let at = usize::from(rng.next()) * bytes.len() / 256;
                match rng.next() % 3 {
                    0 => bytes[at] = rng.next(),
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, rng.next()),
                }
            }
            let split = usize::from(rng.next()) * bytes.len() / 256;
            let (a, b) = bytes.split_at(split);
            let out = drive(&[a, b]);
            assert!(
                out.is_empty() || out.starts_with("HTTP/1.1 "),
                "round {round}: {out}"
            );
        }
    }
}
