//! End-to-end tests of middleware over real sockets: the order of app, scope and route layers,
//! what they see for routed and unrouted requests, early answers, panics, the guard-bypass table,
//! and the error plumbing a handler's `?` relies on.

mod support;

use framework::middleware::{from_fn, Middleware, Next};
use framework::test::{TestClient, TestResponse};
use framework::{
    get, post, routes, App, BuildError, Error, IntoResponse, Request, RequestContext, Response,
    Routing, Scope,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{request, TestApp};

/// Appends `name` to the comma-separated `X-Trace` of `headers`.
fn trace(headers: &mut framework::HeaderMap, name: &str) -> Result<(), Error> {
    let trace = match headers.get("x-trace") {
        Some(seen) if !seen.is_empty() => format!("{seen},{name}"),
        _ => name.to_string(),
    };
    headers.insert("X-Trace", trace)?;
    Ok(())
}

/// A middleware that appends `name` to the request's `X-Trace` on the way in and to the
/// response's `X-Trace` on the way out.
fn tracer(name: &'static str) -> impl Middleware {
    from_fn(move |req, _cx, next| {
        if let Err(e) = trace(req.headers_mut(), name) {
            return e.into_response();
        }
        let mut res = next.run(req);
        match trace(res.headers_mut(), name) {
            Ok(()) => res,
            Err(e) => e.into_response(),
        }
    })
}

#[get("/items")]
fn items(req: Request) -> String {
    format!("in:{}", req.headers().get("x-trace").unwrap_or(""))
}

#[get("/other")]
fn other(req: Request) -> String {
    format!("in:{}", req.headers().get("x-trace").unwrap_or(""))
}

// The order is outermost first: app layers in `wrap` order, then the scope's, then the route's;
// responses come back through them in reverse.
#[test]
fn the_first_wrap_is_outermost_and_app_runs_outside_scope_outside_route() {
    let [items]: [_; 1] = routes![items].try_into().unwrap();
    let scope = Scope::new("/s")
        .wrap(tracer("scope1"))
        .mount(
            "/",
            vec![items.wrap(tracer("route1")).wrap(tracer("route2"))],
        )
        // Added after the mount: still applies, still after scope1.
        .wrap(tracer("scope2"));
    let app = App::new()
        .wrap(tracer("app1"))
        .scope(scope)
        .wrap(tracer("app2"))
        .mount("/", routes![other]);
    let server = TestApp::start(app);

    let res = server.get("/s/items");
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "in:app1,app2,scope1,scope2,route1,route2");
    assert_eq!(
        res.header("x-trace"),
        Some("route2,route1,scope2,scope1,app2,app1")
    );

    // A route outside the scope gets the app's layers only.
    let res = server.get("/other");
    assert_eq!(res.text(), "in:app1,app2");
    assert_eq!(res.header("x-trace"), Some("app2,app1"));
}

#[test]
fn nested_scopes_run_outer_middleware_first() {
    let inner = Scope::new("/v1")
        .wrap(tracer("inner"))
        .mount("/", routes![items]);
    let outer = Scope::new("/api").wrap(tracer("outer")).scope(inner);
    let server = TestApp::start(App::new().scope(outer));
    let res = server.get("/api/v1/items");
    assert_eq!(res.text(), "in:outer,inner");
    assert_eq!(res.header("x-trace"), Some("inner,outer"));
}

/// Labels the router's decision on the response, as `X-Routing`.
fn label(req: &mut Request, cx: &RequestContext<'_>, next: Next<'_>) -> Response {
    let what = match cx.routing() {
        Routing::Matched(route) => format!("matched {} {}", route.path(), route.name()),
        Routing::NotFound => "not found".to_string(),
        Routing::MethodNotAllowed { allow } => format!("405 {allow}"),
        Routing::Options { allow } => format!("options {allow}"),
        _ => "other".to_string(),
    };
    let mut res = next.run(req);
    match res.headers_mut().insert("X-Routing", what) {
        Ok(_) => res,
        Err(e) => Error::from(e).into_response(),
    }
}

