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
