//! Every route attribute, every kind of argument, and the common return types, mounted with
//! `routes![]` (module paths included) and exercised through the in-process test client.

use framework::extract::Json;
use framework::test::TestClient;
use framework::{delete, get, head, options, patch, post, put, route, routes, App, Body};
use framework::{Method, Route, State, StatusCode};
use std::net::Ipv4Addr;

struct Greeting {
    word: &'static str,
}

#[get("/")]
fn index() -> &'static str {
    "index"
}

#[get("/hello/:name")]
fn hello(name: String, greeting: State<Greeting>) -> String {
    format!("{}, {name}!", greeting.word)
}

/// Parameters of any `FromStr` type, in any order among the arguments.
#[get("/hosts/:ip/ports/:port")]
fn port(port: u16, ip: Ipv4Addr) -> Result<String, framework::Error> {
    if ip.is_loopback() {
        Ok(format!("{ip}:{port}"))
    } else {
        Err(framework::Error::not_found("unknown host"))
    }
}

#[get("/files/*path")]
fn file(path: String) -> String {
    path
}

#[route(GET, POST, "/x")]
fn x(method: Method) -> String {
    method.to_string()
}

#[route("PURGE", "/cache")]
fn purge() {}

mod notes {
    use super::*;

    #[post("/notes")]
    pub fn create(greeting: State<Greeting>, body: String) -> (StatusCode, String) {
        (StatusCode::CREATED, format!("{} {body}", greeting.word))
    }

    #[put("/notes/:id")]
    pub fn replace(id: u64, bytes: Vec<u8>) -> String {
        format!("{id}: {} bytes", bytes.len())
    }

    #[patch("/notes/:id")]
    pub fn update(id: u64, body: Body) -> String {
        let _ = body;
        id.to_string()
    }

    #[delete("/notes/:id")]
    pub fn remove(id: u64) -> StatusCode {
        let _ = id;
        StatusCode::NO_CONTENT
    }

    #[head("/notes")]
    pub fn exists() {}

    #[options("/notes")]
    pub fn allowed() -> StatusCode {
        StatusCode::NO_CONTENT
    }

    #[post("/notes.json")]
    pub fn create_json(Json(text): Json<String>) -> Json<String> {
        Json(text)
    }
}

/// Routes declared inside a function, and paths through `crate::` and `self::`.
fn more_routes() -> Vec<Route> {
    #[get("/local")]
    fn local() -> &'static str {
        "local"
    }
    routes![local, crate::purge, self::notes::exists]
}

/// Options after the path: a body limit, as a size or in bytes, with a trailing comma.
#[post("/upload", limit = "2 KiB",)]
fn upload(body: Vec<u8>) -> String {
    body.len().to_string()
}

#[route(POST, PUT, "/blob", limit = 3)]
fn blob(body: Vec<u8>) -> String {
    body.len().to_string()
}

fn main() -> Result<(), framework::BuildError> {
    let none: Vec<Route> = routes![];
    assert!(none.is_empty());
    assert_eq!(more_routes().len(), 3);

    let app = App::new().manage(Greeting { word: "Hello" }).mount(
        "/",
        routes![
            index,
            hello,
            port,
            file,
            x,
            purge,
            notes::create,
            notes::replace,
            notes::update,
            notes::remove,
            notes::exists,
            notes::allowed,
            notes::create_json,
            upload,
            blob,
        ],
    );
    let client = TestClient::new(app)?;
    assert_eq!(client.post("/upload").body(vec![0u8; 2048]).send().text(), "2048");
    assert_eq!(
        client.post("/upload").body(vec![0u8; 2049]).send().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(client.put("/blob").body("abc").send().text(), "3");
    assert_eq!(
        client.put("/blob").body("abcd").send().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(client.get("/").send().text(), "index");
    assert_eq!(client.get("/hello/Ada").send().text(), "Hello, Ada!");
    assert_eq!(
        client.get("/hosts/127.0.0.1/ports/80").send().text(),
        "127.0.0.1:80"
    );
    assert_eq!(
        client.get("/hosts/10.0.0.1/ports/80").send().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client.get("/hosts/127.0.0.1/ports/http").send().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(client.get("/files/a/b.txt").send().text(), "a/b.txt");
    assert_eq!(client.post("/x").send().text(), "POST");
    let purge = "PURGE".parse::<Method>().map_err(|_| ()).ok();
    if let Some(purge) = purge {
        assert_eq!(
            client.request(purge, "/cache").send().status(),
            StatusCode::NO_CONTENT
        );
    }
    let created = client.post("/notes").body("world").send();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.text(), "Hello world");
    assert_eq!(
        client.put("/notes/7").body("abc").send().text(),
        "7: 3 bytes"
    );
    assert_eq!(
        client.delete("/notes/7").send().status(),
        StatusCode::NO_CONTENT
    );
    Ok(())
}
