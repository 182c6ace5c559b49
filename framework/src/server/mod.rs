//! The server: a listener that gives each connection a thread, the driver loop that moves bytes
//! between a socket and the protocol's `Connection`, graceful shutdown, and the clock that
//! supplies the `Date` field.

pub(crate) mod date;
pub(crate) mod driver;
#[cfg(target_os = "linux")]
mod epoll;
mod limits;
pub(crate) mod listener;
mod peer;
pub(crate) mod shutdown;
pub(crate) mod signals;

pub use limits::{Driver, Limits};
pub use listener::{BindError, Server};
pub use shutdown::{Drain, Lifecycle, ShutdownHandle, ShutdownReport};

/// Starts a thread with `builder`'s name and stack size. Every background thread the crate starts
/// (workers, timers, signals, drains, the log writer) comes through here, boxed, so that
/// `std::thread`'s spawning code is compiled once rather than once per closure; none of them is
/// on a per-request path.
pub(crate) fn spawn_thread(
    builder: std::thread::Builder,
    f: Box<dyn FnOnce() + Send + 'static>,
) -> std::io::Result<()> {
    builder.spawn(f).map(drop)
}
