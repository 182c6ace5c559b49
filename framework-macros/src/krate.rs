//! The name the user's crate knows `framework` by, so that generated code still resolves when
//! the dependency is renamed (`web = { package = "framework", … }` in `Cargo.toml`).
//!
//! Cargo tells a macro nothing about renames, so the user's manifest is read at expansion time
//! (`CARGO_MANIFEST_DIR`), with a look into the workspace root for `{ workspace = true }`
//! entries. Only the few TOML shapes a dependency can take are understood: an inline table on
//! one line (`web = { package = "framework", path = "…" }`) and a table of its own
//! (`[dependencies.web]` followed by `package = "framework"`). Whatever cannot be read or found
//! falls back to `framework`, the name every unrenamed dependency has.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The package whose name is looked for.
const PACKAGE: &str = "framework";

/// `::name::__private`, the one path generated code names the framework by.
pub(crate) fn private() -> TokenStream {
    let name = Ident::new(&crate_name(), Span::call_site());
    quote!(::#name::__private)
}

/// The crate name for the crate being compiled, read once per manifest directory.
fn crate_name() -> String {
    static CACHE: Mutex<Option<(PathBuf, String)>> = Mutex::new(None);
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return PACKAGE.to_string();
    };
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((cached_dir, name)) = &*cache {
        if *cached_dir == dir {
            return name.clone();
        }
    }
    let name = lookup(&dir).unwrap_or_else(|| PACKAGE.to_string());
    *cache = Some((dir, name.clone()));
    name
}

/// The dependency key that names `framework` in the manifest at `dir`, as a crate name.
fn lookup(dir: &Path) -> Option<String> {
    // The framework's own tests, examples and doctests know it by its package name.
    if std::env::var("CARGO_PKG_NAME").is_ok_and(|name| name == PACKAGE) {
        return None;
    }
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let deps = dependencies(&manifest, false);
    let mut workspace_deps = None;
    let mut found = Vec::new();
    for dep in &deps {
        let package = match (&dep.package, dep.workspace) {
            (Some(package), _) => Some(package.clone()),
            // `key = { workspace = true }`: the package is the workspace root's to say.
            (None, true) => workspace_deps
                .get_or_insert_with(|| workspace_dependencies(dir))
                .iter()
                .find(|root: &&Dependency| root.key == dep.key)
                .map(|root| root.package.clone().unwrap_or_else(|| root.key.clone())),
            (None, false) => Some(dep.key.clone()),
        };
        if package.as_deref() == Some(PACKAGE) {
            found.push(dep.key.replace('-', "_"));
        }
    }
    // An unrenamed dependency wins over a renamed one (say, a renamed dev-dependency).
    if found.iter().any(|key| key == PACKAGE) {
        return None;
    }
    found.into_iter().next()
}

/// The `[workspace.dependencies]` of the first manifest above `dir` that has a `[workspace]`.
fn workspace_dependencies(dir: &Path) -> Vec<Dependency> {
    for ancestor in dir.ancestors().skip(1) {
        let Ok(manifest) = std::fs::read_to_string(ancestor.join("Cargo.toml")) else {
            continue;
        };
        if manifest.lines().any(|line| {
            let line = strip_comment(line).trim();
            line == "[workspace]" || line.starts_with("[workspace.")
        }) {
            return dependencies(&manifest, true);
        }
    }
    Vec::new()
}

/// One dependency entry of a manifest.
#[derive(Debug, PartialEq)]
struct Dependency {
    /// The key: the name the crate is known by in code (before `-` becomes `_`).
    key: String,
    /// Its `package = "…"`, when given.
    package: Option<String>,
    /// Its `workspace = true`, when given.
    workspace: bool,
}

