//! A serde `Deserializer` for `application/x-www-form-urlencoded` data: query strings and form
//! bodies.
//!
//! The data is a flat list of `key=value` pairs, so the value read from it is a struct or a map
//! whose values are text, numbers, bools, unit enum variants, or sequences of those (a key given
//! more than once). Splitting and percent-decoding are [`form_pairs`]'s job; this file groups the
//! pairs by key and turns each key's text into the field's type.

use crate::proto::parse::{decode_form_component, form_pairs, FormPair, PercentError};
use serde_core::de::{
    self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_core::forward_to_deserialize_any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::iter::{Chain, Once};

/// Deserializes `T` from `application/x-www-form-urlencoded` data (a query string without its
/// `?`, or a form body).
///
/// `T` is a struct or a map, or a sequence of `(key, value)` pairs. Keys and values are
/// percent-decoded, with `+` as a space, and then:
///
/// - a missing key is `None` for an `Option` field, or the default for a `#[serde(default)]` one;
/// - a key given more than once fills a `Vec` (or tuple) field, in order; a single value makes a
///   one-element `Vec`; a key given more than once for any other field is an error;
/// - numbers are parsed from their text with [`str::parse`], so overflow is an error (and a sign
///   sent as `%2B`, `inf` and `NaN` are accepted), and bools are exactly `true` or `false` (not
///   `1`, `0`, `on`);
/// - a unit enum variant is read from its (renamed) name;
/// - a present but empty value is `Some("")` for an `Option<String>`, but an error for an
///   `Option<u32>`: serde does not tell a deserializer what is inside the `Option`, so it cannot
///   turn `""` into `None` for numbers only. Leave the key out to get `None`;
/// - a `&str` field borrows from the input, so it only works when the value had no escape and no
///   `+`; use `Cow<str>` with `#[serde(borrow)]` to borrow when possible and allocate otherwise;
/// - unknown keys are ignored, unless the type is `#[serde(deny_unknown_fields)]`;
/// - nested structs and maps, and enum variants with data, are [`UrlencodedError::Unsupported`].
///
/// `#[serde(flatten)]` works for text fields (`String`, `Option<String>`, `Vec<String>`, a
/// `HashMap<String, String>` catch-all): serde hands a flattened field its value as buffered
/// text, so a flattened number or bool is an error (serde's own flatten limitation).
///
/// ```
/// use framework::extract::from_urlencoded;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// #[serde(rename_all = "lowercase")]
/// enum Sort { Asc, Desc }
///
/// #[derive(Deserialize)]
/// struct Search { q: String, limit: Option<u32>, sort: Sort, tag: Vec<String> }
///
/// let s: Search = from_urlencoded("q=caf%C3%A9+au+lait&sort=desc&tag=a&tag=b")?;
/// assert_eq!(s.q, "café au lait");
/// assert_eq!(s.limit, None);
/// assert_eq!(s.sort, Sort::Desc);
/// assert_eq!(s.tag, ["a", "b"]);
///
/// let err = from_urlencoded::<Search>("q=x&sort=asc&limit=ten").err();
/// assert_eq!(
///     err.map(|e| e.to_string()).as_deref(),
///     Some("invalid value for `limit`: expected u32, got \"ten\"")
/// );
/// # Ok::<(), framework::extract::UrlencodedError>(())
/// ```
///
/// # Errors
/// A malformed escape or invalid UTF-8 ([`UrlencodedErrorKind::Syntax`]), or data that does not
/// fit `T` ([`UrlencodedErrorKind::Shape`]); see [`UrlencodedError`].
pub fn from_str<'de, T: de::Deserialize<'de>>(input: &'de str) -> Result<T, UrlencodedError> {
    T::deserialize(Deserializer {
        pairs: decode_pairs(input)?,
    })
}

/// Why urlencoded data could not be deserialized. Each message names the field when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlencodedError {
    /// A `%` without two hex digits after it, or decoded bytes that are not UTF-8.
    Encoding {
        /// The key whose value is malformed; `None` when the key itself is.
        field: Option<String>,
        /// What is wrong with the encoding.
        source: PercentError,
    },
    /// A required field has no key in the data.
    MissingField {
        /// The field's (renamed) name.
        field: &'static str,
    },
    /// A value that does not parse as the field's type: `x` or `99999999999` for a `u32`,
    /// `maybe` for a `bool`.
    InvalidValue {
        /// The key, when known.
        field: Option<String>,
        /// What the field takes, e.g. `u32`.
        expected: String,
        /// What the data holds, e.g. `"x"`.
        got: String,
    },
    /// A value that names no variant of the field's enum.
    UnknownVariant {
        /// The key, when known.
        field: Option<String>,
        /// The value given.
        variant: String,
        /// The variants' (renamed) names.
        expected: &'static [&'static str],
    },
    /// A key the type does not know, with `#[serde(deny_unknown_fields)]`.
    UnknownField {
        /// The key given.
        field: String,
        /// The fields' (renamed) names.
        expected: &'static [&'static str],
    },
    /// A key given more than once, for a field that takes a single value.
    DuplicateKey {
        /// The key, when known.
        field: Option<String>,
    },
    /// A type that flat `key=value` data cannot hold, such as a nested struct.
    Unsupported {
        /// The key, when known.
        field: Option<String>,
        /// The type, e.g. "a nested struct or map".
        what: &'static str,
    },
    /// An error raised by a `Deserialize` implementation (`serde::de::Error::custom`).
    Custom {
        /// The key, when known.
        field: Option<String>,
        /// The implementation's message.
        message: String,
    },
}

