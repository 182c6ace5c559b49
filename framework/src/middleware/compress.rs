//! Response compression: gzip for the responses that gain from it, when the client accepts it
//! (cargo feature `compression`, off by default).
//!
//! # What is compressed
//!
//! A response is a *candidate* when all of these hold:
//!
//! - its status may carry content and is not `206 Partial Content` (so not `1xx`, `204`, `206`
//!   or `304`), and it has no `Content-Range`: a range is a slice of the unencoded bytes;
//! - it has no `Content-Encoding` (already encoded, or the handler chose `identity` on purpose)
//!   and no `Cache-Control: no-transform`;
//! - its `Content-Type` matches the table of compressible types ([`Compression::content_types`];
//!   a response without `Content-Type` is not compressed);
//! - its body is at least [`Compression::min_size`] bytes long (1 KiB by default). A streamed body
//!   of unknown length counts as large; an empty body is never a candidate.
//! - it does not render a framework [`Error`](crate::Error) (a rejection, a `404`, a handler's
//!   `Err`): [`App::catch`](crate::App::catch) may replace such a body after the whole chain has
//!   run, and error bodies are small anyway.
//!
//! A candidate gets `Accept-Encoding` in its `Vary` (merged into an existing `Vary`), whether it
//! is compressed or not, since a cache must not hand the gzip answer to a client that cannot read
//! it. It is compressed when the request's `Accept-Encoding` accepts gzip (see
//! [*Negotiation*](#negotiation)).
//!
//! # What a compressed response looks like
//!
//! `Content-Encoding: gzip`, no `Content-Length`: the body becomes a stream, sent with
//! `Transfer-Encoding: chunked` (close-delimited to an HTTP/1.0 client), compressed as the
//! writer pulls it, so a large body is never held twice in memory. A strong `ETag` becomes weak
//! (`"x"` → `W/"x"`): the bytes differ from the identity representation's, but `If-None-Match`
//! compares weakly, so a conditional request still matches the handler's `"x"`. `Accept-Ranges`
//! is removed, because ranges are served on the identity bytes.
//!
//! A streamed body ([`ResponseBody::Stream`]) is compressed as it streams: every read of the
//! handler's reader that yields bytes is compressed and sync-flushed at once, so the client can
//! decode everything produced so far (a log tail, a progress feed). A body whose bytes are known
//! up front is compressed without those flushes.
//!
//! # `HEAD`
//!
//! A `HEAD` response gets the fields the `GET` would get (RFC 9110 §9.3.2), so a cache that
//! freshens a stored `GET` answer from a `HEAD` sees the same `Content-Encoding`, `ETag` and
//! `Vary`: the same decision is made from the same response (the automatic `HEAD` runs the `GET`
//! handler), and a compressed one is marked `Content-Encoding: gzip` and framed as a stream, like
//! the `GET`. Nothing is compressed: there is no body to send.
//!
//! # Negotiation
//!
//! `Accept-Encoding` is a list of codings with optional weights (`gzip;q=0.8`, RFC 9110 §12.5.3);
//! names are compared case-insensitively, several field lines are one list, and an element that
//! does not parse (a coding that is not a token, a `q` outside `0`–`1` or with more than three
//! decimals) is skipped. gzip (or its alias `x-gzip`) gets the weight of its own element, or of
//! `*` when gzip is not listed, or 0. The response is compressed when that weight is above 0 and
//! the client does not list `identity` (or, unlisted, `*`) with a higher weight. So `gzip;q=0`
//! never compresses, and `*` compresses unless gzip is listed with `q=0`.
//!
//! No `Accept-Encoding` at all, an empty one, and one that rules out identity but accepts no gzip
//! (`identity;q=0`, `*;q=0`) are all answered with the identity representation: the framework
//! never answers `406`, and an unencoded answer is one every client can read.
//!
//! Only gzip is offered. Brotli is left out: the pure-Rust `brotli` crate is a far larger
//! dependency than flate2, and brotli's gain over gzip comes mostly at high levels, too slow for
//! compressing each response as it is sent (precompressed `.br` files are a static-file server's
//! business). `deflate` is left out too: every client that accepts it accepts gzip, and its two
//! readings (zlib-wrapped or raw) have a history of interoperability bugs.
//!
//! # Server-Sent Events
//!
//! `text/event-stream` is not compressed by default: a wildcard such as `text/*` never matches
//! it. Proxies between the server and the client may buffer a compressed stream until it grows,
//! which would delay events, and events are usually small. List `text/event-stream` explicitly
//! in [`Compression::content_types`] to compress it (each event is then flushed as it is read).

