//! Server-sent events (the HTML standard's `text/event-stream`): the [`Sse`] responder, the
//! [`Event`] it writes, and [`Events`], the handle its producer writes them through.

use super::IntoResponse;
use crate::http::{BodyWriter, Response, ResponseBody, StatusCode};
use serde_core::Serialize;
use std::fmt;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long a keep-alive comment waits by default after the last write.
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);
/// While [`Events::recv`] waits on a channel, how often it looks whether the client has gone.
const RECV_SLICE: Duration = Duration::from_millis(250);

/// One server-sent event: any of `data`, `event`, `id`, `retry` and a comment, written as the
/// lines of one event and the blank line that ends it.
///
/// The text is made safe for the stream rather than refused: `data` and comments of several
/// lines (`\n`, `\r\n` or `\r`) become one `data:` (or `:`) line each, which the browser joins
/// back with `\n`; CR and LF are dropped from `event`, and CR, LF and NUL from `id` (the
/// standard ignores an id with a NUL in it).
///
/// ```
/// use framework::respond::Event;
/// use std::time::Duration;
///
/// let event = Event::new().event("price").id("7").data("line one\nline two");
/// assert_eq!(event.to_bytes(), b"event: price\nid: 7\ndata: line one\ndata: line two\n\n");
/// let retry = Event::new().retry(Duration::from_millis(1500)).comment("hello");
/// assert_eq!(retry.to_bytes(), b": hello\nretry: 1500\n\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    comment: Option<String>,
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
    data: Option<String>,
}

/// `text` without the characters in `drop`.
fn without(text: &str, drop: &[char]) -> String {
    text.chars().filter(|c| !drop.contains(c)).collect()
}

/// Writes `prefix` + each line of `text` (split at CRLF, CR or LF) + `\n`.
fn push_lines(out: &mut Vec<u8>, prefix: &[u8], text: &str) {
    let mut rest = text;
    loop {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        out.extend_from_slice(prefix);
        out.extend_from_slice(&rest.as_bytes()[..end]);
        out.push(b'\n');
        if end == rest.len() {
            return;
        }
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }
}

impl Event {
    /// An event with no fields yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The event's data (what `MessageEvent.data` is in the browser). Lines become one
    /// `data:` field each.
    #[must_use]
    pub fn data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// The data as JSON (one line: serde_json never writes a raw line break).
    ///
    /// # Errors
    /// The value cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Result<Self, serde_json::Error> {
        Ok(self.data(serde_json::to_string(value)?))
    }

    /// The event type (`addEventListener(name, …)` in the browser; without one it is a
    /// `message`). CR and LF are dropped.
    #[must_use]
    pub fn event(mut self, name: impl AsRef<str>) -> Self {
        self.event = Some(without(name.as_ref(), &['\r', '\n']));
        self
    }

    /// The event id: the browser sends the last one it saw as `Last-Event-ID` when it
    /// reconnects (read it with [`LastEventId`](crate::extract::LastEventId)). CR, LF and NUL
    /// are dropped.
    #[must_use]
    pub fn id(mut self, id: impl AsRef<str>) -> Self {
        self.id = Some(without(id.as_ref(), &['\r', '\n', '\0']));
        self
    }

    /// How long the browser waits before it reconnects after the stream ends (milliseconds on
    /// the wire).
    #[must_use]
    pub fn retry(mut self, after: Duration) -> Self {
        self.retry = Some(after);
        self
    }

    /// A comment: ignored by the browser, useful to people reading the stream.
    #[must_use]
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }

    /// Appends the event as it goes on the wire. An event with no field writes nothing.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        if *self == Self::default() {
            return;
        }
        if let Some(comment) = &self.comment {
            push_lines(out, b": ", comment);
        }
        if let Some(event) = &self.event {
            push_lines(out, b"event: ", event);
        }
        if let Some(id) = &self.id {
            push_lines(out, b"id: ", id);
        }
        if let Some(retry) = self.retry {
            push_lines(out, b"retry: ", &retry.as_millis().to_string());
        }
        if let Some(data) = &self.data {
            push_lines(out, b"data: ", data);
        }
        out.push(b'\n');
    }

    /// The event as it goes on the wire.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

