//! End-to-end tests of static files (`framework::serve::Files`) over real sockets: each test
//! builds a directory tree in a fresh temporary directory, serves it on `127.0.0.1:0` and speaks
//! raw bytes to it. The hostile-path table checks that nothing outside the root is ever sent: a
//! secret file sits next to the root, and its content must not appear in any answer.

// The helpers below (the tree, the requests) are test-only code too: saying so lets clippy.toml's
// `allow-unwrap-in-tests` cover them, as it covers `support`.
#![cfg(test)]

mod support;

use framework::serve::Files;
use framework::{get, routes, App, Scope};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{HttpResponse, TestApp};

const SECRET: &str = "TOP-SECRET-CONTENT";
const HELLO: &str = "hello, world\n";
const INDEX: &str = "<h1>home</h1>";
const CSS: &str = "body { color: red }";
const CSS_GZ: &[u8] = b"\x1f\x8bGZIP-BYTES-OF-THE-CSS";
const CSS_BR: &[u8] = b"BROTLI-BYTES";
/// Every file's modification time: Wed, 01 Jan 2020 00:00:00 GMT.
const MTIME: u64 = 1_577_836_800;
const MTIME_TEXT: &str = "Wed, 01 Jan 2020 00:00:00 GMT";

/// A temporary tree, removed on drop:
///
/// ```text
/// base/secret.txt                  outside the root
/// base/outside/secret.txt          outside the root, reached by `dir-out`
/// base/public/                     the root
///   index.html  hello.txt  empty.txt  big.bin  a b.txt  %2e%2e
///   css/app.css (+ .gz, .br)   js/only-gz.js (+ .gz)
///   docs/index.html  empty/  .env  .git/config
///   link-in -> hello.txt   link-out -> ../secret.txt   dir-out -> ../outside
///   link-hidden -> .env
/// ```
struct Tree {
    base: PathBuf,
}

