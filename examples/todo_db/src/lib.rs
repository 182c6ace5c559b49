//! The todo service of `examples/todo`, stored in a database: SQLite by default (one file, no
//! server), PostgreSQL when several instances share the data. `src/main.rs` reads the
//! environment and serves it; the tests in `tests/` build it with [`app`] over a temporary
//! database.
//!
//! Handlers are plain blocking functions: each checks a connection out of the pool held in
//! `State<Store>`, runs its query and returns. A query that waits on the disk or on the
//! network blocks that request's worker thread and nothing else, so there is no async driver
//! and no `spawn_blocking` anywhere.

pub mod config;
pub mod migrations;
mod pg;
pub mod sqlite;
pub mod store;

pub use config::{Config, Database};
pub use store::{Conn, DbError, PoolOptions, Stats, Store, Todo};

use framework::extract::{Json, Query};
use framework::middleware::Next;
use framework::{
    delete, get, patch, post, put, routes, App, Error, Request, RequestContext, Response, State,
    StatusCode,
};
use serde::Deserialize;

/// Longest title accepted, in characters.
pub const MAX_TITLE: usize = 200;

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
fn list(store: State<Store>, Query(filter): Query<ListFilter>) -> Result<Json<Vec<Todo>>, Error> {
    let mut db = store.conn()?;
    Ok(Json(db.list(filter.done)?))
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
    let mut db = store.conn()?;
    let todo = db.create(&title, new.done)?;
    let location = format!("/todos/{}", todo.id);
    Ok((StatusCode::CREATED, [("Location", location)], Json(todo)))
}

#[get("/todos/:id")]
fn show(id: i64, store: State<Store>) -> Result<Json<Todo>, Error> {
    let mut db = store.conn()?;
    db.get(id)?.map(Json).ok_or_else(not_found)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplaceTodo {
    title: String,
    done: bool,
}

#[put("/todos/:id")]
fn replace(
    id: i64,
    store: State<Store>,
    Json(body): Json<ReplaceTodo>,
) -> Result<Json<Todo>, Error> {
    let title = valid_title(&body.title)?;
    let mut db = store.conn()?;
    let todo = db.update(id, Some(&title), Some(body.done))?;
    todo.map(Json).ok_or_else(not_found)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchTodo {
    title: Option<String>,
    done: Option<bool>,
}

#[patch("/todos/:id")]
fn update(id: i64, store: State<Store>, Json(body): Json<PatchTodo>) -> Result<Json<Todo>, Error> {
    let title = body.title.as_deref().map(valid_title).transpose()?;
    let mut db = store.conn()?;
    let todo = db.update(id, title.as_deref(), body.done)?;
    todo.map(Json).ok_or_else(not_found)
}

#[delete("/todos/:id")]
fn remove(id: i64, store: State<Store>) -> Result<StatusCode, Error> {
    let mut db = store.conn()?;
    if db.delete(id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

#[get("/stats")]
fn stats(store: State<Store>) -> Result<Json<Stats>, Error> {
    let mut db = store.conn()?;
    Ok(Json(db.stats()?))
}

/// A `503` here means that no pooled connection came free in time (or the database is down):
/// tell the client to come back in a second.
fn retry_after_when_unavailable(
    req: &mut Request,
    _cx: &RequestContext<'_>,
    next: Next<'_>,
) -> Response {
    let mut res = next.run(req);
    if res.status() == StatusCode::SERVICE_UNAVAILABLE {
        let _ = res.headers_mut().insert("Retry-After", "1");
    }
    res
}

/// The whole service over `store`, for `main` and for the tests. Every route keeps the
/// framework's default body limit of 1 MiB.
pub fn app(store: Store) -> App {
    App::new()
        .manage(store)
        .wrap(retry_after_when_unavailable)
        .mount(
            "/",
            routes![list, create, show, replace, update, remove, stats],
        )
        // For a load balancer: 200 while serving, 503 once SIGTERM has started the drain.
        .readiness("/ready")
}
