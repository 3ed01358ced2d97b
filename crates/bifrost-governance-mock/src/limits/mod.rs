//! Budgets and rate limits, shared by every owner: the request items and the checks of
//! `validateBudget`/`validateRateLimit` (`gov.go`) and of the rows' `BeforeSave`
//! hooks (`tables/budget.go`, `tables/ratelimit.go`); writing rows and reconciling
//! lists is in [`write`].

mod write;

pub(crate) use write::*;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::calendar;
use crate::profile::{Profile, RowDuration, fill};
use crate::request::zero_if_null;
use crate::store::records::{Budget, OverrideGrant, RateLimit};

/// `CreateBudgetRequest`: one item of a `budgets` list (or a create's `budget`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BudgetItem {
    /// v2: an existing budget to match first.
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) max_limit: f64,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) reset_duration: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) calendar_aligned: bool,
    /// v2: `reset_config`.
    #[serde(default)]
    pub(crate) reset_config: Option<ResetConfigIn>,
}

/// `{"quarter_start_month": n}`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct ResetConfigIn {
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) quarter_start_month: i64,
}

/// `UpdateBudgetRequest`: the legacy single-budget update.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BudgetPatch {
    #[serde(default)]
    pub(crate) max_limit: Option<f64>,
    #[serde(default)]
    pub(crate) reset_duration: Option<String>,
    #[serde(default)]
    pub(crate) calendar_aligned: Option<bool>,
    #[serde(default)]
    pub(crate) reset_config: Option<ResetConfigIn>,
}

impl BudgetPatch {
    /// `isBudgetRemovalRequest`: neither `max_limit` nor `reset_duration` (`{}` and
    /// `{"calendar_aligned": true}` both remove; v2 keeps a `reset_config`-only patch).
    pub(crate) fn is_removal(&self, profile: Profile) -> bool {
        self.max_limit.is_none()
            && self.reset_duration.is_none()
            && (profile.is_v1_5() || self.reset_config.is_none())
    }
}

/// `CreateRateLimitRequest` / `UpdateRateLimitRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RateLimitIn {
    #[serde(default)]
    pub(crate) token_max_limit: Option<i64>,
    #[serde(default)]
    pub(crate) token_reset_duration: Option<String>,
    #[serde(default)]
    pub(crate) request_max_limit: Option<i64>,
    #[serde(default)]
    pub(crate) request_reset_duration: Option<String>,
}

impl RateLimitIn {
    /// `isRateLimitRemovalRequest` (keys): all four fields absent.
    pub(crate) fn is_empty(&self) -> bool {
        self.token_max_limit.is_none()
            && self.token_reset_duration.is_none()
            && self.request_max_limit.is_none()
            && self.request_reset_duration.is_none()
    }

    /// The removal test of teams, customers, model configs and providers: both
    /// maxima absent (durations ignored).
    pub(crate) fn has_no_maxima(&self) -> bool {
        self.token_max_limit.is_none() && self.request_max_limit.is_none()
    }
}

/// `validateBudget` (`gov.go`): a plain error, so a 500 on most routes.
pub(crate) fn validate_budget(
    profile: Profile,
    max_limit: f64,
    reset_duration: &str,
    reset_config: Option<i64>,
) -> Result<(), String> {
    if max_limit <= 0.0 {
        return Err(format!(
            "budget max limit cannot be negative or zero: {max_limit:.2}"
        ));
    }
    if reset_duration.is_empty() {
        return Err("budget reset duration is required".to_string());
    }
    if !profile.handler_accepts_duration(reset_duration) {
        return Err(fill(
            profile.texts().validate_budget_duration,
            &[reset_duration],
        ));
    }
    if !profile.is_v1_5() {
        check_reset_config(reset_duration, reset_config)?;
    }
    Ok(())
}

/// `validateResetConfig` (`v2: tables/budget.go`).
fn check_reset_config(reset_duration: &str, reset_config: Option<i64>) -> Result<(), String> {
    let Some(month) = reset_config else {
        return Ok(());
    };
    if !reset_duration.ends_with('Q') {
        return Err(format!(
            "reset_config is only valid on a quarterly reset duration, got: {reset_duration}"
        ));
    }
    if month != 0 && !(1..=12).contains(&month) {
        return Err(format!(
            "quarter_start_month must be between 1 and 12, got: {month}"
        ));
    }
    Ok(())
}

/// The wording a budget-list check answers with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ListWording {
    /// The in-transaction checks of updates and of team and customer creates.
    Update,
    /// The handlers' pre-transaction checks of key and model-config creates (capitalised).
    Create,
    /// A key's provider-config budgets on update.
    ProviderConfig,
}

/// The checks every handler runs over a budget list, in the handlers' order: a
/// negative limit, a duration the handler refuses, a duration listed twice
/// (`gov.go`; `v2: governance.go` `reconcile*Budgets` and the create handlers).
pub(crate) fn check_budget_list(
    profile: Profile,
    items: &[BudgetItem],
    wording: ListWording,
) -> Result<(), String> {
    let texts = profile.texts();
    let (negative, duration, duplicate) = match wording {
        ListWording::Update => (
            "budget max_limit cannot be negative: {}",
            texts.budget_duration,
            "duplicate reset_duration in budgets: {}",
        ),
        ListWording::Create => (
            "Budget max_limit cannot be negative: {}",
            texts.create_budget_duration,
            "Duplicate reset_duration in budgets: {}",
        ),
        ListWording::ProviderConfig => (
            texts.provider_config_budget_negative,
            texts.provider_config_budget_duration,
            texts.provider_config_budget_duplicate,
        ),
    };
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        if item.max_limit < 0.0 {
            return Err(fill(negative, &[&format!("{:.2}", item.max_limit)]));
        }
        if !profile.handler_accepts_duration(&item.reset_duration) {
            return Err(fill(duration, &[&item.reset_duration]));
        }
        if seen.contains(&item.reset_duration.as_str()) {
            return Err(fill(duplicate, &[&item.reset_duration]));
        }
        seen.push(&item.reset_duration);
    }
    Ok(())
}

