//! A todo API with what a real service needs around it on its first day: a token guard on the
//! `/admin` scope (middleware) and on one route (a guard extractor), CORS for a browser front end,
//! request ids, the client address from behind a trusted proxy, its own front end from
//! `public/` at `/static/`, a server-sent event stream, and one route with a larger body limit.
//!
//! `cargo run --release --example todo` listens on 127.0.0.1:8080. Environment:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `PORT` | `8080` | the port |
//! | `ADMIN_TOKEN` | `secret` | `Authorization: Bearer <token>` for `/admin/*` and `DELETE /todos` |
//! | `CORS_ORIGINS` | `http://localhost:5173` | comma-separated origins a browser may call from |
//! | `TRUSTED_PROXIES` | none | comma-separated addresses or CIDR ranges whose `X-Forwarded-For` is believed |
//! | `PUBLIC_DIR` | this example's `public/` | the folder served at `/static/` |
//! | `ACCESS_LOG` | on | `0` turns the access log off |
//!
//! Besides the todo routes: `GET /static/*` (the page at `/static/`, a CSS file and its `.gz`
//! sibling), `GET /events?n=N&interval_ms=M` (N ≤ 100 server-sent events M ≤ 10000 ms apart,
//! resumed after `Last-Event-ID`) and `POST /upload` (up to 50 MiB, answered `{"bytes":N}`;
//! every other route keeps the 1 MiB default).

mod app;

use app::{app, Config};

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
    use app::{default_public_dir, Todo, MAX_TITLE};
    use framework::test::TestClient;
    use framework::StatusCode;
    use serde_json::{json, Value};

    fn client_with(trusted: &str) -> TestClient {
        let config = Config {
            admin_token: "t0ken".into(),
            cors_origins: vec!["http://localhost:5173".into()],
            trusted_proxies: trusted.into(),
            public_dir: default_public_dir(),
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
            public_dir: default_public_dir(),
        };
        assert!(app(config).is_err_and(|e| e.starts_with("TRUSTED_PROXIES")));
    }

    #[test]
    fn the_front_end_is_served_from_public_at_static() {
        let c = client();
        let page = c.get("/static/").send();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(page.text().contains("<title>Todos</title>"));
        assert!(page.header("etag").is_some());
        let redirect = c.get("/static").send();
        assert_eq!(redirect.status().as_u16(), 308);
        assert_eq!(redirect.header("location"), Some("/static/"));

        let plain = c.get("/static/style.css").send();
        assert_eq!(
            plain.header("content-type"),
            Some("text/css; charset=utf-8")
        );
        assert_eq!(plain.header("content-encoding"), None);
        let gzipped = c
            .get("/static/style.css")
            .header("Accept-Encoding", "gzip")
            .send();
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
        // CORS adds `Origin` to the same field.
        assert!(gzipped
            .header("vary")
            .is_some_and(|v| v.contains("Accept-Encoding")));
        let mut css = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gzipped.bytes()), &mut css)
            .unwrap();
        assert_eq!(css, plain.text(), "style.css.gz is style.css compressed");

        for hostile in [
            "/static/../main.rs",
            "/static/%2e%2e/main.rs",
            "/static/.hidden",
        ] {
            assert_eq!(
                c.get(hostile).send().status(),
                StatusCode::NOT_FOUND,
                "{hostile}"
            );
        }
    }

    #[test]
    fn public_dir_replaces_the_folder() {
        let dir = std::env::temp_dir().join(format!("todo-public-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hello.txt"), "from PUBLIC_DIR").unwrap();
        let config = Config {
            public_dir: dir.clone(),
            ..Config::from_env()
        };
        let c = TestClient::new(app(config).unwrap()).unwrap();
        assert_eq!(c.get("/static/hello.txt").send().text(), "from PUBLIC_DIR");
        assert_eq!(
            c.get("/static/style.css").send().status(),
            StatusCode::NOT_FOUND
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// The events of an SSE body, as (id, data) pairs, and the retry it starts with.
    fn sse(text: &str) -> (Vec<(String, Value)>, Vec<String>) {
        let mut events = Vec::new();
        let mut other = Vec::new();
        for block in text.split_terminator("\n\n") {
            let id = block.lines().find_map(|l| l.strip_prefix("id: "));
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            match (id, data) {
                (Some(id), Some(data)) => {
                    events.push((id.to_string(), serde_json::from_str(data).unwrap()));
                }
                _ => other.push(block.to_string()),
            }
        }
        (events, other)
    }

    #[test]
    fn events_streams_n_numbered_events_and_resumes_after_last_event_id() {
        let c = client();
        let res = c.get("/events?n=3&interval_ms=1").send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.header("content-type"), Some("text/event-stream"));
        let (events, other) = sse(&res.text());
        assert_eq!(other, ["retry: 1000"]);
        let ids: Vec<&str> = events.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(
            events[2].1,
            json!({"id": 3, "of": 3, "resumed_after": null})
        );

        let resumed = c
            .get("/events?n=3&interval_ms=1")
            .header("Last-Event-ID", "1")
            .send();
        let (events, _) = sse(&resumed.text());
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].1, json!({"id": 2, "of": 3, "resumed_after": 1}));

        // Everything was sent: 204 tells the browser to stop reconnecting.
        let done = c.get("/events?n=3").header("Last-Event-ID", "3").send();
        assert_eq!(done.status(), StatusCode::NO_CONTENT);
        // An id that is not ours starts over.
        let odd = c.get("/events?n=1").header("Last-Event-ID", "x").send();
        assert_eq!(sse(&odd.text()).0.len(), 1);
        assert_eq!(sse(&c.get("/events?n=0").send().text()).0.len(), 0);
    }

    #[test]
    fn events_refuses_more_than_100_events_or_10_seconds_apart() {
        let c = client();
        let res = c.get("/events?n=101").send();
        assert_eq!(res.status().as_u16(), 422);
        assert_eq!(res.json::<Value>().unwrap()["code"], "TOO_MANY_EVENTS");
        let res = c.get("/events?n=1&interval_ms=10001").send();
        assert_eq!(res.json::<Value>().unwrap()["code"], "INTERVAL_TOO_LONG");
        assert_eq!(
            c.get("/events?n=many").send().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            c.get("/events?n=100&interval_ms=0").send().status(),
            StatusCode::OK
        );
    }

    #[test]
    fn upload_takes_50_mib_while_other_routes_keep_1_mib() {
        let c = client();
        const MIB: usize = 1024 * 1024;
        let res = c.post("/upload").body(vec![7u8; 50 * MIB]).send();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().unwrap(), json!({"bytes": 50 * MIB}));
        let res = c.post("/upload").body(vec![7u8; 50 * MIB + 1]).send();
        assert_eq!(res.status().as_u16(), 413);
        let res = c
            .post("/todos")
            .header("Content-Type", "application/json")
            .body(vec![b' '; MIB + 1])
            .send();
        assert_eq!(res.status().as_u16(), 413);
    }
}