use super::fields::{add_vary, list_elements, qvalue, VaryNames};
use super::{Middleware, Next};
use crate::extract::RequestContext;
use crate::http::token::is_tchar;
use crate::http::{HeaderMap, Method, Request, Response, ResponseBody, StatusCode};
use flate2::write::GzEncoder;
use std::fmt;
use std::io::{self, Cursor, Read, Write};

const VARY_ACCEPT_ENCODING: VaryNames = VaryNames {
    names: &["Accept-Encoding"],
    joined: "Accept-Encoding",
};

/// The type that a wildcard pattern never matches (see the module docs).
const EVENT_STREAM: &[u8] = b"text/event-stream";

/// How much of the body is read and compressed in one step.
const INPUT_PIECE: usize = 16 * 1024;

/// The compression middleware: gzip for compressible responses when the client accepts it. The
/// rules are in the [module docs](self).
///
/// Mount it outside the layers whose headers it should see: it looks at the `Content-Type`,
/// `Content-Encoding`, `Cache-Control` and `ETag` the inner layers and the handler set, so the
/// usual place is `App::wrap`, early (the first `wrap` is the outermost).
///
/// ```
/// use framework::middleware::Compression;
/// use framework::{get, routes, test::TestClient, App, Json};
/// use std::io::Read;
///
/// #[get("/items")]
/// fn items() -> Json<Vec<String>> {
///     Json((0..200).map(|i| format!("item {i}")).collect())
/// }
///
/// let client = TestClient::new(App::new().wrap(Compression::new()).mount("/", routes![items]))?;
/// let res = client.get("/items").header("Accept-Encoding", "gzip, br").send();
/// assert_eq!(res.header("content-encoding"), Some("gzip"));
/// assert_eq!(res.header("vary"), Some("Accept-Encoding"));
/// assert_eq!(res.header("content-length"), None); // streamed, chunked
///
/// let mut json = String::new();
/// flate2::read::GzDecoder::new(res.bytes()).read_to_string(&mut json)?;
/// assert!(json.starts_with(r#"["item 0","item 1","#));
///
/// let plain = client.get("/items").send(); // no Accept-Encoding: identity
/// assert_eq!((plain.header("content-encoding"), plain.text()), (None, json));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compression {
    min_size: usize,
    level: u32,
    /// Patterns, as configured (compared case-insensitively).
    types: Vec<String>,
}

impl Default for Compression {
    /// Gzip at [`Compression::DEFAULT_LEVEL`] for [`Compression::DEFAULT_CONTENT_TYPES`] from
    /// [`Compression::DEFAULT_MIN_SIZE`] bytes on.
    fn default() -> Self {
        Self {
            min_size: Self::DEFAULT_MIN_SIZE,
            level: Self::DEFAULT_LEVEL,
            types: Self::DEFAULT_CONTENT_TYPES
                .iter()
                .map(|t| (*t).to_string())
                .collect(),
        }
    }
}

impl Compression {
    /// Bodies shorter than this are sent as they are: 1 KiB. Below about that size the gzip
    /// header, trailer and chunk framing eat most of the gain, and the response fits in a few
    /// packets either way.
    pub const DEFAULT_MIN_SIZE: usize = 1024;

    /// The default gzip level (0 = store, 1 = fastest, 9 = smallest): 4. On 140–170 KB of JSON
    /// and of source text its output was within 3% of level 6's at about half the CPU time,
    /// while level 1 gave 10–35% more bytes.
    pub const DEFAULT_LEVEL: u32 = 4;

