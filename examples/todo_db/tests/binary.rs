//! The program itself, as `cargo run -p todo-db` starts it: configuration errors exit with
//! status 2, and the service answers over a real socket (whichever driver `FRAMEWORK_DRIVER`
//! picks), on SQLite or PostgreSQL chosen by `DATABASE_URL`, keeping its data across a restart.

// Test-only code (integration tests build with `cfg(test)`): saying so lets the workspace's
// `allow-unwrap-in-tests` cover the helpers, which are not `#[test]` functions.
#![cfg(test)]

mod support;

use framework::test::TestResponse;
use framework::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use support::Backend;

const BIN: &str = env!("CARGO_BIN_EXE_todo-db");

#[test]
fn a_bad_configuration_exits_with_status_2_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    for (vars, says) in [
        (
            &[("DATABASE_URL", "mysql://root@localhost/todos")][..],
            "`mysql://`",
        ),
        (
            &[("DATABASE_URL", "postgres://localhost/todos")][..],
            "no PostgreSQL user",
        ),
        (
            &[("DATABASE_URL", "postgres://u@h:port/x")][..],
            "not a valid PostgreSQL URL",
        ),
        (&[("DATABASE_URL", "sqlite://")][..], "no SQLite file"),
        (&[("ADDR", "localhost")][..], "ADDR=localhost"),
        (&[("POOL_SIZE", "0")][..], "POOL_SIZE=0"),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("ADDR")
            .env_remove("POOL_SIZE");
        let out = cmd.envs(vars.iter().copied()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{vars:?}: {stderr}");
        assert!(
            stderr.starts_with("todo-db: ") && stderr.contains(says),
            "{vars:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Nothing was created by a refused configuration.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The binary, serving until dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: tempfile::NamedTempFile,
}

impl Server {
    fn start(database_url: &str) -> Self {
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(BIN)
            .env("DATABASE_URL", database_url)
            .env("ADDR", "127.0.0.1:0")
            .env("POOL_SIZE", "2")
            .env("ACCESS_LOG", "0")
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(addr) = line.strip_prefix("listening on http://") {
                        break addr.parse().unwrap();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let stderr = std::fs::read_to_string(log.path()).unwrap_or_default();
                    panic!("the server did not start: {stderr}");
                }
            }
        };
        // The route table follows on stdout; keep reading it so that no write ever blocks.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, addr, log }
    }

    /// One request on a fresh connection.
    fn send(&self, method: &str, target: &str, body: Option<&Value>) -> TestResponse {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: todo\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        TestResponse::parse(&raw, method == "HEAD").expect("an HTTP response")
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

on_every_backend!(the_binary_serves_over_a_socket_and_keeps_data_across_a_restart);

fn the_binary_serves_over_a_socket_and_keeps_data_across_a_restart(db: &dyn Backend) {
    let url = db.url();
    {
        let server = Server::start(&url);
        let res = server.send("POST", "/todos", Some(&json!({"title": "over TCP"})));
        assert_eq!(res.status(), StatusCode::CREATED, "{}", server.stderr());
        assert_eq!(res.header("location"), Some("/todos/1"));
        let res = server.send("GET", "/todos/1", None);
        assert_eq!(
            res.json::<Value>().unwrap(),
            json!({"id": 1, "title": "over TCP", "done": false})
        );
        let started = server.stderr();
        assert!(started.contains("schema version 2"), "{started}");
    } // killed, not shut down: what was committed must still be there
    let server = Server::start(&url);
    let res = server.send("GET", "/todos", None);
    assert_eq!(res.status(), StatusCode::OK, "{}", server.stderr());
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!([{"id": 1, "title": "over TCP", "done": false}])
    );
    let res = server.send("GET", "/stats", None);
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"todos": 1, "done": 0, "open": 1})
    );
}
