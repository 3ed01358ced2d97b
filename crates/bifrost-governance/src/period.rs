//! Bifrost duration strings (`reset_duration`, `token_reset_duration`, …).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidInput;

use bifrost_governance_client::duration::{self, Grammar};

const NANOS_PER_HOUR: u128 = 3_600_000_000_000;

/// A reset period as Bifrost writes it: `30s`, `5m`, `1h30m`, `1d`, `1w`, `1M`, `1Q`, `1Y`.
///
/// Parsing is the server's own grammar (`ParseDuration` in Bifrost's config store,
/// shared with the fake server through [`bifrost_governance_client::duration`]): a
/// string ending in `d` (day), `w` (week), `M` (30 days), `Q` (quarter, 90 days) or
/// `Y` (365 days) counts that many units, the count being read as a Go duration in
/// hours (so `1.5d` and `+1d` work); anything else is a Go duration with units `ns`,
/// `us`/`µs`, `ms`, `s`, `m` (minute), `h`, which may be compound (`1h30m`). Case
/// matters: `1m` is a minute, `1M` a month. Only positive periods that fit the
/// server's 64-bit nanoseconds are accepted. The text is kept exactly as given,
/// because the server matches budgets by their `reset_duration` string.
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

impl ResetPeriod {
    /// Parses a Bifrost duration string; see the type documentation for the rules.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let invalid = |why: &str| InvalidInput::new("reset period", format!("{text:?}: {why}"));
        let parsed = duration::parse(text, Grammar::NEWEST).map_err(|e| invalid(&e.to_string()))?;
        if parsed.overflowed {
            return Err(invalid(
                "longer than the server can store (about 292 years)",
            ));
        }
        if parsed.nanos <= 0 {
            return Err(invalid("must be a positive duration"));
        }
        Ok(Self {
            text: text.to_string(),
            nanos: parsed.nanos as u128,
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
        Grammar::NEWEST.calendar_unit(&self.text).is_some()
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
        // The count before a calendar unit is a Go duration in hours, as on the server.
        assert_eq!(secs("+1d"), 86_400.0);
        assert_eq!(secs("1h30d"), 31.0 * 86_400.0);
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
