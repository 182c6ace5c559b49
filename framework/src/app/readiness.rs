//! The readiness route ([`App::readiness`](crate::App::readiness)): `200` while the server
//! serves, `503` once a drain has begun, for a load balancer that polls it.

use crate::http::{Method, Response, StatusCode};
use crate::route::Route;
use crate::server::Lifecycle;
use std::sync::Arc;

pub(crate) const READY: &str = r#"{"status":"ready"}"#;
pub(crate) const DRAINING: &str = r#"{"status":"draining"}"#;

/// The route at `path`, answering from `lifecycle`.
#[track_caller]
pub(crate) fn route(path: &str, lifecycle: Lifecycle) -> Route {
    Route::built_in(
        vec![Method::Get],
        path,
        "readiness",
        Arc::new(move |_req, _cx| {
            let (status, body) = if lifecycle.is_draining() {
                (StatusCode::SERVICE_UNAVAILABLE, DRAINING)
            } else {
                (StatusCode::OK, READY)
            };
            let mut res = Response::json_bytes(body).with_status(status);
            let _ = res.headers_mut().insert("Cache-Control", "no-store");
            res
        }),
        std::panic::Location::caller(),
    )
}
