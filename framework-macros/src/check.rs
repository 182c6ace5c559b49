//! Checks a [`RouteDef`] as a whole: the function's signature, and path parameters against
//! arguments.

use crate::attr::{Arg, RouteDef};
use crate::diag::Errors;
use crate::path;
use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

/// The type as written, without the spaces `quote` puts between its tokens.
fn show(ty: &impl ToTokens) -> String {
    let mut text = ty.to_token_stream().to_string();
    for (spaced, tight) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (":: ", "::"),
        (" ::", "::"),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" [", "["),
        ("[ ", "["),
        (" ]", "]"),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}

/// The last segment of a plain type path, and its one generic type argument if it has one.
fn last_segment(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let arg = match &last.arguments {
        PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
            _ => None,
        },
        _ => None,
    };
    Some((last.ident.to_string(), arg))
}

/// Whether the type is one of the framework's extractors that read the request body.
fn reads_body(ty: &Type) -> bool {
    match last_segment(ty) {
        Some((name, inner)) => match name.as_str() {
            "Json" | "Form" | "String" | "Body" | "Request" => true,
            "Vec" => inner.is_some_and(|t| show(t) == "u8"),
            _ => false,
        },
        None => false,
    }
}

/// An argument written `name: Type`, for messages.
fn arg_text(arg: &Arg) -> String {
    match &arg.name {
        Some(name) => format!("`{name}: {}`", show(&arg.ty)),
        None => format!("`{}`", show(&arg.ty)),
    }
}

/// Arguments by reference, and body readers that are not last: one error each, on the type.
fn arguments(def: &RouteDef, errors: &mut Errors) {
    let params = def.params();
    let last = def.args.len().saturating_sub(1);
    for (i, arg) in def.args.iter().enumerate() {
        let is_param = arg
            .name
            .as_ref()
            .is_some_and(|n| params.iter().any(|p| n == p));
        if let Type::Reference(reference) = &arg.ty {
            let inner = &*reference.elem;
            let name = arg
                .name
                .as_ref()
                .map_or_else(|| "value".to_string(), ToString::to_string);
            let message = if is_param && show(inner) == "str" {
                format!("a path parameter is decoded into a value of its own: write `{name}: String` (a `&str` would borrow from the request)")
            } else if is_param {
                format!(
                    "a path parameter is decoded into a value of its own: write `{name}: {}`",
                    show(inner)
                )
            } else if last_segment(inner).is_some_and(|(n, _)| n == "State") {
                format!("take `{}` by value: it is a cheap handle to the shared value (it derefs to it), so write `{name}: {}`", show(inner), show(inner))
            } else if show(inner) == "str" || show(inner) == "[u8]" {
                let owned = if show(inner) == "str" {
                    "String"
                } else {
                    "Vec<u8>"
                };
                format!("extractors are taken by value: write `{name}: {owned}`")
            } else {
                format!(
                    "extractors are taken by value: write `{name}: {}`",
                    show(inner)
                )
            };
            errors.spanned(&arg.ty, message);
            continue;
        }
        if i != last && !is_param && reads_body(&arg.ty) {
            let last_arg = &def.args[last];
            let message = if reads_body(&last_arg.ty) {
                format!(
                    "a handler reads the request body at most once: {} and {} both read it; keep one, as the last argument",
                    arg_text(arg),
                    arg_text(last_arg)
                )
            } else {
                format!(
                    "{} reads the request body, so it must be the last argument (only the last argument can read the body): move it after {}",
                    arg_text(arg),
                    arg_text(last_arg)
                )
            };
            errors.spanned(&arg.ty, message);
        }
    }
}

pub(crate) fn all(def: &RouteDef, errors: &mut Errors) {
    let sig = &def.func.sig;
    if let Some(asyncness) = &sig.asyncness {
        errors.spanned(
            asyncness,
            "route handlers cannot be `async`: the framework is synchronous (handlers run on worker threads and may block), so remove `async` and call blocking code directly",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            "route handlers cannot be generic: give every argument a concrete type",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.spanned(variadic, "route handlers cannot be variadic");
    }
    arguments(def, errors);
    // A parameter with an invalid name (`:`, `:1d`) was reported by `path::parse`: asking for an
    // argument of that name would only repeat it.
    for name in def.params().into_iter().filter(|n| path::is_identifier(n)) {
        if !def
            .args
            .iter()
            .any(|a| a.name.as_ref().is_some_and(|n| n == name))
        {
            errors.spanned(
                &def.path,
                format!("route parameter `{name}` has no matching argument: add an argument `{name}` to `fn {}` (of a type that implements `FromStr`, e.g. `{name}: u64`), or remove `:{name}` from the path", sig.ident),
            );
        }
    }
}
