//! `timestamps.normalise_valid` for the common forms of a timestamp that passed the record
//! schema: Segment's form itself, UTC with another fraction, a numeric offset, Unix seconds as
//! an integer. Anything else (a float, a day outside 0001..9999) is None: the Python path.

use serde_json::Value;

/// Unix seconds must be below this: 10000-01-01T00:00:00Z.
const UNIX_SECONDS_LIMIT: i64 = 253_402_300_800;

/// The timestamp in Segment's form `YYYY-MM-DDTHH:MM:SS.sssZ`, or None.
pub fn normalise(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => from_text(text.as_bytes()),
        Value::Number(number) => {
            let seconds = number.as_i64()?; // a float goes to the Python path
            if !(0..UNIX_SECONDS_LIMIT).contains(&seconds) {
                return None;
            }
            let (days, second) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
            let (year, month, day) = civil(days);
            Some(format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
                second / 3600,
                second % 3600 / 60,
                second % 60
            ))
        }
        _ => None,
    }
}

fn from_text(text: &[u8]) -> Option<String> {
    let n = text.len();
    if n == 24 && text[23] == b'Z' && text[19] == b'.' && text[10] == b'T' {
        return String::from_utf8(text.to_vec()).ok(); // Segment's form already
    }
    // `YYYY-MM-DD[Tt]hh:mm:ss[.f+](Z|z|±hh:mm)`, every position an ASCII digit where it must be
    if n < 20 || !shape(text) {
        return None;
    }
    let (year, month, day) = (
        number(&text[0..4]),
        number(&text[5..7]),
        number(&text[8..10]),
    );
    let (hour, minute) = (number(&text[11..13]), number(&text[14..16]));
    let second = &text[17..19];
    let (fraction, zone) = split_fraction(&text[19..])?;
    let milliseconds = milliseconds(fraction);
    let second = std::str::from_utf8(second).ok()?;
    if !is_real_day(year, month, day) || hour > 23 || minute > 59 || second > "59" {
        return None;
    }
    match zone {
        b"Z" | b"z" => {
            if matches!(year, 0 | 1 | 9999) {
                return None; // as timestamps._UTC: the Python path decides
            }
            Some(format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second}.{milliseconds}Z"
            ))
        }
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] if text[10] == b'T' => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let (off_hour, off_minute) = (number(&digits[..2]), number(&digits[2..]));
            let offset = (off_hour * 60 + off_minute) * if *sign == b'+' { 1 } else { -1 };
            let total = hour * 60 + minute - offset;
            let (days, minutes) = (total.div_euclid(1440), total.rem_euclid(1440));
            let (year, month, day) = civil(days_from_civil(year, month, day) + days);
            if !(1..=9999).contains(&year) {
                return None;
            }
            Some(format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{second}.{milliseconds}Z",
                minutes / 60,
                minutes % 60
            ))
        }
        _ => None,
    }
}

/// The fixed positions of `YYYY-MM-DD[Tt]hh:mm:ss`.
fn shape(text: &[u8]) -> bool {
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    digits.iter().all(|&i| text[i].is_ascii_digit())
        && text[4] == b'-'
        && text[7] == b'-'
        && matches!(text[10], b'T' | b't')
        && text[13] == b':'
        && text[16] == b':'
}

/// `(.digits)?` and what follows it.
fn split_fraction(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    if rest.first() != Some(&b'.') {
        return Some((b"", rest));
    }
    let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    Some((&rest[1..1 + digits], &rest[1 + digits..]))
}

/// The first three digits of a fraction, padded with zeros.
fn milliseconds(fraction: &[u8]) -> String {
    let mut three = [b'0'; 3];
    for (slot, digit) in three.iter_mut().zip(fraction) {
        *slot = *digit;
    }
    three.iter().map(|&b| b as char).collect()
}

fn number(digits: &[u8]) -> i64 {
    digits
        .iter()
        .fold(0, |total, digit| total * 10 + i64::from(digit - b'0'))
}

fn is_real_day(year: i64, month: i64, day: i64) -> bool {
    (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in(year, month)
}

fn days_in(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The (year, month, day) `days` after 1970-01-01 (Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Option<String> {
        normalise(&Value::String(text.into()))
    }

    #[test]
    fn segment_form() {
        let cases = [
            ("2024-11-26T15:19:14.123Z", Some("2024-11-26T15:19:14.123Z")),
            (
                "2024-11-26t15:19:14.1234z",
                Some("2024-11-26T15:19:14.123Z"),
            ),
            ("2024-11-26T15:19:14Z", Some("2024-11-26T15:19:14.000Z")),
            (
                "2024-12-31T23:30:00.5-01:00",
                Some("2025-01-01T00:30:00.500Z"),
            ),
            (
                "2024-03-01T00:30:00+01:00",
                Some("2024-02-29T23:30:00.000Z"),
            ),
            ("2024-03-01t00:30:00+01:00", None),
            ("2023-02-29T00:00:00Z", None),
        ];
        for (given, expected) in cases {
            assert_eq!(of(given).as_deref(), expected, "{given}");
        }
        assert_eq!(
            normalise(&Value::from(86_400 * 365)).as_deref(),
            Some("1971-01-01T00:00:00.000Z")
        );
        assert_eq!(normalise(&Value::from(1.5)), None);
    }
}
