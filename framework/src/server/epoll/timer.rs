//! The poller's clock: a deadline heap for parked connections, and the supervisor that calls a
//! spare worker to the epoll set (or grows the pool) when every waiter is stuck in a handler. One
//! thread runs both, ticking every few milliseconds (every one while no worker waits on the set); no
//! connection has a thread or a timer of its own.
//!
//! Deadlines are lazy: a connection has one current entry in the heap, and parking it again
//! with a later deadline (a new request, a new idle wait) only updates the deadline stored in
//! its slot. When the entry comes due, the slot's current deadline decides: expired, so time
//! the connection out; later, so push the entry again for then; none (a worker holds the
//! connection), so leave it to the next park. A park with an *earlier* deadline than the
//! current entry's (a lingering close or a head timeout after a long idle wait) pushes a new
//! entry, which becomes the current one; the old one is ignored when it comes due.

use super::{worker, Pool};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The tick while some worker is free: timeouts fire at most this late.
const TICK: Duration = Duration::from_millis(10);
/// The tick while no worker waits on the set, so that a pool stuck in blocking handlers grows
/// quickly.
const BUSY_TICK: Duration = Duration::from_millis(1);
/// Busy ticks without a finished turn, with events waiting, before the supervisor steps in.
const STALLED_TICKS: u32 = 2;
/// Least time between two growths, so that the workers started by one are running before the
/// next is considered.
const GROWTH_GAP: Duration = Duration::from_millis(1);

/// A deadline entry: when (timer milliseconds), and which slot generation it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Due {
    at: u64,
    index: u32,
    generation: u32,
}

/// Where workers leave new deadline entries for the timer thread.
pub(super) struct Timers {
    epoch: Instant,
    arrivals: Mutex<Vec<Due>>,
    /// Timer milliseconds as of the last tick: a clock that costs workers one atomic load.
    clock: AtomicU64,
    /// Ticks so far.
    ticks: AtomicU64,
}

impl Timers {
    pub(super) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            arrivals: Mutex::new(Vec::new()),
            clock: AtomicU64::new(1),
            ticks: AtomicU64::new(0),
        }
    }

    /// An instant in timer milliseconds (never 0, which means "no deadline").
    pub(super) fn millis(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX - 1)
            + 1
    }

    fn now(&self) -> u64 {
        self.millis(Instant::now())
    }

    /// Timer milliseconds as of the timer thread's last tick (at most a tick late).
    pub(super) fn coarse(&self) -> u64 {
        self.clock.load(Ordering::Relaxed)
    }

    /// How many ticks the timer thread has made.
    pub(super) fn ticks(&self) -> u64 {
        self.ticks.load(Ordering::Relaxed)
    }

    /// Records that slot `index` (generation `generation`) waits until `at`.
    pub(super) fn arm(&self, pool: &Pool, index: u32, generation: u32, at: u64) {
        let Some(slot) = pool.table.get(index) else {
            return;
        };
        slot.deadline.store(at, Ordering::SeqCst);
        let mut queued = slot.queued_at.load(Ordering::SeqCst);
        loop {
            if queued != 0 && queued <= at {
                // The current entry comes due first and finds this deadline then.
                return;
            }
            match slot
                .queued_at
                .compare_exchange(queued, at, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => break,
                Err(now_queued) => queued = now_queued,
            }
        }
        self.arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Due {
                at,
                index,
                generation,
            });
    }
}

/// The timer thread: fires deadlines and supervises the pool until the server has finished.
pub(super) fn run(pool: &std::sync::Arc<Pool>) {
    let mut heap: BinaryHeap<Reverse<Due>> = BinaryHeap::new();
    let mut last_progress = pool.progress.load(Ordering::Relaxed);
    let mut stalled = 0;
    let mut grown = Instant::now();
    let mut scratch = crate::http::Request::default();
    while !pool.finished.load(Ordering::Acquire) {
        let all_busy = pool.idle.load(Ordering::SeqCst) == 0;
        std::thread::sleep(if all_busy { BUSY_TICK } else { TICK });

        heap.extend(
            std::mem::take(
                &mut *pool
                    .timers
                    .arrivals
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            )
            .into_iter()
            .map(Reverse),
        );
        let now = pool.timers.now();
        pool.timers.clock.store(now, Ordering::Relaxed);
        pool.timers.ticks.fetch_add(1, Ordering::Relaxed);
        while let Some(&Reverse(due)) = heap.peek() {
            if due.at > now {
                break;
            }
            heap.pop();
            if let Some(at) = fire(pool, due, now, &mut scratch) {
                heap.push(Reverse(Due { at, ..due }));
            }
        }
        // Entries of closed connections wait for their deadline; drop them when they pile up.
        if heap.len() > 2 * pool.registry.len() + 4096 {
            heap.retain(|Reverse(due)| {
                pool.table
                    .get(due.index)
                    .is_some_and(|slot| slot.generation() == due.generation)
            });
        }

        // No worker waits on the set, none has finished a turn for a few ticks, and events wait:
        // the waiters are stuck in handlers (or in a write to a slow client). Remember that
        // handlers block, and call a spare to the set; with none parked, grow the pool.
        let progress = pool.progress.load(Ordering::Relaxed);
        let stuck = pool.idle.load(Ordering::SeqCst) == 0 && progress == last_progress;
        if stuck && pool.has_ready_events() {
            stalled += 1;
            if stalled >= STALLED_TICKS {
                pool.blocked_at.store(now, Ordering::Relaxed);
                if pool.call_spare() {
                    stalled = 0;
                } else if grown.elapsed() >= GROWTH_GAP {
                    stalled = 0;
                    grown = Instant::now();
                    pool.grow();
                }
            }
        } else {
            stalled = 0;
        }
        last_progress = progress;
    }
}

/// Handles an entry that came due; `Some(at)` to keep it for a later deadline.
fn fire(pool: &Pool, due: Due, now: u64, scratch: &mut crate::http::Request) -> Option<u64> {
    let slot = pool.table.get(due.index)?;
    if slot.generation() != due.generation {
        return None;
    }
    // The entry is out of the heap. Unless an earlier one superseded it, no entry is current
    // now; whoever sets `queued_at` again owns the next one (a worker's park in `Timers::arm`,
    // or this function when it keeps the entry).
    if slot
        .queued_at
        .compare_exchange(due.at, 0, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return None;
    }
    let requeue = |at| {
        slot.queued_at
            .compare_exchange(0, at, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
            .then_some(at)
    };
    match slot.deadline.load(Ordering::SeqCst) {
        // A worker holds the connection; its next park arms the timer again.
        0 => None,
        at if at > now => requeue(at),
        // Expired, unless a worker that woke for this connection at the same moment holds it:
        // then look again at the next tick.
        _ if worker::expire(pool, due.index, due.generation, now, scratch) => None,
        _ => requeue(now + 1),
    }
}
