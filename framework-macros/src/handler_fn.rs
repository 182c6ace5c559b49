//! The function under a route attribute, parsed with the part of syn's grammar that needs no
//! `full` feature: attributes, visibility, generics, argument types and the return type are syn's
//! own types, while argument patterns and the body stay tokens (rustc checks them). serde_derive
//! needs no more of syn than that either, so a user's build compiles one smaller syn, on the
//! critical path of every cold build.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use syn::parse::{Parse, ParseStream};
use syn::{parenthesized, token, Abi, Attribute, Generics, Ident, ReturnType, Token, Type};
use syn::{Lifetime, Visibility};

/// `fn name<G>(args) -> Output where … { body }`, with what may precede `fn`.
#[derive(Clone)]
pub(crate) struct HandlerFn {
    attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    body: Group,
}

/// A function's signature. `generics.where_clause` holds the `where` clause.
#[derive(Clone)]
pub(crate) struct Signature {
    constness: Option<Token![const]>,
    pub(crate) asyncness: Option<Token![async]>,
    unsafety: Option<Token![unsafe]>,
    abi: Option<Abi>,
    fn_token: Token![fn],
    pub(crate) ident: Ident,
    pub(crate) generics: Generics,
    paren: token::Paren,
    pub(crate) inputs: Vec<FnInput>,
    /// `...` or `args: ...`, as written.
    pub(crate) variadic: Option<TokenStream>,
    pub(crate) output: ReturnType,
}

/// One argument.
#[derive(Clone)]
pub(crate) enum FnInput {
    /// `self`, `mut self`, `&self`, `&'a mut self` or `self: Box<Self>`, with its attributes.
    Receiver(TokenStream),
    Typed(Box<TypedInput>),
}

/// `pattern: Type`, with its attributes.
#[derive(Clone)]
pub(crate) struct TypedInput {
    attrs: Vec<Attribute>,
    pat: TokenStream,
    colon: Token![:],
    pub(crate) ty: Type,
}

impl TypedInput {
    /// The bound name when the pattern is a plain identifier (`id`, `mut id`, `ref id`).
    pub(crate) fn name(&self) -> Option<Ident> {
        let mut tokens = self.pat.clone().into_iter().peekable();
        if matches!(tokens.peek(), Some(TokenTree::Ident(i)) if i == "ref") {
            tokens.next();
        }
        if matches!(tokens.peek(), Some(TokenTree::Ident(i)) if i == "mut") {
            tokens.next();
        }
        match (tokens.next(), tokens.next()) {
            (Some(TokenTree::Ident(ident)), None) if ident != "_" && ident != "self" => Some(ident),
            _ => None,
        }
    }
}

impl Signature {
    /// Whether the function takes `self` in any form.
    pub(crate) fn has_receiver(&self) -> bool {
        self.inputs
            .iter()
            .any(|input| matches!(input, FnInput::Receiver(_)))
    }
}

impl Parse for HandlerFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let constness = input.parse()?;
        let asyncness = input.parse()?;
        let unsafety = input.parse()?;
        let abi = input.parse()?;
        let fn_token = input.parse()?;
        let ident = input.parse()?;
        let mut generics: Generics = input.parse()?;
        let content;
        let paren = parenthesized!(content in input);
        let (inputs, variadic) = parse_inputs(&content)?;
        let output = input.parse()?;
        generics.where_clause = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected the function's body"));
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function"));
        }
        Ok(Self {
            attrs,
            vis,
            sig: Signature {
                constness,
                asyncness,
                unsafety,
                abi,
                fn_token,
                ident,
                generics,
                paren,
                inputs,
                variadic,
                output,
            },
            body,
        })
    }
}

