//! The bounds the parser itself enforces, as httparse's `ParserConfig` lives with its parser.

/// What the parser and the body decoders refuse. Part of the server's
/// [`Limits`](crate::Limits) (its `parse` field), where the defaults are documented in full.
///
/// ```
/// use framework::proto::parse::ParseLimits;
/// let limits = ParseLimits::default().with_max_head(4096);
/// assert_eq!((limits.max_head, limits.max_target), (4096, 8 * 1024));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseLimits {
    /// Longest request target, in bytes (RFC 9112 §3: 414 when exceeded). Default 8 KiB.
    pub max_target: usize,
    /// Largest request head (request line, fields, final CRLF), in bytes; also bounds a chunked
    /// body's trailer section (RFC 6585 §5: 431 when exceeded). Default 16 KiB.
    pub max_head: usize,
    /// Most field lines in a head or trailer section (431 when exceeded). Default 100.
    pub max_fields: usize,
    /// Largest request body, in bytes, whether framed by Content-Length or chunked (413).
    /// Default 1 MiB.
    pub max_body: u64,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_target: 8 * 1024,
            max_head: 16 * 1024,
            max_fields: 100,
            max_body: 1024 * 1024,
        }
    }
}

impl ParseLimits {
    /// Sets [`ParseLimits::max_target`].
    #[must_use]
    pub const fn with_max_target(mut self, bytes: usize) -> Self {
        self.max_target = bytes;
        self
    }

    /// Sets [`ParseLimits::max_head`].
    #[must_use]
    pub const fn with_max_head(mut self, bytes: usize) -> Self {
        self.max_head = bytes;
        self
    }

    /// Sets [`ParseLimits::max_fields`].
    #[must_use]
    pub const fn with_max_fields(mut self, fields: usize) -> Self {
        self.max_fields = fields;
        self
    }

    /// Sets [`ParseLimits::max_body`].
    #[must_use]
    pub const fn with_max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }
}
