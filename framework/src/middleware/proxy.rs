//! Trusted proxies: which address is the client's when the request came through a reverse proxy
//! or a load balancer.
//!
//! The socket peer of a proxied request is the proxy. The proxy says who its own client was in a
//! header (`X-Forwarded-For`, or RFC 7239 `Forwarded`), and each proxy on the way appends the
//! address it received the request from. Anyone can send such a header, so only the entries that
//! trusted machines appended mean anything: [`TrustedProxies`] walks the list from the right
//! (the entry our own proxy wrote) to the left, and stops at the first address that is not one of
//! ours. That address is the client, attached to the request as [`ClientAddr`].

use super::{Middleware, Next};
use crate::error::Error;
use crate::extract::{FromRequestParts, RequestContext};
use crate::http::{HeaderMap, Request, Response};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest `Forwarded` node value (`"[v6 address]:port"`, unquoted) worth looking at; a
/// longer one is not an address and stops the walk.
const MAX_NODE_LEN: usize = 64;

/// The client's IP address: the one [`TrustedProxies`] resolved from the forwarding header of a
/// trusted proxy, or else the socket peer's.
///
/// As an extractor it is the value the middleware attached, or, without the middleware, the
/// socket peer's IP (an IPv4-mapped IPv6 peer such as `::ffff:10.0.0.1` is given as the IPv4
/// address). A request that came over no socket and passed no [`TrustedProxies`] has no client
/// address, and extraction fails with a `500`, as for
/// [`RemoteAddr`](crate::extract::RemoteAddr); take `Option<ClientAddr>` to allow it.
///
/// ```
/// use framework::middleware::{ClientAddr, TrustedProxies};
/// use framework::{get, routes, test::TestClient, App};
///
/// #[get("/ip")]
/// fn ip(ClientAddr(ip): ClientAddr) -> String {
///     ip.to_string()
/// }
///
/// let proxies = TrustedProxies::new(["10.0.0.0/8"])?;
/// let client = TestClient::new(App::new().wrap(proxies).mount("/", routes![ip]))?;
/// let via_proxy = client
///     .get("/ip")
///     .remote_addr(([10, 0, 0, 2], 50000))
///     .header("X-Forwarded-For", "203.0.113.7")
///     .send();
/// assert_eq!(via_proxy.text(), "203.0.113.7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequestParts for ClientAddr {
    type Rejection = Error;

    fn from_request_parts(req: &Request, _cx: &RequestContext<'_>) -> Result<Self, Error> {
        if let Some(client) = req.extensions().get::<Self>() {
            return Ok(*client);
        }
        req.remote_addr()
            .map(|peer| Self(peer.ip().to_canonical()))
            .ok_or_else(|| {
                Error::internal("the request has no client address").with_detail(
                    "ClientAddr: the request came over no socket, and no ClientAddr extension is attached",
                )
            })
    }
}

/// Why an entry of a trusted-proxy list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyError {
    /// The entry (or the part before `/`) is not an IPv4 or IPv6 address.
    Address(String),
    /// The part after `/` is not a number from 0 to 32 (IPv4) or 0 to 128 (IPv6).
    PrefixLength(String),
    /// The address has bits set after the prefix (`10.0.0.1/8`): it is unclear whether the one
    /// host or the whole range was meant, so write `10.0.0.1` or `10.0.0.0/8`.
    HostBits(String),
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address(entry) => write!(
                f,
                "trusted proxy `{entry}` is not an IP address or CIDR range (e.g. `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`)"
            ),
            Self::PrefixLength(entry) => write!(
                f,
                "trusted proxy `{entry}`: the prefix length must be a number from 0 to 32 for IPv4, 0 to 128 for IPv6"
            ),
            Self::HostBits(entry) => write!(
                f,
                "trusted proxy `{entry}` has bits set after the prefix; write the network address (e.g. `10.0.0.0/8`) or the single host without a prefix"
            ),
        }
    }
}

impl std::error::Error for ProxyError {}

/// Which forwarding header [`TrustedProxies`] believes. Only one is read: see
/// [`TrustedProxies::header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`: comma-separated addresses, each with an
    /// optional port (`203.0.113.7:5678`, `[2001:db8::1]:80`).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client;proto=https, for="[2001:db8::1]:80"`: the `for=`
    /// parameter of each element, quoted or not. `for=unknown` and obfuscated identifiers
    /// (`for=_hidden`) are not addresses.
    Forwarded,
}

impl ProxyHeader {
    /// The header's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "X-Forwarded-For",
            Self::Forwarded => "Forwarded",
        }
    }
}

/// One trusted address range: the network bits and the prefix length. IPv4-mapped IPv6 ranges
/// are stored as IPv4, so that they and IPv4 peers meet in one form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cidr {
    V4 { net: u32, prefix: u8 },
    V6 { net: u128, prefix: u8 },
}

