//! Byte classes of the request grammar, as 256-entry tables built at compile time.
//!
//! Each table sits under the ABNF it implements, so code and grammar can be read side by side.
//! The two classes that response fields share with requests (`tchar`, field values) live in
//! [`http::token`](crate::http::token).

use crate::http::token::byte_table;
pub(crate) use crate::http::token::{FIELD_VALUE, TCHAR};

const fn is_alpha(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

const fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// `unreserved / pct-encoded / sub-delims` (RFC 3986 §2.2, §2.3; the `%` of an escape stands for
/// `pct-encoded`, whose hex digits are checked when decoding): the bytes of a `reg-name`, which the
/// path, `Host` and authority tables extend.
/// ```text
/// unreserved    = ALPHA / DIGIT / "-" / "." / "_" / "~"
/// sub-delims    = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
/// ```
const fn is_reg_name_byte(b: u8) -> bool {
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
        )
}

/// RFC 3986 §3.3, the characters of an origin-form path (percent signs are checked for
/// well-formed escapes separately, when a path is decoded):
/// ```text
/// absolute-path = 1*( "/" segment )
/// pchar         = unreserved / pct-encoded / sub-delims / ":" / "@"
/// unreserved    = ALPHA / DIGIT / "-" / "." / "_" / "~"
/// sub-delims    = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
/// ```
pub(crate) static PATH: [bool; 256] =
    byte_table!(|b| is_reg_name_byte(b) || matches!(b, b':' | b'@' | b'/'));

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

/// RFC 3986 §3.2.2, what a `Host` field value may hold (RFC 9110 §7.2: `uri-host [ ":" port ]`):
/// ```text
/// reg-name    = *( unreserved / pct-encoded / sub-delims )
/// IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
/// port        = *DIGIT
/// ```
pub(crate) static HOST: [bool; 256] =
    byte_table!(|b| is_reg_name_byte(b) || matches!(b, b':' | b'[' | b']'));

/// The bytes of a `Host` that is not an IP literal, before its port: `HOST` without `:`, `[`, `]`
/// (a `reg-name` or an `IPv4address`, RFC 3986 §3.2.2).
pub(crate) static REG_NAME: [bool; 256] = byte_table!(|b| is_reg_name_byte(b));

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

// Eight bytes at a time (SWAR, "SIMD within a register"), in safe code.
//
// Each `*_stops` function takes eight bytes as a little-endian `u64` and answers a mask with the
// high bit set in the lane of every byte outside a "fast" class, and no other bit. The fast class
// is a subset of the byte table named in its documentation, chosen to cover the usual bytes;
// [`scan`] looks a stop up in the table, so a byte of the table outside the fast class costs one
// step, never a wrong answer. Every lane is exact: the arithmetic works on the low seven bits of
// each byte (`x` below), where adding at most 0x80 never carries into the next lane, and the
// bytes with the high bit set are dealt with separately.
//
// The helpers answer a word whose lanes have the high bit set where the relation holds; the other
// bits are garbage, and each `*_stops` function masks them off once, at the end.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The low seven bits of each byte of `word`.
#[inline(always)]
fn low7(word: u64) -> u64 {
    word & !HIGHS
}

/// Lanes of `x` (all below 0x80) that are at least `lo`: `x + 0x80 - lo` reaches 0x80.
#[inline(always)]
fn at_least(x: u64, lo: u8) -> u64 {
    x.wrapping_add(ONES * u64::from(0x80 - lo))
}

/// Lanes of `x` (all below 0x80) that lie in `lo..=hi` (`hi <= 0x7f`): `x + 0x7f - hi` reaches
/// 0x80 exactly when `x > hi`.
#[inline(always)]
fn within(x: u64, lo: u8, hi: u8) -> u64 {
    at_least(x, lo) & !x.wrapping_add(ONES * u64::from(0x7f - hi))
}

