//! End-to-end tests of routing over real sockets: apps built with the route attributes and
//! `App`, served with `App::bind` + `serve` on `127.0.0.1:0` in a thread, and spoken to in raw
//! bytes through `std::net::TcpStream` (see `support`). A few cases are also run in-process with
//! `BuiltApp::handle` and must answer exactly as on the socket. The start-up banner is served with
//! `BoundApp::serve_with_banner` into a buffer and read there.
//!
//! This file is the routing layer: 404, 405 and `Allow`, HEAD and OPTIONS, precedence, conflicts,
//! mounts and the banner. The protocol is in `tests/server.rs`, extractors (path parameters
//! included) and responders in `tests/extract.rs`.
//!
//! Client sockets have read timeouts, so a hang fails a test instead of blocking it; no test
//! asserts on how long anything took.

mod support;

use framework::{
    delete, get, head, options, post, route, routes, App, BuildError, Error, Method, Request,
    Response, StatusCode,
};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;
use support::{body_bytes, request, request_with_body, Client, TestApp};

/// Handlers for `/users/...`, where static, parameter and catch-all routes overlap.
mod users {
    use super::{get, route};

    #[get("/users/me")]
    pub fn me() -> &'static str {
        "me"
    }

    #[get("/users/:id")]
    pub fn by_id(id: String) -> String {
        format!("id={id}")
    }

    #[get("/users/*rest")]
    pub fn rest(rest: String) -> String {
        format!("rest={rest}")
    }

    #[get("/users")]
    pub fn list() -> &'static str {
        "list"
    }

    #[get("/users/me/settings")]
    pub fn settings() -> &'static str {
        "settings"
    }

    #[route(GET, "/users/:id/posts")]
    pub fn posts(id: String) -> String {
        format!("posts of {id}")
    }
}

// The lines of a few route attributes, for the route table of the banner.
const HELLO_LINE: u32 = line!() + 1;
#[get("/hello/:name")]
fn hello(name: String) -> String {
    format!("Hello, {name}!")
}

#[get("/items/:id")]
fn item(id: u64) -> String {
    format!("item {id}")
}

#[get("/files/*path")]
fn files(path: String) -> String {
    path
}

#[get("/things")]
fn things_get() -> &'static str {
    "things"
}

#[post("/things")]
fn things_post() -> (StatusCode, &'static str) {
    (StatusCode::CREATED, "x")
}

#[delete("/things")]
fn things_delete() {}

#[get("/plain")]
fn plain() -> &'static str {
    "Hello, World!"
}

const PING_LINE: u32 = line!() + 1;
#[get("/ping")]
fn ping() -> &'static str {
    "pong"
}

#[get("/")]
fn index() -> &'static str {
    "index"
}

#[get("/slash/")]
fn slash() -> &'static str {
    "slash"
}

#[get("/custom")]
fn custom_get() -> &'static str {
    "custom body from GET"
}

#[head("/custom")]
fn custom_head() -> Result<Response, Error> {
    Ok(Response::new(StatusCode::OK).with_header("X-Handler", "head")?)
}

#[options("/custom")]
fn custom_options() -> (StatusCode, [(&'static str, &'static str); 1], &'static str) {
    (StatusCode::OK, [("X-Handler", "options")], "custom options")
}

const BOTH_LINE: u32 = line!() + 1;
#[route(GET, POST, "/both")]
fn both(method: Method) -> String {
    format!("both via {method}")
}

#[route("PURGE", "/cache")]
fn purge() -> &'static str {
    "purged"
}

#[get("/result/:n")]
fn result(n: u32) -> Result<String, Error> {
    if n == 0 {
        Err(Error::new(StatusCode::CONFLICT, "n must not be zero"))
    } else {
        Ok(format!("n={n}"))
    }
}

#[get("/unit")]
fn unit() {}

// Conflicting routes, in separate `routes![...]` lists (one list would not compile). The lines of
// the attributes are recorded just above them, to check the locations `BuildError` names.
const CONFLICT_A_LINE: u32 = line!() + 1;
#[get("/users/:id")]
fn conflict_a(id: u64) -> String {
    id.to_string()
}