// Logging and CORS must see every request, so app middleware runs for the framework's own
// answers too.
#[test]
fn app_middleware_runs_for_404_405_automatic_head_and_automatic_options() {
    let server = TestApp::start(App::new().wrap(label).mount("/", routes![items]));

    let res = server.get("/nope");
    assert_eq!(res.status, 404);
    assert_eq!(res.header("x-routing"), Some("not found"));

    let res = server.call("POST", "/items");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(res.header("x-routing"), Some("405 GET, HEAD, OPTIONS"));

    let res = server.call("HEAD", "/items");
    assert_eq!(res.status, 200);
    assert!(res.body.is_empty());
    assert_eq!(res.header("x-routing"), Some("matched /items items"));

    let res = server.call("OPTIONS", "/items");
    assert_eq!(res.status, 204);
    assert_eq!(res.header("x-routing"), Some("options GET, HEAD, OPTIONS"));

    let res = server.call("OPTIONS", "*");
    assert_eq!(res.status, 204);
    assert!(res
        .header("x-routing")
        .is_some_and(|v| v.starts_with("options GET, HEAD, POST")));
}

#[post("/items")]
fn add_item() -> &'static str {
    "added"
}

// A scope's middleware answers for the 405 and automatic OPTIONS of its own paths (a CORS
// preflight is an OPTIONS no route has), and not for paths outside it.
#[test]
fn scope_middleware_sees_the_405_and_options_of_its_paths_only() {
    let scope = Scope::new("/s").wrap(label).mount("/", routes![items]);
    let server = TestApp::start(App::new().scope(scope).mount("/", routes![add_item]));

    let res = server.call("OPTIONS", "/s/items");
    assert_eq!(res.status, 204);
    assert_eq!(res.header("x-routing"), Some("options GET, HEAD, OPTIONS"));
    let res = server.call("DELETE", "/s/items");
    assert_eq!(res.status, 405);
    assert!(res.header("x-routing").is_some());

    // Outside the scope: neither its 405, nor a 404 under its prefix.
    let res = server.call("DELETE", "/items");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("x-routing"), None);
    let res = server.get("/s/missing");
    assert_eq!(res.status, 404);
    assert_eq!(res.header("x-routing"), None);
}

// Two scopes share a path with different middleware: only what both share (the app's and the
// enclosing scope's) runs for its 405.
#[test]
fn a_path_split_across_scopes_gets_only_their_shared_middleware_on_405() {
    let a = Scope::new("/").wrap(tracer("a")).mount("/", routes![items]);
    let b = Scope::new("/")
        .wrap(tracer("b"))
        .mount("/", routes![add_item]);
    let outer = Scope::new("/api").wrap(tracer("outer")).scope(a).scope(b);
    let server = TestApp::start(App::new().wrap(label).scope(outer));
    let res = server.call("DELETE", "/api/items");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST, OPTIONS"));
    assert!(res.header("x-routing").is_some(), "app middleware runs");
    assert_eq!(
        res.header("x-trace"),
        Some("outer"),
        "only the shared scope's runs"
    );
    assert_eq!(server.get("/api/items").header("x-trace"), Some("a,outer"));
    assert_eq!(
        server.call("POST", "/api/items").header("x-trace"),
        Some("b,outer")
    );
}

static ADMIN_CALLS: AtomicUsize = AtomicUsize::new(0);

mod admin {
    use super::{get, Ordering, ADMIN_CALLS};

    #[get("/x")]
    pub fn x() -> &'static str {
        ADMIN_CALLS.fetch_add(1, Ordering::SeqCst);
        "ADMIN x"
    }

    #[get("/:id")]
    pub fn by_id(id: String) -> String {
        ADMIN_CALLS.fetch_add(1, Ordering::SeqCst);
        format!("ADMIN id {id}")
    }

    #[get("/*rest")]
    pub fn rest(rest: String) -> String {
        ADMIN_CALLS.fetch_add(1, Ordering::SeqCst);
        format!("ADMIN rest {rest}")
    }
}