impl Tree {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::temp_dir().join(format!(
            "framework-files-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&base);
        let root = base.join("public");
        for dir in ["css", "js", "docs", "empty", ".git"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        fs::create_dir_all(base.join("outside")).unwrap();
        let files: &[(&str, &[u8])] = &[
            ("index.html", INDEX.as_bytes()),
            ("hello.txt", HELLO.as_bytes()),
            ("empty.txt", b""),
            ("a b.txt", b"spaced"),
            ("%2e%2e", b"literal percent name"),
            ("css/app.css", CSS.as_bytes()),
            ("css/app.css.gz", CSS_GZ),
            ("css/app.css.br", CSS_BR),
            ("js/only-gz.js", b"let x = 1;"),
            ("js/only-gz.js.gz", b"GZ-JS"),
            ("docs/index.html", b"<h1>docs</h1>"),
            (".env", b"SECRET=1"),
            (".git/config", b"[core]"),
        ];
        for (name, content) in files {
            let path = root.join(name);
            fs::write(&path, content).unwrap();
            set_mtime(&path);
        }
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        fs::write(root.join("big.bin"), &big).unwrap();
        set_mtime(&root.join("big.bin"));
        fs::write(base.join("secret.txt"), SECRET).unwrap();
        fs::write(base.join("outside/secret.txt"), SECRET).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("hello.txt", root.join("link-in")).unwrap();
            symlink(base.join("secret.txt"), root.join("link-out")).unwrap();
            symlink("../outside", root.join("dir-out")).unwrap();
            symlink(".env", root.join("link-hidden")).unwrap();
        }
        Self { base }
    }

    fn root(&self) -> PathBuf {
        self.base.join("public")
    }

    fn big(&self) -> Vec<u8> {
        fs::read(self.root().join("big.bin")).unwrap()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

fn set_mtime(path: &Path) {
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(MTIME))
        .unwrap();
}

/// The app most tests use: the tree under `/static` (precompressed siblings on), as a
/// single-page app under `/spa`, with hidden files under `/hidden`, and with symlinks followed
/// anywhere under `/follow`.
fn serve(tree: &Tree) -> TestApp {
    let root = tree.root();
    TestApp::start(
        App::new()
            .mount("/static", Files::new(&root).precompressed(true))
            .mount("/spa", Files::new(&root).fallback("index.html"))
            .mount("/hidden", Files::new(&root).hidden(true))
            .mount("/follow", Files::new(&root).symlinks_outside_root(true)),
    )
}

/// `GET target` with extra header lines.
fn get_with(app: &TestApp, target: &str, fields: &[(&str, &str)]) -> HttpResponse {
    request_with(app, "GET", target, fields)
}

fn request_with(
    app: &TestApp,
    method: &str,
    target: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: test\r\n");
    for (name, value) in fields {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("\r\n");
    app.exchange(raw.as_bytes(), method == "HEAD")
}

fn etag_of(app: &TestApp, target: &str, fields: &[(&str, &str)]) -> String {
    let res = get_with(app, target, fields);
    res.header("etag")
        .unwrap_or_else(|| panic!("no ETag in {res:?}"))
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Files, types, validators
// ---------------------------------------------------------------------------------------------

#[test]
fn a_file_is_sent_with_its_type_length_and_validators() {
    let tree = Tree::new();
    let app = serve(&tree);
    let res = app.get("/static/hello.txt");
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.text(), HELLO);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.header("content-length"), Some("13"));
    assert_eq!(res.header("transfer-encoding"), None);
    assert_eq!(res.header("accept-ranges"), Some("bytes"));
    assert_eq!(res.header("last-modified"), Some(MTIME_TEXT));
    assert_eq!(res.header("vary"), None, "no sibling, no Vary: {res:?}");
    let etag = res.header("etag").unwrap();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 4,
        "a strong tag: {etag}"
    );

    for (target, media) in [
        ("/static/", "text/html; charset=utf-8"),
        ("/static/css/app.css", "text/css; charset=utf-8"),
        ("/static/js/only-gz.js", "text/javascript; charset=utf-8"),
        ("/static/big.bin", "application/octet-stream"),
        ("/static/css/app.css.gz", "application/gzip"),
    ] {
        assert_eq!(
            app.get(target).header("content-type"),
            Some(media),
            "{target}"
        );
    }
    let spaced = app.get("/static/a%20b.txt");
    assert_eq!((spaced.status, spaced.text().as_str()), (200, "spaced"));
    // Decoded once: `%252e%252e` is the file named `%2e%2e`.
    assert_eq!(app.get("/static/%252e%252e").text(), "literal percent name");
    let empty = app.get("/static/empty.txt");
    assert_eq!(
        (empty.status, empty.header("content-length")),
        (200, Some("0"))
    );
}

#[test]
fn a_large_file_is_streamed_with_its_length_not_chunked() {
    let tree = Tree::new();
    let app = serve(&tree);
    let res = app.get("/static/big.bin");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("300000"));
    assert_eq!(res.chunks, None, "not chunked");
    assert!(res.body == tree.big(), "the body is the file");
    // The connection stays usable after a streamed file.
    let mut c = app.connect();
    for _ in 0..2 {
        c.send(&support::get("/static/big.bin"));
        let res = c.read_response();
        assert_eq!(res.body.len(), 300_000);
        assert!(!res.closes());
    }
}

#[test]
fn head_gets_the_fields_of_get_and_no_body() {
    let tree = Tree::new();
    let app = serve(&tree);
    let get = app.get("/static/big.bin");
    let mut c = app.connect();
    c.send(&support::request("HEAD", "/static/big.bin"));
    let head = c.read_head_response();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.fields_without_date(), get.fields_without_date());
    // Nothing but the head was sent: the next response on the connection parses.
    c.send(&support::get("/static/hello.txt"));
    assert_eq!(c.read_response().text(), HELLO);
}

#[test]
fn other_methods_are_405_with_allow() {
    let tree = Tree::new();
    let app = serve(&tree);
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for target in ["/static/hello.txt", "/static/", "/static"] {
            let res = app.call(method, target);
            assert_eq!(res.status, 405, "{method} {target}: {res:?}");
            assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
        }
    }
}

