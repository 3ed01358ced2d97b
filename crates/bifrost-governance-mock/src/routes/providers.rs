//! `/api/governance/providers`: governance of whole providers (`gov.go`
//! getProviderGovernance…; v2 `governance.go`, backed by global `*` model configs).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawPathParams, State};
use axum::response::IntoResponse;
use axum::routing::{get, put};
use serde::Deserialize;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson, TxError, TxKind};
use crate::gojson::Go;
use crate::limits::{self, BudgetItem, BudgetPatch, RateLimitIn, Reconcile};
use crate::profile::Profile;
use crate::render::{self, Ctx};
use crate::request::{self, Params, zero_if_null};
use crate::routes::keys::message;
use crate::routes::path_name;
use crate::store::Store;
use crate::store::records::{
    ALL_MODELS, BudgetOwner, ModelConfig, ProviderGovernance, SCOPE_GLOBAL,
};

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/providers", get(list))
        .route(
            "/api/governance/providers/{provider_name}",
            put(update).delete(delete),
        )
}

/// `UpdateProviderGovernanceRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
struct ProviderIn {
    #[serde(default)]
    budget: Option<BudgetPatch>,
    /// v2.
    #[serde(default)]
    budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    rate_limit: Option<RateLimitIn>,
    /// v2.
    #[serde(default)]
    calendar_aligned: Option<bool>,
    /// v2.
    #[serde(default, deserialize_with = "zero_if_null")]
    reset_budget_usage: bool,
}

/// The provider's global `*` model config (v2 provider governance).
fn config_of<'s>(store: &'s Store, provider: &str) -> Option<&'s ModelConfig> {
    store
        .model_configs
        .values()
        .find(|mc| mc.is_provider_governance() && mc.provider.as_deref() == Some(provider))
}

/// `{"providers": […] or null, "count": n}`.
fn governed(store: &Store, profile: Profile) -> Go {
    let ctx = Ctx::new(store, profile);
    let items: Vec<Go> = if profile.provider_governance_in_model_configs() {
        store
            .model_configs
            .values()
            .filter(|mc| mc.is_provider_governance())
            .filter_map(|mc| {
                mc.provider
                    .as_deref()
                    .map(|p| render::provider_governance_v2(ctx, p, Some(mc)))
            })
            .collect()
    } else {
        store
            .catalog
            .providers
            .iter()
            .filter_map(|p| {
                store
                    .provider_governance
                    .get(&p.name)
                    .filter(|g| g.budget_id.is_some() || g.rate_limit_id.is_some())
                    .map(|g| render::provider_governance(ctx, &p.name, g))
            })
            .collect()
    };
    let count = items.len();
    // `var result []ProviderGovernanceResponse`: nil, so `null`, when none.
    let providers = if items.is_empty() {
        Go::Null
    } else {
        Go::Array(items)
    };
    Go::Map(
        [
            ("providers".to_string(), providers),
            ("count".to_string(), Go::from(count)),
        ]
        .into_iter()
        .collect(),
    )
}

async fn list(State(app): State<Arc<App>>, _params: Params) -> ApiResult {
    // `from_memory` reads the same governance on both generations.
    Ok(GoJson::ok(governed(&app.store(), app.profile())).into_response())
}

fn provider_name(profile: Profile, raw: &RawPathParams) -> Result<String, ApiError> {
    path_name(profile, raw, "Invalid provider name encoding")
}

async fn update(State(app): State<Arc<App>>, raw: RawPathParams, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let name = provider_name(profile, &raw)?;
    let req: ProviderIn = request::decode(&body)?;
    let multi = profile.multi_budget_owners();
    if multi && req.budget.is_some() && req.budgets.is_some() {
        return Err(ApiError::bad_request(
            "only one of 'budget' or 'budgets' may be set",
        ));
    }
    let mut store = app.store();
    if !store.catalog.providers.iter().any(|p| p.name == name) {
        return Err(ApiError::not_found("Provider not found"));
    }
    let result = store.transaction(|store| {
        if profile.provider_governance_in_model_configs() {
            update_v2(store, profile, &name, &req)
        } else {
            update_v1_5(store, profile, &name, &req)
        }
    });
    result.map_err(|e| match e.kind {
        TxKind::BadRequest if multi => ApiError::bad_request(e.message),
        _ => ApiError::internal(format!(
            "Failed to update provider governance: {}",
            e.message
        )),
    })?;
    let ctx = Ctx::new(&store, profile);
    let provider = if profile.provider_governance_in_model_configs() {
        render::provider_governance_v2(ctx, &name, config_of(&store, &name))
    } else {
        let gov = store
            .provider_governance
            .get(&name)
            .cloned()
            .unwrap_or_default();
        render::provider_governance(ctx, &name, &gov)
    };
    let body = Go::Map(
        [
            (
                "message".to_string(),
                Go::from("Provider governance updated successfully"),
            ),
            ("provider".to_string(), provider),
        ]
        .into_iter()
        .collect(),
    );
    Ok(GoJson::ok(body).into_response())
}

