//! `/api/governance/model-configs` (`gov.go` getModelConfigs…deleteModelConfig;
//! v2 `governance.go`). The request body and the checks of a create are in [`checks`].

mod checks;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson, TxError, TxKind};
use crate::gojson::{Go, go_quote};
use crate::limits::{self, BudgetItem, Reconcile};
use crate::pagination::{self, envelope, envelope_all};
use crate::profile::{MemoryRoute, Profile};
use crate::render::{self, Ctx};
use crate::request::{self, Params};
use crate::routes::keys::message;
use crate::routes::single;
use crate::store::Store;
use crate::store::records::{BudgetOwner, ModelConfig, SCOPE_GLOBAL, SCOPE_VIRTUAL_KEY};
use checks::*;

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/model-configs", get(list).post(create))
        .route(
            "/api/governance/model-configs/{mc_id}",
            get(get_one).put(update).delete(delete),
        )
}

fn not_found() -> ApiError {
    ApiError::not_found("Model config not found")
}

fn render_all(store: &Store, profile: Profile, rows: Vec<&ModelConfig>) -> Vec<Go> {
    let ctx = Ctx::new(store, profile);
    rows.into_iter()
        .map(|mc| render::model_config(ctx, mc))
        .collect()
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let v2 = profile.has_model_config_scopes();
    let filtered = |mc: &&ModelConfig| {
        let (search, scope, scope_id, provider) = (
            params.peek("search"),
            params.peek("scope"),
            params.peek("scope_id"),
            params.peek("provider"),
        );
        pagination::matches(&mc.model_name, search)
            && (!v2 || scope.is_empty() || mc.scope == scope)
            && (!v2 || scope_id.is_empty() || mc.scope_id.as_deref() == Some(scope_id))
            && (!v2 || provider.is_empty() || mc.provider.as_deref() == Some(provider))
    };
    if params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::ModelConfigs) {
        if !v2 {
            // `data.ModelConfigs`, sorted by creation; a nil slice when empty.
            let items = render_all(&store, profile, store.model_configs.values().collect());
            let n = items.len();
            let items = if items.is_empty() {
                Go::Null
            } else {
                Go::Array(items)
            };
            return Ok(
                GoJson::ok(envelope("model_configs", items, n, n as i64, n as i64, 0))
                    .into_response(),
            );
        }
        // v2: filters, and lenient paging without a clamp (default: everything).
        let rows: Vec<&ModelConfig> = store.model_configs.values().filter(filtered).collect();
        let total = rows.len() as i64;
        let limit = params
            .peek("limit")
            .parse::<i64>()
            .ok()
            .filter(|l| *l > 0)
            .unwrap_or(total);
        let offset = params
            .peek("offset")
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .unwrap_or(0)
            .min(total);
        let items = render_all(&store, profile, pagination::slice(rows, limit, offset));
        return Ok(GoJson::ok(pagination::page(
            "model_configs",
            items,
            total,
            limit,
            offset,
        ))
        .into_response());
    }
    let triggers: &[&str] = if v2 {
        &["limit", "offset", "search", "scope", "scope_id", "provider"]
    } else {
        &["limit", "offset", "search"]
    };
    if !pagination::any_set(&params, triggers) {
        let mut rows: Vec<&ModelConfig> = store.model_configs.values().collect();
        if v2 {
            // `GetModelConfigs` pages through the table by `id ASC`.
            rows.sort_by(|a, b| a.id.cmp(&b.id));
        }
        let items = render_all(&store, profile, rows);
        return Ok(GoJson::ok(envelope_all("model_configs", items)).into_response());
    }
    let (limit, offset) = pagination::clamp(
        pagination::strict(&params, "limit")?,
        pagination::strict(&params, "offset")?,
    );
    let mut rows: Vec<&ModelConfig> = store.model_configs.values().filter(filtered).collect();
    rows.sort_by(|a, b| {
        let order = a
            .created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id));
        // v2 pages newest first (`created_at DESC, id DESC`).
        if v2 { order.reverse() } else { order }
    });
    let total = rows.len() as i64;
    let items = render_all(&store, profile, pagination::slice(rows, limit, offset));
    Ok(GoJson::ok(pagination::page(
        "model_configs",
        items,
        total,
        limit,
        offset,
    ))
    .into_response())
}

