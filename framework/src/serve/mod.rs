//! Static files: [`Files`] serves a directory under a mount prefix, with content types,
//! validators, conditional and range requests, precompressed siblings, and paths that cannot
//! leave the root.
//!
//! One job per file: `path.rs` turns a request path into a relative file path (or refuses it),
//! `mime.rs` names the content type, `conditional.rs` decides `304`/`412`/`206`/`416` from the
//! request's fields (pure functions, table-tested), `encoding.rs` picks a precompressed sibling
//! from `Accept-Encoding`, and `files.rs` finds the file and builds the response.

mod conditional;
mod encoding;
mod files;
mod mime;
mod path;

pub use files::Files;
