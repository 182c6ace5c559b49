//! The application: built once from routes, scopes, middleware, state and limits, then served.
//!
//! One job per file: [`App`] and its checks in `builder.rs`, [`Scope`] in `scope.rs`, the build
//! and run errors in `error.rs`, answering a request in `dispatch.rs` (routing, middleware chains,
//! the error hook), and the built and bound app with the banner and access log in `serve.rs`.

mod builder;
mod dispatch;
mod error;
mod readiness;
mod scope;
mod serve;

pub use builder::App;
pub use error::{BuildError, RunError};
pub use scope::Scope;
pub use serve::{BoundApp, BuiltApp};
