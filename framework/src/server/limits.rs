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
/// | `parse.max_body` | 1 MiB | `413 Content Too Large` (before the body is read when its length is declared) |
/// | `header_timeout` | 10 s | `408 Request Timeout`, connection closed |
/// | `idle_timeout` | 60 s | connection closed quietly |
/// | `body_timeout` | 30 s | body read fails (`408`), connection closed |
/// | `write_timeout` | 30 s | connection closed |
/// | `max_connections` | 16 384 | new connections wait in the listen backlog |
/// | `thread_stack_size` | 256 KiB (1 MiB in debug builds) | — |
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
    /// Stack size of each connection thread. The handler runs on this thread, so raise it for
    /// handlers that recurse deeply. Unoptimized (debug-assertion) builds use frames several times
    /// larger, so their default is 1 MiB: enough for the deepest JSON `Json<serde_json::Value>`
    /// accepts or refuses (see [`Json`](crate::Json)). Only the pages used count towards memory.
    pub thread_stack_size: usize,
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
}
