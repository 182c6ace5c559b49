//! HTTP value types: methods, status codes, versions, header maps, requests and responses.
//!
//! Nothing in here does I/O; the protocol layer (`proto`) produces these values from bytes and
//! turns responses back into bytes. A streaming [`Body`] reads through a [`BodySource`], an
//! interface defined here and implemented by the server's driver; a pushed response body writes
//! through a [`PushSink`], the same way round.

mod body;
pub(crate) mod date;
mod extensions;
mod header;
mod method;
mod parse_error;
pub(crate) mod push;
mod request;
mod response;
mod status;
pub(crate) mod token;
mod version;

pub use body::{Body, BodyError};
pub(crate) use body::{BodySource, BodyStream};
pub use date::{http_date, parse_http_date};
pub use extensions::Extensions;
pub use header::{HeaderError, HeaderMap};
pub use method::Method;
pub use parse_error::ParseError;
pub(crate) use push::PushSink;
pub use push::{BodyWriter, Producer};
pub use request::Request;
pub use response::{Response, ResponseBody};
pub use status::StatusCode;
pub use version::Version;
