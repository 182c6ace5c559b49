//! Every route and rule through `TestClient`, then what only a database has to get right:
//! data that survives a restart, migrations that run once, concurrent writers, and failures
//! that answer 500 or 503 without leaking SQL. Each body runs on SQLite (a fresh file) and on
//! PostgreSQL (a fresh schema, when `TEST_DATABASE_URL` is set).

// Test-only code (integration tests build with `cfg(test)`): saying so lets the workspace's
// `allow-unwrap-in-tests` cover the helpers, which are not `#[test]` functions.
#![cfg(test)]

mod support;

use framework::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use support::Backend;
use todo_db::migrations::MIGRATIONS;
use todo_db::{app, DbError, PoolOptions, Store, Todo, MAX_TITLE};

on_every_backend!(
    todos_are_created_listed_read_replaced_patched_and_deleted,
    bad_todos_are_refused_with_a_reason,
    missing_todos_are_404_on_every_route,
    ids_come_from_the_database_and_are_never_reused,
    the_list_filters_on_done_in_id_order,
    stats_count_done_and_open_todos,
    bodies_over_1_mib_are_refused,
    data_survives_a_restart,
    migrations_are_idempotent,
    instances_starting_at_once_migrate_once,
    concurrent_writes_from_8_threads_all_land,
    a_database_error_is_a_500_that_leaks_no_sql,
    an_exhausted_pool_is_a_503_with_retry_after,
);

fn todos(c: &framework::test::TestClient, target: &str) -> Vec<Todo> {
    let res = c.get(target).send();
    assert_eq!(res.status(), StatusCode::OK, "{target}: {}", res.text());
    res.json().expect("a list of todos")
}

fn todos_are_created_listed_read_replaced_patched_and_deleted(db: &dyn Backend) {
    let c = db.client();
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
    assert_eq!(res.header("location"), Some("/todos/2"));

    assert_eq!(todos(&c, "/todos").len(), 2);
    let done = todos(&c, "/todos?done=true");
    assert_eq!(done.iter().map(|t| t.id).collect::<Vec<_>>(), [2]);
    let res = c.get("/todos/1").send();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().unwrap()["title"], "write docs");

    let res = c
        .put("/todos/1")
        .json(&json!({"title": "docs", "done": true}))
        .send();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"id": 1, "title": "docs", "done": true})
    );
    let res = c.patch("/todos/1").json(&json!({"done": false})).send();
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"id": 1, "title": "docs", "done": false})
    );
    let res = c
        .patch("/todos/1")
        .json(&json!({"title": " docs, v2 "}))
        .send();
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"id": 1, "title": "docs, v2", "done": false})
    );
    let res = c.patch("/todos/1").json(&json!({})).send();
    assert_eq!(res.json::<Value>().unwrap()["title"], "docs, v2");

    assert_eq!(c.delete("/todos/1").send().status(), StatusCode::NO_CONTENT);
    let res = c.get("/todos/1").send();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.text(), r#"{"error":"todo not found"}"#);
    assert_eq!(c.delete("/todos/1").send().status(), StatusCode::NOT_FOUND);
    assert_eq!(
        todos(&c, "/todos"),
        [Todo {
            id: 2,
            title: "ship".into(),
            done: true
        }]
    );
}

fn bad_todos_are_refused_with_a_reason(db: &dyn Backend) {
    let c = db.client();
    let res = c.post("/todos").json(&json!({"title": "   "})).send();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"error": "title must not be empty", "code": "EMPTY_TITLE"})
    );
    let long = "x".repeat(MAX_TITLE + 1);
    let res = c.post("/todos").json(&json!({ "title": long })).send();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"error": "title is longer than 200 characters", "code": "TITLE_TOO_LONG"})
    );
    // Characters, not bytes: 200 of them in 400 bytes is fine, and stored as sent.
    let longest = "é".repeat(MAX_TITLE);
    let res = c.post("/todos").json(&json!({ "title": longest })).send();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Todo>().unwrap().title, longest);

    let status = |res: framework::test::TestResponse| res.status().as_u16();
    assert_eq!(
        status(c.post("/todos").json(&json!({"titel": "x"})).send()),
        422
    );
    assert_eq!(
        status(c.post("/todos").json(&json!({"title": 7})).send()),
        422
    );
    assert_eq!(
        status(
            c.post("/todos")
                .body("{")
                .header("Content-Type", "application/json")
                .send()
        ),
        400
    );
    assert_eq!(status(c.post("/todos").body("title=x").send()), 415);
    // PUT replaces: both fields are needed. PATCH checks the title it is given.
    assert_eq!(
        status(c.put("/todos/1").json(&json!({"title": "x"})).send()),
        422
    );
    let res = c.patch("/todos/1").json(&json!({"title": ""})).send();
    assert_eq!(res.json::<Value>().unwrap()["code"], "EMPTY_TITLE");
    let res = c
        .put("/todos/1")
        .json(&json!({"title": long, "done": true}))
        .send();
    assert_eq!(res.json::<Value>().unwrap()["code"], "TITLE_TOO_LONG");
    assert_eq!(status(c.get("/todos/abc").send()), 400);
    assert_eq!(status(c.get("/todos?done=maybe").send()), 400);

    // Only the valid one was stored, unchanged by the refused PUT and PATCH.
    assert_eq!(
        todos(&c, "/todos"),
        [Todo {
            id: 1,
            title: longest,
            done: false
        }]
    );
}

