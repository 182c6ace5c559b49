//! `routes![a, b, module::c]` → a `Vec` of routes, with a compile-time check that no two of them
//! answer the same method on the same paths.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Path, Token};

pub(crate) fn expand(input: TokenStream) -> TokenStream {
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
    let name = |p: &Path| p.to_token_stream().to_string().replace(' ', "");
    let mut checks = Vec::new();
    for (i, a) in paths.iter().enumerate() {
        for b in &paths[i + 1..] {
            let message = format!(
                "routes `{}` and `{}` conflict: they answer the same method on paths of the same shape (parameter names aside); remove one, or change its path or method",
                name(a),
                name(b)
            );
            checks.push(quote_spanned! {b.span()=>
                if ::framework::__private::conflicts(
                    &<#a as ::framework::__private::IntoRoute>::INFO,
                    &<#b as ::framework::__private::IntoRoute>::INFO,
                ) {
                    ::core::panic!(#message);
                }
            });
        }
    }
    let routes = paths.iter().map(|p| {
        quote_spanned! {p.span()=> ::framework::__private::IntoRoute::into_route(#p {}) }
    });
    quote! {{
        const _: () = { #(#checks)* };
        ::std::vec![#(#routes),*]
    }}
}
