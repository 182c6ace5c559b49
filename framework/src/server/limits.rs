//! Every bound the server enforces, with its default, in one place.

use crate::proto::parse::ParseLimits;
use std::time::Duration;

/// Limits on what a client may send and how long it may take. Every field has a default that
/// suits a small REST service. The struct is `#[non_exhaustive]`, so outside this crate it cannot
/// be built with a struct expression (not even `..Limits::default()`); start from the default and
/// change fields with the `with_*` setters (or by assigning the public fields):
///
/// ```
/// use framework::Limits;
/// use std::time::Duration;
/// let limits = Limits::default()
///     .with_max_body(8 << 20)
///     .with_idle_timeout(Duration::from_secs(5));
/// assert_eq!(limits.parse.max_body, 8 << 20);
/// assert_eq!(limits.parse.max_head, 16 * 1024);
/// ```
///
/// | field | default | when exceeded |
/// |---|---|---|
/// | `parse.max_target` | 8 KiB | `414 URI Too Long`, connection closed |
/// | `parse.max_head` | 16 KiB | `431 Request Header Fields Too Large`, connection closed |
/// | `parse.max_fields` | 100 | `431`, connection closed |
/// | `parse.max_body` | 1 MiB | `413 Content Too Large` when the handler reads the body (before any of it when its length is declared); routes and scopes may set their own ([`Route::body_limit`](crate::Route::body_limit)) |
/// | `header_timeout` | 10 s | `408 Request Timeout`, connection closed |
/// | `idle_timeout` | 60 s | connection closed quietly |
/// | `body_timeout` | 30 s | body read fails (`408`), connection closed |
/// | `write_timeout` | 30 s | connection closed |
/// | `max_connections` | 16 384 | new connections wait in the listen backlog |
/// | `thread_stack_size` | 256 KiB (1 MiB in debug builds) | — |
/// | `workers` | 0: one per core the process may use | — |
/// | `max_workers` | 512 | blocked handlers queue behind the busy workers |
/// | `worker_idle_timeout` | 10 s | a spare worker retires |
/// | `driver` | [`Driver::Auto`] | — |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// What the parser refuses: target, head and body sizes, field count (see [`ParseLimits`]).
    pub parse: ParseLimits,
    /// How long a client may take to send a whole request head, from its first byte (408). A new
    /// connection must also send its first head within this time of connecting, or it is closed.
    pub header_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    pub idle_timeout: Duration,
    /// How long a body read may wait for the next bytes from the client.
    pub body_timeout: Duration,
    /// How long a write may wait for a client that does not read its responses.
    pub write_timeout: Duration,
    /// Most connections served at once; beyond it the server stops accepting until one closes
    /// (the kernel's listen backlog holds the rest), so it never runs out of threads or memory.
    pub max_connections: usize,
    /// Stack size of each worker thread (of each connection thread with [`Driver::Threads`]).
    /// The handler runs on this thread, so raise it for
    /// handlers that recurse deeply. Unoptimized (debug-assertion) builds use frames several times
    /// larger, so their default is 1 MiB: enough for the deepest JSON `Json<serde_json::Value>`
    /// accepts or refuses (see [`Json`](crate::Json)). Only the pages used count towards memory.
    pub thread_stack_size: usize,
    /// Workers the readiness-based driver keeps at least ([`Driver::Epoll`]); 0 means one per
    /// core the process may run on. At most this many, and no more than one per core, wait for
    /// connections at a time; the others park as spares. A waiter about to run a handler hands its wait to a spare when handlers have
    /// been seen to block lately, so a handler that blocks never keeps the others waiting. More
    /// workers than cores only save thread start-ups in the first burst of blocking handlers: the
    /// pool grows by itself when they block.
    pub workers: usize,
    /// Most workers the readiness-based driver runs at once. When every worker is inside a
    /// handler that blocks (a database call, a sleep) and requests wait, the pool grows towards
    /// this; beyond it, waiting requests wait for a worker to come free.
    pub max_workers: usize,
    /// How long a spare worker (beyond `workers`) may find nothing to do before it ends.
    pub worker_idle_timeout: Duration,
    /// Which I/O driver serves the connections (not a limit, but the server's one other choice).
    pub driver: Driver,
}

