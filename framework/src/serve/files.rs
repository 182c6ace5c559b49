//! [`Files`]: a directory served under a mount prefix. A request path becomes a file inside the
//! root (`path.rs`), the file is found without leaving the root, then answered with its type
//! (`mime.rs`), its validators and the decisions of `conditional.rs`, from the precompressed
//! sibling `encoding.rs` picks, and streamed from disk with its length.

use super::conditional::{self, Conditions, Decision, Validators};
use super::encoding::{self, Encoding};
use super::{mime, path};
use crate::error::Error;
use crate::extract::RequestContext;
use crate::http::{http_date, HeaderMap, Method, Request, Response, ResponseBody, StatusCode};
use crate::respond::IntoResponse;
use crate::route::{Route, SharedEndpoint, BARE_PREFIX, PREFIX_SLASH};
use std::borrow::Cow;
use std::ffi::OsString;
use std::fs::{self, File, Metadata};
use std::io::{Read, Seek, SeekFrom};
use std::panic::Location;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// A directory served as static files, mounted like routes:
/// `App::new().mount("/static", Files::new("public"))`.
///
/// ```
/// use framework::serve::Files;
/// use framework::{test::TestClient, App};
///
/// let root = std::env::temp_dir().join(format!("files-doc-{}", std::process::id()));
/// std::fs::create_dir_all(root.join("css"))?;
/// std::fs::write(root.join("index.html"), "<h1>hi</h1>")?;
/// std::fs::write(root.join("css/app.css"), "body{}")?;
///
/// let client = TestClient::new(App::new().mount("/static", Files::new(&root)))?;
/// let res = client.get("/static/css/app.css").send();
/// assert_eq!(res.header("content-type"), Some("text/css; charset=utf-8"));
/// assert_eq!(res.text(), "body{}");
/// // The directory: a redirect to its slash, then its index.
/// let res = client.get("/static?v=2").send();
/// assert_eq!((res.status().as_u16(), res.header("location")), (308, Some("/static/?v=2")));
/// assert_eq!(client.get("/static/").send().text(), "<h1>hi</h1>");
/// // Revalidation, and nothing outside the root.
/// let first = client.get("/static/").send();
/// let etag = first.header("etag").ok_or("no ETag")?;
/// assert_eq!(client.get("/static/").header("If-None-Match", etag).send().status().as_u16(), 304);
/// assert_eq!(client.get("/static/%2e%2e/secret").send().status().as_u16(), 404);
/// # std::fs::remove_dir_all(&root)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// What it answers, for `GET` and `HEAD` (other methods get `405` with `Allow`):
/// - a file: `200` with `Content-Type` by extension, `Content-Length`, `Last-Modified`, a strong
///   `ETag` (from the length, the modification time and the inode) and `Accept-Ranges: bytes`,
///   its bytes streamed from disk; `304`, `412`, `206` and `416` as the conditional and `Range`
///   fields ask (RFC 9110 §13.2.2 order; one range per request, several get the whole file);
/// - a directory without its trailing slash: `308` to the same path with the slash (query kept);
///   with it: its index file ([`Files::index_file`], `index.html` by default);
/// - anything else: the [fallback](Files::fallback) when there is one, else `404`.
///
/// Paths never leave the root: each segment is percent-decoded once and must then be a plain
/// name, so `..`, `.` (and `%2e%2e`), a decoded `/` or `\` (`%2f`, `%5c`), a raw backslash, NUL,
/// an empty segment, a drive (`C:`) are all `404`; so are hidden names (a segment starting with
/// `.`: `.env`, `.git/config`) unless [`Files::hidden`] allows them, and symlinks that resolve
/// outside the root unless [`Files::symlinks_outside_root`] allows them (the file found is
/// canonicalized and must lie under the canonicalized root). Refusals are the same `404` as a
/// missing file and do not say why; they never fall back. Only regular files are served (not
/// FIFOs or devices). A root that does not exist answers `404` until it does.
#[derive(Debug, Clone)]
#[must_use]
pub struct Files {
    config: Config,
    location: &'static Location<'static>,
}

