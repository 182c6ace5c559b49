//! The todo service itself: `main.rs` runs it, and the browser test (`tests/cors_browser.rs`)
//! serves it to Chromium.

use framework::extract::{Json, LastEventId, Query};
use framework::middleware::{ClientAddr, Cors, Next, RequestIds, TrustedProxies};
use framework::respond::{Event, Sse};
use framework::serve::Files;
use framework::{
    delete, get, patch, post, put, routes, App, Body, Error, FromRequestParts, IntoResponse,
    Request, RequestContext, Response, Scope, State, StatusCode,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Longest title accepted, in characters.
pub(crate) const MAX_TITLE: usize = 200;
/// Most events one `/events` stream may ask for.
pub(crate) const MAX_EVENTS: u64 = 100;
/// Longest spacing `/events` may ask for, in milliseconds.
pub(crate) const MAX_INTERVAL_MS: u64 = 10_000;
/// How long a browser waits before it reconnects to `/events`, in milliseconds.
pub(crate) const RETRY_MS: u64 = 1_000;

/// The example's own `public/` folder, wherever the service is started from.
pub(crate) fn default_public_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/todo/public")
}

/// What the service is configured with.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) admin_token: String,
    pub(crate) cors_origins: Vec<String>,
    pub(crate) trusted_proxies: String,
    /// The folder served at `/static/`.
    pub(crate) public_dir: PathBuf,
}

impl Config {
    pub(crate) fn from_env() -> Self {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        Self {
            admin_token: var("ADMIN_TOKEN", "secret"),
            cors_origins: var("CORS_ORIGINS", "http://localhost:5173")
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect(),
            trusted_proxies: var("TRUSTED_PROXIES", ""),
            public_dir: std::env::var_os("PUBLIC_DIR")
                .filter(|dir| !dir.is_empty())
                .map_or_else(default_public_dir, PathBuf::from),
        }
    }

