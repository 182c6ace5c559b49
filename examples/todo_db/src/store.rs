//! The store: a pool of database connections, SQLite or PostgreSQL, and the queries the routes
//! need. A handler checks a connection out with [`Store::conn`], runs one query on it, and the
//! connection goes back to the pool when it is dropped.
//!
//! Every operation is one SQL statement (`INSERT … RETURNING`, `UPDATE … RETURNING`), so none
//! needs a transaction of its own: concurrent requests cannot interleave inside one.

use crate::config::Database;
use crate::migrations;
use crate::{pg, sqlite};
use postgres::NoTls;
use r2d2::{Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_sqlite::SqliteConnectionManager;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// A stored todo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    /// Assigned by the database, never reused.
    pub id: i64,
    /// Trimmed, 1 to [`crate::MAX_TITLE`] characters.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
}

/// Counts over all todos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// All of them.
    pub todos: i64,
    /// Those done.
    pub done: i64,
    /// Those not done.
    pub open: i64,
}

/// How large the pool is and how long a request waits for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// Connections kept open (all of them are opened at start-up).
    pub size: u32,
    /// How long [`Store::conn`] waits for a free connection before it gives up
    /// ([`DbError::Unavailable`], a `503`). Also bounds the start-up connect.
    pub checkout_timeout: Duration,
}

impl Default for PoolOptions {
    /// 8 connections, 5 seconds.
    fn default() -> Self {
        Self {
            size: 8,
            checkout_timeout: Duration::from_secs(5),
        }
    }
}

/// Why a database operation failed.
#[derive(Debug)]
pub enum DbError {
    /// No connection came free within the checkout timeout, or none could be opened (the
    /// server is down): the client may retry.
    Unavailable(r2d2::Error),
    /// SQLite refused a statement.
    Sqlite(rusqlite::Error),
    /// PostgreSQL refused a statement, or the connection broke.
    Postgres(postgres::Error),
    /// The database was migrated by a newer version of this program.
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this program knows.
        known: usize,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(e) => write!(f, "no database connection: {e}"),
            Self::Sqlite(e) => write!(f, "SQLite: {e}"),
            // The client's own message is only the kind ("db error"): the server's words are
            // in the source chain.
            Self::Postgres(e) => write!(f, "PostgreSQL: {}", with_causes(e)),
            Self::SchemaTooNew { found, known } => write!(
                f,
                "the database schema is at version {found}, newer than this program's {known}: \
                 run a newer build"
            ),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unavailable(e) => Some(e),
            Self::Sqlite(e) => Some(e),
            Self::Postgres(e) => Some(e),
            Self::SchemaTooNew { .. } => None,
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        Self::Postgres(e)
    }
}

/// `error: cause: its cause…`, on one line.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line.replace('\n', "; ")
}

/// Writes the pool's failures to open a connection to stderr, causes included (r2d2 keeps only
/// the first line of the last one, for the timeout error); the same message again is skipped,
/// so an unreachable server is one line, not one per retry.
#[derive(Debug, Default)]
struct LogConnectErrors {
    last: Mutex<String>,
}

impl<E: std::error::Error> r2d2::HandleError<E> for LogConnectErrors {
    fn handle_error(&self, error: E) {
        let message = with_causes(&error);
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if *last != message {
            eprintln!("todo-db: cannot open a database connection: {message}");
            *last = message;
        }
    }
}

/// A database failure is the server's problem: the client gets a generic message, the cause
/// goes to the error log on stderr (`Error::with_detail`), SQL text and all. A pool that stayed
/// empty is a `503`; the app adds `Retry-After` to it.
impl From<DbError> for framework::Error {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(_) => {
                Self::service_unavailable("the database is busy, try again").with_detail(e)
            }
            _ => Self::internal("internal server error").with_detail(e),
        }
    }
}

/// The connection pool, held in the app's `State`. Cloning it is cheap (the pool is shared).
#[derive(Clone)]
pub enum Store {
    /// An SQLite file, in WAL mode.
    Sqlite(Pool<SqliteConnectionManager>),
    /// A PostgreSQL database.
    Postgres(Pool<PostgresConnectionManager<NoTls>>),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (backend, state) = match self {
            Self::Sqlite(pool) => ("Sqlite", pool.state()),
            Self::Postgres(pool) => ("Postgres", pool.state()),
        };
        f.debug_struct(backend)
            .field("connections", &state.connections)
            .field("idle", &state.idle_connections)
            .finish()
    }
}

impl Store {
    /// Opens a pool on `db` and brings its schema up to date (see [`crate::migrations`]).
    ///
    /// # Errors
    /// No connection could be opened within `options.checkout_timeout`, or a migration failed.
    pub fn open(db: &Database, options: &PoolOptions) -> Result<Self, DbError> {
        match db {
            Database::Sqlite(path) => Self::sqlite(path, options),
            Database::Postgres(config) => Self::postgres((**config).clone(), options),
        }
    }

