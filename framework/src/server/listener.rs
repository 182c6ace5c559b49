//! Bind, accept, and hand each connection to the driver that `Limits::driver` picks, with
//! back-pressure at `Limits::max_connections`.

use super::driver::{self, SharedStream};
use super::shutdown::{Accepting, Registry, ShutdownHandle, ShutdownReport};
use super::Limits;
use crate::handler::Handler;
use std::fmt;
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
    registry: Accepting,
}

impl Server {
    /// Binds a listening socket. Port 0 picks a free port; see [`Server::local_addr`]. An address
    /// that resolves to several (`localhost:8080`) is tried in turn, and the first that binds is
    /// kept.
    ///
    /// # Errors
    /// [`BindError`]: the address does not resolve, or none of its socket addresses can be bound;
    /// the error names the address (`cannot listen on 127.0.0.1:8080: Address already in use (os
    /// error 98)`). It converts into an [`io::Error`] of the same kind, for `?` in a function
    /// returning `io::Result`.
    pub fn bind(addr: impl ToSocketAddrs) -> Result<Self, BindError> {
        Self::from_listen(addr, false)
    }

    /// As [`Server::bind`], with `SO_REUSEPORT` set on the socket (Linux), so that several
    /// processes can listen on one port and the kernel spreads new connections among them: a new
    /// process can start on the port of one that still drains (see the README's "Deploying"). Each
    /// of them must bind this way, as the same user.
    ///
    /// # Errors
    /// As [`Server::bind`]; on systems other than Linux, `Unsupported`.
    pub fn bind_reusing_port(addr: impl ToSocketAddrs) -> Result<Self, BindError> {
        Self::from_listen(addr, true)
    }

    fn from_listen(addr: impl ToSocketAddrs, reuse_port: bool) -> Result<Self, BindError> {
        let (listener, local_addr) = listen(addr, reuse_port)?;
        Ok(Self {
            listener,
            local_addr,
            limits: Limits::default(),
            registry: Accepting::new(Registry::new(local_addr)),
        })
    }

    /// Shares the drain flag with an app's `Lifecycle`, before serving.
    pub(crate) fn share_lifecycle(&mut self, lifecycle: &super::Lifecycle) {
        if let Some(registry) = self.registry.registry_mut() {
            registry.share_stopping(lifecycle.flag());
        }
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
        ShutdownHandle::new(Arc::clone(self.registry.registry()))
    }

    /// Serves connections with `handler` until a [`ShutdownHandle`] drains the server, and
    /// returns once the drain is done, with its report. A handler that panics produces a `500`
    /// for that request and the connection closes; every other connection carries on. (This
    /// low-level server handles no signals: [`App::run`](crate::App::run) does.)
    ///
    /// # Errors
    /// Only if the listening socket itself fails; per-connection errors close that connection.
    pub fn serve(self, handler: impl Handler) -> io::Result<ShutdownReport> {
        let registry = Arc::clone(self.registry.registry());
        let handler: Arc<dyn Handler> = Arc::new(Counted {
            inner: handler,
            registry: Arc::clone(&registry),
        });
        self.serve_counted(handler, registry)
    }

    /// The rest of [`Server::serve`], compiled once rather than once per handler type.
    fn serve_counted(
        self,
        handler: Arc<dyn Handler>,
        registry: Arc<Registry>,
    ) -> io::Result<ShutdownReport> {
        let accepting = self.registry;
        let limits = Arc::new(self.limits);
        let listener = self.listener;
        #[cfg(target_os = "linux")]
        if limits.driver.resolve() == super::Driver::Epoll {
            super::epoll::serve(&listener, handler, limits, Arc::clone(&registry))?;
            drop(listener);
            drop(accepting);
            return Ok(registry.wait_for_drain());
        }
        accept_loop(
            &listener,
            &registry,
            limits.max_connections,
            |stream, remote| spawn(stream, remote, &handler, &limits, &registry),
        );
        // Closed now, so that new connections are refused while the drain finishes.
        drop(listener);
        // The drain may count the connections out now: no more will come.
        drop(accepting);
        Ok(registry.wait_for_drain())
    }
}

/// The handler, counting the requests it answers for the shutdown report.
struct Counted<H> {
    inner: H,
    registry: Arc<Registry>,
}

