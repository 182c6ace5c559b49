//! Request ids: one label per request, taken from the client (or the proxy in front) when it sent
//! a usable one, made up otherwise, attached to the request and echoed on the response, so that
//! a log line, an error report and the client's view of one exchange can be matched.

use super::{Middleware, Next};
use crate::error::Error;
use crate::extract::{FromRequestParts, RequestContext};
use crate::http::token::is_tchar;
use crate::http::{HeaderMap, Request, Response};
use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// The bytes an incoming id may hold: letters, digits, and a few separators that show up in
/// the ids of common tracers and proxies (UUIDs, base64, `host:pid`, `svc@host`):
/// ```text
/// id-char = ALPHA / DIGIT / "-" / "_" / "." / ":" / "+" / "/" / "=" / "@"
/// ```
/// No space, quote, comma, semicolon, backslash or control byte, so an id can be written into a
/// log line or a header as it is.
static ID_CHAR: [bool; 256] = crate::http::token::byte_table!(|b| b.is_ascii_alphanumeric()
    || matches!(b, b'-' | b'_' | b'.' | b':' | b'+' | b'/' | b'=' | b'@'));

/// A request's id, as [`RequestIds`] assigned it: the client's own when it was acceptable, else a
/// new UUID-v4-formatted one (`5f0c3e2a-9b1d-4c7e-8a2f-0d6b4e1c9a73`).
///
/// It is also an extractor: the id attached by the middleware. Without [`RequestIds`] mounted
/// there is none, and extraction fails with a `500` (the error log says why); take
/// `Option<RequestId>` for a handler that can do without.
///
/// ```
/// use framework::middleware::{RequestId, RequestIds};
/// use framework::{get, routes, test::TestClient, App};
///
/// #[get("/")]
/// fn index(id: RequestId) -> String {
///     format!("request {id}")
/// }
///
/// let client = TestClient::new(App::new().wrap(RequestIds::default()).mount("/", routes![index]))?;
/// let res = client.get("/").header("X-Request-Id", "abc-123").send();
/// assert_eq!(res.header("x-request-id"), Some("abc-123"));
/// assert_eq!(res.text(), "request abc-123");
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Clone)]
pub struct RequestId(Repr);

/// Most ids (UUIDs are 36 bytes) are kept inline: no allocation per request.
const INLINE: usize = 40;

#[derive(Clone)]
enum Repr {
    /// `buf[..len]` is the id (valid UTF-8, as it was made from a `&str` or from hex digits).
    Inline { buf: [u8; INLINE], len: u8 },
    /// A longer id.
    Shared(Arc<str>),
}

impl PartialEq for RequestId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RequestId {}

impl std::hash::Hash for RequestId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

impl RequestId {
    /// Wraps `id` as it is, without checking it. An id that is not a valid header value is
    /// attached to the request but not echoed on the response.
    #[must_use]
    pub fn new_unchecked(id: &str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= INLINE => {
                let mut buf = [0; INLINE];
                buf[..id.len()].copy_from_slice(id.as_bytes());
                Self(Repr::Inline { buf, len })
            }
            _ => Self(Repr::Shared(Arc::from(id))),
        }
    }

    /// A new id: 122 random bits in the UUID version 4 layout, lowercase hex, `8-4-4-4-12`.
    ///
    /// The bits come from a fast non-cryptographic generator, seeded once per process and per
    /// thread from [`RandomState`]: ids are unique labels, **not secrets**. Do not use them as
    /// tokens, nonces or anything an attacker must not guess.
    ///
    /// ```
    /// use framework::middleware::RequestId;
    ///
    /// let id = RequestId::generate();
    /// let groups: Vec<usize> = id.as_str().split('-').map(str::len).collect();
    /// assert_eq!(groups, [8, 4, 4, 4, 12]);
    /// assert_eq!(id.as_str().chars().nth(14), Some('4'));
    /// assert_ne!(id, RequestId::generate());
    /// ```
    #[must_use]
    pub fn generate() -> Self {
        let (hi, lo) = random_pair();
        let text = format_uuid(hi, lo);
        // The buffer holds hex digits and dashes only.
        Self::new_unchecked(std::str::from_utf8(&text).unwrap_or_default())
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Built from a `&str` in `new_unchecked`, so the bytes are UTF-8.
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Shared(id) => id,
        }
    }

    /// The id's bytes, without the UTF-8 check `as_str` makes.
    fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { buf, len } => buf.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Shared(id) => id.as_bytes(),
        }
    }

    /// `value` as an id if it is acceptable: 1 to `max_len` bytes, each an [`ID_CHAR`].
    fn parse(value: &[u8], max_len: usize) -> Option<Self> {
        if value.is_empty() || value.len() > max_len {
            return None;
        }
        if !value.iter().all(|&b| ID_CHAR[usize::from(b)]) {
            return None;
        }
        std::str::from_utf8(value).ok().map(Self::new_unchecked)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromRequestParts for RequestId {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        req.extensions().get::<Self>().cloned().ok_or_else(|| {
            Error::internal("the request has no request id").with_detail(
                "RequestId extractor used, but the RequestIds middleware is not mounted for this route",
            )
        })
    }
}

