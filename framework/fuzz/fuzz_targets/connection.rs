//! The whole connection state machine (the real driver and `Connection`, over memory) with an
//! app that echoes bodies, given arbitrary bytes whole and in arbitrary pieces.
//!
//! What the server writes must read as a sequence of HTTP/1.1 responses (`response::read`):
//! every final one has one `Date` and exactly one framing, and nothing follows a response that
//! closes. Every response but the last comes from the app (its middleware marks them all); the
//! last may be the connection's own refusal, which closes. There are no more responses than
//! requests began, the echoed bodies hold no more bytes than came in, and the bytes written for
//! the pieces are those written for the whole (`Date` values and `100 Continue` aside), unless a
//! request may carry `Expect: 100-continue` (see `may_expect`).
#![no_main]

use framework::middleware::from_fn;
use framework::test::TestClient;
use framework::{get, post, put, routes, App, Limits, Scope};
use framework_fuzz::{response, Input};
use libfuzzer_sys::fuzz_target;
use std::cell::Cell;
use std::sync::OnceLock;

thread_local! {
    /// Requests the app saw since the last reset.
    static SEEN: Cell<usize> = const { Cell::new(0) };
}

#[get("/")]
fn index() -> &'static str {
    "hi"
}

#[post("/echo")]
fn echo(body: Vec<u8>) -> Vec<u8> {
    body
}

#[put("/echo")]
fn echo_put(body: Vec<u8>) -> Vec<u8> {
    body
}

/// Leaves the body unread: the connection drains it before the next request.
#[post("/ignore")]
fn ignore() -> &'static str {
    "ignored"
}

fn client() -> &'static TestClient {
    static CLIENT: OnceLock<TestClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let app = App::new()
            .wrap(from_fn(|req, _cx, next| {
                SEEN.with(|n| n.set(n.get() + 1));
                let method = req.method().to_string();
                let mut res = next.run(req);
                let _ = res.headers_mut().insert("X-Method", method);
                res
            }))
            .mount("/", routes![index, echo, echo_put, ignore])
            .scope(Scope::new("/big").body_limit(200).mount("/", routes![echo]))
            .limits(
                Limits::default()
                    .with_max_head(256)
                    .with_max_target(64)
                    .with_max_fields(8)
                    .with_max_body(32),
            )
            .access_log(false)
            .banner(false);
        TestClient::new(app).expect("the fuzz app builds")
    })
}

/// Serves `pieces` and checks what was written; answers the normalised bytes.
fn serve(pieces: &[&[u8]], payload: &[u8]) -> Vec<u8> {
    SEEN.with(|n| n.set(0));
    let out = client().raw_in_pieces(pieces);
    let seen = SEEN.with(Cell::get);
    let written = match response::read(&out) {
        Ok(written) => written,
        Err(why) => panic!("{why}: {:?}", String::from_utf8_lossy(&out)),
    };
    let responses = &written.responses;
    let from_app = responses.iter().filter(|r| r.method.is_some()).count();
    assert_eq!(
        from_app, seen,
        "responses from the app against requests it saw"
    );
    for (i, res) in responses.iter().enumerate() {
        if res.method.is_none() {
            assert_eq!(
                i + 1,
                responses.len(),
                "a refusal that is not the last response"
            );
            assert!(res.close, "a refusal that does not close");
            assert!(res.status >= 400, "a refusal with status {}", res.status);
        }
    }
    // Every request needs a byte of its own; every one the app saw, its request line's LF.
    let lines = payload.iter().filter(|&&b| b == b'\n').count();
    assert!(seen <= lines, "{seen} requests from {lines} lines");
    assert!(responses.len() <= seen + 1);
    assert!(responses.len() <= payload.len());
    assert!(
        written.interim <= responses.len(),
        "100 Continue with no answer"
    );
    let echoed: usize = responses
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.body.len())
        .sum();
    assert!(echoed <= payload.len() + 7 * responses.len());
    written.normalised
}

/// Whether `payload` may ask for `100 Continue`. There what the server knows depends on the
/// reads: a body that came with its head needs no `100 Continue` (RFC 9110 §10.1.1: a server MAY
/// omit it once the content has arrived), and a body the handler leaves unread can be skipped
/// only when the client is known to send it; so only the checks of each output apply.
fn may_expect(payload: &[u8]) -> bool {
    payload
        .windows(12)
        .any(|w| w.eq_ignore_ascii_case(b"100-continue"))
}

fuzz_target!(|data: &[u8]| {
    let input = Input::parse(data);
    let whole = serve(&[input.payload], input.payload);
    let split = serve(&input.pieces(), input.payload);
    if may_expect(input.payload) {
        return;
    }
    assert!(
        whole == split,
        "split {:?}\nwhole {:?}",
        String::from_utf8_lossy(&split),
        String::from_utf8_lossy(&whole)
    );
});
