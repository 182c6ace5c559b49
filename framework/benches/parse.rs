//! Request-head parsing speed: `framework::proto::parse` against `httparse`, on the same bytes.
//!
//! Two requests: a small curl-like `GET` and a large (~700 bytes, 20 fields) Chrome-like one. For
//! our parser one iteration is what the server does per request: `reset`, `HeadParser::parse` to
//! `Complete`, then `Framing::from_head` on the head. For `httparse` it is `Request::new` over a reused
//! header array, then `parse`.
//!
//! The measurement is hand-rolled (no criterion): a warm-up, then the minimum over several batches
//! of many iterations, the two parsers' batches interleaved so that a noisy neighbour hurts both
//! alike. Before timing, each case checks once that both parsers parse the whole request, so an
//! error path is never what gets measured.
//!
//! Environment: `PARSE_BENCH_ITERS` (iterations per batch, default 200000) and
//! `PARSE_BENCH_BATCHES` (default 15), e.g. `PARSE_BENCH_ITERS=2000 PARSE_BENCH_BATCHES=1` to run
//! the binary under callgrind; `PARSE_BENCH_CASE` (`small` or `large`) runs only that case, so that
//! a profile holds one request's costs (the summary line of the case not run is left out).
//!
//! The output ends with two lines for scripts:
//! ```text
//! parse small: framework 85.3 ns, httparse 90.1 ns
//! parse large: framework 123.4 ns, httparse 150.2 ns
//! ```

use framework::proto::parse::ParseLimits;
use framework::proto::parse::{Framing, HeadParser, Status};
use std::hint::black_box;

#[path = "timing.rs"]
mod timing;

const SMALL: &[u8] =
    b"GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

const LARGE: &[u8] = concat!(
    "GET /dashboard?tab=overview HTTP/1.1\r\n",
    "Host: www.example.com\r\n",
    "Connection: keep-alive\r\n",
    "Cache-Control: max-age=0\r\n",
    "sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n",
    "sec-ch-ua-mobile: ?0\r\n",
    "sec-ch-ua-platform: \"Windows\"\r\n",
    "Upgrade-Insecure-Requests: 1\r\n",
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 ",
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n",
    "Sec-Fetch-Site: same-origin\r\n",
    "Sec-Fetch-Mode: navigate\r\n",
    "Sec-Fetch-User: ?1\r\n",
    "Sec-Fetch-Dest: document\r\n",
    "Referer: https://www.example.com/login\r\n",
    "Accept-Encoding: gzip, deflate, br\r\n",
    "Accept-Language: en-US,en;q=0.9\r\n",
    "Cookie: sessionid=3f9a1c2e7b; csrftoken=Zx81KqP0aLm2\r\n",
    "DNT: 1\r\n",
    "Sec-GPC: 1\r\n",
    "Priority: u=0, i\r\n",
    "\r\n",
)
.as_bytes();

/// Iterations per batch and number of batches, from the environment or the defaults.
fn settings() -> (u32, u32) {
    timing::settings(("PARSE_BENCH_ITERS", 200_000), ("PARSE_BENCH_BATCHES", 15))
}

/// Our per-request work: reset, parse to `Complete`, `Framing::from_head`. Answers the head's length
/// (0 for anything but a complete, well-framed head).
#[inline(never)]
fn ours(parser: &mut HeadParser, buf: &[u8], limits: &ParseLimits) -> usize {
    parser.reset();
    match parser.parse(buf, limits) {
        Ok(Status::Complete(len)) => {
            let head = parser.head(&buf[..len]);
            match Framing::from_head(&head) {
                Ok(framing) => {
                    black_box(framing);
                    len
                }
                Err(_) => 0,
            }
        }
        _ => 0,
    }
}

/// `httparse`'s per-request work over a reused header array. Answers the head's length (0 for
/// anything but a complete head).
#[inline(never)]
fn theirs<'b>(headers: &mut [httparse::Header<'b>], buf: &'b [u8]) -> usize {
    let mut req = httparse::Request::new(headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        _ => 0,
    }
}

/// Measures both parsers on `raw`; answers (ours, httparse) in ns per request.
fn bench(name: &str, raw: &[u8], iters: u32, batches: u32) -> (f64, f64) {
    let limits = ParseLimits::default();
    let mut parser = HeadParser::new();
    let mut headers = [httparse::EMPTY_HEADER; 64];

    // Once, outside the timed loops: both parsers take the whole request, as intended.
    assert_eq!(
        ours(&mut parser, raw, &limits),
        raw.len(),
        "{name}: framework"
    );
    {
        let mut req = httparse::Request::new(&mut headers);
        assert_eq!(
            req.parse(raw),
            Ok(httparse::Status::Complete(raw.len())),
            "{name}: httparse"
        );
        assert_eq!(req.headers.len(), parser.head(raw).fields().len());
    }
    assert_eq!(theirs(&mut headers, raw), raw.len(), "{name}: httparse");

    let (best_ours, best_theirs) = timing::best_of_batches(
        iters,
        batches,
        || ours(&mut parser, black_box(raw), &limits),
        || theirs(&mut headers, black_box(raw)),
    );

    // Bytes per ns is GB/s; MB/s is a thousand times that.
    let mbps = |ns: f64| raw.len() as f64 / ns * 1e3;
    println!(
        "{name}: {} bytes, {} fields, {batches} batches x {iters} iterations (best batch)",
        raw.len(),
        parser.head(raw).fields().len(),
    );
    println!(
        "  framework {best_ours:8.1} ns/request {:8.1} MB/s",
        mbps(best_ours)
    );
    println!(
        "  httparse  {best_theirs:8.1} ns/request {:8.1} MB/s",
        mbps(best_theirs)
    );
    println!("  ratio framework/httparse {:.3}", best_ours / best_theirs);
    (best_ours, best_theirs)
}

fn main() {
    let (iters, batches) = settings();
    let only = std::env::var("PARSE_BENCH_CASE").ok();
    let results: Vec<_> = [("small", SMALL), ("large", LARGE)]
        .into_iter()
        .filter(|(name, _)| only.as_deref().is_none_or(|only| only == *name))
        .map(|(name, raw)| (name, bench(name, raw, iters, batches)))
        .collect();
    for (name, (ours, theirs)) in results {
        println!("parse {name}: framework {ours:.1} ns, httparse {theirs:.1} ns");
    }
}