fn missing_todos_are_404_on_every_route(db: &dyn Backend) {
    let c = db.client();
    for id in ["9", "0", "-1", "9223372036854775807"] {
        let target = format!("/todos/{id}");
        for res in [
            c.get(&target).send(),
            c.put(&target)
                .json(&json!({"title": "x", "done": true}))
                .send(),
            c.patch(&target).json(&json!({"done": true})).send(),
            c.delete(&target).send(),
        ] {
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{target}");
            assert_eq!(res.text(), r#"{"error":"todo not found"}"#);
        }
    }
    // Beyond a 64-bit id it is not an id at all.
    assert_eq!(
        c.get("/todos/9223372036854775808").send().status(),
        StatusCode::BAD_REQUEST
    );
    assert!(todos(&c, "/todos").is_empty());
    assert_eq!(c.get("/nope").send().status(), StatusCode::NOT_FOUND);
    assert_eq!(
        c.post("/todos/1").send().status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
}

fn ids_come_from_the_database_and_are_never_reused(db: &dyn Backend) {
    let c = db.client();
    let create = |title: &str| {
        let res = c.post("/todos").json(&json!({ "title": title })).send();
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<Todo>().unwrap().id
    };
    assert_eq!((create("a"), create("b"), create("c")), (1, 2, 3));
    // The newest one deleted: its id is not handed out again.
    assert_eq!(c.delete("/todos/3").send().status(), StatusCode::NO_CONTENT);
    assert_eq!(create("d"), 4);
    let res = c.get("/todos/4").send();
    assert_eq!(res.json::<Value>().unwrap()["title"], "d");
}

fn the_list_filters_on_done_in_id_order(db: &dyn Backend) {
    let c = db.client();
    for (title, done) in [("a", true), ("b", false), ("c", true), ("d", false)] {
        let res = c
            .post("/todos")
            .json(&json!({"title": title, "done": done}))
            .send();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    // Reorder by changing an early one, so that id order is not insertion order of the state.
    let res = c.patch("/todos/1").json(&json!({"done": false})).send();
    assert_eq!(res.status(), StatusCode::OK);
    let ids = |target: &str| todos(&c, target).iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids("/todos"), [1, 2, 3, 4]);
    assert_eq!(ids("/todos?done=true"), [3]);
    assert_eq!(ids("/todos?done=false"), [1, 2, 4]);
    let titles: Vec<String> = todos(&c, "/todos?done=false")
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(titles, ["a", "b", "d"]);
}

fn stats_count_done_and_open_todos(db: &dyn Backend) {
    let c = db.client();
    let stats = || c.get("/stats").send().json::<Value>().unwrap();
    assert_eq!(stats(), json!({"todos": 0, "done": 0, "open": 0}));
    for done in [true, false, false] {
        let res = c
            .post("/todos")
            .json(&json!({"title": "x", "done": done}))
            .send();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    assert_eq!(stats(), json!({"todos": 3, "done": 1, "open": 2}));
}

fn bodies_over_1_mib_are_refused(db: &dyn Backend) {
    let c = db.client();
    const MIB: usize = 1024 * 1024;
    let padded = |len: usize| {
        let mut body = br#"{"title":"big"}"#.to_vec();
        body.resize(len, b' ');
        body
    };
    for (method, target) in [
        ("POST", "/todos"),
        ("PUT", "/todos/1"),
        ("PATCH", "/todos/1"),
    ] {
        let res = c
            .request(method.parse().unwrap(), target)
            .header("Content-Type", "application/json")
            .body(padded(MIB + 1))
            .send();
        assert_eq!(res.status().as_u16(), 413, "{method} {target}");
    }
    let res = c
        .post("/todos")
        .header("Content-Type", "application/json")
        .body(padded(MIB))
        .send();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "exactly 1 MiB is allowed"
    );
}

fn data_survives_a_restart(db: &dyn Backend) {
    {
        let c = db.client();
        for title in ["a", "b"] {
            let res = c.post("/todos").json(&json!({ "title": title })).send();
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        let res = c.patch("/todos/2").json(&json!({"done": true})).send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(c.delete("/todos/1").send().status(), StatusCode::NO_CONTENT);
    } // the app and its pool are gone: every connection is closed
    let c = db.client();
    assert_eq!(
        todos(&c, "/todos"),
        [Todo {
            id: 2,
            title: "b".into(),
            done: true
        }]
    );
    // Ids go on after a restart, too.
    let res = c.post("/todos").json(&json!({"title": "c"})).send();
    assert_eq!(res.header("location"), Some("/todos/3"));
}

fn migrations_are_idempotent(db: &dyn Backend) {
    let latest = i64::try_from(MIGRATIONS.len()).unwrap();
    let store = db.open();
    assert_eq!(store.schema_version().unwrap(), latest);
    store.conn().unwrap().create("kept", true).unwrap();
    assert_eq!(store.migrate().unwrap(), 0, "nothing left to apply");
    assert_eq!(store.migrate().unwrap(), 0);
    drop(store);
    let again = db.open(); // migrates again at start-up
    assert_eq!(again.schema_version().unwrap(), latest);
    assert_eq!(again.conn().unwrap().list(None).unwrap().len(), 1);

    // A database migrated by a newer program is refused rather than used.
    let future = match again {
        Store::Sqlite(_) => "PRAGMA user_version = 99",
        Store::Postgres(_) => {
            "INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')"
        }
    };
    again.conn().unwrap().execute_batch(future).unwrap();
    let err = again.migrate().unwrap_err();
    assert!(
        matches!(err, DbError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
}

fn instances_starting_at_once_migrate_once(db: &dyn Backend) {
    let options = PoolOptions {
        size: 2,
        ..PoolOptions::default()
    };
    std::thread::scope(|s| {
        let starts: Vec<_> = (0..4).map(|_| s.spawn(|| db.open_with(&options))).collect();
        for start in starts {
            let store = start.join().expect("every instance starts");
            let latest = i64::try_from(MIGRATIONS.len()).unwrap();
            assert_eq!(store.schema_version().unwrap(), latest);
        }
    });
    let c = db.client();
    let res = c.post("/todos").json(&json!({"title": "after"})).send();
    assert_eq!(res.header("location"), Some("/todos/1"));
}

fn concurrent_writes_from_8_threads_all_land(db: &dyn Backend) {
    const THREADS: usize = 8;
    const EACH: usize = 25;
    let c = db.client();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let c = &c;
            s.spawn(move || {
                for i in 0..EACH {
                    let res = c
                        .post("/todos")
                        .json(&json!({"title": format!("t{t} #{i}"), "done": i % 2 == 0}))
                        .send();
                    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text());
                    // A read and an update between the writes, on whatever connection is free.
                    let id = res.json::<Todo>().unwrap().id;
                    let res = c
                        .patch(&format!("/todos/{id}"))
                        .json(&json!({"done": true}))
                        .send();
                    assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
                }
            });
        }
    });
    let all = todos(&c, "/todos");
    assert_eq!(all.len(), THREADS * EACH);
    let mut ids: Vec<i64> = all.iter().map(|t| t.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), THREADS * EACH, "ids are unique and in order");
    assert!(all.iter().all(|t| t.done));
    let stats = c.get("/stats").send().json::<Value>().unwrap();
    assert_eq!(stats["todos"], THREADS * EACH);
}

