//! `ceiling`: the bound of a thread-per-connection server on this machine.
//!
//! Std only. One thread per connection; a request is whatever comes before `\r\n\r\n` (plus
//! `Content-Length` bytes of body); only the request line's method and path are looked at, and
//! the answer is written from bytes formatted ahead of time. What it leaves out (header parsing,
//! routing, extraction, serialization per request) is what a real server adds on top, so the
//! distance between a thread-per-connection server and this one is the cost of its request path.
//!
//! The responses carry `Date` (reformatted once a second by a background thread, like the
//! cached date of the other servers) and `Content-Length`. `GET /users/:id` looks its
//! pre-formatted response up in a map behind an `RwLock`. `POST /users` does not parse JSON: the
//! stored user is the posted object with `"id":N,` put first, which is the right answer for the
//! compact body the harness sends.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest request (head and body) a connection buffers before it is closed.
const MAX_REQUEST: usize = 1 << 20;

/// Every answer, formatted with the current date.
struct Responses {
    plaintext: Vec<u8>,
    json: Vec<u8>,
    users: BTreeMap<u64, Vec<u8>>,
}

/// What the responses are made from.
struct Inner {
    date: String,
    /// The users' JSON bodies.
    users: BTreeMap<u64, String>,
    last_id: u64,
    responses: Arc<Responses>,
}

struct State {
    inner: RwLock<Inner>,
}

fn response(status: &str, content_type: &str, date: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Date: {date}\r\n{extra}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn json_response(status: &str, date: &str, body: &str) -> Vec<u8> {
    response(status, "application/json", date, "", body)
}

impl Inner {
    fn rebuild(&mut self) {
        let date = &self.date;
        self.responses = Arc::new(Responses {
            plaintext: response(
                "200 OK",
                "text/plain; charset=utf-8",
                date,
                "",
                "Hello, World!",
            ),
            json: json_response("200 OK", date, r#"{"message":"Hello, World!"}"#),
            users: self
                .users
                .iter()
                .map(|(id, body)| (*id, json_response("200 OK", date, body)))
                .collect(),
        });
    }
}

impl State {
    fn new() -> Self {
        let mut inner = Inner {
            date: http_date(SystemTime::now()),
            users: BTreeMap::new(),
            last_id: 0,
            responses: Arc::new(Responses {
                plaintext: Vec::new(),
                json: Vec::new(),
                users: BTreeMap::new(),
            }),
        };
        inner.rebuild();
        State {
            inner: RwLock::new(inner),
        }
    }

    fn responses(&self) -> Arc<Responses> {
        let guard = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&guard.responses)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// `POST /users`: the `201 Created` answer.
    fn create(&self, body: &[u8]) -> Vec<u8> {
        let mut inner = self.write();
        let fields = std::str::from_utf8(body)
            .ok()
            .map(str::trim)
            .and_then(|b| b.strip_prefix('{'))
            .filter(|rest| rest.len() > 1 && rest.ends_with('}'));
        let Some(fields) = fields else {
            return json_response(
                "400 Bad Request",
                &inner.date,
                r#"{"error":"expected a JSON object"}"#,
            );
        };
        inner.last_id += 1;
        let id = inner.last_id;
        let user = format!("{{\"id\":{id},{fields}");
        let answer = response(
            "201 Created",
            "application/json",
            &inner.date,
            &format!("Location: /users/{id}\r\n"),
            &user,
        );
        inner.users.insert(id, user);
        inner.rebuild();
        answer
    }
}

/// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(now: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (era-based, proleptic Gregorian).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// The `Content-Length` of a request head, 0 when absent or unreadable.
fn content_length(head: &[u8]) -> usize {
    head.split(|&b| b == b'\n')
        .skip(1)
        .find_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let (name, value) = line.split_at(colon);
            if !name.eq_ignore_ascii_case(b"content-length") {
                return None;
            }
            std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok()
        })
        .unwrap_or(0)
}

fn answer(head: &[u8], body: &[u8], state: &State, stream: &mut TcpStream) -> std::io::Result<()> {
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let mut parts = line.split(|&b| b == b' ');
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    let responses = state.responses();
    let not_found = || {
        let date = http_date(SystemTime::now());
        json_response("404 Not Found", &date, r#"{"error":"not found"}"#)
    };
    match (method, path) {
        (b"GET", b"/plaintext") => stream.write_all(&responses.plaintext),
        (b"GET", b"/json") => stream.write_all(&responses.json),
        (b"POST", b"/users") => stream.write_all(&state.create(body)),
        (b"GET", p) if p.starts_with(b"/users/") => {
            let id = std::str::from_utf8(&p[7..])
                .ok()
                .and_then(|s| s.parse::<u64>().ok());
            match id.map(|id| responses.users.get(&id)) {
                Some(Some(found)) => stream.write_all(found),
                Some(None) => stream.write_all(&not_found()),
                None => {
                    let date = http_date(SystemTime::now());
                    let invalid = r#"{"error":"invalid id"}"#;
                    stream.write_all(&json_response("400 Bad Request", &date, invalid))
                }
            }
        }
        _ => stream.write_all(&not_found()),
    }
}

fn serve(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0_u8; 8192];
    let mut filled = 0;
    loop {
        let mut start = 0;
        while let Some(end) = find_head_end(&buf[start..filled]) {
            let head = &buf[start..start + end];
            let total = end + 4 + content_length(head);
            if start + total > filled {
                break;
            }
            let body = &buf[start + end + 4..start + total];
            answer(head, body, state, &mut stream)?;
            start += total;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        if filled == buf.len() {
            if buf.len() >= MAX_REQUEST {
                return Ok(());
            }
            buf.resize(buf.len() * 2, 0);
        }
        let n = stream.read(&mut buf[filled..])?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
    }
}

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}"))?;
    let state: &'static State = Box::leak(Box::new(State::new()));
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let date = http_date(SystemTime::now());
        let mut inner = state.write();
        if inner.date != date {
            inner.date = date;
            inner.rebuild();
        }
    });
    eprintln!("ceiling listening on http://127.0.0.1:{port}");
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        std::thread::spawn(move || {
            let _ = serve(stream, state);
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{content_length, http_date};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn dates() {
        let at = |secs| http_date(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(at(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(at(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn lengths() {
        assert_eq!(content_length(b"POST / HTTP/1.1\r\ncontent-length: 12"), 12);
        assert_eq!(content_length(b"GET / HTTP/1.1\r\nHost: x"), 0);
    }
}
