//! Budgets and rate limits, validated when built.

use crate::error::InvalidInput;
use crate::period::ResetPeriod;
use bifrost_governance_client::types;

/// A spending cap in USD over a reset period.
///
/// ```
/// use bifrost_governance::{BudgetSpec, ResetPeriod};
///
/// let daily = BudgetSpec::new(10.0, ResetPeriod::days(1))?;
/// assert_eq!(daily.max_limit_usd(), 10.0);
/// assert!(BudgetSpec::new(0.0, ResetPeriod::days(1)).is_err());
/// assert!(BudgetSpec::new(f64::NAN, ResetPeriod::days(1)).is_err());
/// # Ok::<(), bifrost_governance::InvalidInput>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetSpec {
    max_limit_usd: f64,
    period: ResetPeriod,
    quarter_start_month: Option<u8>,
    id: Option<String>,
}

impl BudgetSpec {
    /// A budget of `max_limit_usd` per `period`; the amount must be finite and above
    /// zero and the period positive.
    pub fn new(max_limit_usd: f64, period: ResetPeriod) -> Result<Self, InvalidInput> {
        if !max_limit_usd.is_finite() || max_limit_usd <= 0.0 {
            return Err(InvalidInput::new(
                "budget max_limit",
                format!("{max_limit_usd} is not a positive, finite USD amount"),
            ));
        }
        period.require_positive("budget reset period")?;
        Ok(Self {
            max_limit_usd,
            period,
            quarter_start_month: None,
            id: None,
        })
    }

    /// The budget as the server holds it, keeping its id: sent back in a budget set,
    /// it updates that row (and keeps its usage) even if its period changes. Fails on
    /// a row whose amount or period the SDK would refuse.
    pub fn from_existing(budget: &types::Budget) -> Result<Self, InvalidInput> {
        let period = ResetPeriod::parse(budget.reset_duration.as_deref().unwrap_or_default())?;
        let spec = Self::new(budget.max_limit.unwrap_or_default(), period)?.with_id(&budget.id);
        match budget
            .reset_config
            .as_ref()
            .and_then(|c| c.quarter_start_month)
            .filter(|m| *m != 0)
        {
            Some(month) if spec.period.is_quarterly() => {
                spec.quarter_start_month(u8::try_from(month).map_err(|_| month_error(month))?)
            }
            _ => Ok(spec),
        }
    }

    /// Names the existing budget row this spec updates (newer servers match budgets
    /// by id first, so its period may change without losing usage; v1.5.x servers
    /// match by period and ignore the id).
    pub fn with_id(mut self, budget_id: impl Into<String>) -> Self {
        self.id = Some(budget_id.into()).filter(|id| !id.is_empty());
        self
    }

