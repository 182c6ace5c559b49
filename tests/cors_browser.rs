//! The CORS middleware against a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver, runs `fetch` from pages on one origin against an
//! API on another, and the browser — not our reading of the Fetch standard — decides what a
//! page may read.
//!
//! Three servers on loopback, so three origins (`http://127.0.0.1:PORT`):
//! - the site: a page on the origin the API allows, with credentials;
//! - the API: `Cors` outermost but for a log of every request it gets (preflights included);
//! - a stranger: the same page on an origin the API does not allow.
//!
//! And the todo example's front end (`examples/todo/app.rs`, served whole): its page, loaded
//! from `/static/`, follows `/events` with an `EventSource`, gets every event, and reconnects
//! with `Last-Event-ID` when the server ends the stream.
//!
//! Without Chromium the test prints a "skipped" line and passes, unless `REQUIRE_BROWSER=1`
//! (as in CI), where it fails. Every wait has a deadline; nothing asserts on time.

// Tests report failure by panicking, so unwrap/expect are the right tool here.
#[path = "support/mod.rs"]
mod support;
#[path = "cors_browser/webdriver.rs"]
mod webdriver;
// The example's service, as it runs; the test uses only its `app` and `Config`.
#[allow(dead_code)]
#[path = "../examples/todo/app.rs"]
mod todo;

use framework::extract::Cookies;
use framework::middleware::{from_fn, Cors};
use framework::respond::Html;
use framework::{get, post, put, routes, App, Response};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, PoisonError};
use support::TestApp;
use webdriver::{Browser, Installed};

/// Requests the API received, as `METHOD /path from ORIGIN`, in order.
type Log = Arc<Mutex<Vec<String>>>;

#[get("/")]
fn page() -> Html<&'static str> {
    Html("<!doctype html><meta charset=utf-8><title>CORS test page</title><p>page</p>")
}

#[get("/hello")]
fn hello() -> &'static str {
    "hello from the API"
}

#[put("/items/:id")]
fn save_item(id: u32, body: String) -> String {
    format!("item {id}: {body}")
}

#[post("/login")]
fn login() -> Response {
    let mut res = Response::text("logged in");
    let _ = res.headers_mut().append(
        "Set-Cookie",
        "session=s3cret; Path=/; HttpOnly; SameSite=Lax",
    );
    res
}

#[get("/whoami")]
fn whoami(cookies: Cookies) -> String {
    format!("session: {}", cookies.get("session").unwrap_or("none"))
}

/// The API, allowing `site` with credentials, logging every request before CORS sees it.
fn api(site: &str, log: &Log) -> App {
    let log = Arc::clone(log);
    let cors = Cors::new()
        .allow_origin(site)
        .allow_headers(["content-type"])
        .allow_credentials(true);
    App::new()
        .wrap(from_fn(move |req, _cx, next| {
            let origin = req.headers().get("origin").unwrap_or("-");
            let line = format!("{} {} from {origin}", req.method(), req.path());
            log.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line);
            next.run(req)
        }))
        .wrap(cors)
        .mount("/", routes![hello, save_item, login, whoami])
}

/// Runs `fetch(url, init)` in the current page; the result is `{ok, status, body}` when the page
/// could read the answer, `{ok: false, error}` when fetch rejected.
const FETCH: &str = r"
const [url, init, done] = arguments;
fetch(url, init)
  .then(async (res) => done({ ok: true, status: res.status, body: await res.text() }))
  .catch((err) => done({ ok: false, error: `${err.name}: ${err.message}` }));
";

struct Setup {
    browser: Browser,
    site: TestApp,
    stranger: TestApp,
    api: TestApp,
    log: Log,
}

impl Setup {
    fn origin(app: &TestApp) -> String {
        format!("http://{}", app.addr)
    }

