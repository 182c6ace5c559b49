//! The queries in SQLite's dialect (`?1` placeholders), and the set-up of each connection.

use crate::store::Todo;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::time::Duration;

/// How long a statement waits for another connection's write lock before it fails with
/// `SQLITE_BUSY`. SQLite has one writer at a time; under load the others queue here.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Run on every new connection of the pool: these settings belong to the connection, not to
/// the file.
///
/// - `busy_timeout`: wait for the write lock instead of failing at once.
/// - `foreign_keys = ON`: SQLite leaves them off unless asked, per connection.
/// - `synchronous = NORMAL`: in WAL mode a commit no longer waits for an fsync of its own; a
///   power cut may lose the last commits but never corrupts the file, and a crash of the
///   process loses nothing.
///
/// # Errors
/// A setting was refused.
pub fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// Switches the file to write-ahead logging, once at start-up (the mode is stored in the file
/// and every later connection finds it): readers no longer block the writer, nor it them.
///
/// # Errors
/// The switch was refused (another process holds the file in exclusive mode).
pub fn use_wal(conn: &mut Connection) -> rusqlite::Result<()> {
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        eprintln!("todo-db: SQLite kept journal_mode={mode}: WAL is not available for this file");
    }
    Ok(())
}

fn todo(row: &Row<'_>) -> rusqlite::Result<Todo> {
    Ok(Todo {
        id: row.get(0)?,
        title: row.get(1)?,
        done: row.get(2)?,
    })
}

pub(crate) fn list(c: &Connection, done: Option<bool>) -> rusqlite::Result<Vec<Todo>> {
    match done {
        None => c
            .prepare_cached("SELECT id, title, done FROM todos ORDER BY id")?
            .query_map([], todo)?
            .collect(),
        Some(done) => c
            .prepare_cached("SELECT id, title, done FROM todos WHERE done = ?1 ORDER BY id")?
            .query_map([done], todo)?
            .collect(),
    }
}

pub(crate) fn create(c: &Connection, title: &str, done: bool) -> rusqlite::Result<Todo> {
    c.prepare_cached("INSERT INTO todos (title, done) VALUES (?1, ?2) RETURNING id, title, done")?
        .query_row(params![title, done], todo)
}

pub(crate) fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Todo>> {
    c.prepare_cached("SELECT id, title, done FROM todos WHERE id = ?1")?
        .query_row([id], todo)
        .optional()
}

pub(crate) fn update(
    c: &Connection,
    id: i64,
    title: Option<&str>,
    done: Option<bool>,
) -> rusqlite::Result<Option<Todo>> {
    c.prepare_cached(
        "UPDATE todos SET title = coalesce(?2, title), done = coalesce(?3, done) \
         WHERE id = ?1 RETURNING id, title, done",
    )?
    .query_row(params![id, title, done], todo)
    .optional()
}

pub(crate) fn delete(c: &Connection, id: i64) -> rusqlite::Result<bool> {
    let deleted = c
        .prepare_cached("DELETE FROM todos WHERE id = ?1")?
        .execute([id])?;
    Ok(deleted > 0)
}

/// All todos, and those done.
pub(crate) fn counts(c: &Connection) -> rusqlite::Result<(i64, i64)> {
    c.prepare_cached("SELECT count(*), count(*) FILTER (WHERE done) FROM todos")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}
