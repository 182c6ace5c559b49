//! [`RouteDef`] → tokens: the user's function unchanged, plus a hidden enum of the same name
//! whose `IntoRoute` impl builds the route. Generated code names only `::framework::__private`.
//!
//! For `#[get("/users/:id")] fn show(id: u64, store: State<Store>) -> Result<Json<User>, Error>`
//! the expansion is, in outline (paths shortened; `__private::` before every framework name):
//!
//! ```text
//! fn show(id: u64, store: State<Store>) -> Result<Json<User>, Error> { /* unchanged */ }
//!
//! #[doc(hidden)] #[allow(non_camel_case_types, dead_code)]
//! enum show {                          // what `routes![show]` names; one item, never built
//!     __Route = {
//!         impl IntoRoute for show {
//!             const INFO: RouteInfo = RouteInfo {      // compared at compile time by routes![]
//!                 methods: &["GET"], path: "/users/:id", name: "show", file: file!(), line: line!(),
//!                 body_limit: None,                      // Some(bytes) from `limit = "50 MiB"`
//!             };
//!             fn into_route() -> Route {
//!                 // one constant per extractor: its bound is stated once, at the argument
//!                 const __ARG1: Arg<State<Store>> = parts::<State<Store>>();   // `last::<T, _>()`
//!                 fn endpoint(__req: &mut Request, __cx: &RequestContext<'_>) -> Response {
//!                     // a `:param` argument: parsed from its decoded segment, 400 naming it
//!                     let __arg0: u64 = match path_param(&*__req, __cx, 0, "id", <u64 as FromParam>::from_param) {
//!                         Ok(v) => v, Err(r) => return r.into_response(),
//!                     };
//!                     let __arg1: State<Store> = match (__ARG1.extract)(__req, __cx) {
//!                         Ok(v) => v, Err(r) => return r,
//!                     };
//!                     <Result<Json<User>, Error> as IntoResponse>::into_response(show(__arg0, __arg1))
//!                 }
//!                 fn requirements(__needs: &mut Requirements) {   // checked by App::build
//!                     (__ARG1.needs)(__needs);
//!                 }
//!                 Route::from_generated(&<Self as IntoRoute>::INFO, endpoint, requirements)
//!             }
//!         }
//!         0
//!     },
//! }
//! ```
//!
//! `Json<T>`, `Form<T>` and `Query<T>` are built by `json::<T>()` (`form`, `query`), whose one
//! bound is `T: DeserializeOwned`, so a missing derive is reported on `T` with serde's hint.

use crate::attr::RouteDef;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::ReturnType;

