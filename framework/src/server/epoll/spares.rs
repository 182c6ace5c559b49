//! Spare workers: threads the pool has grown to, parked off the epoll set until a waiter or the
//! supervisor calls one.
//!
//! Only one worker per core waits on the set. Many waiters on one set hand each event to a
//! different thread, round robin, and those threads then queue for a core behind each other:
//! measured on one core with 96 workers and no blocking handler at all, `/plaintext` p99 went
//! from 2.4 ms (one waiter) to 198 ms. A worker that comes back from its turn while enough others
//! wait therefore parks here. A waiter about to run a handler that may block calls the most
//! recently parked spare to take its place (`Pool::hand_off_wait`), and the supervisor calls one
//! when every waiter is stuck. Last in, first out, so that under light load the same few spares
//! are reused and the others reach `worker_idle_timeout` and retire.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// One parked spare.
struct Seat {
    /// Set by whoever took the seat off the stack to call it.
    called: AtomicBool,
    thread: Thread,
}

/// A spare taken off the stack: [`Call::wake`] sends it on its way.
pub(super) struct Call(Arc<Seat>);

impl Call {
    /// Wakes the spare, whose `park` returns [`Woken::Called`].
    pub(super) fn wake(self) {
        self.0.called.store(true, Ordering::Release);
        self.0.thread.unpark();
    }
}

/// How a spare's wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Woken {
    /// A waiter handing off, or the supervisor, called it: its place among the waiters is
    /// reserved.
    Called,
    /// Nobody called it within the timeout.
    TimedOut,
    /// The pool has finished.
    Finished,
}

/// The stack of parked spares.
#[derive(Default)]
pub(super) struct Spares {
    parked: Mutex<Vec<Arc<Seat>>>,
    /// `parked.len()`, readable without the lock.
    count: AtomicUsize,
    finished: AtomicBool,
}

impl Spares {
    /// Parks the calling thread until it is called, `timeout` passes, or the pool finishes.
    pub(super) fn park(&self, timeout: Duration) -> Woken {
        let seat = Arc::new(Seat {
            called: AtomicBool::new(false),
            thread: std::thread::current(),
        });
        {
            let mut parked = self.lock();
            if self.finished.load(Ordering::Acquire) {
                return Woken::Finished;
            }
            parked.push(Arc::clone(&seat));
            self.count.store(parked.len(), Ordering::SeqCst);
        }
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if seat.called.load(Ordering::Acquire) {
                return Woken::Called;
            }
            if self.finished.load(Ordering::Acquire) {
                return Woken::Finished;
            }
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                let mut parked = self.lock();
                if let Some(at) = parked.iter().position(|s| Arc::ptr_eq(s, &seat)) {
                    parked.remove(at);
                    self.count.store(parked.len(), Ordering::SeqCst);
                    return Woken::TimedOut;
                }
                // Taken off the stack just now: the call is on its way.
                drop(parked);
                while !seat.called.load(Ordering::Acquire) && !self.finished.load(Ordering::Acquire)
                {
                    std::thread::park();
                }
                continue;
            }
            std::thread::park_timeout(left);
        }
    }

    /// Takes the most recently parked spare off the stack, for the caller to reserve its place
    /// among the waiters and then wake it; `None` if none is parked.
    pub(super) fn take(&self) -> Option<Call> {
        if self.count.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let mut parked = self.lock();
        let seat = parked.pop();
        self.count.store(parked.len(), Ordering::SeqCst);
        seat.map(Call)
    }

    /// How many spares are parked.
    pub(super) fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Wakes every spare for good: the pool has finished.
    pub(super) fn finish(&self) {
        let parked = {
            let mut parked = self.lock();
            self.finished.store(true, Ordering::Release);
            self.count.store(0, Ordering::SeqCst);
            std::mem::take(&mut *parked)
        };
        for seat in parked {
            seat.thread.unpark();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Seat>>> {
        self.parked.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_spare_nobody_calls_times_out() {
        let spares = Spares::default();
        assert_eq!(spares.park(Duration::from_millis(5)), Woken::TimedOut);
        assert!(spares.lock().is_empty());
    }

    #[test]
    fn the_last_parked_is_called_first() {
        let spares = Arc::new(Spares::default());
        let (tx, rx) = mpsc::channel();
        let mut threads = Vec::new();
        for name in ["first", "second"] {
            let shared = Arc::clone(&spares);
            let tx = tx.clone();
            threads.push(std::thread::spawn(move || {
                let woken = shared.park(Duration::from_secs(60));
                tx.send((name, woken)).unwrap();
            }));
            while spares.lock().len() < threads.len() {
                std::thread::yield_now();
            }
        }
        spares.take().expect("two are parked").wake();
        assert_eq!(rx.recv().unwrap(), ("second", Woken::Called));
        spares.finish();
        assert_eq!(rx.recv().unwrap(), ("first", Woken::Finished));
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(spares.take().is_none());
        assert_eq!(spares.park(Duration::from_secs(60)), Woken::Finished);
    }
}
