//! A worker's loop, and one turn of a connection: wake for it, read what is there, serve every
//! complete request (running the handler on this thread), then park it in the poller again.

use super::spares::Woken;
use super::stream::PollStream;
use super::table::{split, token, Slot};
use super::{Pool, WAKE};
use crate::http::{BodySource, Request};
use crate::proto::connection::{Event, RequestBody, Wait};
use crate::server::driver::{later, lock, run_request, SharedConnection, LINGER};
use crate::server::peer::timespec;
use crate::server::shutdown;
use rustix::buffer::spare_capacity;
use rustix::event::epoll::{self, EventData, EventFlags};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// What a connection waits for: new input (or the peer's close), edge-triggered, so that a
/// connection stays in the set for its whole life and parking it costs no system call.
pub(super) const INTEREST: EventFlags = EventFlags::IN
    .union(EventFlags::RDHUP)
    .union(EventFlags::ET);
/// A write buffer larger than this is not kept for the next connection.
const KEEP_OUT: usize = 64 * 1024;

/// A connection, as the poller holds it between turns.
pub(super) struct Entry {
    pub(super) io: Arc<Mutex<SharedConnection<PollStream>>>,
    /// The same allocation as `io`, as the request body reads it.
    pub(super) source: Arc<Mutex<dyn BodySource>>,
    pub(super) socket: Arc<TcpStream>,
    /// The registry's record, which graceful shutdown uses.
    pub(super) registered: Arc<shutdown::Slot>,
    pub(super) remote: SocketAddr,
    pub(super) phase: Phase,
    /// Whether this connection's last handler blocked (true until one has run): a connection
    /// tends to ask for the same kind of work, so the waiter hands off its wait only before
    /// handlers that may block (see `Pool::hand_off_wait`).
    pub(super) blocked: bool,
}

/// Why a connection is parked.
pub(super) enum Phase {
    /// Waiting for request bytes.
    Wait(Wait),
    /// Closing: the answer is sent and the sending side shut; what the client still sends is
    /// read and dropped until `until` or `left` bytes, so that the kernel does not reset the
    /// connection under the last response (see `driver::LINGER`).
    Linger { until: Instant, left: usize },
}

/// What becomes of a connection at the end of its turn.
enum Next {
    /// Wait for the client until then.
    Park(Instant),
    /// More may be waiting, but others get their turn first.
    Yield,
    Close,
}

/// Most requests one turn serves before the connection goes to the back of the line.
const TURN_REQUESTS: usize = 16;

/// A worker's own things, reused from turn to turn.
struct Local {
    req: Request,
    /// Buffers taken from the last connection that went idle, lent to the next one.
    spare: Option<(Vec<u8>, Vec<u8>)>,
    events: Vec<epoll::Event>,
}

/// Locks a slot's entry (a poisoned lock only means a panic elsewhere; the entry is intact).
pub(super) fn lock_entry<E>(slot: &Slot<E>) -> MutexGuard<'_, Option<E>> {
    slot.entry.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A worker: waits on the shared set (or, while enough others do, parks as a spare), serves what