/// `TableBudget.BeforeSave`.
pub(crate) fn budget_before_save(profile: Profile, budget: &Budget) -> Result<(), String> {
    match profile.row_duration(&budget.reset_duration) {
        Err(RowDuration::Invalid) => {
            return Err(format!(
                "invalid reset duration format: {}",
                budget.reset_duration
            ));
        }
        Err(RowDuration::NotPositive) => {
            return Err(format!(
                "reset duration must be > 0: {}",
                budget.reset_duration
            ));
        }
        Ok(()) => {}
    }
    if budget.max_limit < 0.0 {
        return Err(format!(
            "budget max_limit cannot be negative: {:.2}",
            budget.max_limit
        ));
    }
    if !profile.is_v1_5() {
        if let Some(grant) = &budget.grant {
            validate_override(grant)?;
        }
        check_reset_config(&budget.reset_duration, budget.reset_config)?;
    }
    Ok(())
}

/// `validateOverride` (`v2: tables/budget.go`), in its order.
pub(crate) fn validate_override(grant: &OverrideGrant) -> Result<(), String> {
    if !grant.amount.is_finite() {
        return Err("budget override_amount must be finite".to_string());
    }
    match grant.mode.as_str() {
        "" => {
            if grant.amount != 0.0 || grant.cycles_remaining != 0 {
                return Err("budget override fields require override_mode".to_string());
            }
            if grant.cycles_total != 0 || grant.anchor.is_some() {
                return Err("budget override grant fields require override_mode".to_string());
            }
        }
        "cycles" => {
            if grant.amount <= 0.0 {
                return Err("budget override_amount must be > 0 for cycles mode".to_string());
            }
            if grant.cycles_remaining <= 0 {
                return Err(
                    "budget override_cycles_remaining must be > 0 for cycles mode".to_string(),
                );
            }
            if grant.anchor.is_none() {
                return Err("budget override_anchor_reset is required for cycles mode".to_string());
            }
            if grant.cycles_total < grant.cycles_remaining {
                return Err(
                    "budget override_cycles_total must be >= override_cycles_remaining for cycles mode"
                        .to_string(),
                );
            }
        }
        "forever" => {
            if grant.amount <= 0.0 {
                return Err("budget override_amount must be > 0 for forever mode".to_string());
            }
            if grant.cycles_remaining != 0 {
                return Err(
                    "budget override_cycles_remaining must be 0 for forever mode".to_string(),
                );
            }
            if grant.cycles_total != 0 || grant.anchor.is_some() {
                return Err(
                    "budget override grant fields must be empty for forever mode".to_string(),
                );
            }
        }
        other => return Err(format!("invalid budget override_mode: {other}")),
    }
    Ok(())
}

/// `validateRateLimit` (`gov.go`): a plain error.
pub(crate) fn validate_rate_limit(profile: Profile, rl: &RateLimitIn) -> Result<(), String> {
    let texts = profile.texts();
    for (max, duration, word, template) in [
        (
            rl.token_max_limit,
            &rl.token_reset_duration,
            "token",
            texts.rate_limit_token_duration,
        ),
        (
            rl.request_max_limit,
            &rl.request_reset_duration,
            "request",
            texts.rate_limit_request_duration,
        ),
    ] {
        let Some(max) = max else { continue };
        if max <= 0 {
            return Err(format!(
                "rate limit {word} max limit cannot be negative or zero: {max}"
            ));
        }
        let Some(duration) = duration else {
            return Err(format!("rate limit {word} reset duration is required"));
        };
        if !profile.handler_accepts_duration(duration) {
            return Err(fill(template, &[duration]));
        }
    }
    Ok(())
}

/// `TableRateLimit.BeforeSave`.
pub(crate) fn rate_limit_before_save(profile: Profile, rl: &RateLimit) -> Result<(), String> {
    for (duration, word) in [
        (&rl.token_reset_duration, "token"),
        (&rl.request_reset_duration, "request"),
    ] {
        if let Some(duration) = duration {
            match profile.row_duration(duration) {
                Err(RowDuration::Invalid) => {
                    return Err(format!("invalid {word} reset duration format: {duration}"));
                }
                Err(RowDuration::NotPositive) => {
                    return Err(format!(
                        "{word} reset duration cannot be zero or negative: {duration}"
                    ));
                }
                Ok(()) => {}
            }
        }
    }
    if rl.token_max_limit.is_some() && rl.token_reset_duration.is_none() {
        return Err("token_reset_duration is required when token_max_limit is set".to_string());
    }
    if rl.request_max_limit.is_some() && rl.request_reset_duration.is_none() {
        return Err("request_reset_duration is required when request_max_limit is set".to_string());
    }
    for (max, word) in [
        (rl.token_max_limit, "token"),
        (rl.request_max_limit, "request"),
    ] {
        if let Some(max) = max
            && max <= 0
        {
            return Err(format!(
                "{word}_max_limit cannot be zero or negative: {max}"
            ));
        }
    }
    Ok(())
}

/// `budgetLastReset`: the calendar period start when aligned, else now.
pub(crate) fn last_reset(
    profile: Profile,
    aligned: bool,
    reset_duration: &str,
    now: DateTime<Utc>,
    quarter_start_month: i64,
) -> DateTime<Utc> {
    if aligned {
        calendar::period_start(reset_duration, profile.grammar(), now, quarter_start_month)
    } else {
        now
    }
}
