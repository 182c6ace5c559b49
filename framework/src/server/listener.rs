//! Bind, accept, and hand each connection to the driver that `Limits::driver` picks, with
//! back-pressure at `Limits::max_connections`.

use super::driver::{self, SharedStream};
use super::shutdown::{Registry, ShutdownHandle};
use super::Limits;
use crate::handler::Handler;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Pause after `accept` fails for lack of resources (file descriptors, memory), so that the loop
/// does not spin while connections close and free them.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// The answer to a connection the server has no room for (no thread, or no slot, to be had).
pub(crate) const OVERLOADED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 32\r\nConnection: close\r\n\r\n{\"error\":\"server is overloaded\"}";

/// An HTTP/1.1 server: a listening socket and its limits. On Linux, idle connections wait in
/// epoll and a pool of workers serves the ones with requests (see [`Driver`](crate::Driver));
/// elsewhere, or with [`Driver::Threads`](crate::Driver::Threads), each connection gets its own
/// thread. Either way a slow or idle client never delays another.
///
/// ```no_run
/// use framework::{Response, Server};
///
/// let server = Server::bind("127.0.0.1:8080")?;
/// println!("listening on http://{}", server.local_addr());
/// server.serve(|req: &mut framework::Request| Response::text(format!("you asked for {}", req.path())))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    limits: Limits,
    registry: Arc<Registry>,
}

impl Server {
    /// Binds a listening socket. Port 0 picks a free port; see [`Server::local_addr`].
    ///
    /// # Errors
    /// The address cannot be resolved or bound.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            listener,
            local_addr,
            limits: Limits::default(),
            registry: Arc::new(Registry::new(local_addr)),
        })
    }

    /// Replaces the limits (see [`Limits`] for the defaults).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle that shuts the server down gracefully, from any thread.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle::new(Arc::clone(&self.registry))
    }

    /// Serves connections with `handler` until [`ShutdownHandle::shutdown`] is called. A handler
    /// that panics produces a `500` for that request and the connection closes; every other
    /// connection carries on.
    ///
    /// # Errors
    /// Only if the listening socket itself fails; per-connection errors close that connection.
    pub fn serve(self, handler: impl Handler) -> io::Result<()> {
        let handler: Arc<dyn Handler> = Arc::new(handler);
        let limits = Arc::new(self.limits);
        let registry = self.registry;
        #[cfg(target_os = "linux")]
        if limits.driver.resolve() == super::Driver::Epoll {
            return super::epoll::serve(&self.listener, handler, limits, registry);
        }
        accept_loop(
            &self.listener,
            &registry,
            limits.max_connections,
            |stream, remote| spawn(stream, remote, &handler, &limits, &registry),
        );
        Ok(())
    }
}

/// Accepts connections and hands each to `admit` until the server stops, keeping at most `room`
/// live (beyond it, new clients wait in the kernel's listen backlog). Both drivers accept here.
pub(crate) fn accept_loop(
    listener: &TcpListener,
    registry: &Registry,
    room: usize,
    mut admit: impl FnMut(TcpStream, SocketAddr),
) {
    loop {
        // Back-pressure: at the limit, leave new clients in the kernel's backlog.
        if !registry.wait_for_room(room) {
            break;
        }
        let (stream, remote) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => match e.kind() {
                io::ErrorKind::Interrupted
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset => continue,
                _ => {
                    // Out of file descriptors or memory: wait for connections to close.
                    std::thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
            },
        };
        if registry.stopping.load(Ordering::Acquire) {
            break;
        }
        admit(stream, remote);
    }
}

fn spawn(
    stream: TcpStream,
    remote: SocketAddr,
    handler: &Arc<dyn Handler>,
    limits: &Arc<Limits>,
    registry: &Arc<Registry>,
) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(limits.write_timeout.max(Duration::from_millis(1))));
    let stream = Arc::new(stream);
    let slot = registry.register(Arc::clone(&stream));
    let handler = Arc::clone(handler);
    let limits_for_thread = Arc::clone(limits);
    let registry_for_thread = Arc::clone(registry);
    let slot_for_thread = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .stack_size(limits.thread_stack_size)
        .spawn(move || {
            // Deregisters even if the driver itself panics (a bug, but not a leak).
            let _registered = registry_for_thread.guard(&slot_for_thread);
            driver::serve(
                SharedStream(Arc::clone(&slot_for_thread.stream)),
                Some(remote),
                &*handler,
                limits_for_thread,
                &slot_for_thread.busy,
                &registry_for_thread.stopping,
            );
        });
    if spawned.is_err() {
        // No thread to be had: say so, and let the client retry later.
        registry.deregister(&slot);
        let _ = stream.set_nonblocking(true);
        let _ = (&*stream).write_all(OVERLOADED);
    }
}
