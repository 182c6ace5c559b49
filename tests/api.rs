//! End-to-end tests of the example REST API (`examples/rest_api.rs`) against its contract: the
//! status codes, fields and bodies of every route, as the rows below state them.
//!
//! Each test serves a fresh `rest_api::app()` (so a fresh, empty store) on `127.0.0.1:0`:
//! - every contract row is checked through a real HTTP client (`ureq`, configured so that 4xx and
//!   5xx are responses, not errors);
//! - a concurrency test runs 50 clients × 100 mixed requests over keep-alive connections and then
//!   checks the store exactly;
//! - one table of requests runs through both the in-process `TestClient` and a socket (in raw
//!   bytes over `std::net::TcpStream`, see `support`), which must answer identically (the `Date`
//!   field aside), with the status the contract gives.
//!
//! The contract's protocol paragraph restates generic server rules: those are tested once, in
//! `tests/server.rs`.
//!
//! Client sockets have read timeouts, so a hang fails a test instead of blocking it; no test
//! asserts on how long anything took.

#[path = "../examples/rest_api.rs"]
#[allow(dead_code)] // `main` is not called here
mod rest_api;

mod support;

use framework::test::{TestClient, TestRequest, TestResponse};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Barrier};
use std::thread;
use support::{Client, HttpResponse, TestApp};

/// The body limit of the contract (default `Limits::max_body`).
const MAX_BODY: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// A real HTTP client
// ---------------------------------------------------------------------------------------------

/// A response as `ureq` received it.
#[derive(Debug)]
struct Reply {
    status: u16,
    /// Names lowercased (the `http` crate's form), in the order received.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// The only value of a field; fails if it is repeated.
    fn header(&self, name: &str) -> Option<&str> {
        support::single_field(&self.headers, name, self)
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The body as JSON, served as `application/json`.
    fn json(&self) -> Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "not JSON: {self:?}"
        );
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("bad JSON ({e}): {self:?}"))
    }

    /// Asserts the status and that the body is `{"error": "<non-empty string>"}` as
    /// `application/json`.
    fn assert_error(&self, status: u16) {
        assert_eq!(self.status, status, "wrong status: {self:?}");
        assert_error_body(self.header("content-type"), &self.body);
    }

    /// The `Allow` methods, as a set.
    fn allow(&self) -> HashSet<String> {
        self.header("allow")
            .unwrap_or_else(|| panic!("no Allow in {self:?}"))
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect()
    }
}

/// An error body: exactly `{"error": "<non-empty string>"}`, as `application/json`.
fn assert_error_body(content_type: Option<&str>, body: &[u8]) {
    let shown = String::from_utf8_lossy(body);
    assert_eq!(
        content_type,
        Some("application/json"),
        "error not JSON: {shown}"
    );
    let value: Value =
        serde_json::from_slice(body).unwrap_or_else(|e| panic!("bad JSON ({e}): {shown}"));
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("not an error object: {value}"));
    assert_eq!(object.len(), 1, "only `error` expected in {value}");
    let message = object
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string `error` in {value}"));
    assert!(!message.is_empty(), "empty error message in {value}");
}

/// A fresh example app served on a free port, and a `ureq` agent for it.
struct Api {
    server: TestApp,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .timeout_global(Some(support::IO_TIMEOUT))
        .build()
        .into()
}

impl Api {
    fn start() -> Self {
        Self {
            server: TestApp::start(rest_api::app()),
            agent: agent(),
        }
    }

    fn url(&self, target: &str) -> String {
        format!("http://{}{target}", self.server.addr)
    }

    /// Any request; `body: None` sends none.
    fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Reply {
        send_with(&self.agent, &self.url(target), method, headers, body)
    }

    fn get(&self, target: &str) -> Reply {
        self.send("GET", target, &[], None)
    }

    fn delete(&self, target: &str) -> Reply {
        self.send("DELETE", target, &[], None)
    }

    /// A body with a Content-Type.
    fn send_as(&self, method: &str, target: &str, content_type: &str, body: &[u8]) -> Reply {
        self.send(
            method,
            target,
            &[("Content-Type", content_type)],
            Some(body),
        )
    }

    fn post_json(&self, target: &str, body: &str) -> Reply {
        self.send_as("POST", target, "application/json", body.as_bytes())
    }

    fn put_json(&self, target: &str, body: &str) -> Reply {
        self.send_as("PUT", target, "application/json", body.as_bytes())
    }

    fn post_form(&self, target: &str, body: &str) -> Reply {
        self.send_as(
            "POST",
            target,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        )
    }

