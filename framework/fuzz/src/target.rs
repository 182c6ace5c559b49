//! The request-target rules the framework documents (RFC 9112 §3.2 with the query relaxed as
//! `proto/parse/chars.rs` explains), written out again without the parser's tables and word
//! scans, so that the differential target can tell a deliberate refusal from a wrong one.

/// `unreserved / sub-delims` and `%` (RFC 3986 §2.2, §2.3; escapes are checked when decoded).
fn reg_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&b)
}

/// `pchar / "/"` (RFC 3986 §3.3).
fn path_byte(b: u8) -> bool {
    reg_name_byte(b) || b":@/".contains(&b)
}

/// Visible ASCII but `#`.
fn query_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && b != b'#'
}

/// `path-abempty [ "?" query ]` at the start of `rest`.
fn path_and_query(rest: &[u8]) -> Result<(), &'static str> {
    let (path, query) = match rest.iter().position(|&b| b == b'?') {
        Some(q) => (&rest[..q], &rest[q + 1..]),
        None => (rest, &b""[..]),
    };
    if !path.iter().all(|&b| path_byte(b)) {
        return Err("a path byte outside pchar");
    }
    if !query.iter().all(|&b| query_byte(b)) {
        return Err("a query byte outside visible ASCII, or #");
    }
    Ok(())
}

/// Whether the framework must accept `target` after `method`: `Err` says why not.
///
/// # Errors
/// The rule `target` breaks.
pub fn check(method: &[u8], target: &[u8]) -> Result<(), &'static str> {
    if method == b"CONNECT" {
        return Err("CONNECT is not served");
    }
    match target.first() {
        None => Err("empty target"),
        Some(b'/') => path_and_query(target),
        Some(b'*') if target == b"*" && method == b"OPTIONS" => Ok(()),
        Some(b'*') => Err("asterisk-form outside OPTIONS *"),
        Some(_) => {
            let lower = target.to_ascii_lowercase();
            let rest = if lower.starts_with(b"http://") {
                &target[7..]
            } else if lower.starts_with(b"https://") {
                &target[8..]
            } else {
                return Err("absolute-form without an http or https scheme");
            };
            let end = rest
                .iter()
                .position(|&b| b == b'/' || b == b'?')
                .unwrap_or(rest.len());
            let authority = &rest[..end];
            if authority.is_empty() || authority[0] == b':' {
                return Err("absolute-form with an empty host");
            }
            if !authority
                .iter()
                .all(|&b| reg_name_byte(b) || b":[]".contains(&b))
            {
                return Err("an authority byte outside reg-name, IP literal and port");
            }
            path_and_query(&rest[end..])
        }
    }
}
