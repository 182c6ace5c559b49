//! What the protocol says when it refuses a request on its own (a malformed or oversized head, a
//! timeout): `{"error":"<message>"}` as `application/json`. Handler-facing errors
//! (`crate::Error`) render with this same body shape when they carry no extra fields.

use crate::http::{Response, StatusCode};

/// `{"error":"<message>"}` as `application/json` with `status`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    let mut body = String::with_capacity(message.len() + 12);
    body.push_str("{\"error\":");
    push_json_string(&mut body, message);
    body.push('}');
    Response::json_bytes(body).with_status(status)
}

/// Appends `s` as a JSON string literal (RFC 8259 §7).
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped_as_json() {
        let mut s = String::new();
        push_json_string(&mut s, "a\"b\\c\nd\u{1}é");
        assert_eq!(s, r#""a\"b\\c\nd\u0001é""#);
    }
}
