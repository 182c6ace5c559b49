//! Why an app does not build or does not run.

use crate::error::Error;
use crate::http::Response;
use crate::respond::IntoResponse;
use std::fmt;
use std::io;

/// Why an app could not be built. Each names the routes at fault and where they are declared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// Two routes answer the same method on the same paths.
    Conflict {
        /// The method both answer.
        method: String,
        /// The first route: `name (file:line) path`.
        first: String,
        /// The second route, same form.
        second: String,
    },
    /// A route's path (with its mount prefix) is not a valid pattern.
    InvalidPath {
        /// The route: `name (file:line)`.
        route: String,
        /// The full path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A route takes `State<T>` for a `T` never registered with [`App::manage`](crate::App::manage).
    MissingState {
        /// The route: `name (file:line)`.
        route: String,
        /// The state type.
        type_name: &'static str,
    },
    /// A middleware's configuration is inconsistent (see
    /// [`Middleware::check`](crate::middleware::Middleware::check)).
    Middleware {
        /// The middleware's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict { method, first, second } => write!(
                f,
                "routes conflict: {method} {second} would answer the same requests as {method} {first}; remove one or change its path"
            ),
            Self::InvalidPath { route, path, reason } => write!(f, "route {route}: invalid path `{path}`: {reason}"),
            Self::MissingState { route, type_name } => write!(
                f,
                "route {route} takes `State<{type_name}>`, but no `{type_name}` was registered: add `.manage(value)` to the App"
            ),
            Self::Middleware { name, reason } => write!(f, "middleware `{name}`: {reason}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Why [`App::run`](crate::App::run) or [`App::bind`](crate::App::bind) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError {
    /// The app is inconsistent (see [`BuildError`]).
    Build(BuildError),
    /// The address could not be bound, or the listener failed.
    Io(io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(e) => e.fmt(f),
            Self::Io(e) => write!(f, "server error: {e}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Build(e) => Some(e),
            Self::Io(e) => Some(e),
        }
    }
}

impl From<BuildError> for RunError {
    fn from(e: BuildError) -> Self {
        Self::Build(e)
    }
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

impl IntoResponse for BuildError {
    fn into_response(self) -> Response {
        Error::internal(self.to_string()).into_response()
    }
}
