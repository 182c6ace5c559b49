//! The schema, as an ordered list of steps, and how each backend records which it has had.
//!
//! A step is never edited once released: a change is a new step at the end. Both dialects of a
//! step sit side by side so that the two schemas stay the same: a table `todos(id, title, done)`
//! whose ids the database assigns and never reuses.
//!
//! - SQLite keeps the version (the number of steps applied) in `PRAGMA user_version`, a field of
//!   the file's header. The steps and the new version are written in one `BEGIN IMMEDIATE`
//!   transaction: a second process starting at the same moment waits for the write lock (the
//!   busy timeout), then finds the work done.
//! - PostgreSQL keeps one row per step in `schema_migrations`. The steps run in one transaction
//!   that first takes `pg_advisory_xact_lock`, so two instances starting at once take turns
//!   (the lock is released at commit); PostgreSQL's DDL is transactional, so a step that fails
//!   leaves nothing behind.

use crate::store::DbError;
use rusqlite::{Connection, TransactionBehavior};

/// One step of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// What it does, recorded in `schema_migrations` on PostgreSQL.
    pub name: &'static str,
    /// The step in SQLite's dialect.
    pub sqlite: &'static str,
    /// The step in PostgreSQL's dialect.
    pub postgres: &'static str,
}

/// Every step, oldest first; the schema's version is how many have been applied.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "create todos",
        // AUTOINCREMENT: without it SQLite hands the highest id out again after that todo is
        // deleted, and an old link would point at a new todo.
        sqlite: "CREATE TABLE todos (
                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                     title TEXT NOT NULL,
                     done BOOLEAN NOT NULL DEFAULT FALSE CHECK (done IN (0, 1))
                 )",
        postgres: "CREATE TABLE todos (
                       id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       title TEXT NOT NULL,
                       done BOOLEAN NOT NULL DEFAULT FALSE
                   )",
    },
    Migration {
        name: "index todos by done, id",
        // `GET /todos?done=…` reads its rows in id order from the index, without a sort.
        sqlite: "CREATE INDEX todos_done_id ON todos (done, id)",
        postgres: "CREATE INDEX todos_done_id ON todos (done, id)",
    },
];

/// The number of steps, as the version a fully migrated database is at.
fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The steps not applied yet, after checking that the database is not ahead of us.
fn pending(current: i64) -> Result<&'static [Migration], DbError> {
    let done = usize::try_from(current).unwrap_or(0);
    MIGRATIONS.get(done..).ok_or(DbError::SchemaTooNew {
        found: current,
        known: MIGRATIONS.len(),
    })
}

/// Brings an SQLite database up to date; returns how many steps it applied.
///
/// # Errors
/// A step failed (the transaction is rolled back), or the file is newer than this program.
pub fn sqlite(conn: &mut Connection) -> Result<usize, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let steps = pending(current)?;
    for step in steps {
        tx.execute_batch(step.sqlite)?;
    }
    if !steps.is_empty() {
        tx.pragma_update(None, "user_version", latest())?;
    }
    tx.commit()?;
    Ok(steps.len())
}

/// The version an SQLite database is at.
///
/// # Errors
/// It could not be read.
pub fn sqlite_version(conn: &mut Connection) -> Result<i64, DbError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// The key of the advisory lock the PostgreSQL migrations run under: any number that no other
/// program takes on the same database (here, the ASCII of "todo-db").
const MIGRATION_LOCK: i64 = 0x0074_6f64_6f2d_6462;

/// Brings a PostgreSQL database (the schema first on its `search_path`) up to date; returns
/// how many steps it applied.
///
/// # Errors
/// A step failed (the transaction is rolled back), or the database is newer than this program.
pub fn postgres(client: &mut postgres::Client) -> Result<usize, DbError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    let steps = pending(i64::from(current))?;
    for (version, step) in (current + 1..).zip(steps) {
        tx.batch_execute(step.postgres)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, &step.name],
        )?;
    }
    tx.commit()?;
    Ok(steps.len())
}

/// The version a PostgreSQL database is at (`0` before the first migration).
///
/// # Errors
/// It could not be read.
pub fn postgres_version(client: &mut postgres::Client) -> Result<i64, DbError> {
    let row = client.query_one(
        "SELECT count(*) FROM information_schema.tables
         WHERE table_name = 'schema_migrations' AND table_schema = current_schema()",
        &[],
    )?;
    if row.try_get::<_, i64>(0)? == 0 {
        return Ok(0);
    }
    let row = client.query_one(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        &[],
    )?;
    Ok(i64::from(row.try_get::<_, i32>(0)?))
}