/// Lanes of `x` (all below 0x80) that differ from `b` (`b <= 0x7f`): after the xor, every lane
/// but a zero one reaches 0x80 when 0x7f is added.
#[inline(always)]
fn differs(x: u64, b: u8) -> u64 {
    (x ^ (ONES * u64::from(b))).wrapping_add(ONES * 0x7f)
}

/// Stops for `TCHAR`: the fast class is `ALPHA / "-"`, the bytes of nearly every method and
/// field name.
#[inline(always)]
pub(crate) fn token_stops(word: u64) -> u64 {
    let x = low7(word);
    // `| 0x20` folds upper case onto lower case and moves no other byte into `a..=z`.
    let alpha = within(x | (ONES * 0x20), b'a', b'z');
    ((!alpha & differs(x, b'-')) | word) & HIGHS
}

/// Stops for `PATH`: the fast class is `ALPHA / DIGIT / "-" / "." / "/"`.
#[inline(always)]
pub(crate) fn path_stops(word: u64) -> u64 {
    let x = low7(word);
    // "-", ".", "/" and the digits are the run 0x2d..=0x39.
    let fast = within(x | (ONES * 0x20), b'a', b'z') | within(x, b'-', b'9');
    (!fast | word) & HIGHS
}

/// Stops for `REG_NAME`: the fast class is `ALPHA / DIGIT / "-" / "."`, the bytes of host names
/// and IPv4 addresses.
#[inline(always)]
pub(crate) fn host_stops(word: u64) -> u64 {
    let x = low7(word);
    // "-", "." and the digits are the run 0x2d..=0x39 without "/".
    let fast = within(x | (ONES * 0x20), b'a', b'z') | (within(x, b'-', b'9') & differs(x, b'/'));
    (!fast | word) & HIGHS
}

/// Stops for `TARGET`, exactly: anything but visible ASCII (0x21..=0x7e), and `#`.
#[inline(always)]
pub(crate) fn target_stops(word: u64) -> u64 {
    // Adding one moves DEL (0x7f) to 0x80, which the mask turns into 0, below 0x22 with the
    // controls and SP (now 0x01..=0x21); every visible byte lands on 0x22..=0x7f.
    let y = low7(low7(word).wrapping_add(ONES));
    let visible = at_least(y, 0x22);
    ((!(visible & differs(low7(word), b'#'))) | word) & HIGHS
}

/// Stops for `FIELD_VALUE`, except HTAB (the table handles it): bytes below 0x20, and DEL.
#[inline(always)]
pub(crate) fn value_stops(word: u64) -> u64 {
    // A byte with the high bit set is never a stop.
    let x = low7(word);
    let control = !at_least(x, 0x20);
    // Adding one takes DEL, and only DEL, to 0x80.
    let del = x.wrapping_add(ONES);
    (control | del) & (HIGHS & !word)
}

/// Whether the 8 bytes of `word` are all plain field-value bytes: none below 0x20 and none equal to
/// 0x7f. (HTAB is below 0x20, so a word holding one takes the byte-by-byte path.)
#[cfg(test)]
pub(crate) fn word_is_plain_value(word: u64) -> bool {
    value_stops(word) == 0
}

/// The eight bytes at the start of `chunk` (which holds at least eight), as a little-endian word.
#[inline(always)]
fn word_at(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&chunk[..8]);
    u64::from_le_bytes(word)
}

/// The index of the lowest flagged lane of a non-zero stop mask.
#[inline(always)]
fn first_lane(stop: u64) -> usize {
    // At most 7: the cast is lossless.
    (stop.trailing_zeros() / 8) as usize
}

/// The end of the run of `table` bytes in `bytes` that starts at `from`: the index of the first
/// byte from `from` on that is not in `table`, or `bytes.len()`.
///
/// `stops` flags (see above) the bytes outside its fast class, which must lie inside `table`.
/// Eight bytes are checked at once (two words per round) while the run lasts; a stop is then
/// looked up in `table`, and the run goes on after it if the table allows it.
#[inline(always)]
pub(crate) fn scan(bytes: &[u8], from: usize, stops: fn(u64) -> u64, table: &[bool; 256]) -> usize {
    scan_marked(bytes, from, stops, table).1
}

