//! Compile-fail tests pinning every diagnostic of the route macros, one mistake per file in
//! `tests/ui/`, with the expected compiler output beside it in a `.stderr` file; and programs in
//! `tests/ui-pass/` that must compile and run.
//!
//! The snapshots depend on the compiler's wording, so they are pinned to the workspace's
//! toolchain. After changing a diagnostic, regenerate them with
//! `TRYBUILD=overwrite cargo test -p framework-macros --test ui` and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
