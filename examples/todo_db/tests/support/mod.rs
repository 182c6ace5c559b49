//! The databases the tests run on: a fresh SQLite file in a temporary directory, or a fresh
//! schema in the PostgreSQL database of `TEST_DATABASE_URL`. A test body takes `&dyn Backend`
//! and runs the same on both.

// Each test binary uses its own part.
#![allow(dead_code)]
// Test-only code: the workspace's `allow-unwrap-in-tests` covers these helpers too.
#![cfg(test)]

use framework::test::TestClient;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::Duration;
use todo_db::{app, PoolOptions, Store};

/// A database a test owns: [`Backend::open`] may be called several times, and every store it
/// returns sees the same data (a restart is a second `open`).
pub trait Backend: Sync {
    /// A store on the test's database, migrated, with these pool options.
    fn open_with(&self, options: &PoolOptions) -> Store;

    /// What `DATABASE_URL` would select this database (for the binary's tests).
    fn url(&self) -> String;

    /// A store with the default options (8 connections).
    fn open(&self) -> Store {
        self.open_with(&PoolOptions::default())
    }

    /// A client for the app over a fresh store.
    fn client(&self) -> TestClient {
        TestClient::new(app(self.open()).banner(false).access_log(false)).expect("the app builds")
    }
}

/// A fresh SQLite file in its own temporary directory, deleted with it.
pub struct Sqlite {
    dir: tempfile::TempDir,
}

impl Sqlite {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("todo.db")
    }
}

impl Backend for Sqlite {
    fn open_with(&self, options: &PoolOptions) -> Store {
        Store::sqlite(self.path(), options).expect("the SQLite store opens")
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path().display())
    }
}

/// A fresh schema in the database of `TEST_DATABASE_URL`, first on the `search_path` of every
/// connection the test opens, and dropped (with everything in it) when the test ends.
pub struct Postgres {
    url: String,
    schema: String,
}

impl Postgres {
    /// `None`, after saying so once, when `TEST_DATABASE_URL` is unset, unless
    /// `REQUIRE_POSTGRES=1`, which makes that a failure.
    pub fn new() -> Option<Self> {
        let url = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    std::env::var("REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set \
                     (eval \"$(bash .ci/postgres start)\" starts a server and sets it)"
                );
                static SKIPPED: Once = Once::new();
                // Straight to stderr: libtest would capture an `eprintln!` of a passing test.
                SKIPPED.call_once(|| {
                    let _ = writeln!(
                        std::io::stderr(),
                        "todo-db: PostgreSQL tests skipped: TEST_DATABASE_URL is not set \
                         (they pass without running; REQUIRE_POSTGRES=1 makes this a failure)"
                    );
                });
                return None;
            }
        };
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let schema = format!(
            "todo_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let db = Self { url, schema };
        db.admin()
            .batch_execute(&format!("CREATE SCHEMA {}", db.schema))
            .expect("CREATE SCHEMA in TEST_DATABASE_URL");
        Some(db)
    }

    fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL={}: {e}", self.url))
    }

    fn config(&self) -> postgres::Config {
        let mut config: postgres::Config = self.url.parse().expect("TEST_DATABASE_URL parses");
        config.options(&format!("-c search_path={}", self.schema));
        config.connect_timeout(Duration::from_secs(5));
        config
    }
}

impl Backend for Postgres {
    fn open_with(&self, options: &PoolOptions) -> Store {
        Store::postgres(self.config(), options).expect("the PostgreSQL store opens")
    }

    fn url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-csearch_path%3D{}", self.url, self.schema)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let dropped = self
            .admin()
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        if let Err(e) = dropped {
            let _ = writeln!(std::io::stderr(), "cannot drop schema {}: {e}", self.schema);
        }
    }
}

/// Defines, for each test body `fn name(db: &dyn Backend)`, a `#[test]` `sqlite::name` and a
/// `#[test]` `postgres::name` running it on either database.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&$crate::support::Sqlite::new());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::support::Postgres::new() {
                        super::$name(&db);
                    }
                }
            )*
        }
    };
}