fn update_v1_5(
    store: &mut Store,
    profile: Profile,
    name: &str,
    req: &ProviderIn,
) -> Result<(), TxError> {
    let mut gov = store
        .provider_governance
        .get(name)
        .cloned()
        .unwrap_or_default();
    if let Some(patch) = &req.budget {
        gov.budget_id = limits::apply_budget_patch(
            store,
            profile,
            gov.budget_id.clone(),
            patch,
            BudgetOwner::Detached,
            false,
            false,
            false,
        )?;
    }
    if let Some(rl) = &req.rate_limit {
        gov.rate_limit_id =
            limits::overwrite_rate_limit(store, profile, gov.rate_limit_id.clone(), rl)?;
    }
    store.put(name, gov);
    Ok(())
}

fn update_v2(
    store: &mut Store,
    profile: Profile,
    name: &str,
    req: &ProviderIn,
) -> Result<(), TxError> {
    let now = store.clock.now();
    let mut mc = config_of(store, name)
        .cloned()
        .unwrap_or_else(|| ModelConfig {
            id: String::new(),
            model_name: ALL_MODELS.to_string(),
            provider: Some(name.to_string()),
            scope: SCOPE_GLOBAL.to_string(),
            scope_id: None,
            calendar_aligned: false,
            budget_ids: Vec::new(),
            rate_limit_id: None,
            created_at: now,
            updated_at: now,
        });
    if mc.id.is_empty() {
        mc.id = store.clock.new_id();
    }
    let switched_on = req.calendar_aligned == Some(true) && !mc.calendar_aligned;
    if let Some(aligned) = req.calendar_aligned {
        mc.calendar_aligned = aligned;
    }
    let owner = BudgetOwner::ModelConfig(mc.id.clone());
    if let Some(items) = &req.budgets {
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
                delete_context: "failed to delete removed provider budget",
            },
        )?;
    }
    if let Some(patch) = &req.budget {
        let aligned = mc.calendar_aligned;
        limits::apply_legacy_budget(
            store,
            profile,
            &mut mc.budget_ids,
            patch,
            owner,
            aligned,
            true,
        )?;
    }
    if switched_on {
        limits::adopt_alignment(store, profile, &mc.budget_ids);
    }
    if let Some(rl) = &req.rate_limit {
        mc.rate_limit_id =
            limits::overwrite_rate_limit(store, profile, mc.rate_limit_id.clone(), rl)?;
    }
    if req.reset_budget_usage {
        limits::reset_usage(store, &mc.budget_ids);
    }
    // Without a budget or a rate limit the provider's config is deleted.
    if mc.budget_ids.is_empty() && mc.rate_limit_id.is_none() {
        store.remove::<ModelConfig>(&mc.id);
        return Ok(());
    }
    mc.updated_at = store.clock.now();
    let id = mc.id.clone();
    store.put(&id, mc);
    Ok(())
}

async fn delete(State(app): State<Arc<App>>, raw: RawPathParams) -> ApiResult {
    let profile = app.profile();
    let name = provider_name(profile, &raw)?;
    let mut store = app.store();
    if !profile.provider_delete_is_idempotent()
        && !store.catalog.providers.iter().any(|p| p.name == name)
    {
        return Err(ApiError::not_found("Provider not found"));
    }
    if profile.provider_governance_in_model_configs() {
        if let Some(id) = config_of(&store, &name).map(|mc| mc.id.clone()) {
            crate::routes::model_configs::delete_config(&mut store, &id);
        }
    } else {
        if let Some(gov) = store.provider_governance.get(&name).cloned() {
            store
                .transaction::<_, ()>(|store| {
                    limits::delete_budgets(store, gov.budget_id.as_slice());
                    limits::delete_rate_limit(store, gov.rate_limit_id.as_ref());
                    store.remove::<ProviderGovernance>(&name);
                    Ok(())
                })
                .ok();
        }
    }
    Ok(GoJson::ok(message("Provider governance deleted successfully")).into_response())
}
