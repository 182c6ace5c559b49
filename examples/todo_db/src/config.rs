//! What the service is configured with, read from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `todo.db` | `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare path for an SQLite file |
//! | `ADDR` | `127.0.0.1:8081` | the address to listen on |
//! | `POOL_SIZE` | `8` | database connections kept open |

use crate::store::PoolOptions;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the service listens when `ADDR` is unset: beside the other examples' 8080.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8081";
/// The SQLite file used when `DATABASE_URL` is unset, in the current directory.
pub const DEFAULT_SQLITE_FILE: &str = "todo.db";

/// Which database to use.
#[derive(Debug, Clone)]
pub enum Database {
    /// An SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL server.
    Postgres(Box<postgres::Config>),
}

impl Database {
    /// Reads a `DATABASE_URL`: `postgres://` or `postgresql://` (anything the `postgres` crate
    /// accepts after it: user, password, host, port, database, `?options`), `sqlite://PATH`
    /// (so `sqlite:///abs/file.db` is an absolute path), `sqlite:PATH`, or a bare path.
    ///
    /// # Errors
    /// An empty value, a scheme that is neither, an empty SQLite path, or a PostgreSQL URL that
    /// does not parse or names no user; the message says which.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("DATABASE_URL is empty: unset it for the SQLite file todo.db".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let config: postgres::Config = url
                .parse()
                .map_err(|e| format!("DATABASE_URL is not a valid PostgreSQL URL: {e}"))?;
            if config.get_user().is_none() {
                return Err(
                    "DATABASE_URL names no PostgreSQL user: postgres://USER@HOST/DATABASE".into(),
                );
            }
            return Ok(Self::Postgres(Box::new(config)));
        }
        let path = match url.strip_prefix("sqlite:") {
            Some(rest) => rest.strip_prefix("//").unwrap_or(rest),
            None if url.contains("://") => {
                let scheme = url.split("://").next().unwrap_or_default();
                return Err(format!(
                    "DATABASE_URL has the scheme `{scheme}://`; use postgres://…, sqlite://PATH \
                     or a file path"
                ));
            }
            None => url,
        };
        if path.is_empty() {
            return Err("DATABASE_URL names no SQLite file: sqlite://PATH".into());
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// Shown at start-up; a PostgreSQL password is never shown.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "SQLite file {}", path.display()),
            Self::Postgres(config) => {
                let user = config.get_user().unwrap_or_default();
                let host = match config.get_hosts().first() {
                    Some(postgres::config::Host::Tcp(host)) => host.clone(),
                    #[cfg(unix)]
                    Some(postgres::config::Host::Unix(dir)) => dir.display().to_string(),
                    None => "localhost".into(),
                };
                let port = config.get_ports().first().copied().unwrap_or(5432);
                let db = config.get_dbname().unwrap_or(user);
                write!(f, "PostgreSQL database {db} on {host}:{port} as {user}")
            }
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database: Database,
    /// `ADDR`.
    pub addr: SocketAddr,
    /// `POOL_SIZE`, and the checkout timeout.
    pub pool: PoolOptions,
}

impl Config {
    /// From the process environment.
    ///
    /// # Errors
    /// As [`Config::from_vars`].
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// From `var`, which looks a variable up (`None`: unset).
    ///
    /// # Errors
    /// A variable that does not parse; the message names it.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let database = match var("DATABASE_URL") {
            Some(url) => Database::parse(&url)?,
            None => Database::Sqlite(PathBuf::from(DEFAULT_SQLITE_FILE)),
        };
        let addr = var("ADDR").unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr = addr
            .trim()
            .parse()
            .map_err(|_| format!("ADDR={addr} is not an address such as {DEFAULT_ADDR}"))?;
        let mut pool = PoolOptions::default();
        if let Some(size) = var("POOL_SIZE") {
            pool.size = match size.trim().parse() {
                Ok(n) if n > 0 => n,
                _ => return Err(format!("POOL_SIZE={size} is not a number above 0")),
            };
        }
        Ok(Self {
            database,
            addr,
            pool,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_path(url: &str) -> PathBuf {
        match Database::parse(url) {
            Ok(Database::Sqlite(path)) => path,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn sqlite_urls_and_bare_paths_name_a_file() {
        assert_eq!(sqlite_path("sqlite://todo.db"), PathBuf::from("todo.db"));
        assert_eq!(
            sqlite_path("sqlite:///var/lib/t.db"),
            PathBuf::from("/var/lib/t.db")
        );
        assert_eq!(sqlite_path("sqlite:data/t.db"), PathBuf::from("data/t.db"));
        assert_eq!(sqlite_path("/tmp/x.db"), PathBuf::from("/tmp/x.db"));
        assert_eq!(sqlite_path(" todo.db "), PathBuf::from("todo.db"));
    }

    #[test]
    fn postgres_urls_select_postgres() {
        for url in [
            "postgres://app:pw@db.internal:6543/todos",
            "postgresql://app@localhost/todos?connect_timeout=3",
        ] {
            let Ok(Database::Postgres(config)) = Database::parse(url) else {
                panic!("{url}");
            };
            assert_eq!(config.get_user(), Some("app"));
            assert_eq!(config.get_dbname(), Some("todos"));
        }
        let shown = Database::parse("postgres://app:s3cret@db.internal:6543/todos")
            .unwrap()
            .to_string();
        assert_eq!(
            shown,
            "PostgreSQL database todos on db.internal:6543 as app"
        );
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for (url, reason) in [
            ("", "empty"),
            ("mysql://root@localhost/x", "`mysql://`"),
            ("sqlite://", "no SQLite file"),
            ("sqlite:", "no SQLite file"),
            (
                "postgres://app@host:notaport/x",
                "not a valid PostgreSQL URL",
            ),
            ("postgres://localhost/x", "no PostgreSQL user"),
        ] {
            let err = Database::parse(url).expect_err(url);
            assert!(err.contains(reason), "{url}: {err}");
        }
    }

    #[test]
    fn the_environment_has_defaults_and_named_errors() {
        let config = Config::from_vars(|_| None).unwrap();
        assert!(matches!(&config.database, Database::Sqlite(p) if p == &PathBuf::from("todo.db")));
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(config.pool.size, 8);

        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        let config =
            Config::from_vars(vars(&[("POOL_SIZE", "3"), ("ADDR", "0.0.0.0:9000")])).unwrap();
        assert_eq!((config.pool.size, config.addr.port()), (3, 9000));
        for (pairs, name) in [
            (&[("POOL_SIZE", "0")][..], "POOL_SIZE"),
            (&[("POOL_SIZE", "many")][..], "POOL_SIZE"),
            (&[("ADDR", "localhost")][..], "ADDR"),
            (&[("DATABASE_URL", "redis://x")][..], "DATABASE_URL"),
        ] {
            let err = Config::from_vars(vars(pairs)).unwrap_err();
            assert!(err.contains(name), "{err}");
        }
    }
}
