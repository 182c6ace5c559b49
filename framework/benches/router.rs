//! Router lookup speed: `framework::router::Router` against `matchit`, on the same routes and
//! paths.
//!
//! The data set is the one of matchit's own benchmark (`benches/bench.rs` of the matchit crate,
//! 0.9): 130 routes of the GitHub REST API, and as lookup paths the same 130 routes with every
//! parameter replaced by literal text (`p1`, `p2`, ...), so that each path matches its own route.
//! The list is copied below as data; only the parameter syntax differs per router (`:p1` for ours,
//! `{p1}` for matchit).
//!
//! Both routers get every route inserted (ours with `Method::Get`), the value being the route's
//! index. One *pass* looks up every path once and reads what a dispatcher needs: the value and
//! each parameter's value (`Params::get` for ours, `Params::iter` for matchit). Before timing, a
//! check outside the timed loops makes sure that both routers find every path, on its own route,
//! with the same parameter values, so a miss is never what gets measured.
//!
//! The measurement is hand-rolled (no criterion): a warm-up, then the minimum over several batches
//! of many passes, the two routers' batches interleaved so that a noisy neighbour hurts both
//! alike.
//!
//! Environment: `ROUTER_BENCH_ITERS` (passes per batch, default 3000) and `ROUTER_BENCH_BATCHES`
//! (default 15), e.g. `ROUTER_BENCH_ITERS=200 ROUTER_BENCH_BATCHES=1` to run the binary under
//! callgrind.
//!
//! The output ends with one line for scripts, in ns per pass (not per lookup):
//! ```text
//! router github: framework 1234.5 ns, matchit 1300.2 ns
//! ```

use framework::router::Router;
use framework::Method;
use std::hint::black_box;

#[path = "timing.rs"]
mod timing;

