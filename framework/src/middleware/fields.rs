//! Header fields that more than one built-in middleware reads or writes: the elements of a
//! comma-separated list, and names merged into `Vary` (CORS adds `Origin`, compression adds
//! `Accept-Encoding`).

use crate::http::HeaderMap;

/// Field names added to `Vary`, and the value to use when the response has no `Vary` yet.
pub(crate) struct VaryNames {
    pub(crate) names: &'static [&'static str],
    pub(crate) joined: &'static str,
}

/// The elements of a comma-separated list spread over `values` (one per field line), trimmed,
/// empty elements skipped (RFC 9110 §5.6.1).
pub(crate) fn list_elements<'a>(
    values: impl Iterator<Item = &'a [u8]>,
) -> impl Iterator<Item = &'a [u8]> {
    values
        .flat_map(|v| v.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|e| !e.is_empty())
}

/// Adds `vary`'s names to the `Vary` field, unless listed already or `Vary: *`; several `Vary`
/// fields become one.
pub(crate) fn add_vary(headers: &mut HeaderMap, vary: &VaryNames) {
    if !headers.contains("vary") {
        let _ = headers.append("Vary", vary.joined);
        return;
    }
    let listed = |name: &str| {
        list_elements(headers.get_all("vary"))
            .any(|e| e == b"*" || e.eq_ignore_ascii_case(name.as_bytes()))
    };
    let missing: Vec<&str> = vary.names.iter().copied().filter(|n| !listed(n)).collect();
    if missing.is_empty() {
        return;
    }
    let mut merged: Vec<u8> = Vec::new();
    for element in
        list_elements(headers.get_all("vary")).chain(missing.iter().map(|n| n.as_bytes()))
    {
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(element);
    }
    let _ = headers.insert("Vary", merged);
}

/// A weight (`q=`) of an `Accept-*` element, in thousandths: RFC 9110 §12.4.2,
/// ```text
/// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
/// ```
pub(crate) fn qvalue(value: &[u8]) -> Option<u16> {
    let (&int, rest) = value.split_first()?;
    let decimals = match rest {
        [] => &[][..],
        [b'.', decimals @ ..] if decimals.len() <= 3 => decimals,
        _ => return None,
    };
    if !decimals.iter().all(u8::is_ascii_digit) {
        return None;
    }
    match int {
        b'1' if decimals.iter().all(|&d| d == b'0') => Some(1000),
        b'0' => Some(
            decimals
                .iter()
                .chain(std::iter::repeat(&b'0'))
                .take(3)
                .fold(0, |n, &d| n * 10 + u16::from(d - b'0')),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARY_ACCEPT: VaryNames = VaryNames {
        names: &["Accept"],
        joined: "Accept",
    };

    #[test]
    fn vary_names_are_merged_into_one_field_without_repeats() -> Result<(), crate::http::HeaderError>
    {
        let mut h = HeaderMap::new();
        add_vary(&mut h, &VARY_ACCEPT);
        assert_eq!(h.get("vary"), Some("Accept"));
        add_vary(&mut h, &VARY_ACCEPT);
        assert_eq!(h.get_all("vary").count(), 1);

        let mut h = HeaderMap::new();
        h.append("Vary", "Origin")?
            .append("vary", "accept-language")?;
        add_vary(&mut h, &VARY_ACCEPT);
        assert_eq!(
            h.get_all("vary").collect::<Vec<_>>(),
            [&b"Origin, accept-language, Accept"[..]]
        );

        let mut h = HeaderMap::new();
        h.append("Vary", "*")?;
        add_vary(&mut h, &VARY_ACCEPT);
        assert_eq!(h.get("vary"), Some("*"));
        Ok(())
    }
}