#[get("/*path")]
fn public(path: String) -> String {
    format!("public {path}")
}

#[get("/x/:id")]
fn public_x(id: String) -> String {
    format!("public x {id}")
}

fn require_token(req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
    if req.headers().get("authorization") == Some("Bearer t0ken") {
        next.run(req)
    } else {
        Error::unauthorized("missing or invalid token").into_response()
    }
}

// The bypass a raw-path guard allows (`/%61dmin` decodes to `/admin`): with the guard on the
// scope, no spelling of the path reaches an admin handler without the token, whatever it routes
// to. The router does not normalize: an empty segment matches nothing static, `.`, `..` and
// their encodings are literal segments.
#[test]
fn no_spelling_of_an_admin_path_reaches_an_admin_handler_without_the_token() {
    let admin = Scope::new("/admin")
        .wrap(require_token)
        .mount("/", routes![admin::x, admin::by_id, admin::rest]);
    let app = App::new()
        .scope(admin)
        .mount("/", routes![public, public_x]);
    let server = TestApp::start(app);
    let paths = [
        "/admin/x",
        "/%61dmin/x",
        "/%2561dmin/x",
        "//admin/x",
        "/admin/./x",
        "/admin/%2e/x",
        "/x/../admin/x",
        "/ADMIN/x",
        "/admin%2fx",
        "/admin/%2e%2e/admin/x",
    ];
    let before = ADMIN_CALLS.load(Ordering::SeqCst);
    let mut seen = Vec::new();
    for path in paths {
        let res = server.get(path);
        assert!(
            !res.text().starts_with("ADMIN "),
            "{path} reached an admin handler without the token: {res:?}"
        );
        seen.push((path, res.status));
    }
    assert_eq!(ADMIN_CALLS.load(Ordering::SeqCst), before, "{seen:?}");
    // What each spelling routes to, pinned: the ones the router sends to the admin scope are
    // refused by its guard; the others are public or 404.
    assert_eq!(
        seen,
        [
            ("/admin/x", 401),
            ("/%61dmin/x", 401),
            ("/%2561dmin/x", 200),
            ("//admin/x", 200),
            ("/admin/./x", 401),
            ("/admin/%2e/x", 401),
            ("/x/../admin/x", 200),
            ("/ADMIN/x", 200),
            ("/admin%2fx", 200),
            ("/admin/%2e%2e/admin/x", 401),
        ]
    );

    // With the token, the same spellings that route into the scope reach the handlers.
    let mut c = server.connect();
    for (path, body) in [
        ("/admin/x", "ADMIN x"),
        ("/%61dmin/x", "ADMIN x"),
        ("/admin/./x", "ADMIN rest ./x"),
    ] {
        c.send(
            format!("GET {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer t0ken\r\n\r\n")
                .as_bytes(),
        );
        let res = c.read_response();
        assert_eq!((res.status, res.text().as_str()), (200, body), "{path}");
    }
}

static HANDLER_CALLS: AtomicUsize = AtomicUsize::new(0);

#[post("/count")]
fn count(body: String) -> String {
    HANDLER_CALLS.fetch_add(1, Ordering::SeqCst);
    format!("got {body}")
}

