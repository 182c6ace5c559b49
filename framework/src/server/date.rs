//! The `Date` header value (RFC 9110 §5.6.7, IMF-fixdate), formatted at most once a second for
//! the whole process and shared lock-free between connection threads.

use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const DATE_LEN: usize = 29;

/// The second the cached value belongs to; `0` before the first one, `u64::MAX` while a thread
/// writes a new one.
static SECS: AtomicU64 = AtomicU64::new(0);
/// The cached value, 29 bytes packed into four words.
static WORDS: [AtomicU64; 4] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

/// The current date, from the shared cache when it is for this second.
pub(crate) fn now() -> [u8; DATE_LEN] {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_secs().max(1));
    let seen = SECS.load(Ordering::Acquire);
    if seen == secs {
        let words = WORDS.each_ref().map(|w| w.load(Ordering::Relaxed));
        fence(Ordering::Acquire);
        if SECS.load(Ordering::Relaxed) == seen {
            return unpack(words);
        }
    }
    let date = format(secs);
    // One thread publishes; the others use their own copy this time.
    if seen != u64::MAX
        && SECS
            .compare_exchange(seen, u64::MAX, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    {
        for (slot, word) in WORDS.iter().zip(pack(&date)) {
            slot.store(word, Ordering::Relaxed);
        }
        SECS.store(secs, Ordering::Release);
    }
    date
}

fn pack(date: &[u8; DATE_LEN]) -> [u64; 4] {
    let mut bytes = [0u8; 32];
    bytes[..DATE_LEN].copy_from_slice(date);
    let mut words = [0u64; 4];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *word = u64::from_le_bytes(b);
    }
    words
}

fn unpack(words: [u64; 4]) -> [u8; DATE_LEN] {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let mut date = [0u8; DATE_LEN];
    date.copy_from_slice(&bytes[..DATE_LEN]);
    date
}

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub(crate) fn format(secs: u64) -> [u8; DATE_LEN] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, rem / 60 % 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);

    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    let weekday = DAYS[usize::try_from(days % 7).unwrap_or(0)];
    out[..3].copy_from_slice(weekday);
    two_digits(&mut out[5..7], day);
    out[8..11].copy_from_slice(MONTHS[usize::try_from(month - 1).unwrap_or(0)]);
    let year = year.min(9999);
    two_digits(&mut out[12..14], year / 100);
    two_digits(&mut out[14..16], year % 100);
    two_digits(&mut out[17..19], hour);
    two_digits(&mut out[20..22], minute);
    two_digits(&mut out[23..25], second);
    out
}

fn two_digits(out: &mut [u8], n: u64) {
    let n = u8::try_from(n % 100).unwrap_or(0);
    out[0] = b'0' + n / 10;
    out[1] = b'0' + n % 10;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(&format(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(&format(784_111_777), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(&format(951_782_400), b"Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(&format(1_795_000_000), b"Wed, 18 Nov 2026 11:06:40 GMT");
    }

    #[test]
    fn cached_date_is_a_valid_current_date() {
        let a = now();
        assert!(a.ends_with(b" GMT"));
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // The cache may be one second behind the clock read here, never more.
        assert!(a == format(secs) || a == format(secs.saturating_sub(1)));
    }

    #[test]
    fn pack_round_trips() {
        let d = format(1_700_000_000);
        assert_eq!(unpack(pack(&d)), d);
    }
}