fn respond(store: &Store, profile: Profile, id: &str, message: Option<&str>) -> ApiResult {
    let mc = store.model_configs.get(id).ok_or_else(not_found)?;
    let body = render::model_config(Ctx::new(store, profile), mc);
    Ok(GoJson::ok(single("model_config", body, message)).into_response())
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    respond(&app.store(), app.profile(), &id, None)
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: ModelConfigIn = request::decode(&body)?;
    let v2 = profile.has_model_config_scopes();
    let model_name = req.model_name.clone().unwrap_or_default();
    if model_name.is_empty() {
        return Err(ApiError::bad_request("Model name is required"));
    }
    let mut store = app.store();
    let mut scope = SCOPE_GLOBAL.to_string();
    let mut scope_id = None;
    let mut aligned = false;
    if v2 {
        if !req.scope.is_empty() {
            scope = req.scope.clone();
        }
        if scope != SCOPE_GLOBAL && scope != SCOPE_VIRTUAL_KEY {
            return Err(ApiError::bad_request(format!(
                "Invalid scope {}",
                go_quote(&scope)
            )));
        }
        if scope != SCOPE_GLOBAL {
            let id = req
                .scope_id
                .clone()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request("scope_id is required when scope is not global")
                })?;
            let vk = store
                .virtual_keys
                .get(&id)
                .ok_or_else(|| ApiError::bad_request(format!("Virtual key '{id}' not found")))?;
            aligned = vk.calendar_aligned;
            scope_id = Some(id);
        }
        aligned = aligned || req.calendar_aligned == Some(true);
    }
    let candidate = ModelConfig {
        id: String::new(),
        model_name: model_name.clone(),
        provider: req.provider.clone(),
        scope,
        scope_id,
        calendar_aligned: aligned,
        budget_ids: Vec::new(),
        rate_limit_id: None,
        created_at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
        updated_at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
    };
    check_identity(&store, profile, &candidate)?;
    let items = if v2 {
        budget_items(&req)
    } else {
        req.budget
            .iter()
            .map(|p| BudgetItem {
                id: None,
                max_limit: p.max_limit.unwrap_or_default(),
                reset_duration: p.reset_duration.clone().unwrap_or_default(),
                calendar_aligned: false,
                reset_config: None,
            })
            .collect()
    };
    check_create_budgets(profile, &items)?;
    let id = store
        .transaction(|store| {
            let now = store.clock.now();
            let mut mc = ModelConfig {
                id: store.clock.new_id(),
                created_at: now,
                updated_at: now,
                ..candidate.clone()
            };
            let owner = if v2 {
                BudgetOwner::ModelConfig(mc.id.clone())
            } else {
                BudgetOwner::Detached
            };
            for item in &items {
                let mut budget = limits::new_budget(
                    store,
                    item.max_limit,
                    &item.reset_duration,
                    aligned,
                    owner.clone(),
                    profile,
                );
                if v2 {
                    budget.reset_config = item.reset_config.map(|rc| rc.quarter_start_month);
                }
                limits::validate_budget(
                    profile,
                    item.max_limit,
                    &item.reset_duration,
                    budget.reset_config,
                )?;
                mc.budget_ids.push(budget.id.clone());
                limits::save_budget(store, profile, budget)?;
            }
            if let Some(rl) = &req.rate_limit {
                mc.rate_limit_id = Some(limits::create_rate_limit(store, profile, rl)?);
            }
            before_save(&mc)?;
            let id = mc.id.clone();
            store.put(&id, mc);
            Ok(id)
        })
        .map_err(|e: TxError| match e.kind {
            TxKind::BadRequest => ApiError::bad_request(e.message),
            _ => ApiError::internal(format!("Failed to create model config: {}", e.message)),
        })?;
    respond(
        &store,
        profile,
        &id,
        Some("Model config created successfully"),
    )
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: ModelConfigIn = request::decode(&body)?;
    let mut store = app.store();
    let current = store
        .model_configs
        .get(&id)
        .cloned()
        .ok_or_else(not_found)?;
    let v2 = profile.has_model_config_scopes();
    if v2 {
        let mut renamed = current.clone();
        if let Some(name) = &req.model_name {
            renamed.model_name = name.clone();
        }
        if let Some(provider) = &req.provider {
            renamed.provider = Some(provider.clone());
        }
        check_identity(&store, profile, &renamed)?;
    }
    store
        .transaction(|store| update_config(store, profile, current, &req))
        .map_err(|e| match e.kind {
            TxKind::BadRequest => ApiError::bad_request(e.message),
            _ => ApiError::internal(format!("Failed to update model config: {}", e.message)),
        })?;
    respond(
        &store,
        profile,
        &id,
        Some("Model config updated successfully"),
    )
}

