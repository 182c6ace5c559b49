//! The users service: the contract every release serves (status codes, fields and bodies as
//! `tests/api.rs` checks them, row by row).
//!
//! `cargo run --release --example rest_api` listens on 127.0.0.1:8080 (`PORT` overrides the port)
//! and logs one line per request to stderr (`ACCESS_LOG=0` turns that off).

use framework::extract::names::ContentType;
use framework::extract::{Form, Header, Json, Query};
use framework::{delete, get, post, put, routes, App, Error, Response, State, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::Duration;

/// A stored user.
#[derive(Clone, Serialize)]
struct User {
    id: u64,
    name: String,
    email: String,
}

/// What a client sends to create or replace a user.
#[derive(Deserialize)]
struct NewUser {
    name: String,
    email: String,
}

/// The in-memory store. One lock guards both the map and the next id, so concurrent creations
/// never share an id and no write is lost.
#[derive(Default)]
struct Store {
    inner: RwLock<(BTreeMap<u64, User>, u64)>,
}

impl Store {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, (BTreeMap<u64, User>, u64)> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, (BTreeMap<u64, User>, u64)> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn create(&self, new: NewUser) -> User {
        let mut guard = self.write();
        let (users, last_id) = &mut *guard;
        *last_id += 1;
        let user = User {
            id: *last_id,
            name: new.name,
            email: new.email,
        };
        users.insert(user.id, user.clone());
        user
    }
}

fn not_found() -> Error {
    Error::not_found("user not found")
}

/// `201 Created` with `Location` and the user.
fn created(user: User) -> (StatusCode, [(&'static str, String); 1], Json<User>) {
    let location = format!("/users/{}", user.id);
    (StatusCode::CREATED, [("Location", location)], Json(user))
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
}

#[get("/health")]
fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

#[get("/plaintext")]
fn plaintext() -> &'static str {
    "Hello, World!"
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

#[get("/json")]
fn json() -> Json<Message> {
    Json(Message {
        message: "Hello, World!",
    })
}

/// The body back, with the same Content-Type.
#[post("/echo")]
fn echo(content_type: Option<Header<ContentType>>, body: Vec<u8>) -> Response {
    let res = Response::new(StatusCode::OK).with_body(body);
    match content_type {
        Some(ct) => res
            .with_header("Content-Type", ct.value)
            .unwrap_or_else(|e| {
                framework::IntoResponse::into_response(Error::bad_request(e.to_string()))
            }),
        None => res,
    }
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default = "default_limit")]
    limit: u32,
    #[serde(default)]
    offset: u32,
    name: Option<String>,
}

fn default_limit() -> u32 {
    50
}

#[get("/users")]
fn list(Query(params): Query<ListParams>, store: State<Store>) -> Json<Vec<User>> {
    let guard = store.read();
    let users = guard
        .0
        .values()
        .filter(|u| params.name.as_deref().is_none_or(|n| u.name.contains(n)))
        .skip(params.offset as usize)
        .take(params.limit as usize)
        .cloned()
        .collect();
    Json(users)
}

#[post("/users")]
fn create(
    store: State<Store>,
    Json(new): Json<NewUser>,
) -> (StatusCode, [(&'static str, String); 1], Json<User>) {
    created(store.create(new))
}

#[post("/users/form")]
fn create_from_form(
    store: State<Store>,
    Form(new): Form<NewUser>,
) -> (StatusCode, [(&'static str, String); 1], Json<User>) {
    created(store.create(new))
}

#[get("/users/:id")]
fn show(id: u64, store: State<Store>) -> Result<Json<User>, Error> {
    store
        .read()
        .0
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(not_found)
}

#[put("/users/:id")]
fn replace(id: u64, store: State<Store>, Json(new): Json<NewUser>) -> Result<Json<User>, Error> {
    let mut guard = store.write();
    let user = guard.0.get_mut(&id).ok_or_else(not_found)?;
    user.name = new.name;
    user.email = new.email;
    Ok(Json(user.clone()))
}

#[delete("/users/:id")]
fn remove(id: u64, store: State<Store>) -> Result<StatusCode, Error> {
    match store.write().0.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(not_found()),
    }
}

/// The longest sleep `GET /sleep/:ms` agrees to, in milliseconds.
const MAX_SLEEP_MS: u64 = 10_000;

#[derive(Serialize)]
struct Slept {
    slept_ms: u64,
}

/// A slow handler for load tests, outside the contract's table: blocks its thread for `ms`
/// milliseconds, then answers `{"slept_ms": ms}`. More than 10 000 ms is a 400, as is an `ms`
/// that is not a `u64`.
#[get("/sleep/:ms")]
fn sleep(ms: u64) -> Result<Json<Slept>, Error> {
    if ms > MAX_SLEEP_MS {
        return Err(Error::bad_request(format!(
            "ms must be at most {MAX_SLEEP_MS}"
        )));
    }
    std::thread::sleep(Duration::from_millis(ms));
    Ok(Json(Slept { slept_ms: ms }))
}

/// The app, shared by `main` and the tests.
pub(crate) fn app() -> App {
    App::new().manage(Store::default()).mount(
        "/",
        routes![
            health,
            plaintext,
            json,
            echo,
            list,
            create,
            create_from_form,
            show,
            replace,
            remove,
            sleep
        ],
    )
}

fn main() -> Result<(), framework::RunError> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    app().run(format!("127.0.0.1:{port}"))
}

#[cfg(test)]
mod tests {
    use super::app;
    use framework::test::TestClient;
    use framework::StatusCode;
    use serde_json::{json, Value};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn create_then_show() -> TestResult {
        let client = TestClient::new(app())?;
        let ann = json!({"name": "Ann", "email": "ann@example.com"});
        let res = client.post("/users").json(&ann).send();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.header("location"), Some("/users/1"));
        let user = json!({"id": 1, "name": "Ann", "email": "ann@example.com"});
        assert_eq!(res.json::<Value>()?, user);

        let res = client.get("/users/1").send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>()?, user);
        Ok(())
    }

    #[test]
    fn unknown_user_is_404() -> TestResult {
        let client = TestClient::new(app())?;
        let res = client.get("/users/7").send();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.json::<Value>()?, json!({"error": "user not found"}));
        Ok(())
    }

    #[test]
    fn list_in_id_order_with_paging() -> TestResult {
        let client = TestClient::new(app())?;
        for name in ["Ann", "Bob", "Cy"] {
            let res = client
                .post("/users/form")
                .form(&[("name", name), ("email", "x@example.com")])
                .send();
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        let ids = |target: &str| -> Result<Vec<u64>, serde_json::Error> {
            let users: Vec<Value> = client.get(target).send().json()?;
            Ok(users.iter().filter_map(|u| u["id"].as_u64()).collect())
        };
        assert_eq!(ids("/users")?, [1, 2, 3]);
        assert_eq!(ids("/users?offset=1&limit=1")?, [2]);
        assert_eq!(ids("/users?name=y")?, [3]);
        let res = client.get("/users?limit=x").send();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        Ok(())
    }

    #[test]
    fn sleep_answers_how_long_it_slept() -> TestResult {
        let client = TestClient::new(app())?;
        let res = client.get("/sleep/0").send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.text(), r#"{"slept_ms":0}"#);

        let res = client.get("/sleep/5").send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>()?, json!({"slept_ms": 5}));
        Ok(())
    }

    #[test]
    fn sleep_over_ten_seconds_or_not_a_number_is_400() -> TestResult {
        let client = TestClient::new(app())?;
        for target in ["/sleep/10001", "/sleep/abc", "/sleep/-1"] {
            let res = client.get(target).send();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{target}");
            assert_eq!(
                res.header("content-type"),
                Some("application/json"),
                "{target}"
            );
            let body = res.json::<Value>()?;
            assert!(body["error"].is_string(), "{target}: {body}");
        }
        let res = client.get("/sleep/10001").send();
        assert_eq!(res.text(), r#"{"error":"ms must be at most 10000"}"#);
        Ok(())
    }
}