    /// `fetch` from a page of `page_server`, to `path` on the API.
    fn fetch(&self, page_server: &TestApp, path: &str, init: &Value) -> Value {
        let page = format!("{}/", Self::origin(page_server));
        self.browser
            .navigate(&page)
            .unwrap_or_else(|e| panic!("opening {page}: {e}"));
        let url = format!("{}{path}", Self::origin(&self.api));
        self.browser
            .execute_async(FETCH, &[json!(url), init.clone()])
            .unwrap_or_else(|e| panic!("fetch {url} from {page}: {e}"))
    }

    fn log(&self) -> Vec<String> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.clone()
    }

    fn clear_log(&self) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

fn read(status: u16, body: &str) -> Value {
    json!({ "ok": true, "status": status, "body": body })
}

/// Whether fetch rejected with a `TypeError`, as the Fetch standard's "network error" does.
fn rejected(result: &Value) -> bool {
    result["ok"] == json!(false)
        && result["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("TypeError"))
}

/// (1) A simple GET needs no preflight: the answer's `Access-Control-Allow-Origin` lets the page
/// read the body.
fn simple_get_is_readable(s: &Setup) {
    s.clear_log();
    let result = s.fetch(&s.site, "/hello", &json!({}));
    assert_eq!(result, read(200, "hello from the API"), "simple GET");
    let site = Setup::origin(&s.site);
    assert_eq!(
        s.log(),
        [format!("GET /hello from {site}")],
        "simple GET: no preflight"
    );
}

/// (2) A PUT with a JSON body is preflighted; the API answers the preflight, then gets the PUT.
fn preflighted_put_with_json_succeeds(s: &Setup) {
    s.clear_log();
    let init = json!({
        "method": "PUT",
        "headers": { "Content-Type": "application/json" },
        "body": r#"{"name":"tea"}"#,
    });
    let result = s.fetch(&s.site, "/items/7", &init);
    assert_eq!(
        result,
        read(200, r#"item 7: {"name":"tea"}"#),
        "preflighted PUT"
    );
    let site = Setup::origin(&s.site);
    assert_eq!(
        s.log(),
        [
            format!("OPTIONS /items/7 from {site}"),
            format!("PUT /items/7 from {site}"),
        ],
        "preflighted PUT: the preflight came first"
    );
}

/// (3) With `credentials: 'include'` the browser stores the API's cookie and sends it back, and
/// hands the answers to the page only because of `Access-Control-Allow-Credentials: true`.
fn credentialed_requests_carry_the_cookie(s: &Setup) {
    // Without credentials mode no cookie goes to another origin.
    let login = json!({ "method": "POST", "credentials": "include" });
    assert_eq!(
        s.fetch(&s.site, "/login", &login),
        read(200, "logged in"),
        "login"
    );
    let omit = s.fetch(&s.site, "/whoami", &json!({ "credentials": "omit" }));
    assert_eq!(omit, read(200, "session: none"), "credentials omitted");
    let include = s.fetch(&s.site, "/whoami", &json!({ "credentials": "include" }));
    assert_eq!(
        include,
        read(200, "session: s3cret"),
        "credentials included"
    );
}

/// (4) A page on an origin the API does not allow cannot read its answers: fetch rejects.
fn another_origin_is_refused_by_the_browser(s: &Setup) {
    s.clear_log();
    let stranger = Setup::origin(&s.stranger);
    // A simple GET reaches the API (so the failure is CORS, not the network), but its answer
    // carries no Access-Control-Allow-Origin.
    let result = s.fetch(&s.stranger, "/hello", &json!({}));
    assert!(rejected(&result), "GET from {stranger}: {result}");
    assert_eq!(s.log(), [format!("GET /hello from {stranger}")]);
    // A preflighted PUT fails at the preflight: the PUT itself is never sent.
    s.clear_log();
    let init = json!({
        "method": "PUT",
        "headers": { "Content-Type": "application/json" },
        "body": "{}",
    });
    let result = s.fetch(&s.stranger, "/items/7", &init);
    assert!(rejected(&result), "PUT from {stranger}: {result}");
    assert_eq!(s.log(), [format!("OPTIONS /items/7 from {stranger}")]);
}

/// Waits in the page until its `EventSource` is closed for good (or 15 s have passed) and
/// returns what it logged.
const EVENTS_DONE: &str = "
const [done] = arguments;
const start = Date.now();
(function check() {
  const log = window.sseLog;
  if ((log && log.closed) || Date.now() - start > 15000) {
    done(log || null);
  } else {
    setTimeout(check, 50);
  }
})();
";

/// (5) The todo page from `/static/` opens an `EventSource` on `/events`, receives the three
/// events it asked for, and when the stream ends reconnects with `Last-Event-ID: 3`; the `204`
/// that answers it closes the source.
fn the_todo_page_follows_the_event_stream(browser: &Browser) {
    let config = todo::Config {
        public_dir: todo::default_public_dir(),
        ..todo::Config::from_env()
    };
    let log = Log::default();
    let seen = Arc::clone(&log);
    let app = todo::app(config)
        .unwrap_or_else(|e| panic!("the todo app: {e}"))
        .wrap(from_fn(move |req, _cx, next| {
            if req.path() == "/events" {
                let last = req.headers().get("last-event-id").unwrap_or("-");
                seen.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(format!("{} last-event-id {last}", req.target()));
            }
            next.run(req)
        }));
    let server = TestApp::start(app);
    let page = format!("http://{}/static/?n=3&interval_ms=200", server.addr);
    browser
        .navigate(&page)
        .unwrap_or_else(|e| panic!("opening {page}: {e}"));
    let result = browser
        .execute_async(EVENTS_DONE, &[])
        .unwrap_or_else(|e| panic!("following /events from {page}: {e}"));
    assert_eq!(result["closed"], json!(true), "the source closed: {result}");
    let events = result["events"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = events.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"], "every event, once: {result}");
    for (i, event) in events.iter().enumerate() {
        assert_eq!(
            event["data"],
            json!({"id": i + 1, "of": 3, "resumed_after": null}),
            "{result}"
        );
    }
    assert_eq!(result["opens"], json!(1), "one stream opened: {result}");
    let requests = log.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(
        requests,
        [
            "/events?n=3&interval_ms=200 last-event-id -",
            "/events?n=3&interval_ms=200 last-event-id 3",
        ],
        "the reconnect carried the last id"
    );
}

/// Starts the browser and the three servers; `None` when the browser is not installed.
fn setup() -> Option<Setup> {
    let Some(installed) = Installed::find() else {
        assert!(
            std::env::var_os("REQUIRE_BROWSER").is_none_or(|v| v != "1"),
            "REQUIRE_BROWSER=1 but /usr/bin/chromium or /usr/bin/chromedriver is missing: \
             apt-get install chromium chromium-driver"
        );
        eprintln!(
            "cors_browser: skipped: install chromium chromium-driver (Debian packages) to run \
             the real-browser CORS test"
        );
        return None;
    };
    let site = TestApp::start(App::new().mount("/", routes![page]));
    let stranger = TestApp::start(App::new().mount("/", routes![page]));
    let log = Log::default();
    let api = TestApp::start(api(&Setup::origin(&site), &log));
    let browser = Browser::start(&installed).unwrap_or_else(|e| panic!("starting Chromium: {e}"));
    Some(Setup {
        browser,
        site,
        stranger,
        api,
        log,
    })
}

#[test]
fn chromium_obeys_cors_and_follows_event_streams() {
    let Some(setup) = setup() else {
        return;
    };
    simple_get_is_readable(&setup);
    preflighted_put_with_json_succeeds(&setup);
    credentialed_requests_carry_the_cookie(&setup);
    another_origin_is_refused_by_the_browser(&setup);
    the_todo_page_follows_the_event_stream(&setup.browser);
}