/// it wakes for, until the server has finished or the worker has been idle long enough to retire.
/// `waiting`: its place among the waiters was reserved when it was started.
pub(super) fn run(pool: &Arc<Pool>, waiting: bool) {
    /// Counts the worker out however it ends.
    struct Leaving<'a>(&'a Pool);
    impl Drop for Leaving<'_> {
        fn drop(&mut self) {
            self.0.workers.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let _leaving = Leaving(pool.as_ref());
    let mut local = Local {
        req: Request::default(),
        spare: None,
        events: Vec::with_capacity(1),
    };
    let idle_for = pool
        .limits
        .worker_idle_timeout
        .max(Duration::from_millis(1));
    let idle = timespec(idle_for);
    let mut reserved = waiting;
    loop {
        local.events.clear();
        if !std::mem::take(&mut reserved) && !pool.reserve_wait() {
            // A parked spare holds no buffers.
            local.spare = None;
            match pool.spares.park(idle_for) {
                // Whoever called it reserved its place among the waiters.
                Woken::Called => {}
                Woken::TimedOut => {
                    if pool.retire() {
                        // `retire` already counted this worker out.
                        std::mem::forget(_leaving);
                        return;
                    }
                    continue;
                }
                Woken::Finished => return,
            }
        }
        let waited = epoll::wait(&pool.epoll, spare_capacity(&mut local.events), Some(&idle));
        pool.idle.fetch_sub(1, Ordering::SeqCst);
        match waited {
            // Nothing came for `worker_idle_timeout`: end if the pool is above its minimum, but
            // not while spares are parked (they retire first, so that the set keeps its waiters).
            Ok(0) if pool.spares.count() == 0 && pool.retire() => {
                // `retire` already counted this worker out.
                std::mem::forget(_leaving);
                return;
            }
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(_) => {
                // Not expected of a valid epoll descriptor; do not spin if it happens.
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        if pool.finished.load(Ordering::Acquire) {
            return;
        }
        let mut events = std::mem::take(&mut local.events);
        for event in events.drain(..) {
            let token = event.data.u64();
            if token != WAKE {
                // Handler panics are answered with a 500 inside `run_request`; this catches what
                // runs outside it (a streamed response body's reader, user `Drop` code), so that
                // the connection is closed rather than left locked, and the worker lives on.
                let turned =
                    panic::catch_unwind(AssertUnwindSafe(|| turn(pool, token, &mut local)));
                if turned.is_err() {
                    local = Local {
                        req: Request::default(),
                        spare: None,
                        events: Vec::with_capacity(1),
                    };
                    abandon(pool, token);
                }
                pool.progress.fetch_add(1, Ordering::Relaxed);
            }
        }
        local.events = events;
    }
}

/// Closes the connection behind `token` after a panic in its turn.
fn abandon(pool: &Pool, token: u64) {
    let (index, generation) = split(token);
    if let Some(slot) = pool.table.get(index) {
        let mut guard = lock_entry(slot);
        if slot.generation() == generation {
            pool.release(index, &mut guard);
        }
    }
}

/// One turn of the connection behind `token`. Connections are edge-triggered, so an event can
/// come while another worker holds the connection (its handler still running): the newcomer
/// leaves a note in `pending` and goes back to the set, and the holder looks at the note after
/// it lets go. Either the holder sees the note or the newcomer gets the lock; no event is lost,
/// and no worker waits for another.
fn turn(pool: &Arc<Pool>, token: u64, local: &mut Local) {
    let (index, generation) = split(token);
    let Some(slot) = pool.table.get(index) else {
        return;
    };
    if slot.generation() != generation {
        return;
    }
    slot.pending.store(true, Ordering::SeqCst);
    loop {
        let mut guard = match slot.entry.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if slot.pending.swap(false, Ordering::SeqCst) && slot.generation() == generation {
            if let Some(entry) = guard.as_mut() {
                slot.deadline.store(0, Ordering::SeqCst);
                let next = match entry.phase {
                    Phase::Linger { .. } => linger(&mut lock(&entry.io), &mut entry.phase),
                    Phase::Wait(_) => serve(pool, entry, local),
                };
                match next {
                    Next::Park(until) => park(pool, index, generation, until),
                    Next::Yield => {
                        park(
                            pool,
                            index,
                            generation,
                            later(Instant::now(), pool.limits.idle_timeout),
                        );
                        report_again(pool, &entry.socket, index, generation);
                    }
                    Next::Close => {
                        pool.release(index, &mut guard);
                        return;
                    }
                }
            }
        }
        drop(guard);
        if !slot.pending.load(Ordering::SeqCst) {
            return;
        }
    }
}

/// Reads, serves every complete request, and decides how the connection waits next.
fn serve(pool: &Arc<Pool>, entry: &mut Entry, local: &mut Local) -> Next {
    let io_shared = Arc::clone(&entry.io);
    let mut guard = lock(&io_shared);
    let mut io = &mut *guard;
    if let Some((read, out)) = local.spare.take() {
        io.conn.lend_buffers(read, out);
    }
    let stopping = &pool.registry.stopping;
    // A read that came back short has (almost surely) emptied the socket: park rather than
    // spend a system call on the `WouldBlock` that a second read would get. Re-arming reports
    // anything that arrived meanwhile.
    let mut emptied = false;
    let mut served = 0;
    loop {
        if served == TURN_REQUESTS && !emptied {
            // Fairness: a client that keeps more queued than one read takes is served in turns
            // of this many requests; the set reports it again at once (see `yield_turn`).
            entry.registered.idle.store(false, Ordering::Release);
            if io.flush().is_err() {
                return Next::Close;
            }
            return Next::Yield;
        }
        if stopping.load(Ordering::Relaxed) {
            io.conn.stop();
        }
        match io.conn.poll(&mut local.req, Some(entry.remote)) {
            Event::NeedData(wait) => {
                entry
                    .registered
                    .idle
                    .store(matches!(wait, Wait::Idle), Ordering::Release);
                if io.flush().is_err() {
                    return Next::Close;
                }
                if !emptied {
                    let buf = io.conn.read_buf();
                    let room = buf.len();
                    match io.stream.try_read(buf) {
                        Ok(n) => {
                            io.conn.received(n);
                            emptied = n < room;
                            continue;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => return Next::Close,
                    }
                }
                let now = Instant::now();
                let until = io.deadline(wait, now);
                if until <= now {
                    io.conn.timed_out(wait);
                    continue;
                }
                if let Some((read, mut out)) = io.conn.take_idle_buffers() {
                    if out.capacity() > KEEP_OUT {
                        out = Vec::new();
                    }
                    local.spare = Some((read, out));
                }
                entry.phase = Phase::Wait(wait);
                return Next::Park(until);
            }
            Event::Close => {
                if io.flush().is_err() {
                    return Next::Close;
                }
                return begin_linger(io, &mut entry.phase);
            }
            Event::Request(body) => {
                let streamed = matches!(body, RequestBody::Stream);
                entry.registered.idle.store(false, Ordering::Release);
                drop(guard);
                pool.hand_off_wait(entry.blocked);
                let started = pool.timers.ticks();
                let ok = run_request(
                    &io_shared,
                    &entry.source,
                    &mut local.req,
                    body,
                    &*pool.handler,
                    stopping,
                );
                entry.blocked = pool.handler_done(started);
                if !ok {
                    return Next::Close;
                }
                served += 1;
                // A streamed body was read outside this loop, and may have left bytes behind.
                emptied &= !streamed;
                guard = lock(&io_shared);
                io = &mut *guard;
            }
        }
    }
}

/// Shuts the sending side and starts the lingering close.
fn begin_linger(io: &mut SharedConnection<PollStream>, phase: &mut Phase) -> Next {
    use crate::server::driver::Transport;
    io.stream.shutdown_write();
    *phase = Phase::Linger {
        until: Instant::now() + LINGER,
        left: io.linger_budget(),
    };
    linger(io, phase)
}

/// Drops what the client still sends, without waiting; parks until more comes or time is up.
fn linger(io: &mut SharedConnection<PollStream>, phase: &mut Phase) -> Next {
    let Phase::Linger { until, left } = phase else {
        return Next::Close;
    };
    loop {
        // The read buffer is no longer needed for requests: drop what it holds.
        io.conn.discard_input();
        let buf = io.conn.read_buf();
        let room = buf.len().min(*left);
        match io.stream.try_read(&mut buf[..room]) {
            Ok(0) => return Next::Close,
            Ok(n) => {
                *left -= n;
                if *left == 0 || Instant::now() >= *until {
                    return Next::Close;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return if Instant::now() < *until {
                    Next::Park(*until)
                } else {
                    Next::Close
                };
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Next::Close,
        }
    }
}

/// Has the set report the connection again (edge-triggered: modifying it re-checks readiness),
/// for whichever worker is free.
fn report_again(pool: &Pool, socket: &TcpStream, index: u32, generation: u32) {
    let _ = epoll::modify(
        &pool.epoll,
        socket,
        EventData::new_u64(token(index, generation)),
        INTEREST,
    );
}

/// Parks the connection until its deadline. It stays in the set (edge-triggered), so nothing
/// needs re-arming: the next bytes from the client are the next event.
fn park(pool: &Pool, index: u32, generation: u32, until: Instant) {
    pool.timers
        .arm(pool, index, generation, pool.timers.millis(until));
}

/// The timer thread found the connection's deadline passed. False if a worker holds the
/// connection (it woke for it just now), so the timer should look again later.
pub(super) fn expire(
    pool: &Pool,
    index: u32,
    generation: u32,
    now: u64,
    scratch: &mut Request,
) -> bool {
    let Some(slot) = pool.table.get(index) else {
        return true;
    };
    let mut guard = match slot.entry.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(e)) => e.into_inner(),
        Err(TryLockError::WouldBlock) => return false,
    };
    if slot.generation() != generation {
        return true;
    }
    let Some(entry) = guard.as_mut() else {
        return true;
    };
    // A worker may have served and parked the connection again since the timer looked.
    let at = slot.deadline.load(Ordering::SeqCst);
    if at == 0 || at > now {
        return false;
    }
    slot.deadline.store(0, Ordering::SeqCst);
    let next = match entry.phase {
        Phase::Linger { .. } => Next::Close,
        // The client sent its request in time, but every worker was busy: not its fault. Give
        // it a new head deadline; the set still holds its event for the next free worker.
        Phase::Wait(Wait::Idle | Wait::Head)
            if !lock(&entry.io).conn.has_partial_head() && has_input(&entry.socket) =>
        {
            let mut io = lock(&entry.io);
            io.head_deadline = None;
            let until = io.deadline(Wait::Head, Instant::now());
            drop(io);
            entry.phase = Phase::Wait(Wait::Head);
            Next::Park(until)
        }
        Phase::Wait(wait) => {
            let io_shared = Arc::clone(&entry.io);
            let mut io = lock(&io_shared);
            io.conn.timed_out(wait);
            // A timeout ends the connection (with a 408 if a head was under way).
            let _ = io.conn.poll(scratch, None);
            // The timer thread must not wait on a client: one attempt to send the 408.
            let out = io.conn.output();
            if !out.is_empty() {
                let n = io.stream.try_write(out).unwrap_or(0);
                io.conn.consumed_output(n);
            }
            begin_linger(&mut io, &mut entry.phase)
        }
    };
    match next {
        Next::Park(until) => {
            park(pool, index, generation, until);
            let socket = Arc::clone(&entry.socket);
            drop(guard);
            // A worker that woke for this connection meanwhile left it to us, but this thread
            // does not serve: have the set report the connection again, for a worker.
            if slot.pending.load(Ordering::SeqCst) {
                let _ = epoll::modify(
                    &pool.epoll,
                    &*socket,
                    EventData::new_u64(token(index, generation)),
                    INTEREST,
                );
            }
        }
        Next::Yield | Next::Close => pool.release(index, &mut guard),
    }
    true
}

/// Whether the socket has bytes to read (a hang-up alone is not input).
fn has_input(socket: &TcpStream) -> bool {
    socket.peek(&mut [0u8]).is_ok_and(|n| n > 0)
}
