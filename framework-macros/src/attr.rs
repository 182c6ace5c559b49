//! A route attribute and its function, parsed into a [`RouteDef`].

use crate::diag::Errors;
use crate::handler_fn::{FnInput, HandlerFn};
use crate::path::{self, Segment};
use crate::{check, context, expand, size};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Lit, LitStr, Token, Type};

/// The methods a route attribute knows by name.
pub(crate) const KNOWN_METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
];

/// One handler argument.
pub(crate) struct Arg {
    /// The bound name, when the pattern is a plain identifier (`id`, `mut id`).
    pub(crate) name: Option<Ident>,
    pub(crate) ty: Type,
}

/// Everything the expansion needs about one route.
pub(crate) struct RouteDef {
    pub(crate) methods: Vec<String>,
    pub(crate) path: LitStr,
    pub(crate) segments: Vec<Segment>,
    pub(crate) func: HandlerFn,
    pub(crate) args: Vec<Arg>,
    /// The `limit = "50 MiB"` option, in bytes.
    pub(crate) body_limit: Option<u64>,
}

/// An option after the path: `limit = "50 MiB"`.
struct RouteOption {
    key: Ident,
    value: Lit,
}

impl Parse for RouteOption {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.parse()?;
        input.parse::<Token![=]>()?;
        Ok(Self {
            key,
            value: input.parse()?,
        })
    }
}

/// A method attribute's arguments: the path, then options.
struct PathAndOptions {
    path: LitStr,
    options: Vec<RouteOption>,
}

impl Parse for PathAndOptions {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path = input.parse()?;
        let mut options = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            options.push(input.parse()?);
        }
        Ok(Self { path, options })
    }
}

/// Checks the options; the body limit, if one is given.
fn body_limit(options: &[RouteOption], errors: &mut Errors) -> Option<u64> {
    let mut limit = None;
    let mut seen = false;
    for RouteOption { key, value } in options {
        match key.to_string().as_str() {
            "limit" => {
                if std::mem::replace(&mut seen, true) {
                    errors.spanned(key, "`limit` is given twice: keep one");
                    continue;
                }
                let parsed = match value {
                    Lit::Str(text) => size::parse(&text.value()),
                    Lit::Int(bytes) => bytes
                        .base10_parse::<u64>()
                        .map_err(|_| "it is not a number of bytes".to_string()),
                    _ => Err("it is neither a size string nor a number of bytes".to_string()),
                };
                match parsed {
                    Ok(bytes) => limit = Some(bytes),
                    Err(why) => errors.spanned(
                        value,
                        format!("invalid body limit: {why}; write e.g. `limit = \"50 MiB\"`, `limit = \"512 KiB\"` or `limit = 1048576` (bytes)"),
                    ),
                }
            }
            "data" => errors.spanned(
                key,
                "no `data` option is needed (that is Rocket's syntax): take the body as the handler's last argument, e.g. `body: Json<NewUser>`",
            ),
            "format" => errors.spanned(
                key,
                "no `format` option is needed (that is Rocket's syntax): a `Json<T>` argument already refuses a body that is not `application/json` (415), and a `Json` return value sets `Content-Type`; to branch on the type, take `Header<names::ContentType>`",
            ),
            "rank" => errors.spanned(
                key,
                "no `rank` option is needed (that is Rocket's syntax): the most specific route wins on its own (a static segment over `:param`, `:param` over `*rest`), and two routes of the same shape are refused by `routes![...]`",
            ),
            other => errors.spanned(
                key,
                format!("unknown route option `{other}`: the one option is `limit = \"50 MiB\"` (the most request-body bytes this route accepts)"),
            ),
        }
    }
    limit
}

/// `#[route(GET, POST, "/path", limit = "1 MiB")]` arguments: methods, the path, options.
enum MethodOrPath {
    Ident(Ident),
    Lit(LitStr),
    Option(RouteOption),
}

impl Parse for MethodOrPath {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            input.parse().map(Self::Lit)
        } else if input.peek(Ident) && input.peek2(Token![=]) {
            input.parse().map(Self::Option)
        } else if input.peek(Ident) {
            input.parse().map(Self::Ident)
        } else {
            Err(input.error("expected a method (`GET`) or the route path (`\"/users/:id\"`)"))
        }
    }
}