/// The two kinds of [`UrlencodedError`], for choosing a status.
///
/// A query string that does not fit is a `400` whatever the kind. A form body that is malformed
/// (`Syntax`) is a `400`, and a well-formed one of the wrong shape (`Shape`) is a `422`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlencodedErrorKind {
    /// The data is not valid urlencoded text: a bad percent-escape, or invalid UTF-8.
    Syntax,
    /// The data is well-formed but does not fit the type: a missing field, a value of the wrong
    /// type, an unknown variant or field, a repeated key, an unsupported type.
    Shape,
}

impl UrlencodedError {
    /// Whether the data is malformed or merely of the wrong shape.
    #[must_use]
    pub fn kind(&self) -> UrlencodedErrorKind {
        match self {
            Self::Encoding { .. } => UrlencodedErrorKind::Syntax,
            Self::MissingField { .. }
            | Self::InvalidValue { .. }
            | Self::UnknownVariant { .. }
            | Self::UnknownField { .. }
            | Self::DuplicateKey { .. }
            | Self::Unsupported { .. }
            | Self::Custom { .. } => UrlencodedErrorKind::Shape,
        }
    }

    /// The key or field the error is about, when known.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::MissingField { field } => Some(field),
            Self::UnknownField { field, .. } => Some(field),
            Self::Encoding { field, .. }
            | Self::InvalidValue { field, .. }
            | Self::UnknownVariant { field, .. }
            | Self::DuplicateKey { field }
            | Self::Unsupported { field, .. }
            | Self::Custom { field, .. } => field.as_deref(),
        }
    }

    /// Names `key` as the field of an error raised while reading its value, unless one is named.
    fn in_field(mut self, key: &str) -> Self {
        match &mut self {
            Self::InvalidValue { field, .. }
            | Self::UnknownVariant { field, .. }
            | Self::DuplicateKey { field }
            | Self::Unsupported { field, .. }
            | Self::Custom { field, .. } => {
                field.get_or_insert_with(|| key.to_owned());
            }
            Self::Encoding { .. } | Self::MissingField { .. } | Self::UnknownField { .. } => {}
        }
        self
    }

    fn invalid(expected: &str, got: &str) -> Self {
        Self::InvalidValue {
            field: None,
            expected: expected.to_owned(),
            got: format!("{got:?}"),
        }
    }
}

/// "`name`" or nothing, for messages.
struct Named<'a>(&'a Option<String>, &'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(field) => write!(f, "{} `{field}`", self.1),
            None => Ok(()),
        }
    }
}

/// "one of `a`, `b`", for messages.
struct OneOf(&'static [&'static str]);

impl fmt::Display for OneOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("nothing"),
            [only] => write!(f, "`{only}`"),
            names => {
                f.write_str("one of ")?;
                for (i, name) in names.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}`{name}`")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for UrlencodedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encoding {
                field: Some(field),
                source,
            } => write!(f, "malformed value for `{field}`: {source}"),
            Self::Encoding {
                field: None,
                source,
            } => write!(f, "malformed key: {source}"),
            Self::MissingField { field } => write!(f, "missing field `{field}`"),
            Self::InvalidValue {
                field,
                expected,
                got,
            } => {
                let field = Named(field, " for");
                write!(f, "invalid value{field}: expected {expected}, got {got}")
            }
            Self::UnknownVariant {
                field,
                variant,
                expected,
            } => {
                let (field, expected) = (Named(field, " for"), OneOf(expected));
                write!(f, "unknown variant `{variant}`{field}, expected {expected}")
            }
            Self::UnknownField { field, expected } => {
                let expected = OneOf(expected);
                write!(f, "unknown field `{field}`, expected {expected}")
            }
            Self::DuplicateKey { field } => {
                let field = Named(field, " for");
                write!(f, "more than one value{field}, expected a single one")
            }
            Self::Unsupported { field, what } => {
                let field = Named(field, " for");
                write!(
                    f,
                    "unsupported type{field}: {what} cannot be read from urlencoded data"
                )
            }
            Self::Custom {
                field: Some(field),
                message,
            } => write!(f, "invalid value for `{field}`: {message}"),
            Self::Custom {
                field: None,
                message,
            } => f.write_str(message),
        }
    }
}