// An early answer skips the handler, and the connection stays usable: the unread body is
// discarded by the connection, not mistaken for the next request.
#[test]
fn an_early_answer_skips_the_handler_and_keeps_the_connection() {
    let deny = from_fn(|req, _cx, next| {
        if req.headers().contains("x-deny") {
            Error::too_many_requests("slow down")
                .with_field("retry_after", 1)
                .into_response()
        } else {
            next.run(req)
        }
    });
    let server = TestApp::start(App::new().wrap(deny).mount("/", routes![count]));
    let before = HANDLER_CALLS.load(Ordering::SeqCst);
    let mut c = server.connect();
    c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nX-Deny: 1\r\nContent-Length: 5\r\n\r\nhello");
    let res = c.read_response();
    assert_eq!(res.status, 429);
    assert_eq!(res.text(), r#"{"error":"slow down","retry_after":1}"#);
    c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
    let res = c.read_response();
    assert_eq!((res.status, res.text().as_str()), (200, "got ok"));
    assert_eq!(HANDLER_CALLS.load(Ordering::SeqCst), before + 1);
}

struct Banner(&'static str);

#[get("/hello/:name")]
fn hello(name: String) -> String {
    format!("hello {name}")
}

// Middleware reads application state and the decoded path parameters, and changes the status
// and body of the handler's response.
#[test]
fn middleware_reads_state_and_decoded_params_and_rewrites_the_response() {
    let rewrite = from_fn(|req, cx, next| {
        let banner = cx.state::<Banner>().map_or("none", |b| b.0);
        let name = cx.param(req, "name").map(|n| n.into_owned());
        let pattern = cx.route().map(|r| r.path().to_string());
        let res = next.run(req);
        Response::text(format!(
            "{banner}|{name:?}|{pattern:?}|{}",
            res.status().as_u16()
        ))
        .with_status(framework::StatusCode::ACCEPTED)
    });
    let app = App::new()
        .manage(Banner("v1"))
        .wrap(rewrite)
        .mount("/", routes![hello]);
    let server = TestApp::start(app);
    let res = server.get("/hello/J%C3%BCrgen%2Fx");
    assert_eq!(res.status, 202);
    assert_eq!(
        res.text(),
        r#"v1|Some("Jürgen/x")|Some("/hello/:name")|200"#
    );
    let res = server.get("/nope");
    assert_eq!(res.text(), "v1|None|None|404");
}

#[get("/boom")]
fn boom() -> &'static str {
    panic!("handler blew up")
}

// A panicking middleware is a 500 like a panicking handler; the layers outside it still see the
// response, the connection closes, and the server keeps serving.
#[test]
fn a_panic_in_middleware_is_a_500_that_outer_layers_see() {
    let explode = from_fn(|req, _cx, next| {
        if req.headers().contains("x-explode") {
            panic!("middleware blew up");
        }
        next.run(req)
    });
    let app = App::new()
        .wrap(tracer("outer"))
        .wrap(explode)
        .mount("/", routes![items, boom]);
    let server = TestApp::start(app);
    let res = server.exchange(
        b"GET /items HTTP/1.1\r\nHost: t\r\nX-Explode: 1\r\n\r\n",
        false,
    );
    res.assert_json_error(500, "internal server error");
    assert!(res.closes());
    assert_eq!(res.header("x-trace"), Some("outer"));

    let res = server.get("/boom");
    res.assert_json_error(500, "internal server error");
    assert_eq!(res.header("x-trace"), Some("outer"));

    let res = server.get("/items");
    assert_eq!((res.status, res.text().as_str()), (200, "in:outer"));
}

// `App::catch` renders every error, those a middleware answers with included, and keeps the
// headers middleware set.
#[test]
fn the_error_hook_renders_errors_from_middleware_too() {
    let app = App::new()
        .wrap(tracer("t"))
        .wrap(require_token)
        .catch(|err, _req| {
            Response::text(format!(
                "custom {} {}",
                err.status().as_u16(),
                err.message()
            ))
            .with_status(err.status())
        })
        .mount("/", routes![items]);
    let server = TestApp::start(app);
    let res = server.get("/items");
    assert_eq!(res.status, 401);
    assert_eq!(res.text(), "custom 401 missing or invalid token");
    assert_eq!(res.header("x-trace"), Some("t"));
}

struct Misconfigured;

impl Middleware for Misconfigured {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        next.run(req)
    }

    fn check(&self) -> Result<(), String> {
        Err("no origins configured".into())
    }

    fn name(&self) -> &str {
        "misconfigured"
    }
}