#[test]
fn missing_files_are_a_plain_404() {
    let tree = Tree::new();
    let app = serve(&tree);
    for target in [
        "/static/nope.txt",
        "/static/css/nope.css",
        "/static/hello.txt/",
        "/static/empty/",
    ] {
        app.get(target).assert_json_error(404, "not found");
    }
}

// ---------------------------------------------------------------------------------------------
// Directories, index, redirect, fallback
// ---------------------------------------------------------------------------------------------

#[test]
fn directories_redirect_to_their_slash_and_serve_their_index() {
    let tree = Tree::new();
    let app = serve(&tree);
    for (target, location) in [
        ("/static", "/static/"),
        ("/static?v=1&x", "/static/?v=1&x"),
        ("/static/docs", "/static/docs/"),
        ("/static/docs?page=2", "/static/docs/?page=2"),
        ("/static/empty", "/static/empty/"),
    ] {
        let res = app.get(target);
        assert_eq!(res.status, 308, "{target}: {res:?}");
        assert_eq!(res.header("location"), Some(location), "{target}");
    }
    assert_eq!(app.get("/static/").text(), INDEX);
    assert_eq!(app.get("/static/docs/").text(), "<h1>docs</h1>");
    assert_eq!(app.get("/static/index.html").text(), INDEX);
    // A directory without an index is not found.
    assert_eq!(app.get("/static/empty/").status, 404);
}

#[test]
fn the_fallback_answers_paths_that_find_nothing_but_not_refused_ones() {
    let tree = Tree::new();
    let app = serve(&tree);
    for target in ["/spa/users/42", "/spa/nope.txt", "/spa/empty/", "/spa/"] {
        let res = app.get(target);
        assert_eq!((res.status, res.text().as_str()), (200, INDEX), "{target}");
        assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    }
    assert_eq!(app.get("/spa/hello.txt").text(), HELLO);
    for target in [
        "/spa/.env",
        "/spa/%2e%2e/secret.txt",
        "/spa/a%2fb",
        "/spa/a//b",
    ] {
        let res = app.get(target);
        assert_eq!(res.status, 404, "{target}: {res:?}");
    }
}

#[test]
fn a_files_mount_at_the_root_serves_slash_and_leaves_routes_alone() {
    #[get("/api/ping")]
    fn ping() -> &'static str {
        "pong"
    }
    let tree = Tree::new();
    let app = TestApp::start(
        App::new()
            .mount("/", routes![ping])
            .mount("/", Files::new(tree.root())),
    );
    assert_eq!(app.get("/").text(), INDEX);
    assert_eq!(app.get("/hello.txt").text(), HELLO);
    assert_eq!(app.get("/api/ping").text(), "pong");
    assert_eq!(app.get("/docs").header("location"), Some("/docs/"));
    assert_eq!(app.get("/%2e%2e/secret.txt").status, 404);
}

#[test]
fn a_files_mount_in_nested_scopes_keeps_its_redirect_and_index() {
    let tree = Tree::new();
    let inner = Scope::new("/").mount("/", Files::new(tree.root()));
    let app = TestApp::start(App::new().scope(Scope::new("/outer").scope(inner)));
    assert_eq!(app.get("/outer").header("location"), Some("/outer/"));
    assert_eq!(app.get("/outer/").text(), INDEX);
    assert_eq!(app.get("/outer/hello.txt").text(), HELLO);
}

// ---------------------------------------------------------------------------------------------
// No way out of the root
// ---------------------------------------------------------------------------------------------