fn a_database_error_is_a_500_that_leaks_no_sql(db: &dyn Backend) {
    let store = db.open();
    let c = framework::test::TestClient::new(app(store.clone()).banner(false).access_log(false))
        .unwrap();
    store
        .conn()
        .unwrap()
        .execute_batch("DROP TABLE todos")
        .unwrap();
    for res in [
        c.get("/todos").send(),
        c.post("/todos").json(&json!({"title": "x"})).send(),
        c.get("/stats").send(),
    ] {
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.text(), r#"{"error":"internal server error"}"#);
    }
    // Validation still comes first, and answers as before.
    let res = c.post("/todos").json(&json!({"title": ""})).send();
    assert_eq!(res.status().as_u16(), 422);
}

fn an_exhausted_pool_is_a_503_with_retry_after(db: &dyn Backend) {
    let store = db.open_with(&PoolOptions {
        size: 1,
        checkout_timeout: Duration::from_millis(200),
    });
    let c = framework::test::TestClient::new(app(store.clone()).banner(false).access_log(false))
        .unwrap();
    let held = store.conn().unwrap(); // the pool's only connection, busy elsewhere
    let res = c.get("/todos").send();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.header("retry-after"), Some("1"));
    assert_eq!(
        res.json::<Value>().unwrap(),
        json!({"error": "the database is busy, try again"})
    );
    drop(held);
    let res = c.get("/todos").send();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.header("retry-after"), None);
}
