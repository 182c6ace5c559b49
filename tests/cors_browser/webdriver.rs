//! A headless Chromium driven through chromedriver's W3C WebDriver HTTP API, with `ureq`.
//!
//! Only what the CORS test needs: start a session, open a page, run an asynchronous script and
//! get its JSON result. Every wait has a deadline. Dropping a [`Browser`] ends the session
//! (which quits Chromium), kills chromedriver's process group and removes the profile directory.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long chromedriver may take to say which port it listens on, and to become ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one WebDriver command may take (creating a session starts Chromium).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a page load or a script may take, inside the browser.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(20);

/// Where Chromium and chromedriver are (Debian's `chromium` and `chromium-driver`), unless
/// `CHROMIUM` / `CHROMEDRIVER` name other binaries.
pub struct Installed {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Installed {
    /// Both binaries, when both exist.
    pub fn find() -> Option<Self> {
        let path = |var: &str, default: &str| {
            let path = PathBuf::from(std::env::var_os(var).unwrap_or_else(|| default.into()));
            path.is_file().then_some(path)
        };
        Some(Self {
            chromium: path("CHROMIUM", "/usr/bin/chromium")?,
            chromedriver: path("CHROMEDRIVER", "/usr/bin/chromedriver")?,
        })
    }
}

/// A running chromedriver with one browser session.
pub struct Browser {
    driver: Child,
    base: String,
    session: Option<String>,
    agent: ureq::Agent,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a headless Chromium session with a
    /// fresh profile.
    pub fn start(installed: &Installed) -> Result<Self, String> {
        let profile = fresh_dir()?;
        let mut driver = Command::new(&installed.chromedriver)
            // Port 0: chromedriver picks a free one and prints it.
            .args(["--port=0", "--allowed-ips=127.0.0.1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, so that Drop can end Chromium too if the session is stuck.
            .process_group(0)
            .spawn()
            .map_err(|e| {
                let _ = std::fs::remove_dir_all(&profile);
                format!("starting {}: {e}", installed.chromedriver.display())
            })?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(COMMAND_TIMEOUT))
            .build()
            .into();
        let port = driver
            .stdout
            .take()
            .ok_or("no chromedriver stdout")
            .and_then(|out| {
                announced_port(out).ok_or("chromedriver did not say which port it listens on")
            });
        let mut browser = Self {
            driver,
            base: String::new(),
            session: None,
            agent,
            profile,
        };
        browser.base = format!("http://127.0.0.1:{}", port?);
        browser.wait_ready()?;
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            &format!("--user-data-dir={}", browser.profile.display()),
        ];
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": installed.chromium.to_string_lossy(),
                        "args": args,
                    },
                    "timeouts": {
                        "script": millis(SCRIPT_TIMEOUT),
                        "pageLoad": millis(SCRIPT_TIMEOUT),
                    },
                }
            }
        });
        let value = browser.command("POST", "/session", Some(&caps))?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no sessionId in {value}"))?;
        browser.session = Some(id.to_string());
        Ok(browser)
    }

    /// Opens `url` and waits until it has loaded.
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        self.session_command("POST", "/url", &json!({ "url": url }))
            .map(drop)
    }

    /// Runs `script` in the page as an async function body: `arguments` holds `args`, then the
    /// callback whose argument is the result.
    pub fn execute_async(&self, script: &str, args: &[Value]) -> Result<Value, String> {
        self.session_command(
            "POST",
            "/execute/async",
            &json!({ "script": script, "args": args }),
        )
    }

    fn session_command(&self, method: &str, path: &str, body: &Value) -> Result<Value, String> {
        let id = self.session.as_deref().ok_or("no session")?;
        self.command(method, &format!("/session/{id}{path}"), Some(body))
    }

    /// Polls `/status` until chromedriver says it is ready.
    fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.command("GET", "/status", None) {
                Ok(value) if value["ready"] == json!(true) => return Ok(()),
                Ok(_) | Err(_) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(100));
                }
                Ok(value) => return Err(format!("chromedriver not ready: {value}")),
                Err(e) => return Err(format!("chromedriver not ready: {e}")),
            }
        }
    }

    /// Sends one WebDriver command and returns its `value`, or the WebDriver error.
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let result = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(&json!({})).to_string()),
        };
        let mut res = result.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status().as_u16();
        let text = res
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{method} {path}: reading the answer: {e}"))?;
        let reply: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{method} {path}: not JSON ({e}): {text}"))?;
        let value = reply.get("value").cloned().unwrap_or(Value::Null);
        if status == 200 {
            Ok(value)
        } else {
            Err(format!("{method} {path}: {status}: {value}"))
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            let _ = self.command("DELETE", &format!("/session/{id}"), None);
        }
        // Whatever is left of chromedriver's process group (Chromium, if the session did not end).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Reads chromedriver's stdout until "... started successfully on port N." (at most
/// [`START_TIMEOUT`]); a thread keeps draining it afterwards so chromedriver never blocks on it.
fn announced_port(out: impl std::io::Read + Send + 'static) -> Option<u16> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if let Some(port) = line
                .split_once("started successfully on port ")
                .and_then(|(_, rest)| rest.trim_end_matches(['.', ' ']).parse::<u16>().ok())
            {
                let _ = tx.send(port);
            }
        }
    });
    rx.recv_timeout(START_TIMEOUT).ok()
}

/// A new, empty directory for the browser profile.
fn fresh_dir() -> Result<PathBuf, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("cors-browser-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