pub(crate) fn route(def: &RouteDef) -> TokenStream {
    let private = crate::krate::private();
    let func = &def.func;
    let name = &func.sig.ident;
    let name_str = name.to_string();
    let path = &def.path;
    let body_limit = match def.body_limit {
        Some(bytes) => quote!(::core::option::Option::Some(#bytes)),
        None => quote!(::core::option::Option::None),
    };
    let methods = &def.methods;
    let params = def.params();
    let last = def.args.len().saturating_sub(1);

    let mut consts = Vec::new();
    let mut extract = Vec::new();
    let mut needs = Vec::new();
    let mut values = Vec::new();
    for (i, arg) in def.args.iter().enumerate() {
        let ty = &arg.ty;
        let var = format_ident!("__arg{}", i);
        let param = arg
            .name
            .as_ref()
            .and_then(|n| params.iter().position(|p| n == p));
        if let Some(index) = param {
            let pname = &params[index];
            // Spanned on the type, so a type that cannot be parsed is reported at the argument;
            // the parser is named through the trait, without a "required by a bound" note.
            let value = quote_spanned! {ty.span()=>
                #private::path_param(
                    &*__req,
                    __cx,
                    #index,
                    #pname,
                    <#ty as #private::FromParam>::from_param,
                )
            };
            extract.push(quote! {
                let #var: #ty = match #value {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(rejection) => {
                        return #private::IntoResponse::into_response(rejection);
                    }
                };
            });
        } else {
            // One constant per extractor states its bound once: a type that is no extractor is
            // reported once, at the argument, and the endpoint and the requirements share it.
            let spec = format_ident!("__ARG{}", i);
            let build = match deserialized(ty) {
                Some((helper, inner)) => {
                    let helper = format_ident!("{}", helper);
                    quote_spanned! {inner.span()=> #private::#helper::<#inner>() }
                }
                None if i == last => {
                    quote_spanned! {ty.span()=> #private::last::<#ty, _>() }
                }
                None => quote_spanned! {ty.span()=> #private::parts::<#ty>() },
            };
            consts.push(quote! {
                const #spec: #private::Arg<#ty> = #build;
            });
            needs.push(quote! { (#spec.needs)(__needs); });
            extract.push(quote! {
                let #var: #ty = match (#spec.extract)(__req, __cx) {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(rejection) => return rejection,
                };
            });
        }
        values.push(var);
    }
    // Spanned on the return type, so a type that is not a responder is reported there.
    let respond = match &func.sig.output {
        ReturnType::Type(_, ty) => quote_spanned! {ty.span()=>
            <#ty as #private::IntoResponse>::into_response(#name(#(#values),*))
        },
        ReturnType::Default => quote! {
            <() as #private::IntoResponse>::into_response(#name(#(#values),*))
        },
    };

    let info = quote! {
        const INFO: #private::RouteInfo = #private::RouteInfo {
            methods: &[#(#methods),*],
            path: #path,
            name: #name_str,
            file: ::core::file!(),
            line: ::core::line!(),
            body_limit: #body_limit,
        };
    };
    let route_impl = quote! {
        impl #private::IntoRoute for #name {
            #info

            fn into_route() -> #private::Route {
                #(#consts)*
                fn endpoint(
                    __req: &mut #private::Request,
                    __cx: &#private::RequestContext<'_>,
                ) -> #private::Response {
                    #(#extract)*
                    #respond
                }
                fn requirements(__needs: &mut #private::Requirements) {
                    #(#needs)*
                }
                #private::Route::from_generated(
                    &<Self as #private::IntoRoute>::INFO,
                    endpoint,
                    requirements,
                )
            }
        }
    };
    let marker = marker(&func.vis, name, &route_impl);
    quote! {
        #func

        #marker
    }
}

/// `Json<T>`, `Form<T>` or `Query<T>` (by the last segment of the type's path): the helper that
/// extracts it with the one bound `T: DeserializeOwned`, and `T`.
fn deserialized(ty: &syn::Type) -> Option<(&'static str, &syn::Type)> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    let helper = match last.ident.to_string().as_str() {
        "Json" => "json",
        "Form" => "form",
        "Query" => "query",
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [syn::GenericArgument::Type(inner)] => Some((helper, inner)),
        _ => None,
    }
}

/// The marker `routes![name]` looks up: a type of the function's name (the fn lives in the value
/// namespace, the marker in the type namespace), never built, holding the route's `IntoRoute`
/// impl. It is one item, an enum whose discriminant block holds the impl, so that misplaced in an
/// `impl` block (where only functions and constants may go) it gives one error, not one per
/// item. Spanned on the fn's name, so that rustc's notes about it point at the function.
fn marker(vis: &syn::Visibility, name: &syn::Ident, route_impl: &TokenStream) -> TokenStream {
    quote_spanned! {name.span()=>
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis enum #name {
            __Route = {
                // The impl is for the enum around it: local in all but the lint's eyes.
                #[allow(non_local_definitions)]
                #route_impl
                0
            },
        }
    }
}

/// What stands in for a route whose attribute failed: the marker with an impl that is never
/// served (it answers no method), so that `routes![name]` stays quiet and the attribute's error
/// is the only one. Its function is kept as the user wrote it.
pub(crate) fn stub(func: &crate::handler_fn::HandlerFn) -> TokenStream {
    let private = crate::krate::private();
    let name = &func.sig.ident;
    let name_str = name.to_string();
    let route_impl = quote! {
        impl #private::IntoRoute for #name {
            const INFO: #private::RouteInfo = #private::RouteInfo {
                methods: &[],
                path: "",
                name: #name_str,
                file: ::core::file!(),
                line: ::core::line!(),
                body_limit: ::core::option::Option::None,
            };

            fn into_route() -> #private::Route {
                <#private::NotARoute as #private::IntoRoute>::into_route()
            }
        }
    };
    marker(&func.vis, name, &route_impl)
}
