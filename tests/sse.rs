//! Server-sent events over real sockets: each event reaches the client when it is produced (not
//! at the end, not in a batch), keep-alive comments fill quiet stretches, `Last-Event-ID` reaches
//! the handler, and the producer learns promptly that the client has gone (or that the server
//! is shutting down), instead of writing into a dead socket.
//!
//! Times are only ever checked from below: an event cannot arrive before it was produced, so
//! "event 6 came at least 1.5 s after event 1" holds however slow the machine is, and fails
//! only if the events were held back and sent together.

// Tests report failure by panicking, so unwrap/expect are the right tool here; marking the
// crate test-only lets `allow-unwrap-in-tests` cover the helpers, as it covers `support`.
#![cfg(test)]
#[path = "support/mod.rs"]
mod support;

use framework::extract::LastEventId;
use framework::respond::{Event, Sse};
use framework::{get, routes, App, State};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};
use support::TestApp;

/// The spacing of `/six`'s events.
const SPACING: Duration = Duration::from_millis(300);
/// How long a test waits for something that should happen at once.
const DEADLINE: Duration = Duration::from_secs(20);

/// What the handlers report to the test.
#[derive(Clone)]
struct Reports {
    /// How each `/forever` stream ended.
    ended: Arc<Mutex<Sender<String>>>,
    /// `/lockstep` waits for one message per event it sends.
    go: Arc<Mutex<Option<Receiver<()>>>>,
}

#[get("/six")]
fn six() -> Sse {
    Sse::new(|events| {
        for i in 1..=6 {
            if i > 1 {
                events.sleep(SPACING)?;
            }
            events.send(Event::new().id(i.to_string()).data(format!("event {i}")))?;
        }
        Ok(())
    })
}

#[get("/lockstep")]
fn lockstep(reports: State<Reports>) -> Sse {
    let go = reports
        .go
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .expect("one /lockstep per test");
    Sse::new(move |events| {
        for i in 1..=5 {
            events.send(Event::new().data(i.to_string()))?;
            // The next event is made only once the test has seen this one.
            if go.recv().is_err() {
                break;
            }
        }
        Ok(())
    })
}

#[get("/forever")]
fn forever(reports: State<Reports>) -> Sse {
    let reports = Reports::clone(&reports);
    Sse::new(move |events| {
        events.send(Event::new().data("hello"))?;
        let result = events.sleep(Duration::from_secs(3600));
        let how = match &result {
            Ok(()) => "slept an hour".to_string(),
            Err(e) => format!("{:?}", e.kind()),
        };
        let _ = reports
            .ended
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(how);
        result
    })
    .without_keep_alive()
}

#[get("/quiet")]
fn quiet() -> Sse {
    Sse::new(|events| {
        events.sleep(Duration::from_millis(400))?;
        events.send(Event::new().data("done"))
    })
    .keep_alive(Duration::from_millis(50))
}

#[get("/resume")]
fn resume(last: Option<LastEventId>) -> Sse {
    let from = last.and_then(|id| id.0.parse::<u64>().ok()).unwrap_or(0);
    Sse::new(move |events| {
        for id in from + 1..=from + 2 {
            events.send(
                Event::new()
                    .id(id.to_string())
                    .data(format!("after {from}")),
            )?;
        }
        Ok(())
    })
    .retry(Duration::from_millis(1500))
}

fn app(reports: Reports) -> App {
    let app = App::new().manage(reports);
    // Compression passes event streams through untouched (the client below accepts gzip).
    #[cfg(feature = "compression")]
    let app = app.wrap(framework::middleware::Compression::new());
    app.mount("/", routes![six, lockstep, forever, quiet, resume])
}

