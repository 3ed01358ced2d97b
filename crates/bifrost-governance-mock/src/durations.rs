//! Bifrost duration strings (`reset_duration`, `*_reset_duration`).
//!
//! Mirrors `ParseDuration` in upstream `framework/configstore/tables/utils.go`: when the
//! last character is `d`, `w`, `M`, `Q` or `Y`, the prefix is parsed as Go hours and
//! multiplied (1d = 24h, 1w = 7d, 1M = 30d, 1Q = 90d, 1Y = 365d); anything else is a
//! Go duration (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, compounds like `1h30m`).

use chrono::{DateTime, Datelike, TimeZone, Utc};

const NANOS_PER_HOUR: i128 = 3_600_000_000_000;

/// Parses a Bifrost duration into nanoseconds (may be zero or negative).
pub(crate) fn parse(s: &str) -> Result<i128, String> {
    let last = s
        .chars()
        .last()
        .ok_or_else(|| "empty duration".to_string())?;
    let hours = match last {
        'd' => 24,
        'w' => 24 * 7,
        'M' => 24 * 30,
        'Q' => 24 * 90,
        'Y' => 24 * 365,
        _ => return parse_go(s),
    };
    let prefix = &s[..s.len() - last.len_utf8()];
    let base = parse_go(&format!("{prefix}h"))?;
    let total = base * hours;
    if total.abs() > i64::MAX as i128 {
        return Err(format!("invalid duration {s:?}: overflow"));
    }
    Ok(total)
}

/// Validates a duration the way the handlers do: it must parse and be positive.
pub(crate) fn validate(s: &str) -> Result<(), String> {
    match parse(s) {
        Ok(n) if n > 0 => Ok(()),
        Ok(_) => Err(format!(
            "Invalid reset duration (must be a positive duration): {s}"
        )),
        Err(e) => Err(format!("Invalid reset duration {s:?}: {e}")),
    }
}

/// Whether budgets with this duration can be aligned to calendar periods.
pub(crate) fn is_calendar_alignable(s: &str) -> bool {
    matches!(s.chars().last(), Some('d' | 'w' | 'M' | 'Q' | 'Y'))
}

/// Start of the current calendar period (UTC) for an alignable duration.
pub(crate) fn calendar_period_start(s: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    let date = now.date_naive();
    let start = match s.chars().last() {
        Some('d') => date,
        Some('w') => date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday())),
        Some('M') => date.with_day(1).unwrap_or(date),
        Some('Q') => {
            let month0 = (date.month0() / 3) * 3;
            chrono::NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1).unwrap_or(date)
        }
        Some('Y') => chrono::NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
        _ => return now,
    };
    Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn parse_go(orig: &str) -> Result<i128, String> {
    let err = || format!("invalid duration {orig:?}");
    let mut s = orig;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(err());
    }
    let mut total: i128 = 0;
    while !s.is_empty() {
        let bytes = s.as_bytes();
        if !(bytes[0] == b'.' || bytes[0].is_ascii_digit()) {
            return Err(err());
        }
        let int_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
            frac_part = &rest[..frac_len];
            s = &rest[frac_len..];
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(err());
            }
        } else if int_part.is_empty() {
            return Err(err());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(format!("missing unit in duration {orig:?}"));
        }
        let unit: i128 = match &s[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => NANOS_PER_HOUR,
            other => return Err(format!("unknown unit {other:?} in duration {orig:?}")),
        };
        s = &s[unit_len..];
        let int_value: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse::<i128>().map_err(|_| err())?
        };
        if int_value > i64::MAX as i128 {
            return Err(err());
        }
        let mut value = int_value * unit;
        if !frac_part.is_empty() {
            let frac: f64 = format!("0.{frac_part}").parse().map_err(|_| err())?;
            value += (frac * unit as f64) as i128;
        }
        total += value;
        if total > i64::MAX as i128 {
            return Err(err());
        }
    }
    Ok(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i128 = NANOS_PER_HOUR;

    #[test]
    fn bifrost_suffixes() {
        assert_eq!(parse("1d"), Ok(24 * H));
        assert_eq!(parse("1.5d"), Ok(36 * H));
        assert_eq!(parse("2w"), Ok(14 * 24 * H));
        assert_eq!(parse("1M"), Ok(30 * 24 * H));
        assert_eq!(parse("1Q"), Ok(90 * 24 * H));
        assert_eq!(parse("1Y"), Ok(365 * 24 * H));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse("30s"), Ok(30_000_000_000));
        assert_eq!(parse("5m"), Ok(5 * 60_000_000_000));
        assert_eq!(parse("1h30m"), Ok(H + 30 * 60_000_000_000));
        assert_eq!(parse("1.5h"), Ok(H + H / 2));
        assert_eq!(parse("250ms"), Ok(250_000_000));
        assert_eq!(parse("3µs"), Ok(3_000));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("-1h"), Ok(-H));
    }

    #[test]
    fn invalid_durations() {
        for bad in ["", "d", "1x", "h", "1", "1hh", ".h", "abc", "1m30"] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
        // Go accepts an empty fraction ("1.h").
        assert_eq!(parse("1.d"), Ok(24 * H));
        assert!(validate("0s").is_err());
        assert!(validate("-1d").is_err());
        assert!(validate("1d").is_ok());
        assert!(parse("99999999999999999999h").is_err());
        assert!(parse("100000000Y").is_err());
    }

    #[test]
    fn alignment() {
        let now = Utc.with_ymd_and_hms(2026, 5, 14, 13, 5, 0).unwrap();
        assert!(is_calendar_alignable("1M"));
        assert!(!is_calendar_alignable("1h"));
        assert_eq!(
            calendar_period_start("1M", now),
            Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            calendar_period_start("1w", now),
            Utc.with_ymd_and_hms(2026, 5, 11, 0, 0, 0).unwrap()
        );
        assert_eq!(
            calendar_period_start("1Q", now),
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
        );
    }
}