#[derive(Debug, Clone)]
struct Config {
    root: PathBuf,
    index: Option<String>,
    fallback: Option<(String, StatusCode)>,
    precompressed: bool,
    hidden: bool,
    symlinks_outside: bool,
}

impl Files {
    /// Serves the directory `root` (relative to the working directory, or absolute).
    #[track_caller]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            config: Config {
                root: root.into(),
                index: Some("index.html".to_string()),
                fallback: None,
                precompressed: false,
                hidden: false,
                symlinks_outside: false,
            },
            location: Location::caller(),
        }
    }

    /// The file served for a directory requested with its trailing slash (default
    /// `index.html`).
    pub fn index_file(mut self, name: impl Into<String>) -> Self {
        self.config.index = Some(name.into());
        self
    }

    /// Serves no index file: a directory is then not found (or gets the fallback).
    pub fn no_index(mut self) -> Self {
        self.config.index = None;
        self
    }

    /// Serves `path` (relative to the root, `/`-separated, plain names only as for a request)
    /// with `200` for any path that finds no file: what a single-page app needs
    /// (`.fallback("index.html")`, so that the app's own routes load it). Conditional and
    /// `Range` requests work on it as on any file. Refused paths (`..`, hidden names) still get
    /// `404`.
    pub fn fallback(mut self, path: impl Into<String>) -> Self {
        self.config.fallback = Some((path.into(), StatusCode::OK));
        self
    }

    /// As [`Files::fallback`] with another status: `.fallback_with_status("404.html",
    /// StatusCode::NOT_FOUND)` is a custom not-found page (sent whole, without conditionals).
    pub fn fallback_with_status(mut self, path: impl Into<String>, status: StatusCode) -> Self {
        self.config.fallback = Some((path.into(), status));
        self
    }

    /// Serves precompressed siblings (off by default: each request then looks for two more
    /// files): for `app.css`, `app.css.br` or `app.css.gz` when the client's `Accept-Encoding`
    /// allows that coding (its `q` above zero and not below a listed identity's; `br` first on
    /// a tie), with `Content-Encoding`, the original's `Content-Type` and an `ETag` of its own.
    /// Every answer for a file that has a sibling carries `Vary: Accept-Encoding`.
    pub fn precompressed(mut self, on: bool) -> Self {
        self.config.precompressed = on;
        self
    }

    /// Serves hidden files and directories (any segment starting with `.`); off by default, when
    /// they are `404`. `.` and `..` are refused either way.
    pub fn hidden(mut self, on: bool) -> Self {
        self.config.hidden = on;
        self
    }

    /// Follows symlinks wherever they point; off by default, when a file whose canonical path
    /// lies outside the canonical root is `404` (symlinks inside the root are always followed).
    pub fn symlinks_outside_root(mut self, on: bool) -> Self {
        self.config.symlinks_outside = on;
        self
    }
}

/// Which of the mount's three routes a request came in by.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The prefix without its slash (`/static`): a redirect.
    Bare,
    /// The prefix with its slash (`/static/`): the root's index.
    Root,
    /// Below it (`/static/*path`).
    Below,
}

/// `mount` takes a `Files` as its routes: the prefix itself (a redirect to its slash, except at
/// the root), the prefix with a slash (the index) and a catch-all below it, each `GET` (and so
/// `HEAD`).
impl crate::route::IntoRoutes for Files {
    fn into_routes(self) -> Vec<Route> {
        self.into()
    }
}

impl From<Files> for Vec<Route> {
    fn from(files: Files) -> Self {
        let location = files.location;
        let shared = Arc::new(Served {
            config: files.config,
            canonical_root: OnceLock::new(),
        });
        [
            (BARE_PREFIX, Kind::Bare),
            (PREFIX_SLASH, Kind::Root),
            ("/*path", Kind::Below),
        ]
        .into_iter()
        .map(|(path, kind)| {
            let served = Arc::clone(&shared);
            let endpoint: SharedEndpoint =
                Arc::new(move |req: &mut Request, cx: &RequestContext<'_>| {
                    served.answer(kind, req, cx)
                });
            Route::built_in(vec![Method::Get], path, "Files", endpoint, location)
        })
        .collect()
    }
}

