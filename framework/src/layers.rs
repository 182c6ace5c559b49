//! The layering rule, checked: a module imports only from layers below its own, so there is no
//! back-edge and no cycle between the crate's top-level modules. The README's design section
//! lists the same layers.
//!
//! The check reads the crate's own sources (outside `#[cfg(test)]` modules and comments) and
//! looks at every `crate::<module>` path.

use std::path::Path;

/// The crate's top-level modules, lowest first. A module may use only modules of lower rank.
const LAYERS: &[&str] = &[
    "http",       // message types: requests, responses, fields, bodies
    "proto",      // the wire: parser, writer, connection state machine, refusals
    "error",      // the handler-facing error
    "respond",    // responders: return values into responses
    "handler",    // the `Handler` trait and the one panic-to-500 conversion
    "server",     // sockets, threads, driver, shutdown, clock, `Limits`
    "router",     // path patterns and matching
    "extract",    // extractors and the request context
    "middleware", // the middleware chain and the built-in layers
    "route",      // a route: description, endpoint, its middleware
    "serve",      // static files, mounted as routes
    "app",        // the builder, dispatch, serving
    "test",       // the in-process test client
];

/// The module a source file belongs to: `src/proto/parse/chars.rs` is `proto`.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// The code of a file, without its test module and comments.
fn code(source: &str) -> String {
    let end = source
        .find("#[cfg(test)]\nmod tests")
        .unwrap_or(source.len());
    source[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module named after `crate::` in `code`.
fn uses(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .map(|(i, m)| {
            code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    let mut back_edges = Vec::new();
    for path in &all {
        let relative = path.strip_prefix(&src).unwrap_or(path);
        let Some(module) = module_of(relative) else {
            continue;
        };
        if module == "lib" || module == "layers" {
            continue;
        }
        let Some(own) = rank(&module) else {
            back_edges.push(format!(
                "{}: module `{module}` has no layer",
                relative.display()
            ));
            continue;
        };
        let source = std::fs::read_to_string(path).unwrap_or_default();
        for used in uses(&code(&source)) {
            match rank(&used) {
                // `crate::Error` and friends: root re-exports, resolved to their modules below.
                None if used.starts_with(|c: char| c.is_ascii_uppercase()) => {}
                None if used == "__private" => {}
                None => back_edges.push(format!("{}: unknown module `{used}`", relative.display())),
                Some(r) if r < own || used == module => {}
                Some(_) => back_edges.push(format!(
                    "{}: `{module}` uses `crate::{used}`, a layer above or beside it",
                    relative.display()
                )),
            }
        }
        checked += 1;
    }
    assert!(
        checked > 40,
        "found only {checked} source files under {}",
        src.display()
    );
    assert!(
        back_edges.is_empty(),
        "layering broken:\n{}",
        back_edges.join("\n")
    );
}

/// Root re-exports (`crate::Error`, `crate::Limits`) would hide a back-edge, so the code uses
/// module paths instead.
#[test]
fn code_uses_module_paths_not_root_re_exports() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut found = Vec::new();
    for path in &all {
        let source = std::fs::read_to_string(path).unwrap_or_default();
        for used in uses(&code(&source)) {
            if used.starts_with(|c: char| c.is_ascii_uppercase()) {
                found.push(format!("{}: crate::{used}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "use the module path:\n{}",
        found.join("\n")
    );
}
