//! The hand-rolled timing harness shared by the benches (no criterion): a warm-up, then the
//! minimum over several batches of many iterations, the two contenders' batches interleaved so
//! that a noisy neighbour hurts both alike.
//!
//! Each bench is its own crate and includes this file with `#[path = "timing.rs"] mod timing;`
//! (`autobenches = false` in `Cargo.toml` keeps it from being a bench target of its own).

use std::hint::black_box;
use std::time::Instant;

/// Iterations per batch and number of batches: the environment variables `iters_var` and
/// `batches_var` if set to a positive number, else the defaults.
pub fn settings(
    (iters_var, iters_default): (&str, u32),
    (batches_var, batches_default): (&str, u32),
) -> (u32, u32) {
    let var = |name: &str, default: u32| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    (
        var(iters_var, iters_default),
        var(batches_var, batches_default),
    )
}

/// Nanoseconds per call of `f`: one batch of `iters` calls.
pub fn time_batch(iters: u32, mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(iters)
}

/// Warms up with `iters / 2` (rounded up) calls of each of `a` and `b`, then times `batches`
/// batches of `iters` calls of each, interleaved. Answers the best (lowest) nanoseconds per call
/// of `a` and of `b`.
pub fn best_of_batches(
    iters: u32,
    batches: u32,
    mut a: impl FnMut() -> usize,
    mut b: impl FnMut() -> usize,
) -> (f64, f64) {
    // Warm up caches, branch predictors and the CPU clock.
    for _ in 0..iters.div_ceil(2) {
        black_box(a());
        black_box(b());
    }

    let mut best_a = f64::INFINITY;
    let mut best_b = f64::INFINITY;
    for batch in 0..batches {
        // Alternate which goes first, so neither always runs right after the other.
        let mut run_a = || {
            let t = time_batch(iters, &mut a);
            best_a = best_a.min(t);
        };
        let mut run_b = || {
            let t = time_batch(iters, &mut b);
            best_b = best_b.min(t);
        };
        if batch % 2 == 0 {
            run_a();
            run_b();
        } else {
            run_b();
            run_a();
        }
    }
    (best_a, best_b)
}
