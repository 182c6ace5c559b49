//! The fleet test: PostgreSQL, two instances of the service and nginx in front of them, all on
//! loopback, under a CRUD load while each instance in turn gets SIGTERM, drains and is started
//! again. It passes only if no request failed and the database equals what the clients wrote.
//!
//! It is a program of its own (`harness = false`) and runs only with `FLEET=1` (`.ci/run` sets
//! it): it needs root (PostgreSQL runs as the `postgres` user, nginx as root) and the Debian
//! packages `postgresql` and `nginx`, which `.ci/fleet` installs. Without `FLEET=1` it says so
//! and passes. `FLEET_SECONDS` sets how long the load runs (default 30).
//!
//! The clients speak HTTP/1.1 with keep-alive to nginx, which opens a connection to an instance
//! per request (its default). A draining instance finishes what it has and closes its listening
//! socket; nginx then gets a refused connect and tries the other instance.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Concurrent clients.
const CLIENTS: usize = 6;
/// A bound on every wait for something to start or stop.
const PATIENCE: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    if std::env::var("FLEET").as_deref() != Ok("1") {
        println!("fleet: skipped (set FLEET=1, as root, with postgresql and nginx; see .ci/fleet)");
        println!("\ntest result: ok. 0 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n");
        return ExitCode::SUCCESS;
    }
    let seconds = std::env::var("FLEET_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    match run(Duration::from_secs(seconds)) {
        Ok(()) => {
            println!(
                "\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("fleet: FAILED: {e}");
            println!("\ntest result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

/// A free loopback port (bound and released: nothing else here picks ports at random).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

fn run_ok(command: &mut Command) -> Result<()> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// PostgreSQL in a temporary data directory, run as `postgres`, on a loopback port.
struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl Postgres {
    fn start(dir: &Path) -> Result<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| {
                format!("PostgreSQL is not installed (/usr/lib/postgresql: {e}); run .ci/fleet")
            })?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .ok_or("no initdb under /usr/lib/postgresql/*/bin")?;
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        run_ok(
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir),
        )?;
        let as_postgres = |program: &str| {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin.join(program));
            c
        };
        run_ok(
            as_postgres("initdb")
                .args(["-A", "trust", "-U", "postgres", "-D"])
                .arg(&data),
        )?;
        let port = free_port();
        run_ok(
            as_postgres("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("postgres.log"))
                .arg("-o")
                .arg(format!(
                    "-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections=100",
                    dir.display()
                ))
                .args(["-w", "start"]),
        )?;
        run_ok(as_postgres("createdb").args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "todo",
        ]))?;
        Ok(Self { bin, data, port })
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/todo", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .output();
    }
}

