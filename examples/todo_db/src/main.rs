//! `cargo run -p todo-db`: the todo API on 127.0.0.1:8081, stored in `todo.db` (SQLite) in the
//! current directory, or in PostgreSQL with `DATABASE_URL=postgres://USER@HOST/DB`. The
//! variables are listed in `config.rs`; a bad one exits with status 2 before anything is opened.

use std::process::ExitCode;
use todo_db::{app, Config, Store};

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("todo-db: {e}");
            return ExitCode::from(2);
        }
    };
    // Opening the store connects the whole pool and runs the migrations.
    let store = match Store::open(&config.database, &config.pool) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("todo-db: cannot open the {}: {e}", config.database);
            return ExitCode::FAILURE;
        }
    };
    let version = store.schema_version().unwrap_or_default();
    eprintln!(
        "todo-db: {}, schema version {version}, {} pooled connections",
        config.database, config.pool.size
    );
    match app(store).run(config.addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("todo-db: {e}");
            ExitCode::FAILURE
        }
    }
}