/// The GitHub API routes of matchit's benchmark, with `$p1`..`$p4` as the parameters.
macro_rules! github {
    ($p1:literal, $p2:literal, $p3:literal, $p4:literal) => {
        [
            concat!("/authorizations"),
            concat!("/authorizations/", $p1),
            concat!("/applications/", $p1, "/tokens/", $p2),
            concat!("/events"),
            concat!("/repos/", $p1, "/", $p2, "/events"),
            concat!("/networks/", $p1, "/", $p2, "/events"),
            concat!("/orgs/", $p1, "/events"),
            concat!("/users/", $p1, "/received_events"),
            concat!("/users/", $p1, "/received_events/public"),
            concat!("/users/", $p1, "/events"),
            concat!("/users/", $p1, "/events/public"),
            concat!("/users/", $p1, "/events/orgs/", $p2),
            concat!("/feeds"),
            concat!("/notifications"),
            concat!("/repos/", $p1, "/", $p2, "/notifications"),
            concat!("/notifications/threads/", $p1),
            concat!("/notifications/threads/", $p1, "/subscription"),
            concat!("/repos/", $p1, "/", $p2, "/stargazers"),
            concat!("/users/", $p1, "/starred"),
            concat!("/user/starred"),
            concat!("/user/starred/", $p1, "/", $p2),
            concat!("/repos/", $p1, "/", $p2, "/subscribers"),
            concat!("/users/", $p1, "/subscriptions"),
            concat!("/user/subscriptions"),
            concat!("/repos/", $p1, "/", $p2, "/subscription"),
            concat!("/user/subscriptions/", $p1, "/", $p2),
            concat!("/users/", $p1, "/gists"),
            concat!("/gists"),
            concat!("/gists/", $p1),
            concat!("/gists/", $p1, "/star"),
            concat!("/repos/", $p1, "/", $p2, "/git/blobs/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/git/commits/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/git/refs"),
            concat!("/repos/", $p1, "/", $p2, "/git/tags/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/git/trees/", $p3),
            concat!("/issues"),
            concat!("/user/issues"),
            concat!("/orgs/", $p1, "/issues"),
            concat!("/repos/", $p1, "/", $p2, "/issues"),
            concat!("/repos/", $p1, "/", $p2, "/issues/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/assignees"),
            concat!("/repos/", $p1, "/", $p2, "/assignees/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/issues/", $p3, "/comments"),
            concat!("/repos/", $p1, "/", $p2, "/issues/", $p3, "/events"),
            concat!("/repos/", $p1, "/", $p2, "/labels"),
            concat!("/repos/", $p1, "/", $p2, "/labels/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/issues/", $p3, "/labels"),
            concat!("/repos/", $p1, "/", $p2, "/milestones/", $p3, "/labels"),
            concat!("/repos/", $p1, "/", $p2, "/milestones/"),
            concat!("/repos/", $p1, "/", $p2, "/milestones/", $p3),
            concat!("/emojis"),
            concat!("/gitignore/templates"),
            concat!("/gitignore/templates/", $p1),
            concat!("/meta"),
            concat!("/rate_limit"),
            concat!("/users/", $p1, "/orgs"),
            concat!("/user/orgs"),
            concat!("/orgs/", $p1),
            concat!("/orgs/", $p1, "/members"),
            concat!("/orgs/", $p1, "/members/", $p2),
            concat!("/orgs/", $p1, "/public_members"),
            concat!("/orgs/", $p1, "/public_members/", $p2),
            concat!("/orgs/", $p1, "/teams"),
            concat!("/teams/", $p1),
            concat!("/teams/", $p1, "/members"),
            concat!("/teams/", $p1, "/members/", $p2),
            concat!("/teams/", $p1, "/repos"),
            concat!("/teams/", $p1, "/repos/", $p2, "/", $p3),
            concat!("/user/teams"),
            concat!("/repos/", $p1, "/", $p2, "/pulls"),
            concat!("/repos/", $p1, "/", $p2, "/pulls/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/pulls/", $p3, "/commits"),
            concat!("/repos/", $p1, "/", $p2, "/pulls/", $p3, "/files"),
            concat!("/repos/", $p1, "/", $p2, "/pulls/", $p3, "/merge"),
            concat!("/repos/", $p1, "/", $p2, "/pulls/", $p3, "/comments"),
            concat!("/user/repos"),
            concat!("/users/", $p1, "/repos"),
            concat!("/orgs/", $p1, "/repos"),
            concat!("/repositories"),
            concat!("/repos/", $p1, "/", $p2),
            concat!("/repos/", $p1, "/", $p2, "/contributors"),
            concat!("/repos/", $p1, "/", $p2, "/languages"),
            concat!("/repos/", $p1, "/", $p2, "/teams"),
            concat!("/repos/", $p1, "/", $p2, "/tags"),
            concat!("/repos/", $p1, "/", $p2, "/branches"),
            concat!("/repos/", $p1, "/", $p2, "/branches/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/collaborators"),
            concat!("/repos/", $p1, "/", $p2, "/collaborators/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/comments"),
            concat!("/repos/", $p1, "/", $p2, "/commits/", $p3, "/comments"),
            concat!("/repos/", $p1, "/", $p2, "/commits"),
            concat!("/repos/", $p1, "/", $p2, "/commits/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/readme"),
            concat!("/repos/", $p1, "/", $p2, "/keys"),
            concat!("/repos/", $p1, "/", $p2, "/keys/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/downloads"),
            concat!("/repos/", $p1, "/", $p2, "/downloads/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/forks"),
            concat!("/repos/", $p1, "/", $p2, "/hooks"),
            concat!("/repos/", $p1, "/", $p2, "/hooks/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/releases"),
            concat!("/repos/", $p1, "/", $p2, "/releases/", $p3),
            concat!("/repos/", $p1, "/", $p2, "/releases/", $p3, "/assets"),
            concat!("/repos/", $p1, "/", $p2, "/stats/contributors"),
            concat!("/repos/", $p1, "/", $p2, "/stats/commit_activity"),
            concat!("/repos/", $p1, "/", $p2, "/stats/code_frequency"),
            concat!("/repos/", $p1, "/", $p2, "/stats/participation"),
            concat!("/repos/", $p1, "/", $p2, "/stats/punch_card"),
            concat!("/repos/", $p1, "/", $p2, "/statuses/", $p3),
            concat!("/search/repositories"),
            concat!("/search/code"),
            concat!("/search/issues"),
            concat!("/search/users"),
            concat!("/legacy/issues/search/", $p1, "/", $p2, "/", $p3, "/", $p4),
            concat!("/legacy/repos/search/", $p1),
            concat!("/legacy/user/search/", $p1),
            concat!("/legacy/user/email/", $p1),
            concat!("/users/", $p1),
            concat!("/user"),
            concat!("/users"),
            concat!("/user/emails"),
            concat!("/users/", $p1, "/followers"),
            concat!("/user/followers"),
            concat!("/users/", $p1, "/following"),
            concat!("/user/following"),
            concat!("/user/following/", $p1),
            concat!("/users/", $p1, "/following/", $p2),
            concat!("/users/", $p1, "/keys"),
            concat!("/user/keys"),
            concat!("/user/keys/", $p1),
        ]
    };
}

