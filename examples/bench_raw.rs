//! The benchmark's three endpoints on the raw handler API (no router yet), used to measure the
//! server's request path against `../shared/bench` peers before the example API exists:
//!
//! - `GET /plaintext` → `Hello, World!`
//! - `GET /json` → `{"message":"Hello, World!"}`, serialized per request
//! - `GET /users/:id` → the user as JSON (404 / 400 JSON errors); `POST /users` creates one
//!
//! `PORT=8080 cargo run --release --example bench_raw`

use framework::{Method, Request, Response, Server, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Clone, Serialize)]
struct User {
    id: u64,
    name: String,
    email: String,
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    email: String,
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => Response::json_bytes(body).with_status(status),
        Err(_) => Response::new(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn error(status: StatusCode, message: &'static str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080u16);
    let users: RwLock<HashMap<u64, User>> = RwLock::new(HashMap::new());
    let server = Server::bind(("127.0.0.1", port))?;
    println!("listening on http://{}", server.local_addr());
    server.serve(move |req: &mut Request| {
        let path = req.path();
        match (req.method(), path) {
            (Method::Get, "/plaintext") => Response::text("Hello, World!"),
            (Method::Get, "/json") => json(
                StatusCode::OK,
                &Message {
                    message: "Hello, World!",
                },
            ),
            (Method::Post, "/users") => {
                let Ok(body) = req.body_mut().bytes() else {
                    return error(StatusCode::BAD_REQUEST, "invalid user body");
                };
                let Ok(new) = serde_json::from_slice::<NewUser>(&body) else {
                    return error(StatusCode::BAD_REQUEST, "invalid user body");
                };
                let mut users = users
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let user = User {
                    id: users.len() as u64 + 1,
                    name: new.name,
                    email: new.email,
                };
                users.insert(user.id, user.clone());
                json(StatusCode::CREATED, &user)
            }
            (Method::Get, p) if p.starts_with("/users/") => {
                match p["/users/".len()..].parse::<u64>() {
                    Err(_) => error(StatusCode::BAD_REQUEST, "invalid user id"),
                    Ok(id) => match users
                        .read()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .get(&id)
                    {
                        Some(user) => json(StatusCode::OK, user),
                        None => error(StatusCode::NOT_FOUND, "user not found"),
                    },
                }
            }
            _ => error(StatusCode::NOT_FOUND, "not found"),
        }
    })
}