/// The request-id middleware: gives every request a [`RequestId`], attached to the request
/// before the rest of the chain runs (so handlers, inner middleware and the access log see it)
/// and set on the response.
///
/// - **Incoming ids** in the header (`X-Request-Id` unless [`RequestIds::header`] says
///   otherwise) are reused when acceptable: exactly one field line, 1 to
///   [`max_len`](RequestIds::max_len) bytes (default [`RequestIds::DEFAULT_MAX_LEN`]), made of
///   ASCII letters, digits and `-_.:+/=@` only. Anything else (empty, too long, other bytes,
///   non-UTF-8, two field lines) is replaced by a new id rather than refused: a bad id is no
///   reason to fail a request. With [`trust_incoming(false)`](RequestIds::trust_incoming)
///   every request gets a new id (for a server facing clients whose ids should not reach your
///   logs).
/// - **New ids** are [`RequestId::generate`]'s: unique labels, not secrets.
/// - **The response** carries exactly one field with the request's id: a value the handler set
///   under the same name is replaced, so the client sees the id that was logged.
/// - The request's own header fields are left as the client sent them: read the id with the
///   [`RequestId`] extractor, not from the header.
/// - When a `RequestId` is already attached (this middleware mounted twice, on the app and a
///   scope), it is kept, so one request has one id.
///
/// ```
/// use framework::middleware::{RequestId, RequestIds};
/// use framework::{get, routes, test::TestClient, App};
///
/// #[get("/")]
/// fn index(id: RequestId) -> String {
///     id.to_string()
/// }
///
/// let ids = RequestIds::default().header("X-Trace-Id").max_len(40);
/// let client = TestClient::new(App::new().wrap(ids).mount("/", routes![index]))?;
///
/// let res = client.get("/").header("X-Trace-Id", "a bad id").send();
/// let id = res.header("x-trace-id").unwrap_or_default();
/// assert_eq!(id.len(), 36);
/// assert_eq!(res.text(), id);
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIds {
    header: String,
    max_len: usize,
    trust_incoming: bool,
}

impl Default for RequestIds {
    /// `X-Request-Id`, incoming ids of up to [`RequestIds::DEFAULT_MAX_LEN`] bytes reused.
    fn default() -> Self {
        Self {
            header: Self::DEFAULT_HEADER.to_string(),
            max_len: Self::DEFAULT_MAX_LEN,
            trust_incoming: true,
        }
    }
}

impl RequestIds {
    /// The header read and written by default.
    pub const DEFAULT_HEADER: &'static str = "X-Request-Id";

    /// The longest incoming id reused by default, in bytes: room for a UUID, a W3C trace id
    /// (32 hex digits) or a 64-hex-digit hash.
    pub const DEFAULT_MAX_LEN: usize = 64;

    /// The default configuration (same as [`RequestIds::default`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads and writes this header instead of `X-Request-Id` (a token, checked when the app is
    /// built).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.header = name.into();
        self
    }

    /// The longest incoming id reused, in bytes; a longer one is replaced. At least 1 (checked
    /// when the app is built). Generated ids are 36 bytes whatever this says.
    #[must_use]
    pub fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Whether acceptable incoming ids are reused (the default) or every request gets a new one.
    #[must_use]
    pub fn trust_incoming(mut self, trust: bool) -> Self {
        self.trust_incoming = trust;
        self
    }

    /// The incoming id, if there is exactly one field line and its value is acceptable.
    fn incoming(&self, headers: &HeaderMap) -> Option<RequestId> {
        if !self.trust_incoming {
            return None;
        }
        let mut values = headers.get_all(&self.header);
        let value = values.next()?;
        if values.next().is_some() {
            return None;
        }
        RequestId::parse(value, self.max_len)
    }
}

