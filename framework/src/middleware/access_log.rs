//! The access log and the error log: lines on stderr, written by one background thread so that
//! a slow stderr never holds up a request.
//!
//! The access log is not a middleware you place: it is the outermost layer of every served app,
//! so it times the whole chain and sees what every middleware attached (the request id, the
//! client address behind a trusted proxy). Turn it on or off with
//! [`App::access_log`](crate::App::access_log) (or `ACCESS_LOG=0`/`1`), choose its fields with
//! [`App::access_log_format`](crate::App::access_log_format).

use super::{ClientAddr, RequestId};
use crate::http::{Method, Request, Response, StatusCode};
use crate::proto::refusal::push_json_string;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Lines waiting for the writer thread; beyond this, lines are dropped (and counted) rather than
/// making a request wait for the log.
const QUEUE: usize = 8192;

/// Whether the access log is on: `ACCESS_LOG=0` or `1` in the environment decides, else `default`.
pub(crate) fn enabled(default: bool) -> bool {
    match std::env::var("ACCESS_LOG").as_deref().map(str::trim) {
        Ok("0" | "false" | "off") => false,
        Ok("1" | "true" | "on") => true,
        _ => default,
    }
}

/// A handle to the log writer thread.
struct Writer {
    lines: SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl Writer {
    fn start() -> Option<Self> {
        let (lines, queue) = sync_channel::<String>(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let seen_dropped = Arc::clone(&dropped);
        crate::server::spawn_thread(
            std::thread::Builder::new().name("log-writer".into()),
            Box::new(move || {
                while let Ok(line) = queue.recv() {
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(line.as_bytes());
                    // Write whatever else is already queued under the same lock.
                    while let Ok(line) = queue.try_recv() {
                        let _ = err.write_all(line.as_bytes());
                    }
                    let lost = seen_dropped.swap(0, Ordering::Relaxed);
                    if lost > 0 {
                        let _ = writeln!(err, "log: {lost} lines dropped (stderr too slow)");
                    }
                }
            }),
        )
        .ok()?;
        Some(Self { lines, dropped })
    }

    /// Queues a line (ending in `\n`); drops it when the queue is full.
    fn send(line: String) {
        static WRITER: OnceLock<Option<Writer>> = OnceLock::new();
        let Some(writer) = WRITER.get_or_init(Writer::start) else {
            return;
        };
        match writer.lines.try_send(line) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                writer.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The error log: one line per error response that carries an internal detail
/// ([`Error::with_detail`](crate::Error::with_detail)), whether or not the access log is on.
pub(crate) struct ErrorLog;

impl ErrorLog {
    /// `error: 500 GET /files/x: I/O error: permission denied`.
    pub(crate) fn record(req: &Request, status: StatusCode, detail: &str) {
        let mut line = String::with_capacity(detail.len() + 48);
        let _ = write!(line, "error: {} {} ", status.as_u16(), req.method());
        escape_text(&mut line, req.target());
        line.push_str(": ");
        escape_text(&mut line, detail);
        line.push('\n');
        Writer::send(line);
    }
}

/// One piece of an access log line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Text(String),
    Method,
    Target,
    Path,
    Query,
    Version,
    Status,
    Bytes,
    DurationMs,
    DurationUs,
    RequestId,
    Client,
    Peer,
    Time,
    Header(String),
}

impl Field {
    /// The name a placeholder uses, for JSON keys.
    fn key(&self) -> String {
        match self {
            Self::Text(_) => String::new(),
            Self::Method => "method".into(),
            Self::Target => "target".into(),
            Self::Path => "path".into(),
            Self::Query => "query".into(),
            Self::Version => "version".into(),
            Self::Status => "status".into(),
            Self::Bytes => "bytes".into(),
            Self::DurationMs => "duration_ms".into(),
            Self::DurationUs => "duration_us".into(),
            Self::RequestId => "request_id".into(),
            Self::Client => "client".into(),
            Self::Peer => "peer".into(),
            Self::Time => "time".into(),
            Self::Header(name) => name.to_ascii_lowercase(),
        }
    }
}

/// Why an access log template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFormatError {
    /// A `{name}` that is not a known field.
    UnknownField(String),
    /// A `{` without its `}`.
    Unclosed,
    /// `{header:}` without a header name, or one that is not a token.
    HeaderName(String),
}

impl fmt::Display for LogFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownField(name) => write!(
                f,
                "unknown access log field `{{{name}}}`; known: {{method}} {{target}} {{path}} {{query}} {{version}} {{status}} {{bytes}} {{duration_ms}} {{duration_us}} {{request_id}} {{client}} {{peer}} {{time}} {{header:NAME}}"
            ),
            Self::Unclosed => f.write_str("a `{` in the access log format has no closing `}` (write `{{` for a literal brace)"),
            Self::HeaderName(name) => write!(f, "`{{header:{name}}}` needs a header name (a token, e.g. `{{header:user-agent}}`)"),
        }
    }
}