    /// The compressible types: text, JSON, JavaScript, XML, SVG, WebAssembly and uncompressed
    /// fonts. Images, audio, video, archives and WOFF fonts are compressed already.
    pub const DEFAULT_CONTENT_TYPES: &'static [&'static str] = &[
        "text/*",
        "application/json",
        "application/*+json",
        "application/javascript",
        "application/ecmascript",
        "application/xml",
        "application/*+xml",
        "application/wasm",
        "image/svg+xml",
        "font/ttf",
        "font/otf",
    ];

    /// The default configuration (same as [`Compression::default`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Compresses bodies of at least `bytes` bytes (a streamed body of unknown length always
    /// counts as large enough).
    ///
    /// ```
    /// use framework::middleware::Compression;
    ///
    /// let compression = Compression::new().min_size(256);
    /// ```
    #[must_use]
    pub fn min_size(mut self, bytes: usize) -> Self {
        self.min_size = bytes;
        self
    }

    /// The gzip level, 0 (no compression, only gzip framing) to 9 (smallest output, most CPU);
    /// a level above 9 fails [`App::build`](crate::App::build).
    ///
    /// ```
    /// use framework::middleware::Compression;
    ///
    /// let compression = Compression::new().level(6);
    /// ```
    #[must_use]
    pub fn level(mut self, level: u32) -> Self {
        self.level = level;
        self
    }

    /// Replaces the table of compressible types. A pattern is `type/subtype` (matched exactly),
    /// `type/*` (any subtype), `type/*+suffix` (any subtype with that structured-syntax suffix,
    /// such as `application/*+json`) or `*/*`; parameters of the response's `Content-Type`
    /// (`; charset=utf-8`) are ignored, and case does not matter. A wildcard never matches
    /// `text/event-stream`: name it to compress event streams. A pattern of another shape fails
    /// [`App::build`](crate::App::build).
    ///
    /// ```
    /// use framework::middleware::Compression;
    ///
    /// // The defaults, plus newline-delimited JSON.
    /// let types = Compression::DEFAULT_CONTENT_TYPES.iter().copied().chain(["application/x-ndjson"]);
    /// let compression = Compression::new().content_types(types);
    /// ```
    #[must_use]
    pub fn content_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Whether a response of this `Content-Type` value is compressible.
    fn compressible(&self, content_type: &[u8]) -> bool {
        let essence = content_type
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        let Some((ty, subtype)) = split_media_type(essence) else {
            return false;
        };
        let event_stream = essence.eq_ignore_ascii_case(EVENT_STREAM);
        self.types
            .iter()
            .filter_map(|p| Pattern::parse(p.as_bytes()))
            .any(|p| p.matches(ty, subtype) && !(event_stream && p.is_wildcard()))
    }

    /// Whether `res` could be compressed for some client (see the module docs).
    fn candidate(&self, res: &Response) -> bool {
        let status = res.status();
        if status.forbids_body() || status == StatusCode::PARTIAL_CONTENT {
            return false;
        }
        if res.error().is_some() {
            return false;
        }
        let headers = res.headers();
        if headers.contains("content-encoding") || headers.contains("content-range") {
            return false;
        }
        if no_transform(headers) {
            return false;
        }
        if !headers
            .get_bytes("content-type")
            .is_some_and(|t| self.compressible(t))
        {
            return false;
        }
        // A pushed body (server-sent events) is written in pieces that must reach the client
        // as they are produced, and it is mostly waiting: it goes out as it is.
        if matches!(res.body(), ResponseBody::Push(_)) {
            return false;
        }
        match res.body().len() {
            Some(0) => false,
            Some(len) => len >= self.min_size,
            None => true,
        }
    }

    /// The answer to a request with these fields and this method, given the chain's `res`.
    fn respond(&self, request: &HeaderMap, method: &Method, res: Response) -> Response {
        if !self.candidate(&res) {
            return res;
        }
        let mut res = match negotiate(request.get_all("accept-encoding")) {
            Coding::Gzip => self.compress(res, *method == Method::Head),
            Coding::Identity => res,
        };
        add_vary(res.headers_mut(), &VARY_ACCEPT_ENCODING);
        res
    }

    /// `res` with a gzip body (for `HEAD`: the fields of one, and an empty stream).
    fn compress(&self, mut res: Response, head: bool) -> Response {
        let (input, flush_each_read): (Box<dyn Read + Send>, bool) = match res.take_body() {
            ResponseBody::Bytes(bytes) => (Box::new(Cursor::new(bytes)), false),
            ResponseBody::Stream(reader) => (reader, true),
            // A body of known length (a file): no flush per read, which suits files.
            ResponseBody::Sized { reader, .. } => (reader, false),
            // Empty is never a candidate.
            other => return res.with_body(other),
        };
        let headers = res.headers_mut();
        headers.remove("content-length");
        headers.remove("accept-ranges");
        headers.push_unchecked(b"Content-Encoding", b"gzip");
        weaken_etag(headers);
        let body = if head {
            drop(input);
            ResponseBody::stream(io::empty())
        } else {
            ResponseBody::stream(GzipReader::new(input, self.level, flush_each_read))
        };
        res.with_body(body)
    }
}

impl Middleware for Compression {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        let res = next.run(req);
        self.respond(req.headers(), req.method(), res)
    }

    fn check(&self) -> Result<(), String> {
        if self.level > 9 {
            return Err(format!(
                "compression level {} is out of range: use 0 (store) to 9 (smallest)",
                self.level
            ));
        }
        match self.types.iter().find(|p| Pattern::parse(p.as_bytes()).is_none()) {
            Some(bad) => Err(format!(
                "compression content type `{bad}` is not a pattern: use `type/subtype`, `type/*`, `type/*+suffix` or `*/*`"
            )),
            None => Ok(()),
        }
    }

    fn name(&self) -> &str {
        "Compression"
    }
}

