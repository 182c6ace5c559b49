//! Why an app does not build or does not run.

use crate::error::Error;
use crate::http::Response;
use crate::respond::IntoResponse;
use crate::server::BindError;
use std::fmt;
use std::io;

/// Why an app could not be built. Each names the routes at fault and where they are declared.
///
/// `Debug` writes the same text as `Display`, so that a `main` returning `Result<(), RunError>`
/// prints the message and its advice (`Error: route ... add `.manage(value)` to the App`);
/// `{:#?}` shows the variant and its fields.
///
/// ```
/// use framework::{get, routes, App, State};
///
/// struct Counter;
///
/// #[get("/count")]
/// fn count(_counter: State<Counter>) -> &'static str { "1" }
///
/// let err = App::new().mount("/", routes![count]).build().err().ok_or("it built")?;
/// let printed = format!("{err:?}");
/// assert!(printed.starts_with("route `count` ("), "{printed}");
/// assert!(printed.ends_with("add `.manage(value)` to the App"), "{printed}");
/// assert!(format!("{err:#?}").starts_with("MissingState {"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
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
    /// One route was mounted twice at the same path (the same `routes![...]`, or the same route,
    /// given to two mounts with the same prefix).
    MountedTwice {
        /// The route: `name (file:line)`.
        route: String,
        /// The full path both mounts give it.
        path: String,
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
            Self::MountedTwice { route, path } => write!(
                f,
                "route {route} is mounted twice at `{path}`; remove one of the mounts"
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

/// The `Display` text; `{:#?}` shows the variant and its fields.
impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        match self {
            Self::Conflict {
                method,
                first,
                second,
            } => f
                .debug_struct("Conflict")
                .field("method", method)
                .field("first", first)
                .field("second", second)
                .finish(),
            Self::MountedTwice { route, path } => f
                .debug_struct("MountedTwice")
                .field("route", route)
                .field("path", path)
                .finish(),
            Self::InvalidPath {
                route,
                path,
                reason,
            } => f
                .debug_struct("InvalidPath")
                .field("route", route)
                .field("path", path)
                .field("reason", reason)
                .finish(),
            Self::MissingState { route, type_name } => f
                .debug_struct("MissingState")
                .field("route", route)
                .field("type_name", type_name)
                .finish(),
            Self::Middleware { name, reason } => f
                .debug_struct("Middleware")
                .field("name", name)
                .field("reason", reason)
                .finish(),
        }
    }
}

impl std::error::Error for BuildError {}

/// Why [`App::run`](crate::App::run) or [`App::bind`](crate::App::bind) failed.
///
/// As for [`BuildError`], `Debug` writes the `Display` text, so that `fn main() -> Result<(),
/// RunError>` prints a sentence (`Error: cannot listen on 127.0.0.1:8080: Address already in
/// use (os error 98)`); `{:#?}` shows the variant and its fields.
///
/// ```
/// use framework::{App, RunError};
/// use std::io::ErrorKind;
///
/// let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let addr = taken.local_addr()?;
/// let err = App::new().bind(addr).err().ok_or("bound twice")?;
/// assert!(matches!(&err, RunError::Bind(e) if e.kind() == ErrorKind::AddrInUse));
/// assert!(format!("{err:?}").starts_with(&format!("cannot listen on {addr}: ")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
pub enum RunError {
    /// The app is inconsistent (see [`BuildError`]).
    Build(BuildError),
    /// The listening socket could not be opened: the address does not resolve, or binding it
    /// failed (see [`BindError`], which names the address).
    Bind(BindError),
    /// The listener failed while serving.
    Io(io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(e) => e.fmt(f),
            Self::Bind(e) => e.fmt(f),
            Self::Io(e) => write!(f, "server error: {e}"),
        }
    }
}

/// The `Display` text; `{:#?}` shows the variant and its fields.
impl fmt::Debug for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        match self {
            Self::Build(e) => f.debug_tuple("Build").field(e).finish(),
            Self::Bind(e) => f.debug_tuple("Bind").field(e).finish(),
            Self::Io(e) => f.debug_tuple("Io").field(e).finish(),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Build(e) => Some(e),
            Self::Bind(e) => Some(e),
            Self::Io(e) => Some(e),
        }
    }
}

