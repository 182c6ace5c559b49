//! Graceful shutdown: stop accepting, close idle connections, let requests in progress finish
//! within a deadline, then return.

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// One live connection, as the registry sees it.
pub(crate) struct Slot {
    id: u64,
    pub(crate) stream: Arc<TcpStream>,
    /// True while a request on this connection is being handled.
    pub(crate) busy: AtomicBool,
}

#[derive(Default)]
struct Live {
    next_id: u64,
    slots: HashMap<u64, Arc<Slot>>,
}

/// The server's live connections, shared by the accept loop, the connection threads and
/// [`ShutdownHandle`]s.
pub(crate) struct Registry {
    live: Mutex<Live>,
    changed: Condvar,
    pub(crate) stopping: AtomicBool,
    local_addr: SocketAddr,
}

impl Registry {
    pub(crate) fn new(local_addr: SocketAddr) -> Self {
        Self {
            live: Mutex::new(Live::default()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            local_addr,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Blocks while `max` connections are live. False once the server is stopping.
    pub(crate) fn wait_for_room(&self, max: usize) -> bool {
        let mut live = self.lock();
        while live.slots.len() >= max && !self.stopping.load(Ordering::Acquire) {
            live = self
                .changed
                .wait(live)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !self.stopping.load(Ordering::Acquire)
    }

    pub(crate) fn register(&self, stream: Arc<TcpStream>) -> Arc<Slot> {
        let mut live = self.lock();
        live.next_id += 1;
        let slot = Arc::new(Slot {
            id: live.next_id,
            stream,
            busy: AtomicBool::new(false),
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

/// What a graceful shutdown achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Connections that were open when the shutdown began.
    pub open_at_start: usize,
    /// Connections still open at the deadline; their sockets were shut down, and their threads
    /// end once their handlers return.
    pub abandoned: usize,
}

/// Stops a [`Server`](crate::Server) from another thread. Cloneable; every clone stops the same
/// server.
#[derive(Clone)]
pub struct ShutdownHandle {
    registry: Arc<Registry>,
}

impl ShutdownHandle {
    pub(crate) fn new(registry: Arc<Registry>) -> Self {
        Self { registry }
    }

    /// Stops accepting connections, closes the idle ones at once, lets requests in progress finish
    /// (their responses say `Connection: close`) for up to `grace`, then shuts the rest down and
    /// returns. `Server::serve` returns once its accept loop has seen the stop.
    #[must_use = "the report says whether every connection finished in time"]
    pub fn shutdown(&self, grace: Duration) -> ShutdownReport {
        let registry = &self.registry;
        registry.stopping.store(true, Ordering::Release);
        registry.changed.notify_all();
        // Wake the accept loop, which blocks in `accept`, with a connection of our own.
        let mut wake = registry.local_addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(if wake.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));

        let deadline = Instant::now() + grace;
        let mut live = registry.lock();
        let open_at_start = live.slots.len();
        for slot in live.slots.values() {
            if !slot.busy.load(Ordering::Acquire) {
                // Its thread is waiting for a request: end that wait now.
                let _ = slot.stream.shutdown(Shutdown::Read);
            }
        }
        while !live.slots.is_empty() {
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
        let abandoned = live.slots.len();
        for slot in live.slots.values() {
            let _ = slot.stream.shutdown(Shutdown::Both);
        }
        ShutdownReport {
            open_at_start,
            abandoned,
        }
    }
}
