//! The readiness-based driver (Linux): idle and half-read connections wait in one epoll set, and
//! hold no thread. Worker threads are leaders and followers at once: up to one per core waits on
//! the set, each connection is in it edge-triggered for its whole life, and the worker that wakes
//! for a connection parses, runs the handler and writes the answer itself, then parks the
//! connection. No request is handed from thread to thread. The handler may block (a database
//! call, a sleep, a body read): a waiter about to run a handler that may block (its connection's
//! last one did, while handlers block lately) first hands its wait to a spare worker, so that the
//! set is never left without a waiter; the supervisor (`timer.rs`) notices waiters stuck in
//! handlers that were not expected to block, and grows the pool. A worker back from its turn
//! while enough others wait parks as a spare (`spares.rs`). Workers that find nothing to do for
//! `Limits::worker_idle_timeout` retire, spares first, down to `Limits::workers`.
//!
//! Files: `table.rs` (connections by slot and generation), `worker.rs` (a worker's loop and one
//! connection's turn), `spares.rs` (workers parked off the set), `timer.rs` (deadlines and pool
//! supervision), `stream.rs` (the socket).

mod spares;
mod stream;
mod table;
mod timer;
mod worker;

use super::driver::SharedConnection;
use super::shutdown::Registry;
use super::Limits;
use crate::handler::Handler;
use crate::http::BodySource;
use rustix::event::epoll::{self, EventData, EventFlags};
use rustix::event::{eventfd, poll, EventfdFlags, PollFd, PollFlags};
use rustix::fd::OwnedFd;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stream::PollStream;
use table::{token, Table};
use timer::Timers;
use worker::{Entry, Phase};

/// A handler that ran while the timer ticked this often is taken as one that blocks (a tick is
/// 1 to 10 ms, see `timer.rs`).
const SLOW_HANDLER_TICKS: u64 = 2;
/// How long after a handler was last seen to block waiters still hand off before they serve.
const BLOCKING_MEMORY_MS: u64 = 1000;

/// The token of the wake-up descriptor, which no slot can have (slot indices stay far below
/// `u32::MAX`).
const WAKE: u64 = u64::MAX;

/// Everything the workers and the timer thread share.
pub(super) struct Pool {
    epoll: OwnedFd,
    /// An eventfd in the epoll set that becomes readable once the server has finished, so that
    /// every waiting worker wakes and ends.
    wake: OwnedFd,
    table: Table<Entry>,
    timers: Timers,
    handler: Arc<dyn Handler>,
    limits: Arc<Limits>,
    registry: Arc<Registry>,
    /// Live workers.
    workers: AtomicUsize,
    /// Workers waiting on the set, or called to it (see `reserve_wait`).
    idle: AtomicUsize,
    /// Workers parked off the set.
    spares: spares::Spares,
    /// Turns completed: the supervisor's sign that workers are getting through their work.
    progress: AtomicU64,
    /// When (timer milliseconds, `Timers::coarse`) a handler was last seen to block: one ran for
    /// `SLOW_HANDLER_TICKS` or more, or the supervisor found every waiter stuck. 0: never.
    blocked_at: AtomicU64,
    min_workers: usize,
    max_workers: usize,
    /// Most workers that wait on the set at once: `min_workers`, but no more than one per core.
    max_waiters: usize,
    /// True until the accept loop has ended; the pool cannot finish before.
    accepting: AtomicBool,
    finished: AtomicBool,
}

