//! Graceful shutdown, the drain: say `Connection: close` on every response, optionally keep
//! serving for a delay (readiness answers `503`, so that a load balancer moves away), then stop
//! accepting (the listening socket closes, so new connections are refused), close the idle
//! connections, let requests in progress finish within the grace period, and cut off the rest.

use std::collections::HashMap;
use std::fmt;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// One live connection, as the registry sees it.
pub(crate) struct Slot {
    id: u64,
    pub(crate) stream: Arc<TcpStream>,
    /// True while the connection waits between requests with nothing of the next one received
    /// (a keep-alive connection at rest): a drain closes these at once. A new connection waiting
    /// for its first request is not idle, nor is one whose request is being handled.
    pub(crate) idle: AtomicBool,
}

struct Live {
    next_id: u64,
    slots: HashMap<u64, Arc<Slot>>,
    /// True until the server's acceptor has taken its backlog and stopped (or the server was
    /// dropped unserved): until then a drain may still see connections arrive, and waits.
    accepting: bool,
    /// Set when a drain's grace period is over: the acceptor stops taking the backlog.
    cut_off: bool,
}

/// The server's live connections, shared by the accept loop, the connection threads and
/// [`ShutdownHandle`]s.
pub(crate) struct Registry {
    live: Mutex<Live>,
    changed: Condvar,
    /// Set when a drain begins: every response from then on says `Connection: close`, and
    /// [`Lifecycle::is_draining`] is true. Shared with the app's `Lifecycle`.
    pub(crate) stopping: Arc<AtomicBool>,
    /// Set when the acceptor is to stop (after the drain's delay): it closes the listening socket.
    pub(crate) closed: AtomicBool,
    /// Requests handled over the server's life.
    pub(crate) served: AtomicU64,
    drain: Mutex<DrainState>,
    /// Signalled when the drain is done (with `drain`).
    drained: Condvar,
    /// An eventfd that becomes readable when the acceptor is to stop: it waits on it beside the
    /// listening socket (Linux). Without it, a connection of our own wakes the acceptor, which a
    /// socket bound with `SO_REUSEPORT` may hand to another process.
    #[cfg(target_os = "linux")]
    pub(crate) wake: Option<rustix::fd::OwnedFd>,
    /// Whether the acceptor waits in `poll` on `wake` (its listening socket could be made
    /// non-blocking); otherwise it blocks in `accept`, and a connection of our own wakes it.
    #[cfg(target_os = "linux")]
    pub(crate) acceptor_polls: AtomicBool,
    local_addr: SocketAddr,
}

/// Where the drain is.
enum DrainState {
    Serving,
    Draining,
    Done(ShutdownReport),
}

impl Registry {
    pub(crate) fn new(local_addr: SocketAddr) -> Self {
        Self {
            live: Mutex::new(Live {
                next_id: 0,
                slots: HashMap::new(),
                accepting: true,
                cut_off: false,
            }),
            changed: Condvar::new(),
            stopping: Arc::new(AtomicBool::new(false)),
            closed: AtomicBool::new(false),
            served: AtomicU64::new(0),
            drain: Mutex::new(DrainState::Serving),
            drained: Condvar::new(),
            #[cfg(target_os = "linux")]
            wake: rustix::event::eventfd(
                0,
                rustix::event::EventfdFlags::CLOEXEC | rustix::event::EventfdFlags::NONBLOCK,
            )
            .ok(),
            #[cfg(target_os = "linux")]
            acceptor_polls: AtomicBool::new(false),
            local_addr,
        }
    }