const CONFLICT_B_LINE: u32 = line!() + 1;
#[get("/users/:name")]
fn conflict_b(name: String) -> String {
    name
}

const CONFLICT_C_LINE: u32 = line!() + 1;
#[get("/a/users/:id")]
fn conflict_c(id: u64) -> String {
    id.to_string()
}

#[post("/users/:name")]
fn no_conflict_post(name: String) -> String {
    name
}

/// A request head, in-process.
fn req(method: Method, target: &str) -> Request {
    Request::new(method, target).unwrap_or_else(|e| panic!("{target}: {e}"))
}

/// The app most tests use.
fn main_app() -> App {
    App::new()
        .mount(
            "/",
            routes![
                users::me,
                users::by_id,
                users::rest,
                hello,
                item,
                files,
                things_delete,
                things_get,
                things_post,
                plain,
                ping,
                custom_get,
                custom_head,
                custom_options,
                both,
                purge,
                result,
                unit,
            ],
        )
        .banner(false)
        .access_log(false)
}

#[test]
fn precedence_is_static_then_param_then_catch_all_whatever_the_registration_order() {
    let forward = App::new().mount(
        "/",
        routes![
            users::me,
            users::by_id,
            users::rest,
            users::settings,
            users::posts
        ],
    );
    let backward = App::new().mount(
        "/",
        routes![
            users::posts,
            users::settings,
            users::rest,
            users::by_id,
            users::me
        ],
    );
    // Separate mounts, the catch-all first.
    let split = App::new()
        .mount("/", routes![users::rest])
        .mount("/", routes![users::posts, users::by_id])
        .mount("/", routes![users::settings, users::me]);
    for app in [forward, backward, split] {
        let server = TestApp::start(app);
        for (target, expected) in [
            ("/users/me", "me"),
            ("/users/42", "id=42"),
            ("/users/a/b", "rest=a/b"),
            ("/users/me/settings", "settings"),
            // `/users/me` has no `posts` below it: back to the parameter.
            ("/users/me/posts", "posts of me"),
            ("/users/7/posts", "posts of 7"),
            ("/users/me/other", "rest=me/other"),
        ] {
            let res = server.get(target);
            assert_eq!(res.status, 200, "{target}: {res:?}");
            assert_eq!(res.text(), expected, "{target}");
        }
    }
}

#[test]
fn backtracking_from_a_static_branch_reaches_a_parameter() {
    let server = TestApp::start(App::new().mount("/", routes![users::settings, users::posts]));
    let res = server.get("/users/me/posts");
    assert_eq!((res.status, res.text().as_str()), (200, "posts of me"));
    let res = server.get("/users/me/settings");
    assert_eq!((res.status, res.text().as_str()), (200, "settings"));
}

#[test]
fn no_matching_path_is_a_json_404() {
    let server = TestApp::start(main_app());
    for target in ["/nope", "/users", "/things/1", "/hello", "/hello/a/b"] {
        let res = server.get(target);
        assert_eq!(res.status, 404, "{target}: {res:?}");
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.text(), r#"{"error":"not found"}"#, "{target}");
        assert_eq!(
            res.header("content-length"),
            Some(res.body.len().to_string().as_str())
        );
    }
    // Any method: the path decides.
    let res = server.call("DELETE", "/nope");
    assert_eq!(res.status, 404);
}

#[test]
fn wrong_method_is_a_405_with_allow_and_a_json_error() {
    let server = TestApp::start(main_app());
    let res = server.exchange(&request_with_body("PUT", "/things", b""), false);
    res.assert_json_error(405, "method not allowed");
    // Registered as DELETE, GET, POST: listed in canonical order, HEAD with GET.
    assert_eq!(
        res.header("allow"),
        Some("GET, HEAD, POST, DELETE, OPTIONS")
    );

    let res = server.exchange(&request_with_body("POST", "/plain", b""), false);
    res.assert_json_error(405, "method not allowed");
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));

    // An explicit HEAD route is listed once.
    let res = server.call("DELETE", "/custom");
    res.assert_json_error(405, "method not allowed");
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));

    // A parameter route, and an extension method.
    let res = server.call("DELETE", "/items/1");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
    let res = server.get("/cache");
    res.assert_json_error(405, "method not allowed");
    assert_eq!(res.header("allow"), Some("OPTIONS, PURGE"));
}

