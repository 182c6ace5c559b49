//! `hyper`: hyper 1, one `http1` connection task per socket, on a tokio `current_thread`
//! runtime. Routing is a `match` on method and path: about the least a hyper user writes.

use bytes::Bytes;
use framework_bench::{listen_addr, message, ErrorBody, NewUser, Store, PLAINTEXT};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

type Answer = Response<Full<Bytes>>;

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Answer {
    match serde_json::to_vec(value) {
        Ok(body) => reply(status, "application/json", body),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "serialization failed"),
    }
}

fn error(status: StatusCode, message: &'static str) -> Answer {
    json(status, &ErrorBody { error: message })
}

async fn handle(req: Request<Incoming>, store: Arc<Store>) -> Result<Answer, Infallible> {
    let path = req.uri().path();
    let res = match (req.method(), path) {
        (&Method::GET, "/plaintext") => {
            reply(StatusCode::OK, "text/plain; charset=utf-8", PLAINTEXT)
        }
        (&Method::GET, "/json") => json(StatusCode::OK, &message()),
        (&Method::POST, "/users") => match req.into_body().collect().await {
            Ok(body) => match serde_json::from_slice::<NewUser>(&body.to_bytes()) {
                Ok(new) => {
                    let user = store.create(new);
                    let mut res = json(StatusCode::CREATED, &user);
                    if let Ok(location) = HeaderValue::try_from(format!("/users/{}", user.id)) {
                        res.headers_mut().insert(LOCATION, location);
                    }
                    res
                }
                Err(_) => error(StatusCode::BAD_REQUEST, "malformed user"),
            },
            Err(_) => error(StatusCode::BAD_REQUEST, "unreadable body"),
        },
        (&Method::GET, p) if p.starts_with("/users/") => match p[7..].parse::<u64>() {
            Ok(id) => match store.get(id) {
                Some(user) => json(StatusCode::OK, &user),
                None => error(StatusCode::NOT_FOUND, "user not found"),
            },
            Err(_) => error(StatusCode::BAD_REQUEST, "invalid id"),
        },
        _ => error(StatusCode::NOT_FOUND, "not found"),
    };
    Ok(res)
}

fn main() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let addr = listen_addr();
        let listener = TcpListener::bind(&addr).await?;
        let store = Arc::new(Store::default());
        eprintln!("hyper listening on http://{addr}");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(req, Arc::clone(&store)));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
