//! The duration grammar of Bifrost's config store, shared by the SDK (which refuses
//! what the server would refuse) and the fake server (which answers like it).
//!
//! Bifrost reads `reset_duration`, `token_reset_duration` and friends with
//! `ParseDuration` in `framework/configstore/tables/utils.go`: when the last
//! character is a calendar unit (`d`, `w`, `M`, `Y`, and since v1.6.10 `Q`) the text
//! before it, suffixed with `h`, is read as a Go duration and multiplied by 24, 168,
//! 720, 2160 or 8760 (so `1.5d`, `+1d` and even `1h30d` are accepted); anything else
//! is a plain Go `time.ParseDuration` (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`,
//! compounds like `1h30m`). This module follows both, including Go's overflow
//! checks and the wrapping `int64` product of the calendar units.

use std::fmt;

/// Which calendar units a server generation knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grammar {
    /// Whether `Q` (a quarter, 90 days) is a unit (v1.6.10 and newer).
    pub quarters: bool,
}

impl Grammar {
    /// Bifrost v1.5.x: `d`, `w`, `M`, `Y`.
    pub const V1_5: Grammar = Grammar { quarters: false };
    /// Newest servers: `d`, `w`, `M`, `Q`, `Y`.
    pub const NEWEST: Grammar = Grammar { quarters: true };

    /// The calendar unit a text ends in, under this grammar.
    pub fn calendar_unit(self, text: &str) -> Option<CalendarUnit> {
        let unit = CalendarUnit::from_suffix(text.chars().last()?)?;
        (unit != CalendarUnit::Quarter || self.quarters).then_some(unit)
    }
}

/// A unit the server can align to calendar boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarUnit {
    /// `d`: 24 hours.
    Day,
    /// `w`: 7 days.
    Week,
    /// `M`: 30 days.
    Month,
    /// `Q`: 90 days.
    Quarter,
    /// `Y`: 365 days.
    Year,
}

impl CalendarUnit {
    fn from_suffix(c: char) -> Option<Self> {
        Some(match c {
            'd' => CalendarUnit::Day,
            'w' => CalendarUnit::Week,
            'M' => CalendarUnit::Month,
            'Q' => CalendarUnit::Quarter,
            'Y' => CalendarUnit::Year,
            _ => return None,
        })
    }

    /// How many hours one unit counts.
    pub fn hours(self) -> i64 {
        match self {
            CalendarUnit::Day => 24,
            CalendarUnit::Week => 24 * 7,
            CalendarUnit::Month => 24 * 30,
            CalendarUnit::Quarter => 24 * 90,
            CalendarUnit::Year => 24 * 365,
        }
    }

    /// The word the server uses in its error text (`invalid day duration: …`).
    fn word(self) -> &'static str {
        match self {
            CalendarUnit::Day => "day",
            CalendarUnit::Week => "week",
            CalendarUnit::Month => "month",
            CalendarUnit::Quarter => "quarter",
            CalendarUnit::Year => "year",
        }
    }
}

/// A duration read the way the server reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// Nanoseconds, as the server's `time.Duration` holds them (calendar products
    /// wrap around like Go's `int64` multiplication).
    pub nanos: i64,
    /// Whether the calendar product wrapped around (the SDK refuses such text).
    pub overflowed: bool,
    /// The calendar unit, when the text ends in one.
    pub calendar_unit: Option<CalendarUnit>,
}

/// Why a text is not a duration; `Display` gives the server's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    text: String,
    kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ErrorKind {
    Empty,
    Calendar(CalendarUnit),
    Invalid,
    MissingUnit,
    UnknownUnit(String),
    Overflow,
}

impl DurationError {
    fn new(text: &str, kind: ErrorKind) -> Self {
        Self {
            text: text.to_string(),
            kind,
        }
    }