    /// The first month (1 = January … 12 = December) of the fiscal quarters a
    /// quarterly budget resets on (v1.6.10+ servers). Refused for any other period,
    /// which the server would reject.
    ///
    /// ```
    /// use bifrost_governance::{BudgetSpec, ResetPeriod};
    ///
    /// let fiscal = BudgetSpec::new(5_000.0, ResetPeriod::quarters(1))?.quarter_start_month(4)?;
    /// assert_eq!(fiscal.quarter_start(), Some(4));
    /// assert!(BudgetSpec::new(10.0, ResetPeriod::months(1))?.quarter_start_month(4).is_err());
    /// assert!(BudgetSpec::new(10.0, ResetPeriod::quarters(1))?.quarter_start_month(13).is_err());
    /// # Ok::<(), bifrost_governance::InvalidInput>(())
    /// ```
    pub fn quarter_start_month(mut self, month: u8) -> Result<Self, InvalidInput> {
        if !self.period.is_quarterly() {
            return Err(InvalidInput::new(
                "budget reset_config",
                format!(
                    "a quarter start month only applies to quarterly periods like `1Q`, not {}",
                    self.period
                ),
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(month_error(i64::from(month)));
        }
        self.quarter_start_month = Some(month);
        Ok(self)
    }

    /// The first month of the fiscal quarters, for quarterly budgets that set one.
    pub fn quarter_start(&self) -> Option<u8> {
        self.quarter_start_month
    }

    /// The id of the budget row this spec updates, if it names one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The cap, in USD.
    pub fn max_limit_usd(&self) -> f64 {
        self.max_limit_usd
    }

    /// The reset period.
    pub fn period(&self) -> &ResetPeriod {
        &self.period
    }

    pub(crate) fn to_request(&self, calendar_aligned: Option<bool>) -> types::CreateBudgetRequest {
        types::CreateBudgetRequest {
            id: self.id.clone(),
            max_limit: self.max_limit_usd,
            reset_duration: duration(&self.period),
            calendar_aligned,
            reset_config: self.reset_config(),
        }
    }

    pub(crate) fn reset_config(&self) -> Option<types::ResetConfigRequest> {
        self.quarter_start_month
            .map(|month| types::ResetConfigRequest {
                quarter_start_month: std::num::NonZeroU64::new(u64::from(month)),
            })
    }
}

fn month_error(month: i64) -> InvalidInput {
    InvalidInput::new(
        "budget reset_config",
        format!("quarter start month {month} is not between 1 and 12"),
    )
}

/// A set of budgets with distinct periods (for example a daily and a monthly cap).
///
/// The server keeps at most one budget per period; a set that would hold two budgets
/// of the same length cannot be built.
///
/// ```
/// use bifrost_governance::{BudgetSpec, BudgetSpecs, ResetPeriod};
///
/// let caps = BudgetSpecs::new()
///     .with(BudgetSpec::new(10.0, ResetPeriod::days(1))?)?
///     .with(BudgetSpec::new(200.0, ResetPeriod::months(1))?)?;
/// assert_eq!(caps.len(), 2);
/// let twice = caps.clone().with(BudgetSpec::new(5.0, ResetPeriod::hours(24))?);
/// assert!(twice.is_err(), "24h is the same period as 1d");
/// # Ok::<(), bifrost_governance::InvalidInput>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BudgetSpecs(Vec<BudgetSpec>);

impl BudgetSpecs {
    /// An empty set (sent as `[]`, it deletes every budget of the owner).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a budget; fails when the set already has one with the same period.
    pub fn with(mut self, budget: BudgetSpec) -> Result<Self, InvalidInput> {
        if let Some(existing) = self
            .0
            .iter()
            .find(|b| b.period.as_duration() == budget.period.as_duration())
        {
            return Err(InvalidInput::new(
                "budgets",
                format!(
                    "two budgets with the same period ({} and {})",
                    existing.period, budget.period
                ),
            ));
        }
        self.0.push(budget);
        Ok(self)
    }

    /// The budgets, in insertion order.
    pub fn iter(&self) -> std::slice::Iter<'_, BudgetSpec> {
        self.0.iter()
    }

    /// Number of budgets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether any budget needs quarterly support (a `Q` period or a quarter start).
    pub(crate) fn needs_quarterly(&self) -> bool {
        self.0
            .iter()
            .any(|b| b.period.is_quarterly() || b.quarter_start_month.is_some())
    }

    /// Fails when `calendar_aligned` is asked for a period the server cannot align
    /// (it would silently ignore it).
    pub(crate) fn check_alignable(
        &self,
        calendar_aligned: Option<bool>,
    ) -> Result<(), InvalidInput> {
        if calendar_aligned != Some(true) {
            return Ok(());
        }
        match self.0.iter().find(|b| !b.period.is_calendar_alignable()) {
            Some(b) => Err(InvalidInput::new(
                "calendar_aligned",
                format!(
                    "period {} cannot be calendar aligned (use d, w, M, Q or Y)",
                    b.period
                ),
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn to_requests(
        &self,
        calendar_aligned: Option<bool>,
    ) -> Vec<types::CreateBudgetRequest> {
        self.0
            .iter()
            .map(|b| b.to_request(calendar_aligned))
            .collect()
    }
}

impl From<BudgetSpec> for BudgetSpecs {
    fn from(budget: BudgetSpec) -> Self {
        Self(vec![budget])
    }
}

impl TryFrom<Vec<BudgetSpec>> for BudgetSpecs {
    type Error = InvalidInput;

    fn try_from(budgets: Vec<BudgetSpec>) -> Result<Self, Self::Error> {
        budgets
            .into_iter()
            .try_fold(BudgetSpecs::new(), BudgetSpecs::with)
    }
}

impl<const N: usize> TryFrom<[BudgetSpec; N]> for BudgetSpecs {
    type Error = InvalidInput;

    fn try_from(budgets: [BudgetSpec; N]) -> Result<Self, Self::Error> {
        Vec::from(budgets).try_into()
    }
}

impl<'a> IntoIterator for &'a BudgetSpecs {
    type Item = &'a BudgetSpec;
    type IntoIter = std::slice::Iter<'a, BudgetSpec>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// One maximum and the period it applies to.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Limit {
    /// The maximum per period.
    pub max: u64,
    /// The reset period.
    pub period: ResetPeriod,
}

/// Token and request limits; each maximum is paired with its period, so a
/// half-configured limit cannot be expressed.
///
/// ```
/// use bifrost_governance::{RateLimitSpec, ResetPeriod};
///
/// let limit = RateLimitSpec::builder()
///     .tokens(100_000, ResetPeriod::hours(1))
///     .requests(60, ResetPeriod::minutes(1))
///     .build()?;
/// assert_eq!(limit.requests().unwrap().max, 60);
/// assert!(RateLimitSpec::builder().requests(0, ResetPeriod::minutes(1)).build().is_err());
/// assert!(RateLimitSpec::builder().build().is_err());
/// # Ok::<(), bifrost_governance::InvalidInput>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitSpec {
    tokens: Option<Limit>,
    requests: Option<Limit>,
}

impl RateLimitSpec {
    /// Starts a rate limit.
    pub fn builder() -> RateLimitSpecBuilder {
        RateLimitSpecBuilder::default()
    }

    /// The token limit, if any.
    pub fn tokens(&self) -> Option<&Limit> {
        self.tokens.as_ref()
    }

    /// The request limit, if any.
    pub fn requests(&self) -> Option<&Limit> {
        self.requests.as_ref()
    }

    pub(crate) fn to_request(&self) -> types::RateLimitRequest {
        let max = |l: &Limit| std::num::NonZeroU64::new(l.max);
        types::RateLimitRequest {
            token_max_limit: self.tokens.as_ref().and_then(max),
            token_reset_duration: self.tokens.as_ref().map(|l| duration(&l.period)),
            request_max_limit: self.requests.as_ref().and_then(max),
            request_reset_duration: self.requests.as_ref().map(|l| duration(&l.period)),
        }
    }

    /// The body that removes a rate limit (`{}`).
    pub(crate) fn removal() -> types::RateLimitRequest {
        types::RateLimitRequest {
            token_max_limit: None,
            token_reset_duration: None,
            request_max_limit: None,
            request_reset_duration: None,
        }
    }
}

/// Builder of a [`RateLimitSpec`].
#[derive(Debug, Clone, Default)]
pub struct RateLimitSpecBuilder {
    tokens: Option<(u64, ResetPeriod)>,
    requests: Option<(u64, ResetPeriod)>,
}

impl RateLimitSpecBuilder {
    /// At most `max` tokens per `period`.
    pub fn tokens(mut self, max: u64, period: ResetPeriod) -> Self {
        self.tokens = Some((max, period));
        self
    }

    /// At most `max` requests per `period`.
    pub fn requests(mut self, max: u64, period: ResetPeriod) -> Self {
        self.requests = Some((max, period));
        self
    }

    /// Validates: at least one limit, every maximum in `1..=i64::MAX`, every period
    /// positive.
    pub fn build(self) -> Result<RateLimitSpec, InvalidInput> {
        let check = |field: &'static str, limit: Option<(u64, ResetPeriod)>| {
            limit
                .map(|(max, period)| {
                    if max == 0 || max > i64::MAX as u64 {
                        return Err(InvalidInput::new(
                            field,
                            format!("maximum {max} must be between 1 and {}", i64::MAX),
                        ));
                    }
                    period.require_positive(field)?;
                    Ok(Limit { max, period })
                })
                .transpose()
        };
        let tokens = check("rate_limit tokens", self.tokens)?;
        let requests = check("rate_limit requests", self.requests)?;
        if tokens.is_none() && requests.is_none() {
            return Err(InvalidInput::new(
                "rate_limit",
                "set tokens and/or requests (to remove a rate limit use the update's clear_rate_limit)",
            ));
        }
        Ok(RateLimitSpec { tokens, requests })
    }
}

pub(crate) fn duration(period: &ResetPeriod) -> types::Duration {
    types::Duration::try_from(period.as_str()).expect("a parsed period is at least two characters")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn budget_rejects_bad_amounts_and_periods() {
        for amount in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0] {
            assert!(
                BudgetSpec::new(amount, ResetPeriod::days(1)).is_err(),
                "{amount} accepted"
            );
        }
        assert!(BudgetSpec::new(1.0, ResetPeriod::days(0)).is_err());
        assert_eq!(
            BudgetSpec::new(0.01, ResetPeriod::days(1))
                .unwrap()
                .max_limit_usd(),
            0.01
        );
    }

    #[test]
    fn budget_set_refuses_equal_periods() {
        let set = BudgetSpecs::try_from([
            BudgetSpec::new(1.0, ResetPeriod::days(1)).unwrap(),
            BudgetSpec::new(2.0, ResetPeriod::weeks(1)).unwrap(),
        ])
        .unwrap();
        assert_eq!(set.len(), 2);
        let dup = set
            .clone()
            .with(BudgetSpec::new(3.0, ResetPeriod::days(1)).unwrap());
        assert_eq!(dup.unwrap_err().field, "budgets");
        assert!(
            set.with(BudgetSpec::new(3.0, ResetPeriod::hours(168)).unwrap())
                .is_err()
        );
    }

    #[test]
    fn budget_requests_carry_the_exact_period_text() {
        let set = BudgetSpecs::from(BudgetSpec::new(5.0, "1.5d".parse().unwrap()).unwrap());
        let json = serde_json::to_value(set.to_requests(Some(true))).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"max_limit": 5.0, "reset_duration": "1.5d", "calendar_aligned": true}])
        );
    }

    #[test]
    fn alignment_needs_alignable_periods() {
        let hourly = BudgetSpecs::from(BudgetSpec::new(5.0, ResetPeriod::hours(1)).unwrap());
        assert!(hourly.check_alignable(Some(true)).is_err());
        assert!(hourly.check_alignable(Some(false)).is_ok());
        let monthly = BudgetSpecs::from(BudgetSpec::new(5.0, ResetPeriod::months(1)).unwrap());
        assert!(monthly.check_alignable(Some(true)).is_ok());
    }

    #[test]
    fn rate_limit_serializes_pairs_and_removal_is_empty_object() {
        let limit = RateLimitSpec::builder()
            .requests(60, ResetPeriod::minutes(1))
            .build()
            .unwrap();
        assert_eq!(
            serde_json::to_value(limit.to_request()).unwrap(),
            serde_json::json!({"request_max_limit": 60, "request_reset_duration": "1m"})
        );
        assert_eq!(
            serde_json::to_value(RateLimitSpec::removal()).unwrap(),
            serde_json::json!({})
        );
    }

    #[test]
    fn rate_limit_rejects_zero_and_overflow() {
        assert!(
            RateLimitSpec::builder()
                .tokens(0, ResetPeriod::hours(1))
                .build()
                .is_err()
        );
        assert!(
            RateLimitSpec::builder()
                .tokens(u64::MAX, ResetPeriod::hours(1))
                .build()
                .is_err()
        );
        assert!(
            RateLimitSpec::builder()
                .tokens(5, ResetPeriod::hours(0))
                .build()
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn any_positive_finite_amount_builds(amount in 1e-9f64..1e12) {
            prop_assert!(BudgetSpec::new(amount, ResetPeriod::days(1)).is_ok());
        }

        #[test]
        fn any_non_positive_amount_is_rejected(amount in -1e12f64..=0.0) {
            prop_assert!(BudgetSpec::new(amount, ResetPeriod::days(1)).is_err());
        }

        #[test]
        fn budget_sets_never_hold_equal_periods(days in prop::collection::vec(1u32..40, 1..8)) {
            let built = days.iter().try_fold(BudgetSpecs::new(), |set, d| set.with(BudgetSpec::new(1.0, ResetPeriod::days(*d)).unwrap()));
            let distinct: std::collections::BTreeSet<_> = days.iter().collect();
            prop_assert_eq!(built.is_ok(), distinct.len() == days.len());
        }
    }
}
