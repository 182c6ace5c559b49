//! HTTP dates (RFC 9110 §5.6.7): the IMF-fixdate that `Date` and `Last-Modified` carry, and a
//! parser for the dates clients send back (`If-Modified-Since`, `If-Unmodified-Since`,
//! `If-Range`), which also reads the two obsolete formats recipients are asked to accept.
//!
//! Pure functions on seconds since the Unix epoch; the server's once-a-second `Date` cache
//! (`server/date.rs`) formats with [`format_secs`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const DATE_LEN: usize = 29;

/// The last second an IMF-fixdate can show: 9999-12-31 23:59:59 UTC.
const MAX_SECS: u64 = 253_402_300_799;

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const LONG_DAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats a time as an IMF-fixdate (RFC 9110 §5.6.7), the format of `Date` and
/// `Last-Modified`: always GMT, whole seconds (the fraction is dropped). Times before 1970 show
/// as 1970-01-01 00:00:00, times after the year 9999 as its last second.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(framework::http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(framework::parse_http_date(&framework::http_date(t)), Some(t));
/// ```
#[must_use]
pub fn http_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    String::from_utf8_lossy(&format_secs(secs)).into_owned()
}

/// Parses an HTTP date, as a recipient must (RFC 9110 §5.6.7): the IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete formats, RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`, whose two-digit year is read as the most recent year with
/// those digits unless that is more than 50 years ahead) and ANSI C's `asctime()`
/// (`Sun Nov  6 08:49:37 1994`). Names are case-sensitive, as the grammar says; the weekday
/// must be a weekday's name but is not checked against the date. Surrounding whitespace is
/// ignored. `None` for anything else, including impossible dates (`31 Feb`) and years before
/// 1970, so a conditional request with a bad date is treated as if it had none.
///
/// ```
/// use framework::parse_http_date;
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = Some(UNIX_EPOCH + Duration::from_secs(784_111_777));
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t);
/// assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), t);
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
#[must_use]
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let text = text.trim_ascii();
    let secs = imf_fixdate(text)
        .or_else(|| rfc850(text, current_year()))
        .or_else(|| asctime(text))?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub(crate) fn format_secs(secs: u64) -> [u8; DATE_LEN] {
    let secs = secs.min(MAX_SECS);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, rem / 60 % 60, rem % 60);
    let (year, month, day) = civil_from_days(days);

    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    let weekday = DAYS[usize::try_from(days % 7).unwrap_or(0)];
    out[..3].copy_from_slice(weekday.as_bytes());
    two_digits(&mut out[5..7], day);
    out[8..11].copy_from_slice(MONTHS[usize::try_from(month - 1).unwrap_or(0)].as_bytes());
    two_digits(&mut out[12..14], year / 100);
    two_digits(&mut out[14..16], year % 100);
    two_digits(&mut out[17..19], hour);
    two_digits(&mut out[20..22], minute);
    two_digits(&mut out[23..25], second);
    out
}

fn two_digits(out: &mut [u8], n: u64) {
    let n = u8::try_from(n % 100).unwrap_or(0);
    out[0] = b'0' + n / 10;
    out[1] = b'0' + n % 10;
}

/// `(year, month 1..=12, day 1..=31)` of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u64::from(month <= 2), month, day)
}