/// [`scan`], which also answers where the first word that holds a stop starts: every byte
/// before it is in the fast class of `stops`. That index comes from the loop's branches alone, not
/// from the bytes' values, so work that starts there need not wait for the end of the scan.
#[inline(always)]
pub(crate) fn scan_marked(
    bytes: &[u8],
    from: usize,
    stops: fn(u64) -> u64,
    table: &[bool; 256],
) -> (usize, usize) {
    let mut i = from;
    // Two words per round while sixteen bytes remain: one bounds test for both.
    while let Some(chunk) = bytes.get(i..i + 16) {
        let stop = stops(word_at(chunk));
        if stop != 0 {
            return (i, finish_scan(bytes, i + first_lane(stop), stops, table));
        }
        let stop = stops(word_at(&chunk[8..]));
        if stop != 0 {
            return (
                i + 8,
                finish_scan(bytes, i + 8 + first_lane(stop), stops, table),
            );
        }
        i += 16;
    }
    if let Some(chunk) = bytes.get(i..i + 8) {
        let stop = stops(word_at(chunk));
        if stop != 0 {
            return (i, finish_scan(bytes, i + first_lane(stop), stops, table));
        }
        i += 8;
    }
    (i, finish_scan(bytes, i, stops, table))
}

/// The rest of [`scan`] from `i`, a stop or a byte near the end of `bytes`.
#[inline(always)]
fn finish_scan(bytes: &[u8], mut i: usize, stops: fn(u64) -> u64, table: &[bool; 256]) -> usize {
    loop {
        match bytes.get(i) {
            Some(&b) if table[usize::from(b)] => i += 1,
            _ => return i,
        }
        while let Some(chunk) = bytes.get(i..i + 8) {
            let stop = stops(word_at(chunk));
            if stop != 0 {
                i += first_lane(stop);
                break;
            }
            i += 8;
        }
    }
}

#[cfg(test)]
mod swar_tests {
    use super::*;

    /// Every byte in every lane, among bytes of the fast class: exactly the lanes of bytes outside
    /// `fast` are flagged, and `fast` lies inside `table`.
    fn check(stops: fn(u64) -> u64, fast: impl Fn(u8) -> bool, table: &[bool; 256]) {
        for filler in [b'a', b'Z', b'0', b'-'].into_iter().filter(|&f| fast(f)) {
            for b in 0u8..=255 {
                if fast(b) {
                    assert!(
                        table[usize::from(b)],
                        "fast byte {b:#04x} outside the table"
                    );
                }
                for pos in 0..8 {
                    let mut bytes = [filler; 8];
                    bytes[pos] = b;
                    let want = if fast(b) { 0 } else { 0x80u64 << (8 * pos) };
                    assert_eq!(
                        stops(u64::from_le_bytes(bytes)),
                        want,
                        "byte {b:#04x} at {pos}"
                    );
                    // Stops on both sides: each lane is still flagged on its own.
                    let mut framed = bytes;
                    framed[(pos + 1) % 8] = 0xff;
                    framed[(pos + 7) % 8] = 0x00;
                    let got = stops(u64::from_le_bytes(framed));
                    for (lane, &byte) in framed.iter().enumerate() {
                        let flagged = got & (0x80u64 << (8 * lane)) != 0;
                        assert_eq!(flagged, !fast(byte), "{framed:?} lane {lane}");
                    }
                    assert_eq!(got & !0x8080_8080_8080_8080, 0);
                }
            }
        }
    }

    #[test]
    fn token_stops_flags_exactly_the_bytes_outside_alpha_and_dash() {
        check(
            token_stops,
            |b| b.is_ascii_alphabetic() || b == b'-',
            &TCHAR,
        );
    }

