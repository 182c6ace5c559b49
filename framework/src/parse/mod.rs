//! The request parser, handwritten and strict: RFC 9112 for the message, RFC 9110 for field
//! values, RFC 3986 for targets.
//!
//! Everything here works on byte slices: no sockets, no clocks, no allocation beyond the field
//! list that [`HeadParser`] reuses. The server's connection state machine drives it.

mod chars;
mod chunked;
mod error;
mod framing;
mod percent;
mod request;

pub use chars::is_tchar;
pub use chunked::ChunkedDecoder;
pub use error::ParseError;
pub use framing::{inspect, BodyLength, Framing};
pub use percent::{decode_form_component, decode_path_segment, form_pairs, FormPair, PercentError};
pub use request::{Head, HeadParser, Status};

pub(crate) use chars::{byte_table, FIELD_VALUE, TCHAR};