#[test]
fn head_is_answered_by_the_get_route_without_a_body() {
    let server = TestApp::start(main_app());
    let get = server.get("/plain");
    assert_eq!((get.status, get.text().as_str()), (200, "Hello, World!"));

    // HEAD, then a GET pipelined in the same write: the second response must start right after
    // the first head, so any body bytes after the HEAD response would break its status line.
    let mut c = Client::connect(server.addr);
    let mut bytes = request("HEAD", "/plain");
    bytes.extend_from_slice(&request("GET", "/ping"));
    c.send(&bytes);
    let head = c.read_head_response();
    assert_eq!(head.status, 200);
    assert_eq!(head.fields_without_date(), get.fields_without_date());
    assert_eq!(head.header("content-length"), Some("13"));
    assert_eq!(
        head.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let next = c.read_response();
    assert_eq!((next.status, next.text().as_str()), (200, "pong"));

    // A parameter route too; and HEAD of a path with no GET is a 405.
    let get = server.get("/hello/Ann");
    let head = server.call("HEAD", "/hello/Ann");
    assert_eq!(head.fields_without_date(), get.fields_without_date());
    let head = server.call("HEAD", "/cache");
    assert_eq!(head.status, 405);
    assert_eq!(head.header("allow"), Some("OPTIONS, PURGE"));
}

#[test]
fn explicit_head_and_options_routes_override_the_automatic_ones() {
    let server = TestApp::start(main_app());
    let get = server.get("/custom");
    assert_eq!(get.text(), "custom body from GET");
    assert_eq!(get.header("x-handler"), None);

    let mut c = Client::connect(server.addr);
    let mut bytes = request("HEAD", "/custom");
    bytes.extend_from_slice(&request("OPTIONS", "/custom"));
    bytes.extend_from_slice(&request("GET", "/ping"));
    c.send(&bytes);
    let head = c.read_head_response();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-handler"), Some("head"), "{head:?}");
    // The HEAD handler's own (empty) body, not the GET route's length.
    assert_eq!(head.header("content-length"), Some("0"), "{head:?}");
    let options = c.read_response();
    assert_eq!(options.status, 200, "{options:?}");
    assert_eq!(options.header("x-handler"), Some("options"));
    assert_eq!(options.text(), "custom options");
    let next = c.read_response();
    assert_eq!(next.text(), "pong");
}

#[test]
fn options_is_answered_automatically_with_204_and_allow() {
    let server = TestApp::start(main_app());
    let res = server.call("OPTIONS", "/things");
    assert_eq!(res.status, 204, "{res:?}");
    assert_eq!(
        res.header("allow"),
        Some("GET, HEAD, POST, DELETE, OPTIONS")
    );
    assert!(res.body.is_empty());

    let res = server.call("OPTIONS", "/users/7");
    assert_eq!(res.status, 204);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));

    // No path, no OPTIONS.
    let res = server.call("OPTIONS", "/nope");
    assert_eq!(res.status, 404);

    // The server as a whole. Pipelined with a GET, to check that nothing follows the 204's head.
    let mut c = Client::connect(server.addr);
    let mut bytes = b"OPTIONS * HTTP/1.1\r\nHost: test\r\n\r\n".to_vec();
    bytes.extend_from_slice(&request("GET", "/ping"));
    c.send(&bytes);
    let res = c.read_response();
    assert_eq!(res.status, 204, "{res:?}");
    let allow = res.header("allow").expect("Allow on OPTIONS *");
    for method in ["GET", "HEAD", "POST", "OPTIONS"] {
        assert!(allow.split(", ").any(|m| m == method), "{allow}");
    }
    assert_eq!(c.read_response().text(), "pong");
}