/// The mask of the first `prefix` bits (`prefix` at most 32).
fn mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

/// The mask of the first `prefix` bits (`prefix` at most 128).
fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl Cidr {
    /// `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`, `::ffff:10.0.0.0/104`; surrounding spaces are
    /// trimmed.
    fn parse(entry: &str) -> Result<Self, ProxyError> {
        let entry = entry.trim();
        let (addr, prefix) = match entry.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (entry, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| ProxyError::Address(entry.to_string()))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or_else(|| ProxyError::PrefixLength(entry.to_string()))?,
            Some(_) => return Err(ProxyError::PrefixLength(entry.to_string())),
        };
        let cidr = match addr {
            IpAddr::V4(v4) => Self::V4 {
                net: u32::from(v4),
                prefix,
            },
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                // `::ffff:a.b.c.d/n` with n >= 96 is the IPv4 range a.b.c.d/(n - 96).
                Some(v4) if prefix >= 96 => Self::V4 {
                    net: u32::from(v4),
                    prefix: prefix - 96,
                },
                _ => Self::V6 {
                    net: u128::from(v6),
                    prefix,
                },
            },
        };
        let host_bits = match cidr {
            Self::V4 { net, prefix } => net & !mask_v4(prefix) != 0,
            Self::V6 { net, prefix } => net & !mask_v6(prefix) != 0,
        };
        if host_bits {
            return Err(ProxyError::HostBits(entry.to_string()));
        }
        Ok(cidr)
    }

    /// Whether `ip` (in canonical form: IPv4-mapped addresses as IPv4) is in the range.
    fn contains(self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Self::V4 { net, prefix }, IpAddr::V4(v4)) => u32::from(v4) & mask_v4(prefix) == net,
            (Self::V6 { net, prefix }, IpAddr::V6(v6)) => u128::from(v6) & mask_v6(prefix) == net,
            _ => false,
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::V4 { net, prefix } => write!(f, "{}/{prefix}", Ipv4Addr::from(net)),
            Self::V6 { net, prefix } => write!(f, "{}/{prefix}", Ipv6Addr::from(net)),
        }
    }
}

impl fmt::Debug for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The trusted-proxies middleware: finds the client's address behind your reverse proxies and
/// attaches it to the request as [`ClientAddr`].
///
/// # What is believed
///
/// - When the socket peer is **not** in the trusted list, its forwarding headers are ignored
///   entirely: the client is the peer. A client that talks to the server directly cannot claim
///   another address.
/// - When the peer is trusted, the header's entries (all its field lines, in order, joined by
///   commas) are walked **from right to left**. Entries that are themselves trusted are skipped
///   (a chain of your own proxies); the first untrusted address is the client. Everything left
///   of it was written by the client or by machines you do not control, and is not read.
/// - When every entry is trusted, the leftmost one is the client.
/// - An entry that is not an address (garbage, `unknown`, an obfuscated `_name`, a `Forwarded`
///   element without exactly one `for=`) stops the walk: the client is then the last trusted
///   address seen, or the peer when there was none. Nothing beyond an entry the proxy could not
///   vouch for is believed. The walk also stops after [`MAX_HOPS`](Self::MAX_HOPS) entries.
/// - Empty list elements (`a,,b`, a trailing comma) are skipped, as RFC 9110 §5.6.1 asks.
/// - Ports (`203.0.113.7:5678`, `[2001:db8::1]:80`) are accepted and dropped. IPv4-mapped IPv6
///   addresses (`::ffff:10.0.0.1`, what a dual-stack socket reports for an IPv4 peer) are taken
///   as the IPv4 address, both for matching and in the result.
///
/// **The list must contain only your own proxies** (the load balancer, the ingress): every
/// machine in it can set the client address to anything. A range such as `0.0.0.0/0` makes the
/// header a client-chosen value.
///
/// Only **one** header is read, `X-Forwarded-For` by default, or `Forwarded` (RFC 7239) with
/// [`TrustedProxies::header`]. A proxy typically appends to one of them and passes the other
/// through untouched, so whichever one it does not write is entirely client-controlled: reading
/// both would let a client forge its address through the other one. Pick the one your proxy
/// writes.
///
/// A request that came over no socket (an in-process test without
/// [`remote_addr`](crate::test::TestRequest::remote_addr)) gets no `ClientAddr`.
///
/// ```
/// use framework::middleware::{ClientAddr, ProxyHeader, TrustedProxies};
/// use framework::{get, routes, test::TestClient, App};
///
/// #[get("/ip")]
/// fn ip(client: ClientAddr) -> String {
///     client.to_string()
/// }
///
/// let proxies = TrustedProxies::new(["10.0.0.0/8", "::1"])?;
/// let client = TestClient::new(App::new().wrap(proxies).mount("/", routes![ip]))?;
///
/// // Through two of our proxies: the rightmost untrusted entry is the client; the leftmost
/// // entry was sent by the client itself and is not believed.
/// let res = client
///     .get("/ip")
///     .remote_addr(([10, 0, 0, 2], 50000))
///     .header("X-Forwarded-For", "1.1.1.1, 203.0.113.7, 10.0.0.5")
///     .send();
/// assert_eq!(res.text(), "203.0.113.7");
///
/// // Straight from the internet: the header is ignored.
/// let res = client
///     .get("/ip")
///     .remote_addr(([198, 51, 100, 9], 40000))
///     .header("X-Forwarded-For", "1.1.1.1")
///     .send();
/// assert_eq!(res.text(), "198.51.100.9");
///
/// // The standard header instead, e.g. from the environment:
/// let proxies = TrustedProxies::parse_list("127.0.0.1, fd00::/8")?.header(ProxyHeader::Forwarded);
/// let client = TestClient::new(App::new().wrap(proxies).mount("/", routes![ip]))?;
/// let res = client
///     .get("/ip")
///     .remote_addr(([127, 0, 0, 1], 50000))
///     .header("Forwarded", r#"for="[2001:db8::17]:4711";proto=https"#)
///     .send();
/// assert_eq!(res.text(), "2001:db8::17");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<Cidr>,
    header: ProxyHeader,
}