impl std::error::Error for LogFormatError {}

/// The access log's fields and layout: a template of `{field}` placeholders, or JSON lines.
///
/// | field | value |
/// |---|---|
/// | `{method}` `{target}` `{path}` `{query}` `{version}` | of the request, as sent (`-` for no query) |
/// | `{status}` | the response status code |
/// | `{bytes}` | the body length, `-` for a streamed body |
/// | `{duration_ms}` / `{duration_us}` | handling time, milliseconds with 3 decimals / whole microseconds |
/// | `{request_id}` | the [`RequestId`] the request-id middleware assigned (or the response's `X-Request-Id`), `-` without |
/// | `{client}` | the client's IP: the [`ClientAddr`] that [`TrustedProxies`](super::TrustedProxies) resolved, else the peer's |
/// | `{peer}` | the socket peer, `ip:port` |
/// | `{time}` | when the response was ready, as an HTTP date |
/// | `{header:NAME}` | a request header (`-` when absent) |
///
/// Values are escaped (`"`, `\` and control characters become `\"`, `\\`, `\xHH`), so
/// a client cannot forge a line. `{{` and `}}` are literal braces.
///
/// ```
/// use framework::middleware::AccessLog;
/// use framework::App;
///
/// let format = AccessLog::format("{time} {client} \"{method} {target}\" {status} {duration_us}us id={request_id} ua=\"{header:user-agent}\"")?;
/// let app = App::new().access_log_format(format);
/// // Or one JSON object per line, for a log shipper:
/// let app = App::new().access_log_format(AccessLog::json());
/// # Ok::<(), framework::middleware::LogFormatError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLog {
    fields: Vec<Field>,
    json: bool,
}

/// `GET /users/1 200 51 0.123ms 127.0.0.1 5f0c…`
const DEFAULT_FORMAT: &str =
    "{method} {target} {status} {bytes} {duration_ms}ms {client} {request_id}";

impl Default for AccessLog {
    /// `{method} {target} {status} {bytes} {duration_ms}ms {client} {request_id}`, e.g.
    /// `GET /users/1 200 51 0.123ms 127.0.0.1 -`.
    fn default() -> Self {
        Self::parse(DEFAULT_FORMAT).unwrap_or(Self {
            fields: Vec::new(),
            json: false,
        })
    }
}

impl AccessLog {
    /// A text template (see the table above).
    ///
    /// # Errors
    /// An unknown field, an unclosed `{`, or a bad header name.
    pub fn format(template: &str) -> Result<Self, LogFormatError> {
        Self::parse(template)
    }

    /// One JSON object per line with every field but `{header:…}`: `method`, `target`, `status`,
    /// `bytes` (`null` when streamed), `duration_us`, `request_id`, `client`, `peer`, `time`.
    #[must_use]
    pub fn json() -> Self {
        Self {
            fields: vec![
                Field::Time,
                Field::Method,
                Field::Target,
                Field::Status,
                Field::Bytes,
                Field::DurationUs,
                Field::RequestId,
                Field::Client,
                Field::Peer,
            ],
            json: true,
        }
    }

