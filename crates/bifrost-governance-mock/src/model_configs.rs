//! `/api/governance/model-configs`: per-model budgets and rate limits.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use bifrost_governance_client::types::{
    CreateModelConfigRequest, MessageResponse, ModelConfig, ModelConfigList, ModelConfigResponse,
    UpdateModelConfigRequest,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::errors::{ApiError, ApiResult};
use crate::limits::{self, Limits, Owner};
use crate::pagination::{self, Strictness};
use crate::request::{self, Params};
use crate::state::{App, Sequenced, Store, in_creation_order, in_creation_order_where};

/// Scope of configs that apply to the whole gateway.
const GLOBAL: &str = "global";
/// Scope of configs that belong to one virtual key.
const VIRTUAL_KEY: &str = "virtual_key";

/// A stored model config.
#[derive(Debug, Clone)]
pub(crate) struct ModelConfigRecord {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) model_name: String,
    pub(crate) provider: Option<String>,
    pub(crate) scope: String,
    pub(crate) scope_id: Option<String>,
    pub(crate) limits: Limits,
    pub(crate) calendar_aligned: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Sequenced for ModelConfigRecord {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/model-configs", get(list).post(create))
        .route(
            "/api/governance/model-configs/{mc_id}",
            get(get_one).put(update).delete(delete),
        )
}

/// The model configs scoped to one virtual key, in creation order.
pub(crate) fn scoped_to_virtual_key<'a>(
    store: &'a Store,
    vk_id: &str,
) -> Vec<&'a ModelConfigRecord> {
    in_creation_order_where(&store.model_configs, |mc| {
        mc.scope == VIRTUAL_KEY && mc.scope_id.as_deref() == Some(vk_id)
    })
}

/// Drops the model configs of a deleted virtual key.
pub(crate) fn delete_scoped_to_virtual_key(store: &mut Store, vk_id: &str) {
    store
        .model_configs
        .retain(|_, mc| !(mc.scope == VIRTUAL_KEY && mc.scope_id.as_deref() == Some(vk_id)));
}

fn render(store: &Store, mc: &ModelConfigRecord) -> ModelConfig {
    let budget = mc.limits.legacy_budget();
    let scope_name = match mc.scope.as_str() {
        VIRTUAL_KEY => mc
            .scope_id
            .as_ref()
            .and_then(|id| store.virtual_keys.get(id))
            .map(|vk| vk.name.clone()),
        _ => None,
    };
    ModelConfig {
        budget_id: budget.as_ref().map(|b| b.id.clone()),
        budget,
        budgets: mc.limits.budgets_field(),
        calendar_aligned: Some(mc.calendar_aligned),
        config_hash: Some(String::new()),
        created_at: Some(mc.created_at),
        id: mc.id.clone(),
        model_name: Some(mc.model_name.clone()),
        provider: mc.provider.clone(),
        rate_limit: mc.limits.rate_limit.clone(),
        rate_limit_id: mc.limits.rate_limit_id(),
        scope: Some(mc.scope.clone()),
        scope_id: mc.scope_id.clone(),
        scope_name,
        source_id: None,
        source_name: None,
        source_type: None,
        updated_at: Some(mc.updated_at),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Model config not found")
}

fn check_provider(store: &Store, provider: &str) -> Result<(), ApiError> {
    if store.catalog.is_known_provider(provider) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid provider name: {provider}"
        )))
    }
}

/// 409 when another config has the same `(scope, scope_id, model_name, provider)`.
fn check_unique(store: &Store, candidate: &ModelConfigRecord) -> Result<(), ApiError> {
    let clash = store.model_configs.values().any(|mc| {
        mc.id != candidate.id
            && mc.scope == candidate.scope
            && mc.scope_id == candidate.scope_id
            && mc.model_name == candidate.model_name
            && mc.provider == candidate.provider
    });
    if !clash {
        return Ok(());
    }
    Err(ApiError::conflict(match &candidate.provider {
        Some(provider) => format!(
            "Model config for model '{}' with provider '{provider}' already exists",
            candidate.model_name
        ),
        None => format!(
            "Model config for model '{}' (global) already exists",
            candidate.model_name
        ),
    }))
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let window = pagination::window(&params, &["scope", "provider"], Strictness::Strict)?;
    let search = params.non_empty("search");
    let scope = params.non_empty("scope");
    let provider = params.non_empty("provider");
    let store = app.store();
    let rows: Vec<_> = in_creation_order(&store.model_configs)
        .into_iter()
        .filter(|mc| scope.is_none_or(|s| mc.scope == s))
        .filter(|mc| provider.is_none_or(|p| mc.provider.as_deref() == Some(p)))
        .filter(|mc| pagination::matches_search(&mc.model_name, search))
        .collect();
    let page = pagination::paginate(rows, window).map(|mc| render(&store, mc));
    Ok(Json(ModelConfigList {
        count: Some(page.count),
        limit: Some(page.limit),
        model_configs: Some(page.items),
        offset: Some(page.offset),
        total_count: Some(page.total_count),
    })
    .into_response())
}

