//! Where a route attribute sits: in an `impl` or `trait` block, where its route marker cannot
//! go. A macro is shown only its own item, so the source file is read (the attribute's span
//! gives the file and line) and scanned up to the attribute for the block around it.
//!
//! This only picks the wording of an error: whenever the file cannot be read, or the text at
//! the span is not the attribute (an expansion from another macro), the answer is "not in a
//! block", and the attribute expands as usual.

/// The kind of block around the attribute being expanded, if it is an `impl` or a `trait`.
pub(crate) fn enclosing_block() -> Option<Block> {
    let span = proc_macro::Span::call_site();
    let file = span.local_file()?;
    let attribute = span.source_text()?;
    let source = source_of(file)?;
    let line_start = source
        .split_inclusive('\n')
        .take(span.line().checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let line = source[line_start..].lines().next()?;
    let in_line = line.find(attribute.as_str())?;
    block_around(&source[..line_start + in_line])
}

/// The text of `file`, read once for all the attributes in it (the last file read is kept:
/// a crate's attributes are expanded file by file). A long-lived expander (an editor's) may see
/// the file change, so the copy is kept only while the file's length and modification time stay.
fn source_of(file: std::path::PathBuf) -> Option<std::sync::Arc<str>> {
    use std::sync::{Arc, Mutex, PoisonError};
    type Stamp = (std::path::PathBuf, u64, Option<std::time::SystemTime>);
    static LAST: Mutex<Option<(Stamp, Arc<str>)>> = Mutex::new(None);
    let meta = std::fs::metadata(&file).ok()?;
    let stamp: Stamp = (file, meta.len(), meta.modified().ok());
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((seen, text)) = &*last {
        if *seen == stamp {
            return Some(Arc::clone(text));
        }
    }
    let text: Arc<str> = std::fs::read_to_string(&stamp.0).ok()?.into();
    *last = Some((stamp, Arc::clone(&text)));
    Some(text)
}

/// A block whose items cannot be routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    Impl,
    Trait,
}

impl Block {
    /// The block, as a message names it.
    pub(crate) fn described(self) -> &'static str {
        match self {
            Block::Impl => "an `impl` block",
            Block::Trait => "a `trait`",
        }
    }
}

/// The block that is still open at the end of `prefix` (Rust source), when it is an `impl` or
/// a `trait`. Comments, strings and character literals are skipped, so braces in them do not
/// count.
fn block_around(prefix: &str) -> Option<Block> {
    // The text of each open block's header (what came before its `{`), innermost last.
    let mut open: Vec<String> = Vec::new();
    let mut header = String::new();
    let bytes = prefix.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        match bytes[i] {
            b'/' if rest.starts_with(b"//") => {
                i += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                continue;
            }
            b'/' if rest.starts_with(b"/*") => {
                i += block_comment_len(rest);
                continue;
            }
            b'"' => {
                i += string_len(rest);
                header.push_str("\"\"");
                continue;
            }
            b'r' if raw_string_len(rest).is_some() && !ident_before(bytes, i) => {
                i += raw_string_len(rest).unwrap_or(1);
                header.push_str("\"\"");
                continue;
            }
            b'\'' => {
                if let Some(len) = char_len(rest) {
                    i += len;
                    header.push_str("' '");
                    continue;
                }
            }
            b'{' => open.push(std::mem::take(&mut header)),
            b'}' => {
                open.pop();
                header.clear();
            }
            b';' => header.clear(),
            _ => {}
        }
        if !matches!(bytes[i], b'{' | b'}' | b';') {
            header.push(char::from(bytes[i]));
        }
        i += 1;
    }
    kind(open.last()?)
}