/// How the server waits for its connections' bytes. Handlers, limits and behaviour on the wire
/// are the same with either; what differs is the cost of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Driver {
    /// [`Driver::Epoll`] on Linux, [`Driver::Threads`] elsewhere. The `FRAMEWORK_DRIVER`
    /// environment variable (`epoll` or `threads`), read when the server starts, overrides
    /// this default (the test suite runs under both that way); an explicit choice is not
    /// overridden.
    #[default]
    Auto,
    /// Readiness-based (Linux only): idle and half-read connections wait in one epoll set and
    /// hold no thread; a pool of workers (see [`Limits::workers`]) serves the ones with bytes to
    /// read, each running its handler inline. Elsewhere this falls back to `Threads`.
    Epoll,
    /// One thread per connection, with blocking sockets: portable, and every connection holds
    /// a thread (and its stack pages) while it is open.
    Threads,
}

impl Driver {
    /// The driver that serves: `Auto` resolved through `FRAMEWORK_DRIVER` and the platform.
    #[must_use]
    pub fn resolve(self) -> Driver {
        let chosen = match self {
            Driver::Auto => match std::env::var("FRAMEWORK_DRIVER").as_deref() {
                Ok("threads") => Driver::Threads,
                _ => Driver::Epoll,
            },
            explicit => explicit,
        };
        if cfg!(target_os = "linux") {
            chosen
        } else {
            Driver::Threads
        }
    }
}

/// The default [`Limits::thread_stack_size`]. serde_json nests up to 128 levels; at that depth a
/// debug build's frames take about 250 KiB of stack for objects, a release build's well under
/// 64 KiB, so 256 KiB would let a hostile body overflow (and abort the whole process) in a debug
/// build only.
const DEFAULT_THREAD_STACK_SIZE: usize = if cfg!(debug_assertions) {
    1024 * 1024
} else {
    256 * 1024
};

impl Default for Limits {
    fn default() -> Self {
        Self {
            parse: ParseLimits::default(),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            max_connections: 16 * 1024,
            thread_stack_size: DEFAULT_THREAD_STACK_SIZE,
            workers: 0,
            max_workers: 512,
            worker_idle_timeout: Duration::from_secs(10),
            driver: Driver::Auto,
        }
    }
}

/// Builder-style setters, one per field: each returns the limits with that one field replaced.
/// They exist because `#[non_exhaustive]` forbids struct expressions outside this crate.
impl Limits {
    /// Sets [`ParseLimits::max_target`] (in [`Limits::parse`]).
    #[must_use]
    pub const fn with_max_target(mut self, bytes: usize) -> Self {
        self.parse = self.parse.with_max_target(bytes);
        self
    }

    /// Sets [`ParseLimits::max_head`] (in [`Limits::parse`]).
    #[must_use]
    pub const fn with_max_head(mut self, bytes: usize) -> Self {
        self.parse = self.parse.with_max_head(bytes);
        self
    }

    /// Sets [`ParseLimits::max_fields`] (in [`Limits::parse`]).
    #[must_use]
    pub const fn with_max_fields(mut self, fields: usize) -> Self {
        self.parse = self.parse.with_max_fields(fields);
        self
    }

    /// Sets [`ParseLimits::max_body`] (in [`Limits::parse`]).
    #[must_use]
    pub const fn with_max_body(mut self, bytes: u64) -> Self {
        self.parse = self.parse.with_max_body(bytes);
        self
    }

    /// Sets [`Limits::header_timeout`].
    #[must_use]
    pub const fn with_header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// Sets [`Limits::idle_timeout`].
    #[must_use]
    pub const fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`Limits::body_timeout`].
    #[must_use]
    pub const fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Sets [`Limits::write_timeout`].
    #[must_use]
    pub const fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Sets [`Limits::max_connections`].
    #[must_use]
    pub const fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// Sets [`Limits::thread_stack_size`].
    #[must_use]
    pub const fn with_thread_stack_size(mut self, bytes: usize) -> Self {
        self.thread_stack_size = bytes;
        self
    }

    /// Sets [`Limits::workers`].
    #[must_use]
    pub const fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Sets [`Limits::max_workers`].
    #[must_use]
    pub const fn with_max_workers(mut self, workers: usize) -> Self {
        self.max_workers = workers;
        self
    }

    /// Sets [`Limits::worker_idle_timeout`].
    #[must_use]
    pub const fn with_worker_idle_timeout(mut self, timeout: Duration) -> Self {
        self.worker_idle_timeout = timeout;
        self
    }

    /// Sets [`Limits::driver`].
    #[must_use]
    pub const fn with_driver(mut self, driver: Driver) -> Self {
        self.driver = driver;
        self
    }
}