impl<H: Handler> Handler for Counted<H> {
    fn handle(&self, req: &mut crate::http::Request) -> crate::http::Response {
        self.registry.served.fetch_add(1, Ordering::Relaxed);
        self.inner.handle(req)
    }
}

/// Why [`Server::bind`] (and so [`App::bind`](crate::App::bind) and
/// [`App::run`](crate::App::run)) could not open a listening socket. Each names what it tried;
/// the underlying [`io::Error`] is its [`source`](std::error::Error::source), and
/// [`BindError::kind`] its kind. `Debug` writes the `Display` text, so that a `main` returning
/// the error prints a sentence; `{:#?}` shows the variant and its fields.
///
/// ```
/// use framework::{BindError, Server};
/// use std::io::ErrorKind;
///
/// let first = Server::bind("127.0.0.1:0")?;
/// let addr = first.local_addr();
/// let err = Server::bind(addr).err().ok_or("bound twice")?;
/// assert!(matches!(err, BindError::Listen { addr: tried, .. } if tried == addr));
/// assert_eq!(err.kind(), ErrorKind::AddrInUse);
/// assert!(err.to_string().starts_with(&format!("cannot listen on {addr}: ")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
pub enum BindError {
    /// The address did not resolve to any socket address: an unknown host name, a port that is
    /// not a number, or an empty list.
    Resolve(io::Error),
    /// A socket address could not be bound (in use, not local, a port below 1024 without the
    /// right to it). When the address resolved to several, this is the last one tried.
    Listen {
        /// The socket address that was tried.
        addr: SocketAddr,
        /// Why the system refused it.
        source: io::Error,
    },
}

impl BindError {
    /// The kind of the underlying I/O error (`AddrInUse`, `PermissionDenied`, `InvalidInput`...).
    #[must_use]
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Self::Resolve(source) | Self::Listen { source, .. } => source.kind(),
        }
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Resolve(source) => write!(f, "cannot resolve the listen address: {source}"),
            Self::Listen { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
        }
    }
}

/// The `Display` text; `{:#?}` shows the variant and its fields.
impl fmt::Debug for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        match self {
            Self::Resolve(source) => f.debug_tuple("Resolve").field(source).finish(),
            Self::Listen { addr, source } => f
                .debug_struct("Listen")
                .field("addr", addr)
                .field("source", source)
                .finish(),
        }
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Resolve(source) | Self::Listen { source, .. } => Some(source),
        }
    }
}

/// For `?` in a function returning `io::Result`: the same kind, and a message naming the address.
impl From<BindError> for io::Error {
    fn from(e: BindError) -> Self {
        io::Error::new(e.kind(), e)
    }
}

/// Resolves `addr` and binds the first of its socket addresses that can be bound, as
/// `TcpListener::bind` does, remembering which address each failure was for.
fn listen(
    addr: impl ToSocketAddrs,
    reuse_port: bool,
) -> Result<(TcpListener, SocketAddr), BindError> {
    let candidates = addr.to_socket_addrs().map_err(BindError::Resolve)?;
    let mut last = None;
    for candidate in candidates {
        let bound = if reuse_port {
            bind_reusing_port(candidate)
        } else {
            TcpListener::bind(candidate)
        };
        match bound.and_then(|l| Ok((l.local_addr()?, l))) {
            Ok((local, listener)) => return Ok((listener, local)),
            Err(source) => {
                last = Some(BindError::Listen {
                    addr: candidate,
                    source,
                })
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        BindError::Resolve(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to no socket address",
        ))
    }))
}

/// Waits until `listener` has a connection to accept or `wake` is readable (the server stops).
#[cfg(target_os = "linux")]
fn wait_to_accept(listener: &TcpListener, wake: &rustix::fd::OwnedFd) {
    use rustix::event::{poll, PollFd, PollFlags};
    let mut fds = [
        PollFd::new(listener, PollFlags::IN),
        PollFd::new(wake, PollFlags::IN),
    ];
    // EINTR or a failure: the loop tries `accept` again, and comes back here.
    let _ = poll(&mut fds, None);
}

/// A listening socket with `SO_REUSEADDR` and `SO_REUSEPORT`, as `TcpListener::bind` makes one
/// otherwise.
#[cfg(target_os = "linux")]
fn bind_reusing_port(addr: SocketAddr) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    // `Socket::new` sets close-on-exec.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}

