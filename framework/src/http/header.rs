use crate::http::token::{FIELD_VALUE, TCHAR};
use std::fmt;

/// Why a header name or value was refused: it would not be valid HTTP on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// The name is empty or holds a byte that is not a `tchar` (RFC 9110 §5.1).
    Name,
    /// The value holds CR, LF, NUL or another control character (RFC 9110 §5.5).
    Value,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Name => "a header name must be a non-empty token (RFC 9110 §5.1)",
            Self::Value => {
                "a header value must not hold CR, LF or other control characters (RFC 9110 §5.5)"
            }
        })
    }
}

impl std::error::Error for HeaderError {}

/// Whether `name: value` would be a valid field on the wire.
fn check(name: &str, value: &[u8]) -> Result<(), HeaderError> {
    if name.is_empty() || !name.bytes().all(|b| TCHAR[usize::from(b)]) {
        return Err(HeaderError::Name);
    }
    let trimmed = value.trim_ascii();
    if trimmed.len() != value.len() || !value.iter().all(|&b| FIELD_VALUE[usize::from(b)]) {
        return Err(HeaderError::Value);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    name_start: usize,
    name_end: usize,
    value_end: usize,
}

/// Header fields: names compared case-insensitively, repeated fields kept in the order they came.
///
/// All names and values live in one buffer, so filling a map from a parsed head costs one copy and
/// no allocation per field.
///
/// ```
/// use framework::HeaderMap;
/// let mut headers = HeaderMap::new();
/// headers.append("Set-Cookie", "a=1")?;
/// headers.append("set-cookie", "b=2")?;
/// headers.insert("Content-Type", "text/plain")?;
/// assert_eq!(headers.get("content-type"), Some("text/plain"));
/// assert_eq!(headers.get_all("SET-COOKIE").collect::<Vec<_>>(), [&b"a=1"[..], b"b=2"]);
/// assert!(headers.append("Bad\nName", "x").is_err());
/// # Ok::<(), framework::HeaderError>(())
/// ```
#[derive(Clone, Default)]
pub struct HeaderMap {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl HeaderMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `fields` fields of `bytes` bytes of names and values together.
    #[must_use]
    pub fn with_capacity(fields: usize, bytes: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(bytes),
            entries: Vec::with_capacity(fields),
        }
    }

    /// Number of fields (a repeated name counts once per line).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every field, keeping the allocations.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
    }

    fn name_of(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.name_start..e.name_end]
    }

    fn value_of(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.name_end..e.value_end]
    }

    fn matching<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        let name = name.as_bytes();
        self.entries.iter().filter(move |e| {
            e.name_end - e.name_start == name.len() && self.name_of(e).eq_ignore_ascii_case(name)
        })
    }

    /// The first value of `name` as text; `None` when absent or not UTF-8 (use
    /// [`HeaderMap::get_bytes`] for raw bytes).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_bytes(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The first value of `name`, as bytes.
    #[must_use]
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        self.matching(name).next().map(|e| self.value_of(e))
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.matching(name).map(|e| self.value_of(e))
    }

    /// Whether a field named `name` is present.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.matching(name).next().is_some()
    }

    /// Every field as `(name, value)`, in order, names as they were given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        self.entries.iter().map(|e| {
            // Names are checked tokens, so ASCII.
            let name = std::str::from_utf8(self.name_of(e)).unwrap_or_default();
            (name, self.value_of(e))
        })
    }

    /// Adds a field after the existing ones.
    ///
    /// # Errors
    /// [`HeaderError`] if the name is not a token or the value holds a control character; the map
    /// is then unchanged.
    pub fn append(
        &mut self,
        name: &str,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Self, HeaderError> {
        let value = value.as_ref();
        check(name, value)?;
        self.push_unchecked(name.as_bytes(), value);
        Ok(self)
    }

    /// Adds a field after the existing ones, by value: a map built in one expression, with
    /// values of different types (`HeaderMap::new().with("X-Total", n.to_string())?.with("Cache-Control",
    /// "no-store")?`).
    ///
    /// ```
    /// use framework::HeaderMap;
    /// let fields = HeaderMap::new().with("X-Total", 3.to_string())?.with("X-Kind", "list")?;
    /// assert_eq!((fields.get("x-total"), fields.get("x-kind")), (Some("3"), Some("list")));
    /// assert!(HeaderMap::new().with("X-Bad", "a\r\nInjected: 1").is_err());
    /// # Ok::<(), framework::HeaderError>(())
    /// ```
    ///
    /// # Errors
    /// As [`HeaderMap::append`].
    pub fn with(mut self, name: &str, value: impl AsRef<[u8]>) -> Result<Self, HeaderError> {
        self.append(name, value)?;
        Ok(self)
    }

    /// Replaces every field named `name` with one holding `value`.
    ///
    /// # Errors
    /// As [`HeaderMap::append`]; the map is then unchanged.
    pub fn insert(
        &mut self,
        name: &str,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Self, HeaderError> {
        let value = value.as_ref();
        check(name, value)?;
        self.remove(name);
        self.push_unchecked(name.as_bytes(), value);
        Ok(self)
    }

    /// Removes every field named `name`, returning how many there were.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.entries.len();
        let bytes = &self.bytes;
        let name = name.as_bytes();
        self.entries.retain(|e| {
            !(e.name_end - e.name_start == name.len()
                && bytes[e.name_start..e.name_end].eq_ignore_ascii_case(name))
        });
        before - self.entries.len()
    }

    /// Appends a field the parser has already checked.
    pub(crate) fn push_unchecked(&mut self, name: &[u8], value: &[u8]) {
        let name_start = self.bytes.len();
        self.bytes.extend_from_slice(name);
        let name_end = self.bytes.len();
        self.bytes.extend_from_slice(value);
        self.entries.push(Entry {
            name_start,
            name_end,
            value_end: self.bytes.len(),
        });
    }
}

impl fmt::Debug for HeaderMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(n, v)| (n, String::from_utf8_lossy(v))))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_case_insensitively_and_repeats_keep_order() -> Result<(), HeaderError> {
        let mut h = HeaderMap::new();
        h.append("Accept", "a")?
            .append("ACCEPT", "b")?
            .append("Host", "x")?;
        assert_eq!(h.get_all("accept").collect::<Vec<_>>(), [b"a", b"b"]);
        assert_eq!(h.len(), 3);
        Ok(())
    }

    #[test]
    fn insert_replaces_every_earlier_value() -> Result<(), HeaderError> {
        let mut h = HeaderMap::new();
        h.append("X", "1")?.append("x", "2")?.insert("X", "3")?;
        assert_eq!(h.get_all("x").collect::<Vec<_>>(), [b"3"]);
        Ok(())
    }

    #[test]
    fn values_that_would_split_the_header_are_refused() {
        let mut h = HeaderMap::new();
        assert_eq!(
            h.append("X", "a\r\nInjected: 1").err(),
            Some(HeaderError::Value)
        );
        assert_eq!(h.append("X", "a\0").err(), Some(HeaderError::Value));
        assert_eq!(h.append("X Y", "a").err(), Some(HeaderError::Name));
        assert_eq!(h.append("", "a").err(), Some(HeaderError::Name));
        assert_eq!(h.insert("X", " padded").err(), Some(HeaderError::Value));
        assert!(h.is_empty());
    }

    #[test]
    fn get_skips_values_that_are_not_utf8() {
        let mut h = HeaderMap::new();
        h.push_unchecked(b"X", b"\xff");
        assert_eq!(h.get("x"), None);
        assert_eq!(h.get_bytes("x"), Some(&b"\xff"[..]));
    }
}