/// The configuration, shared by the mount's routes.
#[derive(Debug)]
struct Served {
    config: Config,
    /// The root, canonicalized once it exists.
    canonical_root: OnceLock<PathBuf>,
}

/// A file found under the root.
struct Found {
    /// The path to open (canonical unless symlinks may lead out).
    real: PathBuf,
    metadata: Metadata,
}

enum Lookup {
    File(Found),
    Directory,
    Missing,
}

fn not_found() -> Response {
    Error::not_found("not found").into_response()
}

/// `308` to the request's path with a `/` appended, query kept.
fn redirect_to_slash(req: &Request) -> Response {
    let mut location = format!("{}/", req.path());
    if let Some(query) = req.query() {
        location.push('?');
        location.push_str(query);
    }
    let mut res = Response::new(StatusCode::PERMANENT_REDIRECT);
    res.headers_mut()
        .push_unchecked(b"Location", location.as_bytes());
    res
}

impl Served {
    fn answer(&self, kind: Kind, req: &Request, cx: &RequestContext<'_>) -> Response {
        match kind {
            Kind::Bare => redirect_to_slash(req),
            Kind::Root => self.serve_path(req, ""),
            Kind::Below => match cx.raw_param(req, 0) {
                Some(raw) => self.serve_path(req, raw),
                None => not_found(),
            },
        }
    }

