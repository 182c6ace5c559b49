//! The urlencoded deserializer, into a few shapes a handler would use, against an independent
//! reading of the data: split on `&`, skip empty pieces, split each at its first `=`, decode `+`
//! and `%XX`, then group by key. Every shape must deserialize exactly when that reading says it
//! fits, and to the same value.
#![no_main]

use framework::extract::from_urlencoded;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Sort {
    Asc,
    Desc,
    #[serde(rename = "most-recent")]
    MostRecent,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Search {
    q: Option<String>,
    page: Option<u32>,
    sort: Option<Sort>,
    #[serde(default)]
    tag: Vec<String>,
    flag: Option<bool>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Numbers {
    a: Option<i64>,
    b: Option<f64>,
    c: Option<u8>,
    #[serde(default)]
    n: Vec<i32>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Required {
    name: String,
    sort: Sort,
}

/// `%XX` and `+`, then UTF-8; `None` for a bad escape or bytes that are not UTF-8.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn pairs(data: &str) -> Option<Vec<(String, String)>> {
    data.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// The values of `key`, in order.
fn values<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// At most one value for an `Option` field, converted.
fn single<T>(
    pairs: &[(String, String)],
    key: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Option<Option<T>> {
    match values(pairs, key)[..] {
        [] => Some(None),
        [one] => f(one).map(Some),
        _ => None,
    }
}

fn sort(s: &str) -> Option<Sort> {
    match s {
        "asc" => Some(Sort::Asc),
        "desc" => Some(Sort::Desc),
        "most-recent" => Some(Sort::MostRecent),
        _ => None,
    }
}

fn bool_of(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn all<T>(pairs: &[(String, String)], key: &str, f: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    values(pairs, key).into_iter().map(f).collect()
}

fn search(p: &[(String, String)]) -> Option<Search> {
    Some(Search {
        q: single(p, "q", |v| Some(v.to_owned()))?,
        page: single(p, "page", |v| v.parse().ok())?,
        sort: single(p, "sort", sort)?,
        tag: all(p, "tag", |v| Some(v.to_owned()))?,
        flag: single(p, "flag", bool_of)?,
    })
}

fn numbers(p: &[(String, String)]) -> Option<Numbers> {
    Some(Numbers {
        a: single(p, "a", |v| v.parse().ok())?,
        b: single(p, "b", |v| v.parse().ok())?,
        c: single(p, "c", |v| v.parse().ok())?,
        n: all(p, "n", |v| v.parse().ok())?,
    })
}

fn required(p: &[(String, String)]) -> Option<Required> {
    Some(Required {
        name: single(p, "name", |v| Some(v.to_owned()))??,
        sort: single(p, "sort", sort)??,
    })
}

fn map(p: &[(String, String)]) -> Option<HashMap<String, String>> {
    let mut m = HashMap::new();
    for (k, v) in p {
        if m.insert(k.clone(), v.clone()).is_some() {
            return None;
        }
    }
    Some(m)
}

/// Floats compared by their bits, so that `NaN` equals itself.
fn same_numbers(a: &Numbers, b: &Numbers) -> bool {
    a.a == b.a && a.c == b.c && a.n == b.n && a.b.map(f64::to_bits) == b.b.map(f64::to_bits)
}

fuzz_target!(|data: &[u8]| {
    let Ok(data) = std::str::from_utf8(data) else {
        return;
    };
    let p = pairs(data);
    let p = p.as_deref();

    let got = from_urlencoded::<Vec<(String, String)>>(data).ok();
    assert_eq!(got.as_deref(), p, "pairs");

    let got = from_urlencoded::<Search>(data).ok();
    assert_eq!(got, p.and_then(search), "Search");

    let got = from_urlencoded::<Numbers>(data).ok();
    let want = p.and_then(numbers);
    assert!(
        match (&got, &want) {
            (Some(g), Some(w)) => same_numbers(g, w),
            (None, None) => true,
            _ => false,
        },
        "Numbers: {got:?} against {want:?}"
    );

    let got = from_urlencoded::<Required>(data).ok();
    assert_eq!(got, p.and_then(required), "Required");

    let got = from_urlencoded::<HashMap<String, String>>(data).ok();
    assert_eq!(got, p.and_then(map), "HashMap");

    // An error names its kind; a bad encoding is always a syntax error.
    if p.is_none() {
        let e = from_urlencoded::<Search>(data).err();
        assert_eq!(
            e.map(|e| e.kind()),
            Some(framework::extract::UrlencodedErrorKind::Syntax)
        );
    }
});
