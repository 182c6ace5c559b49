//! Content negotiation for precompressed siblings (RFC 9110 §12.5.3): which of `file.br`,
//! `file.gz` and the file itself a client's `Accept-Encoding` prefers.
use crate::middleware::fields::qvalue;

/// A content coding we can serve from a precompressed sibling file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// `br`, from `NAME.br`.
    Brotli,
    /// `gzip`, from `NAME.gz`.
    Gzip,
}

impl Encoding {
    /// In the order we prefer them when the client likes both equally.
    pub(crate) const ALL: [Self; 2] = [Self::Brotli, Self::Gzip];

    /// The `Content-Encoding` token.
    pub(crate) const fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// The sibling file's suffix.
    pub(crate) const fn suffix(self) -> &'static str {
        match self {
            Self::Brotli => ".br",
            Self::Gzip => ".gz",
        }
    }

    fn matches(self, coding: &str) -> bool {
        match self {
            Self::Brotli => coding.eq_ignore_ascii_case("br"),
            // RFC 9110 §8.4.1.3: `x-gzip` is the same coding.
            Self::Gzip => {
                coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip")
            }
        }
    }
}

/// The q-value of `coding` in an `Accept-Encoding` value, in thousandths: its own entry, else the
/// `*` entry, else `unlisted`. An entry whose weight does not parse counts as `q=0`.
fn weight(accept: &str, matches: impl Fn(&str) -> bool, unlisted: u16) -> u16 {
    let mut star = None;
    for element in accept.split(',') {
        let mut params = element.split(';');
        let coding = params.next().unwrap_or_default().trim_ascii();
        if coding.is_empty() {
            continue;
        }
        let mut q = 1000;
        for param in params {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim_ascii().eq_ignore_ascii_case("q") {
                    q = qvalue(value.trim_ascii().as_bytes()).unwrap_or(0);
                }
            }
        }
        if matches(coding) {
            return q;
        }
        if coding == "*" {
            star = Some(q);
        }
    }
    star.unwrap_or(unlisted)
}

/// Picks what to send: one of the `available` sibling codings, or `None` for the file itself.
/// The highest weight wins; on a tie a coding beats the identity and `br` beats `gzip`. A coding
/// the client does not list (nor `*`) is not acceptable; `q=0` means never. The identity competes
/// only when listed (`identity;q=..`, or `*`), and is what a client gets when no sibling is
/// acceptable, even if it refused the identity (we do not answer `406`).
pub(crate) fn choose(accept: Option<&str>, available: &[Encoding]) -> Option<Encoding> {
    let accept = accept?;
    // RFC 9110 §12.5.3: the identity is acceptable unless excluded, but has a weight to compete
    // with only when listed (itself or through `*`).
    let identity = weight(accept, |c| c.eq_ignore_ascii_case("identity"), 0);
    let mut best: Option<(Encoding, u16)> = None;
    for &encoding in Encoding::ALL.iter().filter(|e| available.contains(e)) {
        let q = weight(accept, |c| encoding.matches(c), 0);
        if q > 0 && q >= identity && best.is_none_or(|(_, b)| q > b) {
            best = Some((encoding, q));
        }
    }
    best.map(|(encoding, _)| encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::{Brotli, Gzip};

    #[test]
    fn accept_encoding_picks_the_preferred_sibling() {
        let both: &[Encoding] = &[Brotli, Gzip];
        let rows: &[(Option<&str>, &[Encoding], Option<Encoding>)] = &[
            (None, both, None),
            (Some(""), both, None),
            (Some("gzip"), both, Some(Gzip)),
            (Some("x-gzip"), both, Some(Gzip)),
            (Some("GZIP"), both, Some(Gzip)),
            (Some("br"), both, Some(Brotli)),
            (Some("gzip, deflate, br"), both, Some(Brotli)),
            (Some("gzip, deflate, br, zstd"), &[Gzip], Some(Gzip)),
            (Some("br;q=0.5, gzip;q=0.8"), both, Some(Gzip)),
            (Some("br;q=1.0, gzip;q=0.999"), both, Some(Brotli)),
            (Some("br;q=0, gzip"), both, Some(Gzip)),
            (Some("gzip;q=0"), both, None),
            (Some("gzip;Q=0.000"), both, None),
            (Some("*"), both, Some(Brotli)),
            (Some("*;q=0.5"), &[Gzip], Some(Gzip)),
            (Some("*;q=0"), both, None),
            (Some("*, br;q=0"), both, Some(Gzip)),
            (Some("identity"), both, None),
            (Some("gzip;q=0.5, identity"), both, None),
            (Some("gzip;q=0.5, identity;q=0.5"), both, Some(Gzip)),
            (Some("gzip, identity;q=0"), both, Some(Gzip)),
            (Some("deflate"), both, None),
            (Some("br"), &[Gzip], None),
            (Some("gzip"), &[], None),
            (Some("gzip;q=2"), both, None),
            (Some("gzip;q=0.1234"), both, None),
            (Some("gzip;q=x"), both, None),
            (Some("gzip ; q=0.3 , br ; q=0.2"), both, Some(Gzip)),
        ];
        for &(accept, available, expected) in rows {
            assert_eq!(
                choose(accept, available),
                expected,
                "{accept:?} {available:?}"
            );
        }
    }

    #[test]
    fn qvalues_parse_in_thousandths() {
        for (text, q) in [
            ("0", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.001", Some(1)),
            ("1", Some(1000)),
            ("1.000", Some(1000)),
            ("1.001", None),
            ("0.", Some(0)),
            ("", None),
            ("2", None),
            (".5", None),
        ] {
            assert_eq!(qvalue(text.as_bytes()), q, "{text:?}");
        }
    }
}