fn update_config(
    store: &mut Store,
    profile: Profile,
    mut mc: ModelConfig,
    req: &ModelConfigIn,
) -> Result<(), TxError> {
    let v2 = profile.has_model_config_scopes();
    if let Some(name) = &req.model_name {
        mc.model_name = name.clone();
    }
    if let Some(provider) = &req.provider {
        mc.provider = Some(provider.clone());
    }
    let switched_on = v2 && req.calendar_aligned == Some(true) && !mc.calendar_aligned;
    if v2 && let Some(aligned) = req.calendar_aligned {
        mc.calendar_aligned = aligned;
    }
    let owner = if v2 {
        BudgetOwner::ModelConfig(mc.id.clone())
    } else {
        BudgetOwner::Detached
    };
    if v2 && let Some(items) = &req.budgets {
        crate::limits::check_budget_list(profile, items, crate::limits::ListWording::Update)
            .map_err(TxError::bad)?;
        let aligned = mc.calendar_aligned;
        mc.budget_ids = limits::reconcile(
            store,
            profile,
            Reconcile {
                owner: owner.clone(),
                existing: mc.budget_ids.clone(),
                requests: items,
                aligned: &|_| aligned,
                on_match: &|_, _, _| {},
                delete_context: "failed to delete removed model config budget",
            },
        )?;
    } else if let Some(patch) = &req.budget {
        limits::apply_legacy_budget(
            store,
            profile,
            &mut mc.budget_ids,
            patch,
            owner,
            mc.calendar_aligned,
            v2,
        )?;
    }
    if switched_on {
        limits::adopt_alignment(store, profile, &mc.budget_ids);
    }
    if let Some(rl) = &req.rate_limit {
        mc.rate_limit_id =
            limits::overwrite_rate_limit(store, profile, mc.rate_limit_id.clone(), rl)?;
    }
    if v2 && req.reset_budget_usage {
        limits::reset_usage(store, &mc.budget_ids);
    }
    before_save(&mc)?;
    if mc.provider.is_some()
        && store.model_configs.values().any(|other| {
            other.id != mc.id
                && other.model_name == mc.model_name
                && other.provider == mc.provider
                && (profile.is_v1_5() || (other.scope == mc.scope && other.scope_id == mc.scope_id))
        })
    {
        return Err(TxError::exists("provider"));
    }
    mc.updated_at = store.clock.now();
    let id = mc.id.clone();
    store.put(&id, mc);
    Ok(())
}

/// Deletes a model config with its budgets and rate limit.
pub(crate) fn delete_config(store: &mut Store, id: &str) {
    if let Some(mc) = store.model_configs.get(id).cloned() {
        store
            .transaction::<_, ()>(|store| {
                crate::governance::remove_model_config(store, &mc);
                Ok(())
            })
            .ok();
    }
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    if !store.model_configs.contains_key(&id) {
        return Err(not_found());
    }
    delete_config(&mut store, &id);
    Ok(GoJson::ok(message("Model config deleted successfully")).into_response())
}