/// The producer of an [`Sse`] stream.
type EventProducer = Box<dyn FnOnce(&mut Events<'_>) -> io::Result<()> + Send>;

/// A server-sent event stream: `200`, `Content-Type: text/event-stream`, `Cache-Control:
/// no-cache`, `X-Accel-Buffering: no` (so that nginx passes events on as they come), and a body
/// written by a producer that sends each [`Event`] to the client as soon as it is produced.
///
/// The producer runs on the handler's worker thread after the head has gone out, and the
/// response lasts until it returns. It writes through [`Events`]: [`Events::send`] writes and
/// flushes one event; [`Events::sleep`] waits, sending a keep-alive comment whenever the
/// stream has been quiet for the keep-alive interval (15 s unless set), and ends early with an
/// error as soon as the client closes the connection, so a producer that returns errors with
/// `?` stops promptly, not at its next write. A graceful shutdown ends the stream the same way.
///
/// ```
/// use framework::respond::{Event, Sse};
/// use framework::{get, routes, test::TestClient, App};
/// use std::time::Duration;
///
/// #[get("/countdown")]
/// fn countdown() -> Sse {
///     Sse::new(|events| {
///         for n in (1..=3).rev() {
///             events.send(Event::new().id(n.to_string()).data(n.to_string()))?;
///             events.sleep(Duration::from_millis(10))?;
///         }
///         Ok(())
///     })
///     .keep_alive(Duration::from_secs(5))
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![countdown]))?;
/// let res = client.get("/countdown").send();
/// assert_eq!(res.header("content-type"), Some("text/event-stream"));
/// assert_eq!(res.text(), "id: 3\ndata: 3\n\nid: 2\ndata: 2\n\nid: 1\ndata: 1\n\n");
/// # Ok::<(), framework::BuildError>(())
/// ```
///
/// Events made on another thread come through a channel with [`Sse::from_receiver`].
pub struct Sse {
    producer: EventProducer,
    keep_alive: Option<Duration>,
    retry: Option<Duration>,
}

impl fmt::Debug for Sse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sse")
            .field("keep_alive", &self.keep_alive)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Sse {
    /// A stream whose events `producer` sends; it ends when `producer` returns. Return the
    /// errors of [`Events`]' methods (`?`): they mean the client has gone. Any other error ends
    /// the stream without its proper end (the connection closes, which the browser treats like
    /// an end: it reconnects).
    pub fn new(producer: impl FnOnce(&mut Events<'_>) -> io::Result<()> + Send + 'static) -> Self {
        Self {
            producer: Box::new(producer),
            keep_alive: Some(DEFAULT_KEEP_ALIVE),
            retry: None,
        }
    }

    /// A stream of the events sent on `events`' channel, one at a time as they arrive; it
    /// ends when every sender is dropped. When the client goes away the receiver is dropped
    /// (within a quarter of a second), so the senders' next `send` fails and they learn it.
    ///
    /// ```
    /// use framework::respond::{Event, Sse};
    /// use framework::{get, routes, test::TestClient, App};
    ///
    /// #[get("/feed")]
    /// fn feed() -> Sse {
    ///     let (tx, rx) = std::sync::mpsc::channel();
    ///     std::thread::spawn(move || {
    ///         for word in ["one", "two"] {
    ///             if tx.send(Event::new().data(word)).is_err() {
    ///                 return; // the client has gone
    ///             }
    ///         }
    ///     });
    ///     Sse::from_receiver(rx)
    /// }
    ///
    /// let client = TestClient::new(App::new().mount("/", routes![feed]))?;
    /// assert_eq!(client.get("/feed").send().text(), "data: one\n\ndata: two\n\n");
    /// # Ok::<(), framework::BuildError>(())
    /// ```
    #[must_use]
    pub fn from_receiver(events: Receiver<Event>) -> Self {
        Self::new(move |out| {
            while let Some(event) = out.recv(&events)? {
                out.send(event)?;
            }
            Ok(())
        })
    }

    /// Sends a comment after `every` without a write, so that proxies and clients do not time
    /// the stream out while it is quiet. The default is [`DEFAULT_KEEP_ALIVE`] (15 s).
    #[must_use]
    pub fn keep_alive(mut self, every: Duration) -> Self {
        self.keep_alive = Some(every.max(Duration::from_millis(1)));
        self
    }

    /// No keep-alive comments.
    #[must_use]
    pub fn without_keep_alive(mut self) -> Self {
        self.keep_alive = None;
        self
    }

    /// Starts the stream with a `retry` field: how long the browser waits before it reconnects
    /// once the stream ends.
    #[must_use]
    pub fn retry(mut self, after: Duration) -> Self {
        self.retry = Some(after);
        self
    }
}

impl IntoResponse for Sse {
    fn into_response(self) -> Response {
        let Self {
            producer,
            keep_alive,
            retry,
        } = self;
        let body = ResponseBody::push(move |out| {
            let mut events = Events {
                out: out.reborrow(),
                keep_alive,
                last_write: Instant::now(),
            };
            if let Some(retry) = retry {
                events.send(Event::new().retry(retry))?;
            }
            producer(&mut events)
        });
        let mut res = Response::new(StatusCode::OK).with_body(body);
        let headers = res.headers_mut();
        for (name, value) in [
            ("Content-Type", "text/event-stream"),
            ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
        ] {
            // Constant, valid names and values.
            let _ = headers.insert(name, value);
        }
        res
    }
}

/// Where an [`Sse`] producer sends its events. Every method that fails does so because the
/// client has gone (or stopped reading, or the server is shutting down): return the error.
pub struct Events<'a> {
    out: BodyWriter<'a>,
    keep_alive: Option<Duration>,
    last_write: Instant,
}