#[test]
fn catch_all_takes_the_rest_of_the_path() {
    let server = TestApp::start(main_app());
    let res = server.get("/files/a/b/c.txt");
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "a/b/c.txt");
    assert_eq!(server.get("/files/x").text(), "x");
    assert_eq!(server.get("/files/a%20b/c").text(), "a b/c");
    // At least one character.
    assert_eq!(server.get("/files/").status, 404);
    assert_eq!(server.get("/files").status, 404);
}

#[test]
fn mount_prefixes_are_joined_to_route_paths() {
    let app = App::new()
        .mount("/api", routes![ping, index])
        .mount("/", routes![hello])
        .mount("v2/", routes![item]);
    let server = TestApp::start(app);
    assert_eq!(server.get("/api/ping").text(), "pong");
    assert_eq!(server.get("/ping").status, 404);
    // A route `/` under `/api` answers at `/api`, and (strict slashes) not at `/api/` or `/`.
    let res = server.get("/api");
    assert_eq!((res.status, res.text().as_str()), (200, "index"));
    assert_eq!(server.get("/api/").status, 404);
    assert_eq!(server.get("/").status, 404);
    // `/` adds nothing.
    assert_eq!(server.get("/hello/x").text(), "Hello, x!");
    assert_eq!(server.get("/api/hello/x").status, 404);
    // A prefix without its leading slash, or with a trailing one, is normalized.
    assert_eq!(server.get("/v2/items/3").text(), "item 3");
    assert_eq!(server.get("/v2//items/3").status, 404);

    // Nested prefixes.
    let server = TestApp::start(App::new().mount("/a/b/", routes![ping]));
    assert_eq!(server.get("/a/b/ping").text(), "pong");
}

#[test]
fn mount_prefixes_with_parameters_or_empty_segments_are_refused() {
    // A `:param` in front of a route's path would shift its parameters: `hello` would get the
    // `:org` segment as `name`. The build refuses it, naming the route and the prefix.
    for prefix in ["/orgs/:org", "/files/*rest", "/a//b", "//a"] {
        let err = App::new()
            .mount("/", routes![ping])
            .mount(prefix, routes![hello, item])
            .build()
            .unwrap_err();
        match &err {
            BuildError::InvalidPath {
                route,
                path,
                reason,
            } => {
                assert!(
                    route.contains("`hello`") && route.contains(file!()),
                    "{route}"
                );
                assert!(path.ends_with("/hello/:name"), "{path}");
                assert!(reason.contains(prefix), "{reason}");
            }
            other => panic!("{prefix}: expected InvalidPath, got {other:?}"),
        }
        assert!(err.to_string().contains("mount prefix"), "{err}");
    }
    // Plain static prefixes, with or without slashes around them, are fine.
    for prefix in ["/", "", "api", "/api/", "/a/b"] {
        assert!(
            App::new().mount(prefix, routes![hello]).build().is_ok(),
            "{prefix}"
        );
    }
}