impl TrustedProxies {
    /// How many header entries, counted from the right, are examined at most. Beyond them the
    /// walk stops as it does at an entry that does not parse, so a header with thousands of
    /// entries costs one scan of its bytes and at most this many address parses.
    pub const MAX_HOPS: usize = 32;

    /// Trusts these addresses and CIDR ranges (IPv4 or IPv6: `"127.0.0.1"`, `"10.0.0.0/8"`,
    /// `"::1"`, `"fd00::/8"`). An empty list trusts nobody.
    ///
    /// # Errors
    /// The first entry that is not an address, has a bad prefix length, or has bits set after
    /// the prefix (see [`ProxyError`]).
    pub fn new<I>(entries: I) -> Result<Self, ProxyError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let ranges = entries
            .into_iter()
            .map(|e| Cidr::parse(e.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            ranges,
            header: ProxyHeader::default(),
        })
    }

    /// Parses a comma-separated list, as an environment variable holds it:
    /// `"10.0.0.0/8, ::1"`. Spaces around entries and empty entries are ignored, so the empty
    /// string trusts nobody.
    ///
    /// ```
    /// use framework::middleware::{ProxyError, TrustedProxies};
    ///
    /// let value = std::env::var("TRUSTED_PROXIES").unwrap_or_default();
    /// let proxies = TrustedProxies::parse_list(&value)?;
    ///
    /// assert!(TrustedProxies::parse_list("")?.is_empty());
    /// assert!(TrustedProxies::parse_list(" 10.0.0.0/8 , ::1 ,")?.contains([10, 1, 2, 3].into()));
    /// assert_eq!(
    ///     TrustedProxies::parse_list("10.0.0.0/33"),
    ///     Err(ProxyError::PrefixLength("10.0.0.0/33".into()))
    /// );
    /// # Ok::<(), ProxyError>(())
    /// ```
    ///
    /// # Errors
    /// As [`TrustedProxies::new`].
    pub fn parse_list(list: &str) -> Result<Self, ProxyError> {
        Self::new(list.split(',').map(str::trim).filter(|e| !e.is_empty()))
    }

    /// Reads this header instead of `X-Forwarded-For`. Only one header is ever read (see the
    /// [type docs](Self)).
    #[must_use]
    pub fn header(mut self, header: ProxyHeader) -> Self {
        self.header = header;
        self
    }

    /// Whether nobody is trusted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `ip` is in one of the trusted ranges (an IPv4-mapped IPv6 address matches the
    /// IPv4 ranges).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.ranges.iter().any(|r| r.contains(ip))
    }

    /// The client's address for a request from socket peer `peer` with these headers, by the
    /// rules in the [type docs](Self). IPv4-mapped addresses come back as IPv4.
    ///
    /// ```
    /// use framework::middleware::TrustedProxies;
    /// use framework::HeaderMap;
    /// use std::net::IpAddr;
    ///
    /// let proxies = TrustedProxies::new(["10.0.0.0/8"])?;
    /// let mut headers = HeaderMap::new();
    /// headers.append("X-Forwarded-For", "203.0.113.7, unknown, 10.0.0.3")?;
    /// // `unknown` stops the walk: the last trusted hop is as far as we can see.
    /// let client = proxies.resolve([10, 0, 0, 2].into(), &headers);
    /// assert_eq!(client, "10.0.0.3".parse::<IpAddr>()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn resolve(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let mut hops = LastEntries::new();
        for line in headers.get_all(self.header.name()) {
            match self.header {
                ProxyHeader::XForwardedFor => line.split(|&b| b == b',').for_each(|e| hops.push(e)),
                ProxyHeader::Forwarded => split_outside_quotes(line, b',', |e| hops.push(e)),
            }
        }
        let mut client = peer;
        for entry in hops.newest_first() {
            let parsed = match self.header {
                ProxyHeader::XForwardedFor => parse_node(entry, false),
                ProxyHeader::Forwarded => forwarded_for(entry),
            };
            match parsed {
                Some(ip) if self.contains(ip) => client = ip,
                Some(ip) => return ip,
                None => return client,
            }
        }
        client
    }
}

