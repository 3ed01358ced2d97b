//! Budgets and rate limits, shared by every owner: the request items, the checks of
//! `validateBudget`/`validateRateLimit` (`gov.go`) and of the rows' `BeforeSave`
//! hooks (`tables/budget.go`, `tables/ratelimit.go`), and list reconciliation.

use bifrost_governance_client::duration;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::calendar;
use crate::errors::TxError;
use crate::profile::{Profile, RowDuration, fill};
use crate::request::zero_if_null;
use crate::store::Store;
use crate::store::records::{Budget, BudgetOwner, OverrideGrant, RateLimit};

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

/// A new budget row (not stored yet).
pub(crate) fn new_budget(
    store: &mut Store,
    max_limit: f64,
    reset_duration: &str,
    aligned: bool,
    owner: BudgetOwner,
    profile: Profile,
) -> Budget {
    let now = store.clock.now();
    Budget {
        id: store.clock.new_id(),
        max_limit,
        reset_duration: reset_duration.to_string(),
        last_reset: last_reset(profile, aligned, reset_duration, now, 0),
        current_usage: 0.0,
        owner,
        calendar_aligned: false,
        reset_config: None,
        grant: None,
        created_at: now,
        updated_at: now,
    }
}

/// `CreateBudget`/`UpdateBudget`: `BeforeSave`, then the row is written.
pub(crate) fn save_budget(
    store: &mut Store,
    profile: Profile,
    budget: Budget,
) -> Result<(), TxError> {
    budget_before_save(profile, &budget)?;
    let id = budget.id.clone();
    store.put(&id, budget);
    Ok(())
}

/// A new rate-limit row from request fields (not stored yet).
pub(crate) fn new_rate_limit(store: &mut Store, fields: &RateLimitIn) -> RateLimit {
    let now = store.clock.now();
    RateLimit {
        id: store.clock.new_id(),
        token_max_limit: fields.token_max_limit,
        token_reset_duration: fields.token_reset_duration.clone(),
        token_current_usage: 0,
        token_last_reset: now,
        request_max_limit: fields.request_max_limit,
        request_reset_duration: fields.request_reset_duration.clone(),
        request_current_usage: 0,
        request_last_reset: now,
        created_at: now,
        updated_at: now,
    }
}

/// `CreateRateLimit`/`UpdateRateLimit`: `BeforeSave`, then the row is written.
pub(crate) fn save_rate_limit(
    store: &mut Store,
    profile: Profile,
    mut rl: RateLimit,
) -> Result<(), TxError> {
    rate_limit_before_save(profile, &rl)?;
    if store.rate_limits.contains_key(&rl.id) {
        // gorm's autoUpdateTime on a save of an existing row; a new row keeps
        // `created_at == updated_at`.
        rl.updated_at = store.clock.now();
    }
    let id = rl.id.clone();
    store.put(&id, rl);
    Ok(())
}

/// How a `budgets` list is reconciled with an owner's budgets.
pub(crate) struct Reconcile<'a> {
    /// The owner column of created rows.
    pub(crate) owner: BudgetOwner,
    /// The owner's budgets before the update.
    pub(crate) existing: Vec<String>,
    /// The wanted set, in the order the handler walks it.
    pub(crate) requests: &'a [BudgetItem],
    /// Whether new budgets snap `last_reset` to the calendar (owner or item flag).
    pub(crate) aligned: &'a dyn Fn(&BudgetItem) -> bool,
    /// What `validateBudget`-style failures become.
    pub(crate) on_match: &'a dyn Fn(&mut Budget, &BudgetItem, DateTime<Utc>),
    /// Prefix of the error of a failed delete (`failed to delete removed VK budget`).
    pub(crate) delete_context: &'a str,
}

