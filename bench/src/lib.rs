//! What the crate-based peers (`actix`, `axum`, `hyper`) share: the listen address and the
//! users store, shaped like the one of `examples/rest_api.rs` (one `RwLock` over the map and the
//! last id; a lookup clones the user under the read lock and serializes it after).
//!
//! `ceiling` uses none of this: it is std only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

/// `127.0.0.1:$PORT`, port 8080 when `PORT` is unset.
#[must_use]
pub fn listen_addr() -> String {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    format!("127.0.0.1:{port}")
}

/// The body of `GET /plaintext`.
pub const PLAINTEXT: &str = "Hello, World!";

/// The body of `GET /json`, serialized per request.
#[derive(Serialize)]
pub struct Message {
    /// Always `Hello, World!`.
    pub message: &'static str,
}

/// The `/json` message.
#[must_use]
pub fn message() -> Message {
    Message {
        message: "Hello, World!",
    }
}

/// A stored user.
#[derive(Clone, Serialize)]
pub struct User {
    /// Assigned by the store, from 1.
    pub id: u64,
    /// As posted.
    pub name: String,
    /// As posted.
    pub email: String,
}

/// The body of `POST /users`.
#[derive(Deserialize)]
pub struct NewUser {
    /// The user's name.
    pub name: String,
    /// The user's email.
    pub email: String,
}

/// The error body every peer answers with: `{"error":"..."}`.
#[derive(Serialize)]
pub struct ErrorBody {
    /// A human message.
    pub error: &'static str,
}

/// The in-memory users store.
#[derive(Default)]
pub struct Store {
    inner: RwLock<(BTreeMap<u64, User>, u64)>,
}

impl Store {
    /// Stores a new user under the next id.
    pub fn create(&self, new: NewUser) -> User {
        let mut guard = self.inner.write().unwrap_or_else(PoisonError::into_inner);
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

    /// A copy of user `id`, if stored.
    #[must_use]
    pub fn get(&self, id: u64) -> Option<User> {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .get(&id)
            .cloned()
    }
}
