//! Checks a [`RouteDef`] as a whole: the function's signature, and path parameters against
//! arguments.

use crate::attr::RouteDef;
use crate::diag::Errors;
use crate::path;

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