#[test]
fn trailing_slashes_are_strict() {
    let server = TestApp::start(App::new().mount("/", routes![users::list, slash, index]));
    assert_eq!(server.get("/users").text(), "list");
    let res = server.get("/users/");
    assert_eq!(res.status, 404);
    assert_eq!(res.text(), r#"{"error":"not found"}"#);
    assert_eq!(server.get("/slash/").text(), "slash");
    assert_eq!(server.get("/slash").status, 404);
    assert_eq!(server.get("/").text(), "index");
    assert_eq!(server.get("//").status, 404);
}

#[test]
fn conflicts_across_mounts_fail_the_build_naming_both_routes() {
    let here = file!();
    let check = |err: BuildError, first: (&str, u32), second: (&str, u32)| {
        let text = err.to_string();
        assert!(
            matches!(&err, BuildError::Conflict { method, .. } if method == "GET"),
            "{err:?}"
        );
        for (name, line) in [first, second] {
            assert!(text.contains(&format!("`{name}`")), "{name} not in: {text}");
            let location = format!("{here}:{line}");
            assert!(text.contains(&location), "{location} not in: {text}");
        }
    };

    // Same prefix, parameter names aside.
    let err = App::new()
        .mount("/x", routes![conflict_a])
        .mount("/x", routes![conflict_b])
        .build()
        .unwrap_err();
    check(
        err,
        ("conflict_a", CONFLICT_A_LINE),
        ("conflict_b", CONFLICT_B_LINE),
    );

    // `/a/users/:id` at the root against `/users/:id` under `/a`.
    let err = App::new()
        .mount("/", routes![conflict_c])
        .mount("/a", routes![conflict_a])
        .build()
        .unwrap_err();
    check(
        err,
        ("conflict_c", CONFLICT_C_LINE),
        ("conflict_a", CONFLICT_A_LINE),
    );
    // Through `bind` too.
    let err = App::new()
        .banner(false)
        .mount("/a", routes![conflict_b])
        .mount("/", routes![conflict_c])
        .bind("127.0.0.1:0")
        .unwrap_err();
    assert!(
        matches!(err, framework::RunError::Build(BuildError::Conflict { .. })),
        "{err:?}"
    );

    // The same path with another method, or under another prefix, is fine.
    let server = TestApp::start(
        App::new()
            .mount("/", routes![conflict_a])
            .mount("/", routes![no_conflict_post])
            .mount("/other", routes![conflict_b]),
    );
    assert_eq!(server.get("/users/5").text(), "5");
    let res = server.exchange(&request_with_body("POST", "/users/bob", b""), false);
    assert_eq!(res.text(), "bob");
    assert_eq!(server.get("/other/users/bob").text(), "bob");
}

#[test]
fn multi_method_and_extension_method_routes() {
    let server = TestApp::start(main_app());
    let res = server.get("/both");
    assert_eq!((res.status, res.text().as_str()), (200, "both via GET"));
    let res = server.exchange(&request_with_body("POST", "/both", b""), false);
    assert_eq!((res.status, res.text().as_str()), (200, "both via POST"));
    let res = server.call("PUT", "/both");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST, OPTIONS"));

    let res = server.call("PURGE", "/cache");
    assert_eq!((res.status, res.text().as_str()), (200, "purged"));
    let res = server.call("OPTIONS", "/cache");
    assert_eq!(res.status, 204);
    assert_eq!(res.header("allow"), Some("OPTIONS, PURGE"));
}

/// Where the banner goes: the serving thread owns one handle, the test reads through another.
#[derive(Clone, Default)]
struct SharedOutput(Arc<Mutex<Vec<u8>>>);

impl Write for SharedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Binds `app`, serves it with `BoundApp::serve_with_banner` into a buffer on its own thread,
/// checks that `/api/ping` is served, then shuts the server down; returns the address and what
/// was written.
fn serve_with_banner(app: App) -> Result<(SocketAddr, String), Box<dyn std::error::Error>> {
    let bound = app.access_log(false).bind("127.0.0.1:0")?;
    let addr = bound.local_addr();
    let handle = bound.shutdown_handle();
    let output = SharedOutput::default();
    let mut sink = output.clone();
    let serving = thread::spawn(move || bound.serve_with_banner(&mut sink));
    // The banner is written before the server accepts: once a request is answered, it is all
    // there.
    let mut c = Client::connect(addr);
    c.send(&request("GET", "/api/ping"));
    assert_eq!(c.read_response().text(), "pong");
    drop(c);
    let report = handle.shutdown(Duration::from_secs(5));
    assert_eq!(report.abandoned, 0, "{report:?}");
    serving
        .join()
        .map_err(|_| "the serving thread panicked")??;
    let written = output
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Ok((addr, String::from_utf8(written)?))
}

fn banner_app() -> App {
    App::new()
        .mount("/api", routes![ping, both])
        .mount("/", routes![hello])
}

#[test]
fn the_banner_shows_the_address_and_the_route_table() {
    let (addr, banner) = serve_with_banner(banner_app()).unwrap();
    let lines: Vec<&str> = banner.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&format!("listening on http://{addr}").as_str())
    );
    // One line per route, in mount order: methods, path (mount prefix included), function and
    // `file:line` of the route attribute.
    let here = file!();
    let table: Vec<Vec<&str>> = lines[1..]
        .iter()
        .map(|line| line.split_whitespace().collect())
        .collect();
    let expected = [
        ["GET", "/api/ping", "ping", &format!("({here}:{PING_LINE})")],
        [
            "GET,POST",
            "/api/both",
            "both",
            &format!("({here}:{BOTH_LINE})"),
        ],
        [
            "GET",
            "/hello/:name",
            "hello",
            &format!("({here}:{HELLO_LINE})"),
        ],
    ];
    assert_eq!(table, expected, "{banner}");
    // The columns line up: every path starts at the same column.
    let path_columns: Vec<Option<usize>> = lines[1..]
        .iter()
        .zip(["/api/ping", "/api/both", "/hello/:name"])
        .map(|(line, path)| line.find(path))
        .collect();
    assert!(
        path_columns
            .windows(2)
            .all(|w| w[0].is_some() && w[0] == w[1]),
        "{banner}"
    );
}

