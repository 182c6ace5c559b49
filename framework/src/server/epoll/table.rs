//! The connections the poller knows, by slot: epoll hands back a 64-bit token per event, made
//! of a slot index and the slot's generation, so an event that arrives for a connection that has
//! since closed (and whose slot was reused) is recognised as stale and ignored.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Slots are allocated in chunks of this many, on first use.
const CHUNK: usize = 1024;
/// Most slots a table has, whatever `max_connections` says (far above any descriptor limit).
const MAX_SLOTS: usize = 1 << 22;

/// One connection's place in the table.
pub(super) struct Slot<E> {
    /// Bumped each time the slot is freed.
    pub(super) generation: AtomicU32,
    /// When the connection's current wait ends, in the timers' milliseconds; 0 while a worker
    /// holds it.
    pub(super) deadline: AtomicU64,
    /// When the timers' current entry for this slot comes due (timer milliseconds), 0 for none.
    /// Entries of other times still in the heap are stale and ignored when they come due.
    pub(super) queued_at: AtomicU64,
    /// An event came while a worker (or the timer thread) held the connection: the holder must
    /// look at the socket again once it lets go (see `worker::turn`).
    pub(super) pending: AtomicBool,
    /// The connection. A worker holds this lock for the whole of its turn, handler included.
    pub(super) entry: Mutex<Option<E>>,
}

impl<E> Default for Slot<E> {
    fn default() -> Self {
        Self {
            generation: AtomicU32::new(0),
            deadline: AtomicU64::new(0),
            queued_at: AtomicU64::new(0),
            pending: AtomicBool::new(false),
            entry: Mutex::new(None),
        }
    }
}

struct Free {
    list: Vec<u32>,
    next: u32,
}

/// A chunk of slots, allocated the first time one of its slots is needed.
type Chunk<E> = OnceLock<Box<[Slot<E>]>>;

/// A fixed-capacity table of slots that are allocated lazily, a chunk at a time.
pub(super) struct Table<E> {
    chunks: Box<[Chunk<E>]>,
    capacity: usize,
    free: Mutex<Free>,
}

/// An event token: the slot index in the low half, its generation in the high half.
pub(super) const fn token(index: u32, generation: u32) -> u64 {
    (generation as u64) << 32 | index as u64
}

/// The slot index and generation of a token.
pub(super) const fn split(token: u64) -> (u32, u32) {
    #[allow(clippy::cast_possible_truncation)]
    (token as u32, (token >> 32) as u32)
}

impl<E> Table<E> {
    /// A table of at most `capacity` slots (clamped to `1..=MAX_SLOTS`).
    pub(super) fn new(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, MAX_SLOTS);
        let chunks = (0..capacity.div_ceil(CHUNK))
            .map(|_| OnceLock::new())
            .collect();
        Self {
            chunks,
            capacity,
            free: Mutex::new(Free {
                list: Vec::new(),
                next: 0,
            }),
        }
    }

    /// How many connections the table can hold.
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The slot at `index`, if it was ever allocated.
    pub(super) fn get(&self, index: u32) -> Option<&Slot<E>> {
        let index = index as usize;
        let chunk = self.chunks.get(index / CHUNK)?.get()?;
        chunk.get(index % CHUNK)
    }

    /// Takes a free slot; `None` when all are in use.
    pub(super) fn alloc(&self) -> Option<(u32, &Slot<E>)> {
        let index = {
            let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
            match free.list.pop() {
                Some(index) => index,
                None if (free.next as usize) < self.capacity => {
                    free.next += 1;
                    free.next - 1
                }
                None => return None,
            }
        };
        let chunk = self.chunks[index as usize / CHUNK]
            .get_or_init(|| (0..CHUNK).map(|_| Slot::default()).collect());
        Some((index, &chunk[index as usize % CHUNK]))
    }

    /// Returns a slot whose entry was taken out and whose generation was bumped.
    pub(super) fn free(&self, index: u32) {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .list
            .push(index);
    }
}

impl<E> Slot<E> {
    /// The generation now in force.
    pub(super) fn generation(&self) -> u32 {
        self.generation.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        assert_eq!(split(token(7, 3)), (7, 3));
        assert_eq!(split(token(u32::MAX, u32::MAX)), (u32::MAX, u32::MAX));
    }

    #[test]
    fn slots_are_reused_and_the_table_is_bounded() {
        let table: Table<u8> = Table::new(2);
        let (a, _) = table.alloc().unwrap();
        let (b, _) = table.alloc().unwrap();
        assert_ne!(a, b);
        assert!(table.alloc().is_none());
        table.free(a);
        assert_eq!(table.alloc().unwrap().0, a);
        assert!(table.get(b).is_some());
        assert!(table.get(5000).is_none());
    }
}