/// The dependency entries of a manifest: those of every `dependencies` table (plain, dev, build,
/// per target), or with `workspace_root`, those of `[workspace.dependencies]`.
fn dependencies(manifest: &str, workspace_root: bool) -> Vec<Dependency> {
    /// Where the lines being read belong.
    enum Table {
        Other,
        /// A table of dependencies: each line is `key = value`.
        Deps,
        /// `[dependencies.key]`: each line is a field of the one dependency, the last pushed.
        OneDep,
    }
    let mut table = Table::Other;
    let mut deps = Vec::new();
    for line in manifest.lines() {
        let line = strip_comment(line).trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_start_matches('[');
            let header = header.trim_end_matches(']').trim();
            let parts = header_parts(header);
            let is_deps = |part: &str| {
                if workspace_root {
                    part == "dependencies"
                } else {
                    matches!(
                        part,
                        "dependencies"
                            | "dev-dependencies"
                            | "dev_dependencies"
                            | "build-dependencies"
                            | "build_dependencies"
                    )
                }
            };
            let in_scope = |prefix: &[String]| {
                if workspace_root {
                    prefix == ["workspace"]
                } else {
                    prefix.is_empty() || (prefix.len() == 2 && prefix[0] == "target")
                }
            };
            table = match parts.as_slice() {
                [prefix @ .., last] if is_deps(last) && in_scope(prefix) => Table::Deps,
                [prefix @ .., deps_table, key] if is_deps(deps_table) && in_scope(prefix) => {
                    deps.push(Dependency {
                        key: key.clone(),
                        package: None,
                        workspace: false,
                    });
                    Table::OneDep
                }
                _ => Table::Other,
            };
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = unquote(key.trim());
        let value = value.trim();
        match table {
            Table::Other => {}
            Table::Deps => deps.push(Dependency {
                // `web.workspace = true` and `web.package = "…"` (dotted keys) are fields too.
                key: key.split('.').next().unwrap_or_default().to_string(),
                package: field(&key, value, "package"),
                workspace: field(&key, value, "workspace").as_deref() == Some("true"),
            }),
            Table::OneDep => {
                if let Some(dep) = deps.last_mut() {
                    match key.as_str() {
                        "package" => dep.package = Some(unquote(value)),
                        "workspace" => dep.workspace = value == "true",
                        _ => {}
                    }
                }
            }
        }
    }
    // Dotted keys give one entry per field: merge them by key.
    let mut merged: Vec<Dependency> = Vec::new();
    for dep in deps {
        match merged.iter_mut().find(|m| m.key == dep.key) {
            Some(m) => {
                m.package = m.package.take().or(dep.package);
                m.workspace |= dep.workspace;
            }
            None => merged.push(dep),
        }
    }
    merged
}

/// The value of `name` in a dependency line `key = value`: from an inline table
/// (`{ package = "framework" }`) or a dotted key (`web.package = "framework"`).
fn field(key: &str, value: &str, name: &str) -> Option<String> {
    if let Some((_, sub)) = key.split_once('.') {
        return (sub.trim() == name).then(|| unquote(value));
    }
    let inner = value.strip_prefix('{')?.trim_end().strip_suffix('}')?;
    inner.split(',').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (unquote(k.trim()) == name).then(|| unquote(v.trim()))
    })
}

/// The dot-separated parts of a table header, quotes removed: `target.'cfg(unix)'.dependencies`.
fn header_parts(header: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in header.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => parts.push(std::mem::take(&mut current).trim().to_string()),
            _ => current.push(c),
        }
    }
    parts.push(current.trim().to_string());
    parts
}

/// A TOML string or bare key without its quotes.
fn unquote(text: &str) -> String {
    let text = text.trim();
    for q in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    text.to_string()
}

/// The line without a `#` comment (a `#` inside a string is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(key: &str, package: Option<&str>, workspace: bool) -> Dependency {
        Dependency {
            key: key.to_string(),
            package: package.map(str::to_string),
            workspace,
        }
    }

    #[test]
    fn reads_every_shape_of_dependency() {
        let manifest = r#"
[package]
name = "app" # package = "framework" here is no dependency
[dependencies]
serde = { version = "1", features = ["derive"] }
web = { package = "framework", path = "../framework" } # renamed
"other" = "1"
[dev-dependencies.my-web]
version = "0.1"
package = 'framework'
[target.'cfg(unix)'.dependencies]
unix-web.package = "framework"
unix-web.path = "x"
[features]
package = "framework"
"#;
        assert_eq!(
            dependencies(manifest, false),
            vec![
                dep("serde", None, false),
                dep("web", Some("framework"), false),
                dep("other", None, false),
                dep("my-web", Some("framework"), false),
                dep("unix-web", Some("framework"), false),
            ]
        );
    }

    #[test]
    fn workspace_root_tables() {
        let manifest = r#"
[workspace]
members = ["app"]
[workspace.dependencies]
web = { package = "framework", path = "framework" }
[dependencies]
ignored = { package = "framework" }
"#;
        assert_eq!(
            dependencies(manifest, true),
            vec![dep("web", Some("framework"), false)]
        );
        let member = "[dependencies]\nweb = { workspace = true }\nweb2.workspace = true\n";
        assert_eq!(
            dependencies(member, false),
            vec![dep("web", None, true), dep("web2", None, true)]
        );
    }

    #[test]
    fn comments_and_quotes() {
        assert_eq!(strip_comment(r##"a = "#x" # c"##), r##"a = "#x" "##);
        assert_eq!(
            header_parts("target.'cfg(a.b)'.dependencies"),
            ["target", "cfg(a.b)", "dependencies"]
        );
        assert_eq!(unquote("'x'"), "x");
    }
}
