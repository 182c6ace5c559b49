//! `axum`: axum 0.8 (on hyper 1) with its default features, `axum::serve`, on a tokio
//! `current_thread` runtime.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use framework_bench::{listen_addr, message, ErrorBody, Message, NewUser, Store, PLAINTEXT};
use std::sync::Arc;

async fn plaintext() -> &'static str {
    PLAINTEXT
}

async fn json() -> Json<Message> {
    Json(message())
}

async fn create(State(store): State<Arc<Store>>, Json(new): Json<NewUser>) -> Response {
    let user = store.create(new);
    let location = format!("/users/{}", user.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(user),
    )
        .into_response()
}

async fn show(State(store): State<Arc<Store>>, Path(id): Path<u64>) -> Response {
    match store.get(id) {
        Some(user) => Json(user).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(ErrorBody {
                error: "user not found",
            }),
        )
            .into_response(),
    }
}

fn main() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let app = Router::new()
            .route("/plaintext", get(plaintext))
            .route("/json", get(json))
            .route("/users", post(create))
            .route("/users/{id}", get(show))
            .with_state(Arc::new(Store::default()));
        let addr = listen_addr();
        let listener = tokio::net::TcpListener::bind(&addr)
            .await?
            .tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
        eprintln!("axum listening on http://{addr}");
        axum::serve(listener, app).await
    })
}