impl From<BuildError> for RunError {
    fn from(e: BuildError) -> Self {
        Self::Build(e)
    }
}

impl From<BindError> for RunError {
    fn from(e: BindError) -> Self {
        Self::Bind(e)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;
    use std::net::SocketAddr;

    fn missing_state() -> BuildError {
        BuildError::MissingState {
            route: "`count` (src/main.rs:3)".into(),
            type_name: "app::Counter",
        }
    }

    fn every_build_error() -> Vec<BuildError> {
        vec![
            BuildError::Conflict {
                method: "GET".into(),
                first: "/u/:id `a` (src/main.rs:1)".into(),
                second: "/u/:name `b` (src/main.rs:2)".into(),
            },
            BuildError::MountedTwice {
                route: "`a` (src/main.rs:1)".into(),
                path: "/u/:id".into(),
            },
            BuildError::InvalidPath {
                route: "`a` (src/main.rs:1)".into(),
                path: "/u/:".into(),
                reason: "empty parameter name".into(),
            },
            missing_state(),
            BuildError::Middleware {
                name: "Cors".into(),
                reason: "no origin".into(),
            },
        ]
    }

    fn in_use() -> BindError {
        BindError::Listen {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            source: io::Error::from(io::ErrorKind::AddrInUse),
        }
    }

    // `fn main() -> Result<(), E>` prints `Error: {e:?}`: the user must read the advice there.
    #[test]
    fn debug_writes_the_display_text() {
        for e in every_build_error() {
            assert_eq!(format!("{e:?}"), e.to_string());
            let run = RunError::from(e.clone());
            assert_eq!(format!("{run:?}"), e.to_string());
        }
        let run = RunError::from(in_use());
        assert_eq!(format!("{run:?}"), in_use().to_string());
        let io = RunError::from(io::Error::other("accept failed"));
        assert_eq!(format!("{io:?}"), "server error: accept failed");
    }

    #[test]
    fn missing_state_says_what_to_add() {
        assert_eq!(
            format!("{:?}", RunError::from(missing_state())),
            "route `count` (src/main.rs:3) takes `State<app::Counter>`, but no `app::Counter` was registered: add `.manage(value)` to the App"
        );
    }

    #[test]
    fn alternate_debug_shows_the_variant_and_its_fields() {
        let pretty = format!("{:#?}", RunError::from(missing_state()));
        assert!(
            pretty.starts_with("Build(\n    MissingState {\n"),
            "{pretty}"
        );
        assert!(pretty.contains("type_name: \"app::Counter\""), "{pretty}");
        let pretty = format!("{:#?}", RunError::from(in_use()));
        assert!(pretty.starts_with("Bind(\n    Listen {\n"), "{pretty}");
        assert!(pretty.contains("addr: 127.0.0.1:8080"), "{pretty}");
    }

    #[test]
    fn a_route_mounted_twice_is_not_called_a_conflict_with_itself() {
        let e = BuildError::MountedTwice {
            route: "`a` (src/main.rs:1)".into(),
            path: "/users/:id".into(),
        };
        assert_eq!(
            e.to_string(),
            "route `a` (src/main.rs:1) is mounted twice at `/users/:id`; remove one of the mounts"
        );
    }

    #[test]
    fn a_bind_failure_names_the_address_and_keeps_the_io_error() {
        let run = RunError::from(in_use());
        assert!(
            run.to_string()
                .starts_with("cannot listen on 127.0.0.1:8080: "),
            "{run}"
        );
        let bind = run
            .source()
            .and_then(|s| s.downcast_ref::<BindError>())
            .map(BindError::kind);
        assert_eq!(bind, Some(io::ErrorKind::AddrInUse));
        let io = run
            .source()
            .and_then(std::error::Error::source)
            .and_then(|s| s.downcast_ref::<io::Error>())
            .map(io::Error::kind);
        assert_eq!(io, Some(io::ErrorKind::AddrInUse));
    }
}
