//! Route attributes and `routes![]` for `framework`. Users depend on `framework`, which
//! re-exports these macros.
//!
//! The pipeline is the file layout: `attr.rs` parses an attribute and its function into a
//! `attr::RouteDef`, `path.rs` parses the path pattern, `check.rs` validates the two together,
//! `expand.rs` emits calls into `::framework::__private` (under the name `krate.rs` finds), and `routes.rs` expands `routes![...]`.
//! Every error is collected by `diag.rs` and reported at once, each spanned on its culprit.

mod attr;
mod check;
mod context;
mod diag;
mod expand;
mod handler_fn;
mod krate;
mod path;
mod routes;
mod size;

use proc_macro::TokenStream;

/// `#[get("/path")]`: the function answers `GET` (and `HEAD`) on this path.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn get(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("GET"), args.into(), item.into()).into()
}

/// `#[post("/path")]`: the function answers `POST` on this path.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn post(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("POST"), args.into(), item.into()).into()
}

/// `#[put("/path")]`: the function answers `PUT` on this path.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn put(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("PUT"), args.into(), item.into()).into()
}

/// `#[patch("/path")]`: the function answers `PATCH` on this path.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn patch(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("PATCH"), args.into(), item.into()).into()
}

/// `#[delete("/path")]`: the function answers `DELETE` on this path.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn delete(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("DELETE"), args.into(), item.into()).into()
}

/// `#[head("/path")]`: the function answers `HEAD` on this path, instead of the `GET` route.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn head(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("HEAD"), args.into(), item.into()).into()
}

/// `#[options("/path")]`: the function answers `OPTIONS` on this path, instead of the automatic
/// `204` with `Allow`.
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn options(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(Some("OPTIONS"), args.into(), item.into()).into()
}

/// `#[route(GET, POST, "/path")]`: the function answers every listed method on this path.
/// Standard methods are written as uppercase identifiers; an extension method as a string
/// (`#[route("PURGE", "/cache")]`).
#[doc = include_str!("route_attr.md")]
#[proc_macro_attribute]
pub fn route(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::route(None, args.into(), item.into()).into()
}

/// `routes![a, b, module::c]`: the routes of these annotated functions, as a `Vec` to mount.
/// Two routes in one list that answer the same method on the same paths are a compile error, and
/// so is a name without a route attribute.
#[proc_macro]
pub fn routes(input: TokenStream) -> TokenStream {
    routes::expand(input.into()).into()
}
