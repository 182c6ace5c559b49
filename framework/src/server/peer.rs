//! Watching a socket for the client's close without reading from it: how a pushed response body
//! (server-sent events) learns that nobody is listening any more while it has nothing to write.

use std::io;
use std::net::TcpStream;
use std::time::Duration;

/// A duration as the system calls take it (saturating at the largest they can say).
#[cfg(target_os = "linux")]
pub(crate) fn timespec(t: Duration) -> rustix::event::Timespec {
    rustix::event::Timespec {
        tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(t.subsec_nanos()),
    }
}

/// Waits until `socket` is ready for `flags` (or reports an error or a hang-up, which are
/// always reported), at most `timeout` (`None`: no limit); what it reported, or `None` when
/// the time ran out. An interrupted wait is resumed.
#[cfg(target_os = "linux")]
pub(crate) fn wait_for(
    socket: &TcpStream,
    flags: rustix::event::PollFlags,
    timeout: Option<Duration>,
) -> io::Result<Option<rustix::event::PollFlags>> {
    use rustix::event::{poll, PollFd};
    let timeout = timeout.map(timespec);
    loop {
        let mut fds = [PollFd::new(socket, flags)];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(fds[0].revents())),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Waits up to `timeout` for the peer to close its side of `socket` (or for the connection to
/// fail); true as soon as it has. Bytes the client sends meanwhile (a pipelined request) are
/// left unread and do not end the wait.
#[cfg(target_os = "linux")]
pub(crate) fn closed_within(socket: &TcpStream, timeout: Duration) -> io::Result<bool> {
    use rustix::event::PollFlags;
    // RDHUP: the peer shut down its sending side (a closed tab, a dropped client); HUP and ERR
    // are always reported.
    let seen = wait_for(socket, PollFlags::RDHUP, Some(timeout))?;
    Ok(
        seen.is_some_and(|seen| {
            seen.intersects(PollFlags::RDHUP | PollFlags::HUP | PollFlags::ERR)
        }),
    )
}

/// Elsewhere the close is found by the next write: the wait is a plain sleep.
#[cfg(not(target_os = "linux"))]
pub(crate) fn closed_within(_socket: &TcpStream, timeout: Duration) -> io::Result<bool> {
    std::thread::sleep(timeout);
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{Shutdown, TcpListener};

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn an_open_connection_waits_out_the_timeout_even_when_the_client_sends_bytes() {
        let (mut client, server) = pair();
        assert!(!closed_within(&server, Duration::from_millis(20)).unwrap());
        client.write_all(b"GET / HTTP/1.1\r\n").unwrap();
        assert!(!closed_within(&server, Duration::from_millis(20)).unwrap());
        assert!(!closed_within(&server, Duration::ZERO).unwrap());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_close_or_half_close_by_the_client_ends_the_wait() {
        let (client, server) = pair();
        client.shutdown(Shutdown::Write).unwrap();
        assert!(closed_within(&server, Duration::from_secs(30)).unwrap());
        let (client, server) = pair();
        drop(client);
        assert!(closed_within(&server, Duration::from_secs(30)).unwrap());
    }
}