impl std::error::Error for UrlencodedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Encoding { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl de::Error for UrlencodedError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Custom {
            field: None,
            message: msg.to_string(),
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::InvalidValue {
            field: None,
            expected: exp.to_string(),
            got: unexp.to_string(),
        }
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::InvalidValue {
            field: None,
            expected: exp.to_string(),
            got: format!("{len} value(s)"),
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::UnknownVariant {
            field: None,
            variant: variant.to_owned(),
            expected,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::UnknownField {
            field: field.to_owned(),
            expected,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self::MissingField { field }
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self::DuplicateKey {
            field: Some(field.to_owned()),
        }
    }
}

/// Decodes every pair; on a bad escape, names the key when the bad escape is in the value.
fn decode_pairs(input: &str) -> Result<Vec<FormPair<'_>>, UrlencodedError> {
    let mut pairs = Vec::new();
    for (i, pair) in form_pairs(input).enumerate() {
        match pair {
            Ok(pair) => pairs.push(pair),
            Err(source) => {
                // For the message only: `form_pairs` skips empty pieces and splits on the first `=`.
                let piece = input.split('&').filter(|p| !p.is_empty()).nth(i);
                let key = piece.and_then(|p| p.split_once('=')).map(|(key, _)| key);
                let field = key.and_then(|k| decode_form_component(k).ok());
                let field = field.map(Cow::into_owned);
                return Err(UrlencodedError::Encoding { field, source });
            }
        }
    }
    Ok(pairs)
}

/// A key and all its values, in order. The first value is kept apart so that the common case,
/// one value per key, allocates no `Vec`.
struct Entry<'de> {
    key: Cow<'de, str>,
    first: Cow<'de, str>,
    rest: Vec<Cow<'de, str>>,
}

/// Groups pairs by key, keys in order of first occurrence. Hashing keeps a body of many
/// distinct keys from being quadratic.
fn group(pairs: Vec<FormPair<'_>>) -> Vec<Entry<'_>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let ids: Vec<usize> = pairs
        .iter()
        .map(|(key, _)| {
            let next = seen.len();
            *seen.entry(key).or_insert(next)
        })
        .collect();
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(seen.len());
    for ((key, value), id) in pairs.into_iter().zip(ids) {
        match entries.get_mut(id) {
            Some(entry) => entry.rest.push(value),
            // Ids are handed out in order of first occurrence, so `id == entries.len()` here.
            None => entries.push(Entry {
                key,
                first: value,
                rest: Vec::new(),
            }),
        }
    }
    entries
}

fn visit_text<'de, V: Visitor<'de>>(
    text: Cow<'de, str>,
    visitor: V,
) -> Result<V::Value, UrlencodedError> {
    match text {
        Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
        Cow::Owned(text) => visitor.visit_string(text),
    }
}

/// The whole data: a struct, a map, or a sequence of `(key, value)` pairs.
struct Deserializer<'de> {
    pairs: Vec<FormPair<'de>>,
}

impl<'de> de::Deserializer<'de> for Deserializer<'de> {
    type Error = UrlencodedError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Entries {
            entries: group(self.pairs).into_iter(),
            pending: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_seq(Pairs(self.pairs.into_iter()))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    // A scalar, a unit or an enum is not a whole form: its visitor refuses the map it is offered.
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct tuple_struct enum identifier ignored_any
    }
}

/// The keys and their values, for a struct or a map.
struct Entries<'de> {
    entries: std::vec::IntoIter<Entry<'de>>,
    pending: Option<Entry<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = UrlencodedError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        let key = Values::one(entry.key.clone()).deserialize_with(seed, &entry.key)?;
        self.pending = Some(entry);
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let Some(Entry { key, first, rest }) = self.pending.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        Values { first, rest }.deserialize_with(seed, &key)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The pairs in order, repeats included, for a sequence of `(key, value)` tuples.
struct Pairs<'de>(std::vec::IntoIter<FormPair<'de>>);

impl<'de> SeqAccess<'de> for Pairs<'de> {
    type Error = UrlencodedError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|(key, value)| {
                seed.deserialize(Pair {
                    key,
                    key_read: false,
                    value: Some(value),
                })
            })
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// One `(key, value)` pair, read as a two-element sequence.
struct Pair<'de> {
    key: Cow<'de, str>,
    key_read: bool,
    value: Option<Cow<'de, str>>,
}

impl<'de> de::Deserializer<'de> for Pair<'de> {
    type Error = UrlencodedError;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, Self::Error> {
        let pair = visitor.visit_seq(&mut self)?;
        match (self.key_read, &self.value) {
            (true, None) => Ok(pair),
            (true, Some(_)) => Err(unread(2, 1).in_field(&self.key)),
            (false, _) => Err(unread(2, 0).in_field(&self.key)),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> SeqAccess<'de> for Pair<'de> {
    type Error = UrlencodedError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let text = if self.key_read {
            match self.value.take() {
                Some(value) => value,
                None => return Ok(None),
            }
        } else {
            self.key_read = true;
            self.key.clone()
        };
        Values::one(text)
            .deserialize_with(seed, &self.key)
            .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(!self.key_read) + usize::from(self.value.is_some()))
    }
}

