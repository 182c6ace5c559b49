use std::fmt;

/// The protocol version of a request. Only HTTP/1.0 and HTTP/1.1 are spoken; anything else is
/// refused with `505 HTTP Version Not Supported` before it becomes a `Version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `HTTP/1.0`: connections close after each response unless the client asks otherwise.
    Http10,
    /// `HTTP/1.1`: persistent connections by default.
    Http11,
}

impl Version {
    /// The version as it appears on the wire, e.g. `HTTP/1.1`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http10 => "HTTP/1.0",
            Self::Http11 => "HTTP/1.1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