    /// Whether `req` carries `Authorization: Bearer <admin token>`. The comparison takes the same
    /// time wherever the first difference is.
    fn is_admin(&self, req: &Request) -> bool {
        let Some(token) = req
            .headers()
            .get("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let (given, expected) = (token.as_bytes(), self.admin_token.as_bytes());
        given.len() == expected.len()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn unauthorized() -> Response {
    let mut res = Error::unauthorized("missing or invalid admin token").into_response();
    let _ = res.headers_mut().insert("WWW-Authenticate", "Bearer");
    res
}

/// The `/admin` scope's guard, as middleware: it runs for every request that reaches a handler
/// of the scope, however its path was spelled.
fn require_admin(req: &mut Request, cx: &RequestContext<'_>, next: Next<'_>) -> Response {
    match cx.state::<Config>() {
        Some(config) if config.is_admin(req) => next.run(req),
        _ => unauthorized(),
    }
}

/// The same guard as an extractor, for a single route: a handler that takes `Admin` runs only
/// for an admin.
struct Admin;

impl FromRequestParts for Admin {
    type Rejection = Response;

    fn from_request_parts(req: &Request, cx: &RequestContext<'_>) -> Result<Self, Response> {
        match cx.state::<Config>() {
            Some(config) if config.is_admin(req) => Ok(Admin),
            _ => Err(unauthorized()),
        }
    }

    fn requirements(needs: &mut framework::extract::Requirements) {
        needs.state::<Config>();
    }
}

/// A stored todo.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Todo {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) done: bool,
}

/// The in-memory store: one lock over the todos and the last id given out.
#[derive(Default)]
struct Store {
    inner: Mutex<(BTreeMap<u64, Todo>, u64)>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, (BTreeMap<u64, Todo>, u64)> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn not_found() -> Error {
    Error::not_found("todo not found")
}

/// A title, trimmed, between 1 and `MAX_TITLE` characters.
fn valid_title(title: &str) -> Result<String, Error> {
    let title = title.trim();
    if title.is_empty() {
        return Err(
            Error::unprocessable("title must not be empty").with_field("code", "EMPTY_TITLE")
        );
    }
    if title.chars().count() > MAX_TITLE {
        return Err(
            Error::unprocessable(format!("title is longer than {MAX_TITLE} characters"))
                .with_field("code", "TITLE_TOO_LONG"),
        );
    }
    Ok(title.to_string())
}

#[derive(Deserialize)]
struct ListFilter {
    done: Option<bool>,
}

#[get("/todos")]
fn list(store: State<Store>, Query(filter): Query<ListFilter>) -> Json<Vec<Todo>> {
    let guard = store.lock();
    let todos = guard
        .0
        .values()
        .filter(|t| filter.done.is_none_or(|done| t.done == done))
        .cloned()
        .collect();
    Json(todos)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTodo {
    title: String,
    #[serde(default)]
    done: bool,
}

/// `201 Created` with `Location` and the todo.
type Created = (StatusCode, [(&'static str, String); 1], Json<Todo>);

#[post("/todos")]
fn create(store: State<Store>, Json(new): Json<NewTodo>) -> Result<Created, Error> {
    let title = valid_title(&new.title)?;
    let mut guard = store.lock();
    let (todos, last) = &mut *guard;
    *last += 1;
    let todo = Todo {
        id: *last,
        title,
        done: new.done,
    };
    todos.insert(todo.id, todo.clone());
    let location = format!("/todos/{}", todo.id);
    Ok((StatusCode::CREATED, [("Location", location)], Json(todo)))
}

#[get("/todos/:id")]
fn show(id: u64, store: State<Store>) -> Result<Json<Todo>, Error> {
    store
        .lock()
        .0
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(not_found)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplaceTodo {
    title: String,
    done: bool,
}

#[put("/todos/:id")]
fn replace(
    id: u64,
    store: State<Store>,
    Json(body): Json<ReplaceTodo>,
) -> Result<Json<Todo>, Error> {
    let title = valid_title(&body.title)?;
    let mut guard = store.lock();
    let todo = guard.0.get_mut(&id).ok_or_else(not_found)?;
    todo.title = title;
    todo.done = body.done;
    Ok(Json(todo.clone()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchTodo {
    title: Option<String>,
    done: Option<bool>,
}

#[patch("/todos/:id")]
fn update(id: u64, store: State<Store>, Json(body): Json<PatchTodo>) -> Result<Json<Todo>, Error> {
    let title = body.title.as_deref().map(valid_title).transpose()?;
    let mut guard = store.lock();
    let todo = guard.0.get_mut(&id).ok_or_else(not_found)?;
    if let Some(title) = title {
        todo.title = title;
    }
    if let Some(done) = body.done {
        todo.done = done;
    }
    Ok(Json(todo.clone()))
}

#[delete("/todos/:id")]
fn remove(id: u64, store: State<Store>) -> Result<StatusCode, Error> {
    match store.lock().0.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(not_found()),
    }
}

/// Deletes every todo: admins only, checked by the `Admin` guard extractor.
#[delete("/todos")]
fn clear(_admin: Admin, store: State<Store>) -> StatusCode {
    store.lock().0.clear();
    StatusCode::NO_CONTENT
}

#[derive(Serialize)]
struct Stats {
    todos: usize,
    done: usize,
    open: usize,
}

#[get("/stats")]
fn stats(store: State<Store>) -> Json<Stats> {
    let guard = store.lock();
    let done = guard.0.values().filter(|t| t.done).count();
    Json(Stats {
        todos: guard.0.len(),
        done,
        open: guard.0.len() - done,
    })
}

#[derive(Serialize)]
struct WhoAmI {
    client: String,
}

/// The client's address as the framework sees it: the peer, or, behind a trusted proxy, the
/// address the proxy reports.
#[get("/whoami")]
fn whoami(client: Option<ClientAddr>) -> Json<WhoAmI> {
    Json(WhoAmI {
        client: client.map_or_else(|| "unknown".to_string(), |c| c.0.to_string()),
    })
}

#[derive(Deserialize)]
struct EventsQuery {
    n: Option<u64>,
    interval_ms: Option<u64>,
}

/// `GET /events?n=N&interval_ms=M`: events `1..=N` (default 10), `M` ms apart (default 1000),
/// each with its number as `id` and `{"id":I,"of":N,"resumed_after":K}` as data. A browser that
/// reconnects sends `Last-Event-ID: K` and gets the events after `K`; once every event was
/// sent, `204` tells it to stop reconnecting.
#[get("/events")]
fn events(Query(q): Query<EventsQuery>, last: Option<LastEventId>) -> Result<Response, Error> {
    let n = q.n.unwrap_or(10);
    let interval = q.interval_ms.unwrap_or(1000);
    if n > MAX_EVENTS {
        return Err(
            Error::unprocessable(format!("n must be at most {MAX_EVENTS}"))
                .with_field("code", "TOO_MANY_EVENTS"),
        );
    }
    if interval > MAX_INTERVAL_MS {
        return Err(
            Error::unprocessable(format!("interval_ms must be at most {MAX_INTERVAL_MS}"))
                .with_field("code", "INTERVAL_TOO_LONG"),
        );
    }
    // An id that is not one of ours starts the stream over.
    let after = last.and_then(|id| id.0.trim().parse::<u64>().ok());
    let from = after.map_or(1, |k| k.saturating_add(1));
    if from > n {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let interval = Duration::from_millis(interval);
    let sse = Sse::new(move |out| {
        for id in from..=n {
            if id > from {
                out.sleep(interval)?;
            }
            let data = serde_json::json!({"id": id, "of": n, "resumed_after": after});
            out.send(Event::new().id(id.to_string()).json(&data)?)?;
        }
        Ok(())
    })
    .retry(Duration::from_millis(RETRY_MS));
    Ok(sse.into_response())
}

#[derive(Serialize)]
struct Uploaded {
    bytes: u64,
}

/// `POST /upload`: up to 50 MiB, counted as it streams in (nothing is kept); every other route
/// keeps the default limit of 1 MiB.
#[post("/upload", limit = "50 MiB")]
fn upload(mut body: Body) -> Result<Json<Uploaded>, Error> {
    let bytes = body.copy_to(&mut std::io::sink())?;
    Ok(Json(Uploaded { bytes }))
}

/// The whole service, for `main` and for the tests.
pub(crate) fn app(config: Config) -> Result<App, String> {
    let proxies = TrustedProxies::parse_list(&config.trusted_proxies)
        .map_err(|e| format!("TRUSTED_PROXIES: {e}"))?;
    let cors = Cors::new()
        .allow_origins(config.cors_origins.iter().map(String::as_str))
        .allow_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allow_headers(["content-type", "authorization", "x-request-id"])
        .expose_headers(["x-request-id", "location"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
    let public = Files::new(&config.public_dir).precompressed(true);
    let admin = Scope::new("/admin")
        .wrap(require_admin)
        .mount("/", routes![stats]);
    Ok(App::new()
        .manage(config)
        .manage(Store::default())
        // Outermost first: the client address, then the request id, then CORS, so that every
        // answer (preflights, 401s and 404s included) carries an id and the CORS headers.
        .wrap(proxies)
        .wrap(RequestIds::new())
        .wrap(cors)
        .mount(
            "/",
            routes![list, create, show, replace, update, remove, clear, whoami, events, upload],
        )
        .mount("/static", public)
        .scope(admin))
}