/// `type/subtype` split at the slash, both tokens.
fn split_media_type(essence: &[u8]) -> Option<(&[u8], &[u8])> {
    let slash = essence.iter().position(|&b| b == b'/')?;
    let (ty, subtype) = (essence.get(..slash)?, essence.get(slash + 1..)?);
    (is_token(ty) && is_token(subtype)).then_some((ty, subtype))
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// One entry of the table of compressible types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern<'a> {
    /// `*/*`.
    Any,
    /// `type/*`.
    Type(&'a [u8]),
    /// `type/*+suffix`: the suffix with its `+`.
    Suffix(&'a [u8], &'a [u8]),
    /// `type/subtype`.
    Exact(&'a [u8], &'a [u8]),
}

impl<'a> Pattern<'a> {
    fn parse(pattern: &'a [u8]) -> Option<Self> {
        let (ty, subtype) = split_media_type(pattern)?;
        let star = |s: &[u8]| s.contains(&b'*');
        match (ty, subtype) {
            (b"*", b"*") => Some(Self::Any),
            (ty, _) if star(ty) => None,
            (ty, b"*") => Some(Self::Type(ty)),
            (ty, sub) => match sub.strip_prefix(b"*") {
                Some(suffix)
                    if suffix.len() > 1 && suffix.first() == Some(&b'+') && !star(suffix) =>
                {
                    Some(Self::Suffix(ty, suffix))
                }
                Some(_) => None,
                None if star(sub) => None,
                None => Some(Self::Exact(ty, sub)),
            },
        }
    }

    fn is_wildcard(self) -> bool {
        !matches!(self, Self::Exact(..))
    }

    fn matches(self, ty: &[u8], subtype: &[u8]) -> bool {
        match self {
            Self::Any => true,
            Self::Type(t) => ty.eq_ignore_ascii_case(t),
            Self::Suffix(t, suffix) => {
                ty.eq_ignore_ascii_case(t)
                    && subtype.len() > suffix.len()
                    && subtype
                        .get(subtype.len() - suffix.len()..)
                        .is_some_and(|s| s.eq_ignore_ascii_case(suffix))
            }
            Self::Exact(t, s) => ty.eq_ignore_ascii_case(t) && subtype.eq_ignore_ascii_case(s),
        }
    }
}

/// Whether a `Cache-Control` field says `no-transform` (RFC 9111 §5.2.2.6).
fn no_transform(headers: &HeaderMap) -> bool {
    list_elements(headers.get_all("cache-control")).any(|directive| {
        let name = directive.split(|&b| b == b'=').next().unwrap_or_default();
        name.trim_ascii().eq_ignore_ascii_case(b"no-transform")
    })
}

/// Turns a strong `ETag` into a weak one: the compressed bytes are not the identity bytes
/// (RFC 9110 §8.8.1), but they mean the same.
fn weaken_etag(headers: &mut HeaderMap) {
    let Some(etag) = headers.get_bytes("etag") else {
        return;
    };
    if etag.first() == Some(&b'"') {
        let mut weak = b"W/".to_vec();
        weak.extend_from_slice(etag);
        let _ = headers.insert("ETag", weak);
    }
}

/// The content coding chosen for a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Identity,
}