// Each target → the status it gets. `400` rows are refused by the request parser before any
// routing; every other one reaches `Files`, which answers `404` without saying why. The secret's
// content must be in no answer.
#[test]
fn hostile_paths_never_leave_the_root() {
    let tree = Tree::new();
    let app = serve(&tree);
    let rows: &[(&str, u16)] = &[
        ("/static/../secret.txt", 404),
        ("/static/../../secret.txt", 404),
        ("/static/css/../../secret.txt", 404),
        ("/static/./hello.txt", 404),
        ("/static/%2e%2e/secret.txt", 404),
        ("/static/%2E%2E/secret.txt", 404),
        ("/static/.%2e/secret.txt", 404),
        ("/static/%2e%2e%2fsecret.txt", 404),
        ("/static/..%2fsecret.txt", 404),
        ("/static/..%2Fsecret.txt", 404),
        ("/static/css%2f..%2f..%2fsecret.txt", 404),
        ("/static/..%5csecret.txt", 404),
        ("/static/..%5C..%5Csecret.txt", 404),
        ("/static/..\\secret.txt", 400),
        ("/static/%2fetc%2fpasswd", 404),
        ("/static//etc/passwd", 404),
        ("/static///secret.txt", 404),
        ("/static/hello.txt%00.html", 404),
        ("/static/%00", 404),
        ("/static/C:%5cWindows%5cwin.ini", 404),
        ("/static/C:/secret.txt", 404),
        ("/static/c:secret.txt", 404),
        ("/static/%252e%252e/secret.txt", 404),
        ("/static/..%c0%afsecret.txt", 404),
        ("/static/%ff", 404),
        ("/static/....//secret.txt", 404),
        ("/static/..;/secret.txt", 404),
        ("/static/.env", 404),
        ("/static/%2eenv", 404),
        ("/static/.git/config", 404),
        ("/static/.git/", 404),
        ("/static/link-out", 404),
        ("/static/dir-out/secret.txt", 404),
        ("/static/link-hidden", 404),
        ("/%73tatic/%2e%2e/secret.txt", 404),
        ("/static/%", 404),
        ("/static/%2", 404),
    ];
    let mut failures = Vec::new();
    for &(target, expected) in rows {
        let res = app.get(target);
        let raw = String::from_utf8_lossy(&res.raw).into_owned();
        if res.status != expected || raw.contains(SECRET) {
            failures.push(format!(
                "{target}: {} (expected {expected}): {raw:?}",
                res.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The same targets, with HEAD and with a Range: still nothing.
    for &(target, _) in rows {
        let res = get_with(&app, target, &[("Range", "bytes=0-")]);
        assert!(
            !String::from_utf8_lossy(&res.raw).contains(SECRET),
            "{target}"
        );
        assert_ne!(res.status, 200, "{target}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_are_followed_and_outside_only_when_allowed() {
    let tree = Tree::new();
    let app = serve(&tree);
    assert_eq!(app.get("/static/link-in").text(), HELLO);
    assert_eq!(app.get("/static/link-out").status, 404);
    assert_eq!(app.get("/static/dir-out/secret.txt").status, 404);
    // Opted in: the link is followed wherever it points.
    assert_eq!(app.get("/follow/link-out").text(), SECRET);
    assert_eq!(app.get("/follow/dir-out/secret.txt").text(), SECRET);
    // Following links does not open `..`.
    assert_eq!(app.get("/follow/%2e%2e/secret.txt").status, 404);
}

#[test]
fn hidden_files_are_404_unless_enabled() {
    let tree = Tree::new();
    let app = serve(&tree);
    assert_eq!(app.get("/static/.env").status, 404);
    assert_eq!(app.get("/static/.git/config").status, 404);
    assert_eq!(app.get("/hidden/.env").text(), "SECRET=1");
    assert_eq!(app.get("/hidden/.git/config").text(), "[core]");
    assert_eq!(app.get("/hidden/..").status, 404);
    assert_eq!(app.get("/hidden/%2e%2e/secret.txt").status, 404);
}

// ---------------------------------------------------------------------------------------------
// Conditional requests
// ---------------------------------------------------------------------------------------------

#[test]
fn conditional_requests_follow_rfc_9110_order() {
    let tree = Tree::new();
    let app = serve(&tree);
    let target = "/static/hello.txt";
    let etag = etag_of(&app, target, &[]);
    let weak = format!("W/{etag}");
    let before = "Tue, 31 Dec 2019 23:59:59 GMT";
    let after = "Wed, 01 Jan 2020 00:00:01 GMT";
    let rows: &[(&[(&str, &str)], u16)] = &[
        (&[("If-None-Match", etag.as_str())], 304),
        (&[("If-None-Match", weak.as_str())], 304),
        (&[("If-None-Match", "\"other\", *")], 304),
        (&[("If-None-Match", "\"other\"")], 200),
        (&[("If-Modified-Since", MTIME_TEXT)], 304),
        (&[("If-Modified-Since", after)], 304),
        (&[("If-Modified-Since", before)], 200),
        (
            &[("If-Modified-Since", "Wednesday, 01-Jan-20 00:00:00 GMT")],
            304,
        ),
        (&[("If-Modified-Since", "Wed Jan  1 00:00:00 2020")], 304),
        (&[("If-Modified-Since", "not a date")], 200),
        // If-None-Match decides alone when present.
        (
            &[
                ("If-None-Match", "\"other\""),
                ("If-Modified-Since", MTIME_TEXT),
            ],
            200,
        ),
        (&[("If-Match", etag.as_str())], 200),
        (&[("If-Match", "*")], 200),
        (&[("If-Match", "\"other\"")], 412),
        (&[("If-Match", weak.as_str())], 412),
        (&[("If-Unmodified-Since", MTIME_TEXT)], 200),
        (&[("If-Unmodified-Since", before)], 412),
        (
            &[("If-Match", etag.as_str()), ("If-Unmodified-Since", before)],
            200,
        ),
        // 412 is decided before 304.
        (
            &[("If-Match", "\"other\""), ("If-None-Match", etag.as_str())],
            412,
        ),
    ];
    for (fields, expected) in rows {
        let res = get_with(&app, target, fields);
        assert_eq!(res.status, *expected, "{fields:?}: {res:?}");
        match *expected {
            304 => {
                assert!(res.body.is_empty());
                assert_eq!(res.header("etag"), Some(etag.as_str()));
                assert_eq!(res.header("content-length"), None);
            }
            412 => {
                res.assert_json_error(412, "precondition failed");
            }
            _ => assert_eq!(res.text(), HELLO),
        }
    }
    // HEAD is conditional too.
    let res = request_with(&app, "HEAD", target, &[("If-None-Match", etag.as_str())]);
    assert_eq!(res.status, 304);
}

#[test]
fn a_changed_file_gets_a_new_etag() {
    let tree = Tree::new();
    let app = serve(&tree);
    let before = etag_of(&app, "/static/hello.txt", &[]);
    let path = tree.root().join("hello.txt");
    fs::write(&path, "changed!").unwrap();
    let after = etag_of(&app, "/static/hello.txt", &[]);
    assert_ne!(before, after);
    assert_eq!(
        get_with(&app, "/static/hello.txt", &[("If-None-Match", &before)]).text(),
        "changed!"
    );
}

// ---------------------------------------------------------------------------------------------
// Range requests
// ---------------------------------------------------------------------------------------------

/// Request fields → status, body, `Content-Range`.
type RangeRow<'a> = (&'a [(&'a str, &'a str)], u16, &'a str, Option<&'a str>);

#[test]
fn a_single_range_is_206_with_content_range() {
    let tree = Tree::new();
    let app = serve(&tree);
    let etag = etag_of(&app, "/static/hello.txt", &[]);
    let rows: &[RangeRow] = &[
        (
            &[("Range", "bytes=0-4")],
            206,
            "hello",
            Some("bytes 0-4/13"),
        ),
        (
            &[("Range", "bytes=7-")],
            206,
            "world\n",
            Some("bytes 7-12/13"),
        ),
        (
            &[("Range", "bytes=-6")],
            206,
            "world\n",
            Some("bytes 7-12/13"),
        ),
        (
            &[("Range", "bytes=-100")],
            206,
            HELLO,
            Some("bytes 0-12/13"),
        ),
        (
            &[("Range", "bytes=5-1000")],
            206,
            ", world\n",
            Some("bytes 5-12/13"),
        ),
        (
            &[("Range", "bytes=12-12")],
            206,
            "\n",
            Some("bytes 12-12/13"),
        ),
        (&[("Range", "bytes=13-")], 416, "", Some("bytes */13")),
        (&[("Range", "bytes=-0")], 416, "", Some("bytes */13")),
        // Several ranges, other units, bad syntax: the whole file.
        (&[("Range", "bytes=0-1,3-4")], 200, HELLO, None),
        (&[("Range", "lines=0-1")], 200, HELLO, None),
        (&[("Range", "bytes=4-2")], 200, HELLO, None),
        (&[("Range", "bytes=x-")], 200, HELLO, None),
        // If-Range: the range only while the client's copy is current.
        (
            &[("Range", "bytes=0-4"), ("If-Range", etag.as_str())],
            206,
            "hello",
            Some("bytes 0-4/13"),
        ),
        (
            &[("Range", "bytes=0-4"), ("If-Range", "\"old\"")],
            200,
            HELLO,
            None,
        ),
        (
            &[("Range", "bytes=0-4"), ("If-Range", MTIME_TEXT)],
            206,
            "hello",
            Some("bytes 0-4/13"),
        ),
        (
            &[
                ("Range", "bytes=0-4"),
                ("If-Range", "Thu, 02 Jan 2020 00:00:00 GMT"),
            ],
            200,
            HELLO,
            None,
        ),
        // Preconditions first.
        (
            &[("Range", "bytes=0-4"), ("If-None-Match", etag.as_str())],
            304,
            "",
            None,
        ),
        (
            &[("Range", "bytes=0-4"), ("If-Match", "\"x\"")],
            412,
            "",
            None,
        ),
    ];
    for (fields, status, body, content_range) in rows {
        let res = get_with(&app, "/static/hello.txt", fields);
        assert_eq!(res.status, *status, "{fields:?}: {res:?}");
        assert_eq!(res.header("content-range"), *content_range, "{fields:?}");
        if *status == 206 || *status == 200 {
            assert_eq!(res.text(), *body, "{fields:?}");
            assert_eq!(
                res.header("content-length"),
                Some(body.len().to_string().as_str())
            );
            assert_eq!(res.header("accept-ranges"), Some("bytes"));
        }
        if *status == 416 {
            res.assert_json_error(416, "range not satisfiable");
        }
    }
    // An empty file has no satisfiable range.
    let res = get_with(&app, "/static/empty.txt", &[("Range", "bytes=0-")]);
    assert_eq!(
        (res.status, res.header("content-range")),
        (416, Some("bytes */0"))
    );
}

#[test]
fn a_range_of_a_large_file_is_the_right_slice() {
    let tree = Tree::new();
    let app = serve(&tree);
    let big = tree.big();
    let res = get_with(&app, "/static/big.bin", &[("Range", "bytes=100000-250000")]);
    assert_eq!(res.status, 206);
    assert_eq!(
        res.header("content-range"),
        Some("bytes 100000-250000/300000")
    );
    assert!(res.body == big[100_000..=250_000]);
}

#[test]
fn head_ignores_range() {
    let tree = Tree::new();
    let app = serve(&tree);
    let res = request_with(&app, "HEAD", "/static/hello.txt", &[("Range", "bytes=0-4")]);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("13"));
    assert!(res.body.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Precompressed siblings
// ---------------------------------------------------------------------------------------------

#[test]
fn precompressed_siblings_follow_accept_encoding() {
    let tree = Tree::new();
    let app = serve(&tree);
    let css = "/static/css/app.css";
    let rows: &[(Option<&str>, Option<&str>, &[u8])] = &[
        (None, None, CSS.as_bytes()),
        (Some("gzip"), Some("gzip"), CSS_GZ),
        (Some("gzip, deflate, br"), Some("br"), CSS_BR),
        (Some("br;q=0.5, gzip"), Some("gzip"), CSS_GZ),
        (Some("br;q=0, gzip;q=0"), None, CSS.as_bytes()),
        (Some("*"), Some("br"), CSS_BR),
        (Some("*;q=0"), None, CSS.as_bytes()),
        (Some("identity"), None, CSS.as_bytes()),
        (Some("deflate"), None, CSS.as_bytes()),
    ];
    let mut etags = Vec::new();
    for (accept, coding, body) in rows {
        let fields: Vec<(&str, &str)> = accept.iter().map(|a| ("Accept-Encoding", *a)).collect();
        let res = get_with(&app, css, &fields);
        assert_eq!(res.status, 200, "{accept:?}");
        assert_eq!(res.header("content-encoding"), *coding, "{accept:?}");
        assert!(res.body == *body, "{accept:?}: {res:?}");
        assert_eq!(res.header("content-type"), Some("text/css; charset=utf-8"));
        assert_eq!(res.header("vary"), Some("Accept-Encoding"), "{accept:?}");
        assert_eq!(
            res.header("content-length"),
            Some(body.len().to_string().as_str())
        );
        etags.push((*coding, res.header("etag").unwrap().to_string()));
    }
    // One tag per representation.
    for (coding, etag) in &etags {
        for (other, other_etag) in &etags {
            assert_eq!(coding == other, etag == other_etag, "{etags:?}");
        }
    }
    // Revalidation of the gzip representation, and its Vary on the 304.
    let gz = &etags.iter().find(|(c, _)| *c == Some("gzip")).unwrap().1;
    let res = get_with(
        &app,
        css,
        &[("Accept-Encoding", "gzip"), ("If-None-Match", gz.as_str())],
    );
    assert_eq!(
        (res.status, res.header("vary")),
        (304, Some("Accept-Encoding"))
    );
    // A range of the compressed bytes.
    let res = get_with(
        &app,
        css,
        &[("Accept-Encoding", "gzip"), ("Range", "bytes=0-1")],
    );
    assert_eq!((res.status, res.body.as_slice()), (206, &CSS_GZ[..2]));
    // HEAD: the sibling's length.
    let res = request_with(&app, "HEAD", css, &[("Accept-Encoding", "br")]);
    assert_eq!(
        res.header("content-length"),
        Some(CSS_BR.len().to_string().as_str())
    );
    assert_eq!(res.header("content-encoding"), Some("br"));
}

#[test]
fn a_file_with_one_sibling_or_none() {
    let tree = Tree::new();
    let app = serve(&tree);
    let res = get_with(&app, "/static/js/only-gz.js", &[("Accept-Encoding", "br")]);
    assert_eq!(
        (res.header("content-encoding"), res.header("vary")),
        (None, Some("Accept-Encoding"))
    );
    assert_eq!(res.text(), "let x = 1;");
    let res = get_with(
        &app,
        "/static/js/only-gz.js",
        &[("Accept-Encoding", "br, gzip")],
    );
    assert_eq!(
        (res.header("content-encoding"), res.text().as_str()),
        (Some("gzip"), "GZ-JS")
    );
    let res = get_with(
        &app,
        "/static/hello.txt",
        &[("Accept-Encoding", "gzip, br")],
    );
    assert_eq!(
        (res.header("content-encoding"), res.header("vary")),
        (None, None)
    );
    // Siblings are not served where precompression is off.
    let res = get_with(&app, "/spa/css/app.css", &[("Accept-Encoding", "gzip")]);
    assert_eq!(
        (res.header("content-encoding"), res.text().as_str()),
        (None, CSS)
    );
}

#[test]
fn a_file_modified_time_in_the_future_is_reported_as_now() {
    let tree = Tree::new();
    let app = serve(&tree);
    let path = tree.root().join("hello.txt");
    let file = fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(86_400 * 365))
        .unwrap();
    let res = app.get("/static/hello.txt");
    let modified = framework::parse_http_date(res.header("last-modified").unwrap()).unwrap();
    assert!(modified <= SystemTime::now());
}