/// nginx in front of the instances, from a configuration of our own in `dir`.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    fn start(dir: &Path, upstreams: &[u16]) -> Result<Self> {
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|p| format!("        server 127.0.0.1:{p} max_fails=0;\n"))
            .collect();
        let conf = format!(
            r"worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream app {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # nginx's default: a refused connect (a draining instance's closed port) goes to
            # the other instance; a request that failed once sent is not retried unless it is
            # idempotent, so a drain that lost one would fail the test.
            proxy_next_upstream error timeout;
        }}
    }}
}}
",
            dir = dir.display()
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).map_err(|e| e.to_string())?;
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("nginx is not installed ({e}); run .ci/fleet"))?;
        let nginx = Self {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        wait_for_port(port)?;
        Ok(nginx)
    }

    /// The lines of nginx's error log that say an upstream failed (and nginx tried the other).
    fn upstream_errors(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("nginx-error.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("upstream"))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_port(port: u16) -> Result<()> {
    let until = Instant::now() + PATIENCE;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(format!("nothing listens on port {port}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// One instance of the service.
struct Instance {
    port: u16,
    database_url: String,
    child: Option<Child>,
}

impl Instance {
    fn start(&mut self) -> Result<()> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_todo-db"))
            .env("DATABASE_URL", &self.database_url)
            .env("ADDR", format!("127.0.0.1:{}", self.port))
            .env("ACCESS_LOG", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("start todo-db: {e}"))?;
        // The banner's first line says it listens.
        let out = child.stdout.take().ok_or("stdout")?;
        let mut lines = BufReader::new(out).lines();
        match lines.next() {
            Some(Ok(line)) if line.starts_with("listening on http://") => {}
            other => return Err(format!("todo-db did not start: {other:?}")),
        }
        std::thread::spawn(move || for _ in lines {});
        self.child = Some(child);
        // Ready: its readiness route answers 200.
        let until = Instant::now() + PATIENCE;
        loop {
            let addr: SocketAddr = ([127, 0, 0, 1], self.port).into();
            if let Ok(mut c) = Client::connect(addr) {
                if c.request("GET", "/ready", None)
                    .is_ok_and(|(s, _)| s == 200)
                {
                    return Ok(());
                }
            }
            if Instant::now() > until {
                return Err("the instance never became ready".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait for the exit; how long the drain took.
    fn stop(&mut self) -> Result<Duration> {
        let mut child = self.child.take().ok_or("not running")?;
        let started = Instant::now();
        run_ok(Command::new("kill").args(["-TERM", &child.id().to_string()]))?;
        let until = started + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                if !status.success() {
                    return Err(format!("the instance exited with {status} after SIGTERM"));
                }
                return Ok(started.elapsed());
            }
            if Instant::now() > until {
                let _ = child.kill();
                return Err("the instance did not exit after SIGTERM".into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A keep-alive HTTP/1.1 client over one connection, reconnecting when the server closes it.
struct Client {
    addr: SocketAddr,
    stream: Option<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let mut client = Self { addr, stream: None };
        client.stream()?;
        Ok(client)
    }

    fn stream(&mut self) -> std::io::Result<&mut TcpStream> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_read_timeout(Some(PATIENCE))?;
            s.set_nodelay(true)?;
            self.stream = Some(s);
        }
        Ok(self.stream.as_mut().expect("just set"))
    }

    /// One request; the status and the body as JSON (`Null` when empty).
    fn request(&mut self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: fleet\r\n");
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        let stream = self.stream().map_err(|e| format!("connect: {e}"))?;
        stream
            .write_all(format!("{head}{body}").as_bytes())
            .map_err(|e| format!("{method} {path}: send: {e}"))?;
        let (status, close, bytes) =
            read_response(stream).map_err(|e| format!("{method} {path}: {e}"))?;
        if close {
            self.stream = None;
        }
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "{method} {path}: {status} with a body that is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })?
        };
        Ok((status, value))
    }
}

/// Reads one response: status, whether the connection closes, body (by `Content-Length`).
fn read_response(stream: &mut TcpStream) -> std::result::Result<(u16, bool, Vec<u8>), String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(0) => {
                return Err(format!(
                    "connection closed in a head ({} bytes)",
                    head.len()
                ))
            }
            Ok(_) => head.push(byte[0]),
            // SIGCHLD from a restarted instance lands on some thread of this process.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(Ok(0), str::parse)
        .map_err(|_| "bad content-length")?;
    let close = head.lines().any(|l| l == "connection: close");
    let mut body = vec![0; length];
    stream
        .read_exact(&mut body)
        .map_err(|e| format!("body: {e}"))?;
    Ok((status, close, body))
}

/// What one client wrote, and what it counted.
#[derive(Default)]
struct Model {
    todos: BTreeMap<u64, (String, bool)>,
    requests: u64,
}

/// A small deterministic generator (no dependency for randomness).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn todo_of(value: &Value) -> Result<(u64, String, bool)> {
    Ok((
        value["id"]
            .as_u64()
            .ok_or_else(|| format!("no id in {value}"))?,
        value["title"].as_str().ok_or("no title")?.to_string(),
        value["done"].as_bool().ok_or("no done")?,
    ))
}

/// Creates, reads, updates and deletes its own todos until `stop`, checking every answer
/// against its model.
fn client(n: usize, addr: SocketAddr, stop: &AtomicBool) -> Result<Model> {
    let mut model = Model::default();
    let mut http = Client::connect(addr).map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1));
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        model.requests += 1;
        let pick = rng.next() % 10;
        let existing = (!model.todos.is_empty()).then(|| {
            let i = usize::try_from(rng.next() % model.todos.len() as u64).unwrap_or(0);
            *model.todos.keys().nth(i).expect("in range")
        });
        match (pick, existing) {
            (0..=3, _) | (_, None) => {
                seq += 1;
                let title = format!("client {n} todo {seq}");
                let (status, body) =
                    http.request("POST", "/todos", Some(&json!({ "title": title })))?;
                if status != 201 {
                    return Err(format!("create: {status} {body}"));
                }
                let (id, got_title, done) = todo_of(&body)?;
                if got_title != title || done {
                    return Err(format!("create answered {body}"));
                }
                model.todos.insert(id, (title, false));
            }
            (4..=5, Some(id)) => {
                let done = rng.next().is_multiple_of(2);
                let title = format!("client {n} todo {id} v{}", rng.next() % 1000);
                let (status, body) = http.request(
                    "PATCH",
                    &format!("/todos/{id}"),
                    Some(&json!({ "title": title, "done": done })),
                )?;
                if status != 200 || todo_of(&body)? != (id, title.clone(), done) {
                    return Err(format!("update {id}: {status} {body}"));
                }
                model.todos.insert(id, (title, done));
            }
            (6..=8, Some(id)) => {
                let (status, body) = http.request("GET", &format!("/todos/{id}"), None)?;
                let want = &model.todos[&id];
                if status != 200 || todo_of(&body)? != (id, want.0.clone(), want.1) {
                    return Err(format!("read {id}: {status} {body}, expected {want:?}"));
                }
            }
            (_, Some(id)) => {
                let (status, body) = http.request("DELETE", &format!("/todos/{id}"), None)?;
                if status != 204 {
                    return Err(format!("delete {id}: {status} {body}"));
                }
                model.todos.remove(&id);
            }
        }
    }
    Ok(model)
}

fn run(duration: Duration) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let pg = Postgres::start(&dir)?;
    println!(
        "fleet: PostgreSQL on 127.0.0.1:{} ({:.1} s)",
        pg.port,
        started.elapsed().as_secs_f64()
    );
    let mut instances: Vec<Instance> = (0..2)
        .map(|_| Instance {
            port: free_port(),
            database_url: pg.url(),
            child: None,
        })
        .collect();
    for instance in &mut instances {
        instance.start()?;
    }
    let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
    let nginx_dir = dir.join("nginx");
    std::fs::create_dir_all(&nginx_dir).map_err(|e| e.to_string())?;
    let nginx = Nginx::start(&nginx_dir, &ports)?;
    println!(
        "fleet: instances on {ports:?}, nginx on 127.0.0.1:{}",
        nginx.port
    );

    let addr: SocketAddr = ([127, 0, 0, 1], nginx.port).into();
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(Mutex::new(None::<String>));
    let load_started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let stop = Arc::clone(&stop);
            let failed = Arc::clone(&failed);
            std::thread::spawn(move || {
                let result = client(n, addr, &stop);
                if let Err(e) = &result {
                    // One failure stops every client: the test has failed.
                    failed
                        .lock()
                        .expect("lock")
                        .get_or_insert_with(|| format!("client {n}: {e}"));
                    stop.store(true, Ordering::Relaxed);
                }
                result.ok()
            })
        })
        .collect();

    // Restart each instance in turn, until the load has run its time and each was restarted
    // at least twice.
    let mut drains = Vec::new();
    let mut restarts = 0;
    let mut turn = 0;
    let mut restart_error = None;
    while !stop.load(Ordering::Relaxed)
        && (load_started.elapsed() < duration || restarts < 2 * instances.len())
    {
        std::thread::sleep(Duration::from_millis(1500));
        let instance = &mut instances[turn % 2];
        turn += 1;
        let result = instance.stop().and_then(|took| {
            drains.push(took);
            instance.start()
        });
        if let Err(e) = result {
            restart_error = Some(e);
            break;
        }
        restarts += 1;
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let models: Vec<Option<Model>> = clients
        .into_iter()
        .map(|c| c.join().expect("client thread"))
        .collect();
    let load_time = load_started.elapsed();
    if let Some(e) = restart_error {
        return Err(e);
    }
    if let Some(e) = failed.lock().expect("lock").take() {
        return Err(format!("a request failed: {e}"));
    }
    let models: Vec<Model> = models.into_iter().map(|m| m.expect("no failure")).collect();
    let requests: u64 = models.iter().map(|m| m.requests).sum();

    // The database against the union of the models.
    let mut expected = BTreeMap::new();
    for m in &models {
        expected.extend(m.todos.iter().map(|(id, t)| (*id, t.clone())));
    }
    let (status, list) = Client::connect(addr)
        .map_err(|e| e.to_string())?
        .request("GET", "/todos", None)?;
    if status != 200 {
        return Err(format!("list: {status}"));
    }
    let stored: BTreeMap<u64, (String, bool)> = list
        .as_array()
        .ok_or("the list is not an array")?
        .iter()
        .map(|t| todo_of(t).map(|(id, title, done)| (id, (title, done))))
        .collect::<Result<_>>()?;
    if stored != expected {
        let missing: Vec<_> = expected
            .keys()
            .filter(|k| !stored.contains_key(k))
            .collect();
        let extra: Vec<_> = stored
            .keys()
            .filter(|k| !expected.contains_key(k))
            .collect();
        return Err(format!(
            "the database differs from the clients' model: {} stored, {} expected; missing {missing:?}, extra {extra:?}",
            stored.len(),
            expected.len()
        ));
    }
    let mut sorted = drains.clone();
    sorted.sort();
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let upstream_errors = nginx.upstream_errors();
    println!(
        "fleet: {requests} requests from {CLIENTS} clients in {:.1} s ({:.0}/s), 0 failed",
        load_time.as_secs_f64(),
        requests as f64 / load_time.as_secs_f64()
    );
    println!(
        "fleet: {restarts} restarts; drain (SIGTERM to exit) min {:.0} ms, median {:.0} ms, max {:.0} ms",
        sorted.first().map_or(0.0, ms),
        sorted.get(sorted.len() / 2).map_or(0.0, ms),
        sorted.last().map_or(0.0, ms)
    );
    let refused = upstream_errors
        .iter()
        .filter(|l| l.contains("Connection refused"))
        .count();
    println!("fleet: database equals the model: {} todos", stored.len());
    println!(
        "fleet: nginx retried on the other instance {refused} refused connects (a draining instance's closed port) and {} other upstream errors",
        upstream_errors.len() - refused
    );
    for line in upstream_errors
        .iter()
        .filter(|l| !l.contains("Connection refused"))
        .take(5)
    {
        println!("fleet:   {line}");
    }
    println!("fleet: whole run {:.1} s", started.elapsed().as_secs_f64());
    drop(nginx);
    drop(instances);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