impl Middleware for TrustedProxies {
    fn handle(&self, req: &mut Request, _cx: &RequestContext<'_>, next: Next<'_>) -> Response {
        if let Some(peer) = req.remote_addr() {
            let client = self.resolve(peer.ip(), req.headers());
            req.extensions_mut().insert(ClientAddr(client));
        }
        next.run(req)
    }

    fn name(&self) -> &str {
        "TrustedProxies"
    }
}

/// The last [`TrustedProxies::MAX_HOPS`] non-empty list elements seen, trimmed, in a ring.
struct LastEntries<'a> {
    slots: [&'a [u8]; TrustedProxies::MAX_HOPS],
    /// Where the next element goes.
    next: usize,
    len: usize,
}

impl<'a> LastEntries<'a> {
    fn new() -> Self {
        Self {
            slots: [&[]; TrustedProxies::MAX_HOPS],
            next: 0,
            len: 0,
        }
    }

    /// Keeps `element` (trimmed of spaces and tabs) unless it is empty, dropping the oldest when
    /// full.
    fn push(&mut self, element: &'a [u8]) {
        let element = trim_ows(element);
        if element.is_empty() {
            return;
        }
        if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = element;
        }
        self.next = (self.next + 1) % TrustedProxies::MAX_HOPS;
        self.len = (self.len + 1).min(TrustedProxies::MAX_HOPS);
    }

    /// The kept elements, rightmost first.
    fn newest_first(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (1..=self.len).filter_map(move |back| {
            let i = (self.next + TrustedProxies::MAX_HOPS - back) % TrustedProxies::MAX_HOPS;
            self.slots.get(i).copied()
        })
    }
}