/// Days from 1970-01-01 to a valid date of 1970 or later (Hinnant's `days_from_civil`).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let yoe = year % 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since the epoch of a checked date and time; `None` for an impossible one.
fn to_secs(year: u64, month: u64, day: u64, (h, m, s): (u64, u64, u64)) -> Option<u64> {
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Exactly `n` ASCII digits.
fn digits(text: &str, n: usize) -> Option<u64> {
    (text.len() == n && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn month(name: &str) -> Option<u64> {
    MONTHS.iter().position(|m| *m == name).map(|i| i as u64 + 1)
}

/// `HH:MM:SS`.
fn time_of_day(text: &str) -> Option<(u64, u64, u64)> {
    let b = text.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    Some((
        digits(&text[..2], 2)?,
        digits(&text[3..5], 2)?,
        digits(&text[6..], 2)?,
    ))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
fn imf_fixdate(text: &str) -> Option<u64> {
    let (day_name, rest) = text.split_once(", ")?;
    if !DAYS.contains(&day_name) || rest.len() != 24 {
        return None;
    }
    let mut parts = rest.split(' ');
    let day = digits(parts.next()?, 2)?;
    let month = month(parts.next()?)?;
    let year = digits(parts.next()?, 4)?;
    let time = time_of_day(parts.next()?)?;
    (parts.next()? == "GMT" && parts.next().is_none())
        .then(|| to_secs(year, month, day, time))
        .flatten()
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`; `this_year` resolves the two-digit year.
fn rfc850(text: &str, this_year: u64) -> Option<u64> {
    let (day_name, rest) = text.split_once(", ")?;
    if !LONG_DAYS.contains(&day_name) {
        return None;
    }
    let mut parts = rest.split(' ');
    let date = parts.next()?;
    let time = time_of_day(parts.next()?)?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let mut fields = date.split('-');
    let day = digits(fields.next()?, 2)?;
    let month = month(fields.next()?)?;
    let yy = digits(fields.next()?, 2)?;
    if fields.next().is_some() {
        return None;
    }
    // RFC 9110 §5.6.7: a year more than 50 years ahead is the most recent past one with the same
    // two digits.
    let mut year = this_year - this_year % 100 + yy;
    if year > this_year + 50 {
        year -= 100;
    }
    to_secs(year, month, day, time)
}

/// `Sun Nov  6 08:49:37 1994` (the day is two digits, or a space and one digit).
fn asctime(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 24 || !text.is_ascii() || b[3] != b' ' || b[7] != b' ' || b[10] != b' ' {
        return None;
    }
    if !DAYS.contains(&&text[..3]) {
        return None;
    }
    let month = month(&text[4..7])?;
    let day = match (b[8], b[9]) {
        (b' ', d) if d.is_ascii_digit() => u64::from(d - b'0'),
        _ => digits(&text[8..10], 2)?,
    };
    let time = time_of_day(&text[11..19])?;
    if b[19] != b' ' {
        return None;
    }
    let year = digits(&text[20..], 4)?;
    to_secs(year, month, day, time)
}

fn current_year() -> u64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days(secs.min(MAX_SECS) / 86_400).0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUNDAY: u64 = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn formats_known_dates() {
        assert_eq!(&format_secs(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(&format_secs(SUNDAY), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(&format_secs(951_782_400), b"Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(
            &format_secs(1_795_000_000),
            b"Wed, 18 Nov 2026 11:06:40 GMT"
        );
        assert_eq!(&format_secs(u64::MAX), b"Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn times_before_the_epoch_format_as_the_epoch() {
        let before = UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(http_date(before), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn the_three_formats_parse_to_the_same_time() {
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun Nov 06 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(
                parse_http_date(text),
                Some(UNIX_EPOCH + Duration::from_secs(SUNDAY)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn formatting_then_parsing_gives_the_same_second() {
        for secs in [
            0,
            1,
            59,
            86_399,
            86_400,
            951_782_400,
            1_795_000_000,
            MAX_SECS,
        ] {
            let text = format_secs(secs);
            let text = std::str::from_utf8(&text).unwrap_or_default();
            assert_eq!(imf_fixdate(text), Some(secs), "{text}");
        }
    }

    #[test]
    fn malformed_or_impossible_dates_are_refused() {
        for text in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 gmt",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 94",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTé",
            "1994-11-06T08:49:37Z",
        ] {
            assert_eq!(parse_http_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_two_digit_year_is_at_most_fifty_years_ahead() {
        let year_of = |text: &str| rfc850(text, 2026).map(|secs| civil_from_days(secs / 86_400).0);
        assert_eq!(year_of("Monday, 01-Jan-76 00:00:00 GMT"), Some(2076));
        assert_eq!(year_of("Monday, 01-Jan-77 00:00:00 GMT"), Some(1977));
        assert_eq!(year_of("Monday, 01-Jan-26 00:00:00 GMT"), Some(2026));
        assert_eq!(year_of("Monday, 01-Jan-99 00:00:00 GMT"), Some(1999));
    }

    #[test]
    fn a_leap_day_parses() {
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(UNIX_EPOCH + Duration::from_secs(951_782_400))
        );
    }
}