/// What is wrong with a [`RequestIds`] configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ConfigError {
    /// The header name is empty or not a token.
    HeaderName(String),
    /// `max_len(0)` would refuse every incoming id; use `trust_incoming(false)` for that.
    MaxLen,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HeaderName(name) => write!(
                f,
                "request id header `{name}` is not a valid header name (a non-empty token, e.g. `X-Request-Id`)"
            ),
            Self::MaxLen => f.write_str(
                "request id max_len must be at least 1; to ignore incoming ids use trust_incoming(false)",
            ),
        }
    }
}

impl Middleware for RequestIds {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        // An id attached by someone else may be anything; ours are checked or made of hex digits.
        let (id, checked) = if let Some(id) = req.extensions().get::<RequestId>() {
            (id.clone(), false)
        } else {
            let id = self
                .incoming(req.headers())
                .unwrap_or_else(RequestId::generate);
            req.extensions_mut().insert(id.clone());
            (id, true)
        };
        let mut res = next.run(req);
        let headers = res.headers_mut();
        // One field with our value. The name was checked when the app was built; a value of ours
        // is made of `ID_CHAR`s, all valid in a field value.
        headers.remove(&self.header);
        if checked {
            headers.push_unchecked(self.header.as_bytes(), id.as_bytes());
        } else {
            let _ = headers.append(&self.header, id.as_str());
        }
        res
    }

    fn check(&self) -> Result<(), String> {
        let error = if self.header.is_empty() || !self.header.bytes().all(is_tchar) {
            Some(ConfigError::HeaderName(self.header.clone()))
        } else if self.max_len == 0 {
            Some(ConfigError::MaxLen)
        } else {
            None
        };
        error.map_or(Ok(()), |e| Err(e.to_string()))
    }

    fn name(&self) -> &str {
        "RequestIds"
    }
}

/// The splitmix64 increment (2^64 / φ, odd): successive states never repeat within 2^64 steps.
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// splitmix64's output function: a bijection of `u64` that spreads every input bit.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Threads that have seeded a generator, and the source of last resort.
static SEEDED: AtomicU64 = AtomicU64::new(0);

/// A seed for one thread: the process seed, a fresh [`RandomState`] key, and a count of seeded
/// threads, so that two threads never start from the same state.
fn thread_seed() -> u64 {
    static PROCESS: OnceLock<u64> = OnceLock::new();
    let process = *PROCESS.get_or_init(|| RandomState::new().build_hasher().finish());
    let n = SEEDED.fetch_add(1, Ordering::Relaxed);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(process);
    hasher.write_u64(n);
    hasher.finish() ^ mix(process.wrapping_add(n.wrapping_mul(GAMMA)))
}

thread_local! {
    static STATE: Cell<u64> = Cell::new(thread_seed());
}

