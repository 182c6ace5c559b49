//! Procedural macros for `framework`.
//!
//! Users never depend on this crate directly: `framework` re-exports what it defines.
//! The route attributes (`#[get]`, `#[post]`, …) and `routes![]` arrive with the routing work;
//! until then this crate only proves that the proc-macro side of the workspace builds.

use proc_macro::TokenStream;

/// Placeholder kept until the route attributes land: expands to nothing.
#[doc(hidden)]
#[proc_macro]
pub fn __placeholder(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
