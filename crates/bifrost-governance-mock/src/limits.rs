//! Budgets and rate limits, shared by every owner (virtual keys, their provider
//! configs, teams, customers, model configs and providers).

use bifrost_governance_client::types::{
    Budget, CreateBudgetRequest, RateLimit, RateLimitRequest, UpdateBudgetRequest,
};
use chrono::{DateTime, Utc};

use crate::durations;
use crate::errors::ApiError;
use crate::state::Clock;

/// Who owns a budget; decides which owner foreign key the budget row carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner<'a> {
    /// A virtual key (`virtual_key_id`).
    VirtualKey(&'a str),
    /// A virtual key's provider config (`provider_config_id`).
    ProviderConfig(i64),
    /// A team (`team_id`).
    Team(&'a str),
    /// A customer (`customer_id`).
    Customer(&'a str),
    /// A model config (`model_config_id`).
    ModelConfig(&'a str),
    /// Provider governance (no owner key, like the upstream budget table).
    Provider,
}

/// The budgets and the rate limit of one owner.
#[derive(Debug, Clone, Default)]
pub(crate) struct Limits {
    pub(crate) budgets: Vec<Budget>,
    pub(crate) rate_limit: Option<RateLimit>,
}

impl Limits {
    /// `budgets` for a response: missing when there are none.
    pub(crate) fn budgets_field(&self) -> Option<Vec<Budget>> {
        (!self.budgets.is_empty()).then(|| self.budgets.clone())
    }

    /// The deprecated single `budget` (the first one), for owners that had one in v1.5.
    pub(crate) fn legacy_budget(&self) -> Option<Budget> {
        self.budgets.first().cloned()
    }

    /// `rate_limit_id` for a response.
    pub(crate) fn rate_limit_id(&self) -> Option<String> {
        self.rate_limit.as_ref().map(|r| r.id.clone())
    }

    /// Sets every budget's usage back to zero (`reset_budget_usage`).
    pub(crate) fn reset_usage(&mut self, now: DateTime<Utc>) {
        for budget in &mut self.budgets {
            budget.current_usage = Some(0.0);
            budget.last_reset = Some(now);
            budget.updated_at = Some(now);
        }
    }

    /// Highest `current_usage` among the budgets (VK `sort_by=budget_spent`).
    pub(crate) fn budget_spent(&self) -> f64 {
        self.budgets
            .iter()
            .filter_map(|b| b.current_usage)
            .fold(0.0, f64::max)
    }

    /// Adds spend, tokens and one request to every budget and the rate limit.
    pub(crate) fn record_usage(&mut self, cost: f64, tokens: i64) {
        for budget in &mut self.budgets {
            budget.current_usage = Some(budget.current_usage.unwrap_or(0.0) + cost);
        }
        if let Some(rl) = &mut self.rate_limit {
            rl.token_current_usage = Some(rl.token_current_usage.unwrap_or(0) + tokens);
            rl.request_current_usage = Some(rl.request_current_usage.unwrap_or(0) + 1);
        }
    }
}

/// Turns the owner's calendar alignment on or off; switching it on moves every
/// alignable budget to the start of its current period with zero usage.
pub(crate) fn set_calendar_aligned(clock: &mut Clock, limits: &mut Limits, on: bool) {
    let now = clock.now();
    for budget in &mut limits.budgets {
        let duration = budget.reset_duration.clone().unwrap_or_default();
        let aligned = on && durations::is_calendar_alignable(&duration);
        if aligned && budget.calendar_aligned != Some(true) {
            budget.current_usage = Some(0.0);
            budget.last_reset = Some(durations::calendar_period_start(&duration, now));
            budget.updated_at = Some(now);
        }
        budget.calendar_aligned = Some(aligned);
    }
}

/// Checks one budget request: `max_limit` finite and > 0, duration positive.
pub(crate) fn validate_budget(max_limit: f64, reset_duration: &str) -> Result<(), ApiError> {
    if !max_limit.is_finite() {
        return Err(ApiError::bad_request(
            "Budget max_limit must be a finite number",
        ));
    }
    if max_limit < 0.0 {
        return Err(ApiError::bad_request(format!(
            "Budget max_limit cannot be negative: {max_limit:.2}"
        )));
    }
    if max_limit == 0.0 {
        return Err(ApiError::bad_request(format!(
            "budget max limit cannot be negative or zero: {max_limit:.2}"
        )));
    }
    durations::validate(reset_duration).map_err(ApiError::bad_request)
}

fn last_reset_for(duration: &str, aligned: bool, now: DateTime<Utc>) -> DateTime<Utc> {
    if aligned && durations::is_calendar_alignable(duration) {
        durations::calendar_period_start(duration, now)
    } else {
        now
    }
}

fn new_budget(
    clock: &mut Clock,
    owner: Owner<'_>,
    max_limit: f64,
    reset_duration: &str,
    aligned: bool,
) -> Budget {
    let now = clock.now();
    let aligned = aligned && durations::is_calendar_alignable(reset_duration);
    let mut budget = Budget {
        calendar_aligned: Some(aligned),
        config_hash: Some(String::new()),
        created_at: Some(now),
        current_usage: Some(0.0),
        customer_id: None,
        id: clock.new_id(),
        last_reset: Some(last_reset_for(reset_duration, aligned, now)),
        max_limit: Some(max_limit),
        model_config_id: None,
        override_amount: None,
        override_anchor_reset: None,
        override_cycles_remaining: None,
        override_cycles_total: None,
        override_mode: None,
        per_model_usage: None,
        provider_config_id: None,
        reset_config: None,
        reset_duration: Some(reset_duration.to_string()),
        source_id: None,
        source_name: None,
        source_type: None,
        team_id: None,
        updated_at: Some(now),
        virtual_key_id: None,
    };
    match owner {
        Owner::VirtualKey(id) => budget.virtual_key_id = Some(id.to_string()),
        Owner::ProviderConfig(id) => budget.provider_config_id = Some(id),
        Owner::Team(id) => budget.team_id = Some(id.to_string()),
        Owner::Customer(id) => budget.customer_id = Some(id.to_string()),
        Owner::ModelConfig(id) => budget.model_config_id = Some(id.to_string()),
        Owner::Provider => {}
    }
    budget
}

/// Checks a whole budgets list without applying it (each entry, and no
/// `reset_duration` twice).
pub(crate) fn validate_budget_set(requests: &[CreateBudgetRequest]) -> Result<(), ApiError> {
    let mut seen: Vec<&str> = Vec::new();
    for request in requests {
        validate_budget(request.max_limit, &request.reset_duration)?;
        let duration = request.reset_duration.as_str();
        if seen.contains(&duration) {
            return Err(ApiError::bad_request(format!(
                "Duplicate reset_duration in budgets: {duration}"
            )));
        }
        seen.push(duration);
    }
    Ok(())
}

/// Full-set replacement of an owner's budgets.
///
/// Entries are matched by `id` (which may change the duration) or else by
/// `reset_duration`; a matched budget keeps its usage and `last_reset` and takes
/// the new `max_limit`. New durations start at zero; unlisted budgets are deleted.
pub(crate) fn replace_budgets(
    clock: &mut Clock,
    limits: &mut Limits,
    requests: &[CreateBudgetRequest],
    owner: Owner<'_>,
    owner_aligned: bool,
) -> Result<(), ApiError> {
    validate_budget_set(requests)?;
    for request in requests {
        if let Some(id) = &request.id
            && !limits.budgets.iter().any(|b| &b.id == id)
        {
            return Err(ApiError::bad_request(format!(
                "budget {id} does not belong to this entity"
            )));
        }
    }
    let mut old = std::mem::take(&mut limits.budgets);
    let mut next = Vec::with_capacity(requests.len());
    for request in requests {
        let duration = request.reset_duration.as_str();
        let aligned = owner_aligned || request.calendar_aligned.unwrap_or(false);
        let position = match &request.id {
            Some(id) => old.iter().position(|b| &b.id == id),
            None => old
                .iter()
                .position(|b| b.reset_duration.as_deref() == Some(duration)),
        };
        let budget = match position {
            Some(index) => {
                let mut budget = old.remove(index);
                let now = clock.now();
                budget.max_limit = Some(request.max_limit);
                budget.reset_duration = Some(duration.to_string());
                let now_aligned = aligned && durations::is_calendar_alignable(duration);
                if now_aligned && budget.calendar_aligned != Some(true) {
                    budget.current_usage = Some(0.0);
                    budget.last_reset = Some(last_reset_for(duration, true, now));
                }
                budget.calendar_aligned = Some(now_aligned);
                budget.updated_at = Some(now);
                budget
            }
            None => new_budget(clock, owner, request.max_limit, duration, aligned),
        };
        next.push(budget);
    }
    limits.budgets = next;
    Ok(())
}

/// Rejects `budget` and `budgets` sent together.
pub(crate) fn one_budget_form<A, B>(
    budget: &Option<A>,
    budgets: &Option<B>,
) -> Result<(), ApiError> {
    if budget.is_some() && budgets.is_some() {
        return Err(ApiError::bad_request(
            "only one of 'budget' or 'budgets' may be set",
        ));
    }
    Ok(())
}

/// The deprecated single-budget update: `{}` deletes, fields present change the
/// existing budget, and creating one needs both fields.
pub(crate) fn apply_legacy_budget(
    clock: &mut Clock,
    limits: &mut Limits,
    request: &UpdateBudgetRequest,
    owner: Owner<'_>,
    owner_aligned: bool,
) -> Result<(), ApiError> {
    if limits.budgets.len() > 1 {
        return Err(ApiError::bad_request(
            "the deprecated 'budget' field cannot be used when more than one budget is configured; use 'budgets'",
        ));
    }
    match (&request.max_limit, &request.reset_duration) {
        (None, None) => {
            limits.budgets.clear();
            Ok(())
        }
        (max_limit, reset_duration) => {
            if let Some(existing) = limits.budgets.first_mut() {
                let max = max_limit.or(existing.max_limit).unwrap_or_default();
                let duration = reset_duration
                    .as_ref()
                    .map(|d| d.to_string())
                    .or_else(|| existing.reset_duration.clone())
                    .unwrap_or_default();
                validate_budget(max, &duration)?;
                existing.max_limit = Some(max);
                existing.reset_duration = Some(duration);
                existing.updated_at = Some(clock.now());
                return Ok(());
            }
            let (Some(max), Some(duration)) = (max_limit, reset_duration) else {
                return Err(ApiError::bad_request(
                    "both max_limit and reset_duration are required when creating a new budget",
                ));
            };
            validate_budget(*max, duration)?;
            let aligned = owner_aligned || request.calendar_aligned.unwrap_or(false);
            limits
                .budgets
                .push(new_budget(clock, owner, *max, duration, aligned));
            Ok(())
        }
    }
}

/// Budgets of a create request (`budgets`, or the deprecated `budget`).
pub(crate) fn create_budgets(
    clock: &mut Clock,
    limits: &mut Limits,
    budget: Option<&CreateBudgetRequest>,
    budgets: Option<&[CreateBudgetRequest]>,
    owner: Owner<'_>,
    owner_aligned: bool,
) -> Result<(), ApiError> {
    one_budget_form(&budget, &budgets)?;
    let requests: Vec<CreateBudgetRequest> = match (budget, budgets) {
        (Some(b), _) => vec![CreateBudgetRequest {
            id: None,
            ..b.clone()
        }],
        (None, Some(list)) => list
            .iter()
            .map(|b| CreateBudgetRequest {
                id: None,
                ..b.clone()
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    replace_budgets(clock, limits, &requests, owner, owner_aligned)
}

fn max_to_i64(value: Option<std::num::NonZeroU64>, field: &str) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| {
            i64::try_from(v.get()).map_err(|_| {
                ApiError::bad_request(format!("Invalid rate limit: {field} is too large"))
            })
        })
        .transpose()
}

/// The four fields of a rate-limit request, checked one by one.
struct RateLimitFields {
    token_max: Option<i64>,
    token_duration: Option<String>,
    request_max: Option<i64>,
    request_duration: Option<String>,
}

impl RateLimitFields {
    fn from_request(request: &RateLimitRequest) -> Result<Self, ApiError> {
        let fields = Self {
            token_max: max_to_i64(request.token_max_limit, "token_max_limit")?,
            token_duration: request.token_reset_duration.as_ref().map(|d| d.to_string()),
            request_max: max_to_i64(request.request_max_limit, "request_max_limit")?,
            request_duration: request
                .request_reset_duration
                .as_ref()
                .map(|d| d.to_string()),
        };
        for duration in [&fields.token_duration, &fields.request_duration]
            .into_iter()
            .flatten()
        {
            durations::validate(duration)
                .map_err(|e| ApiError::bad_request(format!("Invalid rate limit: {e}")))?;
        }
        Ok(fields)
    }

    fn is_empty(&self) -> bool {
        self.token_max.is_none()
            && self.token_duration.is_none()
            && self.request_max.is_none()
            && self.request_duration.is_none()
    }
}

/// Each maximum needs its duration (checked on the resulting row).
fn check_pairs(rl: &RateLimit) -> Result<(), ApiError> {
    if rl.token_max_limit.is_some() && rl.token_reset_duration.is_none() {
        return Err(ApiError::bad_request(
            "Invalid rate limit: token_reset_duration is required when token_max_limit is set",
        ));
    }
    if rl.request_max_limit.is_some() && rl.request_reset_duration.is_none() {
        return Err(ApiError::bad_request(
            "Invalid rate limit: request_reset_duration is required when request_max_limit is set",
        ));
    }
    Ok(())
}

fn new_rate_limit(clock: &mut Clock, fields: RateLimitFields) -> RateLimit {
    let now = clock.now();
    RateLimit {
        calendar_aligned: Some(false),
        config_hash: Some(String::new()),
        created_at: Some(now),
        id: clock.new_id(),
        request_current_usage: Some(0),
        request_last_reset: Some(now),
        request_max_limit: fields.request_max,
        request_reset_duration: fields.request_duration,
        source_id: None,
        source_name: None,
        source_type: None,
        token_current_usage: Some(0),
        token_last_reset: Some(now),
        token_max_limit: fields.token_max,
        token_reset_duration: fields.token_duration,
        updated_at: Some(now),
    }
}

/// The rate limit of a create request; `{}` (or nothing) means none.
pub(crate) fn create_rate_limit(
    clock: &mut Clock,
    request: Option<&RateLimitRequest>,
) -> Result<Option<RateLimit>, ApiError> {
    let Some(request) = request else {
        return Ok(None);
    };
    let fields = RateLimitFields::from_request(request)?;
    if fields.is_empty() {
        return Ok(None);
    }
    let rl = new_rate_limit(clock, fields);
    check_pairs(&rl)?;
    Ok(Some(rl))
}

/// Virtual-key style update: non-null fields overwrite, `{}` removes the limit.
pub(crate) fn merge_rate_limit(
    clock: &mut Clock,
    current: &mut Option<RateLimit>,
    request: &RateLimitRequest,
) -> Result<(), ApiError> {
    let fields = RateLimitFields::from_request(request)?;
    if fields.is_empty() {
        *current = None;
        return Ok(());
    }
    let Some(existing) = current else {
        let rl = new_rate_limit(clock, fields);
        check_pairs(&rl)?;
        *current = Some(rl);
        return Ok(());
    };
    let mut next = existing.clone();
    if fields.token_max.is_some() {
        next.token_max_limit = fields.token_max;
    }
    if fields.token_duration.is_some() {
        next.token_reset_duration = fields.token_duration;
    }
    if fields.request_max.is_some() {
        next.request_max_limit = fields.request_max;
    }
    if fields.request_duration.is_some() {
        next.request_reset_duration = fields.request_duration;
    }
    check_pairs(&next)?;
    next.updated_at = Some(clock.now());
    *existing = next;
    Ok(())
}

/// Team/customer/model-config/provider style update: all four fields are
/// overwritten, and the limit is removed when both maxima are absent.
pub(crate) fn overwrite_rate_limit(
    clock: &mut Clock,
    current: &mut Option<RateLimit>,
    request: &RateLimitRequest,
) -> Result<(), ApiError> {
    let fields = RateLimitFields::from_request(request)?;
    if fields.token_max.is_none() && fields.request_max.is_none() {
        *current = None;
        return Ok(());
    }
    let Some(existing) = current else {
        let rl = new_rate_limit(clock, fields);
        check_pairs(&rl)?;
        *current = Some(rl);
        return Ok(());
    };
    let mut next = existing.clone();
    next.token_max_limit = fields.token_max;
    next.token_reset_duration = fields.token_duration;
    next.request_max_limit = fields.request_max;
    next.request_reset_duration = fields.request_duration;
    check_pairs(&next)?;
    next.updated_at = Some(clock.now());
    *existing = next;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bifrost_governance_client::types::Duration;

    fn budget(max: f64, duration: &str) -> CreateBudgetRequest {
        CreateBudgetRequest {
            calendar_aligned: None,
            id: None,
            max_limit: max,
            reset_config: None,
            reset_duration: Duration::try_from(duration).unwrap(),
        }
    }

    #[test]
    fn replacement_keeps_usage_of_matched_durations() {
        let mut clock = Clock::for_tests();
        let mut limits = Limits::default();
        let owner = Owner::VirtualKey("vk");
        replace_budgets(
            &mut clock,
            &mut limits,
            &[budget(10.0, "1d"), budget(100.0, "1M")],
            owner,
            false,
        )
        .unwrap();
        limits.record_usage(2.5, 0);
        let day_id = limits.budgets[0].id.clone();
        replace_budgets(
            &mut clock,
            &mut limits,
            &[budget(20.0, "1d"), budget(5.0, "1w")],
            owner,
            false,
        )
        .unwrap();
        assert_eq!(limits.budgets.len(), 2);
        assert_eq!(limits.budgets[0].id, day_id);
        assert_eq!(limits.budgets[0].current_usage, Some(2.5));
        assert_eq!(limits.budgets[0].max_limit, Some(20.0));
        assert_eq!(limits.budgets[1].current_usage, Some(0.0));
        assert_eq!(limits.budgets[1].virtual_key_id.as_deref(), Some("vk"));
        let dup = replace_budgets(
            &mut clock,
            &mut limits,
            &[budget(1.0, "1d"), budget(2.0, "1d")],
            owner,
            false,
        );
        assert_eq!(
            dup.unwrap_err().message,
            "Duplicate reset_duration in budgets: 1d"
        );
    }

    #[test]
    fn rate_limit_merge_and_overwrite() {
        let mut clock = Clock::for_tests();
        let full: RateLimitRequest = serde_json::from_value(serde_json::json!({
            "token_max_limit": 100, "token_reset_duration": "1h",
            "request_max_limit": 10, "request_reset_duration": "1m"
        }))
        .unwrap();
        let partial: RateLimitRequest =
            serde_json::from_value(serde_json::json!({"request_max_limit": 20})).unwrap();
        let mut merged = create_rate_limit(&mut clock, Some(&full)).unwrap();
        merge_rate_limit(&mut clock, &mut merged, &partial).unwrap();
        let rl = merged.clone().unwrap();
        assert_eq!(
            (rl.token_max_limit, rl.request_max_limit),
            (Some(100), Some(20))
        );
        let mut overwritten = create_rate_limit(&mut clock, Some(&full)).unwrap();
        assert!(overwrite_rate_limit(&mut clock, &mut overwritten, &partial).is_err());
        merge_rate_limit(&mut clock, &mut merged, &RateLimitRequest::default()).unwrap();
        assert!(merged.is_none());
    }
}