    fn parse(template: &str) -> Result<Self, LogFormatError> {
        let mut fields = Vec::new();
        let mut text = String::new();
        let mut rest = template;
        while let Some(i) = rest.find(['{', '}']) {
            text.push_str(&rest[..i]);
            let brace = &rest[i..];
            if let Some(after) = brace.strip_prefix("{{") {
                text.push('{');
                rest = after;
                continue;
            }
            if let Some(after) = brace.strip_prefix("}}") {
                text.push('}');
                rest = after;
                continue;
            }
            if let Some(after) = brace.strip_prefix('}') {
                text.push('}');
                rest = after;
                continue;
            }
            let end = brace.find('}').ok_or(LogFormatError::Unclosed)?;
            let name = &brace[1..end];
            let field = match name {
                "method" => Field::Method,
                "target" => Field::Target,
                "path" => Field::Path,
                "query" => Field::Query,
                "version" => Field::Version,
                "status" => Field::Status,
                "bytes" => Field::Bytes,
                "duration_ms" => Field::DurationMs,
                "duration_us" => Field::DurationUs,
                "request_id" => Field::RequestId,
                "client" => Field::Client,
                "peer" => Field::Peer,
                "time" => Field::Time,
                _ => match name.strip_prefix("header:") {
                    Some(h)
                        if !h.is_empty()
                            && h.bytes().all(|b| crate::http::token::TCHAR[usize::from(b)]) =>
                    {
                        Field::Header(h.to_string())
                    }
                    Some(h) => return Err(LogFormatError::HeaderName(h.to_string())),
                    None => return Err(LogFormatError::UnknownField(name.to_string())),
                },
            };
            if !text.is_empty() {
                fields.push(Field::Text(std::mem::take(&mut text)));
            }
            fields.push(field);
            rest = &brace[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            fields.push(Field::Text(text));
        }
        Ok(Self {
            fields,
            json: false,
        })
    }

    /// Formats the line for one exchange. `method` and `target` are taken before the handler ran
    /// (a handler may take the whole request).
    pub(crate) fn line(
        &self,
        method: &Method,
        target: &str,
        req: &Request,
        res: &Response,
        took: Duration,
    ) -> String {
        let mut line = String::with_capacity(128);
        if self.json {
            line.push('{');
        }
        let mut first = true;
        for field in &self.fields {
            if self.json {
                if !first {
                    line.push(',');
                }
                first = false;
                push_json_string(&mut line, &field.key());
                line.push(':');
            }
            self.value(&mut line, field, method, target, req, res, took);
        }
        if self.json {
            line.push('}');
        }
        line.push('\n');
        line
    }

    #[allow(clippy::too_many_arguments)]
    fn value(
        &self,
        out: &mut String,
        field: &Field,
        method: &Method,
        target: &str,
        req: &Request,
        res: &Response,
        took: Duration,
    ) {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (target, None),
        };
        // A text value: quoted in JSON, escaped in text; `None` is `-` or `null`.
        let text = |out: &mut String, value: Option<&str>| match (value, self.json) {
            (Some(v), true) => push_json_string(out, v),
            (Some(v), false) => escape_text(out, v),
            (None, true) => out.push_str("null"),
            (None, false) => out.push('-'),
        };
        match field {
            Field::Text(t) => out.push_str(t),
            Field::Method => text(out, Some(method.as_str())),
            Field::Target => text(out, Some(target)),
            Field::Path => text(out, Some(path)),
            Field::Query => text(out, query),
            Field::Version => text(out, Some(&req.version().to_string())),
            Field::Status => {
                let _ = write!(out, "{}", res.status().as_u16());
            }
            Field::Bytes => match res.body().len() {
                Some(n) => {
                    let _ = write!(out, "{n}");
                }
                None => text(out, None),
            },
            Field::DurationMs => {
                let ms = took.as_secs_f64() * 1000.0;
                let _ = if self.json {
                    write!(out, "{ms}")
                } else {
                    write!(out, "{ms:.3}")
                };
            }
            Field::DurationUs => {
                let _ = write!(out, "{}", took.as_micros());
            }
            Field::RequestId => {
                let id = req
                    .extensions()
                    .get::<RequestId>()
                    .map(RequestId::as_str)
                    .or_else(|| res.headers().get("x-request-id"));
                text(out, id);
            }
            Field::Client => {
                let ip = req
                    .extensions()
                    .get::<ClientAddr>()
                    .map(|c| c.0)
                    .or_else(|| req.remote_addr().map(|a| a.ip()));
                text(out, ip.map(|ip| ip.to_string()).as_deref());
            }
            Field::Peer => text(out, req.remote_addr().map(|a| a.to_string()).as_deref()),
            Field::Time => {
                let date = crate::server::date::now();
                text(out, std::str::from_utf8(&date).ok());
            }
            Field::Header(name) => {
                let value = req
                    .headers()
                    .get_bytes(name)
                    .map(|v| String::from_utf8_lossy(v).into_owned());
                text(out, value.as_deref());
            }
        }
    }