    /// The text that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.text;
        match &self.kind {
            ErrorKind::Empty => f.write_str("duration is empty"),
            ErrorKind::Calendar(unit) => write!(f, "invalid {} duration: {text}", unit.word()),
            ErrorKind::Invalid | ErrorKind::Overflow => {
                write!(f, "time: invalid duration {text:?}")
            }
            ErrorKind::MissingUnit => write!(f, "time: missing unit in duration {text:?}"),
            ErrorKind::UnknownUnit(unit) => {
                write!(f, "time: unknown unit {unit:?} in duration {text:?}")
            }
        }
    }
}

impl std::error::Error for DurationError {}

/// Reads `text` as Bifrost's `ParseDuration` does under `grammar`.
///
/// ```
/// use bifrost_governance_client::duration::{Grammar, parse};
///
/// let day = 24 * 3_600_000_000_000_i64;
/// assert_eq!(parse("1d", Grammar::NEWEST)?.nanos, day);
/// assert_eq!(parse("1.5d", Grammar::NEWEST)?.nanos, day * 3 / 2);
/// assert_eq!(parse("+1d", Grammar::NEWEST)?.nanos, day);
/// assert_eq!(parse("1h30m", Grammar::NEWEST)?.nanos, 5_400_000_000_000);
/// assert!(parse("1Q", Grammar::V1_5).is_err());
/// assert_eq!(parse("-1d", Grammar::NEWEST)?.nanos, -day); // parses; callers refuse it
/// assert!(parse("1D", Grammar::NEWEST).is_err());
/// # Ok::<(), bifrost_governance_client::duration::DurationError>(())
/// ```
pub fn parse(text: &str, grammar: Grammar) -> Result<Parsed, DurationError> {
    if text.is_empty() {
        return Err(DurationError::new(text, ErrorKind::Empty));
    }
    match grammar.calendar_unit(text) {
        Some(unit) => {
            let count = &text[..text.len() - 1];
            let hours = parse_go(&format!("{count}h"))
                .map_err(|_| DurationError::new(text, ErrorKind::Calendar(unit)))?;
            let (nanos, overflowed) = hours.overflowing_mul(unit.hours());
            Ok(Parsed {
                nanos,
                overflowed,
                calendar_unit: Some(unit),
            })
        }
        None => Ok(Parsed {
            nanos: parse_go(text)?,
            overflowed: false,
            calendar_unit: None,
        }),
    }
}

/// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, with `0` alone
/// allowed, each part rounded down to the nanosecond, and overflow refused.
pub fn parse_go(text: &str) -> Result<i64, DurationError> {
    const LIMIT: u64 = 1 << 63;
    let invalid = |kind| DurationError::new(text, kind);
    let mut s = text.as_bytes();
    let mut negative = false;
    if let Some(&sign @ (b'-' | b'+')) = s.first() {
        negative = sign == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid(ErrorKind::Invalid));
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid(ErrorKind::Invalid));
        }
        // The integer part.
        let mut value: u64 = 0;
        let int_len = s.iter().take_while(|c| c.is_ascii_digit()).count();
        for &c in &s[..int_len] {
            if value > LIMIT / 10 {
                return Err(invalid(ErrorKind::Overflow));
            }
            value = value * 10 + u64::from(c - b'0');
            if value > LIMIT {
                return Err(invalid(ErrorKind::Overflow));
            }
        }
        s = &s[int_len..];
        // The fraction, digits past what fits are read and ignored.
        let (mut fraction, mut scale, mut frac_len) = (0u64, 1.0f64, 0usize);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            frac_len = s.iter().take_while(|c| c.is_ascii_digit()).count();
            let mut full = false;
            for &c in &s[..frac_len] {
                if full {
                    continue;
                }
                if fraction > (LIMIT - 1) / 10 {
                    full = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(c - b'0');
                if next > LIMIT {
                    full = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            s = &s[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid(ErrorKind::Invalid));
        }
        // The unit: everything up to the next digit or dot.
        let unit_len = s
            .iter()
            .take_while(|c| !(**c == b'.' || c.is_ascii_digit()))
            .count();
        if unit_len == 0 {
            return Err(invalid(ErrorKind::MissingUnit));
        }
        let unit = match &s[..unit_len] {
            b"ns" => 1,
            // "us", "µs" (U+00B5 micro sign) and "μs" (U+03BC mu).
            b"us" | [0xC2, 0xB5, b's'] | [0xCE, 0xBC, b's'] => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            other => {
                let unit = String::from_utf8_lossy(other).into_owned();
                return Err(invalid(ErrorKind::UnknownUnit(unit)));
            }
        };
        s = &s[unit_len..];
        if value > LIMIT / unit {
            return Err(invalid(ErrorKind::Overflow));
        }
        value *= unit;
        if fraction > 0 {
            // Go computes this in float64 and truncates, like here.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > LIMIT {
                return Err(invalid(ErrorKind::Overflow));
            }
        }
        total += value;
        if total > LIMIT {
            return Err(invalid(ErrorKind::Overflow));
        }
    }
    if negative {
        return Ok((total as i64).wrapping_neg());
    }
    if total > LIMIT - 1 {
        return Err(invalid(ErrorKind::Overflow));
    }
    Ok(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000_000;

    #[test]
    fn go_forms_follow_time_parse_duration() {
        for (text, nanos) in [
            ("0", 0),
            ("+0", 0),
            ("-0", 0),
            ("300ms", 300_000_000),
            ("1.5h", 3 * H / 2),
            (".5h", H / 2),
            ("1.h", H),
            ("1h30m", 5_400_000_000_000),
            ("2h45m10.5s", 2 * H + 45 * 60_000_000_000 + 10_500_000_000),
            ("1µs", 1_000),
            ("1μs", 1_000),
            ("1us", 1_000),
            ("-1m", -60_000_000_000),
            ("9223372036854775807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
        ] {
            assert_eq!(parse_go(text), Ok(nanos), "{text}");
        }
        for text in [
            "",
            "+",
            "-",
            ".",
            "1",
            "h",
            "1x",
            "1hh",
            "1 h",
            " 1h",
            "1h ",
            "1.2.3h",
            ".h",
            "9223372036854775808ns",
            "99999999999999999999h",
        ] {
            assert!(parse_go(text).is_err(), "{text:?} accepted");
        }
    }

    #[test]
    fn calendar_units_scale_a_go_count_of_hours() {
        for (text, nanos) in [
            ("1d", 24 * H),
            ("1.5d", 36 * H),
            ("+1d", 24 * H),
            ("1h30d", 31 * 24 * H), // "1h30h" is 31 hours
            ("2w", 2 * 168 * H),
            ("1M", 720 * H),
            ("1Q", 2160 * H),
            ("1Y", 8760 * H),
            ("0d", 0),
            ("-1d", -24 * H),
        ] {
            let parsed = parse(text, Grammar::NEWEST).unwrap();
            assert_eq!(parsed.nanos, nanos, "{text}");
            assert!(!parsed.overflowed);
        }
        for text in ["d", "1dd", "1 d", "1D", "1W", "1y", "Q"] {
            assert!(parse(text, Grammar::NEWEST).is_err(), "{text:?} accepted");
        }
    }

    #[test]
    fn quarters_exist_only_in_the_newest_grammar() {
        assert_eq!(
            parse("1Q", Grammar::NEWEST).unwrap().calendar_unit,
            Some(CalendarUnit::Quarter)
        );
        let err = parse("1Q", Grammar::V1_5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "time: unknown unit \"Q\" in duration \"1Q\""
        );
    }

    #[test]
    fn error_texts_are_the_servers() {
        assert_eq!(
            parse("", Grammar::NEWEST).unwrap_err().to_string(),
            "duration is empty"
        );
        assert_eq!(
            parse("xd", Grammar::NEWEST).unwrap_err().to_string(),
            "invalid day duration: xd"
        );
        assert_eq!(
            parse("1x", Grammar::NEWEST).unwrap_err().to_string(),
            "time: unknown unit \"x\" in duration \"1x\""
        );
    }

    #[test]
    fn calendar_products_wrap_like_go() {
        // 2562047h fits a Duration; times 24 it does not.
        let parsed = parse("2562047d", Grammar::NEWEST).unwrap();
        assert!(parsed.overflowed);
        assert_eq!(parsed.nanos, (2_562_047 * H).wrapping_mul(24));
    }
}