// The list keeps matchit's `concat!` form, also where a route has nothing to concatenate.
/// Lookup paths: each route with its parameters as literal text.
#[allow(clippy::useless_concat)]
const PATHS: [&str; 130] = github!("p1", "p2", "p3", "p4");
/// The routes in our syntax.
#[allow(clippy::useless_concat)]
const OURS: [&str; 130] = github!(":p1", ":p2", ":p3", ":p4");
/// The routes in matchit's syntax.
#[allow(clippy::useless_concat)]
const MATCHIT: [&str; 130] = github!("{p1}", "{p2}", "{p3}", "{p4}");

/// Iterations per batch and number of batches, from the environment or the defaults.
fn settings() -> (u32, u32) {
    timing::settings(("ROUTER_BENCH_ITERS", 3_000), ("ROUTER_BENCH_BATCHES", 15))
}

/// One pass over `paths` with our router: the value and every parameter value of each match.
/// Answers the number of paths found.
#[inline(never)]
fn ours(router: &Router<usize>, paths: &[&str]) -> usize {
    let mut found = 0;
    for &path in paths {
        if let Ok(m) = router.at(&Method::Get, path) {
            black_box(m.value);
            for param in m.params.iter() {
                black_box(param);
            }
            found += 1;
        }
    }
    found
}

/// One pass over `paths` with matchit: the value and every parameter of each match. Answers the
/// number of paths found.
#[inline(never)]
fn theirs(router: &matchit::Router<usize>, paths: &[&str]) -> usize {
    let mut found = 0;
    for &path in paths {
        if let Ok(m) = router.at(path) {
            black_box(m.value);
            for param in m.params.iter() {
                black_box(param);
            }
            found += 1;
        }
    }
    found
}

fn main() {
    let (iters, batches) = settings();

    let mut our_router = Router::new();
    for (i, route) in OURS.iter().enumerate() {
        if let Err(e) = our_router.insert(Method::Get, route, i) {
            panic!("framework: {route}: {e}");
        }
    }
    let mut their_router = matchit::Router::new();
    for (i, route) in MATCHIT.iter().enumerate() {
        if let Err(e) = their_router.insert(*route, i) {
            panic!("matchit: {route}: {e}");
        }
    }

    // Once, outside the timed loops: both routers find every path on its own route, with the
    // same parameter values.
    for (i, &path) in PATHS.iter().enumerate() {
        let Ok(m) = our_router.at(&Method::Get, path) else {
            panic!("framework: no match for {path}");
        };
        let Ok(t) = their_router.at(path) else {
            panic!("matchit: no match for {path}");
        };
        assert_eq!((*m.value, *t.value), (i, i), "{path}");
        let ours: Vec<&str> = m.params.iter().map(|(_, v)| v).collect();
        let theirs: Vec<&str> = t.params.iter().map(|(_, v)| v).collect();
        assert_eq!(ours, theirs, "{path}");
    }
    assert_eq!(ours(&our_router, &PATHS), PATHS.len());
    assert_eq!(theirs(&their_router, &PATHS), PATHS.len());

    let (best_ours, best_theirs) = timing::best_of_batches(
        iters,
        batches,
        || ours(&our_router, black_box(&PATHS)),
        || theirs(&their_router, black_box(&PATHS)),
    );

    let per_lookup = |ns: f64| ns / PATHS.len() as f64;
    println!(
        "github: {} routes, {} paths per pass, {batches} batches x {iters} passes (best batch)",
        OURS.len(),
        PATHS.len(),
    );
    println!(
        "  framework {best_ours:9.1} ns/pass {:7.1} ns/lookup",
        per_lookup(best_ours)
    );
    println!(
        "  matchit   {best_theirs:9.1} ns/pass {:7.1} ns/lookup",
        per_lookup(best_theirs)
    );
    println!("  ratio framework/matchit {:.3}", best_ours / best_theirs);
    println!("router github: framework {best_ours:.1} ns, matchit {best_theirs:.1} ns");
}
