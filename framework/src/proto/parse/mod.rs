//! The request parser, handwritten and strict: RFC 9112 for the message, RFC 9110 for field
//! values, RFC 3986 for targets.
//!
//! Everything here works on byte slices: no sockets, no clocks, no allocation beyond the field
//! list that [`HeadParser`] reuses. The connection state machine (`proto/connection.rs`) drives it.

mod chars;
mod chunked;
mod framing;
#[cfg(test)]
mod httparse_differences;
mod limits;
mod percent;
mod request;

pub use crate::http::token::is_tchar;
pub use crate::http::ParseError;
pub use chunked::ChunkedDecoder;
pub use framing::{BodyLength, Framing};
pub use limits::ParseLimits;
pub use percent::{decode_form_component, decode_path_segment, form_pairs, FormPair, PercentError};
pub use request::{Head, HeadParser, Status};