/// `impl` or `trait` when the header (attributes aside) starts one of those blocks.
fn kind(header: &str) -> Option<Block> {
    // Attributes: drop every `#[...]` and `#![...]` group.
    let mut text = String::new();
    let mut depth = 0usize;
    let mut chars = header.chars().peekable();
    while let Some(c) = chars.next() {
        if depth == 0 && c == '#' {
            while chars.peek() == Some(&'!') {
                chars.next();
            }
            if chars.peek() == Some(&'[') {
                chars.next();
                depth = 1;
                continue;
            }
        }
        if depth > 0 {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            continue;
        }
        text.push(c);
    }
    let text = text.trim_start();
    // `pub`, `pub(crate)`, `unsafe`, `default`, `auto` may come first.
    let mut words = text.split(|c: char| c.is_whitespace() || c == '<');
    loop {
        let word = words.next()?;
        match word {
            "" | "unsafe" | "default" | "auto" => {}
            w if w == "pub" || w.starts_with("pub(") => {}
            "impl" => return Some(Block::Impl),
            "trait" => return Some(Block::Trait),
            _ => return None,
        }
    }
}

/// The length of a `/* … */` comment at the start of `rest` (they nest).
fn block_comment_len(rest: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut i = 0;
    while i < rest.len() {
        if rest[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// The length of a `"…"` string at the start of `rest`, escapes included.
fn string_len(rest: &[u8]) -> usize {
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    rest.len()
}

/// The length of a raw string `r"…"`, `r#"…"#` at the start of `rest`, if one starts there.
fn raw_string_len(rest: &[u8]) -> Option<usize> {
    let hashes = rest[1..].iter().take_while(|&&b| b == b'#').count();
    if rest.get(1 + hashes) != Some(&b'"') {
        return None;
    }
    let body = 2 + hashes;
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let end = rest[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map_or(rest.len(), |p| body + p + close.len());
    Some(end)
}

/// Whether the byte before `i` continues an identifier (so an `r` there is no raw string).
fn ident_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

/// The length of a character literal `'x'`, `'\n'`, `'\u{..}'` at the start of `rest`; `None`
/// for a lifetime or label (`'a`).
fn char_len(rest: &[u8]) -> Option<usize> {
    if rest.get(1) == Some(&b'\\') {
        let close = rest[2..].iter().position(|&b| b == b'\'')?;
        return Some(close + 3);
    }
    // One character, which may be several bytes, then the closing quote.
    let c = (1..=4)
        .find_map(|n| std::str::from_utf8(rest.get(1..1 + n)?).ok())?
        .chars()
        .next()?;
    let after = 1 + c.len_utf8();
    (rest.get(after) == Some(&b'\'')).then_some(after + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_open_block() {
        assert_eq!(block_around("impl Api {\n    "), Some(Block::Impl));
        assert_eq!(
            block_around("#[derive(X)] impl<T: Clone> Api<T> for X {"),
            Some(Block::Impl)
        );
        assert_eq!(
            block_around("pub(crate) unsafe trait T {"),
            Some(Block::Trait)
        );
        assert_eq!(block_around("mod api {\n"), None);
        assert_eq!(block_around("fn main() {\n"), None);
        assert_eq!(block_around(""), None);
        // Closed blocks and items before do not count.
        assert_eq!(block_around("impl A { fn f() {} }\nstruct S;\n"), None);
        assert_eq!(
            block_around("mod m { impl A { fn f() { let x = 1; } }\n"),
            None
        );
        assert_eq!(
            block_around("fn main() { impl A { fn f() {} }\n impl B {"),
            Some(Block::Impl)
        );
    }

    #[test]
    fn skips_comments_strings_and_chars() {
        assert_eq!(block_around("impl A { // }\n"), Some(Block::Impl));
        assert_eq!(
            block_around("impl A { /* } /* } */ } */"),
            Some(Block::Impl)
        );
        assert_eq!(
            block_around("impl A { const S: &str = \"}\\\"}\";"),
            Some(Block::Impl)
        );
        assert_eq!(
            block_around("impl A { const S: &str = r#\"}\"#;"),
            Some(Block::Impl)
        );
        assert_eq!(
            block_around("impl A { const C: char = '}';"),
            Some(Block::Impl)
        );
        assert_eq!(
            block_around("impl A { const C: char = '\\u{7d}';"),
            Some(Block::Impl)
        );
        assert_eq!(
            block_around("impl<'a> A<'a> { const C: char = 'é';"),
            Some(Block::Impl)
        );
        // A `r` ending an identifier is no raw string.
        assert_eq!(block_around("mod m { fn bar() {} }"), None);
    }
}