#[test]
fn a_middleware_that_fails_its_check_stops_the_build() {
    let scope = Scope::new("/s")
        .wrap(Misconfigured)
        .mount("/", routes![items]);
    let err = App::new().scope(scope).build().err();
    assert_eq!(
        err,
        Some(BuildError::Middleware {
            name: "misconfigured".into(),
            reason: "no origins configured".into()
        })
    );
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("middleware `misconfigured`: no origins configured")
    );
}

#[get("/read")]
fn read_file() -> Result<String, Error> {
    Ok(std::fs::read_to_string("/definitely/not/here/secret.txt")?)
}

#[get("/header")]
fn bad_header() -> Result<Response, Error> {
    Ok(Response::text("x").with_header("X-Bad", "a\r\nInjected: 1")?)
}

#[post("/parse")]
fn parse(body: String) -> Result<String, Error> {
    let value: Vec<u32> = serde_json::from_str(&body)?;
    Ok(format!("{}", value.len()))
}

// `?` on I/O, header and JSON errors: the status they deserve, and nothing internal in the body.
#[test]
fn question_mark_on_io_header_and_json_errors_answers_without_leaking_details() {
    let server = TestApp::start(App::new().mount("/", routes![read_file, bad_header, parse]));
    let res = server.get("/read");
    let message = res.assert_json_error(500, "internal server error");
    assert!(!message.contains("secret"));
    assert!(!res.text().contains("secret"));
    server
        .get("/header")
        .assert_json_error(500, "internal server error");
    let mut c = server.connect();
    c.send(b"POST /parse HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n[1,");
    c.read_response().assert_json_error(400, "invalid JSON");
    c.send(b"POST /parse HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n[\"a\"]");
    c.read_response().assert_json_error(422, "invalid JSON");
}

// The in-process client runs the whole stack: the same answers as the socket, middleware included.
#[test]
fn the_test_client_runs_the_middleware_stack_like_the_socket() {
    let build = || {
        App::new()
            .wrap(label)
            .wrap(tracer("a"))
            .scope(
                Scope::new("/admin")
                    .wrap(require_token)
                    .mount("/", routes![admin::x]),
            )
            .mount("/", routes![items])
    };
    let server = TestApp::start(build());
    let client = TestClient::new(build()).unwrap();
    for (method, target) in [
        ("GET", "/items"),
        ("GET", "/admin/x"),
        ("GET", "/%61dmin/x"),
        ("GET", "/nope"),
        ("OPTIONS", "/items"),
        ("DELETE", "/items"),
    ] {
        let socket = server.exchange(&request(method, target), false);
        let raw = client.raw(&request(method, target));
        let local = TestResponse::parse(&raw, false).unwrap();
        assert_eq!(local.raw().len(), raw.len(), "one response: {raw:?}");
        assert_eq!(local.status().as_u16(), socket.status, "{method} {target}");
        let mut local_fields: Vec<(String, String)> = local
            .headers()
            .iter()
            .map(|(n, v)| {
                let value = String::from_utf8_lossy(v).into_owned();
                (n.to_ascii_lowercase(), value)
            })
            .filter(|(n, _)| n != "date")
            .collect();
        local_fields.sort();
        assert_eq!(
            local_fields,
            socket.fields_without_date(),
            "{method} {target}"
        );
        assert_eq!(local.bytes(), socket.body, "{method} {target}");
    }
}

