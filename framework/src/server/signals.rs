//! SIGINT and SIGTERM for the apps that serve with signal handling on (the default of
//! [`App::run`](crate::App::run)): the first signal drains every such app, and a second one ends
//! the process at once, with the signal's default action.
//!
//! The handlers are installed once per process, through signal-hook, and stay: a flag decides at
//! each signal whether its default action runs. It is set whenever no app is serving (so that
//! outside `serve` the signals act as if no handler were installed) and after the first signal.
//! That signal also reaches a thread of ours, which starts the drains.

use super::shutdown::{Drain, ShutdownHandle};
use std::io;

/// An app that serves with signal handling on; dropped when it stops serving.
pub(crate) struct Watch {
    #[cfg(unix)]
    id: u64,
}

/// Registers a serving app: a signal now drains it with `drain`. `log` writes what happens on
/// stderr.
pub(crate) fn watch(handle: ShutdownHandle, drain: Drain, log: bool) -> io::Result<Watch> {
    #[cfg(unix)]
    {
        unix::watch(handle, drain, log)
    }
    #[cfg(not(unix))]
    {
        // No signals to handle here: the app stops through its ShutdownHandle.
        let _ = (handle, drain, log);
        Ok(Watch {})
    }
}

#[cfg(unix)]
mod unix {
    use super::{Drain, ShutdownHandle, Watch};
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    use std::io;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

    struct Serving {
        id: u64,
        handle: ShutdownHandle,
        drain: Drain,
        log: bool,
    }

    struct Dispatcher {
        /// When set, a signal runs its default action (the process ends) in the handler itself.
        default_action: Arc<AtomicBool>,
        serving: Mutex<(u64, Vec<Serving>)>,
    }

    impl Dispatcher {
        fn lock(&self) -> MutexGuard<'_, (u64, Vec<Serving>)> {
            self.serving.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// A signal arrived while apps were serving (the handler did not end the process): the
        /// next one will, and every app drains now.
        fn on_signal(&self, signal: i32) {
            self.default_action.store(true, Ordering::SeqCst);
            let serving = std::mem::take(&mut self.lock().1);
            if serving.is_empty() {
                // The last app stopped just as the signal came.
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                return;
            }
            let name = if signal == SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            for app in serving {
                if app.log {
                    eprintln!(
                        "{name}: draining (grace {} s); send it again to stop at once",
                        app.drain.grace_period().as_secs_f64()
                    );
                }
                let handle = app.handle;
                let drain = app.drain;
                // The drain blocks until it is done; `serve` returns with its report.
                let spawned = crate::server::spawn_thread(
                    std::thread::Builder::new().name("framework-drain".into()),
                    Box::new(move || {
                        let _ = handle.drain(drain);
                    }),
                );
                if spawned.is_err() {
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                }
            }
        }
    }

    fn dispatcher() -> io::Result<&'static Dispatcher> {
        static DISPATCHER: OnceLock<Result<Dispatcher, String>> = OnceLock::new();
        let installed = DISPATCHER.get_or_init(|| install().map_err(|e| e.to_string()));
        installed.as_ref().map_err(|e| {
            io::Error::other(format!(
                "cannot install the SIGINT and SIGTERM handlers: {e}"
            ))
        })
    }

    fn install() -> io::Result<Dispatcher> {
        let default_action = Arc::new(AtomicBool::new(true));
        // Registered first, so it runs first: while the flag is set, the signal ends the process.
        // Then the flag is set in the handler itself, so that the next signal ends it however
        // soon it follows (before our thread has seen this one).
        for signal in [SIGINT, SIGTERM] {
            signal_hook::flag::register_conditional_default(signal, Arc::clone(&default_action))?;
            signal_hook::flag::register(signal, Arc::clone(&default_action))?;
        }
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        crate::server::spawn_thread(
            std::thread::Builder::new().name("framework-signals".into()),
            Box::new(move || {
                for signal in signals.forever() {
                    if let Ok(dispatcher) = dispatcher() {
                        dispatcher.on_signal(signal);
                    }
                }
            }),
        )?;
        Ok(Dispatcher {
            default_action,
            serving: Mutex::new((0, Vec::new())),
        })
    }

    pub(super) fn watch(handle: ShutdownHandle, drain: Drain, log: bool) -> io::Result<Watch> {
        let dispatcher = dispatcher()?;
        let mut serving = dispatcher.lock();
        serving.0 += 1;
        let id = serving.0;
        serving.1.push(Serving {
            id,
            handle,
            drain,
            log,
        });
        dispatcher.default_action.store(false, Ordering::SeqCst);
        Ok(Watch { id })
    }

    impl Drop for Watch {
        fn drop(&mut self) {
            let Ok(dispatcher) = dispatcher() else {
                return;
            };
            let mut serving = dispatcher.lock();
            serving.1.retain(|app| app.id != self.id);
            if serving.1.is_empty() {
                dispatcher.default_action.store(true, Ordering::SeqCst);
            }
        }
    }
}