fn respond(store: &Store, id: &str, message: Option<&str>) -> ApiResult {
    let mc = store.model_configs.get(id).ok_or_else(not_found)?;
    Ok(Json(ModelConfigResponse {
        message: message.map(str::to_string),
        model_config: render(store, mc),
    })
    .into_response())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::require_name(&body, "model_name", "Model name is required")?;
    let req: CreateModelConfigRequest = request::decode(&body)?;
    let mut store = app.store();
    let provider = req.provider.clone().filter(|p| !p.trim().is_empty());
    if let Some(provider) = &provider {
        check_provider(&store, provider)?;
    }
    let scope = req
        .scope
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| GLOBAL.to_string());
    let scope_id = match scope.as_str() {
        GLOBAL => None,
        VIRTUAL_KEY => {
            let scope_id = req
                .scope_id
                .clone()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request("scope_id is required for scope virtual_key")
                })?;
            if !store.virtual_keys.contains_key(&scope_id) {
                return Err(ApiError::bad_request(format!(
                    "virtual key '{scope_id}' not found"
                )));
            }
            Some(scope_id)
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid scope: {other} (must be global or virtual_key)"
            )));
        }
    };
    let id = store.clock.new_id();
    let aligned = req.calendar_aligned.unwrap_or(false);
    let mut record = ModelConfigRecord {
        seq: 0,
        id: id.clone(),
        model_name: req.model_name.trim().to_string(),
        provider,
        scope,
        scope_id,
        limits: Limits::default(),
        calendar_aligned: aligned,
        created_at: DateTime::<Utc>::MIN_UTC,
        updated_at: DateTime::<Utc>::MIN_UTC,
    };
    check_unique(&store, &record)?;
    let clock = &mut store.clock;
    limits::create_budgets(
        clock,
        &mut record.limits,
        req.budget.as_ref(),
        req.budgets.as_deref(),
        Owner::ModelConfig(&id),
        aligned,
    )?;
    record.limits.rate_limit = limits::create_rate_limit(clock, req.rate_limit.as_ref())?;
    record.seq = clock.next_seq();
    record.created_at = clock.now();
    record.updated_at = record.created_at;
    store.model_configs.insert(id.clone(), record);
    respond(&store, &id, Some("Model config created successfully"))
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    respond(&store, &id, None)
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::reject_blank(&body, "model_name", "Model name cannot be empty")?;
    let req: UpdateModelConfigRequest = request::decode(&body)?;
    let mut store = app.store();
    let mut next = store.model_configs.get(&id).ok_or_else(not_found)?.clone();
    limits::one_budget_form(&req.budget, &req.budgets)?;
    if let Some(model_name) = &req.model_name {
        next.model_name = model_name.trim().to_string();
    }
    // The provider can change but never go back to "every provider".
    if let Some(provider) = req.provider.as_deref().filter(|p| !p.trim().is_empty()) {
        check_provider(&store, provider)?;
        next.provider = Some(provider.to_string());
    }
    check_unique(&store, &next)?;
    let clock = &mut store.clock;
    if let Some(aligned) = req.calendar_aligned {
        next.calendar_aligned = aligned;
        limits::set_calendar_aligned(clock, &mut next.limits, aligned);
    }
    let owner = Owner::ModelConfig(&id);
    if let Some(budgets) = &req.budgets {
        limits::replace_budgets(
            clock,
            &mut next.limits,
            budgets,
            owner,
            next.calendar_aligned,
        )?;
    }
    if let Some(budget) = &req.budget {
        limits::apply_legacy_budget(
            clock,
            &mut next.limits,
            budget,
            owner,
            next.calendar_aligned,
        )?;
    }
    if let Some(rate_limit) = &req.rate_limit {
        limits::overwrite_rate_limit(clock, &mut next.limits.rate_limit, rate_limit)?;
    }
    if req.reset_budget_usage == Some(true) {
        next.limits.reset_usage(clock.now());
    }
    next.updated_at = clock.now();
    store.model_configs.insert(id.clone(), next);
    respond(&store, &id, Some("Model config updated successfully"))
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .model_configs
        .shift_remove(&id)
        .ok_or_else(not_found)?;
    Ok(Json(MessageResponse {
        message: Some("Model config deleted successfully".to_string()),
    })
    .into_response())
}
