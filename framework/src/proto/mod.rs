//! The HTTP/1.1 protocol, with no sockets, threads or clocks (sans-I/O): the request
//! request parser (`parse`), the response writer, and the per-connection state machine that ties them
//! together, including the refusals it sends on its own (`400`, `408`, `413`, `414`, `431`…).
//!
//! The server (`server/`) moves bytes between sockets and a `Connection` and hands it the
//! current date; the in-process test client does the same over memory.

pub(crate) mod connection;
mod head;
pub mod parse;
pub(crate) mod refusal;
pub(crate) mod write;
