//! A todo API with what a real service needs around it on its first day: a token guard on the
//! `/admin` scope (middleware) and on one route (a guard extractor), CORS for a browser front end,
//! request ids, and the client address from behind a trusted proxy.
//!
//! `cargo run --release --example todo` listens on 127.0.0.1:8080. Environment:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `PORT` | `8080` | the port |
//! | `ADMIN_TOKEN` | `secret` | `Authorization: Bearer <token>` for `/admin/*` and `DELETE /todos` |
//! | `CORS_ORIGINS` | `http://localhost:5173` | comma-separated origins a browser may call from |
//! | `TRUSTED_PROXIES` | none | comma-separated addresses or CIDR ranges whose `X-Forwarded-For` is believed |
//! | `ACCESS_LOG` | on | `0` turns the access log off |

use framework::extract::{Json, Query};
use framework::middleware::{ClientAddr, Cors, Next, RequestIds, TrustedProxies};
use framework::{
    delete, get, patch, post, put, routes, App, Error, FromRequestParts, IntoResponse, Request,
    RequestContext, Response, Scope, State, StatusCode,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Longest title accepted, in characters.
const MAX_TITLE: usize = 200;

/// What the service is configured with.
#[derive(Debug, Clone)]
struct Config {
    admin_token: String,
    cors_origins: Vec<String>,
    trusted_proxies: String,
}

impl Config {
    fn from_env() -> Self {
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
struct Todo {
    id: u64,
    title: String,
    done: bool,
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

/// The whole service, for `main` and for the tests.
fn app(config: Config) -> Result<App, String> {
    let proxies = TrustedProxies::parse_list(&config.trusted_proxies)
        .map_err(|e| format!("TRUSTED_PROXIES: {e}"))?;
    let cors = Cors::new()
        .allow_origins(config.cors_origins.iter().map(String::as_str))
        .allow_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allow_headers(["content-type", "authorization", "x-request-id"])
        .expose_headers(["x-request-id", "location"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
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
            routes![list, create, show, replace, update, remove, clear, whoami],
        )
        .scope(admin))
}

fn main() {
    if let Err(e) = serve() {
        eprintln!("todo: {e}");
        std::process::exit(1);
    }
}

fn serve() -> Result<(), String> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let port: u16 = port.parse().map_err(|e| format!("PORT={port}: {e}"))?;
    app(Config::from_env())?
        .run(("127.0.0.1", port))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use framework::test::TestClient;
    use serde_json::{json, Value};

    fn client_with(trusted: &str) -> TestClient {
        let config = Config {
            admin_token: "t0ken".into(),
            cors_origins: vec!["http://localhost:5173".into()],
            trusted_proxies: trusted.into(),
        };
        TestClient::new(app(config).expect("valid config")).expect("the app builds")
    }

    fn client() -> TestClient {
        client_with("")
    }

    #[test]
    fn todos_are_created_listed_read_replaced_patched_and_deleted() {
        let c = client();
        let res = c
            .post("/todos")
            .json(&json!({"title": "  write docs "}))
            .send();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.header("location"), Some("/todos/1"));
        assert_eq!(
            res.json::<Value>().unwrap(),
            json!({"id": 1, "title": "write docs", "done": false})
        );
        let res = c
            .post("/todos")
            .json(&json!({"title": "ship", "done": true}))
            .send();
        assert_eq!(res.status(), StatusCode::CREATED);

        assert_eq!(c.get("/todos").send().json::<Vec<Todo>>().unwrap().len(), 2);
        let done = c
            .get("/todos?done=true")
            .send()
            .json::<Vec<Todo>>()
            .unwrap();
        assert_eq!(done.iter().map(|t| t.id).collect::<Vec<_>>(), [2]);
        assert_eq!(
            c.get("/todos/1").send().json::<Value>().unwrap()["title"],
            "write docs"
        );

        let res = c
            .put("/todos/1")
            .json(&json!({"title": "docs", "done": true}))
            .send();
        assert_eq!(
            res.json::<Value>().unwrap(),
            json!({"id": 1, "title": "docs", "done": true})
        );
        let res = c.patch("/todos/1").json(&json!({"done": false})).send();
        assert_eq!(
            res.json::<Value>().unwrap(),
            json!({"id": 1, "title": "docs", "done": false})
        );

        assert_eq!(c.delete("/todos/1").send().status(), StatusCode::NO_CONTENT);
        let res = c.get("/todos/1").send();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(res.text(), r#"{"error":"todo not found"}"#);
        assert_eq!(c.delete("/todos/1").send().status(), StatusCode::NOT_FOUND);
        assert_eq!(
            c.patch("/todos/9")
                .json(&json!({"done": true}))
                .send()
                .status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn bad_todos_are_refused_with_a_reason() {
        let c = client();
        let res = c.post("/todos").json(&json!({"title": "   "})).send();
        assert_eq!(res.status().as_u16(), 422);
        assert_eq!(
            res.json::<Value>().unwrap(),
            json!({"error": "title must not be empty", "code": "EMPTY_TITLE"})
        );
        let long = "x".repeat(MAX_TITLE + 1);
        let res = c.post("/todos").json(&json!({ "title": long })).send();
        assert_eq!(res.json::<Value>().unwrap()["code"], "TITLE_TOO_LONG");
        assert_eq!(
            c.post("/todos")
                .json(&json!({"titel": "x"}))
                .send()
                .status()
                .as_u16(),
            422
        );
        assert_eq!(
            c.post("/todos")
                .body("{")
                .header("Content-Type", "application/json")
                .send()
                .status()
                .as_u16(),
            400
        );
        assert_eq!(
            c.post("/todos").body("title=x").send().status().as_u16(),
            415
        );
        assert_eq!(
            c.put("/todos/1")
                .json(&json!({"title": "x"}))
                .send()
                .status()
                .as_u16(),
            422
        );
        assert_eq!(c.get("/todos/abc").send().status().as_u16(), 400);
    }

    #[test]
    fn admin_routes_need_the_token_however_the_path_is_spelled() {
        let c = client();
        for path in ["/admin/stats", "/%61dmin/stats", "/admin/%73tats"] {
            let res = c.get(path).send();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(res.header("www-authenticate"), Some("Bearer"));
            assert_eq!(
                res.json::<Value>().unwrap(),
                json!({"error": "missing or invalid admin token"})
            );
            let wrong = c.get(path).header("Authorization", "Bearer t0kem").send();
            assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let res = c
            .post("/todos")
            .json(&json!({"title": "a", "done": true}))
            .send();
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = c
            .get("/admin/stats")
            .header("Authorization", "Bearer t0ken")
            .send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.json::<Value>().unwrap(),
            json!({"todos": 1, "done": 1, "open": 0})
        );
    }

    #[test]
    fn clearing_all_todos_is_guarded_by_the_admin_extractor() {
        let c = client();
        let res = c.post("/todos").json(&json!({"title": "a"})).send();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(c.delete("/todos").send().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(c.get("/todos").send().json::<Vec<Todo>>().unwrap().len(), 1);
        let res = c
            .delete("/todos")
            .header("Authorization", "Bearer t0ken")
            .send();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert!(c
            .get("/todos")
            .send()
            .json::<Vec<Todo>>()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn every_response_carries_a_request_id_and_a_valid_one_is_echoed() {
        let c = client();
        for res in [
            c.get("/todos").send(),
            c.get("/nope").send(),
            c.get("/admin/stats").send(),
            c.post("/todos/1").send(),
            c.options("/todos").send(),
        ] {
            let id = res.header("x-request-id").expect("an id on every response");
            assert_eq!(id.len(), 36, "{id}");
        }
        let res = c
            .get("/whoami")
            .header("X-Request-Id", "abc-123")
            .remote_addr(([127, 0, 0, 1], 5000))
            .send();
        assert_eq!(res.header("x-request-id"), Some("abc-123"));
        assert_eq!(res.text(), r#"{"client":"127.0.0.1"}"#);
        let res = c
            .get("/todos")
            .header("X-Request-Id", "bad id\twith spaces")
            .send();
        assert_ne!(res.header("x-request-id"), Some("bad id\twith spaces"));
    }

    #[test]
    fn cors_answers_preflights_and_marks_responses_for_allowed_origins_only() {
        let c = client();
        let res = c
            .options("/todos/1")
            .header("Origin", "http://localhost:5173")
            .header("Access-Control-Request-Method", "PUT")
            .header("Access-Control-Request-Headers", "content-type")
            .send();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("http://localhost:5173")
        );
        assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
        assert!(res
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("PUT")));
        assert!(res.header("x-request-id").is_some());

        let res = c
            .get("/todos")
            .header("Origin", "http://localhost:5173")
            .send();
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("http://localhost:5173")
        );
        assert!(res.header("vary").is_some_and(|v| v.contains("Origin")));

        let res = c
            .get("/todos")
            .header("Origin", "http://evil.example")
            .send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.header("access-control-allow-origin"), None);

        // A 401 from the admin guard still carries CORS headers, so the page can read it.
        let res = c
            .get("/admin/stats")
            .header("Origin", "http://localhost:5173")
            .send();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("http://localhost:5173")
        );
    }

    #[test]
    fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
        let direct = client();
        let res = direct
            .get("/whoami")
            .header("X-Forwarded-For", "203.0.113.9")
            .remote_addr(([192, 0, 2, 1], 4000))
            .send();
        assert_eq!(
            res.json::<Value>().unwrap()["client"],
            "192.0.2.1",
            "an untrusted peer's XFF is ignored"
        );

        let proxied = client_with("127.0.0.1, 10.0.0.0/8");
        let res = proxied
            .get("/whoami")
            .header("X-Forwarded-For", "198.51.100.7, 203.0.113.9, 10.1.2.3")
            .remote_addr(([127, 0, 0, 1], 4000))
            .send();
        assert_eq!(
            res.json::<Value>().unwrap()["client"],
            "203.0.113.9",
            "right to left, skipping trusted hops"
        );
        let res = proxied
            .get("/whoami")
            .remote_addr(([10, 9, 9, 9], 1))
            .send();
        assert_eq!(res.json::<Value>().unwrap()["client"], "10.9.9.9");
    }

    #[test]
    fn a_bad_trusted_proxy_list_is_a_start_up_error() {
        let config = Config {
            admin_token: "x".into(),
            cors_origins: Vec::new(),
            trusted_proxies: "10.0.0.0/33".into(),
        };
        assert!(app(config).is_err_and(|e| e.starts_with("TRUSTED_PROXIES")));
    }
}
