//! A non-blocking socket that blocks only where a worker means to wait: inside a handler's body
//! read, and while a response is written. The poller never waits here; it reads with
//! [`PollStream::try_read`] and parks the connection when nothing is there.

use crate::server::driver::Transport;
use crate::server::peer;
use rustix::event::PollFlags;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// The socket of a connection served by the readiness-based driver.
pub(crate) struct PollStream {
    socket: Arc<TcpStream>,
    /// How long a blocking read (a body read in a handler) waits; `None` waits forever.
    read_timeout: Option<Duration>,
    /// How long a write waits for the client to make room.
    write_timeout: Duration,
}

impl PollStream {
    /// Wraps a socket that is already non-blocking.
    pub(crate) fn new(socket: Arc<TcpStream>, write_timeout: Duration) -> Self {
        Self {
            socket,
            read_timeout: None,
            // A zero timeout would fail every write that has to wait at all.
            write_timeout: write_timeout.max(Duration::from_millis(1)),
        }
    }

    /// One read that never waits: `WouldBlock` when nothing is there.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.socket).read(buf)
    }

    /// One write that never waits: `WouldBlock` when the send buffer is full.
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        (&*self.socket).write(buf)
    }

    /// Waits until the socket is ready for `flags`, at most `timeout`; readable, writable,
    /// or an error or hang-up that the next call reports.
    fn wait(&self, flags: PollFlags, timeout: Option<Duration>) -> io::Result<()> {
        match peer::wait_for(&self.socket, flags, timeout)? {
            Some(_) => Ok(()),
            None => Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

impl Read for PollStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.try_read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.wait(PollFlags::IN, self.read_timeout)?;
                }
                other => return other,
            }
        }
    }
}

impl Write for PollStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.wait(PollFlags::OUT, Some(self.write_timeout))?;
                }
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for PollStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.read_timeout = timeout;
        Ok(())
    }

    fn shutdown_write(&mut self) {
        let _ = self.socket.shutdown(Shutdown::Write);
    }

    fn closed_within(&self, timeout: Duration) -> io::Result<bool> {
        peer::closed_within(&self.socket, timeout)
    }
}
