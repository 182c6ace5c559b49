//! A built app, and serving it: the banner, the access log wrapped around the app's handler, and
//! the listening socket.

use super::dispatch::{Dispatch, ErrorPages};
use super::RunError;
use crate::handler::Handler;
use crate::http::{Method, Request, Response};
use crate::middleware::AccessLog;
use crate::route::Route;
use crate::server::{signals, Drain, Lifecycle, Limits, Server, ShutdownHandle, ShutdownReport};
use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// A built app (from [`App::build`](crate::App::build)): its routes, middleware and state,
/// ready to answer requests. It is a [`Handler`]; [`App::bind`](crate::App::bind) serves it, and
/// [`TestClient`](crate::test::TestClient) drives it in memory.
pub struct BuiltApp {
    pub(crate) handler: ErrorPages<Dispatch>,
    pub(crate) routes: Vec<Route>,
    pub(crate) access_format: AccessLog,
    pub(crate) limits: Limits,
    pub(crate) banner: bool,
    pub(crate) access_log: bool,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) drain: Drain,
    pub(crate) signals: bool,
    pub(crate) reuse_port: bool,
}

impl fmt::Debug for BuiltApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuiltApp")
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

impl Handler for BuiltApp {
    fn handle(&self, req: &mut Request) -> Response {
        self.handler.handle(req)
    }
}

impl BuiltApp {
    /// Answers one request: route it, run the middleware chain and the endpoint (or the `404`,
    /// `405` or automatic `OPTIONS` answer), then render errors through the
    /// [`App::catch`](crate::App::catch) hook. A handler or middleware that panics gets a `500`,
    /// and its connection is closed. (The same as [`Handler::handle`], without the import.)
    pub fn handle(&self, req: &mut Request) -> Response {
        self.handler.handle(req)
    }

    /// The limits the app was built with.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The routes, in mount order.
    #[must_use]
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Writes the start-up banner: where the server listens and the route table.
    fn print_banner(&self, out: &mut impl Write, addr: SocketAddr) -> io::Result<()> {
        writeln!(out, "listening on http://{addr}")?;
        let width = self
            .routes
            .iter()
            .map(|r| r.path().len())
            .max()
            .unwrap_or(0);
        for r in &self.routes {
            let methods: Vec<&str> = r.methods().iter().map(Method::as_str).collect();
            writeln!(
                out,
                "  {:<8} {:<width$}  {} ({})",
                methods.join(","),
                r.path(),
                r.name(),
                r.location()
            )?;
        }
        out.flush()
    }
}

/// The access log around the app: one line per request, written by the log's background thread.
struct AccessLogged {
    app: Arc<BuiltApp>,
}

impl Handler for AccessLogged {
    fn handle(&self, req: &mut Request) -> Response {
        let start = Instant::now();
        let method = req.method().clone();
        let target = req.target().to_string();
        let res = self.app.handle(req);
        self.app
            .access_format
            .record(&method, &target, req, &res, start.elapsed());
        res
    }
}

/// An app bound to its address, not serving yet: learn the address (useful with port 0) and get
/// a shutdown handle first.
pub struct BoundApp {
    server: Server,
    app: Arc<BuiltApp>,
}

impl fmt::Debug for BoundApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundApp")
            .field("addr", &self.server.local_addr())
            .finish_non_exhaustive()
    }
}

impl BoundApp {
    pub(crate) fn new(server: Server, app: BuiltApp) -> Self {
        Self {
            server,
            app: Arc::new(app),
        }
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// A handle to shut the server down gracefully.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.server.shutdown_handle()
    }

    /// Prints the banner on stdout (unless turned off) and serves until a signal or a
    /// [`ShutdownHandle`] drains the server (see [`App::handle_signals`](crate::App::handle_signals)
    /// and [`App::drain`](crate::App::drain)); returns once the drain is done, with its report,
    /// which it also prints on stderr (unless the banner is off).
    ///
    /// # Errors
    /// [`RunError::Io`] if the signal handlers cannot be installed, or the listening socket
    /// fails.
    pub fn serve(self) -> Result<ShutdownReport, RunError> {
        // Not `stdout().lock()`: the lock would be held for as long as the server runs.
        self.serve_with_banner(&mut io::stdout())
    }

    /// As [`BoundApp::serve`], with the banner written to `out` (a test can read it there). `out`
    /// is borrowed for as long as the server runs, and written only before it starts serving.
    ///
    /// # Errors
    /// As [`BoundApp::serve`].
    pub fn serve_with_banner(self, out: &mut impl Write) -> Result<ShutdownReport, RunError> {
        let app = self.app;
        let watch = if app.signals {
            Some(signals::watch(
                self.server.shutdown_handle(),
                app.drain,
                app.banner,
            )?)
        } else {
            None
        };
        if app.banner {
            // A closed stdout must not keep the server from serving.
            let _ = app.print_banner(out, self.server.local_addr());
        }
        let banner = app.banner;
        let report = if crate::middleware::access_log::enabled(app.access_log) {
            self.server.serve(AccessLogged { app })?
        } else {
            self.server
                .serve(move |req: &mut Request| app.handle(req))?
        };
        drop(watch);
        if banner {
            eprintln!("stopped: {report}");
        }
        Ok(report)
    }
}