    /// Wakes the acceptor, which waits for a connection, to see that it is to stop.
    fn wake_acceptor(&self) {
        #[cfg(target_os = "linux")]
        if let Some(wake) = &self.wake {
            let _ = rustix::io::write(wake, &1u64.to_ne_bytes());
            if self.acceptor_polls.load(Ordering::Acquire) {
                return;
            }
        }
        // A connection of our own: the acceptor takes it (it closes at once) with the backlog.
        let mut wake = self.local_addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(if wake.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        drop(TcpStream::connect_timeout(&wake, Duration::from_secs(1)));
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Blocks while `max` connections are live. False once the acceptor is to stop.
    pub(crate) fn wait_for_room(&self, max: usize) -> bool {
        let mut live = self.lock();
        while live.slots.len() >= max && !self.closed.load(Ordering::Acquire) {
            live = self
                .changed
                .wait(live)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !self.closed.load(Ordering::Acquire)
    }

    /// As [`Registry::wait_for_room`], for the acceptor taking its backlog once the server is to
    /// stop: the drain closes connections meanwhile. False once the drain has cut off the rest.
    pub(crate) fn wait_for_room_to_drain(&self, max: usize) -> bool {
        let mut live = self.lock();
        while live.slots.len() >= max && !live.cut_off {
            live = self
                .changed
                .wait(live)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !live.cut_off
    }

    /// The acceptor has stopped for good: whatever it admitted is registered.
    fn acceptor_done(&self) {
        self.lock().accepting = false;
        self.changed.notify_all();
    }

    /// Shares the drain flag with an app's [`Lifecycle`]; called before the server starts.
    pub(crate) fn share_stopping(&mut self, flag: Arc<AtomicBool>) {
        self.stopping = flag;
    }

    fn drain_state(&self) -> MutexGuard<'_, DrainState> {
        self.drain.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Blocks until a drain has finished; its report. `serve` returns with it.
    pub(crate) fn wait_for_drain(&self) -> ShutdownReport {
        let mut state = self.drain_state();
        loop {
            if let DrainState::Done(report) = &*state {
                return *report;
            }
            state = self
                .drained
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    pub(crate) fn register(&self, stream: Arc<TcpStream>) -> Arc<Slot> {
        let mut live = self.lock();
        live.next_id += 1;
        let slot = Arc::new(Slot {
            id: live.next_id,
            stream,
            idle: AtomicBool::new(false),
        });
        live.slots.insert(slot.id, Arc::clone(&slot));
        slot
    }

    /// How many connections are live.
    pub(crate) fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// Whether no connection is live.
    pub(crate) fn is_empty(&self) -> bool {
        self.lock().slots.is_empty()
    }

    pub(crate) fn deregister(&self, slot: &Slot) {
        self.lock().slots.remove(&slot.id);
        self.changed.notify_all();
    }

    /// Deregisters `slot` when dropped.
    pub(crate) fn guard<'a>(&'a self, slot: &'a Slot) -> Registered<'a> {
        Registered {
            registry: self,
            slot,
        }
    }
}

/// The server's hold on its registry while it may still accept: dropped once the acceptor has
/// taken the backlog and stopped (or with a server that never served), so that a drain counts
/// the connections out only when no more can come.
pub(crate) struct Accepting(Arc<Registry>);

impl Accepting {
    pub(crate) fn new(registry: Registry) -> Self {
        Self(Arc::new(registry))
    }

    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.0
    }

    /// The registry, while nothing else shares it (before any handle is made).
    pub(crate) fn registry_mut(&mut self) -> Option<&mut Registry> {
        Arc::get_mut(&mut self.0)
    }
}

impl Drop for Accepting {
    fn drop(&mut self) {
        self.0.acceptor_done();
    }
}

/// Removes a connection from the registry when its thread ends, however it ends.
pub(crate) struct Registered<'a> {
    registry: &'a Registry,
    slot: &'a Slot,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.registry.deregister(self.slot);
    }
}

/// How a server drains when it is shut down: the delay before it stops accepting and the grace
/// period that requests in progress get. [`App::drain`](crate::App::drain) sets it for the
/// signals that [`App::run`](crate::App::run) handles; [`ShutdownHandle::drain`] takes it.
///
/// ```
/// use framework::Drain;
/// use std::time::Duration;
///
/// let drain = Drain::new().grace(Duration::from_secs(10)).delay(Duration::from_secs(5));
/// assert_eq!(drain.grace_period(), Duration::from_secs(10));
/// assert_eq!(Drain::default().grace_period(), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drain {
    grace: Duration,
    delay: Duration,
}

impl Default for Drain {
    fn default() -> Self {
        Self::new()
    }
}

impl Drain {
    /// A grace period of 30 seconds and no delay.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            grace: Duration::from_secs(30),
            delay: Duration::ZERO,
        }
    }

    /// How long requests in progress get to finish once the server stops accepting (default 30
    /// seconds); connections still open then are cut off.
    #[must_use]
    pub const fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// How long the server keeps accepting and serving after the drain begins (default none).
    /// Meanwhile every response says `Connection: close` and the readiness route answers `503`,
    /// so that a load balancer that polls it takes the instance out before it stops listening.
    #[must_use]
    pub const fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The grace period.
    #[must_use]
    pub const fn grace_period(&self) -> Duration {
        self.grace
    }

    /// The delay before the server stops accepting.
    #[must_use]
    pub const fn delay_period(&self) -> Duration {
        self.delay
    }
}

/// What a graceful shutdown achieved. `Display` writes it as one sentence, for a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Requests handled over the server's life.
    pub requests_served: u64,
    /// Connections that were open when the server stopped accepting, those it took from the
    /// listen backlog as it stopped included.
    pub open_at_start: usize,
    /// Of those, the ones with a request in progress (being handled, or being received).
    pub in_flight_at_start: usize,
    /// Connections that closed within the grace period: idle ones closed at once, the others
    /// after their last response.
    pub drained: usize,
    /// Connections still open at the end of the grace period, cut off: their sockets were shut
    /// down, and their threads end once their handlers return.
    pub abandoned: usize,
    /// From the start of the drain (the delay included) to its end.
    pub took: Duration,
}

impl fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "served {} requests; at the stop {} connections were open ({} in flight): {} drained, {} cut off, in {:.2} s",
            self.requests_served,
            self.open_at_start,
            self.in_flight_at_start,
            self.drained,
            self.abandoned,
            self.took.as_secs_f64()
        )
    }
}

