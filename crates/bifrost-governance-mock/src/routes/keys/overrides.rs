//! v2 budget overrides: `PUT`/`DELETE …/virtual-keys/{vk_id}/budgets/{budget_id}/override`
//! (`v2: governance.go mutateVirtualKeyBudgetOverride`, `tables/budget.go`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson};
use crate::gojson::{Go, Obj};
use crate::limits;
use crate::render::{self, Ctx};
use crate::request::zero_if_null;
use crate::store::Store;
use crate::store::records::{Budget, OverrideGrant, SCOPE_VIRTUAL_KEY};

/// `BudgetOverrideRequest`.
#[derive(Debug, Default, Deserialize)]
struct OverrideIn {
    #[serde(default, deserialize_with = "zero_if_null")]
    amount: f64,
    #[serde(default, deserialize_with = "zero_if_null")]
    mode: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    cycles: i64,
}

/// `loadVirtualKeyBudget`: the budget must belong to one of the key's model configs
/// (its own, a provider's, or a model's); budgets attached to the key row itself
/// are not reachable. 404 `virtual key or budget not found` otherwise.
fn load(store: &Store, vk_id: &str, budget_id: &str) -> Result<Budget, ApiError> {
    let missing = || ApiError::not_found("virtual key or budget not found");
    if !store.virtual_keys.contains_key(vk_id) {
        return Err(missing());
    }
    let owned = store.model_configs.values().any(|mc| {
        mc.scope == SCOPE_VIRTUAL_KEY
            && mc.scope_id.as_deref() == Some(vk_id)
            && mc.budget_ids.iter().any(|id| id == budget_id)
    });
    if !owned {
        return Err(missing());
    }
    store.budgets.get(budget_id).cloned().ok_or_else(missing)
}

/// `BudgetOverrideResponse`: the budget and `EffectiveMaxLimit`.
fn answer(store: &Store, app: &App, budget: &Budget) -> ApiResult {
    let active = budget.grant.as_ref().is_some_and(|g| {
        g.amount > 0.0 && (g.mode == "forever" || (g.mode == "cycles" && g.cycles_remaining > 0))
    });
    let effective = budget.max_limit
        + if active {
            budget.grant.as_ref().map_or(0.0, |g| g.amount)
        } else {
            0.0
        };
    let body = Obj::new()
        .field(
            "budget",
            render::budget(Ctx::new(store, app.profile()), budget),
        )
        .field("effective_max_limit", effective);
    Ok(GoJson::ok(Go::from(body)).into_response())
}

fn save(store: &mut Store, app: &App, mut budget: Budget) -> ApiResult {
    budget.updated_at = store.clock.now();
    let id = budget.id.clone();
    limits::save_budget(store, app.profile(), budget)
        .map_err(|_| ApiError::internal("failed to update budget override"))?;
    let saved = store
        .budgets
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("budget not found"))?;
    answer(store, app, &saved)
}

pub(super) async fn set(
    State(app): State<Arc<App>>,
    Path((vk_id, budget_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let mut store = app.store();
    let mut budget = load(&store, &vk_id, &budget_id)?;
    let req: OverrideIn =
        crate::request::decode(&body).map_err(|_| ApiError::bad_request("invalid request body"))?;
    // `SetOverride`: a finite grant is anchored at the current window (`LastReset`).
    let grant = OverrideGrant {
        amount: req.amount,
        mode: req.mode.clone(),
        cycles_remaining: req.cycles,
        cycles_total: if req.mode == "cycles" { req.cycles } else { 0 },
        anchor: (req.mode == "cycles").then_some(budget.last_reset),
    };
    limits::validate_override(&grant).map_err(ApiError::bad_request)?;
    budget.grant = (!grant.mode.is_empty() || grant.amount != 0.0).then_some(grant);
    save(&mut store, &app, budget)
}

pub(super) async fn clear(
    State(app): State<Arc<App>>,
    Path((vk_id, budget_id)): Path<(String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let mut budget = load(&store, &vk_id, &budget_id)?;
    budget.grant = None;
    save(&mut store, &app, budget)
}