fn parse_methods_and_path(
    args: TokenStream,
    errors: &mut Errors,
) -> Option<(Vec<String>, LitStr, Vec<RouteOption>)> {
    let items = match syn::parse::Parser::parse2(
        Punctuated::<MethodOrPath, Token![,]>::parse_terminated,
        args.clone(),
    ) {
        Ok(items) => items,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let mut items: Vec<MethodOrPath> = items.into_iter().collect();
    let mut options = Vec::new();
    while let Some(MethodOrPath::Option(_)) = items.last() {
        if let Some(MethodOrPath::Option(option)) = items.pop() {
            options.insert(0, option);
        }
    }
    let Some(MethodOrPath::Lit(path)) = items.pop() else {
        errors.at(
            Span::call_site(),
            "expected the methods and then the path, e.g. `#[route(GET, POST, \"/users\")]`",
        );
        return None;
    };
    if items.is_empty() {
        errors.spanned(
            &path,
            "list at least one method before the path, e.g. `#[route(GET, POST, \"/users\")]`",
        );
    }
    let mut methods = Vec::new();
    for item in items {
        match item {
            MethodOrPath::Ident(ident) => {
                let name = ident.to_string();
                if KNOWN_METHODS.contains(&name.as_str()) {
                    methods.push(name);
                } else if KNOWN_METHODS.contains(&name.to_ascii_uppercase().as_str()) {
                    errors.spanned(
                        &ident,
                        format!(
                            "methods are written in uppercase: use `{}`",
                            name.to_ascii_uppercase()
                        ),
                    );
                } else if name == "CONNECT" {
                    errors.spanned(&ident, "`CONNECT` cannot be routed (the server answers it with 501 Not Implemented): remove it");
                } else {
                    errors.spanned(
                        &ident,
                        format!("unknown method `{name}`: use one of {}, or write an extension method as a string, e.g. `\"PURGE\"`", KNOWN_METHODS.join(", ")),
                    );
                }
            }
            MethodOrPath::Option(option) => errors.spanned(
                &option.key,
                "options come after the path, e.g. `#[route(GET, POST, \"/upload\", limit = \"50 MiB\")]`",
            ),
            MethodOrPath::Lit(lit) => {
                let name = lit.value();
                let token = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                if !token {
                    errors.spanned(&lit, format!("`{name}` is not a method name: a method is a token such as `\"PURGE\"`"));
                } else if name == "CONNECT" {
                    errors.spanned(&lit, "`CONNECT` cannot be routed (the server answers it with 501 Not Implemented): remove it");
                } else {
                    methods.push(name);
                }
            }
        }
    }
    Some((methods, path, options))
}

/// Parses the attribute arguments and the function; `None` when nothing sensible can be built.
fn parse(
    method: Option<&str>,
    args: TokenStream,
    item: TokenStream,
    errors: &mut Errors,
) -> Option<RouteDef> {
    let attr_name = method.map_or_else(|| "route".to_string(), str::to_ascii_lowercase);
    let (methods, path, options) = match method {
        Some(m) => {
            match syn::parse2::<PathAndOptions>(args.clone()) {
                Ok(PathAndOptions { path, options }) => (vec![m.to_string()], path, options),
                Err(_) => {
                    let msg = format!("expected the route path as a string, e.g. `#[{attr_name}(\"/users/:id\")]`");
                    if args.is_empty() {
                        errors.at(Span::call_site(), msg);
                    } else {
                        errors.spanned(&args, msg);
                    }
                    return None;
                }
            }
        }
        None => parse_methods_and_path(args, errors)?,
    };
    let func: HandlerFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            errors.spanned(
                &item,
                format!("`#[{attr_name}]` must be placed on a function: it turns a plain `fn` into a route handler"),
            );
            return None;
        }
    };
    let segments = path::parse(&path, errors);
    let body_limit = body_limit(&options, errors);
    let args = func
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnInput::Receiver(receiver) => {
                errors.spanned(
                    receiver,
                    "a route handler is a free function: it cannot take `self`",
                );
                None
            }
            FnInput::Typed(typed) => Some(Arg {
                name: typed.name(),
                ty: typed.ty.clone(),
            }),
        })
        .collect();
    Some(RouteDef {
        methods,
        path,
        segments,
        func,
        args,
        body_limit,
    })
}

/// The whole attribute: parse, check, expand. On error the user's function is kept as it was,
/// with a stand-in route (`expand::stub`), so that neither its callers nor `routes![...]` add a
/// second wave of errors.
pub(crate) fn route(method: Option<&str>, args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(block) = context::enclosing_block() {
        // Only functions and constants may go in the block, so no marker, and no other error.
        let attr_name = method.map_or_else(|| "route".to_string(), str::to_ascii_lowercase);
        let name = syn::parse2::<HandlerFn>(item.clone()).map_or_else(
            |_| "the function".to_string(),
            |f| format!("`{}`", f.sig.ident),
        );
        let e = syn::Error::new(
            Span::call_site(),
            format!(
                "`#[{attr_name}]` goes on a free function, not in {}: move {name} out of it to module level, and reach shared data through an argument such as `State<T>` (registered with `App::manage`) instead of `self`",
                block.described()
            ),
        )
        .into_compile_error();
        return quote!(#e #item);
    }
    let mut errors = Errors::new();
    let def = parse(method, args, item.clone(), &mut errors);
    if let Some(def) = &def {
        check::all(def, &mut errors);
    }
    match (errors.finish(), def) {
        (Ok(()), Some(def)) => expand::route(&def),
        (Err(e), def) => {
            let e = e.into_compile_error();
            let func = def
                .map(|def| def.func)
                .or_else(|| syn::parse2::<HandlerFn>(item.clone()).ok())
                // A method (it takes `self`) sits in an `impl` block, where a marker cannot go.
                .filter(|func| !func.sig.has_receiver());
            let Some(func) = func else {
                return quote!(#e #item);
            };
            let stub = expand::stub(&func);
            if func.sig.generics.params.is_empty() {
                return quote!(#e #item #stub);
            }
            // `routes![f]` names the function as a value; a generic one would add a "type
            // annotations needed" error that suggests `f::<T>`. The function is kept (and
            // checked) under another name, and a plain one stands in.
            let mut kept = func.clone();
            kept.sig.ident = quote::format_ident!("__generic_{}", func.sig.ident);
            let name = &func.sig.ident;
            let vis = &func.vis;
            quote! {
                #e
                #[allow(dead_code, non_snake_case)]
                #kept
                #[allow(dead_code)]
                #vis fn #name() {}
                #stub
            }
        }
        (Ok(()), None) => item,
    }
}

/// The names of the path parameters, in order.
impl RouteDef {
    pub(crate) fn params(&self) -> Vec<&str> {
        path::param_names(&self.segments)
    }
}