#[test]
fn banner_can_be_turned_off() {
    let (addr, banner) = serve_with_banner(banner_app().banner(false)).unwrap();
    assert_ne!(addr.port(), 0);
    assert_eq!(banner, "", "nothing is written with the banner off");
}

#[test]
fn in_process_handle_answers_like_the_socket() {
    let service = main_app().build().unwrap();
    let server = TestApp::start(main_app());
    for (method, target) in [
        (Method::Get, "/nope"),
        (Method::Get, "/hello/J%C3%BCrgen"),
        (Method::Get, "/items/abc"),
        (Method::Get, "/hello/%zz"),
        (Method::Put, "/things"),
        (Method::Get, "/users/me"),
        (Method::Get, "/users/a/b"),
        (Method::Get, "/result/0"),
        (Method::Get, "/unit"),
        (Method::Options, "/things"),
        (Method::Options, "*"),
        (Method::Extension("PURGE".into()), "/cache"),
    ] {
        let res = service.handle(&mut req(method.clone(), target));
        let wire = server.call(method.as_str(), target);
        assert_eq!(res.status().as_u16(), wire.status, "{method} {target}");
        assert_eq!(body_bytes(res.body()), wire.body, "{method} {target}");
        for name in ["content-type", "allow"] {
            assert_eq!(
                res.headers().get(name),
                wire.header(name),
                "{name} of {method} {target}"
            );
        }
    }

    // The unit-level view of a few cases on its own.
    let res = service.handle(&mut req(Method::Get, "/nope"));
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_bytes(res.body()), br#"{"error":"not found"}"#);
    let res = service.handle(&mut req(Method::Delete, "/plain"));
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers().get("allow"), Some("GET, HEAD, OPTIONS"));
    let res = service.handle(&mut req(Method::Get, "/files/a/b/c.txt"));
    assert_eq!(body_bytes(res.body()), b"a/b/c.txt");
}

// ---------------------------------------------------------------------------------------------
// Body limits per route and per scope
// ---------------------------------------------------------------------------------------------

mod limits {
    use super::{get, post};
    use framework::{Body, BodyError};
    use std::io::Read;

    /// Counts the body as it streams in, without keeping it.
    fn count(mut body: Body) -> Result<String, framework::Error> {
        let mut piece = vec![0u8; 64 * 1024];
        let mut total = 0usize;
        loop {
            match body.read(&mut piece) {
                Ok(0) => return Ok(format!("{{\"bytes\":{total}}}")),
                Ok(n) => total += n,
                Err(e) => {
                    // The body's own error (413, 408, ...) travels inside the `io::Error`.
                    let cause = e.get_ref().and_then(|e| e.downcast_ref::<BodyError>());
                    return Err(match cause {
                        Some(&cause) => cause.into(),
                        None => framework::Error::bad_request(e.to_string()),
                    });
                }
            }
        }
    }

    #[post("/upload", limit = "50 MiB")]
    pub fn upload(body: Body) -> Result<String, framework::Error> {
        count(body)
    }

    #[post("/small")]
    pub fn small(body: Vec<u8>) -> String {
        body.len().to_string()
    }

    #[post("/tiny", limit = 4)]
    pub fn tiny(body: String) -> String {
        body
    }