/// The handlers' reports, with the ends the test keeps: how `/forever` streams ended, and the
/// go-ahead for `/lockstep`.
fn reports() -> (Reports, Receiver<String>, Sender<()>) {
    let (ended_tx, ended_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel();
    let reports = Reports {
        ended: Arc::new(Mutex::new(ended_tx)),
        go: Arc::new(Mutex::new(Some(go_rx))),
    };
    (reports, ended_rx, go_tx)
}

fn start() -> (TestApp, Receiver<String>, Sender<()>) {
    let (reports, ended, go) = reports();
    (TestApp::start(app(reports)), ended, go)
}

/// A client that reads a chunked event stream as it comes, noting when each event arrived.
struct Stream {
    socket: TcpStream,
    /// Raw bytes not yet decoded.
    raw: Vec<u8>,
    /// Decoded body bytes not yet returned as events.
    body: Vec<u8>,
    /// The head, once read.
    head: String,
    /// The last chunk was seen.
    ended: bool,
}

impl Stream {
    fn open(addr: SocketAddr, request: &str) -> Self {
        let mut socket = TcpStream::connect(addr).unwrap();
        socket.set_read_timeout(Some(DEADLINE)).unwrap();
        socket.write_all(request.as_bytes()).unwrap();
        let mut s = Self {
            socket,
            raw: Vec::new(),
            body: Vec::new(),
            head: String::new(),
            ended: false,
        };
        while !s.raw.windows(4).any(|w| w == b"\r\n\r\n") {
            s.fill().expect("the head arrives");
        }
        let end = s.raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        s.head = String::from_utf8(s.raw.drain(..end).collect()).unwrap();
        s
    }

    fn get(addr: SocketAddr, target: &str) -> Self {
        Self::open(
            addr,
            &format!("GET {target} HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip\r\n\r\n"),
        )
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        let n = self.socket.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.raw.extend_from_slice(&buf[..n]);
        Ok(())
    }

    /// Moves every complete chunk from `raw` to `body`.
    fn decode(&mut self) {
        loop {
            let Some(line_end) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                return;
            };
            let size = std::str::from_utf8(&self.raw[..line_end]).unwrap();
            let size = usize::from_str_radix(size, 16).expect("a chunk size");
            if size == 0 {
                assert_eq!(
                    &self.raw[line_end..],
                    b"\r\n\r\n",
                    "the last chunk ends the body"
                );
                self.ended = true;
                self.raw.clear();
                return;
            }
            let start = line_end + 2;
            if self.raw.len() < start + size + 2 {
                return;
            }
            self.body.extend_from_slice(&self.raw[start..start + size]);
            assert_eq!(&self.raw[start + size..start + size + 2], b"\r\n");
            self.raw.drain(..start + size + 2);
        }
    }

    /// The next event (its text, without the blank line) and when its last byte arrived;
    /// `None` at the end of the body.
    fn next_event(&mut self) -> Option<(String, Instant)> {
        loop {
            self.decode();
            if let Some(end) = self.body.windows(2).position(|w| w == b"\n\n") {
                let event: Vec<u8> = self.body.drain(..end + 2).collect();
                let text = String::from_utf8(event[..end].to_vec()).unwrap();
                return Some((text, Instant::now()));
            }
            if self.ended {
                assert!(self.body.is_empty(), "a partial event at the end");
                return None;
            }
            self.fill().expect("more of the stream");
        }
    }
}

#[test]
fn six_events_arrive_one_by_one_at_their_spacing() {
    let (server, _, _) = start();
    let mut stream = Stream::get(server.addr, "/six");
    let head_at = Instant::now();
    assert!(
        stream.head.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        stream.head
    );
    for field in [
        "Content-Type: text/event-stream\r\n",
        "Cache-Control: no-cache\r\n",
        "Transfer-Encoding: chunked\r\n",
    ] {
        assert!(stream.head.contains(field), "{field} in {}", stream.head);
    }
    assert!(!stream.head.contains("Content-Encoding"), "{}", stream.head);
    let mut arrivals = Vec::new();
    while let Some((event, at)) = stream.next_event() {
        let i = arrivals.len() + 1;
        assert_eq!(event, format!("id: {i}\ndata: event {i}"));
        arrivals.push(at);
    }
    assert_eq!(arrivals.len(), 6);
    let spacing: Vec<u128> = arrivals
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    println!(
        "first event {} ms after the head; then {spacing:?} ms apart",
        (arrivals[0] - head_at).as_millis()
    );
    // Event i is produced (i - 1) × 300 ms after event 1, so it cannot arrive sooner, however
    // slow the machine; held-back events would arrive together and fail this.
    for (i, at) in arrivals.iter().enumerate() {
        let since_first = *at - arrivals[0];
        let floor = SPACING * u32::try_from(i).unwrap();
        assert!(
            since_first + Duration::from_millis(20) >= floor,
            "event {} arrived {since_first:?} after the first, before it was produced ({floor:?})",
            i + 1
        );
    }
}

#[test]
fn each_event_is_flushed_before_the_next_is_made() {
    let (server, _, go) = start();
    let mut stream = Stream::get(server.addr, "/lockstep");
    for i in 1..=5 {
        // The producer waits for us; if it were buffered, this read would time out.
        let (event, _) = stream.next_event().expect("the event");
        assert_eq!(event, format!("data: {i}"));
        go.send(()).unwrap();
    }
    assert!(stream.next_event().is_none());
}