/// The server half of [`the_access_log_prints_what_the_middleware_resolved`], run in a child
/// process (the log goes to the process's stderr): serves until stdin closes.
fn access_log_child() -> Result<(), Box<dyn std::error::Error>> {
    use framework::middleware::{AccessLog, RequestIds, TrustedProxies};
    use std::io::{BufRead, Write};
    let format = AccessLog::format(
        "LOG {method} {target} {status} {bytes} id={request_id} client={client} peer={peer}",
    )?;
    let app = App::new()
        .banner(false)
        .access_log(true)
        .access_log_format(format)
        .wrap(TrustedProxies::new(["127.0.0.1"])?)
        .wrap(RequestIds::new())
        .mount("/", routes![items, read_file]);
    let bound = app.bind("127.0.0.1:0")?;
    println!("PORT {}", bound.local_addr().port());
    std::io::stdout().flush()?;
    let handle = bound.shutdown_handle();
    let server = std::thread::spawn(move || bound.serve());
    // The parent closes stdin when it has read what it expects.
    for _ in std::io::stdin().lock().lines() {}
    let _ = handle.shutdown(std::time::Duration::ZERO);
    let _ = server.join();
    Ok(())
}

// Over a real socket, with the access log on: the line has the request id the middleware chose
// (echoed when valid), the client address from X-Forwarded-For (the peer, 127.0.0.1, is a trusted
// proxy), and the peer; an internal error's cause goes to the error log, not to the client.
#[test]
fn the_access_log_prints_what_the_middleware_resolved() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    if std::env::var_os("ACCESS_LOG_CHILD").is_some() {
        return access_log_child().unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_access_log_prints_what_the_middleware_resolved",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ACCESS_LOG_CHILD", "1")
        .env("ACCESS_LOG", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // libtest prints the child's `PORT n` after its own `test ... ` on the same line; read stdout
    // on a thread, so that a child that never prints it fails the test instead of hanging it.
    let (ports, port) = mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if let Some(p) = line.split("PORT ").nth(1) {
                let _ = ports.send(p.trim().parse::<u16>().unwrap());
            }
        }
    });
    let port = port
        .recv_timeout(Duration::from_secs(30))
        .expect("the child prints its port");
    let (lines, logged) = mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });

    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut c = support::Client::connect(addr);
    c.send(b"GET /items HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n");
    let res = c.read_response();
    assert_eq!(res.header("x-request-id"), Some("abc-123"));
    c.send(b"GET /nope HTTP/1.1\r\nHost: t\r\nX-Request-Id: bad id\r\n\r\n");
    let res = c.read_response();
    assert_eq!(res.status, 404);
    let fresh = res.header("x-request-id").unwrap().to_string();
    assert_eq!(fresh.len(), 36);
    c.send(b"GET /read HTTP/1.1\r\nHost: t\r\n\r\n");
    let res = c.read_response();
    res.assert_json_error(500, "internal server error");

    // The writer thread is asynchronous: collect lines until the three requests are logged.
    let mut seen = Vec::new();
    while seen
        .iter()
        .filter(|l: &&String| l.starts_with("LOG "))
        .count()
        < 3
    {
        match logged.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("the access log did not show three lines: {seen:?}"),
        }
    }
    drop(child.stdin.take());
    let _ = child.wait();
    let log: Vec<&String> = seen.iter().filter(|l| l.starts_with("LOG ")).collect();
    assert!(log[0].starts_with("LOG GET /items 200 "), "{log:?}");
    assert!(
        log[0].contains(" id=abc-123 client=203.0.113.9 peer=127.0.0.1:"),
        "{log:?}"
    );
    assert!(
        log[1].starts_with(&format!(
            "LOG GET /nope 404 21 id={fresh} client=127.0.0.1 peer=127.0.0.1:"
        )),
        "{log:?}"
    );
    assert!(log[2].starts_with("LOG GET /read 500 "), "{log:?}");
    let error = seen
        .iter()
        .find(|l| l.starts_with("error: 500 GET /read: I/O error"))
        .unwrap_or_else(|| panic!("no error-log line: {seen:?}"));
    assert!(error.contains("No such file"), "{error}");
}