    /// Queues the line for one exchange.
    pub(crate) fn record(
        &self,
        method: &Method,
        target: &str,
        req: &Request,
        res: &Response,
        took: Duration,
    ) {
        Writer::send(self.line(method, target, req, res, took));
    }
}

/// Appends `s` with `"`, `\` and control characters escaped (`\"`, `\\`, `\xHH`),
/// so that a value cannot end a line or fake a field.
fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::IntoResponse;

    fn exchange() -> (Request, Response) {
        let mut req = Request::new(Method::Get, "/users/1?full=1").unwrap_or_default();
        req.set_remote_addr(Some(([10, 0, 0, 9], 4711).into()));
        let _ = req.headers_mut().append("User-Agent", "curl/8 \"x\"");
        (req, Response::text("hello"))
    }

    #[test]
    fn the_default_line_has_method_target_status_bytes_duration_client_and_id() {
        let (req, res) = exchange();
        let line = AccessLog::default().line(
            &Method::Get,
            "/users/1?full=1",
            &req,
            &res,
            Duration::from_micros(1234),
        );
        assert_eq!(line, "GET /users/1?full=1 200 5 1.234ms 10.0.0.9 -\n");
    }

    #[test]
    fn templates_pick_fields_and_escape_values() -> Result<(), LogFormatError> {
        let (mut req, res) = exchange();
        req.extensions_mut()
            .insert(RequestId::new_unchecked("abc-1"));
        req.extensions_mut()
            .insert(ClientAddr([203, 0, 113, 7].into()));
        let format = AccessLog::format(
            "{{{path}}} q={query} id={request_id} c={client} p={peer} ua=\"{header:user-agent}\" x={header:x-missing} {duration_us}us",
        )?;
        let line = format.line(
            &Method::Get,
            "/users/1?full=1",
            &req,
            &res,
            Duration::from_micros(7),
        );
        assert_eq!(
            line,
            "{/users/1} q=full=1 id=abc-1 c=203.0.113.7 p=10.0.0.9:4711 ua=\"curl/8 \\\"x\\\"\" x=- 7us\n"
        );
        Ok(())
    }

    #[test]
    fn control_bytes_cannot_split_a_line() {
        let mut out = String::new();
        escape_text(&mut out, "a\nb\u{7f}é\u{85}");
        assert_eq!(out, "a\\x0Ab\\x7Fé\\x85");
    }

    #[test]
    fn bad_templates_are_refused_with_the_reason() {
        assert_eq!(
            AccessLog::format("{nope}"),
            Err(LogFormatError::UnknownField("nope".into()))
        );
        assert_eq!(AccessLog::format("{status"), Err(LogFormatError::Unclosed));
        assert_eq!(
            AccessLog::format("{header:}"),
            Err(LogFormatError::HeaderName(String::new()))
        );
        assert!(AccessLog::format("{header:bad name}").is_err());
    }

    #[test]
    fn json_lines_are_one_object_with_nulls_for_missing_values() {
        let req = Request::new(Method::Post, "/x").unwrap_or_default();
        let res = Error::not_found("no").into_response();
        let line =
            AccessLog::json().line(&Method::Post, "/x", &req, &res, Duration::from_micros(3));
        let value: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap_or_default();
        assert_eq!(value["method"], "POST");
        assert_eq!(value["status"], 404);
        assert_eq!(value["duration_us"], 3);
        assert!(value["request_id"].is_null() && value["client"].is_null());
        assert!(value["time"].as_str().is_some_and(|t| t.ends_with("GMT")));
    }
}