#[test]
fn the_producer_learns_at_once_that_the_client_closed() {
    let (server, ended, _) = start();
    let mut stream = Stream::get(server.addr, "/forever");
    assert_eq!(stream.next_event().unwrap().0, "data: hello");
    assert!(ended.try_recv().is_err(), "still streaming");
    drop(stream);
    // The producer is in an hour-long sleep: only the close can end it.
    assert_eq!(ended.recv_timeout(DEADLINE).unwrap(), "BrokenPipe");
    // The worker is free again, and the server serves everybody else.
    let mut again = Stream::get(server.addr, "/resume");
    assert!(again.next_event().is_some());
}

#[test]
fn a_half_closed_client_ends_the_stream_too() {
    let (server, ended, _) = start();
    let mut stream = Stream::get(server.addr, "/forever");
    assert!(stream.next_event().is_some());
    stream.socket.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(ended.recv_timeout(DEADLINE).unwrap(), "BrokenPipe");
}

#[test]
fn quiet_stretches_get_keep_alive_comments() {
    let (server, _, _) = start();
    let mut stream = Stream::get(server.addr, "/quiet");
    let mut comments = 0;
    loop {
        let (event, _) = stream.next_event().expect("the stream goes on");
        if event == "data: done" {
            break;
        }
        assert_eq!(event, ": keep-alive");
        comments += 1;
    }
    // 400 ms of quiet at a 50 ms interval: comments cannot come faster than every 50 ms, so
    // there are at most 8; a slow machine may send fewer, but one at least falls due.
    assert!(
        (1..=8).contains(&comments),
        "{comments} keep-alive comments"
    );
    assert!(stream.next_event().is_none());
}

#[test]
fn last_event_id_reaches_the_handler_and_retry_comes_first() {
    let (server, _, _) = start();
    let mut first = Stream::get(server.addr, "/resume");
    assert_eq!(first.next_event().unwrap().0, "retry: 1500");
    assert_eq!(first.next_event().unwrap().0, "id: 1\ndata: after 0");
    assert_eq!(first.next_event().unwrap().0, "id: 2\ndata: after 0");
    assert!(first.next_event().is_none());
    let mut resumed = Stream::open(
        server.addr,
        "GET /resume HTTP/1.1\r\nHost: test\r\nLast-Event-ID: 2\r\n\r\n",
    );
    assert_eq!(resumed.next_event().unwrap().0, "retry: 1500");
    assert_eq!(resumed.next_event().unwrap().0, "id: 3\ndata: after 2");
}

#[test]
fn the_connection_serves_the_next_request_after_a_stream_ends() {
    let (server, _, _) = start();
    let mut c = server.connect();
    c.send(b"GET /resume HTTP/1.1\r\nHost: t\r\n\r\nGET /resume HTTP/1.1\r\nHost: t\r\nLast-Event-ID: 7\r\n\r\n");
    let one = c.read_response();
    let two = c.read_response();
    assert_eq!(one.status, 200);
    assert!(
        one.text().ends_with("id: 2\ndata: after 0\n\n"),
        "{}",
        one.text()
    );
    assert!(
        two.text().ends_with("id: 9\ndata: after 7\n\n"),
        "{}",
        two.text()
    );
}

#[test]
fn head_gets_the_fields_and_no_stream() {
    let (server, _, _) = start();
    let res = server.call("HEAD", "/six");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/event-stream"));
    assert!(res.body.is_empty());
}

#[test]
fn an_http10_client_gets_the_raw_stream_and_a_close() {
    let (server, _, _) = start();
    let responses = server.exchange_until_close(b"GET /resume HTTP/1.0\r\n\r\n");
    assert_eq!(responses.len(), 1);
    let res = &responses[0];
    assert_eq!(res.header("transfer-encoding"), None);
    assert_eq!(
        res.text(),
        "retry: 1500\n\nid: 1\ndata: after 0\n\nid: 2\ndata: after 0\n\n"
    );
}

#[test]
fn a_graceful_shutdown_ends_open_streams() {
    let (reports, ended, _go) = reports();
    let bound = app(reports)
        .banner(false)
        .access_log(false)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = bound.local_addr();
    let handle = bound.shutdown_handle();
    let server = thread::spawn(move || bound.serve());
    let mut stream = Stream::get(addr, "/forever");
    assert!(stream.next_event().is_some());
    let stopper = thread::spawn(move || handle.shutdown(Duration::from_secs(30)));
    // The hour-long sleep ends with the shutdown, and the stream is closed.
    assert_eq!(ended.recv_timeout(DEADLINE).unwrap(), "BrokenPipe");
    loop {
        match stream.fill() {
            Ok(()) => {}
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{e}");
                break;
            }
        }
    }
    // The client still holds its socket: the server's lingering close ends on its own.
    let report = stopper.join().unwrap();
    assert_eq!(report.abandoned, 0, "{report:?}");
    server.join().unwrap().unwrap();
    drop(stream);
}