/// Chooses a coding from the `Accept-Encoding` field lines (see the module docs).
fn negotiate<'a>(values: impl Iterator<Item = &'a [u8]>) -> Coding {
    let (mut gzip, mut identity, mut any) = (None::<u16>, None::<u16>, None::<u16>);
    for element in values.flat_map(|v| v.split(|&b| b == b',')) {
        let Some((coding, q)) = weighted_coding(element) else {
            continue;
        };
        let slot = if coding.eq_ignore_ascii_case(b"gzip") || coding.eq_ignore_ascii_case(b"x-gzip")
        {
            &mut gzip
        } else if coding.eq_ignore_ascii_case(b"identity") {
            &mut identity
        } else if coding == b"*" {
            &mut any
        } else {
            continue;
        };
        // Listed twice: the lower weight, so that a `q=0` anywhere is honoured.
        *slot = Some(slot.map_or(q, |old| old.min(q)));
    }
    let gzip = gzip.or(any).unwrap_or(0);
    let identity = identity.or(any);
    if gzip > 0 && identity.is_none_or(|identity| identity <= gzip) {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// One list element, `coding *( OWS ";" OWS parameter )`: the coding and its weight in
/// thousandths (1000 without `q`). `None` for an empty or malformed element. Parameters other
/// than `q` are not in the grammar and are ignored.
fn weighted_coding(element: &[u8]) -> Option<(&[u8], u16)> {
    let mut parts = element.split(|&b| b == b';');
    let coding = parts.next()?.trim_ascii();
    if !is_token(coding) {
        return None;
    }
    let mut q = 1000;
    for parameter in parts {
        let eq = parameter.iter().position(|&b| b == b'=')?;
        let (name, value) = (parameter.get(..eq)?, parameter.get(eq + 1..)?);
        if name.trim_ascii().eq_ignore_ascii_case(b"q") {
            q = qvalue(value.trim_ascii())?;
        }
    }
    Some((coding, q))
}

/// A reader of the gzip coding of what `inner` yields, compressed as it is read.
///
/// With `flush_each_read`, each read of `inner` that yields bytes is followed by a sync flush,
/// so the output so far decodes to all the input so far; without, output comes when the
/// compressor has a block ready. A read returns `Ok(0)` only at the end of the gzip stream.
struct GzipReader<R> {
    inner: R,
    encoder: GzEncoder<Vec<u8>>,
    /// How much of the encoder's output has been handed out.
    served: usize,
    piece: Box<[u8]>,
    flush_each_read: bool,
    finished: bool,
}

impl<R: Read> GzipReader<R> {
    fn new(inner: R, level: u32, flush_each_read: bool) -> Self {
        Self {
            inner,
            encoder: GzEncoder::new(Vec::new(), flate2::Compression::new(level)),
            served: 0,
            piece: vec![0; INPUT_PIECE].into_boxed_slice(),
            flush_each_read,
            finished: false,
        }
    }
}

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let pending = self
                .encoder
                .get_ref()
                .get(self.served..)
                .unwrap_or_default();
            if !pending.is_empty() {
                let n = pending.len().min(buf.len());
                buf[..n].copy_from_slice(&pending[..n]);
                self.served += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            self.encoder.get_mut().clear();
            self.served = 0;
            let n = self.inner.read(&mut self.piece)?;
            let Some(input) = self.piece.get(..n) else {
                return Err(io::Error::other(
                    "a body reader returned more bytes than it was given room for",
                ));
            };
            if input.is_empty() {
                self.encoder.try_finish()?;
                self.finished = true;
            } else {
                self.encoder.write_all(input)?;
                if self.flush_each_read {
                    self.encoder.flush()?;
                }
            }
        }
    }
}

