//! The queries in PostgreSQL's dialect (`$1` placeholders), through the synchronous `postgres`
//! client: each call blocks the handler's thread until the server answers.

use crate::store::Todo;
use postgres::{Client, Row};

fn todo(row: &Row) -> Result<Todo, postgres::Error> {
    Ok(Todo {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        done: row.try_get(2)?,
    })
}

pub(crate) fn list(c: &mut Client, done: Option<bool>) -> Result<Vec<Todo>, postgres::Error> {
    let rows = match done {
        None => c.query("SELECT id, title, done FROM todos ORDER BY id", &[])?,
        Some(done) => c.query(
            "SELECT id, title, done FROM todos WHERE done = $1 ORDER BY id",
            &[&done],
        )?,
    };
    rows.iter().map(todo).collect()
}

pub(crate) fn create(c: &mut Client, title: &str, done: bool) -> Result<Todo, postgres::Error> {
    let row = c.query_one(
        "INSERT INTO todos (title, done) VALUES ($1, $2) RETURNING id, title, done",
        &[&title, &done],
    )?;
    todo(&row)
}

pub(crate) fn get(c: &mut Client, id: i64) -> Result<Option<Todo>, postgres::Error> {
    let row = c.query_opt("SELECT id, title, done FROM todos WHERE id = $1", &[&id])?;
    row.as_ref().map(todo).transpose()
}

pub(crate) fn update(
    c: &mut Client,
    id: i64,
    title: Option<&str>,
    done: Option<bool>,
) -> Result<Option<Todo>, postgres::Error> {
    let row = c.query_opt(
        "UPDATE todos SET title = coalesce($2, title), done = coalesce($3, done) \
         WHERE id = $1 RETURNING id, title, done",
        &[&id, &title, &done],
    )?;
    row.as_ref().map(todo).transpose()
}

pub(crate) fn delete(c: &mut Client, id: i64) -> Result<bool, postgres::Error> {
    Ok(c.execute("DELETE FROM todos WHERE id = $1", &[&id])? > 0)
}

/// All todos, and those done.
pub(crate) fn counts(c: &mut Client) -> Result<(i64, i64), postgres::Error> {
    let row = c.query_one(
        "SELECT count(*), count(*) FILTER (WHERE done) FROM todos",
        &[],
    )?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}