    /// The root to join request paths to: the canonical one when symlinks are checked.
    fn root(&self) -> Option<Cow<'_, Path>> {
        if self.config.symlinks_outside {
            return Some(Cow::Borrowed(self.config.root.as_path()));
        }
        if let Some(root) = self.canonical_root.get() {
            return Some(Cow::Borrowed(root.as_path()));
        }
        let root = fs::canonicalize(&self.config.root).ok()?;
        let _ = self.canonical_root.set(root.clone());
        Some(Cow::Owned(root))
    }

    fn serve_path(&self, req: &Request, raw: &str) -> Response {
        let Ok(resolved) = path::resolve(raw, self.config.hidden) else {
            return not_found();
        };
        let Some(root) = self.root() else {
            return not_found();
        };
        let mut target = root.join(&resolved.relative);
        if resolved.directory {
            let Some(index) = &self.config.index else {
                return self.fallback(req, &root);
            };
            if path::check(index, true).is_err() {
                return not_found();
            }
            target.push(index);
        }
        match self.lookup(&root, &target) {
            Lookup::File(found) => self.send(req, &target, found, StatusCode::OK),
            Lookup::Directory if !resolved.directory => redirect_to_slash(req),
            Lookup::Directory | Lookup::Missing => self.fallback(req, &root),
        }
    }

    fn fallback(&self, req: &Request, root: &Path) -> Response {
        let Some((fallback, status)) = &self.config.fallback else {
            return not_found();
        };
        let mut target = root.to_path_buf();
        for segment in fallback.split('/') {
            if path::check(segment, true).is_err() {
                return not_found();
            }
            target.push(segment);
        }
        match self.lookup(root, &target) {
            Lookup::File(found) => self.send(req, &target, found, *status),
            Lookup::Directory | Lookup::Missing => not_found(),
        }
    }

    /// Finds `target` (a path under `root`), following symlinks, and checks where it really is.
    fn lookup(&self, root: &Path, target: &Path) -> Lookup {
        let real = if self.config.symlinks_outside {
            target.to_path_buf()
        } else if let Some(lookup) = plain_lookup(root, target) {
            // No symlink on the way: the path is already where the file really is.
            return lookup;
        } else {
            let Ok(real) = fs::canonicalize(target) else {
                return Lookup::Missing;
            };
            let Ok(inside) = real.strip_prefix(root) else {
                return Lookup::Missing;
            };
            // A symlink inside the root that leads to a hidden name is as hidden as the name.
            if !self.config.hidden && inside.components().any(is_hidden) {
                return Lookup::Missing;
            }
            real
        };
        match fs::metadata(&real) {
            Ok(m) if m.is_dir() => Lookup::Directory,
            // Regular files only: opening a FIFO or a device would block or worse.
            Ok(metadata) if metadata.is_file() => Lookup::File(Found { real, metadata }),
            Ok(_) | Err(_) => Lookup::Missing,
        }
    }

    /// Answers with `found` (the file at `target`), or the precompressed sibling the client
    /// prefers, under the conditional and range rules. `status` other than `200` (a fallback
    /// page) sends the whole file without evaluating conditions.
    fn send(&self, req: &Request, target: &Path, found: Found, status: StatusCode) -> Response {
        let content_type = mime::content_type(target);
        let mut chosen = (found, None);
        let mut vary = false;
        if self.config.precompressed {
            let root = self.root();
            let mut siblings: Vec<(Encoding, Found)> = Vec::new();
            for encoding in Encoding::ALL {
                let mut name = OsString::from(target.as_os_str());
                name.push(encoding.suffix());
                let sibling = PathBuf::from(name);
                if let Some(root) = &root {
                    if let Lookup::File(found) = self.lookup(root, &sibling) {
                        siblings.push((encoding, found));
                    }
                }
            }
            vary = !siblings.is_empty();
            let available: Vec<Encoding> = siblings.iter().map(|(e, _)| *e).collect();
            if let Some(pick) = encoding::choose(req.headers().get("accept-encoding"), &available) {
                if let Some(at) = siblings.iter().position(|(e, _)| *e == pick) {
                    let (encoding, found) = siblings.swap_remove(at);
                    chosen = (found, Some(encoding));
                }
            }
        }
        let (found, encoding) = chosen;
        let Ok(mut file) = File::open(&found.real) else {
            return not_found();
        };
        // The metadata of what was opened (the file may have changed since the lookup).
        let metadata = file.metadata().unwrap_or(found.metadata);
        if !metadata.is_file() {
            return not_found();
        }
        let len = metadata.len();
        let etag = etag(&metadata, encoding);
        let modified = last_modified(&metadata);

        let decision = if status == StatusCode::OK {
            let c = conditions(req.headers());
            let v = Validators {
                etag: &etag,
                last_modified: modified,
                len,
            };
            conditional::evaluate(&c, &v, *req.method() == Method::Get)
        } else {
            Decision::Whole
        };
        let mut res = match decision {
            Decision::NotModified => {
                // RFC 9110 §15.4.5: the validators and Vary; no representation metadata.
                let mut res = Response::new(StatusCode::NOT_MODIFIED);
                res.headers_mut().push_unchecked(b"ETag", etag.as_bytes());
                if vary {
                    res.headers_mut()
                        .push_unchecked(b"Vary", b"Accept-Encoding");
                }
                return res;
            }
            Decision::PreconditionFailed => {
                return Error::new(StatusCode::PRECONDITION_FAILED, "precondition failed")
                    .into_response();
            }
            Decision::RangeNotSatisfiable => {
                let mut res =
                    Error::new(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable")
                        .into_response();
                let range = format!("bytes */{len}");
                res.headers_mut()
                    .push_unchecked(b"Content-Range", range.as_bytes());
                res.headers_mut().push_unchecked(b"Accept-Ranges", b"bytes");
                return res;
            }
            Decision::Whole => Response::new(status).with_body(ResponseBody::sized(file, len)),
            Decision::Partial { start, end } => {
                if file.seek(SeekFrom::Start(start)).is_err() {
                    return not_found();
                }
                let part = end - start + 1;
                let mut res = Response::new(StatusCode::PARTIAL_CONTENT)
                    .with_body(ResponseBody::sized(file.take(part), part));
                let range = format!("bytes {start}-{end}/{len}");
                res.headers_mut()
                    .push_unchecked(b"Content-Range", range.as_bytes());
                res
            }
        };
        let headers = res.headers_mut();
        headers.push_unchecked(b"Content-Type", content_type.as_bytes());
        if let Some(encoding) = encoding {
            headers.push_unchecked(b"Content-Encoding", encoding.token().as_bytes());
        }
        if vary {
            headers.push_unchecked(b"Vary", b"Accept-Encoding");
        }
        headers.push_unchecked(b"Accept-Ranges", b"bytes");
        headers.push_unchecked(b"ETag", etag.as_bytes());
        let modified = UNIX_EPOCH + std::time::Duration::from_secs(modified);
        headers.push_unchecked(b"Last-Modified", http_date(modified).as_bytes());
        res
    }
}