    #[get("/ignores")]
    pub fn ignores() -> &'static str {
        "body not read"
    }

    #[post("/scoped")]
    pub fn scoped(body: Vec<u8>) -> String {
        body.len().to_string()
    }

    #[post("/own", limit = "16 B")]
    pub fn own(body: Vec<u8>) -> String {
        body.len().to_string()
    }
}

fn limits_app() -> App {
    use limits::{ignores, own, scoped, small, tiny, upload};
    App::new()
        .mount("/", routes![upload, small, tiny, ignores])
        .scope(
            framework::Scope::new("/big")
                .body_limit(2 << 20)
                .mount("/", routes![scoped, own]),
        )
}

/// A `Content-Length` head for `target`, with `extra` fields, and no body.
fn head_with_length(method: &str, target: &str, length: u64, extra: &str) -> Vec<u8> {
    format!("{method} {target} HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n{extra}\r\n")
        .into_bytes()
}

#[test]
fn a_route_may_take_50_mib_while_the_others_keep_the_default_limit() {
    const MIB: usize = 1 << 20;
    let server = TestApp::start(limits_app());
    // 50 MiB on the upload route, streamed in and counted.
    let mut c = server.connect();
    let sender = c.send_in_background(request_with_body("POST", "/upload", &vec![b'x'; 50 * MIB]));
    let res = c.read_response();
    assert_eq!(
        (res.status, res.text()),
        (200, format!("{{\"bytes\":{}}}", 50 * MIB))
    );
    assert!(!res.closes(), "{res:?}");
    sender.join().unwrap();
    // The same connection goes on.
    c.send(&request_with_body("POST", "/small", b"abc"));
    assert_eq!(c.read_response().text(), "3");

    // 1 MiB passes the default limit of the other route; 1 MiB + 1 does not, and is refused
    // before the client is told to send it.
    let mut c = server.connect();
    let sender = c.send_in_background(request_with_body("POST", "/small", &vec![b'y'; MIB]));
    assert_eq!(c.read_response().text(), MIB.to_string());
    sender.join().unwrap();
    let mut c = server.connect();
    c.send(&head_with_length(
        "POST",
        "/small",
        MIB as u64 + 1,
        "Expect: 100-continue\r\n",
    ));
    let res = c.read_response();
    res.assert_json_error(413, "too large");
    assert!(res.closes(), "{res:?}");
    c.expect_eof();

    // The upload route refuses a declared 50 MiB + 1 the same way: no `100 Continue`.
    let mut c = server.connect();
    c.send(&head_with_length(
        "POST",
        "/upload",
        50 * MIB as u64 + 1,
        "Expect: 100-continue\r\n",
    ));
    let res = c.read_response();
    assert_eq!(res.status, 413, "{res:?}");
    assert!(res.closes(), "{res:?}");
    c.expect_eof();
}

#[test]
fn a_lowered_limit_refuses_declared_and_chunked_bodies() {
    let server = TestApp::start(limits_app());
    let mut c = server.connect();
    c.send(&request_with_body("POST", "/tiny", b"four"));
    assert_eq!(c.read_response().text(), "four");
    // The whole body came with the head (it was read off the wire already): the answer is
    // 413, and the connection stays usable.
    c.send(&request_with_body("POST", "/tiny", b"fives"));
    let res = c.read_response();
    res.assert_json_error(413, "too large");
    c.send(&request_with_body("POST", "/tiny", b"ok"));
    assert_eq!(c.read_response().text(), "ok");

    let mut c = server.connect();
    c.send(&support::request_chunked("POST", "/tiny", &[b"abc", b"de"]));
    let res = c.read_response();
    res.assert_json_error(413, "too large");
    assert!(res.closes(), "{res:?}");
}

