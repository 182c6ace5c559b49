//! Byte classes of the request grammar, as 256-entry tables built at compile time.
//!
//! Each table sits under the ABNF it implements, so code and grammar can be read side by side.

/// Builds a 256-entry byte table at compile time from a predicate on `$b`.
macro_rules! byte_table {
    (|$b:ident| $pred:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            // `i < 256`, so the cast is lossless.
            #[allow(clippy::cast_possible_truncation)]
            let $b = i as u8;
            t[i] = $pred;
            i += 1;
        }
        t
    }};
}

const fn is_alpha(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

const fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// RFC 9110 §5.6.2:
/// ```text
/// token  = 1*tchar
/// tchar  = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
/// ```
pub(crate) static TCHAR: [bool; 256] = byte_table!(|b| {
    is_alpha(b)
        || is_digit(b)
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
});

/// RFC 3986 §3.3, the characters of an origin-form path (percent signs are checked for
/// well-formed escapes separately, when a path is decoded):
/// ```text
/// absolute-path = 1*( "/" segment )
/// pchar         = unreserved / pct-encoded / sub-delims / ":" / "@"
/// unreserved    = ALPHA / DIGIT / "-" / "." / "_" / "~"
/// sub-delims    = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
/// ```
pub(crate) static PATH: [bool; 256] = byte_table!(|b| {
    is_alpha(b)
        || is_digit(b)
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
        )
});

/// The query of a request target. RFC 3986 §3.4 allows `pchar / "/" / "?"`, but browsers send
/// `[`, `]`, `{`, `}`, `|`, `^`, `` ` ``, `\`, `"`, `<` and `>` unescaped in queries (the WHATWG URL
/// standard leaves most of them as they are), so the query accepts every visible ASCII character
/// except `#`, which would start a fragment that a request target never carries.
/// ```text
/// query = *( VCHAR except "#" )      ; VCHAR = %x21-7E
/// ```
pub(crate) static QUERY: [bool; 256] = byte_table!(|b| b > 0x20 && b < 0x7f && b != b'#');

/// Every byte a request target may hold at all, used while the request line is scanned; the form
/// of the target (origin, absolute, asterisk) and the stricter path rule are checked once the line
/// is complete. This is `QUERY`: visible ASCII except `#`.
pub(crate) static TARGET: [bool; 256] = QUERY;

/// RFC 9110 §5.5:
/// ```text
/// field-value    = *field-content
/// field-content  = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
/// field-vchar    = VCHAR / obs-text
/// obs-text       = %x80-FF
/// ```
/// This table answers "may this byte appear inside a field value": VCHAR, obs-text, SP, HTAB.
/// Everything else (NUL, CR, LF, other controls, DEL) ends or breaks the value.
pub(crate) static FIELD_VALUE: [bool; 256] =
    byte_table!(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));

/// RFC 3986 §3.2.2, what a `Host` field value may hold (RFC 9110 §7.2: `uri-host [ ":" port ]`):
/// ```text
/// reg-name    = *( unreserved / pct-encoded / sub-delims )
/// IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
/// port        = *DIGIT
/// ```
pub(crate) static HOST: [bool; 256] = byte_table!(|b| {
    is_alpha(b)
        || is_digit(b)
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
        )
});

/// The value of a hex digit (`HEXDIG`, either case).
#[inline]
pub(crate) fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `b` is a `tchar` (RFC 9110 §5.6.2).
#[inline]
#[must_use]
pub fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
}

/// Whether the 8 bytes of `word` are all plain field-value bytes: none below 0x20 and none equal to
/// 0x7f. (HTAB is below 0x20, so a word holding one takes the byte-by-byte path.)
#[inline]
pub(crate) fn word_is_plain_value(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20 (only meaningful for bytes below 0x80, hence `& !word`).
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    // A byte equal to 0x7f: xor turns it into zero, then the same trick finds a zero byte.
    let del = word ^ (ONES * 0x7f);
    let has_del = del.wrapping_sub(ONES) & !del & HIGHS;
    below_space | has_del == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_is_exactly_the_rfc_set() {
        let expected: Vec<u8> = (0u8..=255)
            .filter(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
            .collect();
        let got: Vec<u8> = (0u8..=255).filter(|&b| is_tchar(b)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn field_value_refuses_every_control_but_htab() {
        for b in 0u8..=255 {
            let ok = b == b'\t' || (b >= 0x20 && b != 0x7f);
            assert_eq!(FIELD_VALUE[usize::from(b)], ok, "byte {b:#04x}");
        }
    }

    #[test]
    fn word_check_agrees_with_the_table_for_every_byte_in_every_position() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                let mut bytes = *b"abcdefgh";
                bytes[pos] = b;
                let word = u64::from_le_bytes(bytes);
                let plain = b >= 0x20 && b != 0x7f;
                assert_eq!(word_is_plain_value(word), plain, "byte {b:#04x} at {pos}");
            }
        }
    }
}
