//! Bifrost duration strings (`reset_duration`, `token_reset_duration`, …).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidInput;

const NANOS_PER_HOUR: u128 = 3_600_000_000_000;
/// Go's `time.Duration` is an `int64` of nanoseconds; longer periods overflow it.
const MAX_NANOS: u128 = i64::MAX as u128;

/// A reset period as Bifrost writes it: `30s`, `5m`, `1h30m`, `1d`, `1w`, `1M`, `1Q`, `1Y`.
///
/// Parsing follows the server (`ParseDuration` in Bifrost's config store): a string
/// ending in `d` (day), `w` (week), `M` (30 days), `Q` (quarter, 90 days) or `Y`
/// (365 days) takes a decimal number before the suffix; anything else is a Go
/// duration with units `ns`, `us`/`µs`, `ms`, `s`, `m` (minute), `h`, which may be
/// compound (`1h30m`). Case matters: `1m` is a minute, `1M` a month. Only positive
/// periods are accepted. The text is kept exactly as given, because the server
/// matches budgets by their `reset_duration` string.
///
/// ```
/// use bifrost_governance::ResetPeriod;
///
/// let p: ResetPeriod = "1h30m".parse()?;
/// assert_eq!(p.to_string(), "1h30m");
/// assert_eq!(p.as_duration().as_secs(), 5400);
/// assert!(!p.is_calendar_alignable());
/// assert!(ResetPeriod::months(1).is_calendar_alignable());
/// assert!("0s".parse::<ResetPeriod>().is_err());
/// assert!("1D".parse::<ResetPeriod>().is_err());
/// # Ok::<(), bifrost_governance::InvalidInput>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResetPeriod {
    text: String,
    nanos: u128,
}

/// Units that take a plain number and may be aligned to calendar boundaries.
const CALENDAR_UNITS: [(char, u128); 5] = [
    ('d', 24),
    ('w', 24 * 7),
    ('M', 24 * 30),
    ('Q', 24 * 90),
    ('Y', 24 * 365),
];

/// Go duration units, longest first so `ms` wins over `m`.
const GO_UNITS: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", NANOS_PER_HOUR),
];

impl ResetPeriod {
    /// Parses a Bifrost duration string; see the type documentation for the rules.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let invalid = |why: &str| InvalidInput::new("reset period", format!("{text:?}: {why}"));
        if text.is_empty() {
            return Err(invalid("empty duration"));
        }
        let last = text.chars().last().expect("not empty");
        let nanos = match CALENDAR_UNITS.iter().find(|(unit, _)| *unit == last) {
            Some(&(_, hours)) => {
                let number = &text[..text.len() - last.len_utf8()];
                scaled(number, hours * NANOS_PER_HOUR).ok_or_else(|| {
                    invalid("expected a number before the unit, like `1d` or `1.5w`")
                })?
            }
            None => parse_go(text).map_err(&invalid)?,
        };
        if nanos == 0 {
            return Err(invalid("must be a positive duration"));
        }
        if nanos > MAX_NANOS {
            return Err(invalid(
                "longer than the server can store (about 292 years)",
            ));
        }
        Ok(Self {
            text: text.to_string(),
            nanos,
        })
    }

    fn whole(n: u32, unit: &str, unit_nanos: u128) -> Self {
        Self {
            text: format!("{n}{unit}"),
            nanos: u128::from(n) * unit_nanos,
        }
    }

    /// `n` seconds (`"30s"`).
    pub fn seconds(n: u32) -> Self {
        Self::whole(n, "s", 1_000_000_000)
    }
    /// `n` minutes (`"5m"`).
    pub fn minutes(n: u32) -> Self {
        Self::whole(n, "m", 60_000_000_000)
    }
    /// `n` hours (`"1h"`).
    pub fn hours(n: u32) -> Self {
        Self::whole(n, "h", NANOS_PER_HOUR)
    }
    /// `n` days (`"1d"`), calendar alignable.
    pub fn days(n: u32) -> Self {
        Self::whole(n, "d", 24 * NANOS_PER_HOUR)
    }
    /// `n` weeks (`"1w"`), calendar alignable (weeks start on Monday, UTC).
    pub fn weeks(n: u32) -> Self {
        Self::whole(n, "w", 24 * 7 * NANOS_PER_HOUR)
    }
    /// `n` months (`"1M"`, 30 days each), calendar alignable.
    pub fn months(n: u32) -> Self {
        Self::whole(n, "M", 24 * 30 * NANOS_PER_HOUR)
    }
    /// `n` quarters (`"1Q"`), calendar alignable; needs a v2.x server.
    pub fn quarters(n: u32) -> Self {
        Self::whole(n, "Q", 24 * 90 * NANOS_PER_HOUR)
    }
    /// `n` years (`"1Y"`, 365 days each), calendar alignable.
    pub fn years(n: u32) -> Self {
        Self::whole(n, "Y", 24 * 365 * NANOS_PER_HOUR)
    }

    /// The text sent to the server.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The length of the period (months, quarters and years at 30, 90 and 365 days).
    pub fn as_duration(&self) -> Duration {
        let nanos = self.nanos.min(u128::from(u64::MAX) * 1_000_000_000);
        Duration::new(
            (nanos / 1_000_000_000) as u64,
            (nanos % 1_000_000_000) as u32,
        )
    }

    /// Whether the period is positive. Only the named constructors can make a zero
    /// period (`ResetPeriod::days(0)`); builders refuse it before sending.
    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }

    /// Whether the server can align this period to calendar boundaries (periods in
    /// `d`, `w`, `M`, `Q` or `Y`). Alignment on other periods is silently ignored by
    /// the server, so the SDK refuses it.
    pub fn is_calendar_alignable(&self) -> bool {
        let last = self.text.chars().last();
        CALENDAR_UNITS.iter().any(|(unit, _)| Some(*unit) == last)
    }

    /// Whether the period counts quarters (`1Q`): the only periods a budget's
    /// `reset_config` applies to.
    pub fn is_quarterly(&self) -> bool {
        self.text.ends_with('Q')
    }

    pub(crate) fn require_positive(&self, field: &'static str) -> Result<(), InvalidInput> {
        if self.is_positive() {
            Ok(())
        } else {
            Err(InvalidInput::new(
                field,
                format!("period {:?} must be positive", self.text),
            ))
        }
    }
}