/// `bytes` without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// Calls `each` with the pieces of `bytes` between `sep` bytes that are not inside a
/// quoted-string (RFC 9110 §5.6.4: `"`, with `\` escaping the next byte). An unclosed quote runs
/// to the end.
fn split_outside_quotes<'a>(bytes: &'a [u8], sep: u8, mut each: impl FnMut(&'a [u8])) {
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted {
            match b {
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == sep {
            each(bytes.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    each(bytes.get(start..).unwrap_or_default());
}

/// The address of one RFC 7239 `forwarded-element`: the value of its one `for=` parameter
/// (name case-insensitive, value a token or a quoted-string). `None` without a `for=`, with two,
/// or when the value is not an address.
fn forwarded_for(element: &[u8]) -> Option<IpAddr> {
    let mut value = None;
    let mut count = 0_usize;
    split_outside_quotes(element, b';', |pair| {
        let pair = trim_ows(pair);
        if let Some(eq) = pair.iter().position(|&b| b == b'=') {
            let name = pair.get(..eq).unwrap_or_default();
            if name.eq_ignore_ascii_case(b"for") {
                count += 1;
                value = pair.get(eq + 1..);
            }
        }
    });
    if count != 1 {
        return None;
    }
    let value = value?;
    let mut buf = [0_u8; MAX_NODE_LEN];
    let node = match value.strip_prefix(b"\"") {
        Some(quoted) => unquote(quoted, &mut buf)?,
        None => value,
    };
    parse_node(node, true)
}

/// The content of a quoted-string whose opening quote is already stripped, unescaped into `buf`;
/// `None` when it does not end in its closing quote right there, or does not fit.
fn unquote<'b>(quoted: &[u8], buf: &'b mut [u8; MAX_NODE_LEN]) -> Option<&'b [u8]> {
    let mut len = 0;
    let mut bytes = quoted.iter();
    while let Some(&b) = bytes.next() {
        let b = match b {
            b'"' => return bytes.next().is_none().then(|| buf.get(..len)).flatten(),
            b'\\' => *bytes.next()?,
            _ => b,
        };
        *buf.get_mut(len)? = b;
        len += 1;
    }
    None
}

/// A node: `192.0.2.7`, `192.0.2.7:80`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:80`.
/// With `obfuscated_port`, RFC 7239's `_name` ports are allowed too. `unknown`, `_name` and
/// anything else are `None`.
fn parse_node(node: &[u8], obfuscated_port: bool) -> Option<IpAddr> {
    let node = std::str::from_utf8(node).ok()?;
    if let Some(rest) = node.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        let ip = addr.parse::<Ipv6Addr>().ok()?;
        if !after.is_empty() && !is_port(after.strip_prefix(':')?, obfuscated_port) {
            return None;
        }
        return Some(IpAddr::V6(ip).to_canonical());
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let (addr, port) = node.rsplit_once(':')?;
    let ip = addr.parse::<Ipv4Addr>().ok()?;
    is_port(port, obfuscated_port).then_some(IpAddr::V4(ip))
}

/// `1*5DIGIT` up to 65535, or (RFC 7239 §6.3 `obfport`) `_` followed by letters, digits, `.`,
/// `_` or `-`.
fn is_port(port: &str, obfuscated: bool) -> bool {
    if let Some(name) = port.strip_prefix('_') {
        return obfuscated
            && !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    }
    (1..=5).contains(&port.len())
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::RequestContext;
    use crate::respond::IntoResponse;
    use crate::route::{Route, RouteInfo};
    use crate::test::TestClient;
    use crate::App;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list).unwrap_or_default()
    }

    fn headers(name: &str, lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for line in lines {
            let _ = h.append(name, line);
        }
        h
    }

    fn xff(list: &[&str], peer: &str, lines: &[&str]) -> IpAddr {
        proxies(list).resolve(ip(peer), &headers("X-Forwarded-For", lines))
    }

    fn fwd(list: &[&str], peer: &str, lines: &[&str]) -> IpAddr {
        proxies(list)
            .header(ProxyHeader::Forwarded)
            .resolve(ip(peer), &headers("Forwarded", lines))
    }

    #[test]
    fn cidr_entries_parse_and_match_as_written() {
        // (entry, address, whether it matches)
        let table = [
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("10.0.0.0/8", "10.255.3.4", true),
            ("10.0.0.0/8", "11.0.0.0", false),
            ("192.168.1.0/24", "192.168.1.255", true),
            ("192.168.1.0/24", "192.168.2.0", false),
            ("192.168.1.7/32", "192.168.1.7", true),
            ("192.168.1.7/32", "192.168.1.6", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("0.0.0.0/0", "::1", false),
            ("::1", "::1", true),
            ("::1", "::2", false),
            ("::1/128", "::1", true),
            ("fd00::/8", "fd12:3456::1", true),
            ("fd00::/8", "fe80::1", false),
            ("::/0", "2001:db8::1", true),
            ("::/0", "1.2.3.4", false),
            // An IPv4-mapped peer matches IPv4 ranges.
            ("10.0.0.0/8", "::ffff:10.0.0.1", true),
            ("10.0.0.0/8", "::ffff:11.0.0.1", false),
            // A mapped range is an IPv4 range.
            ("::ffff:10.0.0.0/104", "10.9.9.9", true),
            ("::ffff:10.0.0.1", "10.0.0.1", true),
            // IPv4 ranges do not match IPv6 addresses that merely embed the bits.
            ("10.0.0.0/8", "::a00:1", false),
        ];
        for (entry, addr, expected) in table {
            let list = TrustedProxies::new([entry]);
            assert!(list.is_ok(), "{entry}: {list:?}");
            let matched = list.is_ok_and(|l| l.contains(ip(addr)));
            assert_eq!(matched, expected, "{entry} contains {addr}");
        }
    }

    #[test]
    fn bad_entries_are_refused_with_their_cause() {
        let table = [
            ("", ProxyError::Address(String::new())),
            ("localhost", ProxyError::Address("localhost".into())),
            ("10.0.0", ProxyError::Address("10.0.0".into())),
            ("10.0.0.256", ProxyError::Address("10.0.0.256".into())),
            ("010.0.0.1", ProxyError::Address("010.0.0.1".into())),
            ("10.0.0.0/", ProxyError::PrefixLength("10.0.0.0/".into())),
            (
                "10.0.0.0/33",
                ProxyError::PrefixLength("10.0.0.0/33".into()),
            ),
            (
                "10.0.0.0/+8",
                ProxyError::PrefixLength("10.0.0.0/+8".into()),
            ),
            (
                "10.0.0.0/8/8",
                ProxyError::PrefixLength("10.0.0.0/8/8".into()),
            ),
            ("::/129", ProxyError::PrefixLength("::/129".into())),
            ("::/1000", ProxyError::PrefixLength("::/1000".into())),
            ("10.0.0.1/8", ProxyError::HostBits("10.0.0.1/8".into())),
            ("fd00::1/8", ProxyError::HostBits("fd00::1/8".into())),
            ("1.2.3.4:80", ProxyError::Address("1.2.3.4:80".into())),
        ];
        for (entry, expected) in table {
            assert_eq!(TrustedProxies::new([entry]), Err(expected), "{entry:?}");
        }
    }

    #[test]
    fn errors_name_the_entry() {
        let err = TrustedProxies::parse_list("10.0.0.0/8, nope").err();
        assert!(err.is_some_and(|e| e.to_string().contains("`nope`")));
    }

    #[test]
    fn a_list_from_the_environment_is_comma_separated_and_may_be_empty() {
        assert!(TrustedProxies::parse_list("").is_ok_and(|p| p.is_empty()));
        assert!(TrustedProxies::parse_list(" , ").is_ok_and(|p| p.is_empty()));
        let list = TrustedProxies::parse_list("127.0.0.1, 10.0.0.0/8,fd00::/8 ,");
        assert_eq!(
            list,
            TrustedProxies::new(["127.0.0.1", "10.0.0.0/8", "fd00::/8"])
        );
        assert!(list.is_ok_and(|l| l.contains(ip("fd00::9")) && !l.contains(ip("::1"))));
    }

    #[test]
    fn an_empty_list_trusts_nobody() {
        assert_eq!(xff(&[], "10.0.0.1", &["1.2.3.4"]), ip("10.0.0.1"));
    }

    #[test]
    fn an_untrusted_peers_header_is_ignored() {
        assert_eq!(
            xff(&["10.0.0.0/8"], "198.51.100.1", &["1.2.3.4, 10.0.0.3"]),
            ip("198.51.100.1")
        );
        assert_eq!(
            fwd(&["10.0.0.0/8"], "198.51.100.1", &["for=1.2.3.4"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn a_trusted_peer_without_a_header_is_the_client() {
        assert_eq!(xff(&["10.0.0.0/8"], "10.0.0.1", &[]), ip("10.0.0.1"));
        assert_eq!(xff(&["10.0.0.0/8"], "10.0.0.1", &[""]), ip("10.0.0.1"));
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client() {
        let list = ["10.0.0.0/8", "fd00::/8"];
        let table: [(&[&str], &str); 7] = [
            (&["203.0.113.7"], "203.0.113.7"),
            (&["1.1.1.1, 203.0.113.7"], "203.0.113.7"),
            (&["1.1.1.1, 203.0.113.7, 10.0.0.5, fd00::2"], "203.0.113.7"),
            // Several field lines are one list, in order.
            (&["1.1.1.1, 203.0.113.7", "10.0.0.5"], "203.0.113.7"),
            (
                &["1.1.1.1", "203.0.113.7", "10.0.0.5, 10.0.0.6"],
                "203.0.113.7",
            ),
            // Empty elements are skipped.
            (&["203.0.113.7,, 10.0.0.5 ,"], "203.0.113.7"),
            (&["2001:db8::1, 10.0.0.5"], "2001:db8::1"),
        ];
        for (lines, expected) in table {
            assert_eq!(xff(&list, "10.0.0.1", lines), ip(expected), "{lines:?}");
        }
    }

    #[test]
    fn when_every_entry_is_trusted_the_leftmost_is_the_client() {
        assert_eq!(
            xff(
                &["10.0.0.0/8"],
                "10.0.0.1",
                &["10.0.0.9, 10.0.0.8, 10.0.0.7"]
            ),
            ip("10.0.0.9")
        );
    }

    #[test]
    fn an_entry_that_is_not_an_address_stops_the_walk_at_the_last_trusted_hop() {
        let list = ["10.0.0.0/8"];
        let table: [(&[&str], &str); 6] = [
            (&["203.0.113.7, garbage"], "10.0.0.1"),
            (&["203.0.113.7, unknown, 10.0.0.3"], "10.0.0.3"),
            (&["203.0.113.7, _hidden, 10.0.0.3"], "10.0.0.3"),
            (&["203.0.113.7, 1.2.3.4:99999"], "10.0.0.1"),
            (&["203.0.113.7, 1.2.3.4:_obf"], "10.0.0.1"),
            (&["203.0.113.7, fe80::1%eth0"], "10.0.0.1"),
        ];
        for (lines, expected) in table {
            assert_eq!(xff(&list, "10.0.0.1", lines), ip(expected), "{lines:?}");
        }
    }

    #[test]
    fn non_utf8_entries_stop_the_walk() {
        let mut h = HeaderMap::new();
        h.push_unchecked(b"X-Forwarded-For", b"203.0.113.7, \xff\xfe");
        assert_eq!(
            proxies(&["10.0.0.0/8"]).resolve(ip("10.0.0.1"), &h),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn x_forwarded_for_entries_may_carry_ports() {
        let table = [
            ("203.0.113.7:5678", "203.0.113.7"),
            ("[2001:db8::1]:80", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
            ("[::ffff:203.0.113.7]:1", "203.0.113.7"),
        ];
        for (entry, expected) in table {
            assert_eq!(
                xff(&["10.0.0.0/8"], "10.0.0.1", &[entry]),
                ip(expected),
                "{entry}"
            );
        }
    }

    #[test]
    fn nodes_parse_as_rfc_7239_and_x_forwarded_for_write_them() {
        let table: [(&[u8], bool, Option<&str>); 16] = [
            (b"192.0.2.43", false, Some("192.0.2.43")),
            (b"192.0.2.43:47011", false, Some("192.0.2.43")),
            (b"192.0.2.43:0", false, Some("192.0.2.43")),
            (b"192.0.2.43:", false, None),
            (b"192.0.2.43:123456", false, None),
            (b"192.0.2.43:65536", false, None),
            (
                b"[2001:db8:cafe::17]:4711",
                false,
                Some("2001:db8:cafe::17"),
            ),
            (b"[2001:db8:cafe::17]x", false, None),
            (b"[2001:db8:cafe::17", false, None),
            (b"[192.0.2.43]", false, None),
            (b"192.0.2.43:_hidden", true, Some("192.0.2.43")),
            (b"[::1]:_p.o-r_t", true, Some("::1")),
            (b"192.0.2.43:_", true, None),
            (b"unknown", true, None),
            (b"_hidden", true, None),
            (b"", true, None),
        ];
        for (node, obf, expected) in table {
            assert_eq!(
                parse_node(node, obf),
                expected.map(ip),
                "{}",
                String::from_utf8_lossy(node)
            );
        }
    }

    #[test]
    fn forwarded_elements_yield_their_one_for_parameter() {
        let table: [(&str, Option<&str>); 14] = [
            ("for=192.0.2.60", Some("192.0.2.60")),
            (
                "for=192.0.2.60;proto=http;by=203.0.113.43",
                Some("192.0.2.60"),
            ),
            ("proto=http; FOR=192.0.2.60", Some("192.0.2.60")),
            (r#"for="192.0.2.60:8080""#, Some("192.0.2.60")),
            (
                r#"for="[2001:db8:cafe::17]:4711""#,
                Some("2001:db8:cafe::17"),
            ),
            (r#"for="[2001:db8:cafe::17]""#, Some("2001:db8:cafe::17")),
            (r#"for="\[2001:db8::1\]""#, Some("2001:db8::1")),
            (r#"for="192.0.2.60:_obf""#, Some("192.0.2.60")),
            ("for=unknown", None),
            ("for=_hidden", None),
            (r#"for="_hidden""#, None),
            ("proto=https", None),
            ("for=192.0.2.60;for=192.0.2.61", None),
            (r#"for="192.0.2.60"x"#, None),
        ];
        for (element, expected) in table {
            assert_eq!(
                forwarded_for(element.as_bytes()),
                expected.map(ip),
                "{element}"
            );
        }
    }

    #[test]
    fn an_unclosed_or_overlong_quoted_value_is_not_an_address() {
        assert_eq!(forwarded_for(br#"for="192.0.2.60"#), None);
        let long = format!("for=\"{}\"", "1".repeat(MAX_NODE_LEN + 1));
        assert_eq!(forwarded_for(long.as_bytes()), None);
    }

    #[test]
    fn forwarded_lists_are_walked_right_to_left_and_commas_in_quotes_do_not_split() {
        let list = ["10.0.0.0/8", "fd00::/8"];
        let table: [(&[&str], &str); 6] = [
            (
                &["for=1.1.1.1, for=203.0.113.7, for=10.0.0.5"],
                "203.0.113.7",
            ),
            (
                &["for=1.1.1.1", r#"for="[2001:db8::1]:80";proto=https"#],
                "2001:db8::1",
            ),
            // A quoted comma is part of the value, not a new element: this element is garbage.
            (&[r#"for=203.0.113.7, for="1.1.1.1,10.0.0.5""#], "10.0.0.1"),
            (&["for=203.0.113.7, for=unknown, for=10.0.0.5"], "10.0.0.5"),
            (&["for=203.0.113.7, proto=https"], "10.0.0.1"),
            (&["for=10.0.0.9, for=\"[fd00::3]\""], "10.0.0.9"),
        ];
        for (lines, expected) in table {
            assert_eq!(fwd(&list, "10.0.0.1", lines), ip(expected), "{lines:?}");
        }
    }

    #[test]
    fn only_the_chosen_header_is_read() {
        let mut h = headers("X-Forwarded-For", &["1.1.1.1"]);
        let _ = h.append("Forwarded", "for=2.2.2.2");
        let list = proxies(&["10.0.0.0/8"]);
        assert_eq!(list.resolve(ip("10.0.0.1"), &h), ip("1.1.1.1"));
        let list = list.header(ProxyHeader::Forwarded);
        assert_eq!(list.resolve(ip("10.0.0.1"), &h), ip("2.2.2.2"));
    }

    #[test]
    fn a_mapped_peer_is_trusted_by_its_ipv4_range_and_reported_as_ipv4() {
        assert_eq!(
            xff(&["10.0.0.0/8"], "::ffff:10.0.0.1", &["203.0.113.7"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            xff(&["10.0.0.0/8"], "::ffff:198.51.100.1", &[]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn at_most_max_hops_entries_are_examined() {
        // Thousands of trusted hops: the walk ends after MAX_HOPS of them, at the last one seen.
        let many: Vec<String> = (0..5000)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect();
        let line = many.join(", ");
        let expected = many
            .get(5000 - TrustedProxies::MAX_HOPS)
            .map_or("", String::as_str);
        assert_eq!(xff(&["10.0.0.0/8"], "10.0.0.1", &[&line]), ip(expected));
        // A client cannot push the real entry out of reach by padding the left.
        let padded = format!("{}, 203.0.113.7, 10.0.0.2", "1.1.1.1, ".repeat(5000));
        assert_eq!(
            xff(&["10.0.0.0/8"], "10.0.0.1", &[&padded]),
            ip("203.0.113.7")
        );
        let padded = format!("{}for=203.0.113.7", "for=1.1.1.1, ".repeat(5000));
        assert_eq!(
            fwd(&["10.0.0.0/8"], "10.0.0.1", &[&padded]),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn the_ring_keeps_the_last_entries_in_order() {
        let mut ring = LastEntries::new();
        let items: Vec<String> = (0..TrustedProxies::MAX_HOPS + 3)
            .map(|i| i.to_string())
            .collect();
        for item in &items {
            ring.push(item.as_bytes());
        }
        let kept: Vec<&[u8]> = ring.newest_first().collect();
        let expected: Vec<&[u8]> = items
            .iter()
            .rev()
            .take(TrustedProxies::MAX_HOPS)
            .map(String::as_bytes)
            .collect();
        assert_eq!(kept, expected);
    }

    // End to end: a route taking `ClientAddr`, built without the macros (they target the
    // `framework` crate from outside).
    fn client_ip(req: &mut Request, cx: &RequestContext<'_>) -> Response {
        match ClientAddr::from_request_parts(req, cx) {
            Ok(client) => Response::text(client.to_string()),
            Err(e) => e.into_response(),
        }
    }

    fn app(middleware: Option<TrustedProxies>) -> Option<TestClient> {
        let info = RouteInfo {
            methods: &["GET"],
            path: "/ip",
            name: "client_ip",
            file: file!(),
            line: line!(),
            body_limit: None,
        };
        let route = Route::from_generated(&info, client_ip, |_| {});
        let app = match middleware {
            Some(m) => App::new().wrap(m),
            None => App::new(),
        };
        TestClient::new(app.mount("/", vec![route])).ok()
    }

    #[test]
    fn the_extractor_sees_the_resolved_client_through_test_client() {
        let client = app(Some(proxies(&["10.0.0.0/8", "::1"])));
        let send = |peer: std::net::SocketAddr, xff: &str| {
            client.as_ref().map(|c| {
                c.get("/ip")
                    .remote_addr(peer)
                    .header("X-Forwarded-For", xff)
                    .send()
                    .text()
            })
        };
        let proxy = ([10, 0, 0, 2], 50000).into();
        let stranger = ([198, 51, 100, 9], 40000).into();
        let loopback6 = (Ipv6Addr::LOCALHOST, 8080).into();
        assert_eq!(
            send(proxy, "1.1.1.1, 203.0.113.7").as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            send(stranger, "203.0.113.7").as_deref(),
            Some("198.51.100.9")
        );
        assert_eq!(
            send(loopback6, "[2001:db8::5]:1").as_deref(),
            Some("2001:db8::5")
        );
        assert_eq!(send(proxy, "garbage").as_deref(), Some("10.0.0.2"));
    }

    #[test]
    fn without_the_middleware_the_extractor_is_the_peer_and_without_a_socket_a_500() {
        let client = app(None);
        let res = client.as_ref().map(|c| {
            c.get("/ip")
                .remote_addr(([10, 0, 0, 2], 1))
                .header("X-Forwarded-For", "1.1.1.1")
                .send()
        });
        assert_eq!(res.map(|r| r.text()).as_deref(), Some("10.0.0.2"));
        let res = client.as_ref().map(|c| c.get("/ip").send());
        assert_eq!(res.map(|r| r.status().as_u16()), Some(500));
        // With the middleware but no socket there is no ClientAddr either.
        let client = app(Some(proxies(&["10.0.0.0/8"])));
        let res = client.as_ref().map(|c| c.get("/ip").send());
        assert_eq!(res.map(|r| r.status().as_u16()), Some(500));
    }
}
