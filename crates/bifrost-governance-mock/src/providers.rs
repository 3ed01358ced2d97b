//! `/api/governance/providers`: budgets and rate limits of whole providers.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json};
use axum::routing::{get, put};
use bifrost_governance_client::types::{
    MessageResponse, ProviderGovernance, ProviderGovernanceList, ProviderGovernanceResponse,
    UpdateProviderGovernanceRequest,
};
use bytes::Bytes;

use crate::errors::{ApiError, ApiResult};
use crate::limits::{self, Limits, Owner};
use crate::request;
use crate::state::{App, Store};

/// Governance attached to one configured provider.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProviderGovernanceRecord {
    pub(crate) limits: Limits,
    pub(crate) calendar_aligned: bool,
}

impl ProviderGovernanceRecord {
    fn is_empty(&self) -> bool {
        self.limits.budgets.is_empty() && self.limits.rate_limit.is_none()
    }
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/providers", get(list))
        .route(
            "/api/governance/providers/{provider_name}",
            put(update).delete(delete),
        )
}

fn render(provider: &str, record: &ProviderGovernanceRecord) -> ProviderGovernance {
    ProviderGovernance {
        budget: record.limits.legacy_budget(),
        budgets: record.limits.budgets_field(),
        calendar_aligned: Some(record.calendar_aligned),
        provider: provider.to_string(),
        rate_limit: record.limits.rate_limit.clone(),
    }
}

async fn list(State(app): State<Arc<App>>) -> ApiResult {
    let store = app.store();
    let providers: Vec<ProviderGovernance> = store
        .catalog
        .providers
        .iter()
        .filter_map(|p| {
            store
                .provider_governance
                .get(&p.name)
                .filter(|r| !r.is_empty())
                .map(|r| render(&p.name, r))
        })
        .collect();
    Ok(Json(ProviderGovernanceList {
        count: Some(providers.len() as i64),
        providers: Some(providers),
    })
    .into_response())
}

async fn update(
    State(app): State<Arc<App>>,
    Path(provider): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = request::json_object(&body)?;
    let req: UpdateProviderGovernanceRequest = request::decode(&body)?;
    let mut store = app.store();
    if store.catalog.provider(&provider).is_none() {
        return Err(ApiError::not_found("Provider not found"));
    }
    limits::one_budget_form(&req.budget, &req.budgets)?;
    let Store {
        clock,
        provider_governance,
        ..
    } = &mut *store;
    let mut next = provider_governance
        .get(&provider)
        .cloned()
        .unwrap_or_default();
    if let Some(aligned) = req.calendar_aligned {
        next.calendar_aligned = aligned;
        limits::set_calendar_aligned(clock, &mut next.limits, aligned);
    }
    if let Some(budgets) = &req.budgets {
        limits::replace_budgets(
            clock,
            &mut next.limits,
            budgets,
            Owner::Provider,
            next.calendar_aligned,
        )?;
    }
    if let Some(budget) = &req.budget {
        limits::apply_legacy_budget(
            clock,
            &mut next.limits,
            budget,
            Owner::Provider,
            next.calendar_aligned,
        )?;
    }
    if let Some(rate_limit) = &req.rate_limit {
        limits::overwrite_rate_limit(clock, &mut next.limits.rate_limit, rate_limit)?;
    }
    if req.reset_budget_usage == Some(true) {
        next.limits.reset_usage(clock.now());
    }
    let rendered = render(&provider, &next);
    provider_governance.insert(provider, next);
    Ok(Json(ProviderGovernanceResponse {
        message: Some("Provider governance updated successfully".to_string()),
        provider: Some(rendered),
    })
    .into_response())
}

async fn delete(State(app): State<Arc<App>>, Path(provider): Path<String>) -> ApiResult {
    // Idempotent (v2.x): 200 even when nothing was configured.
    app.store().provider_governance.shift_remove(&provider);
    Ok(Json(MessageResponse {
        message: Some("Provider governance deleted successfully".to_string()),
    })
    .into_response())
}