#[cfg(not(target_os = "linux"))]
fn bind_reusing_port(_: SocketAddr) -> io::Result<TcpListener> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "SO_REUSEPORT is supported on Linux only",
    ))
}

/// The listen backlog of a socket bound with `SO_REUSEPORT` (the kernel caps it at
/// `net.core.somaxconn`).
#[cfg(target_os = "linux")]
const LISTEN_BACKLOG: i32 = 1024;

/// Accepts connections and hands each to `admit` until the server stops, keeping at most `room`
/// live (beyond it, new clients wait in the kernel's listen backlog). Both drivers accept here.
pub(crate) fn accept_loop(
    listener: &TcpListener,
    registry: &Registry,
    room: usize,
    mut admit: impl FnMut(TcpStream, SocketAddr),
) {
    // On Linux the listening socket is non-blocking, and the acceptor waits in `poll` for it or
    // for the registry's wake-up; elsewhere it blocks in `accept`.
    #[cfg(target_os = "linux")]
    let wake = registry
        .wake
        .as_ref()
        .filter(|_| listener.set_nonblocking(true).is_ok());
    #[cfg(target_os = "linux")]
    registry
        .acceptor_polls
        .store(wake.is_some(), Ordering::Release);
    loop {
        // Back-pressure: at the limit, leave new clients in the kernel's backlog.
        if !registry.wait_for_room(room) {
            break;
        }
        let (stream, remote) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => match e.kind() {
                #[cfg(target_os = "linux")]
                io::ErrorKind::WouldBlock if wake.is_some() => {
                    if let Some(wake) = wake {
                        wait_to_accept(listener, wake);
                    }
                    continue;
                }
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
        admit(stream, remote);
        if registry.closed.load(Ordering::Acquire) {
            break;
        }
    }
    // Stopping: take what already waits in the backlog (clients whose connect succeeded, and
    // who may have sent a request), so that closing the listening socket resets none of them.
    // Still at most `room` live: the drain closes connections meanwhile, and once its grace
    // period is over, what is left in the backlog stays there.
    if listener.set_nonblocking(true).is_ok() {
        while registry.wait_for_room_to_drain(room) {
            match listener.accept() {
                Ok((stream, remote)) => {
                    if stream.set_nonblocking(false).is_ok() {
                        admit(stream, remote);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                // Empty (or failing): done.
                Err(_) => break,
            }
        }
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
                &slot_for_thread.idle,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_address_in_use_is_named_with_its_kind() -> Result<(), BindError> {
        let first = Server::bind("127.0.0.1:0")?;
        let addr = first.local_addr();
        let Err(err) = Server::bind(addr) else {
            panic!("{addr} bound twice");
        };
        assert!(matches!(err, BindError::Listen { addr: tried, .. } if tried == addr));
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        let text = format!("{err:?}");
        assert!(
            text.starts_with(&format!("cannot listen on {addr}: ")),
            "{text}"
        );
        assert_eq!(text, err.to_string());
        let source = err.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(source.map(io::Error::kind), Some(io::ErrorKind::AddrInUse));
        Ok(())
    }

    #[test]
    fn an_address_that_does_not_resolve_is_a_resolve_error() {
        let err = Server::bind("127.0.0.1:not-a-port").err();
        assert!(matches!(err, Some(BindError::Resolve(_))), "{err:?}");
        let none: &[SocketAddr] = &[];
        let err = Server::bind(none).err();
        assert!(matches!(err, Some(BindError::Resolve(_))), "{err:?}");
        assert_eq!(err.map(|e| e.kind()), Some(io::ErrorKind::InvalidInput));
    }

    // `?` in a function returning `io::Result` (the raw server's `main`) keeps kind and address.
    #[test]
    fn a_bind_error_converts_to_an_io_error_of_the_same_kind() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        let io = io::Error::from(BindError::Listen {
            addr,
            source: io::Error::from(io::ErrorKind::AddrInUse),
        });
        assert_eq!(io.kind(), io::ErrorKind::AddrInUse);
        assert!(
            io.to_string()
                .starts_with("cannot listen on 127.0.0.1:8080: "),
            "{io}"
        );
    }
}
