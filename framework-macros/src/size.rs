//! Sizes as route options write them: `"50 MiB"`, `"512 KiB"`, `"10 MB"`, `"1000000"`.

/// Units and their factors. Binary units (`KiB`) are powers of 1024, decimal ones (`kB`, `KB`)
/// powers of 1000, as the SI and IEC prefixes say.
const UNITS: [(&str, u64); 11] = [
    ("B", 1),
    ("kB", 1000),
    ("KB", 1000),
    ("KiB", 1 << 10),
    ("MB", 1000 * 1000),
    ("MiB", 1 << 20),
    ("GB", 1000 * 1000 * 1000),
    ("GiB", 1 << 30),
    ("TB", 1000 * 1000 * 1000 * 1000),
    ("TiB", 1 << 40),
    ("", 1),
];

/// Parses a size into bytes: a whole number, optional spaces, an optional unit from [`UNITS`].
/// `Err` says what is wrong, for the compile error.
pub(crate) fn parse(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return Err("it must start with a whole number of bytes or of a unit".into());
    }
    let unit = unit.trim_start();
    let Some((_, factor)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!(
            "`{unit}` is not a unit: use B, kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)"
        ));
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(*factor))
        .ok_or_else(|| "it is too large: at most 2^64 - 1 bytes".into())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn sizes_with_and_without_units() {
        for (text, bytes) in [
            ("0", 0),
            ("1000000", 1_000_000),
            ("1 B", 1),
            ("50 MiB", 50 << 20),
            ("50MiB", 50 << 20),
            ("  512 KiB ", 512 << 10),
            ("10 MB", 10_000_000),
            ("10 kB", 10_000),
            ("10 KB", 10_000),
            ("2 GiB", 2 << 30),
            ("1 TiB", 1 << 40),
        ] {
            assert_eq!(parse(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn malformed_sizes_say_why() {
        for (text, why) in [
            ("", "whole number"),
            ("MiB", "whole number"),
            ("1.5 MiB", "`.5 MiB` is not a unit"),
            ("50 mib", "`mib` is not a unit"),
            ("50 MiB/s", "`MiB/s` is not a unit"),
            ("-1", "whole number"),
            ("99999999999 TiB", "too large"),
            ("99999999999999999999", "too large"),
        ] {
            let err = parse(text).expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
