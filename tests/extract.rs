//! End-to-end tests of the extractors, the responders and the error hook, over real sockets: apps
//! built with the route attributes, served with `App::bind` + `serve` on `127.0.0.1:0` in a
//! thread, and spoken to in raw bytes through `std::net::TcpStream` (see `support`).
//!
//! This file is the extractor and responder layer (path parameters, query, form, JSON, raw bodies
//! and their limit, headers, state, responders, the error hook); the protocol under it is in
//! `tests/server.rs`, routing in `tests/routing.rs`.
//!
//! Every rejection is checked with its status and its `{"error": "..."}` JSON body. Client sockets
//! have read timeouts, so a hang fails a test instead of blocking it; no test asserts on how long
//! anything took.

mod support;

use framework::extract::{names, Cookies, Header, HeaderName, Headers, Json, RemoteAddr, Uri};
use framework::respond::{Html, Redirect};
use framework::{
    get, post, route, routes, App, Body, BodyError, BuildError, Error, Form, HeaderError,
    HeaderMap, IntoResponse, Limits, Method, Query, Request, Response, ResponseBody, RunError,
    State, StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use support::{request, request_chunked, request_with_body, Client, HttpResponse, TestApp};

// ---------------------------------------------------------------------------------------------
// Request helpers beyond `support`.
// ---------------------------------------------------------------------------------------------

/// A request with extra header lines (each `Name: value`) and a Content-Length body.
fn request_with(method: &str, target: &str, fields: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("{method} {target} HTTP/1.1\r\nHost: test\r\n").into_bytes();
    for field in fields {
        bytes.extend_from_slice(field.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(body);
    bytes
}

/// A POST with this Content-Type (none when `None`) and body.
fn post_typed(target: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    match content_type {
        Some(ct) => request_with("POST", target, &[&format!("Content-Type: {ct}")], body),
        None => request_with("POST", target, &[], body),
    }
}

/// A chunked POST with this Content-Type.
fn post_chunked_typed(target: &str, content_type: &str, pieces: &[&[u8]]) -> Vec<u8> {
    let plain = request_chunked("POST", target, pieces);
    // The field goes right after the request line.
    let request_line = format!("POST {target} HTTP/1.1\r\n");
    let mut bytes = request_line.clone().into_bytes();
    bytes.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    bytes.extend_from_slice(&plain[request_line.len()..]);
    bytes
}

/// The JSON body of a response, after checking its status and Content-Type.
fn json_body(res: &HttpResponse, status: u16) -> Value {
    assert_eq!(res.status, status, "wrong status in {res:?}");
    assert_eq!(
        res.header("content-type"),
        Some("application/json"),
        "{res:?}"
    );
    serde_json::from_slice(&res.body).unwrap_or_else(|e| panic!("bad JSON ({e}): {res:?}"))
}

// ---------------------------------------------------------------------------------------------
// Path parameters
// ---------------------------------------------------------------------------------------------

#[get("/hello/:name")]
fn hello(name: String) -> String {
    format!("Hello, {name}!")
}

#[get("/items/:id")]
fn item(id: u64) -> String {
    format!("item {id}")
}

#[test]
fn path_parameters_are_percent_decoded_and_parsed() {
    let server = TestApp::start(App::new().mount("/", routes![hello, item]));
    let res = server.get("/hello/J%C3%BCrgen");
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "Hello, Jürgen!");
    assert_eq!(server.get("/hello/a%20b").text(), "Hello, a b!");
    // An escaped `/` stays inside the one segment.
    assert_eq!(server.get("/hello/a%2Fb").text(), "Hello, a/b!");

    assert_eq!(server.get("/items/42").text(), "item 42");
    let message = server.get("/items/abc").assert_json_error(400, "`id`");
    assert!(message.contains("abc"), "{message}");
    server.get("/items/-1").assert_json_error(400, "`id`");

    server.get("/hello/%zz").assert_json_error(400, "`name`");
    server.get("/items/%zz").assert_json_error(400, "`id`");
    // Not UTF-8 once decoded.
    server.get("/hello/%FF").assert_json_error(400, "`name`");
}

// ---------------------------------------------------------------------------------------------
// Query
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Sort {
    Asc,
    Desc,
}

#[derive(Debug, Deserialize, Serialize)]
struct Search {
    #[serde(default)]
    offset: u32,
    limit: Option<u32>,
    #[serde(default)]
    tag: Vec<String>,
    q: Option<String>,
    sort: Option<Sort>,
}

#[get("/search")]
fn search(Query(search): Query<Search>) -> Json<Search> {
    Json(search)
}

/// The handler sees the rejection and answers on its own.
#[get("/search-or-help")]
fn search_or_help(search: Result<Query<Search>, Error>) -> (StatusCode, String) {
    match search {
        Ok(Query(s)) => (StatusCode::OK, format!("offset {}", s.offset)),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("see /help ({})", e.status().as_u16()),
        ),
    }
}

fn query_app() -> App {
    App::new().mount("/", routes![search, search_or_help])
}

#[test]
fn query_without_a_query_string_uses_the_defaults() {
    let server = TestApp::start(query_app());
    let res = server.get("/search");
    assert_eq!(
        json_body(&res, 200),
        json!({"offset": 0, "limit": null, "tag": [], "q": null, "sort": null})
    );
    // An empty query string is the same.
    assert_eq!(json_body(&server.get("/search?"), 200)["offset"], 0);
}

#[test]
fn query_fills_options_vecs_and_enums_and_decodes_text() {
    let server = TestApp::start(query_app());
    let res = server
        .get("/search?offset=5&limit=10&tag=a&tag=b%20c&tag=d+e&q=caf%C3%A9+au+lait&sort=desc");
    assert_eq!(
        json_body(&res, 200),
        json!({
            "offset": 5,
            "limit": 10,
            "tag": ["a", "b c", "d e"],
            "q": "café au lait",
            "sort": "desc",
        })
    );
    // A single value is a one-element Vec; `%2B` is a literal plus; unknown keys are ignored.
    let res = server.get("/search?tag=x&q=1%2B1&other=1");
    let body = json_body(&res, 200);
    assert_eq!(body["tag"], json!(["x"]));
    assert_eq!(body["q"], "1+1");
    assert_eq!(
        json_body(&server.get("/search?sort=asc"), 200)["sort"],
        "asc"
    );
}

#[test]
fn query_rejections_are_400_json_naming_the_field() {
    let server = TestApp::start(query_app());
    let message = server
        .get("/search?limit=ten")
        .assert_json_error(400, "`limit`");
    assert!(message.contains("ten"), "{message}");
    // u32 overflow, and a negative number for an unsigned field.
    server
        .get("/search?limit=4294967296")
        .assert_json_error(400, "`limit`");
    server
        .get("/search?offset=-1")
        .assert_json_error(400, "`offset`");
    // An enum from a name it does not have.
    let message = server
        .get("/search?sort=sideways")
        .assert_json_error(400, "sideways");
    assert!(message.contains("sort"), "{message}");
    // A malformed escape, and a single-valued field given twice.
    server.get("/search?q=%zz").assert_json_error(400, "`q`");
    server
        .get("/search?limit=1&limit=2")
        .assert_json_error(400, "`limit`");
}

#[test]
fn result_of_query_lets_the_handler_answer_the_rejection() {
    let server = TestApp::start(query_app());
    let res = server.get("/search-or-help?offset=3");
    assert_eq!((res.status, res.text().as_str()), (200, "offset 3"));
    let res = server.get("/search-or-help?offset=x");
    assert_eq!((res.status, res.text().as_str()), (422, "see /help (400)"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

// ---------------------------------------------------------------------------------------------
// Form
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Login {
    user: String,
    age: u8,
    remember: Option<bool>,
}

#[post("/login")]
fn login(Form(login): Form<Login>) -> String {
    format!("{} {} {:?}", login.user, login.age, login.remember)
}

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn form_bodies_deserialize_with_or_without_a_charset() {
    let server = TestApp::start(App::new().mount("/", routes![login]));
    let res = server.exchange(
        &post_typed("/login", Some(FORM), b"user=ann+lee&age=30&remember=true"),
        false,
    );
    assert_eq!(
        (res.status, res.text().as_str()),
        (200, "ann lee 30 Some(true)")
    );
    for ct in [
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-Urlencoded;charset=utf-8",
    ] {
        let res = server.exchange(
            &post_typed("/login", Some(ct), b"user=J%C3%BCrgen&age=7"),
            false,
        );
        assert_eq!(
            (res.status, res.text().as_str()),
            (200, "Jürgen 7 None"),
            "{ct}"
        );
    }
    // Chunked too.
    let res = server.exchange(
        &post_chunked_typed("/login", FORM, &[b"user=a", b"&age=1"]),
        false,
    );
    assert_eq!((res.status, res.text().as_str()), (200, "a 1 None"));
}

#[test]
fn form_rejections_have_their_statuses_and_json_bodies() {
    let server = TestApp::start(App::new().mount("/", routes![login]));
    let body = b"user=a&age=1";
    // Not a form, or no Content-Type at all: 415.
    for ct in [
        Some("application/json"),
        Some("multipart/form-data; boundary=x"),
        Some("text/plain"),
        None,
    ] {
        server
            .exchange(&post_typed("/login", ct, body), false)
            .assert_json_error(415, "application/x-www-form-urlencoded");
    }
    // Malformed: a bad escape, or bytes that are not UTF-8.
    server
        .exchange(&post_typed("/login", Some(FORM), b"user=%zz&age=1"), false)
        .assert_json_error(400, "malformed form");
    server
        .exchange(&post_typed("/login", Some(FORM), b"user=\xff&age=1"), false)
        .assert_json_error(400, "malformed form");
    // Well-formed, wrong shape: 422 naming the field.
    server
        .exchange(&post_typed("/login", Some(FORM), b"user=a"), false)
        .assert_json_error(422, "missing field `age`");
    server
        .exchange(&post_typed("/login", Some(FORM), b"user=a&age=300"), false)
        .assert_json_error(422, "`age`");
    server
        .exchange(
            &post_typed("/login", Some(FORM), b"user=a&age=1&remember=yes"),
            false,
        )
        .assert_json_error(422, "`remember`");
}

// ---------------------------------------------------------------------------------------------
// Json
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct NewUser {
    name: String,
    age: u8,
}

#[derive(Serialize)]
struct User {
    id: u64,
    name: String,
    age: u8,
}

/// Status, a Location field and a JSON body.
#[post("/users")]
fn create_user(Json(new): Json<NewUser>) -> (StatusCode, [(&'static str, String); 1], Json<User>) {
    let user = User {
        id: 7,
        name: new.name,
        age: new.age,
    };
    let location = format!("/users/{}", user.id);
    (StatusCode::CREATED, [("Location", location)], Json(user))
}

#[post("/json")]
fn echo_json(Json(value): Json<Value>) -> Json<Value> {
    Json(value)
}

/// `None` when the body is not a `NewUser`: the handler decides.
#[post("/maybe-user")]
fn maybe_user(user: Option<Json<NewUser>>) -> String {
    user.map_or_else(
        || "no user".to_string(),
        |Json(u)| format!("user {}", u.name),
    )
}

/// The handler sees the rejection and builds its own response.
#[post("/user-or-teapot")]
fn user_or_teapot(user: Result<Json<NewUser>, Error>) -> Result<Response, Error> {
    let teapot = StatusCode::from_u16(418).ok_or_else(|| Error::internal("418 is a status"))?;
    Ok(match user {
        Ok(Json(u)) => Response::text(format!("user {}", u.name)),
        Err(rejection) => Response::text(format!(
            "rejected with {}: {}",
            rejection.status().as_u16(),
            rejection.message()
        ))
        .with_status(teapot),
    })
}

#[get("/ping")]
fn ping() -> &'static str {
    "pong"
}

fn json_app() -> App {
    App::new().mount(
        "/",
        routes![create_user, echo_json, maybe_user, user_or_teapot, ping],
    )
}

#[test]
fn json_bodies_are_accepted_for_every_json_media_type() {
    let server = TestApp::start(json_app());
    for ct in [
        "application/json",
        "application/vnd.api+json",
        "APPLICATION/JSON; charset=utf-8",
        "application/problem+json",
    ] {
        let res = server.exchange(
            &post_typed("/users", Some(ct), br#"{"name":"Ann","age":30}"#),
            false,
        );
        assert_eq!(
            json_body(&res, 201),
            json!({"id": 7, "name": "Ann", "age": 30}),
            "{ct}"
        );
        // The tuple's field is there, and the body's Content-Type is not repeated (`header`
        // fails on a repeated field).
        assert_eq!(res.header("location"), Some("/users/7"));
    }
    // Chunked.
    let res = server.exchange(
        &post_chunked_typed("/json", "application/json", &[b"[1,", b"2]"]),
        false,
    );
    assert_eq!(json_body(&res, 200), json!([1, 2]));
}

#[test]
fn json_with_a_wrong_or_missing_content_type_is_a_415() {
    let server = TestApp::start(json_app());
    let body = br#"{"name":"Ann","age":30}"#;
    for ct in [
        Some("text/plain"),
        Some("text/json"),
        Some("application/jsonx"),
        Some(FORM),
        None,
    ] {
        server
            .exchange(&post_typed("/users", ct, body), false)
            .assert_json_error(415, "application/json");
    }
}

#[test]
fn malformed_json_and_trailing_bytes_are_400s() {
    let server = TestApp::start(json_app());
    for (body, needle) in [
        (&br#"{"name":"#[..], "EOF while parsing"),
        (b"{nope}", "key must be a string"),
        (b"", "EOF while parsing"),
        (br#"{"name":"Ann","age":30} x"#, "trailing characters"),
        (br#"{"name":"Ann","age":30}{}"#, "trailing characters"),
    ] {
        let message = server
            .exchange(&post_typed("/users", Some("application/json"), body), false)
            .assert_json_error(400, "malformed JSON");
        assert!(message.contains(needle), "{message}");
        assert!(message.contains("at line 1 column"), "{message}");
    }
}

#[test]
fn json_of_the_wrong_shape_is_a_422_with_the_position() {
    let server = TestApp::start(json_app());
    let message = server
        .exchange(
            &post_typed("/users", Some("application/json"), br#"{"name":"Ann"}"#),
            false,
        )
        .assert_json_error(422, "missing field `age`");
    assert!(message.contains("at line 1 column 14"), "{message}");
    let message = server
        .exchange(
            &post_typed(
                "/users",
                Some("application/json"),
                b"{\n  \"name\": \"Ann\",\n  \"age\": \"old\"\n}",
            ),
            false,
        )
        .assert_json_error(422, "invalid type: string \"old\", expected u8");
    assert!(message.contains("at line 3 column"), "{message}");
    server
        .exchange(
            &post_typed(
                "/users",
                Some("application/json"),
                br#"{"name":"Ann","age":300}"#,
            ),
            false,
        )
        .assert_json_error(422, "at line 1 column");
}

#[test]
fn deeply_nested_json_is_a_400_and_the_connection_thread_survives() {
    let server = TestApp::start(json_app());
    let deep = "[".repeat(100_000);
    // On one keep-alive connection: the 400, then the same thread serves the next request.
    let mut c = server.connect();
    c.send(&post_typed(
        "/json",
        Some("application/json"),
        deep.as_bytes(),
    ));
    let message = c.read_response().assert_json_error(400, "malformed JSON");
    assert!(message.contains("recursion limit"), "{message}");
    c.send(&request("GET", "/ping"));
    let res = c.read_response();
    assert_eq!((res.status, res.text().as_str()), (200, "pong"));
    // Closing brackets too, and objects.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    c.send(&post_typed(
        "/json",
        Some("application/json"),
        deep.as_bytes(),
    ));
    c.read_response().assert_json_error(400, "recursion limit");
    let deep = r#"{"a":"#.repeat(50_000);
    c.send(&post_typed(
        "/json",
        Some("application/json"),
        deep.as_bytes(),
    ));
    c.read_response().assert_json_error(400, "recursion limit");
    // And the server as a whole.
    assert_eq!(server.get("/ping").text(), "pong");
    // Nesting within the limit is fine.
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let res = server.exchange(
        &post_typed("/json", Some("application/json"), ok.as_bytes()),
        false,
    );
    assert_eq!(res.status, 200);
}

#[test]
fn option_of_json_is_none_instead_of_a_rejection() {
    let server = TestApp::start(json_app());
    let res = server.exchange(
        &post_typed(
            "/maybe-user",
            Some("application/json"),
            br#"{"name":"Ann","age":1}"#,
        ),
        false,
    );
    assert_eq!((res.status, res.text().as_str()), (200, "user Ann"));
    for (ct, body) in [
        (Some("application/json"), &b"{bad"[..]),
        (Some("application/json"), br#"{"name":"Ann"}"#),
        (Some("text/plain"), br#"{"name":"Ann","age":1}"#),
        (None, b""),
    ] {
        let res = server.exchange(&post_typed("/maybe-user", ct, body), false);
        assert_eq!(
            (res.status, res.text().as_str()),
            (200, "no user"),
            "{ct:?}"
        );
    }
}

#[test]
fn result_of_json_hands_the_rejection_to_the_handler() {
    let server = TestApp::start(json_app());
    let res = server.exchange(
        &post_typed(
            "/user-or-teapot",
            Some("application/json"),
            br#"{"name":"Bo","age":1}"#,
        ),
        false,
    );
    assert_eq!((res.status, res.text().as_str()), (200, "user Bo"));
    for (ct, body, status) in [
        (Some("text/plain"), &br#"{"name":"Bo","age":1}"#[..], "415"),
        (Some("application/json"), b"{", "400"),
        (Some("application/json"), br#"{"name":"Bo"}"#, "422"),
    ] {
        let res = server.exchange(&post_typed("/user-or-teapot", ct, body), false);
        assert_eq!(res.status, 418, "{res:?}");
        assert_eq!(
            res.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        let text = res.text();
        assert!(
            text.starts_with(&format!("rejected with {status}: ")),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Raw bodies: String, Vec<u8>, Body, and the body limit
// ---------------------------------------------------------------------------------------------

#[post("/text")]
fn text_body(body: String) -> String {
    format!("{} chars: {body}", body.chars().count())
}

#[post("/bytes")]
fn bytes_body(body: Vec<u8>) -> Vec<u8> {
    body.into_iter().rev().collect()
}

/// Reads the body through `std::io::Read`, three bytes at a time.
#[post("/stream")]
fn stream_body(mut body: Body) -> Result<String, Error> {
    let mut piece = [0u8; 3];
    let mut all = Vec::new();
    loop {
        let n = body.read(&mut piece).map_err(|e| {
            // The framework's error is inside the `io::Error`.
            let status = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<BodyError>())
                .map_or(StatusCode::INTERNAL_SERVER_ERROR, |b| b.status());
            Error::new(status, format!("reading the body: {e}"))
        })?;
        if n == 0 {
            break;
        }
        all.extend_from_slice(&piece[..n]);
    }
    Ok(format!(
        "{} bytes: {}",
        all.len(),
        String::from_utf8_lossy(&all)
    ))
}

fn body_app() -> App {
    App::new().mount(
        "/",
        routes![text_body, bytes_body, stream_body, echo_json, login, ping],
    )
}

#[test]
fn string_bodies_must_be_utf8() {
    let server = TestApp::start(body_app());
    let res = server.exchange(
        &request_with_body("POST", "/text", "héllo".as_bytes()),
        false,
    );
    assert_eq!((res.status, res.text().as_str()), (200, "5 chars: héllo"));
    server
        .exchange(&request_with_body("POST", "/text", b"ok \xff\xfe"), false)
        .assert_json_error(400, "not valid UTF-8");
    // A UTF-8 sequence split across chunks is still fine.
    let res = server.exchange(
        &request_chunked("POST", "/text", &[b"\xc3", b"\xa9"]),
        false,
    );
    assert_eq!(res.text(), "1 chars: é");
    // No body at all is an empty string.
    let res = server.exchange(&request_with_body("POST", "/text", b""), false);
    assert_eq!(res.text(), "0 chars: ");
}

#[test]
fn vec_bodies_are_any_bytes() {
    let server = TestApp::start(body_app());
    let res = server.exchange(&request_with_body("POST", "/bytes", b"\x00\xff\x01"), false);
    assert_eq!(res.status, 200);
    assert_eq!(res.body, b"\x01\xff\x00");
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    let res = server.exchange(&request_chunked("POST", "/bytes", &[b"ab", b"c"]), false);
    assert_eq!(res.body, b"cba");
}

#[test]
fn a_streaming_body_is_read_through_std_io_read() {
    let server = TestApp::start(body_app());
    let res = server.exchange(
        &request_with_body("POST", "/stream", b"hello, streaming world"),
        false,
    );
    assert_eq!(
        (res.status, res.text().as_str()),
        (200, "22 bytes: hello, streaming world")
    );
    let res = server.exchange(
        &request_chunked("POST", "/stream", &[b"ab", b"cdefg", b"h"]),
        false,
    );
    assert_eq!(res.text(), "8 bytes: abcdefgh");
    // A large body, sent while the handler reads it.
    let big = vec![b'x'; 300_000];
    let res = server.exchange(&request_with_body("POST", "/stream", &big), false);
    assert!(
        res.text().starts_with("300000 bytes: xxx"),
        "{}",
        res.status
    );
}

#[test]
fn bodies_over_the_limit_are_413s() {
    let limited = TestApp::start(body_app().limits(Limits::default().with_max_body(16)));
    let within = b"0123456789abcdef";
    let res = limited.exchange(&request_with_body("POST", "/text", within), false);
    assert_eq!(res.status, 200);
    // (A declared length over the limit is refused by the connection before any extractor runs:
    // see `tests/server.rs`, `declared_body_over_limit_gets_413_before_the_body_is_sent`.)

    // Chunked: found out while reading, by each kind of body extractor, and the connection
    // closed.
    for target in ["/text", "/bytes", "/stream"] {
        let responses = limited.exchange_until_close(&request_chunked(
            "POST",
            target,
            &[b"0123456789", b"abcdefg"],
        ));
        assert_eq!(responses.len(), 1, "{target}: {responses:?}");
        responses[0].assert_json_error(413, "request body too large");
        assert_eq!(responses[0].header("connection"), Some("close"));
    }
    // The Json extractor too.
    let responses = limited.exchange_until_close(&post_chunked_typed(
        "/json",
        "application/json",
        &[b"[1,2,3,4,5,", b"6,7,8,9]"],
    ));
    responses[0].assert_json_error(413, "request body too large");
    // And the Form extractor.
    let responses = limited.exchange_until_close(&post_chunked_typed(
        "/login",
        FORM,
        &[b"user=0123456789", b"&age=1"],
    ));
    responses[0].assert_json_error(413, "request body too large");
    // Exactly the limit in chunks, or in one chunk, is fine, and the server still serves.
    let split: &[&[u8]] = &[b"01234567", b"89abcdef"];
    let whole: &[&[u8]] = &[within];
    for pieces in [split, whole] {
        let res = limited.exchange(&request_chunked("POST", "/text", pieces), false);
        assert_eq!(res.text(), "16 chars: 0123456789abcdef");
    }
    assert_eq!(limited.get("/ping").text(), "pong");
}

#[test]
fn an_oversized_chunked_body_at_the_default_limit_is_a_json_413() {
    let server = TestApp::start(body_app());
    let piece = vec![b'a'; 64 * 1024];
    let pieces: Vec<&[u8]> = vec![&piece; 17]; // 1 MiB and 64 KiB, against 1 MiB
    let mut bystander = server.connect();
    // Sent from another thread: the server stops reading at the limit, and only drains the rest
    // (a little here) while it closes the connection, which may then be reset.
    let mut c = server.connect();
    let writer = c.send_in_background(request_chunked("POST", "/bytes", &pieces));
    let _ = c.read_until_close();
    writer.join().unwrap();
    let responses = c.remaining_responses();
    assert_eq!(responses.len(), 1, "{responses:?}");
    responses[0].assert_json_error(413, "request body too large");

    // Exactly the limit, chunked, is accepted.
    let mut c = server.connect();
    let writer = c.send_in_background(request_chunked("POST", "/bytes", &pieces[..16]));
    let res = c.read_response();
    writer.join().unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.body.len(), 1024 * 1024);
    // Other connections are unaffected.
    bystander.send(&request("GET", "/ping"));
    assert_eq!(bystander.read_response().text(), "pong");
}

// ---------------------------------------------------------------------------------------------
// Expect: 100-continue
// ---------------------------------------------------------------------------------------------

// The protocol side (the 100 goes out when the handler first reads the body; a handler that never
// reads it gets no 100 and the connection closes) is in `tests/server.rs`; here, the extractors.

#[test]
fn expect_continue_is_sent_when_an_extractor_reads_the_body_and_not_when_it_rejects_first() {
    let server = TestApp::start(json_app());
    let body = br#"{"name":"Ann","age":30}"#;
    let mut c = server.connect();
    c.send(
        format!(
            "POST /users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
             Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    let interim = c.read_response();
    assert_eq!(interim.status, 100, "{interim:?}");
    assert!(interim.headers.is_empty(), "{interim:?}");
    c.send(body);
    let res = c.read_response();
    assert_eq!(json_body(&res, 201)["name"], "Ann");
    assert_eq!(res.header("connection"), None);
    // The connection is still good.
    c.send(&request("GET", "/ping"));
    assert_eq!(c.read_response().text(), "pong");

    // A rejection before the body is read (wrong Content-Type): no 100, the final response, and
    // a close (the client may or may not send the body now: the connection cannot be reused).
    let head = b"POST /users HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n\
                 Expect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    let responses = server.exchange_until_close(head);
    assert_eq!(responses.len(), 1, "{responses:?}");
    responses[0].assert_json_error(415, "application/json");
    assert_eq!(responses[0].header("connection"), Some("close"));
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

struct Hits(AtomicU64);

#[get("/hits")]
fn hits(hits: State<Hits>) -> String {
    (hits.0.fetch_add(1, Ordering::SeqCst) + 1).to_string()
}

#[test]
fn state_is_shared_across_requests_and_connection_threads() {
    let server = TestApp::start(
        App::new()
            .manage(Hits(AtomicU64::new(0)))
            .mount("/", routes![hits]),
    );
    let addr = server.addr;
    let threads = 4;
    let per_thread = 10;
    let mut seen: Vec<u64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut c = Client::connect(addr);
                    (0..per_thread)
                        .map(|_| {
                            c.send(&request("GET", "/hits"));
                            c.read_response().text().parse::<u64>().unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    seen.sort_unstable();
    let expected: Vec<u64> = (1..=threads * per_thread).collect();
    assert_eq!(seen, expected);
    assert_eq!(
        server.get("/hits").text(),
        (threads * per_thread + 1).to_string()
    );
}

/// State that `counter` and `counter_add` need.
struct Counter {
    value: u64,
}

#[get("/count")]
fn counter(c: State<Counter>) -> String {
    format!("count={}", c.value)
}

/// State taken before a body extractor.
#[post("/count")]
fn counter_add(c: State<Counter>, body: String) -> String {
    format!("count={}+{body}", c.value)
}

#[test]
fn state_that_is_not_registered_fails_the_build() {
    let err = App::new().mount("/", routes![hits]).build().unwrap_err();
    match &err {
        BuildError::MissingState { route, type_name } => {
            assert!(
                route.contains("`hits`") && route.contains(file!()),
                "{route}"
            );
            assert!(type_name.ends_with("::Hits"), "{type_name}");
        }
        other => panic!("expected MissingState, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.starts_with("route `hits` ("), "{message}");
    assert!(message.contains("takes `State<"), "{message}");
    assert!(message.contains("Hits>`, but no `"), "{message}");
    assert!(
        message.ends_with("was registered: add `.manage(value)` to the App"),
        "{message}"
    );
    // `bind` refuses it too, before binding anything.
    let err = App::new()
        .banner(false)
        .mount("/", routes![hits])
        .bind("127.0.0.1:0")
        .unwrap_err();
    assert!(
        matches!(err, RunError::Build(BuildError::MissingState { .. })),
        "{err:?}"
    );

    // Also when the state is not the last argument.
    let err = App::new()
        .mount("/", routes![counter_add])
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, BuildError::MissingState { route, type_name }
            if route.contains("`counter_add`") && type_name.ends_with("::Counter")),
        "{err:?}"
    );
    // Once registered, the app builds, and the state works before a body extractor too.
    let app = || {
        App::new()
            .manage(Counter { value: 7 })
            .mount("/", routes![counter, counter_add])
    };
    assert!(app().build().is_ok());
    let server = TestApp::start(app());
    assert_eq!(server.get("/count").text(), "count=7");
    let res = server.exchange(&request_with_body("POST", "/count", b"1"), false);
    assert_eq!(res.text(), "count=7+1");
}

// ---------------------------------------------------------------------------------------------
// Headers, cookies, method, URI, remote address, the whole request
// ---------------------------------------------------------------------------------------------

struct RequestId;
impl HeaderName for RequestId {
    const NAME: &'static str = "X-Request-Id";
}

#[get("/agent")]
fn agent(ua: Header<names::UserAgent>) -> String {
    ua.value
}

#[get("/trace")]
fn trace(id: Option<Header<RequestId>>) -> String {
    id.map_or_else(|| "no id".to_string(), |h| format!("id {}", h.value))
}

#[get("/auth")]
fn auth(token: Result<Header<names::Authorization>, Error>) -> (StatusCode, String) {
    match token {
        Ok(h) => (StatusCode::OK, h.value),
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            format!("log in first ({})", e.message()),
        ),
    }
}

#[get("/headers")]
fn all_headers(Headers(map): Headers) -> Json<Value> {
    let x: Vec<String> = map
        .get_all("x-multi")
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    Json(json!({"count": map.len(), "host": map.get("HOST"), "x-multi": x}))
}

#[get("/cookies")]
fn cookies(cookies: Cookies) -> String {
    let mut names = ["session", "theme", "lang", "missing"]
        .iter()
        .map(|n| format!("{n}={}", cookies.get(n).unwrap_or("-")))
        .collect::<Vec<_>>();
    names.push(format!("len={}", cookies.len()));
    names.join(" ")
}

#[route(GET, POST, DELETE, "PURGE", "/method")]
fn method(m: Method) -> String {
    m.to_string()
}

#[get("/uri/:seg")]
fn uri(seg: String, uri: Uri) -> String {
    format!("{seg}|{}|{:?}", uri.path, uri.query)
}

#[get("/remote")]
fn remote(RemoteAddr(addr): RemoteAddr) -> String {
    addr.ip().to_string()
}

/// Head extractors, then the whole request (body included) as the last argument.
#[post("/whole/:id")]
fn whole(id: u32, m: Method, mut req: Request) -> Result<String, Error> {
    let body = req.body_mut().text()?;
    Ok(format!(
        "{m} {id} {} {:?} tag={} body={body}",
        req.path(),
        req.query(),
        req.headers().get("x-tag").unwrap_or("-"),
    ))
}

fn head_app() -> App {
    App::new().mount(
        "/",
        routes![
            agent,
            trace,
            auth,
            all_headers,
            cookies,
            method,
            uri,
            remote,
            whole
        ],
    )
}

/// GET with extra header lines.
fn get_with(target: &str, fields: &[&str]) -> Vec<u8> {
    let mut bytes = format!("GET {target} HTTP/1.1\r\nHost: test\r\n").into_bytes();
    for field in fields {
        bytes.extend_from_slice(field.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    bytes
}

#[test]
fn header_extracts_a_named_field() {
    let server = TestApp::start(head_app());
    let res = server.exchange(&get_with("/agent", &["user-agent: curl/8.0"]), false);
    assert_eq!((res.status, res.text().as_str()), (200, "curl/8.0"));
    // The first of several.
    let res = server.exchange(
        &get_with("/agent", &["User-Agent: a", "User-Agent: b"]),
        false,
    );
    assert_eq!(res.text(), "a");
}

#[test]
fn a_missing_header_is_a_400_naming_it() {
    let server = TestApp::start(head_app());
    server
        .get("/agent")
        .assert_json_error(400, "missing header `User-Agent`");
    // UTF-8 beyond ASCII is fine; a value that is not UTF-8 (obs-text, allowed on the wire) is
    // a 400 too.
    let res = server.exchange(&get_with("/agent", &["User-Agent: caf\u{e9}"]), false);
    assert_eq!((res.status, res.text().as_str()), (200, "caf\u{e9}"));
    let latin1 = b"GET /agent HTTP/1.1\r\nHost: test\r\nUser-Agent: caf\xe9\r\n\r\n";
    server
        .exchange(latin1, false)
        .assert_json_error(400, "header `User-Agent` is not valid UTF-8");
}

#[test]
fn optional_and_result_headers_let_the_handler_decide() {
    let server = TestApp::start(head_app());
    assert_eq!(server.get("/trace").text(), "no id");
    let res = server.exchange(&get_with("/trace", &["x-request-id: abc-1"]), false);
    assert_eq!(res.text(), "id abc-1");

    let res = server.get("/auth");
    assert_eq!(
        (res.status, res.text().as_str()),
        (401, "log in first (missing header `Authorization`)")
    );
    let res = server.exchange(&get_with("/auth", &["Authorization: Bearer t"]), false);
    assert_eq!((res.status, res.text().as_str()), (200, "Bearer t"));
}

#[test]
fn headers_copies_the_whole_map() {
    let server = TestApp::start(head_app());
    let res = server.exchange(
        &get_with("/headers", &["X-Multi: 1", "Accept: */*", "x-multi: 2"]),
        false,
    );
    assert_eq!(
        json_body(&res, 200),
        json!({"count": 4, "host": "test", "x-multi": ["1", "2"]})
    );
}

#[test]
fn cookies_are_parsed_from_every_cookie_field() {
    let server = TestApp::start(head_app());
    let res = server.exchange(
        &get_with(
            "/cookies",
            &[
                "Cookie: session=abc123; theme=\"dark\"; junk",
                "Cookie: lang=en; session=late",
            ],
        ),
        false,
    );
    assert_eq!(
        res.text(),
        "session=abc123 theme=dark lang=en missing=- len=3"
    );
    assert_eq!(
        server.get("/cookies").text(),
        "session=- theme=- lang=- missing=- len=0"
    );
}

#[test]
fn method_uri_and_remote_addr_describe_the_request() {
    let server = TestApp::start(head_app());
    for method in ["GET", "POST", "DELETE", "PURGE"] {
        let res = server.exchange(&request_with_body(method, "/method", b""), false);
        assert_eq!((res.status, res.text().as_str()), (200, method));
    }
    // HEAD goes to the GET route, which sees HEAD: the length of "HEAD", and no body.
    let res = server.call("HEAD", "/method");
    assert_eq!((res.status, res.header("content-length")), (200, Some("4")));
    assert!(res.body.is_empty());

    let res = server.get("/uri/a%20b?x=1&y=%2F");
    assert_eq!(res.text(), r#"a b|/uri/a%20b|Some("x=1&y=%2F")"#);
    assert_eq!(server.get("/uri/plain").text(), "plain|/uri/plain|None");

    assert_eq!(server.get("/remote").text(), "127.0.0.1");
}

#[test]
fn the_whole_request_can_be_the_last_argument() {
    let server = TestApp::start(head_app());
    let res = server.exchange(
        &request_with("POST", "/whole/9?q=1", &["X-Tag: t1"], b"payload"),
        false,
    );
    assert_eq!(
        (res.status, res.text().as_str()),
        (200, r#"POST 9 /whole/9 Some("q=1") tag=t1 body=payload"#)
    );
    let res = server.exchange(&request_chunked("POST", "/whole/1", &[b"a", b"b"]), false);
    assert_eq!(res.text(), "POST 1 /whole/1 None tag=- body=ab");
    server
        .exchange(&request_with_body("POST", "/whole/1", b"\xff"), false)
        .assert_json_error(400, "not valid UTF-8");
}

// ---------------------------------------------------------------------------------------------
// Responders
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct Status {
    ok: bool,
    list: Vec<u32>,
}

#[get("/r/json")]
fn r_json() -> Json<Status> {
    Json(Status {
        ok: true,
        list: vec![1, 2],
    })
}

#[get("/r/string")]
fn r_string() -> String {
    "owned ✓".to_string()
}

#[get("/r/str")]
fn r_str() -> &'static str {
    "static"
}

#[get("/r/bytes")]
fn r_bytes() -> Vec<u8> {
    vec![0, 1, 2, 255]
}

#[get("/r/html")]
fn r_html() -> Html<String> {
    Html(format!("<p>{}</p>", 1 + 1))
}

#[get("/r/unit")]
fn r_unit() {}

#[get("/r/status")]
fn r_status() -> StatusCode {
    StatusCode::ACCEPTED
}

#[get("/r/pair")]
fn r_pair() -> (StatusCode, &'static str) {
    (StatusCode::CREATED, "made")
}

#[get("/r/csv")]
fn r_csv() -> (StatusCode, [(&'static str, &'static str); 2], &'static str) {
    (
        StatusCode::OK,
        [("Content-Type", "text/csv"), ("X-Rows", "1")],
        "a,b\n",
    )
}

#[get("/r/option/:id")]
fn r_option(id: u32) -> Option<Json<Value>> {
    (id == 1).then(|| Json(json!({"id": id})))
}

#[get("/r/result/:n")]
fn r_result(n: u32) -> Result<Json<u32>, Error> {
    match n {
        0 => Err(Error::new(StatusCode::CONFLICT, "n must not be zero")),
        n => Ok(Json(n * 2)),
    }
}

#[get("/r/result-text/:n")]
fn r_result_text(n: u32) -> Result<String, Error> {
    if n == 0 {
        Err(Error::new(StatusCode::CONFLICT, "n must not be zero"))
    } else {
        Ok(format!("n={n}"))
    }
}

/// An `Err` side that renders `200 text/plain` (issue 12: it used to answer `200`).
#[get("/r/result-string/:n")]
fn r_result_string(n: u32) -> Result<Json<u32>, String> {
    match n {
        0 => Err("n must not be zero".to_string()),
        n => Ok(Json(n * 2)),
    }
}

/// An `Err` side that chooses its own `4xx`.
#[get("/r/result-pair/:n")]
fn r_result_pair(n: u32) -> Result<Json<u32>, (StatusCode, String)> {
    match n {
        0 => Err((StatusCode::NOT_FOUND, "no such n".to_string())),
        n => Ok(Json(n)),
    }
}

/// An `Err` side that renders a redirect.
#[get("/r/result-redirect")]
fn r_result_redirect() -> Result<&'static str, Redirect> {
    Err(Redirect::see_other("/login"))
}

#[get("/r/error")]
fn r_error() -> Error {
    Error::new(StatusCode::FORBIDDEN, "no \"entry\"")
}

#[get("/r/redirect/:kind")]
fn r_redirect(kind: String) -> Option<Redirect> {
    match kind.as_str() {
        "see" => Some(Redirect::see_other("/users/7")),
        "temp" => Some(Redirect::temporary("/elsewhere?x=1")),
        "perm" => Some(Redirect::permanent("https://example.com/new")),
        _ => None,
    }
}

#[get("/r/builder")]
fn r_builder() -> Result<Response, Error> {
    Response::text("built")
        .with_status(StatusCode::ACCEPTED)
        .with_header("X-Custom", "yes")
        .and_then(|res| res.with_header("Cache-Control", "no-store"))
        .map_err(|e| Error::internal(e.to_string()))
}

/// The body's status, extra fields of two value types, and an optional one (pairs nest).
type Fielded = (HeaderMap, (Option<[(&'static str, String); 1]>, String));

#[get("/r/fields/:n")]
fn r_fields(n: u32) -> Result<Fielded, Error> {
    let fields = HeaderMap::new()
        .with("X-Total", n.to_string())?
        .with("Cache-Control", "no-store")?;
    let etag = (n > 0).then(|| [("ETag", format!("\"{n}\""))]);
    Ok((fields, (etag, format!("n={n}"))))
}

/// `(headers, body)`: no status of its own.
#[get("/r/fields-pair")]
fn r_fields_pair() -> ([(&'static str, &'static str); 1], StatusCode) {
    ([("X-Queued", "yes")], StatusCode::ACCEPTED)
}

/// A built response returned with its `HeaderError`, which answers `500` when a field is invalid.
#[get("/r/built/:value")]
fn r_built(value: String) -> Result<Response, HeaderError> {
    Response::text("built").with_header("X-Value", value)
}

/// A responder of the test's own.
struct Teapot {
    blend: &'static str,
}

impl IntoResponse for Teapot {
    fn into_response(self) -> Response {
        let Some(teapot) = StatusCode::from_u16(418) else {
            return Error::internal("418 is a status").into_response();
        };
        let res = Response::text(format!("short and stout, {}", self.blend)).with_status(teapot);
        match res.with_header("X-Blend", self.blend) {
            Ok(res) => res,
            Err(e) => Error::internal(e.to_string()).into_response(),
        }
    }
}

#[get("/r/teapot")]
fn r_teapot() -> Teapot {
    Teapot { blend: "earl grey" }
}

#[get("/r/stream")]
fn r_stream() -> Response {
    // Each reader is read on its own, so each piece becomes a chunk.
    let reader = Cursor::new(&b"one,"[..])
        .chain(Cursor::new(&b"two,"[..]))
        .chain(Cursor::new(&b"three"[..]));
    Response::new(StatusCode::OK)
        .with_body(ResponseBody::stream(reader))
        .with_header("Content-Type", "text/plain")
        .unwrap_or_else(|e| Error::internal(e.to_string()).into_response())
}

fn responder_app() -> App {
    App::new().mount(
        "/",
        routes![
            r_json,
            r_string,
            r_str,
            r_bytes,
            r_html,
            r_unit,
            r_status,
            r_pair,
            r_csv,
            r_option,
            r_result,
            r_result_text,
            r_result_string,
            r_result_pair,
            r_result_redirect,
            r_error,
            r_redirect,
            r_builder,
            r_fields,
            r_fields_pair,
            r_built,
            r_teapot,
            r_stream,
        ],
    )
}

#[test]
fn body_responders_set_their_content_types() {
    let server = TestApp::start(responder_app());
    let res = server.get("/r/json");
    assert_eq!(json_body(&res, 200), json!({"ok": true, "list": [1, 2]}));
    assert_eq!(res.text(), r#"{"ok":true,"list":[1,2]}"#);
    assert_eq!(res.header("content-length"), Some("24"));

    for (target, body) in [("/r/string", "owned ✓"), ("/r/str", "static")] {
        let res = server.get(target);
        assert_eq!((res.status, res.text().as_str()), (200, body));
        assert_eq!(
            res.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            res.header("content-length"),
            Some(body.len().to_string().as_str())
        );
    }

    let res = server.get("/r/bytes");
    assert_eq!(
        (res.status, res.body.as_slice()),
        (200, &[0u8, 1, 2, 255][..])
    );
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));

    let res = server.get("/r/html");
    assert_eq!((res.status, res.text().as_str()), (200, "<p>2</p>"));
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
}

#[test]
fn status_responders() {
    let server = TestApp::start(responder_app());
    let res = server.get("/r/unit");
    assert_eq!(res.status, 204);
    assert!(res.body.is_empty());
    assert_eq!(res.header("content-length"), None);
    assert_eq!(res.header("content-type"), None);

    let res = server.get("/r/status");
    assert_eq!(res.status, 202);
    assert_eq!(res.header("content-length"), Some("0"));
    assert_eq!(res.header("content-type"), None);

    let res = server.get("/r/pair");
    assert_eq!((res.status, res.text().as_str()), (201, "made"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    // Fields in the tuple replace the body's own Content-Type (`header` fails on a repeat).
    let res = server.get("/r/csv");
    assert_eq!((res.status, res.text().as_str()), (200, "a,b\n"));
    assert_eq!(res.header("content-type"), Some("text/csv"));
    assert_eq!(res.header("x-rows"), Some("1"));
}

#[test]
fn option_result_and_error_responders() {
    let server = TestApp::start(responder_app());
    assert_eq!(json_body(&server.get("/r/option/1"), 200), json!({"id": 1}));
    let res = server.get("/r/option/2");
    assert_eq!(res.text(), r#"{"error":"not found"}"#);
    res.assert_json_error(404, "not found");

    assert_eq!(json_body(&server.get("/r/result/21"), 200), json!(42));
    let res = server.get("/r/result/0");
    assert_eq!(res.text(), r#"{"error":"n must not be zero"}"#);
    res.assert_json_error(409, "n must not be zero");
    // `Ok` answers as its value does: a `String` is text.
    let res = server.get("/r/result-text/3");
    assert_eq!((res.status, res.text().as_str()), (200, "n=3"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    server
        .get("/r/result-text/0")
        .assert_json_error(409, "n must not be zero");

    let res = server.get("/r/error");
    assert_eq!(res.text(), r#"{"error":"no \"entry\""}"#);
    res.assert_json_error(403, "no \"entry\"");
}

// An error never looks like success: an `Err` rendering below 400 is a 500, body and fields kept.
#[test]
fn an_err_that_renders_below_400_answers_500_with_its_body() {
    let server = TestApp::start(responder_app());
    assert_eq!(json_body(&server.get("/r/result-string/4"), 200), json!(8));
    let res = server.get("/r/result-string/0");
    assert_eq!(
        (res.status, res.text().as_str()),
        (500, "n must not be zero")
    );
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.header("content-length"), Some("18"));

    let res = server.get("/r/result-redirect");
    assert_eq!(res.status, 500, "{res:?}");
    assert_eq!(res.header("location"), Some("/login"));

    // An `Err` that already renders 4xx keeps it.
    let res = server.get("/r/result-pair/0");
    assert_eq!((res.status, res.text().as_str()), (404, "no such n"));
    assert_eq!(json_body(&server.get("/r/result-pair/3"), 200), json!(3));
}

#[test]
fn redirects_carry_their_status_and_location() {
    let server = TestApp::start(responder_app());
    for (kind, status, location) in [
        ("see", 303, "/users/7"),
        ("temp", 307, "/elsewhere?x=1"),
        ("perm", 308, "https://example.com/new"),
    ] {
        let res = server.get(&format!("/r/redirect/{kind}"));
        assert_eq!(res.status, status, "{res:?}");
        assert_eq!(res.header("location"), Some(location));
        assert_eq!(res.header("content-length"), Some("0"));
        assert!(res.body.is_empty());
    }
    server
        .get("/r/redirect/nope")
        .assert_json_error(404, "not found");
}

#[test]
fn builder_and_custom_responders() {
    let server = TestApp::start(responder_app());
    let res = server.get("/r/builder");
    assert_eq!((res.status, res.text().as_str()), (202, "built"));
    assert_eq!(res.header("x-custom"), Some("yes"));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    let res = server.get("/r/teapot");
    assert_eq!(
        (res.status, res.text().as_str()),
        (418, "short and stout, earl grey")
    );
    assert_eq!(res.header("x-blend"), Some("earl grey"));
}

#[test]
fn header_fields_without_a_status_or_an_array() {
    let server = TestApp::start(responder_app());
    let res = server.get("/r/fields/3");
    assert_eq!((res.status, res.text().as_str()), (200, "n=3"));
    assert_eq!(res.header("x-total"), Some("3"));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.header("etag"), Some("\"3\""));
    assert_eq!(server.get("/r/fields/0").header("etag"), None);

    let res = server.get("/r/fields-pair");
    assert_eq!(res.status, 202);
    assert_eq!(res.header("x-queued"), Some("yes"));

    let res = server.get("/r/built/ok");
    assert_eq!((res.status, res.header("x-value")), (200, Some("ok")));
    // A decoded line feed cannot go into a field: a 500 that names no cause, and no such field.
    let res = server.get("/r/built/a%0D%0AInjected:%201");
    res.assert_json_error(500, "internal server error");
    assert_eq!(res.header("injected"), None);
    assert_eq!(res.header("x-value"), None);
}

#[test]
fn a_streaming_response_body_is_chunked() {
    let server = TestApp::start(responder_app());
    let res = server.get("/r/stream");
    assert_eq!((res.status, res.text().as_str()), (200, "one,two,three"));
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    assert_eq!(res.header("content-length"), None);
    assert_eq!(res.header("content-type"), Some("text/plain"));
    // One chunk per piece the reader gave. (The framing on the wire, and the connection going on
    // after it: `tests/server.rs`, `streaming_response_is_chunked_for_http11`.)
    assert_eq!(res.chunks.as_deref(), Some(&[4, 4, 5][..]));
}

// ---------------------------------------------------------------------------------------------
// The error hook
// ---------------------------------------------------------------------------------------------

#[get("/boom")]
fn boom() -> &'static str {
    panic!("the handler blew up (expected by the test)")
}

#[get("/fails")]
fn fails() -> Result<String, Error> {
    Err(Error::new(StatusCode::CONFLICT, "already <taken>"))
}

fn hooked_app() -> App {
    json_app()
        .mount("/", routes![boom, fails, r_option])
        .catch(|err, req| {
            Html(format!(
                "<h1>{}</h1><p>{}</p><p>{}</p>",
                err.status().as_u16(),
                err.message().replace('<', "&lt;"),
                req.path()
            ))
            .into_response()
            .with_status(err.status())
        })
}

fn assert_html(res: &HttpResponse, status: u16, message: &str, path: &str) {
    assert_eq!(res.status, status, "{res:?}");
    assert_eq!(
        res.header("content-type"),
        Some("text/html; charset=utf-8"),
        "{res:?}"
    );
    assert_eq!(
        res.text(),
        format!("<h1>{status}</h1><p>{message}</p><p>{path}</p>")
    );
}

#[test]
fn the_error_hook_renders_404_and_405() {
    let server = TestApp::start(hooked_app());
    assert_html(&server.get("/nope"), 404, "not found", "/nope");
    // Option's None goes through the hook too.
    assert_html(&server.get("/r/option/2"), 404, "not found", "/r/option/2");
    let res = server.exchange(&request_with_body("DELETE", "/ping", b""), false);
    assert_html(&res, 405, "method not allowed", "/ping");
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
    // Successful responses are untouched.
    assert_eq!(server.get("/ping").text(), "pong");
}

#[test]
fn the_error_hook_renders_a_panic_and_the_connection_closes() {
    let server = TestApp::start(hooked_app());
    // Pipelined after the panicking request: never answered, since the connection closes.
    let mut bytes = request("GET", "/boom");
    bytes.extend_from_slice(&request("GET", "/ping"));
    let responses = server.exchange_until_close(&bytes);
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert_html(&responses[0], 500, "internal server error", "/boom");
    assert_eq!(responses[0].header("connection"), Some("close"));
    // Without a hook: the JSON 500, and a close too.
    let plain = TestApp::start(App::new().mount("/", routes![boom]));
    let responses = plain.exchange_until_close(&request("GET", "/boom"));
    assert_eq!(responses.len(), 1, "{responses:?}");
    responses[0].assert_json_error(500, "internal server error");
    assert_eq!(responses[0].header("connection"), Some("close"));
    // The server still serves.
    assert_eq!(server.get("/ping").text(), "pong");
}

#[test]
fn the_error_hook_renders_rejections_and_handler_errors() {
    let server = TestApp::start(hooked_app());
    let res = server.exchange(&post_typed("/users", Some("text/plain"), b"{}"), false);
    assert_html(
        &res,
        415,
        "expected a JSON body: Content-Type must be application/json",
        "/users",
    );
    let res = server.exchange(&post_typed("/users", Some("application/json"), b"{"), false);
    assert_eq!(res.status, 400);
    assert!(res.text().contains("malformed JSON"), "{}", res.text());
    assert_html(&server.get("/fails"), 409, "already &lt;taken>", "/fails");
    // A handler that takes the rejection itself answers on its own.
    let res = server.exchange(
        &post_typed("/user-or-teapot", Some("text/plain"), b"{}"),
        false,
    );
    assert_eq!(res.status, 418);
}
