//! Signals and drains, through real signals to a real process: `App::run` on SIGTERM and SIGINT.
//!
//! This test is a program of its own (`harness = false`): run plainly, it starts itself again as
//! a child with `DRAIN_CHILD=1`, whose `main` is a user's `main` (`App::run`, signals handled by
//! default), and sends it signals with `kill`. The parent reads the child's banner for its
//! address, speaks HTTP to it over sockets, and checks its exit status and its report on stderr.
//!
//! Every wait is bounded (a test that hangs fails), and no check is on how long anything took:
//! only on what happened in which order.

// A program with `harness = false` is not built with `cfg(test)`, so the workspace's
// `allow-expect-in-tests` does not reach it; a failed step panics, and the case fails, as in a
// `#[test]`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use framework::{get, routes, App, Drain, Lifecycle, RunError, State};

/// Set in a child: run the app.
const CHILD: &str = "DRAIN_CHILD";
/// A bound on every wait: long enough never to be reached when things work.
const PATIENCE: Duration = Duration::from_secs(20);

#[get("/hello")]
fn hello() -> &'static str {
    "hello"
}

/// Which process answered.
#[get("/pid")]
fn pid() -> String {
    std::process::id().to_string()
}

/// A request that stays in flight: it says on stdout that it started, then sleeps.
#[get("/sleep/:ms")]
fn sleep(ms: u64, lifecycle: State<Lifecycle>) -> String {
    println!("sleeping {ms}");
    std::thread::sleep(Duration::from_millis(ms));
    format!("slept {ms}; draining: {}", lifecycle.is_draining())
}

/// The child: a user's `main`, configured from the environment.
fn child_main() -> Result<(), RunError> {
    let var = |name: &str| std::env::var(name).ok();
    let millis = |name: &str, default: u64| {
        Duration::from_millis(var(name).and_then(|v| v.parse().ok()).unwrap_or(default))
    };
    App::new()
        .access_log(false)
        .mount("/", routes![hello, pid, sleep])
        .readiness("/ready")
        .drain(
            Drain::new()
                .grace(millis("DRAIN_GRACE_MS", 10_000))
                .delay(millis("DRAIN_DELAY_MS", 0)),
        )
        .handle_signals(var("DRAIN_SIGNALS").as_deref() != Some("off"))
        .reuse_port(var("DRAIN_REUSE_PORT").is_some())
        .run(var("DRAIN_ADDR").unwrap_or_else(|| "127.0.0.1:0".into()))
}

/// A running child, its stdout lines arriving on a channel.
struct Server {
    child: Child,
    addr: SocketAddr,
    stdout: Receiver<String>,
}

