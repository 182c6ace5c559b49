//! The server: a listener that gives each connection a thread, a driver loop per connection, and
//! the sans-I/O protocol state machine that loop runs.

mod connection;
pub(crate) mod date;
pub(crate) mod driver;
mod limits;
mod listener;
mod shutdown;

pub use limits::Limits;
pub use listener::Server;
pub use shutdown::{ShutdownHandle, ShutdownReport};
