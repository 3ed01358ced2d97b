//! Calendar alignment of budget windows (`tables/utils.go GetCalendarPeriodStart`).
//! Parsing durations is the client crate's `duration` module; only the fake needs
//! the period boundaries.

use bifrost_governance_client::duration::{CalendarUnit, Grammar};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// Start of the current calendar period (UTC) of a duration ending in a calendar
/// unit; any other duration leaves `now` unchanged. The multiplier is ignored
/// (a calendar-aligned `7d` resets daily), as upstream does. Quarters start in
/// `quarter_start_month` (1–12; anything else means January).
pub(crate) fn period_start(
    duration: &str,
    grammar: Grammar,
    now: DateTime<Utc>,
    quarter_start_month: i64,
) -> DateTime<Utc> {
    let date = now.date_naive();
    let start = match grammar.calendar_unit(duration) {
        Some(CalendarUnit::Day) => date,
        Some(CalendarUnit::Week) => {
            date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
        }
        Some(CalendarUnit::Month) => date.with_day(1).unwrap_or(date),
        Some(CalendarUnit::Quarter) => {
            let first = if (1..=12).contains(&quarter_start_month) {
                quarter_start_month as u32
            } else {
                1
            };
            // Months since the fiscal year's first month, floored to a quarter.
            let offset = (date.month() + 12 - first) % 12 / 3 * 3;
            let month0 = (first - 1 + offset) % 12;
            let year = if month0 + 1 > date.month() {
                date.year() - 1
            } else {
                date.year()
            };
            NaiveDate::from_ymd_opt(year, month0 + 1, 1).unwrap_or(date)
        }
        Some(CalendarUnit::Year) => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
        None => return now,
    };
    Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Whether a duration has calendar boundaries (`IsCalendarAlignableDuration`).
pub(crate) fn alignable(duration: &str, grammar: Grammar) -> bool {
    grammar.calendar_unit(duration).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_starts() {
        let now = Utc.with_ymd_and_hms(2026, 5, 14, 13, 5, 0).unwrap();
        let at = |d: &str, q: i64| period_start(d, Grammar::NEWEST, now, q);
        assert_eq!(
            at("1M", 0),
            Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("1w", 0),
            Utc.with_ymd_and_hms(2026, 5, 11, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("1Q", 0),
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("1Q", 2),
            Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("1Q", 6),
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("1Q", 7),
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("1Y", 0),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(at("1h", 0), now);
        let feb = Utc.with_ymd_and_hms(2026, 2, 14, 0, 0, 0).unwrap();
        assert_eq!(
            period_start("1Q", Grammar::NEWEST, feb, 3),
            Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).unwrap()
        );
        // 1.5.x has no quarters: `1Q` is not a calendar unit there.
        assert_eq!(period_start("1Q", Grammar::V1_5, now, 0), now);
    }
}
