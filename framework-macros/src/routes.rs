//! `routes![a, b, module::c]` → a `Vec` of routes, with compile-time checks that each name is a
//! route and that no two of them answer the same method on the same paths.
//!
//! A route attribute leaves the user's function in the value namespace and adds a marker struct
//! of the same name in the type namespace. A plain function has nothing in the type namespace, so
//! naming it as a type would fail during name resolution, with rustc's own "expected type, found
//! function". To say instead what is wrong and how to fix it, the expansion gives every name a
//! fallback that only the marker struct can shadow:
//!
//! ```text
//! {
//!     use users::show as __route_1;               // the fn, and the marker struct if any
//!     mod __not_routes {
//!         pub type __route_1 = ::framework::__private::NotARoute;
//!     }
//!     use __not_routes::*;                         // a glob: an explicit import shadows it
//!     const _: () = { let _ = __route_1; if !<__route_1 as IntoRoute>::IS_ROUTE { panic!("`users::show` is not a route: ...") } };
//!     const _: () = if conflicts(&<__route_0 as IntoRoute>::INFO, &<__route_1 ...>::INFO) { panic!(...) };
//!     vec![<__route_0 as IntoRoute>::into_route(), <__route_1 as IntoRoute>::into_route()]
//! }
//! ```
//!
//! Each check is its own `const`, so every failing one is reported, spanned on the name it is
//! about. The `let _ = __route_1` names the function too: when the import itself fails (an
//! unknown or private name), that `const` holds an error and is not evaluated, so rustc's import
//! error stays the only one.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Path, Token};

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let private = crate::krate::private();
    let paths = match Punctuated::<Path, Token![,]>::parse_terminated.parse2(input) {
        Ok(paths) => paths.into_iter().collect::<Vec<_>>(),
        Err(e) => {
            let mut e = e;
            e.combine(syn::Error::new(
                e.span(),
                "`routes!` takes the names of functions annotated with a route attribute, e.g. `routes![index, users::show]`",
            ));
            return e.into_compile_error();
        }
    };
    if let Some(bad) = paths.iter().find_map(|p| {
        p.segments
            .iter()
            .find(|s| !s.arguments.is_none())
            .map(|s| &s.arguments)
    }) {
        return syn::Error::new_spanned(
            bad,
            "`routes!` takes the names of functions annotated with a route attribute, without generic arguments",
        )
        .into_compile_error();
    }
    let name = |p: &Path| p.to_token_stream().to_string().replace(' ', "");
    // Each alias carries its path's span, so that an error about the import (an unknown or
    // private name) points at the name, not at the whole `routes![...]`.
    let aliases: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| format_ident!("__route_{}", i, span = p.span()))
        .collect();

    let mut imports = Vec::new();
    let mut fallbacks = Vec::new();
    let mut checks = Vec::new();
    for (path, alias) in paths.iter().zip(&aliases) {
        // The explicit import carries the user's span, so an unknown name is reported there.
        imports.push(quote_spanned! {path.span()=>
            #[allow(unused_imports)]
            use #path as #alias;
        });
        fallbacks.push(quote! { pub type #alias = #private::NotARoute; });
        let message = format!(
            "`{}` is not a route: annotate the function with a route attribute, e.g. `#[get(\"/path\")]`, or remove it from `routes![...]`",
            name(path)
        );
        checks.push(quote_spanned! {path.span()=>
            const _: () = {
                let _ = #alias;
                if !<#alias as #private::IntoRoute>::IS_ROUTE {
                    ::core::panic!(#message);
                }
            };
        });
    }
    for (i, (a, alias_a)) in paths.iter().zip(&aliases).enumerate() {
        for (b, alias_b) in paths.iter().zip(&aliases).skip(i + 1) {
            let message = format!(
                "routes `{}` and `{}` conflict: they answer the same method on paths of the same shape (parameter names aside); remove one, or change its path or method",
                name(a),
                name(b)
            );
            checks.push(quote_spanned! {b.span()=>
                const _: () = if #private::conflicts(
                    &<#alias_a as #private::IntoRoute>::INFO,
                    &<#alias_b as #private::IntoRoute>::INFO,
                ) {
                    ::core::panic!(#message);
                };
            });
        }
    }
    let routes = paths.iter().zip(&aliases).map(|(path, alias)| {
        quote_spanned! {path.span()=> <#alias as #private::IntoRoute>::into_route() }
    });
    quote! {{
        #(#imports)*
        #[doc(hidden)]
        #[allow(non_camel_case_types, unused_imports)]
        mod __not_routes {
            #(#fallbacks)*
        }
        #[allow(unused_imports)]
        use __not_routes::*;
        #(#checks)*
        ::std::vec![#(#routes),*]
    }}
}