/// Serves `listener` until the registry says stop. The calling thread accepts; workers and the
/// timer thread serve.
pub(crate) fn serve(
    listener: &TcpListener,
    handler: Arc<dyn Handler>,
    limits: Arc<Limits>,
    registry: Arc<Registry>,
) -> io::Result<()> {
    let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let wake = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
    epoll::add(&epoll, &wake, EventData::new_u64(WAKE), EventFlags::IN)?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let min_workers = match limits.workers {
        0 => cores,
        n => n,
    };
    let pool = Arc::new(Pool {
        epoll,
        wake,
        table: Table::new(limits.max_connections),
        timers: Timers::new(),
        handler,
        min_workers,
        max_workers: limits.max_workers.max(min_workers),
        max_waiters: min_workers.min(cores),
        limits,
        registry,
        workers: AtomicUsize::new(0),
        idle: AtomicUsize::new(0),
        spares: spares::Spares::default(),
        progress: AtomicU64::new(0),
        blocked_at: AtomicU64::new(0),
        accepting: AtomicBool::new(true),
        finished: AtomicBool::new(false),
    });
    for i in 0..min_workers {
        if !pool.spawn_worker(i < pool.max_waiters) {
            pool.finish();
            return Err(io::Error::other("cannot start the server's worker threads"));
        }
    }
    let timer_pool = Arc::clone(&pool);
    if let Err(e) = super::spawn_thread(
        std::thread::Builder::new().name("framework-timers".into()),
        Box::new(move || timer::run(&timer_pool)),
    ) {
        pool.finish();
        return Err(e);
    }

    let room = pool.limits.max_connections.min(pool.table.capacity());
    super::listener::accept_loop(listener, &pool.registry, room, |socket, remote| {
        pool.admit(socket, remote);
    });
    pool.accepting.store(false, Ordering::SeqCst);
    pool.finish_if_done();
    Ok(())
}

