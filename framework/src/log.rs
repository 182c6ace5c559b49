//! The access log: one line per request on stderr, written by a background thread so that a slow
//! stderr never holds up the connection threads.

use crate::http::{Request, Response};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

/// Lines waiting for the writer thread; beyond this, lines are dropped (and counted) rather than
/// making a request wait for the log.
const QUEUE: usize = 8192;

/// Whether the access log is on: `ACCESS_LOG=0` or `1` in the environment decides, else `default`.
pub(crate) fn enabled(default: bool) -> bool {
    match std::env::var("ACCESS_LOG").as_deref().map(str::trim) {
        Ok("0" | "false" | "off") => false,
        Ok("1" | "true" | "on") => true,
        _ => default,
    }
}

/// A handle to the log writer; cheap to clone.
#[derive(Clone)]
pub(crate) struct AccessLog {
    lines: SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl AccessLog {
    /// Starts the writer thread.
    pub(crate) fn start() -> std::io::Result<Self> {
        let (lines, queue) = sync_channel::<String>(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let seen_dropped = Arc::clone(&dropped);
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || {
                while let Ok(line) = queue.recv() {
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(line.as_bytes());
                    // Write whatever else is already queued under the same lock.
                    while let Ok(line) = queue.try_recv() {
                        let _ = err.write_all(line.as_bytes());
                    }
                    let lost = seen_dropped.swap(0, Ordering::Relaxed);
                    if lost > 0 {
                        let _ = writeln!(err, "access log: {lost} lines dropped (stderr too slow)");
                    }
                }
            })?;
        Ok(Self { lines, dropped })
    }

    /// Records one exchange: `GET /users/1 200 51B 0.123ms 127.0.0.1:52314`.
    pub(crate) fn record(&self, req: &Request, res: &Response, took: Duration) {
        let bytes = res
            .body()
            .len()
            .map_or_else(|| "-".to_string(), |n| format!("{n}B"));
        let from = req
            .remote_addr()
            .map_or_else(|| "-".to_string(), |a| a.to_string());
        let line = format!(
            "{} {} {} {bytes} {:.3}ms {from}\n",
            req.method(),
            req.target(),
            res.status().as_u16(),
            took.as_secs_f64() * 1000.0
        );
        match self.lines.try_send(line) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
