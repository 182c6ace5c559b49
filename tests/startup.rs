//! What a user's `fn main() -> Result<(), RunError>` prints when the app does not start.
//!
//! Rust prints an error returned from `main` as `Error: {err:?}` on stderr and exits with status 1,
//! so `RunError`'s `Debug` is the message the user reads. This test is a program of its own
//! (`harness = false`): run plainly, it starts itself again once per case with
//! `STARTUP_CASE=<case>`, and the child's `main` is the user's `main`, returning the error. The
//! parent checks the child's exit status, stdout (nothing: no banner before a socket is bound) and
//! stderr, byte for byte.
//!
//! Every case runs the app on an address the parent holds, so a child can only stop at its error:
//! even if its app built, `run` could not bind and serve.

use framework::{get, routes, App, RunError, State};
use std::error::Error;
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, ExitCode, Termination};

/// The environment variable that makes this program a child running one case.
const CASE: &str = "STARTUP_CASE";
/// The address the parent holds, given to the child.
const ADDR: &str = "STARTUP_ADDR";

/// Registered by no app here.
struct Counter;

const COUNT_LINE: u32 = line!() + 1;
#[get("/count")]
fn count(_counter: State<Counter>) -> &'static str {
    "1"
}

const HELLO_LINE: u32 = line!() + 1;
#[get("/hello")]
fn hello() -> &'static str {
    "hello"
}

/// One case: the app a user's `main` would run, on the address the parent holds.
fn user_main(case: &str, addr: SocketAddr) -> Result<(), RunError> {
    let app = App::new().access_log(false);
    match case {
        "missing_state" => app.mount("/", routes![count]).run(addr),
        "mounted_twice" => app
            .mount("/", routes![hello])
            .mount("/", routes![hello])
            .run(addr),
        "address_in_use" => app.mount("/", routes![hello]).run(addr),
        other => panic!("unknown case {other}"),
    }
}

/// Runs one case as a child process, and checks that it exits with status 1, prints nothing on
/// stdout, and what `expected` accepts on stderr (`describe` says what that is).
fn check(
    case: &str,
    addr: SocketAddr,
    expected: &dyn Fn(&str) -> bool,
    describe: &str,
) -> Result<(), Box<dyn Error>> {
    let out = Command::new(std::env::current_exe()?)
        .env(CASE, case)
        .env(ADDR, addr.to_string())
        .env_remove("ACCESS_LOG")
        .output()?;
    let (stdout, stderr) = (
        String::from_utf8(out.stdout)?,
        String::from_utf8(out.stderr)?,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{case}: exit status; stderr: {stderr}"
    );
    assert_eq!(
        stdout, "",
        "{case}: nothing is printed before the socket is bound"
    );
    assert!(
        expected(&stderr),
        "{case}: expected {describe}, got {stderr:?}"
    );
    println!("startup {case} ... ok");
    Ok(())
}

fn parent() -> Result<(), Box<dyn Error>> {
    let held = TcpListener::bind("127.0.0.1:0")?;
    let addr = held.local_addr()?;
    let file = file!();

    // Not `Error: Build(MissingState { route: ..., type_name: ... })`: the advice itself.
    let missing = format!(
        "Error: route `count` ({file}:{COUNT_LINE}) takes `State<startup::Counter>`, but no `startup::Counter` was registered: add `.manage(value)` to the App\n"
    );
    check(
        "missing_state",
        addr,
        &|stderr| stderr == missing,
        &format!("{missing:?}"),
    )?;

    // The same route twice is not a conflict of a route with itself.
    let twice = format!(
        "Error: route `hello` ({file}:{HELLO_LINE}) is mounted twice at `/hello`; remove one of the mounts\n"
    );
    check(
        "mounted_twice",
        addr,
        &|stderr| stderr == twice,
        &format!("{twice:?}"),
    )?;

    // The address the user asked for, with the system's reason.
    let prefix = format!("Error: cannot listen on {addr}: ");
    check(
        "address_in_use",
        addr,
        &|stderr| {
            stderr.strip_prefix(&prefix).is_some_and(|reason| {
                !cfg!(target_os = "linux") || reason == "Address already in use (os error 98)\n"
            })
        },
        &format!("{prefix:?} and the system's reason"),
    )?;
    drop(held);
    Ok(())
}

fn main() -> ExitCode {
    let Ok(case) = std::env::var(CASE) else {
        return parent().report();
    };
    let Some(addr) = std::env::var(ADDR).ok().and_then(|a| a.parse().ok()) else {
        eprintln!("{ADDR} must hold a socket address");
        return ExitCode::from(2);
    };
    // Exactly what `fn main() -> Result<(), RunError>` does with the error it returns.
    user_main(&case, addr).report()
}