/// The reconciliation of `updateVirtualKey`/`updateTeam` (1.5.2: by `reset_duration`)
/// and `findExistingBudget` (v2: by `id`, then `reset_duration`; new windows
/// inherit the usage of the closest shorter one). Matched budgets keep usage and
/// `last_reset` and take the new `max_limit`; the rest are deleted. Returns the
/// owner's budget ids afterwards.
pub(crate) fn reconcile(
    store: &mut Store,
    profile: Profile,
    spec: Reconcile<'_>,
) -> Result<Vec<String>, TxError> {
    let existing: Vec<Budget> = store
        .budgets_of(&spec.existing)
        .into_iter()
        .cloned()
        .collect();
    let mut matched: Vec<String> = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    for item in spec.requests {
        let by_id = match (&item.id, profile.budgets_match_by_id()) {
            (Some(id), true) if !id.is_empty() => {
                Some(existing.iter().find(|b| &b.id == id).ok_or_else(|| {
                    TxError::bad(format!("budget {id} does not belong to this entity"))
                })?)
            }
            _ => None,
        };
        let found = by_id.or_else(|| {
            existing
                .iter()
                .find(|b| b.reset_duration == item.reset_duration && !matched.contains(&b.id))
        });
        let now = store.clock.now();
        match found {
            Some(budget) => {
                let mut budget = budget.clone();
                budget.max_limit = item.max_limit;
                budget.reset_duration = item.reset_duration.clone();
                if !profile.is_v1_5() {
                    budget.reset_config = match item.reset_config {
                        Some(rc) => Some(rc.quarter_start_month),
                        None if budget.reset_duration.ends_with('Q') => budget.reset_config,
                        None => None,
                    };
                }
                (spec.on_match)(&mut budget, item, now);
                validate_budget(
                    profile,
                    budget.max_limit,
                    &budget.reset_duration,
                    budget.reset_config,
                )?;
                budget.updated_at = now;
                matched.push(budget.id.clone());
                kept.push(budget.id.clone());
                save_budget(store, profile, budget)?;
            }
            None => {
                let aligned = (spec.aligned)(item);
                let mut budget = new_budget(
                    store,
                    item.max_limit,
                    &item.reset_duration,
                    false,
                    spec.owner.clone(),
                    profile,
                );
                budget.reset_config = item.reset_config.map(|rc| rc.quarter_start_month);
                budget.last_reset = last_reset(
                    profile,
                    aligned,
                    &item.reset_duration,
                    now,
                    budget.reset_config.unwrap_or(0),
                );
                if profile.is_v1_5() {
                    budget.calendar_aligned = item.calendar_aligned && aligned;
                }
                if profile.budgets_match_by_id() {
                    budget.current_usage =
                        inherited_usage(profile, &existing, &item.reset_duration);
                }
                validate_budget(
                    profile,
                    budget.max_limit,
                    &budget.reset_duration,
                    budget.reset_config,
                )?;
                kept.push(budget.id.clone());
                save_budget(store, profile, budget)?;
            }
        }
    }
    for budget in &existing {
        if !matched.contains(&budget.id) && store.remove::<Budget>(&budget.id).is_none() {
            return Err(TxError::not_found().wrap(spec.delete_context));
        }
    }
    Ok(order_by_creation(store, kept))
}

/// `inheritUsageFromClosestShorterBudget`: the usage of the longest existing window
/// shorter than the new one (0 when there is none).
fn inherited_usage(profile: Profile, existing: &[Budget], reset_duration: &str) -> f64 {
    let nanos = |d: &str| duration::parse(d, profile.grammar()).map(|p| p.nanos).ok();
    let Some(new) = nanos(reset_duration) else {
        return 0.0;
    };
    existing
        .iter()
        .filter_map(|b| nanos(&b.reset_duration).map(|n| (n, b.current_usage)))
        .filter(|(n, _)| *n < new)
        .max_by_key(|(n, _)| *n)
        .map_or(0.0, |(_, usage)| usage)
}

/// Budget ids sorted by the rows' creation order.
pub(crate) fn order_by_creation(store: &Store, ids: Vec<String>) -> Vec<String> {
    store
        .budgets_of(&ids)
        .into_iter()
        .map(|b| b.id.clone())
        .collect()
}

/// Deletes budgets (ignoring ones already gone).
pub(crate) fn delete_budgets(store: &mut Store, ids: &[String]) {
    for id in ids {
        store.remove::<Budget>(id);
    }
}

/// Deletes a rate limit, if any.
pub(crate) fn delete_rate_limit(store: &mut Store, id: Option<&String>) {
    if let Some(id) = id {
        store.remove::<RateLimit>(id);
    }
}

/// The overwrite-all-four update of teams, customers, model configs and providers:
/// `{}`-like (both maxima absent) removes; an existing limit gets all four fields
/// (absent clears) then `validateRateLimit`; otherwise a new one is validated and
/// created. Returns the owner's rate-limit id afterwards.
pub(crate) fn overwrite_rate_limit(
    store: &mut Store,
    profile: Profile,
    current: Option<String>,
    request: &RateLimitIn,
) -> Result<Option<String>, TxError> {
    if request.has_no_maxima() {
        delete_rate_limit(store, current.as_ref());
        return Ok(None);
    }
    if let Some(id) = current
        && let Some(existing) = store.rate_limits.get(&id).cloned()
    {
        let mut rl = existing;
        rl.token_max_limit = request.token_max_limit;
        rl.token_reset_duration = request.token_reset_duration.clone();
        rl.request_max_limit = request.request_max_limit;
        rl.request_reset_duration = request.request_reset_duration.clone();
        validate_rate_limit(profile, request)?;
        save_rate_limit(store, profile, rl)?;
        return Ok(Some(id));
    }
    validate_rate_limit(profile, request)?;
    let rl = new_rate_limit(store, request);
    let id = rl.id.clone();
    save_rate_limit(store, profile, rl)?;
    Ok(Some(id))
}