    #[test]
    fn path_stops_flags_exactly_the_bytes_outside_alnum_dash_dot_slash() {
        check(
            path_stops,
            |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'/'),
            &PATH,
        );
    }

    #[test]
    fn host_stops_flags_exactly_the_bytes_outside_alnum_dash_dot() {
        check(
            host_stops,
            |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'),
            &REG_NAME,
        );
    }

    #[test]
    fn target_stops_flags_exactly_the_bytes_outside_the_table() {
        check(target_stops, |b| TARGET[usize::from(b)], &TARGET);
    }

    #[test]
    fn value_stops_flags_exactly_the_controls_and_del() {
        check(value_stops, |b| b >= 0x20 && b != 0x7f, &FIELD_VALUE);
    }

    #[test]
    fn reg_name_is_host_without_colon_and_brackets() {
        for b in 0u8..=255 {
            let want = HOST[usize::from(b)] && !matches!(b, b':' | b'[' | b']');
            assert_eq!(REG_NAME[usize::from(b)], want, "byte {b:#04x}");
        }
    }

    /// `framing::valid_authority` as first written, in two passes: the reference for its
    /// one-pass fast path.
    fn valid_authority_reference(value: &[u8], allow_empty: bool) -> bool {
        let (host, rest) = if value.first() == Some(&b'[') {
            match value.iter().position(|&b| b == b']') {
                Some(end) => (&value[1..end], &value[end + 1..]),
                None => return false,
            }
        } else {
            let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
            (&value[..end], &value[end..])
        };
        let host_ok = host.iter().all(|&b| {
            HOST[usize::from(b)]
                && (b != b':' || value.first() == Some(&b'['))
                && b != b'['
                && b != b']'
        });
        let port_ok = match rest.split_first() {
            None => true,
            Some((b':', port)) => port.iter().all(u8::is_ascii_digit),
            Some(_) => false,
        };
        host_ok && port_ok && (allow_empty || !host.is_empty())
    }

    #[test]
    fn valid_authority_agrees_with_its_reference() {
        let alphabet = b"a0:[]./-%@ \x00\x80";
        // Every string of up to 5 bytes over an alphabet that reaches every branch.
        let mut value = Vec::new();
        for len in 0..=5u32 {
            for mut n in 0..alphabet.len().pow(len) {
                value.clear();
                for _ in 0..len {
                    value.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                for allow_empty in [false, true] {
                    assert_eq!(
                        crate::proto::parse::framing::valid_authority(&value, allow_empty),
                        valid_authority_reference(&value, allow_empty),
                        "{value:?} {allow_empty}"
                    );
                }
            }
        }
    }

    #[test]
    fn scan_agrees_with_a_byte_loop() {
        /// A stop finder and the table of its run.
        type Class = (fn(u64) -> u64, &'static [bool; 256]);
        let tables: [Class; 5] = [
            (token_stops, &TCHAR),
            (path_stops, &PATH),
            (host_stops, &REG_NAME),
            (target_stops, &TARGET),
            (value_stops, &FIELD_VALUE),
        ];
        // A small deterministic generator over bytes that exercise every class.
        let alphabet = b"aZ09-./_~:?#% \t\r\n\x00\x7f\x80\xff\"@[";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            let mut bytes = Vec::with_capacity(len);
            let mut s = state;
            for _ in 0..len {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                // Mostly fast bytes, so runs get long enough for whole words.
                let pick = (s >> 33) as usize;
                bytes.push(if pick.is_multiple_of(4) {
                    alphabet[pick / 4 % alphabet.len()]
                } else {
                    b'a'
                });
            }
            let from = (state >> 40) as usize % (len + 1);
            for (stops, table) in tables {
                let want = from
                    + bytes[from..]
                        .iter()
                        .take_while(|&&b| table[usize::from(b)])
                        .count();
                assert_eq!(
                    scan(&bytes, from, stops, table),
                    want,
                    "{bytes:?} from {from}"
                );
                let (word, end) = scan_marked(&bytes, from, stops, table);
                assert_eq!(end, want);
                assert!(
                    word <= end && (word - from).is_multiple_of(8),
                    "{bytes:?} from {from}"
                );
                assert!(bytes[from..word]
                    .iter()
                    .all(|&b| stops(u64::from(b)) & 0x80 == 0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
