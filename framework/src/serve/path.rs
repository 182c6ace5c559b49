//! A request path → a relative file path that cannot leave the root. The path is split at `/`,
//! each segment is percent-decoded once, and every decoded segment must be a plain file name:
//! nothing that the file system would read as a separator, a parent, the current directory, a
//! root or a drive. No normalization: a path that needs it is refused, never rewritten.

use crate::proto::parse::decode_path_segment;
use std::path::{Component, Path, PathBuf};

/// A request path that may be looked up under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The segments, decoded, joined as a relative path (empty for the root itself).
    pub(crate) relative: PathBuf,
    /// The path ended in `/`: it names a directory (whose index is wanted).
    pub(crate) directory: bool,
}

/// Why a path was refused. Never told to the client: every refusal is the same `404`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An empty segment (`a//b`).
    Empty,
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    Encoding,
    /// `.` or `..`, however spelled (`%2e%2e`).
    Dots,
    /// A separator inside a segment: a decoded `/` (`%2f`), a `\` (raw or `%5c`).
    Separator,
    /// A NUL byte.
    Nul,
    /// A drive (`C:`) or another prefix or root the platform would honour.
    Absolute,
    /// A segment starting with `.` (`.env`, `.git`) while hidden files are not served.
    Hidden,
}

/// Resolves `raw`, the still percent-encoded rest of the path below the mount (`""` for the
/// mount itself, `css/app.css`, `docs/`). `hidden`: serve segments starting with `.`.
pub(crate) fn resolve(raw: &str, hidden: bool) -> Result<Resolved, Refusal> {
    let (body, directory) = match raw.strip_suffix('/') {
        Some(body) => (body, true),
        None => (raw, raw.is_empty()),
    };
    let mut relative = PathBuf::new();
    if body.is_empty() {
        // `""` is the mount itself; a lone `/` below it is an empty segment.
        return if raw.is_empty() {
            Ok(Resolved {
                relative,
                directory,
            })
        } else {
            Err(Refusal::Empty)
        };
    }
    for segment in body.split('/') {
        let name = decode_path_segment(segment).map_err(|_| Refusal::Encoding)?;
        check(&name, hidden)?;
        relative.push(&*name);
    }
    Ok(Resolved {
        relative,
        directory,
    })
}

/// One decoded segment must be a plain name.
pub(crate) fn check(name: &str, hidden: bool) -> Result<(), Refusal> {
    if name.is_empty() {
        return Err(Refusal::Empty);
    }
    if name == "." || name == ".." {
        return Err(Refusal::Dots);
    }
    if name.contains(['/', '\\']) {
        return Err(Refusal::Separator);
    }
    if name.contains('\0') {
        return Err(Refusal::Nul);
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        // `C:` or `C:name` (drive-relative on Windows), refused everywhere so that a tree
        // served on Linux behaves the same on Windows.
        return Err(Refusal::Absolute);
    }
    if cfg!(windows) && !windows_plain(name) {
        return Err(Refusal::Absolute);
    }
    if !hidden && name.starts_with('.') {
        return Err(Refusal::Hidden);
    }
    // Whatever the platform's own rules are: the name must be one normal component.
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err(Refusal::Absolute),
    }
}

/// On Windows, names the file system would change or treat as devices are refused: an
/// alternate data stream (`a:b`), a trailing dot or space (stripped by Windows), and reserved
/// device names (`CON`, `NUL`, `COM1`…, with or without an extension).
fn windows_plain(name: &str) -> bool {
    if name.contains(':') || name.ends_with(['.', ' ']) {
        return false;
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let numbered = |prefix: &str| {
        stem.len() == 4
            && stem
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && stem.as_bytes()[3].is_ascii_digit()
    };
    let reserved = ["CON", "PRN", "AUX", "NUL"]
        .iter()
        .any(|r| stem.eq_ignore_ascii_case(r))
        || numbered("COM")
        || numbered("LPT");
    !reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(relative: &str, directory: bool) -> Result<Resolved, Refusal> {
        Ok(Resolved {
            relative: PathBuf::from(relative),
            directory,
        })
    }

    #[test]
    fn plain_paths_resolve_below_the_root() {
        let rows = [
            ("", ok("", true)),
            ("app.css", ok("app.css", false)),
            ("css/app.css", ok("css/app.css", false)),
            ("docs/", ok("docs", true)),
            ("a%20b.txt", ok("a b.txt", false)),
            ("J%C3%BCrgen.txt", ok("Jürgen.txt", false)),
            ("%252e%252e", ok("%2e%2e", false)),
            ("a+b", ok("a+b", false)),
            ("...", Err(Refusal::Hidden)),
        ];
        for (raw, expected) in rows {
            assert_eq!(resolve(raw, false), expected, "{raw:?}");
        }
    }

    #[test]
    fn hostile_paths_are_refused() {
        let rows = [
            ("..", Refusal::Dots),
            ("../secret", Refusal::Dots),
            ("a/../../secret", Refusal::Dots),
            ("./a", Refusal::Dots),
            ("a/.", Refusal::Dots),
            ("%2e%2e/secret", Refusal::Dots),
            ("%2E%2E/secret", Refusal::Dots),
            (".%2e/secret", Refusal::Dots),
            ("%2e/a", Refusal::Dots),
            ("..%2fsecret", Refusal::Separator),
            ("..%2Fsecret", Refusal::Separator),
            ("a%2f..%2f..%2fsecret", Refusal::Separator),
            ("..%5csecret", Refusal::Separator),
            ("..\\secret", Refusal::Separator),
            ("a\\b", Refusal::Separator),
            ("%2fetc%2fpasswd", Refusal::Separator),
            ("a%00.txt", Refusal::Nul),
            ("C:", Refusal::Absolute),
            ("C:%5cWindows", Refusal::Separator),
            ("c:secret", Refusal::Absolute),
            ("a/C:/b", Refusal::Absolute),
            ("a//b", Refusal::Empty),
            ("//etc/passwd", Refusal::Empty),
            ("/", Refusal::Empty),
            ("a//", Refusal::Empty),
            ("%zz", Refusal::Encoding),
            ("100%", Refusal::Encoding),
            ("%ff", Refusal::Encoding),
            (".env", Refusal::Hidden),
            (".git/config", Refusal::Hidden),
            ("a/.hidden/b", Refusal::Hidden),
            ("%2egit/config", Refusal::Hidden),
        ];
        for (raw, expected) in rows {
            assert_eq!(resolve(raw, false), Err(expected), "{raw:?}");
        }
    }

    #[test]
    fn hidden_names_are_served_only_when_enabled_and_dots_never() {
        assert_eq!(resolve(".env", true), ok(".env", false));
        assert_eq!(resolve(".well-known/x", true), ok(".well-known/x", false));
        assert_eq!(resolve("..", true), Err(Refusal::Dots));
        assert_eq!(resolve("%2e%2e/x", true), Err(Refusal::Dots));
    }

    #[test]
    fn windows_device_names_and_streams_are_recognized() {
        for name in ["CON", "nul.txt", "COM1", "lpt9.log", "a:b", "x.", "x "] {
            assert!(!windows_plain(name), "{name}");
        }
        for name in ["CONSOLE", "com", "index.html", "a.b"] {
            assert!(windows_plain(name), "{name}");
        }
    }
}