    /// Creates a user through `POST /users`; returns its id.
    fn create(&self, name: &str, email: &str) -> u64 {
        let res = self.post_json("/users", &json!({"name": name, "email": email}).to_string());
        assert_eq!(res.status, 201, "{res:?}");
        let user = res.json();
        user["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("no numeric id in {user}"))
    }

    /// `GET target`, which must be a 200 JSON array of users; returns their ids.
    fn list_ids(&self, target: &str) -> Vec<u64> {
        let res = self.get(target);
        assert_eq!(res.status, 200, "{res:?}");
        let users = res.json();
        let ids: Vec<u64> = users
            .as_array()
            .unwrap_or_else(|| panic!("not a JSON array: {users}"))
            .iter()
            .map(|u| {
                u["id"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("no numeric id in {u}"))
            })
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ids not ascending: {ids:?}"
        );
        ids
    }
}

fn send_with(
    agent: &ureq::Agent,
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Reply {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let built = match body {
        None => builder.body(()).map(|req| agent.run(req)),
        Some(body) => builder.body(body.to_vec()).map(|req| agent.run(req)),
    };
    let res = built
        .unwrap_or_else(|e| panic!("{method} {url}: not a request: {e}"))
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(n, v)| {
            let value = v
                .to_str()
                .unwrap_or_else(|e| panic!("{method} {url}: {n} is not visible ASCII: {e}"));
            (n.as_str().to_owned(), value.to_owned())
        })
        .collect();
    let body = res
        .into_body()
        .with_config()
        .limit(4 * MAX_BODY as u64)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("{method} {url}: reading the body: {e}"));
    Reply {
        status,
        headers,
        body,
    }
}

fn user(id: u64, name: &str, email: &str) -> Value {
    json!({"id": id, "name": name, "email": email})
}

// ---------------------------------------------------------------------------------------------
// Every contract row, through ureq
// ---------------------------------------------------------------------------------------------

#[test]
fn health_plaintext_and_json() {
    let api = Api::start();

    let res = api.get("/health");
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), json!({"status": "ok"}));
    assert_eq!(res.text(), r#"{"status":"ok"}"#);

    let res = api.get("/plaintext");
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.text(), "Hello, World!");
    assert_eq!(res.header("content-length"), Some("13"));

    let res = api.get("/json");
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), json!({"message": "Hello, World!"}));
    assert_eq!(res.text(), r#"{"message":"Hello, World!"}"#);
}

#[test]
fn echo_returns_the_body_with_its_content_type() {
    let api = Api::start();

    let csv = b"id,name\n1,Ann\n2,Bob\n";
    let res = api.send_as("POST", "/echo", "text/csv", csv);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/csv"));
    assert_eq!(res.body, csv);

    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let res = api.send_as("POST", "/echo", "application/octet-stream", &binary);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    assert_eq!(res.body, binary);

    // Parameters come back as sent.
    let res = api.send_as(
        "POST",
        "/echo",
        "text/plain; charset=iso-8859-1",
        b"caf\xe9",
    );
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=iso-8859-1")
    );
    assert_eq!(res.body, b"caf\xe9");

    // An empty body comes back empty.
    let res = api.send_as("POST", "/echo", "text/plain", b"");
    assert_eq!(res.status, 200);
    assert!(res.body.is_empty(), "{res:?}");

    // Exactly the limit is still accepted.
    let full = vec![b'x'; MAX_BODY];
    let res = api.send_as("POST", "/echo", "application/octet-stream", &full);
    assert_eq!(res.status, 200);
    assert_eq!(res.body.len(), MAX_BODY);
}

#[test]
fn list_users_pages_and_filters() {
    let api = Api::start();
    assert_eq!(api.get("/users").json(), json!([]));

    for i in 1..=60 {
        let name = if i % 10 == 0 {
            format!("Alice {i}")
        } else {
            format!("user {i}")
        };
        assert_eq!(api.create(&name, &format!("u{i}@example.com")), i);
    }

    // Default limit 50, ascending ids from the first.
    let ids = api.list_ids("/users");
    assert_eq!(ids, (1..=50).collect::<Vec<u64>>());
    let first = &api.get("/users").json()[0];
    assert_eq!(*first, user(1, "user 1", "u1@example.com"));

    assert_eq!(
        api.list_ids("/users?limit=100"),
        (1..=60).collect::<Vec<_>>()
    );
    assert_eq!(
        api.list_ids("/users?offset=55"),
        (56..=60).collect::<Vec<_>>()
    );
    assert_eq!(api.list_ids("/users?limit=2&offset=3"), vec![4, 5]);
    assert_eq!(api.list_ids("/users?limit=0"), Vec::<u64>::new());
    assert_eq!(api.list_ids("/users?offset=60"), Vec::<u64>::new());
    assert_eq!(api.list_ids("/users?offset=4294967295"), Vec::<u64>::new());

    // Substring filter on the name, then paging within the matches.
    assert_eq!(
        api.list_ids("/users?name=Alice"),
        vec![10, 20, 30, 40, 50, 60]
    );
    assert_eq!(api.list_ids("/users?name=lice+1"), vec![10]);
    assert_eq!(api.list_ids("/users?name=lice%201"), vec![10]);
    assert_eq!(
        api.list_ids("/users?name=Alice&limit=2&offset=1"),
        vec![20, 30]
    );
    assert_eq!(api.list_ids("/users?name=nobody"), Vec::<u64>::new());
    assert_eq!(
        api.get("/users?name=ice+6").json(),
        json!([user(60, "Alice 60", "u60@example.com")])
    );

    // Values that do not parse.
    api.get("/users?limit=x").assert_error(400);
    api.get("/users?offset=-1").assert_error(400);
    api.get("/users?limit=-1").assert_error(400);
    api.get("/users?limit=4294967296").assert_error(400);
    api.get("/users?limit=1.5").assert_error(400);
}