impl<R> fmt::Debug for GzipReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GzipReader")
            .field("flush_each_read", &self.flush_each_read)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::respond::IntoResponse;
    use crate::route::{Route, RouteInfo};
    use crate::test::TestClient;
    use crate::App;
    use flate2::read::GzDecoder;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        out
    }

    fn headers(accept: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for value in accept {
            // Unchecked, so that the table can hold whitespace the parser would have trimmed.
            h.push_unchecked(b"Accept-Encoding", value.as_bytes());
        }
        h
    }

    #[test]
    fn accept_encoding_negotiation() {
        use Coding::{Gzip, Identity};
        let table: &[(&[&str], Coding)] = &[
            // No field, or an empty one: identity only.
            (&[], Identity),
            (&[""], Identity),
            (&["gzip"], Gzip),
            (&["GZip"], Gzip),
            (&["x-gzip"], Gzip),
            (&["gzip, deflate, br, zstd"], Gzip),
            (&["br,gzip"], Gzip),
            (&["br", "gzip"], Gzip), // two field lines are one list
            (&["identity"], Identity),
            (&["br"], Identity),
            // q=0 means never.
            (&["gzip;q=0"], Identity),
            (&["gzip; q=0.000"], Identity),
            (&["gzip;Q=0"], Identity),
            (&["gzip;q=0, *"], Identity),
            (&["*, gzip;q=0"], Identity),
            (&["gzip, gzip;q=0"], Identity),
            (&["gzip;q=0.001"], Gzip),
            // `*` stands for gzip when gzip is not listed.
            (&["*"], Gzip),
            (&["*;q=0"], Identity),
            (&["br, *;q=0.1"], Gzip),
            // Identity wins only when listed (or `*`) with a higher weight.
            (&["gzip;q=0.5, identity"], Identity),
            (&["gzip;q=0.5, identity;q=0.5"], Gzip),
            (&["gzip;q=0.8, deflate;q=0.5"], Gzip),
            (&["gzip;q=0.5, *;q=0.8"], Identity),
            (&["gzip, identity;q=0"], Gzip),
            // identity refused and gzip not acceptable: identity is sent anyway.
            (&["identity;q=0"], Identity),
            (&["identity;q=0, *;q=0"], Identity),
            // Whitespace around elements and parameters.
            (&["  gzip  ;  q=0.5  "], Gzip),
            (&["\tgzip\t"], Gzip),
            (&[",,, gzip ,,"], Gzip),
            (&["gzip;q=1.000"], Gzip),
            (&["gzip;level=9"], Gzip),
            // Malformed elements are skipped.
            (&["gzip;q=abc"], Identity),
            (&["gzip;q=1.5"], Identity),
            (&["gzip;q=1.001"], Identity),
            (&["gzip;q=0.0001"], Identity),
            (&["gzip;q=2"], Identity),
            (&["gzip;q=-1"], Identity),
            (&["gzip;q="], Identity),
            (&["gzip;q"], Identity),
            (&["gzip;"], Identity),
            (&["gz ip"], Identity),
            (&["\"gzip\""], Identity),
            (&["gzip;q=abc, *"], Gzip),
            (&["gzip;q=0.5x, br"], Identity),
        ];
        for (values, expected) in table {
            let h = headers(values);
            assert_eq!(
                negotiate(h.get_all("accept-encoding")),
                *expected,
                "{values:?}"
            );
        }
    }

    #[test]
    fn qvalues_follow_the_rfc_grammar() {
        let table: &[(&str, Option<u16>)] = &[
            ("0", Some(0)),
            ("0.", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.123", Some(123)),
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.0", Some(1000)),
            ("1.000", Some(1000)),
            ("1.5", None),
            ("0.1234", None),
            (".5", None),
            ("", None),
            ("2", None),
            ("0,5", None),
            ("0.a", None),
            ("00.5", None),
        ];
        for (value, expected) in table {
            assert_eq!(qvalue(value.as_bytes()), *expected, "{value:?}");
        }
    }

    #[test]
    fn compressible_types_come_from_the_table() {
        let c = Compression::new();
        let table: &[(&str, bool)] = &[
            ("text/html", true),
            ("text/plain; charset=utf-8", true),
            ("Text/CSS", true),
            ("application/json", true),
            ("application/json;charset=utf-8", true),
            ("application/problem+json", true),
            ("application/javascript", true),
            ("application/xml", true),
            ("application/atom+xml", true),
            ("image/svg+xml", true),
            ("application/wasm", true),
            ("image/png", false),
            ("image/jpeg", false),
            ("application/octet-stream", false),
            ("application/gzip", false),
            ("font/woff2", false),
            ("application/+json", false),
            ("text/event-stream", false),
            ("text/event-stream; charset=utf-8", false),
            ("texthtml", false),
            ("", false),
        ];
        for (content_type, expected) in table {
            assert_eq!(
                c.compressible(content_type.as_bytes()),
                *expected,
                "{content_type:?}"
            );
        }
        let sse = Compression::new().content_types(["text/*", "text/event-stream"]);
        assert!(sse.compressible(b"text/event-stream"));
        let any = Compression::new().content_types(["*/*"]);
        assert!(any.compressible(b"image/png") && !any.compressible(b"text/event-stream"));
    }

    #[test]
    fn patterns_are_checked_when_the_app_is_built() {
        assert!(Compression::new().check().is_ok());
        for bad in [
            "text",
            "*/json",
            "text/ht*",
            "text/*json",
            "text/*+",
            "text/*+j*",
            "",
            "a b/c",
        ] {
            let err = Compression::new().content_types([bad]).check();
            assert!(
                err.is_err_and(|e| e.contains(&format!("`{bad}`"))),
                "{bad:?}"
            );
        }
        assert!(Compression::new().level(9).check().is_ok());
        assert!(Compression::new().level(10).check().is_err());
        let app = App::new().wrap(Compression::new().level(12));
        assert!(TestClient::new(app).is_err());
    }

    /// A `200` of `len` bytes of `content_type`.
    fn response(content_type: &str, len: usize) -> Response {
        Response::new(StatusCode::OK)
            .with_header("Content-Type", content_type)
            .unwrap()
            .with_body(vec![b'a'; len])
    }

    /// What happened to `res`: compressed, and whether it got `Vary`.
    fn outcome(c: &Compression, method: Method, accept: &[&str], res: Response) -> (bool, bool) {
        let res = c.respond(&headers(accept), &method, res);
        let compressed = res.headers().get("content-encoding") == Some("gzip");
        let vary = res.headers().get("vary") == Some("Accept-Encoding");
        (compressed, vary)
    }

    #[test]
    fn which_responses_are_compressed() {
        let c = Compression::new();
        let big = 4096;
        let with = |name: &str, value: &str| {
            response("text/plain", big)
                .with_header(name, value)
                .unwrap()
        };
        let stream = || {
            Response::text("").with_body(ResponseBody::stream(Cursor::new(b"streamed".to_vec())))
        };
        let error = || {
            let res = crate::Error::not_found("no such page").into_response();
            res.with_header("Content-Type", "application/json")
                .unwrap()
                .with_body(vec![b' '; big])
        };
        let status = |code: u16| {
            response("text/plain", big).with_status(StatusCode::from_u16(code).unwrap())
        };
        // (what, response, compressed, vary)
        let table: Vec<(&str, Response, bool, bool)> = vec![
            (
                "a large text response",
                response("text/plain", big),
                true,
                true,
            ),
            ("JSON", response("application/json", big), true, true),
            (
                "exactly the threshold",
                response("text/plain", 1024),
                true,
                true,
            ),
            (
                "below the threshold",
                response("text/plain", 1023),
                false,
                false,
            ),
            ("empty", response("text/plain", 0), false, false),
            ("a stream of unknown length", stream(), true, true),
            ("not compressible", response("image/png", big), false, false),
            (
                "no content type",
                Response::new(StatusCode::OK).with_body(vec![b'a'; big]),
                false,
                false,
            ),
            (
                "an event stream",
                response("text/event-stream", big),
                false,
                false,
            ),
            (
                "already encoded",
                with("Content-Encoding", "br"),
                false,
                false,
            ),
            (
                "identity chosen by the handler",
                with("Content-Encoding", "identity"),
                false,
                false,
            ),
            (
                "no-transform",
                with("Cache-Control", "public, No-Transform"),
                false,
                false,
            ),
            (
                "other cache directives",
                with("Cache-Control", "max-age=60, public"),
                true,
                true,
            ),
            (
                "a Content-Range",
                with("Content-Range", "bytes 0-9/100"),
                false,
                false,
            ),
            ("206", status(206), false, false),
            ("304", status(304), false, false),
            ("204", status(204), false, false),
            ("101", status(101), false, false),
            ("404", status(404), true, true),
            ("500", status(500), true, true),
            ("201", status(201), true, true),
            (
                "an error the app's error hook may re-render",
                error(),
                false,
                false,
            ),
        ];
        for (what, res, compressed, vary) in table {
            assert_eq!(
                outcome(&c, Method::Get, &["gzip"], res),
                (compressed, vary),
                "{what}"
            );
        }
        // A candidate the client cannot decode: identity, but it varies.
        let res = c.respond(&headers(&["br"]), &Method::Get, response("text/plain", big));
        assert_eq!(
            (res.headers().get("vary"), res.body().len()),
            (Some("Accept-Encoding"), Some(big))
        );
        assert_eq!(res.headers().get("content-encoding"), None);
        // No Accept-Encoding at all: the same.
        assert_eq!(
            outcome(&c, Method::Get, &[], response("text/plain", big)),
            (false, true)
        );
        // The threshold is configurable.
        let small = Compression::new().min_size(10);
        assert_eq!(
            outcome(&small, Method::Get, &["gzip"], response("text/plain", 10)),
            (true, true)
        );
    }

    #[test]
    fn a_compressed_response_is_a_weak_etagged_stream_with_merged_vary() {
        let c = Compression::new();
        let res = response("text/html", 5000)
            .with_header("ETag", "\"v1\"")
            .unwrap()
            .with_header("Accept-Ranges", "bytes")
            .unwrap()
            .with_header("Content-Length", "5000")
            .unwrap()
            .with_header("Vary", "Origin")
            .unwrap();
        let mut res = c.respond(&headers(&["gzip"]), &Method::Get, res);
        let h = res.headers();
        assert_eq!(h.get("etag"), Some("W/\"v1\""));
        assert_eq!(h.get("vary"), Some("Origin, Accept-Encoding"));
        assert_eq!(h.get_all("content-encoding").count(), 1);
        assert!(!h.contains("content-length") && !h.contains("accept-ranges"));
        assert_eq!(res.body().len(), None);
        let ResponseBody::Stream(mut reader) = res.take_body() else {
            panic!("not a stream");
        };
        let mut gz = Vec::new();
        reader.read_to_end(&mut gz).unwrap();
        assert_eq!(gunzip(&gz), vec![b'a'; 5000]);

        // A weak ETag stays as it is; Vary already naming Accept-Encoding is not repeated.
        let res = response("text/html", 5000)
            .with_header("ETag", "W/\"v1\"")
            .unwrap()
            .with_header("Vary", "accept-encoding")
            .unwrap();
        let res = c.respond(&headers(&["gzip"]), &Method::Get, res);
        assert_eq!(res.headers().get("etag"), Some("W/\"v1\""));
        assert_eq!(
            res.headers().get_all("vary").collect::<Vec<_>>(),
            [b"accept-encoding"]
        );
    }

    #[test]
    fn head_gets_the_fields_of_the_compressed_get_and_no_work() {
        let c = Compression::new();
        let answer = |method: Method| {
            let res = response("text/html", 5000)
                .with_header("ETag", "\"v1\"")
                .unwrap();
            c.respond(&headers(&["gzip"]), &method, res)
        };
        let (get, head) = (answer(Method::Get), answer(Method::Head));
        assert_eq!(
            format!("{:?}", get.headers()),
            format!("{:?}", head.headers())
        );
        assert_eq!((get.body().len(), head.body().len()), (None, None));
        // Not compressible for GET: not for HEAD either.
        let res = c.respond(
            &headers(&["gzip"]),
            &Method::Head,
            response("image/png", 5000),
        );
        assert_eq!(res.headers().get("content-encoding"), None);
    }

    /// Yields `pieces` one per read.
    struct Pieces(std::collections::VecDeque<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(piece) = self.0.pop_front() else {
                return Ok(0);
            };
            buf[..piece.len()].copy_from_slice(&piece);
            Ok(piece.len())
        }
    }

    #[test]
    fn a_stream_is_decodable_after_every_read_of_its_source() {
        let pieces: Vec<Vec<u8>> = (0..5)
            .map(|i| format!("data: event {i}\n\n").into_bytes())
            .collect();
        let mut reader = GzipReader::new(Pieces(pieces.clone().into()), 6, true);
        let mut decoder = flate2::write::GzDecoder::new(Vec::new());
        let mut buf = [0u8; 64 * 1024];
        for (i, _) in pieces.iter().enumerate() {
            // One read of the gzip reader reads one piece and returns all of its output.
            let n = reader.read(&mut buf).unwrap();
            assert!(n > 0, "piece {i}");
            decoder.write_all(&buf[..n]).unwrap();
            decoder.flush().unwrap();
            assert_eq!(decoder.get_ref(), &pieces[..=i].concat(), "after piece {i}");
        }
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        decoder.write_all(&rest).unwrap();
        assert_eq!(decoder.finish().unwrap(), pieces.concat());
    }

    #[test]
    fn bodies_round_trip_whatever_the_read_size() {
        // Several input pieces, text that compresses and bytes that do not.
        let mut body: Vec<u8> = (0..40_000u32)
            .flat_map(|i| format!("{i},").into_bytes())
            .collect();
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        body.extend((0..50_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        }));
        for flush in [false, true] {
            for read_size in [1, 7, 4096, 100_000] {
                let mut reader = GzipReader::new(Cursor::new(body.clone()), 4, flush);
                let mut gz = Vec::new();
                let mut buf = vec![0u8; read_size];
                loop {
                    let n = reader.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    gz.extend_from_slice(&buf[..n]);
                }
                assert_eq!(gunzip(&gz), body, "flush {flush}, reads of {read_size}");
                assert_eq!(reader.read(&mut buf).unwrap(), 0, "stays at the end");
            }
        }
        let mut empty = Vec::new();
        GzipReader::new(io::empty(), 4, true)
            .read_to_end(&mut empty)
            .unwrap();
        assert_eq!(gunzip(&empty), b"");
    }

    #[test]
    fn a_failing_source_fails_the_stream() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk gone"))
            }
        }
        let mut out = Vec::new();
        assert!(GzipReader::new(Broken, 4, true)
            .read_to_end(&mut out)
            .is_err());
    }

    fn page(_: &mut Request, _: &RequestContext<'_>) -> Response {
        Response::new(StatusCode::OK)
            .with_header("Content-Type", "text/html; charset=utf-8")
            .unwrap()
            .with_body("<p>hello</p>".repeat(200))
    }

    fn route(path: &'static str, handler: crate::route::EndpointFn) -> Route {
        let info = RouteInfo {
            methods: &["GET"],
            path,
            name: path,
            file: file!(),
            line: line!(),
            body_limit: None,
        };
        Route::from_generated(&info, handler, |_| {})
    }

    #[test]
    fn through_the_app_get_and_automatic_head_agree() {
        let app = App::new()
            .wrap(Compression::new())
            .mount("/", vec![route("/", page)]);
        let client = TestClient::new(app).unwrap();
        let get = client.get("/").header("Accept-Encoding", "gzip").send();
        assert_eq!(get.header("content-encoding"), Some("gzip"));
        assert_eq!(get.header("transfer-encoding"), Some("chunked"));
        assert_eq!(gunzip(get.bytes()), "<p>hello</p>".repeat(200).into_bytes());
        let head = client.head("/").header("Accept-Encoding", "gzip").send();
        let fields = |r: &crate::test::TestResponse| {
            r.headers()
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("date"))
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(&get), fields(&head));
        assert!(head.bytes().is_empty());
    }
}