impl Server {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("current_exe"));
        command
            .env(CHILD, "1")
            .env_remove("ACCESS_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("spawn the child");
        let (tx, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Self {
            child,
            addr: "0.0.0.0:0".parse().expect("addr"),
            stdout,
        };
        let banner = server.line_starting("listening on http://");
        server.addr = banner["listening on http://".len()..]
            .parse()
            .expect("the banner's address");
        server
    }

    /// Waits for a stdout line that starts with `prefix`.
    fn line_starting(&self, prefix: &str) -> String {
        let until = Instant::now() + PATIENCE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(e) => panic!("no line starting with {prefix:?} on the child's stdout: {e}"),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the child to exit; its status and stderr.
    fn wait(mut self) -> (ExitStatus, String) {
        let until = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                return (status, stderr);
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!("the child did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a new connection to the server is refused: it has stopped listening.
    fn wait_until_refused(&self) {
        let until = Instant::now() + PATIENCE;
        loop {
            match TcpStream::connect(self.addr) {
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => return,
                // A connect that raced the listening socket's close (the kernel resets what it
                // had not handed over yet): try again.
                Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
                Err(e) => panic!("connect failed otherwise than refused: {e}"),
                Ok(_) => {}
            }
            assert!(Instant::now() < until, "the server kept listening");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client connection.
fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream
}

fn send_get(stream: &mut TcpStream, path: &str) {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").expect("send");
}

/// One response: status, lowercase header lines, body (by `Content-Length`).
fn read_response(stream: &mut TcpStream) -> (u16, Vec<String>, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(0) => panic!("the connection closed inside a head: {buf:?}"),
            Ok(_) => buf.push(byte[0]),
            Err(e) => panic!("reading a head: {e}"),
        }
    }
    let head = String::from_utf8(buf).expect("utf-8 head");
    let mut lines = head.split("\r\n");
    let status = lines.next().expect("status line")[9..12]
        .parse()
        .expect("status");
    let headers: Vec<String> = lines
        .filter(|l| !l.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let length: usize = headers
        .iter()
        .find_map(|h| h.strip_prefix("content-length: "))
        .map_or(0, |v| v.parse().expect("length"));
    let mut body = vec![0; length];
    stream.read_exact(&mut body).expect("body");
    (
        status,
        headers,
        String::from_utf8(body).expect("utf-8 body"),
    )
}

/// Whether the server closed the connection (a read gets end of file, or a reset).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() == ErrorKind::ConnectionReset,
    }
}

/// An in-flight request during SIGTERM completes (with `Connection: close`), new connections are
/// refused meanwhile, and the process exits 0 once the drain is done, with its report.
fn in_flight_request_completes_and_new_connections_are_refused(signal: &str) {
    let server = Server::start(&[]);
    let mut client = connect(server.addr);
    send_get(&mut client, "/sleep/1500");
    server.line_starting("sleeping 1500");
    server.signal(signal);
    server.wait_until_refused();
    let (status, headers, body) = read_response(&mut client);
    assert_eq!(status, 200);
    assert_eq!(body, "slept 1500; draining: true");
    assert!(
        headers.contains(&"connection: close".to_string()),
        "{headers:?}"
    );
    assert!(closed_by_server(&mut client));
    let (status, stderr) = server.wait();
    assert_eq!(status.code(), Some(0), "{signal}: exit status; {stderr}");
    assert!(
        stderr.contains(&format!("{signal}: draining (grace 10 s)")),
        "{stderr}"
    );
    // The connections that found the port still open before it closed count among the open
    // ones, so only the rest of the report is exact.
    let report = stderr
        .lines()
        .find(|l| l.starts_with("stopped: "))
        .unwrap_or_else(|| panic!("no report: {stderr}"));
    assert!(
        report.starts_with("stopped: served 1 requests; "),
        "{report}"
    );
    assert!(report.contains(" drained, 0 cut off, in "), "{report}");
}

/// An idle keep-alive connection is closed at the start of the drain; with nothing in flight the
/// process exits at once.
fn idle_keep_alive_connection_is_closed() {
    let server = Server::start(&[]);
    let mut client = connect(server.addr);
    send_get(&mut client, "/hello");
    let (status, headers, body) = read_response(&mut client);
    assert_eq!((status, body.as_str()), (200, "hello"));
    assert!(!headers.contains(&"connection: close".to_string()));
    server.signal("TERM");
    assert!(
        closed_by_server(&mut client),
        "the idle connection stayed open"
    );
    let (status, stderr) = server.wait();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("at the stop 1 connections were open (0 in flight): 1 drained, 0 cut off"),
        "{stderr}"
    );
}

/// A second signal ends the process at once, with the signal, although a request is in flight
/// for far longer than the test waits.
fn second_signal_ends_at_once() {
    let server = Server::start(&[("DRAIN_GRACE_MS", "600000")]);
    let mut client = connect(server.addr);
    send_get(&mut client, "/sleep/600000");
    server.line_starting("sleeping 600000");
    server.signal("TERM");
    server.wait_until_refused();
    server.signal("TERM");
    let (status, stderr) = server.wait();
    assert_eq!(status.signal(), Some(15), "{status:?}; {stderr}");
    assert!(closed_by_server(&mut client));
}

/// With a drain delay, the server still serves after the signal, but readiness answers 503 (and
/// every response says `Connection: close`); then it stops listening and exits 0.
fn readiness_flips_at_the_start_of_the_drain() {
    let server = Server::start(&[("DRAIN_DELAY_MS", "1500")]);
    let mut client = connect(server.addr);
    send_get(&mut client, "/ready");
    let (status, headers, body) = read_response(&mut client);
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ready"}"#));
    assert!(headers.contains(&"cache-control: no-store".to_string()));
    drop(client);
    server.signal("TERM");
    let until = Instant::now() + PATIENCE;
    let (headers, body) = loop {
        let mut client = connect(server.addr);
        send_get(&mut client, "/ready");
        let (status, headers, body) = read_response(&mut client);
        if status == 503 {
            break (headers, body);
        }
        assert_eq!(status, 200);
        assert!(Instant::now() < until, "readiness never turned 503");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(body, r#"{"status":"draining"}"#);
    assert!(headers.contains(&"connection: close".to_string()));
    // Still accepting during the delay: another request is served.
    let mut client = connect(server.addr);
    send_get(&mut client, "/hello");
    assert_eq!(read_response(&mut client).2, "hello");
    server.wait_until_refused();
    let (status, stderr) = server.wait();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// `handle_signals(false)`: SIGTERM's default action ends the process at once.
fn signals_can_be_left_alone() {
    let server = Server::start(&[("DRAIN_SIGNALS", "off")]);
    let mut client = connect(server.addr);
    send_get(&mut client, "/sleep/600000");
    server.line_starting("sleeping 600000");
    server.signal("TERM");
    let (status, stderr) = server.wait();
    assert_eq!(status.signal(), Some(15), "{status:?}; {stderr}");
}

/// With `reuse_port`, a second process listens on the port of the first; once the first has
/// drained, the second serves every new connection on that port.
fn a_second_process_takes_over_the_port() {
    let first = Server::start(&[("DRAIN_REUSE_PORT", "1")]);
    let addr = first.addr.to_string();
    // Without the option, the port is taken.
    let refused = Server::start_expecting_failure(&[("DRAIN_ADDR", &addr)]);
    assert!(refused.contains("Address already in use"), "{refused}");
    let second = Server::start(&[("DRAIN_REUSE_PORT", "1"), ("DRAIN_ADDR", &addr)]);
    assert_eq!(second.addr, first.addr);
    // The kernel spreads connections over both processes: keep one that reached the first.
    let first_pid = first.child.id().to_string();
    let until = Instant::now() + PATIENCE;
    let mut in_flight = loop {
        let mut client = connect(first.addr);
        send_get(&mut client, "/pid");
        if read_response(&mut client).2 == first_pid {
            break client;
        }
        assert!(
            Instant::now() < until,
            "no connection reached the first process"
        );
    };
    send_get(&mut in_flight, "/sleep/1000");
    first.line_starting("sleeping 1000");
    first.signal("TERM");
    let (status, _, body) = read_response(&mut in_flight);
    assert_eq!((status, body.as_str()), (200, "slept 1000; draining: true"));
    let (status, stderr) = first.wait();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let second_pid = second.child.id().to_string();
    for _ in 0..20 {
        let mut client = connect(second.addr);
        send_get(&mut client, "/pid");
        assert_eq!(read_response(&mut client).2, second_pid);
    }
    second.signal("TERM");
    assert_eq!(second.wait().0.code(), Some(0));
}

impl Server {
    /// Starts a child that must fail to start; its stderr.
    fn start_expecting_failure(env: &[(&str, &str)]) -> String {
        let mut command = Command::new(std::env::current_exe().expect("current_exe"));
        command.env(CHILD, "1");
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().expect("run the child");
        assert_eq!(out.status.code(), Some(1), "the child should have failed");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return match child_main() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {e:?}");
                ExitCode::from(1)
            }
        };
    }
    let cases: [(&str, fn()); 7] = [
        ("in_flight_request_completes_on_sigterm", || {
            in_flight_request_completes_and_new_connections_are_refused("TERM");
        }),
        ("in_flight_request_completes_on_sigint", || {
            in_flight_request_completes_and_new_connections_are_refused("INT");
        }),
        (
            "idle_keep_alive_connection_is_closed",
            idle_keep_alive_connection_is_closed,
        ),
        ("second_signal_ends_at_once", second_signal_ends_at_once),
        (
            "readiness_flips_at_the_start_of_the_drain",
            readiness_flips_at_the_start_of_the_drain,
        ),
        ("signals_can_be_left_alone", signals_can_be_left_alone),
        (
            "a_second_process_takes_over_the_port",
            a_second_process_takes_over_the_port,
        ),
    ];
    let mut failed = 0;
    for (name, case) in cases {
        match std::panic::catch_unwind(case) {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    let passed = cases.len() - failed;
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
        if failed == 0 { "ok" } else { "FAILED" }
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