/// The server's phase, as a handler sees it through `State<Lifecycle>` (every app has one):
/// whether a drain has begun. The readiness route ([`App::readiness`](crate::App::readiness))
/// answers from it.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, Lifecycle, State};
///
/// #[get("/work")]
/// fn work(lifecycle: State<Lifecycle>) -> &'static str {
///     if lifecycle.is_draining() { "finishing up" } else { "working" }
/// }
///
/// let client = TestClient::new(App::new().mount("/", routes![work]))?;
/// assert_eq!(client.get("/work").send().text(), "working");
/// # Ok::<(), framework::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lifecycle {
    draining: Arc<AtomicBool>,
}

impl Lifecycle {
    /// A server that is not draining: each app makes its own.
    pub(crate) fn new() -> Self {
        Self {
            draining: Arc::new(AtomicBool::new(false)),
        }
    }

    /// True once a drain has begun (a signal, or [`ShutdownHandle::drain`]).
    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.draining)
    }
}

/// Stops a [`Server`](crate::Server) from another thread. Cloneable; every clone stops the same
/// server.
#[derive(Clone)]
pub struct ShutdownHandle {
    registry: Arc<Registry>,
}

impl fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("addr", &self.registry.local_addr)
            .field("draining", &self.is_draining())
            .finish()
    }
}

impl ShutdownHandle {
    pub(crate) fn new(registry: Arc<Registry>) -> Self {
        Self { registry }
    }

    /// As [`ShutdownHandle::drain`] with this grace period and no delay.
    #[must_use = "the report says whether every connection finished in time"]
    pub fn shutdown(&self, grace: Duration) -> ShutdownReport {
        self.drain(Drain::new().grace(grace))
    }

    /// Whether a drain has begun.
    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.registry.stopping.load(Ordering::Acquire)
    }

    /// Drains the server and returns once it is done: from now on every response says
    /// `Connection: close`; after `drain`'s delay the server stops accepting (the listening
    /// socket closes, so new connections are refused, while those already waiting in its backlog
    /// are taken and served), closes its idle keep-alive connections, lets requests in progress
    /// finish for up to the grace period, then shuts the rest down. `Server::serve` returns with
    /// the same report. A second call, or one from another clone, waits for the drain under way
    /// and returns its report. The grace period also bounds the wait for the backlog: a drain
    /// that begins before `serve` waits for it (or for the server to be dropped) that long.
    #[must_use = "the report says whether every connection finished in time"]
    pub fn drain(&self, drain: Drain) -> ShutdownReport {
        let registry = &self.registry;
        {
            let mut state = registry.drain_state();
            if !matches!(*state, DrainState::Serving) {
                drop(state);
                return registry.wait_for_drain();
            }
            *state = DrainState::Draining;
        }
        let started = Instant::now();
        registry.stopping.store(true, Ordering::Release);
        if !drain.delay.is_zero() {
            std::thread::sleep(drain.delay);
        }
        registry.closed.store(true, Ordering::Release);
        let deadline = Instant::now() + drain.grace;
        let live = registry.lock();
        let mut open_at_start = live.slots.len();
        // Those registered from now on come from the backlog (new, so not idle).
        let known = live.next_id;
        let mut in_flight_at_start: usize = 0;
        for slot in live.slots.values() {
            if slot.idle.load(Ordering::Acquire) {
                // Its thread (or the epoll set) waits for a next request: end that wait now. A
                // request already received is still read, and answered with `Connection: close`.
                let _ = slot.stream.shutdown(Shutdown::Read);
            } else {
                in_flight_at_start += 1;
            }
        }
        drop(live);
        registry.changed.notify_all();
        // The acceptor takes what waits in the backlog and closes the listening socket; the
        // drain waits for it, then for every connection, the backlog's included.
        registry.wake_acceptor();
        let mut live = registry.lock();
        while !live.slots.is_empty() || live.accepting {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            live = registry
                .changed
                .wait_timeout(live, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        // An acceptor still waiting for room to take more of its backlog stops.
        live.cut_off = true;
        let from_backlog = usize::try_from(live.next_id - known).unwrap_or(usize::MAX);
        open_at_start = open_at_start.saturating_add(from_backlog);
        in_flight_at_start = in_flight_at_start.saturating_add(from_backlog);
        let abandoned = live.slots.len();
        for slot in live.slots.values() {
            let _ = slot.stream.shutdown(Shutdown::Both);
        }
        drop(live);
        registry.changed.notify_all();
        let report = ShutdownReport {
            requests_served: registry.served.load(Ordering::Relaxed),
            open_at_start,
            in_flight_at_start,
            drained: open_at_start.saturating_sub(abandoned),
            abandoned,
            took: started.elapsed(),
        };
        *registry.drain_state() = DrainState::Done(report);
        registry.drained.notify_all();
        report
    }
}
