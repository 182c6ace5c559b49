//! The `Date` header value (RFC 9110 §5.6.7, IMF-fixdate), formatted at most once a second for
//! the whole process and shared lock-free between connection threads. The formatter itself is
//! `http/date.rs` (public as `framework::http_date`).

use crate::http::date::{format_secs as format, DATE_LEN};
use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

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

#[cfg(test)]
mod tests {
    use super::*;

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