/// The arguments inside the parentheses, and a C-variadic `...` if one ends them.
fn parse_inputs(input: ParseStream<'_>) -> syn::Result<(Vec<FnInput>, Option<TokenStream>)> {
    let mut inputs = Vec::new();
    let mut variadic = None;
    while !input.is_empty() {
        let attrs = input.call(Attribute::parse_outer)?;
        if input.peek(Token![...]) {
            let mut tokens = TokenStream::new();
            tokens.append_all(&attrs);
            input.parse::<Token![...]>()?.to_tokens(&mut tokens);
            variadic = Some(tokens);
        } else if starts_receiver(input) {
            inputs.push(FnInput::Receiver(parse_receiver(input, &attrs)?));
        } else {
            let pat = parse_pattern(input)?;
            let colon: Token![:] = input.parse()?;
            if input.peek(Token![...]) {
                let mut tokens = TokenStream::new();
                tokens.append_all(&attrs);
                tokens.extend(pat);
                colon.to_tokens(&mut tokens);
                input.parse::<Token![...]>()?.to_tokens(&mut tokens);
                variadic = Some(tokens);
            } else {
                inputs.push(FnInput::Typed(Box::new(TypedInput {
                    attrs,
                    pat,
                    colon,
                    ty: input.parse()?,
                })));
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok((inputs, variadic))
}

/// `self`, `mut self`, `&self`, `&'a self`, `&mut self`, … (not a `self::path` pattern).
fn starts_receiver(input: ParseStream<'_>) -> bool {
    let fork = input.fork();
    if fork.parse::<Option<Token![&]>>().ok().flatten().is_some() {
        let _ = fork.parse::<Option<Lifetime>>();
    }
    let _ = fork.parse::<Option<Token![mut]>>();
    fork.peek(Token![self]) && !fork.peek2(Token![::])
}

fn parse_receiver(input: ParseStream<'_>, attrs: &[Attribute]) -> syn::Result<TokenStream> {
    let mut tokens = TokenStream::new();
    tokens.append_all(attrs);
    if let Some(and) = input.parse::<Option<Token![&]>>()? {
        and.to_tokens(&mut tokens);
        input.parse::<Option<Lifetime>>()?.to_tokens(&mut tokens);
    }
    input.parse::<Option<Token![mut]>>()?.to_tokens(&mut tokens);
    input.parse::<Token![self]>()?.to_tokens(&mut tokens);
    if let Some(colon) = input.parse::<Option<Token![:]>>()? {
        colon.to_tokens(&mut tokens);
        input.parse::<Type>()?.to_tokens(&mut tokens);
    }
    Ok(tokens)
}

/// The tokens of a pattern, up to the `:` before its type (`::` in a path is part of it).
fn parse_pattern(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let mut pat = TokenStream::new();
    loop {
        if input.peek(Token![::]) {
            input.parse::<Token![::]>()?.to_tokens(&mut pat);
        } else if input.peek(Token![:]) && !pat.is_empty() {
            return Ok(pat);
        } else if input.is_empty() || input.peek(Token![,]) {
            return Err(input.error("expected an argument: `name: Type`"));
        } else {
            pat.append(input.parse::<TokenTree>()?);
        }
    }
}

impl ToTokens for FnInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Self::Receiver(receiver) => receiver.to_tokens(tokens),
            Self::Typed(typed) => {
                tokens.append_all(&typed.attrs);
                typed.pat.to_tokens(tokens);
                typed.colon.to_tokens(tokens);
                typed.ty.to_tokens(tokens);
            }
        }
    }
}

