//! Writing budget and rate-limit rows: creation, the `budgets` list reconciliation,
//! partial updates, removal and calendar adoption.

use bifrost_governance_client::duration;
use chrono::{DateTime, Utc};

use super::{
    BudgetItem, BudgetPatch, RateLimitIn, budget_before_save, last_reset, rate_limit_before_save,
    validate_budget, validate_rate_limit,
};
use crate::calendar;
use crate::errors::TxError;
use crate::profile::{Profile, fill};
use crate::store::Store;
use crate::store::records::{Budget, BudgetOwner, RateLimit};

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

/// The legacy single `budget` of an owner that keeps a budget list (customers, model
/// configs, v2 providers): refused while the owner has several budgets (when
/// `multi`, i.e. the profile knows budget lists), otherwise [`apply_budget_patch`] on
/// the first one, and the list becomes what it returns.
pub(crate) fn apply_legacy_budget(
    store: &mut Store,
    profile: Profile,
    budget_ids: &mut Vec<String>,
    patch: &BudgetPatch,
    owner: BudgetOwner,
    aligned: bool,
    multi: bool,
) -> Result<(), TxError> {
    if multi && budget_ids.len() > 1 {
        return Err(TxError::bad(
            "deprecated 'budget' field cannot be used when multiple budgets already exist; use 'budgets'",
        ));
    }
    let current = budget_ids.first().cloned();
    let id = apply_budget_patch(store, profile, current, patch, owner, aligned, true, multi)?;
    *budget_ids = id.into_iter().collect();
    Ok(())
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
