//! The server: a listener that gives each connection a thread, the driver loop that moves bytes
//! between a socket and the protocol's `Connection`, graceful shutdown, and the clock that
//! supplies the `Date` field.

pub(crate) mod date;
pub(crate) mod driver;
mod limits;
mod listener;
mod shutdown;

pub use limits::Limits;
pub use listener::Server;
pub use shutdown::{ShutdownHandle, ShutdownReport};
