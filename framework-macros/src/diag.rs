//! Collects every error of one macro call, so the user sees them all at once, each spanned on
//! its culprit. It cannot be dropped unchecked: `finish` must be called.

use std::fmt::Display;

use proc_macro2::Span;

pub(crate) struct Errors {
    combined: Option<syn::Error>,
    checked: bool,
}

impl Errors {
    pub(crate) fn new() -> Self {
        Self {
            combined: None,
            checked: false,
        }
    }

    /// Records an error at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error spanning `tokens`.
    pub(crate) fn spanned(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(all) => all.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Ends collection: `Err` with every error, combined, if there was any.
    pub(crate) fn finish(mut self) -> syn::Result<()> {
        self.checked = true;
        match self.combined.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        // A bug in the macro, not in user code: errors would have been lost.
        if !self.checked && !std::thread::panicking() {
            panic!("diag::Errors dropped without finish()");
        }
    }
}