#[test]
fn a_body_over_a_limit_is_answered_alike_however_it_arrives() {
    // Found by the connection fuzz target (#14): a body over `max_body` that came in the same
    // read as its head reached the handler, and a declared length over a route's limit closed
    // the connection only when the body had not come with the head.
    let app = limits_app()
        .limits(framework::Limits::default().with_max_body(16))
        .access_log(false);
    let client = framework::test::TestClient::new(app).expect("app");
    let cases: [(&[u8], bool); 2] = [
        // Over `max_body`: too much to skip, so the 413 closes.
        (
            b"POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n0123456789abcdefg",
            true,
        ),
        // Over the route's limit (4), within `max_body`: skipped, and the connection goes on.
        (
            b"POST /tiny HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfives",
            false,
        ),
    ];
    for (request, closes) in cases {
        let raw = [request, b"GET /ignores HTTP/1.1\r\nHost: t\r\n\r\n"].concat();
        let head = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
        let whole = client.raw(&raw);
        let split = client.raw_in_pieces(&[&raw[..head], &raw[head..]]);
        for out in [whole, split] {
            let shown = String::from_utf8_lossy(&out).into_owned();
            let first = framework::test::TestResponse::parse(&out, false).expect(&shown);
            assert_eq!(first.status().as_u16(), 413, "{shown}");
            assert_eq!(
                first.header("connection") == Some("close"),
                closes,
                "{shown}"
            );
            let rest = &out[first.raw().len()..];
            if closes {
                assert!(rest.is_empty(), "{shown}");
            } else {
                let second = framework::test::TestResponse::parse(rest, false).expect(&shown);
                assert_eq!(second.status().as_u16(), 200, "{shown}");
            }
        }
    }
}

#[test]
fn a_route_that_reads_no_body_is_not_refused_for_one() {
    let server = TestApp::start(limits_app());
    // A small unread body is skipped, and the connection goes on.
    let mut c = server.connect();
    c.send(&request_with_body("GET", "/ignores", b"0123456789"));
    let res = c.read_response();
    assert_eq!((res.status, res.text().as_str()), (200, "body not read"));
    assert!(!res.closes(), "{res:?}");
    c.send(&request("GET", "/ignores"));
    assert_eq!(c.read_response().text(), "body not read");

    // One over the default limit is answered too; reading it all is not worth it, so the
    // connection closes after the answer.
    let mut c = server.connect();
    let sender = c.send_in_background(request_with_body("GET", "/ignores", &vec![0u8; 3 << 20]));
    let res = c.read_response();
    assert_eq!((res.status, res.text().as_str()), (200, "body not read"));
    assert!(res.closes(), "{res:?}");
    c.expect_eof();
    sender.join().unwrap();
}

#[test]
fn not_found_and_method_not_allowed_with_large_bodies() {
    let server = TestApp::start(limits_app());
    for (method, target, status) in [("POST", "/nowhere", 404), ("DELETE", "/small", 405)] {
        let mut c = server.connect();
        c.send(&head_with_length(method, target, 8 << 20, ""));
        let res = c.read_response();
        assert_eq!(res.status, status, "{method} {target}: {res:?}");
        assert!(res.closes(), "{res:?}");
        c.expect_eof();
    }
}

#[test]
fn a_scope_limit_applies_to_its_routes_unless_they_set_their_own() {
    let server = TestApp::start(limits_app());
    // 1.5 MiB: over the default, under the scope's 2 MiB.
    let body = vec![b'z'; 3 << 19];
    let mut c = server.connect();
    let sender = c.send_in_background(request_with_body("POST", "/big/scoped", &body));
    assert_eq!(c.read_response().text(), body.len().to_string());
    sender.join().unwrap();
    let mut c = server.connect();
    c.send(&head_with_length("POST", "/big/scoped", (2 << 20) + 1, ""));
    assert_eq!(c.read_response().status, 413);
    // The route's own 16 bytes win over the scope's.
    let mut c = server.connect();
    c.send(&request_with_body("POST", "/big/own", &[b'o'; 17]));
    assert_eq!(c.read_response().status, 413);
}

#[test]
fn route_meta_reports_the_body_limit() {
    use limits::{small, upload};
    let limits: Vec<Option<u64>> = routes![upload, small]
        .iter()
        .map(|r| r.meta().body_limit())
        .collect();
    assert_eq!(limits, [Some(50 << 20), None]);
}