fn is_hidden(component: Component<'_>) -> bool {
    matches!(component, Component::Normal(name) if name.as_encoded_bytes().starts_with(b"."))
}

/// The conditional and range fields of a request.
fn conditions(headers: &HeaderMap) -> Conditions<'_> {
    Conditions {
        if_match: list_field(headers, "if-match"),
        if_unmodified_since: headers.get("if-unmodified-since"),
        if_none_match: list_field(headers, "if-none-match"),
        if_modified_since: headers.get("if-modified-since"),
        if_range: headers.get("if-range"),
        range: headers.get("range"),
    }
}

/// Every line of a list field, joined with commas (RFC 9110 §5.3); `None` when absent or not
/// UTF-8.
fn list_field<'h>(headers: &'h HeaderMap, name: &'h str) -> Option<Cow<'h, str>> {
    let mut lines = headers.get_all(name);
    let first = std::str::from_utf8(lines.next()?).ok()?;
    let mut joined: Option<String> = None;
    for line in lines {
        let line = std::str::from_utf8(line).ok()?;
        let all = joined.get_or_insert_with(|| first.to_string());
        all.push_str(", ");
        all.push_str(line);
    }
    Some(joined.map_or(Cow::Borrowed(first), Cow::Owned))
}

/// The modification time in whole seconds, never later than now (RFC 9110 §8.8.2.1).
fn last_modified(metadata: &Metadata) -> u64 {
    let now = SystemTime::now();
    let modified = metadata.modified().unwrap_or(now).min(now);
    modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A strong entity tag from the file's metadata: length, modification time (nanoseconds) and,
/// on Unix, the inode; a precompressed sibling's has its coding appended, so that every
/// representation has its own.
fn etag(metadata: &Metadata, encoding: Option<Encoding>) -> String {
    let nanos = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut tag = format!("\"{:x}-{nanos:x}", metadata.len());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        tag.push_str(&format!("-{:x}", metadata.ino()));
    }
    if let Some(encoding) = encoding {
        tag.push('-');
        tag.push_str(encoding.token());
    }
    tag.push('"');
    tag
}

/// `target` found without resolving symlinks, when no component below the (canonical) `root`
/// is one: one `lstat` per component instead of `realpath`'s `readlink` per component of the
/// whole path. `None` when a symlink is on the way (or a component cannot be looked at), so the
/// caller resolves the path and checks where it leads.
fn plain_lookup(root: &Path, target: &Path) -> Option<Lookup> {
    let inside = target.strip_prefix(root).ok()?;
    let mut at = root.to_path_buf();
    let mut last = None;
    for component in inside.components() {
        let std::path::Component::Normal(name) = component else {
            return None;
        };
        at.push(name);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return None,
            Ok(m) => last = Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(Lookup::Missing),
            Err(_) => return None,
        }
    }
    let metadata = last?;
    Some(if metadata.is_dir() {
        Lookup::Directory
    } else if metadata.is_file() {
        Lookup::File(Found {
            real: target.to_path_buf(),
            metadata,
        })
    } else {
        Lookup::Missing
    })
}
