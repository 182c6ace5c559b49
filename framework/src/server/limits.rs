//! Every bound the server enforces, with its default, in one place.

use std::time::Duration;

/// Limits on what a client may send and how long it may take. Every field has a default that
/// suits a small REST service; change them with struct update syntax:
///
/// ```
/// use framework::Limits;
/// use std::time::Duration;
/// let limits = Limits { max_body: 8 << 20, idle_timeout: Duration::from_secs(5), ..Limits::default() };
/// assert_eq!(limits.max_head, 16 * 1024);
/// ```
///
/// | field | default | when exceeded |
/// |---|---|---|
/// | `max_target` | 8 KiB | `414 URI Too Long`, connection closed |
/// | `max_head` | 16 KiB | `431 Request Header Fields Too Large`, connection closed |
/// | `max_fields` | 100 | `431`, connection closed |
/// | `max_body` | 1 MiB | `413 Content Too Large` (before the body is read when its length is declared) |
/// | `header_timeout` | 10 s | `408 Request Timeout`, connection closed |
/// | `idle_timeout` | 60 s | connection closed quietly |
/// | `body_timeout` | 30 s | body read fails (`408`), connection closed |
/// | `write_timeout` | 30 s | connection closed |
/// | `max_connections` | 16 384 | new connections wait in the listen backlog |
/// | `thread_stack_size` | 256 KiB | — |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest request target, in bytes (RFC 9112 §3: 414 when exceeded).
    pub max_target: usize,
    /// Largest request head (request line, fields, final CRLF), in bytes; also bounds a chunked
    /// body's trailer section (RFC 6585 §5: 431 when exceeded).
    pub max_head: usize,
    /// Most field lines in a head or trailer section (431 when exceeded).
    pub max_fields: usize,
    /// Largest request body, in bytes, whether framed by Content-Length or chunked (413).
    pub max_body: u64,
    /// How long a client may take to send a whole request head, from its first byte (408).
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
    /// handlers that recurse deeply.
    pub thread_stack_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_target: 8 * 1024,
            max_head: 16 * 1024,
            max_fields: 100,
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            max_connections: 16 * 1024,
            thread_stack_size: 256 * 1024,
        }
    }
}
