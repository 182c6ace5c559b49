//! HTTP value types: methods, status codes, versions, header maps, requests and responses.
//!
//! Nothing in here does I/O; the parser produces these values and the writer consumes them.

mod body;
mod extensions;
mod header;
mod method;
mod request;
mod response;
mod status;
mod version;

pub use body::{Body, BodyError};
pub(crate) use body::{BodySource, BodyStream};
pub use extensions::Extensions;
pub use header::{HeaderError, HeaderMap};
pub use method::Method;
pub use request::Request;
pub use response::{Response, ResponseBody};
pub use status::StatusCode;
pub use version::Version;