/// The merge update of keys and their provider configs: all four absent removes;
/// an existing limit takes the sent fields (no `validateRateLimit`, only `BeforeSave`);
/// otherwise a new one is validated and created.
pub(crate) fn merge_rate_limit(
    store: &mut Store,
    profile: Profile,
    current: Option<String>,
    request: &RateLimitIn,
) -> Result<Option<String>, TxError> {
    if request.is_empty() {
        delete_rate_limit(store, current.as_ref());
        return Ok(None);
    }
    if let Some(id) = current
        && let Some(mut rl) = store.rate_limits.get(&id).cloned()
    {
        if request.token_max_limit.is_some() {
            rl.token_max_limit = request.token_max_limit;
        }
        if request.token_reset_duration.is_some() {
            rl.token_reset_duration = request.token_reset_duration.clone();
        }
        if request.request_max_limit.is_some() {
            rl.request_max_limit = request.request_max_limit;
        }
        if request.request_reset_duration.is_some() {
            rl.request_reset_duration = request.request_reset_duration.clone();
        }
        save_rate_limit(store, profile, rl)?;
        return Ok(Some(id));
    }
    create_rate_limit(store, profile, request).map(Some)
}

/// A create's rate limit: `validateRateLimit`, then `CreateRateLimit`.
pub(crate) fn create_rate_limit(
    store: &mut Store,
    profile: Profile,
    request: &RateLimitIn,
) -> Result<String, TxError> {
    validate_rate_limit(profile, request)?;
    let rl = new_rate_limit(store, request);
    let id = rl.id.clone();
    save_rate_limit(store, profile, rl)?;
    Ok(id)
}

/// The legacy single `budget` update (customers, model configs, providers):
/// removal, a partial update of the existing budget, or a new one that needs both
/// fields. `new_checks` adds the negative/format checks of the create path, and
/// `bad` makes those failures `badRequestError`s (v2) instead of plain errors.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_budget_patch(
    store: &mut Store,
    profile: Profile,
    current: Option<String>,
    patch: &BudgetPatch,
    owner: BudgetOwner,
    aligned: bool,
    new_checks: bool,
    bad: bool,
) -> Result<Option<String>, TxError> {
    let refuse = |message: String| {
        if bad {
            TxError::bad(message)
        } else {
            TxError::plain(message)
        }
    };
    if patch.is_removal(profile) {
        if let Some(id) = &current {
            store.remove::<Budget>(id);
        }
        return Ok(None);
    }
    if let Some(id) = current
        && let Some(mut budget) = store.budgets.get(&id).cloned()
    {
        if let Some(max) = patch.max_limit {
            budget.max_limit = max;
        }
        if let Some(duration) = &patch.reset_duration {
            budget.reset_duration = duration.clone();
        }
        if let Some(rc) = patch.reset_config {
            budget.reset_config = Some(rc.quarter_start_month);
        }
        validate_budget(
            profile,
            budget.max_limit,
            &budget.reset_duration,
            budget.reset_config,
        )?;
        budget.updated_at = store.clock.now();
        save_budget(store, profile, budget)?;
        return Ok(Some(id));
    }
    let (Some(max), Some(duration)) = (patch.max_limit, patch.reset_duration.as_deref()) else {
        return Err(refuse(
            "both max_limit and reset_duration are required when creating a new budget".to_string(),
        ));
    };
    if new_checks {
        if max < 0.0 {
            return Err(refuse(format!(
                "budget max_limit cannot be negative: {max:.2}"
            )));
        }
        if !profile.handler_accepts_duration(duration) {
            return Err(refuse(fill(profile.texts().budget_duration, &[duration])));
        }
    }
    let mut budget = new_budget(store, max, duration, aligned, owner, profile);
    budget.reset_config = patch.reset_config.map(|rc| rc.quarter_start_month);
    validate_budget(profile, max, duration, budget.reset_config)?;
    let id = budget.id.clone();
    save_budget(store, profile, budget)?;
    Ok(Some(id))
}

/// `AdoptCalendarAlignment` (`v2: tables/budget.go`): an aligned budget's window
/// moves forward to its calendar boundary; usage is untouched.
pub(crate) fn adopt_alignment(store: &mut Store, profile: Profile, budget_ids: &[String]) {
    let now = store.clock.current();
    for id in budget_ids {
        store.update::<Budget, _>(id, |b| {
            if calendar::alignable(&b.reset_duration, profile.grammar()) {
                let start = calendar::period_start(
                    &b.reset_duration,
                    profile.grammar(),
                    now,
                    b.reset_config.unwrap_or(0),
                );
                if start > b.last_reset {
                    b.last_reset = start;
                }
            }
        });
    }
}

/// `resetBudgetUsageIfRequested`: usage back to zero from now.
pub(crate) fn reset_usage(store: &mut Store, budget_ids: &[String]) {
    let now = store.clock.now();
    for id in budget_ids {
        store.update::<Budget, _>(id, |b| {
            b.current_usage = 0.0;
            b.last_reset = now;
            b.updated_at = now;
        });
    }
}
