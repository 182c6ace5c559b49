//! A strict reader of what the server wrote: a sequence of HTTP/1.1 responses, each head read by
//! httparse's response parser, each body framed by exactly one of `Content-Length` and
//! `Transfer-Encoding: chunked` (none for `204`, `304`, `1xx` and answers to `HEAD`).

/// One final (non-`1xx`) response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The status code.
    pub status: u16,
    /// The `X-Method` field the fuzz app's middleware adds to every response it sees: absent on
    /// what the connection answers on its own (a refused head).
    pub method: Option<String>,
    /// `Connection: close`.
    pub close: bool,
    /// The body, decoded.
    pub body: Vec<u8>,
}

/// Everything the server wrote, read.
#[derive(Debug, Default)]
pub struct Written {
    /// The final responses, in order.
    pub responses: Vec<Seen>,
    /// How many `100 Continue` came before them, in all.
    pub interim: usize,
    /// The final responses' bytes, with every `Date` value replaced by `#`s and the interim
    /// responses left out: what must not depend on how the request bytes were split (a server
    /// may leave out `100 Continue` once the body has arrived, RFC 9110 §10.1.1).
    pub normalised: Vec<u8>,
}

/// The fields of one head, names lower-cased.
struct Fields<'a> {
    list: Vec<(String, &'a [u8], usize)>,
}

impl Fields<'_> {
    fn all(&self, name: &str) -> impl Iterator<Item = &[u8]> + '_ {
        let name = name.to_owned();
        self.list
            .iter()
            .filter(move |(n, _, _)| *n == name)
            .map(|(_, v, _)| *v)
    }

    fn count(&self, name: &str) -> usize {
        self.all(name).count()
    }
}

/// Reads `out` as responses. The error says what is wrong and where.
///
/// # Errors
/// The first rule `out` breaks.
pub fn read(out: &[u8]) -> Result<Written, String> {
    let mut written = Written::default();
    let mut at = 0;
    let mut closed = false;
    while at < out.len() {
        if closed {
            return Err(format!("bytes at {at} after a response that closed"));
        }
        let rest = &out[at..];
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut res = httparse::Response::new(&mut headers);
        let head_len = match res.parse(rest) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Err(format!("incomplete head at {at}")),
            Err(e) => return Err(format!("bad head at {at}: {e}")),
        };
        if res.version != Some(1) {
            return Err(format!("not HTTP/1.1 at {at}"));
        }
        let status = res.code.unwrap_or(0);
        let fields = Fields {
            list: res
                .headers
                .iter()
                .map(|h| {
                    let offset = h.value.as_ptr() as usize - out.as_ptr() as usize;
                    (h.name.to_ascii_lowercase(), h.value, offset)
                })
                .collect(),
        };
        let lengths = fields.count("content-length");
        let codings = fields.count("transfer-encoding");
        if (100..200).contains(&status) {
            if status != 100 || lengths + codings > 0 || !fields.list.is_empty() {
                return Err(format!("unexpected interim response {status} at {at}"));
            }
            written.interim += 1;
            at += head_len;
            continue;
        }
        let dates: Vec<_> = fields.list.iter().filter(|f| f.0 == "date").collect();
        let [(_, date, date_at)] = dates[..] else {
            return Err(format!("{} Date fields at {at}", dates.len()));
        };
        if !is_imf_fixdate(date) {
            return Err(format!("bad Date {:?}", String::from_utf8_lossy(date)));
        }
        let method = fields
            .all("x-method")
            .next()
            .map(|m| String::from_utf8_lossy(m).into_owned());
        let close = fields.all("connection").any(|v| {
            v.split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"))
        });
        let bodiless = status == 204 || status == 304;
        if status == 204 && lengths > 0 {
            return Err(format!("204 with Content-Length at {at}"));
        }
        if bodiless && codings > 0 {
            return Err(format!("{status} with Transfer-Encoding at {at}"));
        }
        let framing = match (lengths, codings) {
            (1, 0) => {
                let value = fields.all("content-length").next().unwrap_or_default();
                let n = std::str::from_utf8(value)
                    .ok()
                    .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .ok_or_else(|| format!("bad Content-Length at {at}"))?;
                Some(Some(n))
            }
            (0, 1) => {
                let value = fields.all("transfer-encoding").next().unwrap_or_default();
                if value != b"chunked" {
                    return Err(format!("Transfer-Encoding other than chunked at {at}"));
                }
                Some(None)
            }
            (0, 0) if bodiless => None,
            _ => {
                return Err(format!(
                    "{lengths} Content-Length and {codings} Transfer-Encoding at {at}"
                ))
            }
        };
        let body_at = at + head_len;
        let head_request = method.as_deref() == Some("HEAD");
        let (body, end) = match framing {
            _ if head_request || bodiless => (Vec::new(), body_at),
            Some(Some(n)) => {
                let end = body_at
                    .checked_add(n)
                    .filter(|&end| end <= out.len())
                    .ok_or_else(|| format!("body at {body_at} shorter than {n}"))?;
                (out[body_at..end].to_vec(), end)
            }
            Some(None) => dechunk(out, body_at)?,
            None => (Vec::new(), body_at),
        };
        let mut bytes = out[at..end].to_vec();
        let from = date_at - at;
        bytes[from..from + date.len()].fill(b'#');
        written.normalised.extend_from_slice(&bytes);
        written.responses.push(Seen {
            status,
            method,
            close,
            body,
        });
        closed = close;
        at = end;
    }
    Ok(written)
}

/// A chunked body as the server writes it: `HEX CRLF data CRLF`, then `0 CRLF CRLF`.
fn dechunk(out: &[u8], mut at: usize) -> Result<(Vec<u8>, usize), String> {
    let mut body = Vec::new();
    loop {
        let line_end = out[at..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| at + p)
            .ok_or_else(|| format!("chunk size line at {at} does not end"))?;
        let size = std::str::from_utf8(&out[at..line_end])
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|s| usize::from_str_radix(s, 16).ok())
            .ok_or_else(|| format!("bad chunk size at {at}"))?;
        at = line_end + 2;
        if size == 0 {
            return if out.get(at..at + 2) == Some(b"\r\n") {
                Ok((body, at + 2))
            } else {
                Err(format!("no CRLF after the last chunk at {at}"))
            };
        }
        let data = out
            .get(at..at + size)
            .ok_or_else(|| format!("chunk at {at} shorter than {size}"))?;
        body.extend_from_slice(data);
        at += size;
        if out.get(at..at + 2) != Some(b"\r\n") {
            return Err(format!("no CRLF after chunk data at {at}"));
        }
        at += 2;
    }
}

/// `IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT` (RFC 9110 §5.6.7), e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
#[must_use]
pub fn is_imf_fixdate(v: &[u8]) -> bool {
    const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let digits = |r: std::ops::Range<usize>| v[r].iter().all(u8::is_ascii_digit);
    v.len() == 29
        && DAYS.contains(&&v[0..3])
        && &v[3..5] == b", "
        && digits(5..7)
        && v[7] == b' '
        && MONTHS.contains(&&v[8..11])
        && v[11] == b' '
        && digits(12..16)
        && v[16] == b' '
        && digits(17..19)
        && v[19] == b':'
        && digits(20..22)
        && v[22] == b':'
        && digits(23..25)
        && &v[25..] == b" GMT"
}