impl Pool {
    /// Starts one more worker, unless the pool is at `max_workers`; false if none was started. A
    /// `waiting` worker has its place among the waiters reserved from the start (so that the
    /// supervisor does not count it missing before it runs); the others find out for themselves
    /// whether to wait or park.
    fn spawn_worker(self: &Arc<Self>, waiting: bool) -> bool {
        if self
            .workers
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max_workers).then_some(n + 1)
            })
            .is_err()
        {
            return false;
        }
        if waiting {
            self.idle.fetch_add(1, Ordering::SeqCst);
        }
        let pool = Arc::clone(self);
        let spawned = super::spawn_thread(
            std::thread::Builder::new()
                .name("framework-worker".into())
                .stack_size(self.limits.thread_stack_size),
            Box::new(move || worker::run(&pool, waiting)),
        );
        if spawned.is_err() {
            self.workers.fetch_sub(1, Ordering::SeqCst);
            if waiting {
                self.idle.fetch_sub(1, Ordering::SeqCst);
            }
        }
        spawned.is_ok()
    }

    /// Every worker is stuck in a handler, events wait, and no spare is parked: double the pool
    /// (up to `max_workers`). One new worker goes to the set at once; the rest join the waiters if
    /// there is room, and park as spares otherwise.
    fn grow(self: &Arc<Self>) {
        let now = self.workers.load(Ordering::SeqCst);
        for i in 0..now.max(1) {
            if !self.spawn_worker(i == 0) {
                break;
            }
        }
    }

    /// Takes a place among the workers that wait on the set, if fewer than `max_waiters` do.
    fn reserve_wait(&self) -> bool {
        self.idle
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max_waiters).then_some(n + 1)
            })
            .is_ok()
    }

    /// A worker is about to run a handler. If it was the last one waiting on the set, handlers
    /// have been seen to block lately, and this one may (`may_block`: its connection's last
    /// handler did, or none has run yet), another worker takes its place at once: the leader
    /// hands the wait to a follower before it serves. That is a parked spare, or, with none
    /// left, a new worker. Otherwise (handlers that do not block: the common case) this is an
    /// atomic load or two; the supervisor still notices a waiter stuck in a handler, within a
    /// few milliseconds.
    fn hand_off_wait(self: &Arc<Self>, may_block: bool) {
        if may_block
            && self.idle.load(Ordering::SeqCst) == 0
            && self.handlers_block()
            && !self.call_spare()
        {
            self.spawn_worker(true);
        }
    }

    /// Whether a handler was seen to block within the last `BLOCKING_MEMORY_MS`.
    fn handlers_block(&self) -> bool {
        let at = self.blocked_at.load(Ordering::Relaxed);
        at != 0 && self.timers.coarse().saturating_sub(at) < BLOCKING_MEMORY_MS
    }

    /// A handler that started at tick `started` (`Timers::ticks`) has returned; whether it
    /// blocked.
    fn handler_done(&self, started: u64) -> bool {
        let blocked = self.timers.ticks().saturating_sub(started) >= SLOW_HANDLER_TICKS;
        if blocked {
            self.blocked_at
                .store(self.timers.coarse(), Ordering::Relaxed);
        }
        blocked
    }

    /// No worker waits on the set and events do: call a parked spare to it. False if none is
    /// parked.
    fn call_spare(&self) -> bool {
        let Some(call) = self.spares.take() else {
            return false;
        };
        // Reserved before the spare runs: it counts itself out of `idle` after its wait.
        self.idle.fetch_add(1, Ordering::SeqCst);
        call.wake();
        true
    }

    /// A worker found nothing to do for a while: it may end if the pool stays at its minimum.
    fn retire(&self) -> bool {
        self.workers
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > self.min_workers).then(|| n - 1)
            })
            .is_ok()
    }

    /// Whether the epoll set has events that no worker has taken (the set itself is pollable).
    fn has_ready_events(&self) -> bool {
        let mut fds = [PollFd::new(&self.epoll, PollFlags::IN)];
        poll(
            &mut fds,
            Some(&crate::server::peer::timespec(Duration::ZERO)),
        )
        .is_ok_and(|n| n > 0)
    }

    /// Finishes once the acceptor has stopped and the last connection has closed.
    fn finish_if_done(&self) {
        if !self.accepting.load(Ordering::SeqCst) && self.registry.is_empty() {
            self.finish();
        }
    }

    /// The server has stopped and its last connection closed: wake every worker to end.
    fn finish(&self) {
        if !self.finished.swap(true, Ordering::AcqRel) {
            let _ = rustix::io::write(&self.wake, &1u64.to_ne_bytes());
            self.spares.finish();
        }
    }

    /// Takes a new connection into the set; its first head is due within `header_timeout`.
    fn admit(&self, socket: TcpStream, remote: SocketAddr) {
        let _ = socket.set_nodelay(true);
        if socket.set_nonblocking(true).is_err() {
            return;
        }
        let Some((index, slot)) = self.table.alloc() else {
            let _ = (&socket).write_all(super::listener::OVERLOADED);
            return;
        };
        let socket = Arc::new(socket);
        let registered = self.registry.register(Arc::clone(&socket));
        let head_deadline = super::driver::later(Instant::now(), self.limits.header_timeout);
        let mut io = SharedConnection::new(
            PollStream::new(Arc::clone(&socket), self.limits.write_timeout),
            Arc::clone(&self.limits),
        );
        io.head_deadline = Some(head_deadline);
        let io = Arc::new(Mutex::new(io));
        let source: Arc<Mutex<dyn BodySource>> = io.clone();
        let generation = slot.generation();
        *worker::lock_entry(slot) = Some(Entry {
            io,
            source,
            socket: Arc::clone(&socket),
            registered,
            remote,
            phase: Phase::Wait(crate::proto::connection::Wait::Head),
            blocked: true,
        });
        self.timers
            .arm(self, index, generation, self.timers.millis(head_deadline));
        // Added after the entry is in place and unlocked: the first event may come at once.
        if epoll::add(
            &self.epoll,
            &*socket,
            EventData::new_u64(token(index, generation)),
            worker::INTEREST,
        )
        .is_err()
        {
            let mut guard = worker::lock_entry(slot);
            if slot.generation() == generation {
                self.release(index, &mut guard);
            }
        }
    }

    /// Closes the connection in slot `index`, whose entry lock the caller holds, and frees the
    /// slot.
    fn release(&self, index: u32, guard: &mut Option<Entry>) {
        let Some(slot) = self.table.get(index) else {
            return;
        };
        let Some(entry) = guard.take() else {
            return;
        };
        slot.deadline.store(0, Ordering::SeqCst);
        slot.queued_at.store(0, Ordering::SeqCst);
        slot.pending.store(false, Ordering::SeqCst);
        slot.generation.fetch_add(1, Ordering::AcqRel);
        // The slot is free before the registry makes room, so the acceptor always finds one.
        self.table.free(index);
        let _ = epoll::delete(&self.epoll, &*entry.socket);
        self.registry.deregister(&entry.registered);
        drop(entry);
        self.finish_if_done();
    }
}