impl fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

impl Events<'_> {
    /// Writes `event` and sends it to the client now.
    ///
    /// # Errors
    /// The write failed: the client is gone.
    pub fn send(&mut self, event: Event) -> io::Result<()> {
        self.write(&event.to_bytes())
    }

    /// Writes a comment line (ignored by browsers) and sends it now.
    ///
    /// # Errors
    /// The write failed: the client is gone.
    pub fn comment(&mut self, text: &str) -> io::Result<()> {
        self.send(Event::new().comment(text))
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.out.flush()?;
        self.last_write = Instant::now();
        Ok(())
    }

    /// When the next keep-alive comment is due, if there are any.
    fn next_ping(&self) -> Option<Instant> {
        self.keep_alive.map(|every| self.last_write + every)
    }

    /// Sends a keep-alive comment if one is due.
    fn ping_if_due(&mut self) -> io::Result<()> {
        match self.next_ping() {
            Some(due) if Instant::now() >= due => self.write(b": keep-alive\n\n"),
            _ => Ok(()),
        }
    }

    /// Waits for `duration`, sending keep-alive comments as they fall due.
    ///
    /// # Errors
    /// `BrokenPipe` as soon as the client closes the connection, however long the sleep was to
    /// last; or the error of a keep-alive write.
    pub fn sleep(&mut self, duration: Duration) -> io::Result<()> {
        let end = Instant::now() + duration;
        loop {
            let now = Instant::now();
            if now >= end {
                return Ok(());
            }
            let until = self.next_ping().map_or(end, |ping| ping.min(end));
            self.out.wait(until.saturating_duration_since(now))?;
            self.ping_if_due()?;
        }
    }

    /// The next message on `channel`, waiting for it as long as it takes while keeping the
    /// stream alive; `None` once every sender is gone.
    ///
    /// # Errors
    /// `BrokenPipe` when the client closes the connection while waiting (looked at every
    /// quarter of a second), or the error of a keep-alive write.
    pub fn recv<T>(&mut self, channel: &Receiver<T>) -> io::Result<Option<T>> {
        loop {
            let slice = self.next_ping().map_or(RECV_SLICE, |ping| {
                ping.saturating_duration_since(Instant::now())
                    .min(RECV_SLICE)
            });
            match channel.recv_timeout(slice) {
                Ok(message) => return Ok(Some(message)),
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
                Err(RecvTimeoutError::Timeout) => {
                    self.out.wait(Duration::ZERO)?;
                    self.ping_if_due()?;
                }
            }
        }
    }

    /// Whether the client has closed the connection, looked up now without waiting.
    pub fn is_closed(&mut self) -> bool {
        self.out.is_closed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::push::tests::Recorder;
    use crate::http::BodyWriter;

    fn wire(event: &Event) -> String {
        String::from_utf8(event.to_bytes()).unwrap()
    }

    #[test]
    fn fields_are_written_one_per_line_and_end_with_a_blank_line() {
        let all = Event::new()
            .data("d")
            .event("e")
            .id("1")
            .retry(Duration::from_secs(2))
            .comment("c");
        assert_eq!(wire(&all), ": c\nevent: e\nid: 1\nretry: 2000\ndata: d\n\n");
        assert_eq!(wire(&Event::new().data("")), "data: \n\n");
        assert_eq!(wire(&Event::new()), "");
    }

    #[test]
    fn data_of_several_lines_becomes_several_data_fields() {
        for (data, expected) in [
            ("a\nb", "data: a\ndata: b\n\n"),
            ("a\r\nb", "data: a\ndata: b\n\n"),
            ("a\rb", "data: a\ndata: b\n\n"),
            ("a\n\nb", "data: a\ndata: \ndata: b\n\n"),
            ("a\n", "data: a\ndata: \n\n"),
            ("\r\n", "data: \ndata: \n\n"),
            (" lead", "data:  lead\n\n"),
        ] {
            assert_eq!(wire(&Event::new().data(data)), expected, "{data:?}");
        }
        assert_eq!(wire(&Event::new().comment("x\ny")), ": x\n: y\n\n");
    }

    #[test]
    fn line_breaks_cannot_smuggle_fields_through_event_or_id() {
        let e = Event::new().event("a\r\ndata: x").id("1\n\0id: 2");
        assert_eq!(wire(&e), "event: adata: x\nid: 1id: 2\n\n");
    }

    #[test]
    fn json_data_is_one_line() {
        let e = Event::new()
            .json(&serde_json::json!({"text": "a\nb"}))
            .unwrap();
        assert_eq!(wire(&e), "data: {\"text\":\"a\\nb\"}\n\n");
    }

    fn events(sink: &mut Recorder, keep_alive: Option<Duration>, f: impl FnOnce(&mut Events<'_>)) {
        let mut events = Events {
            out: BodyWriter::new(sink),
            keep_alive,
            last_write: Instant::now(),
        };
        f(&mut events);
    }

    #[test]
    fn each_event_is_sent_as_its_own_piece() {
        let mut sink = Recorder::default();
        events(&mut sink, None, |ev| {
            ev.send(Event::new().data("1")).unwrap();
            ev.send(Event::new().data("2")).unwrap();
        });
        assert_eq!(
            sink.pieces,
            [b"data: 1\n\n".to_vec(), b"data: 2\n\n".to_vec()]
        );
    }

    #[test]
    fn a_sleep_longer_than_the_keep_alive_sends_comments() {
        let mut sink = Recorder::default();
        events(&mut sink, Some(Duration::from_millis(5)), |ev| {
            ev.sleep(Duration::from_millis(40)).unwrap();
        });
        assert!(sink.pieces.len() >= 2, "{:?}", sink.pieces);
        assert!(sink.pieces.iter().all(|p| p == b": keep-alive\n\n"));
    }

    #[test]
    fn a_sleep_ends_with_an_error_when_the_client_closes() {
        let mut sink = Recorder {
            open_for: Some(0),
            ..Recorder::default()
        };
        events(&mut sink, None, |ev| {
            let e = ev.sleep(Duration::from_secs(3600)).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        });
        // One wait, for the whole sleep: it ended at the close, not at its end.
        assert_eq!(sink.waited.len(), 1);
    }

    #[test]
    fn recv_ends_when_the_senders_are_gone_or_the_client_closes() {
        let (tx, rx) = std::sync::mpsc::channel();
        tx.send(5).unwrap();
        drop(tx);
        let mut sink = Recorder::default();
        events(&mut sink, None, |ev| {
            assert_eq!(ev.recv(&rx).unwrap(), Some(5));
            assert_eq!(ev.recv(&rx).unwrap(), None);
        });
        let (_tx, rx) = std::sync::mpsc::channel::<u8>();
        let mut sink = Recorder {
            open_for: Some(0),
            ..Recorder::default()
        };
        events(&mut sink, None, |ev| {
            assert_eq!(ev.recv(&rx).unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        });
    }
}