impl ToTokens for HandlerFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(&self.attrs);
        self.vis.to_tokens(tokens);
        let sig = &self.sig;
        sig.constness.to_tokens(tokens);
        sig.asyncness.to_tokens(tokens);
        sig.unsafety.to_tokens(tokens);
        sig.abi.to_tokens(tokens);
        sig.fn_token.to_tokens(tokens);
        sig.ident.to_tokens(tokens);
        sig.generics.to_tokens(tokens);
        sig.paren.surround(tokens, |tokens| {
            for input in &sig.inputs {
                input.to_tokens(tokens);
                <Token![,]>::default().to_tokens(tokens);
            }
            sig.variadic.to_tokens(tokens);
        });
        sig.output.to_tokens(tokens);
        sig.generics.where_clause.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> HandlerFn {
        match syn::parse2(tokens) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        }
    }

    fn names(f: &HandlerFn) -> Vec<Option<String>> {
        f.sig
            .inputs
            .iter()
            .map(|input| match input {
                FnInput::Receiver(_) => Some("<self>".to_string()),
                FnInput::Typed(t) => t.name().map(|n| n.to_string()),
            })
            .collect()
    }

    #[test]
    fn arguments_patterns_and_types() {
        let f = parse(quote! {
            /// Docs.
            #[inline]
            pub(crate) fn show(
                id: u64,
                mut name: String,
                ref r: u8,
                Path((a, b)): Path<(u32, u32)>,
                framework::Path(c): framework::Path<HashMap<String, Vec<u8>>>,
                _: State<Db>,
                #[allow(unused)] q: Query<P>,
            ) -> Result<Json<User>, Error> where Db: Send { body() }
        });
        assert_eq!(f.sig.ident, "show");
        assert_eq!(
            names(&f),
            [
                Some("id".into()),
                Some("name".into()),
                Some("r".into()),
                None,
                None,
                None,
                Some("q".into()),
            ]
        );
        assert!(f.sig.generics.where_clause.is_some());
        assert!(!f.sig.has_receiver());
        let FnInput::Typed(t) = &f.sig.inputs[4] else {
            panic!("a typed argument")
        };
        let expected: Type = syn::parse_quote!(framework::Path<HashMap<String, Vec<u8>>>);
        assert_eq!(
            t.ty.to_token_stream().to_string(),
            expected.to_token_stream().to_string()
        );
    }

    #[test]
    fn prints_back_what_it_read() {
        let source = quote! {
            #[doc = "x"]
            pub const async unsafe extern "C" fn f<'a, T: Clone>(a: &'a T, b: u8,) -> T where T: Copy {
                #![allow(unused)]
                let x = 1;
                *a
            }
        };
        let f = parse(source);
        let printed = f.to_token_stream().to_string();
        assert_eq!(
            printed,
            quote! {
                #[doc = "x"]
                pub const async unsafe extern "C" fn f<'a, T: Clone>(a: &'a T, b: u8,) -> T where T: Copy {
                    #![allow(unused)]
                    let x = 1;
                    *a
                }
            }
            .to_string()
        );
        assert!(f.sig.asyncness.is_some());
    }

    #[test]
    fn receivers() {
        for receiver in [
            quote!(self),
            quote!(mut self),
            quote!(&self),
            quote!(&mut self),
            quote!(&'a mut self),
            quote!(self: Box<Self>),
        ] {
            let f = parse(quote!(fn m(#receiver, x: u8) {}));
            assert!(f.sig.has_receiver(), "{receiver}");
            assert_eq!(f.sig.inputs.len(), 2, "{receiver}");
        }
        let f = parse(quote!(
            fn m(self::A(x): self::A) {}
        ));
        assert!(!f.sig.has_receiver());
    }

    #[test]
    fn types_that_need_more_than_paths() {
        for item in [
            quote!(
                fn f() -> impl IntoResponse + 'static {
                    x
                }
            ),
            quote!(
                fn g(
                    a: [u8; 3],
                    b: &'static [&'static str],
                ) -> (StatusCode, [(&'static str, String); 2]) {
                    x
                }
            ),
            quote!(
                fn h(a: Foo<{ N + 1 }>, b: fn(u8) -> u8, c: Box<dyn Fn() + Send>) {}
            ),
        ] {
            assert!(syn::parse2::<HandlerFn>(item.clone()).is_ok(), "{item}");
        }
    }

    #[test]
    fn variadic() {
        assert!(parse(quote!(
            unsafe extern "C" fn f(a: u8, ...) {}
        ))
        .sig
        .variadic
        .is_some());
        assert!(parse(quote!(
            unsafe extern "C" fn f(a: u8, rest: ...) {}
        ))
        .sig
        .variadic
        .is_some());
    }

    #[test]
    fn refuses_what_is_not_a_function() {
        for item in [
            quote!(
                struct S;
            ),
            quote!(
                fn f();
            ),
            quote!(
                fn f() {}
                fn g() {}
            ),
            quote!(fn f(a) {}),
            quote!(
                const X: u8 = 1;
            ),
        ] {
            assert!(syn::parse2::<HandlerFn>(item.clone()).is_err(), "{item}");
        }
    }
}