/// A sequence visitor that stopped before the end: `read` of `given` values.
fn unread(given: usize, read: usize) -> UrlencodedError {
    UrlencodedError::InvalidValue {
        field: None,
        expected: format!("{read} value(s)"),
        got: format!("{given} values"),
    }
}

/// One key's values: its text becomes the field's type.
struct Values<'de> {
    first: Cow<'de, str>,
    rest: Vec<Cow<'de, str>>,
}

impl<'de> Values<'de> {
    fn one(text: Cow<'de, str>) -> Self {
        Self {
            first: text,
            rest: Vec::new(),
        }
    }

    /// Deserializes through `seed`, naming `key` in any error.
    fn deserialize_with<T: DeserializeSeed<'de>>(
        self,
        seed: T,
        key: &str,
    ) -> Result<T::Value, UrlencodedError> {
        seed.deserialize(self).map_err(|err| err.in_field(key))
    }

    /// The value, for a field that takes one.
    fn single(self) -> Result<Cow<'de, str>, UrlencodedError> {
        if self.rest.is_empty() {
            Ok(self.first)
        } else {
            Err(UrlencodedError::DuplicateKey { field: None })
        }
    }

    fn unsupported(what: &'static str) -> UrlencodedError {
        UrlencodedError::Unsupported { field: None, what }
    }
}

