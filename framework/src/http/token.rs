//! The two byte classes that every header field obeys, requests and responses alike: `tchar`
//! (field names, methods, tokens) and the bytes of a field value. The parser adds the classes of
//! the request grammar on top (`proto::parse::chars`).

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
pub(crate) use byte_table;

/// RFC 9110 §5.6.2:
/// ```text
/// token  = 1*tchar
/// tchar  = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
/// ```
pub(crate) static TCHAR: [bool; 256] = byte_table!(|b| {
    b.is_ascii_alphabetic()
        || b.is_ascii_digit()
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

/// Whether `b` is a `tchar` (RFC 9110 §5.6.2).
#[inline]
#[must_use]
pub fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
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
}