/// Two random words from this thread's generator (or, while the thread is being torn down, from
/// a shared counter).
fn random_pair() -> (u64, u64) {
    let state = STATE
        .try_with(|s| {
            let next = s.get().wrapping_add(GAMMA.wrapping_mul(2));
            s.set(next);
            next
        })
        .unwrap_or_else(|_| {
            SEEDED
                .fetch_add(1, Ordering::Relaxed)
                .wrapping_mul(GAMMA.wrapping_mul(2))
        });
    (mix(state), mix(state.wrapping_add(GAMMA)))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `hi` and `lo` as a UUID: version 4 (the 13th digit is `4`), RFC 9562 variant (the 17th digit
/// is one of `89ab`), lowercase hex, dashes after digits 8, 12, 16 and 20.
fn format_uuid(hi: u64, lo: u64) -> [u8; 36] {
    let hi = (hi & !0xf000) | 0x4000;
    let lo = (lo >> 2) | (1 << 63);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    let mut out = [b'-'; 36];
    // Where each byte's two digits go: the 8-4-4-4-12 groups, dashes between them.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    for (&b, &at) in bytes.iter().zip(AT.iter()) {
        out[at] = HEX[usize::from(b >> 4)];
        out[at + 1] = HEX[usize::from(b & 0x0f)];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::respond::IntoResponse;
    use crate::route::{Route, RouteInfo};
    use crate::test::{TestClient, TestResponse};
    use crate::App;
    use std::collections::HashSet;

    /// Whether `id` looks like what [`RequestId::generate`] makes.
    fn well_formed(id: &str) -> bool {
        let b = id.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
            })
            && b.get(14) == Some(&b'4')
            && b.get(19).is_some_and(|c| b"89ab".contains(c))
    }

    #[test]
    fn generated_ids_are_uuid_v4_shaped() {
        for _ in 0..1000 {
            let id = RequestId::generate();
            assert!(well_formed(id.as_str()), "{id}");
        }
    }

    #[test]
    fn the_layout_sets_version_and_variant_whatever_the_bits() {
        for (hi, lo) in [(0, 0), (u64::MAX, u64::MAX), (0x0123_4567_89ab_cdef, 1)] {
            let text = format_uuid(hi, lo);
            let id = std::str::from_utf8(&text).unwrap_or_default();
            assert!(well_formed(id), "{id}");
        }
        let text = format_uuid(0x0123_4567_89ab_cdef, 0);
        assert_eq!(
            std::str::from_utf8(&text).ok(),
            Some("01234567-89ab-4def-8000-000000000000")
        );
    }

    #[test]
    fn generated_ids_are_distinct_across_threads() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| (0..2500).map(|_| RequestId::generate()).collect::<Vec<_>>())
            })
            .collect();
        let mut seen = HashSet::new();
        for thread in threads {
            for id in thread.join().unwrap_or_default() {
                assert!(well_formed(id.as_str()), "{id}");
                seen.insert(id);
            }
        }
        assert_eq!(seen.len(), 10_000);
    }

    #[test]
    fn acceptable_ids_are_letters_digits_and_a_few_separators() {
        let table: [(&[u8], bool); 12] = [
            (b"abc-123", true),
            (b"5f0c3e2a-9b1d-4c7e-8a2f-0d6b4e1c9a73", true),
            (b"a_b.c:d+e/f=g@h", true),
            (b"ABCxyz0189", true),
            (b"", false),
            (b"has space", false),
            (b"quote\"", false),
            (b"comma,", false),
            (b"semi;colon", false),
            (b"back\\slash", false),
            (b"tab\t", false),
            (b"\xc3\xa9t\xc3\xa9", false),
        ];
        for (value, ok) in table {
            assert_eq!(
                RequestId::parse(value, 64).is_some(),
                ok,
                "{}",
                String::from_utf8_lossy(value)
            );
        }
        assert!(RequestId::parse(&[b'a'; 64], 64).is_some());
        assert!(RequestId::parse(&[b'a'; 65], 64).is_none());
    }

    #[test]
    fn a_bad_configuration_fails_the_build() {
        assert!(RequestIds::default().check().is_ok());
        let err = RequestIds::default().header("X Bad").check();
        assert!(err.is_err_and(|e| e.contains("`X Bad`")));
        assert!(RequestIds::default().header("").check().is_err());
        assert!(RequestIds::default().max_len(0).check().is_err());
        let app = App::new().wrap(RequestIds::new().header("a\nb"));
        assert!(TestClient::new(app).is_err());
    }

    // Routes built without the macros (they target the `framework` crate from outside).
    fn echo_id(req: &mut Request, cx: &RequestContext<'_>) -> Response {
        match RequestId::from_request_parts(req, cx) {
            Ok(id) => Response::text(id.to_string()),
            Err(e) => e.into_response(),
        }
    }

    fn sets_its_own(_req: &mut Request, _cx: &RequestContext<'_>) -> Response {
        let mut res = Response::text("own");
        let _ = res.headers_mut().append("X-Request-Id", "from-handler");
        let _ = res.headers_mut().append("X-Request-Id", "another");
        res
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

    fn client(ids: Option<RequestIds>) -> Option<TestClient> {
        let app = match ids {
            Some(ids) => App::new().wrap(ids),
            None => App::new(),
        };
        let routes = vec![route("/id", echo_id), route("/own", sets_its_own)];
        TestClient::new(app.mount("/", routes)).ok()
    }

    fn get(
        client: Option<&TestClient>,
        path: &str,
        headers: &[(&str, &[u8])],
    ) -> Option<TestResponse> {
        let client = client?;
        let mut req = client.get(path);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        Some(req.send())
    }

    /// The response's id header values, and the id the handler saw.
    fn ids(res: Option<TestResponse>, header: &str) -> (Vec<String>, String) {
        res.map(|r| {
            let values = r
                .headers()
                .get_all(header)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect();
            (values, r.text())
        })
        .unwrap_or_default()
    }

    #[test]
    fn an_acceptable_incoming_id_is_reused_and_echoed() {
        let c = client(Some(RequestIds::default()));
        let (echoed, seen) = ids(
            get(c.as_ref(), "/id", &[("X-Request-Id", b"abc-123")]),
            "x-request-id",
        );
        assert_eq!(
            (echoed, seen.as_str()),
            (vec!["abc-123".to_string()], "abc-123")
        );
    }

    #[test]
    fn unacceptable_incoming_ids_are_replaced() {
        let c = client(Some(RequestIds::default()));
        let long = [b'a'; 65];
        let cases: [&[(&str, &[u8])]; 6] = [
            &[("X-Request-Id", &long)],
            &[("X-Request-Id", b"bad id")],
            &[("X-Request-Id", b"")],
            &[("X-Request-Id", b"caf\xc3\xa9")],
            &[("X-Request-Id", b"ab\xffcd")],
            &[("X-Request-Id", b"one"), ("X-Request-Id", b"two")],
        ];
        for headers in cases {
            let (echoed, seen) = ids(get(c.as_ref(), "/id", headers), "x-request-id");
            assert_eq!(echoed.len(), 1, "{headers:?}");
            let id = echoed.first().map_or("", String::as_str);
            assert!(well_formed(id), "{headers:?}: {id}");
            assert_eq!(seen, id, "{headers:?}");
        }
    }

    #[test]
    fn without_an_incoming_id_each_request_gets_a_new_one() {
        let c = client(Some(RequestIds::default()));
        let (a, seen) = ids(get(c.as_ref(), "/id", &[]), "x-request-id");
        let (b, _) = ids(get(c.as_ref(), "/id", &[]), "x-request-id");
        assert!(a.first().is_some_and(|id| well_formed(id) && *id == seen));
        assert_ne!(a, b);
    }

    #[test]
    fn max_len_bounds_incoming_ids() {
        let c = client(Some(RequestIds::default().max_len(4)));
        let (echoed, _) = ids(
            get(c.as_ref(), "/id", &[("X-Request-Id", b"abcd")]),
            "x-request-id",
        );
        assert_eq!(echoed, ["abcd"]);
        let (echoed, _) = ids(
            get(c.as_ref(), "/id", &[("X-Request-Id", b"abcde")]),
            "x-request-id",
        );
        assert!(echoed.first().is_some_and(|id| well_formed(id)));
    }

    #[test]
    fn trust_incoming_false_always_makes_a_new_id() {
        let c = client(Some(RequestIds::default().trust_incoming(false)));
        let (echoed, seen) = ids(
            get(c.as_ref(), "/id", &[("X-Request-Id", b"abc-123")]),
            "x-request-id",
        );
        assert!(echoed
            .first()
            .is_some_and(|id| well_formed(id) && *id == seen));
    }

    #[test]
    fn the_header_name_is_configurable() {
        let c = client(Some(RequestIds::default().header("X-Trace-Id")));
        let res = get(
            c.as_ref(),
            "/id",
            &[("x-trace-id", b"t-1"), ("X-Request-Id", b"r-1")],
        );
        assert_eq!(res.as_ref().and_then(|r| r.header("x-request-id")), None);
        assert_eq!(
            ids(res, "x-trace-id"),
            (vec!["t-1".to_string()], "t-1".to_string())
        );
    }

    #[test]
    fn the_response_carries_one_id_even_when_the_handler_set_its_own() {
        let c = client(Some(RequestIds::default()));
        let (echoed, _) = ids(
            get(c.as_ref(), "/own", &[("X-Request-Id", b"abc")]),
            "x-request-id",
        );
        assert_eq!(echoed, ["abc"]);
    }

    #[test]
    fn error_responses_carry_the_id_too() {
        let c = client(Some(RequestIds::default()));
        let res = get(c.as_ref(), "/missing", &[("X-Request-Id", b"abc")]);
        assert_eq!(res.as_ref().map(|r| r.status().as_u16()), Some(404));
        assert_eq!(
            res.as_ref().and_then(|r| r.header("x-request-id")),
            Some("abc")
        );
    }

    #[test]
    fn mounted_twice_one_request_keeps_one_id() {
        let app = App::new()
            .wrap(RequestIds::default())
            .wrap(RequestIds::default().header("X-Other-Id"))
            .mount("/", vec![route("/id", echo_id)]);
        let res = TestClient::new(app).ok().map(|c| c.get("/id").send());
        let outer = res
            .as_ref()
            .and_then(|r| r.header("x-request-id"))
            .map(str::to_string);
        let inner = res
            .as_ref()
            .and_then(|r| r.header("x-other-id"))
            .map(str::to_string);
        assert!(outer.as_deref().is_some_and(well_formed));
        assert_eq!(outer, inner);
        assert_eq!(outer, res.map(|r| r.text()));
    }

    #[test]
    fn the_extractor_without_the_middleware_is_a_500() {
        let c = client(None);
        let res = get(c.as_ref(), "/id", &[("X-Request-Id", b"abc")]);
        assert_eq!(res.map(|r| r.status().as_u16()), Some(500));
    }
}