/// `number` (digits with an optional fraction) times `unit` nanoseconds, exactly as
/// Go's `ParseDuration` rounds a fraction (down to the nanosecond).
fn scaled(number: &str, unit: u128) -> Option<u128> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let int_value: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut total = int_value.checked_mul(unit)?;
    let mut scale = unit;
    for digit in frac.bytes() {
        scale /= 10;
        total = total.checked_add(u128::from(digit - b'0') * scale)?;
    }
    Some(total)
}

fn parse_go(text: &str) -> Result<u128, &'static str> {
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.starts_with('-') {
        return Err("must be a positive duration");
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err("empty duration");
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or("missing unit (use ns, us, ms, s, m, h, d, w, M, Q or Y)")?;
        let (number, after) = rest.split_at(number_len);
        let (unit, unit_nanos) = GO_UNITS
            .iter()
            .filter(|(unit, _)| after.starts_with(unit))
            .max_by_key(|(unit, _)| unit.len())
            .ok_or("unknown unit (use ns, us, ms, s, m, h, d, w, M, Q or Y)")?;
        let value = scaled(number, *unit_nanos).ok_or("invalid number")?;
        total = total.checked_add(value).ok_or("duration out of range")?;
        if total > MAX_NANOS {
            return Err("duration out of range");
        }
        rest = &after[unit.len()..];
    }
    Ok(total)
}

impl FromStr for ResetPeriod {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for ResetPeriod {
    type Error = InvalidInput;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl fmt::Display for ResetPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for ResetPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResetPeriod({:?})", self.text)
    }
}