#[test]
fn create_user_with_json() {
    let api = Api::start();

    let res = api.post_json("/users", r#"{"name":"Ann","email":"ann@example.com"}"#);
    assert_eq!(res.status, 201);
    assert_eq!(res.header("location"), Some("/users/1"));
    assert_eq!(res.json(), user(1, "Ann", "ann@example.com"));

    // Ids increase; a charset parameter is still JSON; unknown fields are ignored.
    let res = api.send_as(
        "POST",
        "/users",
        "application/json; charset=utf-8",
        r#"{"name":"Bob","email":"bob@example.com","extra":true}"#.as_bytes(),
    );
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.header("location"), Some("/users/2"));
    assert_eq!(res.json(), user(2, "Bob", "bob@example.com"));

    // The Location names the user.
    let res = api.get("/users/2");
    assert_eq!(res.json(), user(2, "Bob", "bob@example.com"));

    // Malformed JSON: 400.
    api.post_json("/users", r#"{"name":"Ann""#)
        .assert_error(400);
    api.post_json("/users", "").assert_error(400);
    api.post_json("/users", "not json").assert_error(400);
    // Trailing garbage after the value: 400.
    api.post_json("/users", r#"{"name":"a","email":"b"} x"#)
        .assert_error(400);
    // Well-formed, wrong shape: 422.
    api.post_json("/users", r#"{"name":"Ann"}"#)
        .assert_error(422);
    api.post_json("/users", r#"{"email":"ann@example.com"}"#)
        .assert_error(422);
    api.post_json("/users", r#"{"name":1,"email":"ann@example.com"}"#)
        .assert_error(422);
    api.post_json("/users", r#"{"name":"Ann","email":null}"#)
        .assert_error(422);
    api.post_json("/users", "42").assert_error(422);
    // Another Content-Type, or none: 415.
    let body = br#"{"name":"Ann","email":"ann@example.com"}"#;
    api.send_as("POST", "/users", "text/plain", body)
        .assert_error(415);
    api.send_as("POST", "/users", "application/x-www-form-urlencoded", body)
        .assert_error(415);
    api.send("POST", "/users", &[], Some(body))
        .assert_error(415);

    // No failed request created anyone.
    assert_eq!(api.list_ids("/users"), vec![1, 2]);
    assert_eq!(api.create("Cy", "cy@example.com"), 3);
}

#[test]
fn create_user_with_a_form() {
    let api = Api::start();

    let res = api.post_form("/users/form", "name=Ann+Lee&email=ann%40example.com");
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.header("location"), Some("/users/1"));
    assert_eq!(res.json(), user(1, "Ann Lee", "ann@example.com"));
    assert_eq!(
        api.get("/users/1").json(),
        user(1, "Ann Lee", "ann@example.com")
    );

    // Field order does not matter; JSON and form creations share the ids.
    assert_eq!(api.create("Bob", "bob@example.com"), 2);
    let res = api.post_form("/users/form", "email=cy%40example.com&name=Cy");
    assert_eq!(res.status, 201);
    assert_eq!(res.header("location"), Some("/users/3"));
    assert_eq!(res.json(), user(3, "Cy", "cy@example.com"));

    // Malformed form: 400.
    api.post_form("/users/form", "name=%zz&email=a%40b")
        .assert_error(400);
    // Missing field: 422.
    api.post_form("/users/form", "name=Ann").assert_error(422);
    api.post_form("/users/form", "").assert_error(422);
    // Another Content-Type, or none: 415.
    api.send_as(
        "POST",
        "/users/form",
        "application/json",
        br#"{"name":"Ann","email":"a@b"}"#,
    )
    .assert_error(415);
    api.send("POST", "/users/form", &[], Some(b"name=Ann&email=a%40b"))
        .assert_error(415);

    assert_eq!(api.list_ids("/users"), vec![1, 2, 3]);
}

#[test]
fn show_user() {
    let api = Api::start();
    api.create("Ann", "ann@example.com");

    let res = api.get("/users/1");
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), user(1, "Ann", "ann@example.com"));

    api.get("/users/2").assert_error(404);
    api.get("/users/0").assert_error(404);
    // Path values that are not a u64: 400.
    api.get("/users/abc").assert_error(400);
    api.get("/users/-1").assert_error(400);
    api.get("/users/1.0").assert_error(400);
    api.get("/users/18446744073709551616").assert_error(400);
}

#[test]
fn replace_user() {
    let api = Api::start();
    api.create("Ann", "ann@example.com");
    api.create("Bob", "bob@example.com");

    let res = api.put_json("/users/1", r#"{"name":"Anna","email":"anna@example.com"}"#);
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.json(), user(1, "Anna", "anna@example.com"));
    assert_eq!(
        api.get("/users/1").json(),
        user(1, "Anna", "anna@example.com")
    );
    // The other user is untouched.
    assert_eq!(
        api.get("/users/2").json(),
        user(2, "Bob", "bob@example.com")
    );

    // No such user: 404, and nothing is created.
    api.put_json("/users/9", r#"{"name":"X","email":"x@example.com"}"#)
        .assert_error(404);
    api.get("/users/9").assert_error(404);
    api.put_json("/users/abc", r#"{"name":"X","email":"x@example.com"}"#)
        .assert_error(400);

    // The body errors of POST /users.
    api.put_json("/users/1", r#"{"name":"Ann"}"#)
        .assert_error(422);
    api.put_json("/users/1", r#"{"name":true,"email":"a@b"}"#)
        .assert_error(422);
    api.put_json("/users/1", r#"{"name":"#).assert_error(400);
    api.put_json("/users/1", r#"{"name":"a","email":"b"}]"#)
        .assert_error(400);
    let body = br#"{"name":"Ann","email":"ann@example.com"}"#;
    api.send_as("PUT", "/users/1", "text/plain", body)
        .assert_error(415);
    api.send("PUT", "/users/1", &[], Some(body))
        .assert_error(415);

    // None of the failures changed the user.
    assert_eq!(
        api.get("/users/1").json(),
        user(1, "Anna", "anna@example.com")
    );
    assert_eq!(api.list_ids("/users"), vec![1, 2]);
}

#[test]
fn delete_user() {
    let api = Api::start();
    api.create("Ann", "ann@example.com");
    api.create("Bob", "bob@example.com");

    let res = api.delete("/users/1");
    assert_eq!(res.status, 204, "{res:?}");
    assert!(res.body.is_empty(), "{res:?}");
    // RFC 9110 §8.6: no Content-Length in a 204.
    assert_eq!(res.header("content-length"), None);

    api.get("/users/1").assert_error(404);
    api.delete("/users/1").assert_error(404);
    api.put_json("/users/1", r#"{"name":"Ann","email":"ann@example.com"}"#)
        .assert_error(404);
    api.delete("/users/abc").assert_error(400);
    assert_eq!(api.list_ids("/users"), vec![2]);

    // Ids are never reused.
    assert_eq!(api.create("Cy", "cy@example.com"), 3);
    assert_eq!(api.list_ids("/users"), vec![2, 3]);
}

#[test]
fn unknown_routes_and_methods() {
    let api = Api::start();
    api.create("Ann", "ann@example.com");

    api.get("/nope").assert_error(404);
    api.get("/users/1/extra").assert_error(404);
    api.send(
        "POST",
        "/nope",
        &[("Content-Type", "text/plain")],
        Some(b"x"),
    )
    .assert_error(404);

    let res = api.send(
        "PATCH",
        "/users/1",
        &[("Content-Type", "application/json")],
        Some(b"{}"),
    );
    res.assert_error(405);
    let allow = res.allow();
    for method in ["GET", "PUT", "DELETE"] {
        assert!(allow.contains(method), "{method} not in {allow:?}");
    }
    assert!(!allow.contains("POST"), "{allow:?}");

    let res = api.send("POST", "/health", &[], Some(b""));
    res.assert_error(405);
    assert_eq!(
        res.allow(),
        HashSet::from(["GET", "HEAD", "OPTIONS"].map(String::from))
    );

    let res = api.delete("/users");
    res.assert_error(405);
    let allow = res.allow();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow:?}");

    // `/users/form` exists (POST), so GET there is 405, not a bad `:id`.
    let res = api.get("/users/form");
    res.assert_error(405);
    assert!(res.allow().contains("POST"), "{res:?}");
    let res = api.get("/echo");
    res.assert_error(405);
    assert!(res.allow().contains("POST"));
}

#[test]
fn body_over_the_limit_is_413() {
    let api = Api::start();
    let big = vec![b' '; MAX_BODY + 1];
    api.send_as("POST", "/users", "application/json", &big)
        .assert_error(413);
    api.send_as("POST", "/echo", "application/octet-stream", &big)
        .assert_error(413);
    // A client that sends a much larger body whole before reading still gets the 413.
    let huge = vec![b' '; 4 * MAX_BODY];
    api.send_as("POST", "/users", "application/json", &huge)
        .assert_error(413);
    // The server still serves, and nothing was created.
    assert_eq!(api.list_ids("/users"), Vec::<u64>::new());
}

#[test]
fn head_and_options_through_a_client() {
    let api = Api::start();
    api.create("Ann", "ann@example.com");

    for target in ["/health", "/plaintext", "/json", "/users", "/users/1"] {
        let get = api.get(target);
        let head = api.send("HEAD", target, &[], None);
        assert_eq!(head.status, 200, "HEAD {target}");
        assert!(head.body.is_empty(), "HEAD {target}: {head:?}");
        let strip = |r: &Reply| -> Vec<(String, String)> {
            r.headers
                .iter()
                .filter(|(n, _)| n != "date")
                .cloned()
                .collect()
        };
        assert_eq!(strip(&head), strip(&get), "HEAD {target} vs GET");
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str())
        );
    }
    let res = api.send("HEAD", "/users/9", &[], None);
    assert_eq!(res.status, 404);
    assert!(res.body.is_empty());

    let res = api.send("OPTIONS", "/users", &[], None);
    assert_eq!(res.status, 204, "{res:?}");
    assert!(res.body.is_empty());
    let allow = res.allow();
    for method in ["GET", "POST"] {
        assert!(allow.contains(method), "{method} not in {allow:?}");
    }
    let res = api.send("OPTIONS", "/users/1", &[], None);
    assert_eq!(res.status, 204);
    let allow = res.allow();
    for method in ["GET", "PUT", "DELETE"] {
        assert!(allow.contains(method), "{method} not in {allow:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Raw-socket helpers
// ---------------------------------------------------------------------------------------------
//
// The contract's protocol paragraph ("server, before routing") restates the server's own rules;
// they are tested once, against a bare server, in `tests/server.rs`. Here the example is checked
// against them only through the table below (statuses, error bodies, `Date` and framing of each
// of its responses, on a socket and in-process).

fn serve() -> TestApp {
    TestApp::start(rest_api::app())
}

fn json_request(method: &str, target: &str, body: &str) -> Vec<u8> {
    let mut bytes = format!(
        "{method} {target} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Date, and Content-Length or chunked unless the status forbids a body.
fn assert_framed(res: &HttpResponse) {
    assert!(res.header("date").is_some(), "no Date: {res:?}");
    if res.status != 204 && res.status >= 200 {
        let framed = res.header("content-length").is_some()
            || res.header("transfer-encoding") == Some("chunked");
        assert!(framed, "neither Content-Length nor chunked: {res:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Concurrency: 50 clients × 100 mixed requests, then an exact check of the store
// ---------------------------------------------------------------------------------------------

const THREADS: usize = 50;
const REQUESTS_PER_THREAD: usize = 100;

/// One client's connection: a raw keep-alive socket, or a `ureq` agent (which keeps its
/// connection alive in its pool).
enum Conn {
    Raw(Client),
    Ureq(ureq::Agent, std::net::SocketAddr),
}

impl Conn {
    /// Sends a request and returns the status and the body.
    fn call(
        &mut self,
        method: &str,
        target: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        match self {
            Self::Raw(c) => {
                let mut bytes = format!("{method} {target} HTTP/1.1\r\nHost: test\r\n");
                if let Some(ct) = content_type {
                    bytes.push_str(&format!("Content-Type: {ct}\r\n"));
                }
                if !body.is_empty() {
                    bytes.push_str(&format!("Content-Length: {}\r\n", body.len()));
                }
                bytes.push_str("\r\n");
                let mut bytes = bytes.into_bytes();
                bytes.extend_from_slice(body);
                c.send(&bytes);
                let res = c.read_response();
                assert_ne!(res.header("connection"), Some("close"), "{res:?}");
                (res.status, res.body)
            }
            Self::Ureq(agent, addr) => {
                let url = format!("http://{addr}{target}");
                let headers: Vec<(&str, &str)> = content_type
                    .map(|ct| ("Content-Type", ct))
                    .into_iter()
                    .collect();
                let body = (!body.is_empty()).then_some(body);
                let res = send_with(agent, &url, method, &headers, body);
                (res.status, res.body)
            }
        }
    }
}

/// What one client created and deleted, and the last name and email it wrote for each user.
#[derive(Default)]
struct Ledger {
    live: BTreeMap<u64, (String, String)>,
    deleted: Vec<u64>,
    created: Vec<u64>,
}

fn parse_user(body: &[u8]) -> (u64, String, String) {
    let v = parse_json(body);
    assert_eq!(v.as_object().map(serde_json::Map::len), Some(3), "{v}");
    match (v["id"].as_u64(), v["name"].as_str(), v["email"].as_str()) {
        (Some(id), Some(name), Some(email)) => (id, name.to_owned(), email.to_owned()),
        _ => panic!("not a user: {v}"),
    }
}

/// A JSON body; fails the test if it is not JSON.
fn parse_json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn client_run(t: usize, mut conn: Conn) -> Ledger {
    let mut ledger = Ledger::default();
    // `w07-` is this client's name prefix: no other client's names contain it.
    let prefix = format!("w{t:02}-");
    for i in 0..REQUESTS_PER_THREAD {
        match i % 10 {
            0..=2 => {
                let (name, email) = (
                    format!("{prefix}c{i:03}"),
                    format!("w{t:02}.c{i:03}@ex.org"),
                );
                let body = json!({"name": name, "email": email}).to_string();
                let (status, res) =
                    conn.call("POST", "/users", Some("application/json"), body.as_bytes());
                assert_eq!(status, 201);
                let (id, n, e) = parse_user(&res);
                assert_eq!((&n, &e), (&name, &email));
                ledger.created.push(id);
                ledger.live.insert(id, (name, email));
            }
            3 => {
                let (name, email) = (
                    format!("{prefix}f{i:03}"),
                    format!("w{t:02}.f{i:03}@ex.org"),
                );
                let body = format!("name={name}&email={}", email.replace('@', "%40"));
                let (status, res) = conn.call(
                    "POST",
                    "/users/form",
                    Some("application/x-www-form-urlencoded"),
                    body.as_bytes(),
                );
                assert_eq!(status, 201);
                let (id, n, e) = parse_user(&res);
                assert_eq!((&n, &e), (&name, &email));
                ledger.created.push(id);
                ledger.live.insert(id, (name, email));
            }
            4 => {
                let Some((&id, expected)) = ledger.live.iter().next_back() else {
                    panic!("client {t}: no live user at request {i}")
                };
                let (status, res) = conn.call("GET", &format!("/users/{id}"), None, b"");
                assert_eq!(status, 200);
                let (got_id, n, e) = parse_user(&res);
                assert_eq!((got_id, &(n, e)), (id, expected));
            }
            5 | 6 => {
                let ids: Vec<u64> = ledger.live.keys().copied().collect();
                let id = ids[i % ids.len()];
                let (name, email) = (
                    format!("{prefix}u{i:03}"),
                    format!("w{t:02}.u{i:03}@ex.org"),
                );
                let body = json!({"name": name, "email": email}).to_string();
                let (status, res) = conn.call(
                    "PUT",
                    &format!("/users/{id}"),
                    Some("application/json"),
                    body.as_bytes(),
                );
                assert_eq!(status, 200);
                assert_eq!(parse_user(&res), (id, name.clone(), email.clone()));
                ledger.live.insert(id, (name, email));
            }
            7 => {
                let Some(&id) = ledger.live.keys().next() else {
                    panic!("client {t}: no live user at request {i}")
                };
                let (status, body) = conn.call("DELETE", &format!("/users/{id}"), None, b"");
                assert_eq!(status, 204);
                assert!(body.is_empty());
                ledger.live.remove(&id);
                ledger.deleted.push(id);
            }
            8 => {
                // Only this client writes users with its prefix: the filtered list is exactly
                // its own live users.
                let (status, res) = conn.call(
                    "GET",
                    &format!("/users?name={prefix}&limit=1000"),
                    None,
                    b"",
                );
                assert_eq!(status, 200);
                let listed = parse_json(&res);
                let listed: Vec<(u64, String, String)> = listed
                    .as_array()
                    .unwrap_or_else(|| panic!("not a list: {listed}"))
                    .iter()
                    .map(|v| parse_user(v.to_string().as_bytes()))
                    .collect();
                let expected: Vec<(u64, String, String)> = ledger
                    .live
                    .iter()
                    .map(|(&id, (n, e))| (id, n.clone(), e.clone()))
                    .collect();
                assert_eq!(listed, expected, "client {t}");
            }
            _ => {
                let (status, res) =
                    conn.call("GET", &format!("/users?limit=20&offset={i}"), None, b"");
                assert_eq!(status, 200);
                let listed = parse_json(&res);
                let listed = listed
                    .as_array()
                    .unwrap_or_else(|| panic!("not a list: {listed}"));
                assert!(listed.len() <= 20);
                let ids: Vec<u64> = listed
                    .iter()
                    .map(|u| u["id"].as_u64().unwrap_or_else(|| panic!("no id in {u}")))
                    .collect();
                assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
            }
        }
    }
    ledger
}

#[test]
fn concurrent_clients_leave_a_consistent_store() {
    let app = serve();
    let addr = app.addr;
    let start = Arc::new(Barrier::new(THREADS));
    let clients: Vec<_> = (0..THREADS)
        .map(|t| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let conn = if t % 2 == 0 {
                    Conn::Raw(Client::connect(addr))
                } else {
                    Conn::Ureq(agent(), addr)
                };
                start.wait();
                client_run(t, conn)
            })
        })
        .collect();
    let ledgers: Vec<Ledger> = clients.into_iter().map(|h| h.join().unwrap()).collect();

    let mut expected: BTreeMap<u64, (String, String)> = BTreeMap::new();
    let mut created: Vec<u64> = Vec::new();
    let mut deleted: HashSet<u64> = HashSet::new();
    for ledger in &ledgers {
        created.extend(&ledger.created);
        deleted.extend(&ledger.deleted);
        for (id, user) in &ledger.live {
            assert!(
                expected.insert(*id, user.clone()).is_none(),
                "id {id} twice"
            );
        }
    }
    // Every creation got its own id, and the ids are exactly 1..=N.
    created.sort_unstable();
    let total = created.len();
    assert_eq!(total, THREADS * 40);
    assert_eq!(created, (1..=total as u64).collect::<Vec<_>>());
    assert_eq!(deleted.len(), THREADS * 10);

    let api = Api {
        server: app,
        agent: agent(),
    };
    let res = api.get("/users?limit=100000");
    assert_eq!(res.status, 200);
    let listed = res.json();
    let listed = listed.as_array().expect("a list");
    let ids: Vec<u64> = listed
        .iter()
        .map(|u| u["id"].as_u64().expect("id"))
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids not unique and ascending"
    );
    assert_eq!(listed.len(), total - deleted.len());
    let store: BTreeMap<u64, (String, String)> = listed
        .iter()
        .map(|v| {
            let (id, name, email) = parse_user(v.to_string().as_bytes());
            (id, (name, email))
        })
        .collect();
    for id in &deleted {
        assert!(!store.contains_key(id), "deleted user {id} is listed");
    }
    assert_eq!(store, expected);
}

// ---------------------------------------------------------------------------------------------
// The same table through the test client and through a socket
// ---------------------------------------------------------------------------------------------

/// One request of the table and the status the contract gives it.
struct Row {
    method: &'static str,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    status: u16,
}

fn row(method: &'static str, target: &str, status: u16) -> Row {
    Row {
        method,
        target: target.to_owned(),
        headers: Vec::new(),
        body: None,
        status,
    }
}

impl Row {
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    fn json(self, body: &str) -> Self {
        self.header("Content-Type", "application/json").body(body)
    }

    fn form(self, body: &str) -> Self {
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
    }

    fn describe(&self) -> String {
        format!(
            "{} {:.60} (headers {})",
            self.method,
            self.target,
            self.headers.len()
        )
    }
}

fn table() -> Vec<Row> {
    let user_json = r#"{"name":"Cy","email":"cy@example.com"}"#;
    let mut many_fields = row("GET", "/health", 431);
    for i in 0..100 {
        many_fields = many_fields.header("X-Field", format!("{i}"));
    }
    vec![
        row("GET", "/health", 200),
        row("HEAD", "/health", 200),
        row("GET", "/plaintext", 200),
        row("GET", "/json", 200),
        row("POST", "/echo", 200)
            .header("Content-Type", "text/csv")
            .body("a,b\n1,2\n"),
        row("POST", "/echo", 200)
            .header("Content-Type", "application/octet-stream")
            .body((0..=255u8).collect::<Vec<u8>>()),
        row("GET", "/users", 200),
        row("HEAD", "/users", 200),
        row("GET", "/users?limit=1&offset=1", 200),
        row("GET", "/users?name=li", 200),
        row("GET", "/users?limit=x", 400),
        row("GET", "/users?offset=-1", 400),
        row("POST", "/users", 201).json(user_json),
        row("POST", "/users", 400).json(r#"{"name":"#),
        row("POST", "/users", 400).json(r#"{"name":"a","email":"b"} x"#),
        row("POST", "/users", 422).json(r#"{"name":"Cy"}"#),
        row("POST", "/users", 422).json(r#"{"name":7,"email":"cy@example.com"}"#),
        row("POST", "/users", 415)
            .header("Content-Type", "text/plain")
            .body(user_json),
        row("POST", "/users", 415).body(user_json),
        row("POST", "/users/form", 201).form("name=Cy&email=cy%40example.com"),
        row("POST", "/users/form", 400).form("name=%zz&email=x"),
        row("POST", "/users/form", 422).form("name=Cy"),
        row("POST", "/users/form", 415).json(user_json),
        row("GET", "/users/1", 200),
        row("HEAD", "/users/1", 200),
        row("GET", "/users/99", 404),
        row("GET", "/users/abc", 400),
        row("PUT", "/users/1", 200).json(user_json),
        row("PUT", "/users/99", 404).json(user_json),
        row("PUT", "/users/1", 422).json(r#"{"email":"x"}"#),
        row("PUT", "/users/1", 400).json("{"),
        row("PUT", "/users/1", 415)
            .header("Content-Type", "text/plain")
            .body(user_json),
        row("DELETE", "/users/2", 204),
        row("DELETE", "/users/99", 404),
        row("DELETE", "/users/abc", 400),
        row("GET", "/nope", 404),
        row("PATCH", "/users/1", 405).json(user_json),
        row("POST", "/health", 405).body(""),
        row("OPTIONS", "/users", 204),
        row("OPTIONS", "/users/1", 204),
        row("POST", "/echo", 413)
            .header("Content-Type", "application/octet-stream")
            .body(vec![b'x'; MAX_BODY + 1]),
        row("POST", "/users", 413).json(&" ".repeat(MAX_BODY + 1)),
        row("GET", &format!("/users?name={}", "a".repeat(8 * 1024)), 414),
        row("GET", "/health", 431).header("X-Big", "b".repeat(16 * 1024)),
        many_fields,
        row("POST", "/echo", 501).header("Transfer-Encoding", "gzip"),
        row("POST", "/echo", 400)
            .header("Transfer-Encoding", "chunked")
            .body("5\r\nhello\r\n0\r\n\r\n"),
        row("POST", "/echo", 400)
            .header("Content-Length", "3")
            .body("hello"),
    ]
}

/// Two users, created the same way on both paths before each row.
const SEED: [&str; 2] = [
    r#"{"name":"Alice","email":"alice@example.com"}"#,
    r#"{"name":"Bob","email":"bob@example.com"}"#,
];

type Failure = Box<dyn std::error::Error>;

/// The request of row `r`, built by `client`.
fn row_request<'c>(client: &'c TestClient, r: &Row) -> Result<TestRequest<'c>, Failure> {
    let mut req = client.request(r.method.parse()?, &r.target);
    for (name, value) in &r.headers {
        req = req.header(name, value);
    }
    if let Some(body) = &r.body {
        req = req.body(body.clone());
    }
    Ok(req)
}

fn through_test_client(r: &Row) -> Result<TestResponse, Failure> {
    let client = TestClient::new(rest_api::app())?;
    for body in SEED {
        let res = client
            .post("/users")
            .header("Content-Type", "application/json")
            .body(body)
            .send();
        assert_eq!(res.status().as_u16(), 201);
    }
    Ok(row_request(&client, r)?.send())
}

fn through_socket(r: &Row) -> Result<HttpResponse, Failure> {
    let app = serve();
    for body in SEED {
        let res = app.exchange(&json_request("POST", "/users", body), false);
        assert_eq!(res.status, 201);
    }
    // The same bytes the test client sends.
    let bytes = row_request(&TestClient::new(rest_api::app())?, r)?.to_bytes();
    let mut c = app.connect();
    let writer = c.send_in_background(bytes);
    let res = if r.method == "HEAD" {
        c.read_head_response()
    } else {
        c.read_response()
    };
    writer.join().map_err(|_| "the writer thread panicked")?;
    Ok(res)
}

#[test]
fn test_client_and_socket_answer_alike() -> Result<(), Failure> {
    for r in table() {
        let what = r.describe();
        let local = through_test_client(&r)?;
        let remote = through_socket(&r)?;

        assert_eq!(remote.status, r.status, "{what}: {remote:?}");
        assert_eq!(local.status().as_u16(), remote.status, "{what}");
        let local_fields: Vec<(String, String)> = local
            .headers()
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("date"))
            .map(|(n, v)| (n.to_owned(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        let remote_fields: Vec<(String, String)> = remote
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("date"))
            .cloned()
            .collect();
        assert_eq!(local_fields, remote_fields, "{what}");
        assert_eq!(local.bytes(), remote.body.as_slice(), "{what}");
        assert!(local.header("date").is_some(), "{what}");
        assert_framed(&remote);
        if r.status >= 400 {
            assert_error_body(remote.header("content-type"), &remote.body);
        }
    }
    Ok(())
}