    /// An SQLite file (created if missing), each connection set up by [`sqlite::configure`],
    /// the file switched to WAL and migrated.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn sqlite(path: impl AsRef<Path>, options: &PoolOptions) -> Result<Self, DbError> {
        let manager = SqliteConnectionManager::file(path).with_init(sqlite::configure);
        let pool = builder(options)
            .build(manager)
            .map_err(DbError::Unavailable)?;
        sqlite::use_wal(&mut *pool.get().map_err(DbError::Unavailable)?)?;
        let store = Self::Sqlite(pool);
        store.migrate()?;
        Ok(store)
    }

    /// A PostgreSQL database, migrated.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn postgres(mut config: postgres::Config, options: &PoolOptions) -> Result<Self, DbError> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.checkout_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("todo-db");
        }
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = builder(options)
            .build(manager)
            .map_err(DbError::Unavailable)?;
        let store = Self::Postgres(pool);
        store.migrate()?;
        Ok(store)
    }

    /// Checks a connection out of the pool, waiting up to the checkout timeout for one to come
    /// free. It goes back when the [`Conn`] is dropped.
    ///
    /// # Errors
    /// [`DbError::Unavailable`] when none came free in time.
    pub fn conn(&self) -> Result<Conn, DbError> {
        Ok(match self {
            Self::Sqlite(pool) => Conn::Sqlite(pool.get().map_err(DbError::Unavailable)?),
            Self::Postgres(pool) => Conn::Postgres(pool.get().map_err(DbError::Unavailable)?),
        })
    }

    /// Applies the migrations the database has not had yet, and returns how many. Running it
    /// again does nothing ([`Store::open`] has already run it once).
    ///
    /// # Errors
    /// A migration failed (nothing of it is kept), or the schema is newer than this program's.
    pub fn migrate(&self) -> Result<usize, DbError> {
        match self.conn()? {
            Conn::Sqlite(mut c) => migrations::sqlite(&mut c),
            Conn::Postgres(mut c) => migrations::postgres(&mut c),
        }
    }

    /// The schema version the database is at: the number of migrations applied.
    ///
    /// # Errors
    /// The version could not be read.
    pub fn schema_version(&self) -> Result<i64, DbError> {
        match self.conn()? {
            Conn::Sqlite(mut c) => migrations::sqlite_version(&mut c),
            Conn::Postgres(mut c) => migrations::postgres_version(&mut c),
        }
    }

    /// Which database this is, for the start-up line.
    #[must_use]
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }
}

fn builder<M: r2d2::ManageConnection>(options: &PoolOptions) -> r2d2::Builder<M>
where
    M::Error: std::error::Error,
{
    Pool::builder()
        .max_size(options.size)
        .connection_timeout(options.checkout_timeout)
        .error_handler(Box::new(LogConnectErrors::default()))
}

/// One connection, checked out of the pool for one request.
pub enum Conn {
    /// SQLite's.
    Sqlite(PooledConnection<SqliteConnectionManager>),
    /// PostgreSQL's.
    Postgres(PooledConnection<PostgresConnectionManager<NoTls>>),
}

impl Conn {
    /// Every todo in id order, or those whose `done` is `done`.
    ///
    /// # Errors
    /// The query failed.
    pub fn list(&mut self, done: Option<bool>) -> Result<Vec<Todo>, DbError> {
        match self {
            Self::Sqlite(c) => Ok(sqlite::list(c, done)?),
            Self::Postgres(c) => Ok(pg::list(c, done)?),
        }
    }

    /// Stores a new todo; the database gives it its id.
    ///
    /// # Errors
    /// The statement failed.
    pub fn create(&mut self, title: &str, done: bool) -> Result<Todo, DbError> {
        match self {
            Self::Sqlite(c) => Ok(sqlite::create(c, title, done)?),
            Self::Postgres(c) => Ok(pg::create(c, title, done)?),
        }
    }

    /// The todo with this id, if there is one.
    ///
    /// # Errors
    /// The query failed.
    pub fn get(&mut self, id: i64) -> Result<Option<Todo>, DbError> {
        match self {
            Self::Sqlite(c) => Ok(sqlite::get(c, id)?),
            Self::Postgres(c) => Ok(pg::get(c, id)?),
        }
    }

    /// Changes what is given (`None` keeps the stored value) and returns the todo as it is now,
    /// or `None` when there is no such todo.
    ///
    /// # Errors
    /// The statement failed.
    pub fn update(
        &mut self,
        id: i64,
        title: Option<&str>,
        done: Option<bool>,
    ) -> Result<Option<Todo>, DbError> {
        match self {
            Self::Sqlite(c) => Ok(sqlite::update(c, id, title, done)?),
            Self::Postgres(c) => Ok(pg::update(c, id, title, done)?),
        }
    }

    /// Deletes the todo; `false` when there was none.
    ///
    /// # Errors
    /// The statement failed.
    pub fn delete(&mut self, id: i64) -> Result<bool, DbError> {
        match self {
            Self::Sqlite(c) => Ok(sqlite::delete(c, id)?),
            Self::Postgres(c) => Ok(pg::delete(c, id)?),
        }
    }

    /// How many todos there are, done and open.
    ///
    /// # Errors
    /// The query failed.
    pub fn stats(&mut self) -> Result<Stats, DbError> {
        let (todos, done) = match self {
            Self::Sqlite(c) => sqlite::counts(c)?,
            Self::Postgres(c) => pg::counts(c)?,
        };
        Ok(Stats {
            todos,
            done,
            open: todos - done,
        })
    }

    /// Runs SQL statements as they are, separated by `;` (the tests use it to break things).
    ///
    /// # Errors
    /// A statement failed.
    pub fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Self::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Self::Postgres(c) => Ok(c.batch_execute(sql)?),
        }
    }
}