/// Parses one value with [`str::parse`], for the scalar methods of [`Values`].
macro_rules! parse_value {
    ($($method:ident => $visit:ident($ty:ty, $expected:literal)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            let text = self.single()?;
            match text.parse::<$ty>() {
                Ok(value) => visitor.$visit(value),
                Err(_) => Err(UrlencodedError::invalid($expected, &text)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Values<'de> {
    type Error = UrlencodedError;

    /// Text, as serde's flatten and untagged enums need: a sequence of texts for a repeated key.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.rest.is_empty() {
            visit_text(self.first, visitor)
        } else {
            self.deserialize_seq(visitor)
        }
    }

    parse_value! {
        deserialize_bool => visit_bool(bool, "`true` or `false`"),
        deserialize_i8 => visit_i8(i8, "i8"),
        deserialize_i16 => visit_i16(i16, "i16"),
        deserialize_i32 => visit_i32(i32, "i32"),
        deserialize_i64 => visit_i64(i64, "i64"),
        deserialize_i128 => visit_i128(i128, "i128"),
        deserialize_u8 => visit_u8(u8, "u8"),
        deserialize_u16 => visit_u16(u16, "u16"),
        deserialize_u32 => visit_u32(u32, "u32"),
        deserialize_u64 => visit_u64(u64, "u64"),
        deserialize_u128 => visit_u128(u128, "u128"),
        deserialize_f32 => visit_f32(f32, "f32"),
        deserialize_f64 => visit_f64(f64, "f64"),
        deserialize_char => visit_char(char, "a single character"),
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visit_text(self.single()?, visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.single()? {
            Cow::Borrowed(text) => visitor.visit_borrowed_bytes(text.as_bytes()),
            Cow::Owned(text) => visitor.visit_byte_buf(text.into_bytes()),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_bytes(visitor)
    }

    /// A present key is always `Some`; a missing one never reaches the deserializer.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    /// All the key's values, in order.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let given = 1 + self.rest.len();
        let mut seq = ValueSeq(std::iter::once(self.first).chain(self.rest));
        let value = visitor.visit_seq(&mut seq)?;
        match seq.0.count() {
            0 => Ok(value),
            left => Err(unread(given, given - left)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(Self::unsupported("a nested struct or map"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(Self::unsupported("a nested struct or map"))
    }

    /// A unit variant, from its name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(UnitVariant(self.single()?))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }
}

/// A key's values one by one, for a sequence field.
struct ValueSeq<'de>(Chain<Once<Cow<'de, str>>, std::vec::IntoIter<Cow<'de, str>>>);

impl<'de> SeqAccess<'de> for ValueSeq<'de> {
    type Error = UrlencodedError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|text| seed.deserialize(Values::one(text)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint().1
    }
}

/// An enum read from a variant name: only unit variants have no data to read.
struct UnitVariant<'de>(Cow<'de, str>);

impl<'de> EnumAccess<'de> for UnitVariant<'de> {
    type Error = UrlencodedError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), Self::Error> {
        let variant = seed.deserialize(Values::one(self.0.clone()))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant<'de> {
    type Error = UrlencodedError;

    fn unit_variant(self) -> Result<(), Self::Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        _seed: T,
    ) -> Result<T::Value, Self::Error> {
        Err(Values::unsupported("an enum variant with data"))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(Values::unsupported("an enum variant with data"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(Values::unsupported("an enum variant with data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::{BTreeMap, HashMap};

    type Result<T = ()> = std::result::Result<T, UrlencodedError>;

    fn err<'de, T: Deserialize<'de> + fmt::Debug>(input: &'de str) -> UrlencodedError {
        match from_str::<T>(input) {
            Ok(value) => UrlencodedError::Custom {
                field: None,
                message: format!("unexpectedly parsed {input:?} as {value:?}"),
            },
            Err(err) => err,
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Search {
        q: String,
        limit: Option<u32>,
        exact: Option<bool>,
        tag: Vec<String>,
    }

    #[test]
    fn fields_are_parsed_from_their_text() -> Result {
        let s: Search = from_str("q=rust&limit=10&exact=true&tag=a")?;
        let want = Search {
            q: "rust".into(),
            limit: Some(10),
            exact: Some(true),
            tag: vec!["a".into()],
        };
        assert_eq!(s, want);
        Ok(())
    }

    #[test]
    fn keys_and_values_are_percent_decoded_with_plus_as_space() -> Result {
        let m: BTreeMap<String, String> = from_str("first+name=J%C3%BCrgen+M&a%26b=%3D%2B")?;
        let want = [("a&b", "=+"), ("first name", "Jürgen M")];
        let want: BTreeMap<String, String> = want
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        assert_eq!(m, want);
        Ok(())
    }

    #[test]
    fn a_missing_key_is_none_for_an_option() -> Result {
        let s: Search = from_str("q=x&tag=a")?;
        assert_eq!((s.limit, s.exact), (None, None));
        Ok(())
    }

    #[test]
    fn serde_default_fills_missing_keys() -> Result {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            page: u32,
            #[serde(default = "twenty")]
            per_page: u32,
        }
        fn twenty() -> u32 {
            20
        }
        let p: Page = from_str("")?;
        assert_eq!((p.page, p.per_page), (0, 20));
        let p: Page = from_str("per_page=5")?;
        assert_eq!((p.page, p.per_page), (0, 5));
        Ok(())
    }

    #[test]
    fn repeated_keys_fill_a_vec_in_order() -> Result {
        let s: Search = from_str("tag=b&q=x&tag=a&tag=c")?;
        assert_eq!(s.tag, ["b", "a", "c"]);
        #[derive(Deserialize)]
        struct Ids {
            id: Vec<u64>,
        }
        assert_eq!(from_str::<Ids>("id=3&id=1")?.id, [3, 1]);
        Ok(())
    }

    #[test]
    fn a_single_value_for_a_vec_is_a_one_element_vec() -> Result {
        assert_eq!(from_str::<Search>("q=x&tag=only")?.tag, ["only"]);
        assert_eq!(from_str::<Search>("q=x&tag=")?.tag, [""]);
        Ok(())
    }

    #[test]
    fn a_missing_vec_is_an_error_unless_defaulted() -> Result {
        assert_eq!(
            err::<Search>("q=x"),
            UrlencodedError::MissingField { field: "tag" }
        );
        #[derive(Deserialize)]
        struct Tags {
            #[serde(default)]
            tag: Vec<String>,
        }
        assert!(from_str::<Tags>("")?.tag.is_empty());
        Ok(())
    }

    #[test]
    fn every_integer_width_and_float_parses() -> Result {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Numbers {
            a: i8,
            b: i16,
            c: i32,
            d: i64,
            e: i128,
            f: u8,
            g: u16,
            h: u32,
            i: u64,
            j: u128,
            k: f32,
            l: f64,
            m: usize,
            n: isize,
        }
        let n: Numbers = from_str(
            "a=-128&b=-32768&c=-5&d=9223372036854775807&e=-170141183460469231731687303715884105728\
             &f=255&g=65535&h=4294967295&i=18446744073709551615\
             &j=340282366920938463463374607431768211455&k=1.5&l=-2.5e3&m=7&n=-7",
        )?;
        let want = Numbers {
            a: i8::MIN,
            b: i16::MIN,
            c: -5,
            d: i64::MAX,
            e: i128::MIN,
            f: u8::MAX,
            g: u16::MAX,
            h: u32::MAX,
            i: u64::MAX,
            j: u128::MAX,
            k: 1.5,
            l: -2500.0,
            m: 7,
            n: -7,
        };
        assert_eq!(n, want);
        Ok(())
    }

    #[test]
    fn overflowing_numbers_are_errors() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct N {
            n: u32,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Big {
            n: i128,
        }
        for input in ["n=99999999999", "n=4294967296", "n=-1", "n=1.0", "n="] {
            let e = err::<N>(input);
            assert_eq!(e.kind(), UrlencodedErrorKind::Shape, "{input}");
            assert_eq!(e.field(), Some("n"), "{input}");
        }
        let e = err::<Big>(&format!("n={}", "9".repeat(5000)));
        assert!(matches!(e, UrlencodedError::InvalidValue { .. }), "{e}");
    }

    #[test]
    fn an_invalid_value_names_the_field_the_type_and_the_text() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Q {
            limit: u32,
        }
        let e = err::<Q>("limit=x");
        assert_eq!(
            e.to_string(),
            "invalid value for `limit`: expected u32, got \"x\""
        );
        let e = err::<Q>("limit=99999999999");
        assert_eq!(
            e.to_string(),
            "invalid value for `limit`: expected u32, got \"99999999999\""
        );
    }

    #[test]
    fn bools_are_exactly_true_or_false() -> Result {
        #[derive(Deserialize, Debug)]
        struct B {
            on: bool,
        }
        assert!(from_str::<B>("on=true")?.on);
        assert!(!from_str::<B>("on=false")?.on);
        for bad in ["maybe", "1", "0", "on", "TRUE", ""] {
            let e = err::<B>(&format!("on={bad}"));
            let want = format!("invalid value for `on`: expected `true` or `false`, got {bad:?}");
            assert_eq!(e.to_string(), want);
        }
        Ok(())
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Sort {
        Asc,
        Desc,
    }

    #[derive(Deserialize, Debug)]
    struct Listing {
        sort: Option<Sort>,
    }

    #[test]
    fn unit_enum_variants_are_read_from_their_names() -> Result {
        assert_eq!(from_str::<Listing>("sort=asc")?.sort, Some(Sort::Asc));
        assert_eq!(from_str::<Listing>("sort=desc")?.sort, Some(Sort::Desc));
        assert_eq!(from_str::<Listing>("")?.sort, None);
        Ok(())
    }

    #[test]
    fn an_unknown_variant_names_the_field_and_the_variants() {
        let e = err::<Listing>("sort=Asc");
        assert_eq!(
            e.to_string(),
            "unknown variant `Asc` for `sort`, expected one of `asc`, `desc`"
        );
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
    }

    #[test]
    fn enum_variants_with_data_are_unsupported() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        enum Filter {
            Id(u32),
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct F {
            filter: Filter,
        }
        let e = err::<F>("filter=Id");
        assert!(
            matches!(&e, UrlencodedError::Unsupported { field: Some(f), .. } if f == "filter"),
            "{e:?}"
        );
    }

    #[test]
    fn rename_maps_keys_to_fields() -> Result {
        #[derive(Deserialize)]
        struct R {
            #[serde(rename = "per-page")]
            per_page: u8,
            #[serde(alias = "q")]
            query: String,
        }
        let r: R = from_str("per-page=3&q=hi")?;
        assert_eq!((r.per_page, r.query.as_str()), (3, "hi"));
        Ok(())
    }

    #[test]
    fn two_aliases_of_one_field_are_a_duplicate() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            #[serde(alias = "q")]
            query: String,
        }
        let e = err::<R>("q=a&query=b");
        assert_eq!(
            e,
            UrlencodedError::DuplicateKey {
                field: Some("query".into())
            }
        );
    }

    #[test]
    fn flatten_works_for_text_fields() -> Result {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Paging {
            cursor: Option<String>,
            dir: String,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct Q {
            q: String,
            #[serde(flatten)]
            paging: Paging,
            #[serde(flatten)]
            rest: HashMap<String, String>,
        }
        let q: Q = from_str("dir=up&q=x&utm=mail")?;
        assert_eq!(q.q, "x");
        assert_eq!(
            q.paging,
            Paging {
                cursor: None,
                dir: "up".into()
            }
        );
        assert_eq!(q.rest.get("utm").map(String::as_str), Some("mail"));
        let q: Q = from_str("dir=up&q=x&cursor=c%20d")?;
        assert_eq!(q.paging.cursor.as_deref(), Some("c d"));
        Ok(())
    }

    #[test]
    fn flatten_collects_repeated_keys_into_a_vec_of_strings() -> Result {
        #[derive(Deserialize)]
        struct Inner {
            tag: Vec<String>,
        }
        #[derive(Deserialize)]
        struct Outer {
            #[serde(flatten)]
            inner: Inner,
        }
        assert_eq!(from_str::<Outer>("tag=a&tag=b")?.inner.tag, ["a", "b"]);
        Ok(())
    }

    // serde buffers a flattened field's value as text before the field's type is known, so a
    // flattened number arrives as a string and is refused: serde's flatten limitation.
    #[test]
    fn flattened_numbers_are_refused_as_strings() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Paging {
            page: u32,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Q {
            #[serde(flatten)]
            paging: Paging,
        }
        let e = err::<Q>("page=2");
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
        assert!(matches!(e, UrlencodedError::InvalidValue { .. }), "{e:?}");
    }

    #[test]
    fn chars_are_exactly_one_character() -> Result {
        #[derive(Deserialize, Debug)]
        struct C {
            c: char,
        }
        assert_eq!(from_str::<C>("c=%C3%A9")?.c, 'é');
        assert_eq!(from_str::<C>("c=+")?.c, ' ');
        for bad in ["c=", "c=ab"] {
            let e = err::<C>(bad);
            assert_eq!(e.field(), Some("c"), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn str_fields_borrow_when_nothing_was_decoded() -> Result {
        #[derive(Deserialize)]
        struct B<'a> {
            name: &'a str,
            #[serde(borrow)]
            note: Cow<'a, str>,
        }
        let input = String::from("name=plain&note=also");
        let b: B<'_> = from_str(&input)?;
        assert_eq!(b.name, "plain");
        assert!(matches!(b.note, Cow::Borrowed("also")));
        let b: B<'_> = from_str("name=plain&note=a+b")?;
        assert!(matches!(&b.note, Cow::Owned(s) if s == "a b"));
        Ok(())
    }

    #[test]
    fn a_borrowed_str_field_with_escapes_is_an_error() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct B<'a> {
            name: &'a str,
        }
        let e = err::<B<'_>>("name=a%20b");
        assert_eq!(e.field(), Some("name"));
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
    }

    #[test]
    fn a_present_but_empty_value_is_some_empty_string() -> Result {
        #[derive(Deserialize)]
        struct N {
            name: Option<String>,
        }
        assert_eq!(from_str::<N>("name=")?.name.as_deref(), Some(""));
        assert_eq!(from_str::<N>("name")?.name.as_deref(), Some(""));
        assert_eq!(from_str::<N>("")?.name, None);
        Ok(())
    }

    // serde does not tell the deserializer what the `Option` holds, so `""` cannot be `None` for
    // numbers only: an empty number is an error, like any other text that is not a number.
    #[test]
    fn an_empty_value_for_an_optional_number_is_an_error() {
        let e = err::<Search>("q=x&tag=a&limit=");
        assert_eq!(
            e.to_string(),
            "invalid value for `limit`: expected u32, got \"\""
        );
    }

    #[test]
    fn unit_and_newtype_struct_fields() -> Result {
        #[derive(Deserialize, Debug, PartialEq)]
        struct UserId(u64);
        #[derive(Deserialize, Debug, PartialEq)]
        struct Tags(Vec<String>);
        #[derive(Deserialize, Debug, PartialEq)]
        struct Flag;
        #[derive(Deserialize, Debug, PartialEq)]
        struct S {
            user: UserId,
            tag: Tags,
            debug: Option<Flag>,
        }
        let s: S = from_str("user=42&tag=x&tag=y&debug")?;
        let want = S {
            user: UserId(42),
            tag: Tags(vec!["x".into(), "y".into()]),
            debug: Some(Flag),
        };
        assert_eq!(s, want);
        Ok(())
    }

    #[test]
    fn unknown_keys_are_ignored_by_default() -> Result {
        let s: Search = from_str("q=x&tag=a&utm=1&utm=2&x=%41")?;
        assert_eq!(s.q, "x");
        Ok(())
    }

    #[test]
    fn deny_unknown_fields_refuses_unknown_keys() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: Option<u8>,
            b: Option<u8>,
        }
        let e = err::<Strict>("a=1&c=2");
        assert_eq!(e.to_string(), "unknown field `c`, expected one of `a`, `b`");
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
    }

    #[test]
    fn malformed_escapes_are_syntax_errors_not_panics() {
        let cases = [
            ("q=%zz", Some("q"), PercentError::InvalidEscape { at: 0 }),
            ("q=ab%4", Some("q"), PercentError::InvalidEscape { at: 2 }),
            ("q=%", Some("q"), PercentError::InvalidEscape { at: 0 }),
            ("tag=a&q=%ff", Some("q"), PercentError::InvalidUtf8),
            ("%zz=1", None, PercentError::InvalidEscape { at: 0 }),
            ("&&q%4", None, PercentError::InvalidEscape { at: 1 }),
        ];
        for (input, field, source) in cases {
            let e = err::<Search>(input);
            let want = UrlencodedError::Encoding {
                field: field.map(String::from),
                source,
            };
            assert_eq!(e, want, "{input}");
            assert_eq!(e.kind(), UrlencodedErrorKind::Syntax, "{input}");
        }
        let e = err::<Search>("q=%zz");
        assert_eq!(
            e.to_string(),
            "malformed value for `q`: invalid percent-escape at byte 0: `%` must be followed by two hex digits"
        );
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn empty_input_gives_a_struct_of_optional_fields() -> Result {
        #[derive(Deserialize, Debug, PartialEq)]
        struct All {
            a: Option<String>,
            b: Option<u32>,
            #[serde(default)]
            c: Vec<u8>,
        }
        let none = All {
            a: None,
            b: None,
            c: vec![],
        };
        assert_eq!(from_str::<All>("")?, none);
        assert_eq!(from_str::<All>("&&")?, none);
        Ok(())
    }

    #[test]
    fn a_missing_required_field_is_a_shape_error() {
        let e = err::<Search>("tag=a");
        assert_eq!(e.to_string(), "missing field `q`");
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
        assert_eq!(e.field(), Some("q"));
    }

    #[test]
    fn a_repeated_key_for_a_single_value_is_an_error() {
        let e = err::<Search>("q=a&q=b&tag=t");
        assert_eq!(
            e,
            UrlencodedError::DuplicateKey {
                field: Some("q".into())
            }
        );
        assert_eq!(
            e.to_string(),
            "more than one value for `q`, expected a single one"
        );
        let e = err::<HashMap<String, String>>("k=1&k=2");
        assert_eq!(e.field(), Some("k"));
    }

    #[test]
    fn a_tuple_field_takes_exactly_its_number_of_values() -> Result {
        #[derive(Deserialize, Debug)]
        struct P {
            at: (f64, f64),
        }
        assert_eq!(from_str::<P>("at=1.5&at=-2")?.at, (1.5, -2.0));
        for bad in ["at=1", "at=1&at=2&at=3"] {
            let e = err::<P>(bad);
            assert_eq!(e.field(), Some("at"), "{bad}");
            assert_eq!(e.kind(), UrlencodedErrorKind::Shape, "{bad}");
        }
        Ok(())
    }

    #[test]
    fn nested_structs_and_maps_are_unsupported() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            a: u8,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Outer {
            inner: Inner,
        }
        let e = err::<Outer>("inner=1");
        assert_eq!(
            e,
            UrlencodedError::Unsupported {
                field: Some("inner".into()),
                what: "a nested struct or map"
            }
        );
        let e = err::<HashMap<String, HashMap<String, String>>>("a=1");
        assert!(matches!(e, UrlencodedError::Unsupported { .. }), "{e:?}");
    }

    #[test]
    fn top_level_maps_take_typed_keys_and_values() -> Result {
        let m: BTreeMap<u16, Vec<bool>> = from_str("2=true&1=false&2=false")?;
        let want: BTreeMap<u16, Vec<bool>> = [(1, vec![false]), (2, vec![true, false])].into();
        assert_eq!(m, want);
        let e = err::<HashMap<u16, String>>("x=1");
        assert_eq!(e.field(), Some("x"));
        Ok(())
    }

    #[test]
    fn a_top_level_sequence_of_pairs_keeps_order_and_repeats() -> Result {
        let pairs: Vec<(String, String)> = from_str("b=1&a=2&b=3&c")?;
        let want = [("b", "1"), ("a", "2"), ("b", "3"), ("c", "")];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        assert_eq!(pairs, want);
        let typed: Vec<(String, u8)> = from_str("x=1&y=2")?;
        assert_eq!(typed, [("x".into(), 1), ("y".into(), 2)]);
        let e = err::<Vec<(String, u8)>>("x=1&y=two");
        assert_eq!(e.field(), Some("y"));
        Ok(())
    }

    #[test]
    fn a_top_level_scalar_is_refused() {
        let e = err::<u32>("1");
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
        let e = err::<String>("a=b");
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
    }

    #[test]
    fn custom_errors_name_the_field() {
        fn even<'de, D: de::Deserializer<'de>>(d: D) -> std::result::Result<u32, D::Error> {
            let n = u32::deserialize(d)?;
            if n % 2 == 0 {
                Ok(n)
            } else {
                Err(de::Error::custom("must be even"))
            }
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct E {
            #[serde(deserialize_with = "even")]
            n: u32,
        }
        let e = err::<E>("n=3");
        assert_eq!(e.to_string(), "invalid value for `n`: must be even");
        assert_eq!(e.kind(), UrlencodedErrorKind::Shape);
    }

    #[test]
    fn untagged_and_internally_tagged_enums_see_text() -> Result {
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(tag = "kind", rename_all = "lowercase")]
        enum Shape {
            Circle { r: String },
            Square { side: String },
        }
        let s: Shape = from_str("kind=square&side=2")?;
        assert_eq!(s, Shape::Square { side: "2".into() });
        Ok(())
    }

    /// A tiny deterministic generator (Knuth's MMIX LCG), so the test needs no dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn arbitrary_input_never_panics() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Everything<'a> {
            a: Option<u8>,
            b: Option<Vec<i64>>,
            c: Option<bool>,
            d: Option<char>,
            #[serde(borrow)]
            e: Option<Cow<'a, str>>,
            f: Option<Sort>,
            g: Option<(u8, u8)>,
            h: Option<f64>,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Flat {
            #[serde(flatten)]
            rest: HashMap<String, String>,
        }
        const ALPHABET: &[u8] = b"abcdefgh%&=+09AFfzx\xc3\xa9\xff";
        let mut rng = Lcg(0x5eed);
        for _ in 0..20_000 {
            let len = usize::try_from(rng.next() % 24).unwrap_or(0);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng.next();
                    if r.is_multiple_of(8) {
                        u8::try_from((r >> 8) & 0xff).unwrap_or(b'?')
                    } else {
                        let i = usize::try_from(r >> 3).unwrap_or(0) % ALPHABET.len();
                        ALPHABET[i]
                    }
                })
                .collect();
            let input = String::from_utf8_lossy(&bytes);
            let _ = from_str::<Everything<'_>>(&input);
            let _ = from_str::<Flat>(&input);
            let _ = from_str::<HashMap<String, Vec<String>>>(&input);
            let _ = from_str::<Vec<(String, String)>>(&input);
            let _ = from_str::<Vec<(u8, Sort)>>(&input);
        }
    }
}
