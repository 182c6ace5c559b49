use crate::http::StatusCode;
use std::fmt;

/// Why a request was refused before it reached a handler. Each variant knows its status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseError {
    /// The method is not a token, is empty, or is longer than any sane method (RFC 9112 §3).
    Method,
    /// The request target holds a forbidden byte or is not in a form the method allows (RFC 9112 §3.2).
    Target,
    /// The request target is longer than `Limits::max_target` (RFC 9112 §3: 414).
    TargetTooLong,
    /// The request line does not end in `HTTP/x.y` CRLF, or has extra spaces (RFC 9112 §3).
    Version,
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1 (RFC 9110 §15.6.6: 505).
    UnsupportedVersion,
    /// A field name is not a token, or whitespace stands between it and the colon (RFC 9112 §5.1).
    HeaderName,
    /// A field value holds NUL, a bare CR, or another control character (RFC 9110 §5.5).
    HeaderValue,
    /// A field line starts with whitespace: obsolete line folding (RFC 9112 §5.2).
    ObsFold,
    /// A line ends in a bare LF, or a CR is not followed by LF (RFC 9112 §2.2).
    NewLine,
    /// More field lines than `Limits::max_fields` (RFC 6585 §5: 431).
    TooManyFields,
    /// The head is larger than `Limits::max_head` (RFC 6585 §5: 431).
    HeadTooLarge,
    /// An HTTP/1.1 request without a `Host` field (RFC 9112 §3.2).
    MissingHost,
    /// More than one `Host` field line, or an invalid `Host` value (RFC 9112 §3.2).
    InvalidHost,
    /// `Content-Length` is not a list of identical runs of digits, or overflows (RFC 9112 §6.3).
    InvalidContentLength,
    /// Several `Content-Length` values that differ (RFC 9112 §6.3).
    ConflictingContentLength,
    /// Both `Transfer-Encoding` and `Content-Length`: a smuggling vector (RFC 9112 §6.3).
    LengthWithTransferEncoding,
    /// A `Transfer-Encoding` that is empty, repeats `chunked`, or arrives in HTTP/1.0 (RFC 9112 §6.1).
    InvalidTransferEncoding,
    /// A transfer coding other than a final `chunked` (RFC 9112 §6.1: 501).
    UnknownTransferEncoding,
    /// `CONNECT` is not served (RFC 9110 §9.3.6; refused with 501).
    Connect,
    /// An `Expect` value other than `100-continue` (RFC 9110 §10.1.1: 417).
    Expectation,
    /// A chunk-size line is not hex digits (with optional extensions), or overflows (RFC 9112 §7.1).
    ChunkSize,
    /// Chunk data is not followed by CRLF (RFC 9112 §7.1).
    ChunkData,
    /// A trailer field is malformed (RFC 9112 §7.1.2).
    Trailer,
    /// The trailer section is larger than `Limits::max_head` or has too many fields.
    TrailerTooLarge,
    /// The body is larger than `Limits::max_body` (RFC 9110 §15.5.14: 413).
    BodyTooLarge,
}

impl ParseError {
    /// The status code of the response that refuses the request.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::TargetTooLong => StatusCode::URI_TOO_LONG,
            Self::TooManyFields | Self::HeadTooLarge | Self::TrailerTooLarge => {
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            Self::UnsupportedVersion => StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            Self::UnknownTransferEncoding | Self::Connect => StatusCode::NOT_IMPLEMENTED,
            Self::Expectation => StatusCode::EXPECTATION_FAILED,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Method
            | Self::Target
            | Self::Version
            | Self::HeaderName
            | Self::HeaderValue
            | Self::ObsFold
            | Self::NewLine
            | Self::MissingHost
            | Self::InvalidHost
            | Self::InvalidContentLength
            | Self::ConflictingContentLength
            | Self::LengthWithTransferEncoding
            | Self::InvalidTransferEncoding
            | Self::ChunkSize
            | Self::ChunkData
            | Self::Trailer => StatusCode::BAD_REQUEST,
        }
    }

    /// A one-line explanation, suitable for an error body.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::Method => "invalid request method",
            Self::Target => "invalid request target",
            Self::TargetTooLong => "request target too long",
            Self::Version => "malformed request line",
            Self::UnsupportedVersion => "HTTP version not supported",
            Self::HeaderName => "invalid header field name",
            Self::HeaderValue => "invalid header field value",
            Self::ObsFold => "obsolete line folding is not accepted",
            Self::NewLine => "lines must end in CRLF",
            Self::TooManyFields => "too many header fields",
            Self::HeadTooLarge => "request header section too large",
            Self::MissingHost => "missing Host header",
            Self::InvalidHost => "invalid or repeated Host header",
            Self::InvalidContentLength => "invalid Content-Length",
            Self::ConflictingContentLength => "conflicting Content-Length values",
            Self::LengthWithTransferEncoding => "both Content-Length and Transfer-Encoding",
            Self::InvalidTransferEncoding => "invalid Transfer-Encoding",
            Self::UnknownTransferEncoding => "unsupported transfer coding",
            Self::Connect => "CONNECT is not supported",
            Self::Expectation => "unsupported expectation",
            Self::ChunkSize => "invalid chunk size",
            Self::ChunkData => "chunk data not followed by CRLF",
            Self::Trailer => "invalid trailer field",
            Self::TrailerTooLarge => "trailer section too large",
            Self::BodyTooLarge => "request body too large",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_carries_its_rfc_status() {
        for (error, status) in [
            (ParseError::TargetTooLong, 414),
            (ParseError::HeadTooLarge, 431),
            (ParseError::TooManyFields, 431),
            (ParseError::TrailerTooLarge, 431),
            (ParseError::UnsupportedVersion, 505),
            (ParseError::UnknownTransferEncoding, 501),
            (ParseError::Connect, 501),
            (ParseError::Expectation, 417),
            (ParseError::BodyTooLarge, 413),
            (ParseError::LengthWithTransferEncoding, 400),
            (ParseError::ConflictingContentLength, 400),
            (ParseError::MissingHost, 400),
            (ParseError::ObsFold, 400),
            (ParseError::ChunkSize, 400),
        ] {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
        }
    }
}