impl Serialize for ResetPeriod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ResetPeriod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn secs(text: &str) -> f64 {
        ResetPeriod::parse(text)
            .unwrap()
            .as_duration()
            .as_secs_f64()
    }

    #[test]
    fn parses_the_documented_examples() {
        assert_eq!(secs("30s"), 30.0);
        assert_eq!(secs("5m"), 300.0);
        assert_eq!(secs("1h"), 3600.0);
        assert_eq!(secs("1d"), 86_400.0);
        assert_eq!(secs("1w"), 604_800.0);
        assert_eq!(secs("1M"), 2_592_000.0);
        assert_eq!(secs("1Q"), 7_776_000.0);
        assert_eq!(secs("1Y"), 31_536_000.0);
    }

    #[test]
    fn parses_go_forms_and_fractions() {
        assert_eq!(secs("1h30m"), 5400.0);
        assert_eq!(secs("1.5d"), 129_600.0);
        assert_eq!(secs("1.5h"), 5400.0);
        assert_eq!(secs("+2m"), 120.0);
        assert_eq!(
            ResetPeriod::parse("1500ms")
                .unwrap()
                .as_duration()
                .as_millis(),
            1500
        );
        assert_eq!(
            ResetPeriod::parse("3us").unwrap().as_duration().as_nanos(),
            3000
        );
        assert_eq!(
            ResetPeriod::parse("3µs").unwrap().as_duration().as_nanos(),
            3000
        );
        assert_eq!(
            ResetPeriod::parse("7ns").unwrap().as_duration().as_nanos(),
            7
        );
    }

    #[test]
    fn case_distinguishes_minute_from_month() {
        assert_eq!(secs("1m"), 60.0);
        assert_eq!(secs("1M"), 2_592_000.0);
    }

    #[test]
    fn rejects_what_the_server_rejects() {
        for bad in [
            "", "0", "0s", "0d", "-1h", "-5m", "1", "h", "d", "1D", "1H", "1x", "1h-5m", "1..5h",
            ".h", "1 h", "2562048h",
        ] {
            assert!(ResetPeriod::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn calendar_alignment_follows_the_suffix() {
        for (text, alignable) in [
            ("1d", true),
            ("2w", true),
            ("1M", true),
            ("1Q", true),
            ("1Y", true),
            ("24h", false),
            ("1m", false),
        ] {
            assert_eq!(
                ResetPeriod::parse(text).unwrap().is_calendar_alignable(),
                alignable,
                "{text}"
            );
        }
    }

    #[test]
    fn constructors_print_canonical_text() {
        let all = [
            (ResetPeriod::seconds(30), "30s"),
            (ResetPeriod::minutes(5), "5m"),
            (ResetPeriod::hours(1), "1h"),
            (ResetPeriod::days(1), "1d"),
            (ResetPeriod::weeks(2), "2w"),
            (ResetPeriod::months(1), "1M"),
            (ResetPeriod::quarters(1), "1Q"),
            (ResetPeriod::years(1), "1Y"),
        ];
        for (period, text) in all {
            assert_eq!(period.to_string(), text);
            assert_eq!(ResetPeriod::parse(text).unwrap(), period);
        }
        assert!(!ResetPeriod::days(0).is_positive());
    }

    fn unit_strategy() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "ns", "us", "µs", "ms", "s", "m", "h", "d", "w", "M", "Q", "Y",
        ])
    }

    proptest! {
        #[test]
        fn print_parse_round_trip(n in 1u32..250, unit in unit_strategy()) {
            let text = format!("{n}{unit}");
            let parsed = ResetPeriod::parse(&text).unwrap();
            prop_assert_eq!(parsed.to_string(), text.clone());
            prop_assert_eq!(ResetPeriod::parse(&parsed.to_string()).unwrap(), parsed.clone());
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<ResetPeriod>(&json).unwrap(), parsed);
        }

        #[test]
        fn compound_go_durations_sum_their_parts(h in 0u32..1000, m in 0u32..60, s in 1u32..60) {
            let parsed = ResetPeriod::parse(&format!("{h}h{m}m{s}s")).unwrap();
            prop_assert_eq!(parsed.as_duration().as_secs(), u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(s));
        }

        #[test]
        fn non_positive_is_rejected(unit in unit_strategy(), zeros in 1usize..4) {
            let zero = "0".repeat(zeros);
            let zero_period = format!("{zero}{unit}");
            let negative_period = format!("-1{unit}");
            prop_assert!(ResetPeriod::parse(&zero_period).is_err());
            prop_assert!(ResetPeriod::parse(&negative_period).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,12}") {
            let _ = ResetPeriod::parse(&text);
        }

        #[test]
        fn unknown_suffixes_are_rejected(n in 1u32..1000, suffix in "[a-zA-Z]{1,2}") {
            let known = ["ns", "us", "ms", "s", "m", "h", "d", "w", "M", "Q", "Y"];
            prop_assume!(!known.contains(&suffix.as_str()));
            prop_assume!(!(suffix.len() == 2 && known.contains(&&suffix[1..]) && known.contains(&&suffix[..1])));
            let text = format!("{n}{suffix}");
            prop_assert!(ResetPeriod::parse(&text).is_err(), "{} accepted", text);
        }
    }
}
