//! `/api/governance/routing-rules`: CEL-driven routing with weighted targets.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use bifrost_governance_client::fallback::Fallback;
use bifrost_governance_client::types::{
    CreateRoutingRuleRequest, MessageResponse, RoutingRule, RoutingRuleList, RoutingRuleResponse,
    RoutingTarget, RoutingTargetRequest, UpdateRoutingRuleRequest,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};
use crate::pagination::{self, Strictness};
use crate::request::{self, Params};
use crate::state::{App, Sequenced, Store, in_creation_order};

/// Accepted routing scopes.
const SCOPES: &[&str] = &["global", "team", "customer", "virtual_key"];

/// A stored routing rule.
#[derive(Debug, Clone)]
pub(crate) struct RoutingRuleRecord {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) enabled: bool,
    pub(crate) chain_rule: bool,
    pub(crate) cel_expression: String,
    pub(crate) targets: Vec<RoutingTarget>,
    pub(crate) fallbacks: Vec<Fallback>,
    pub(crate) query: Option<Map<String, Value>>,
    pub(crate) scope: String,
    pub(crate) scope_id: Option<String>,
    pub(crate) priority: i64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Sequenced for RoutingRuleRecord {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/routing/rules", get(list).post(create))
        .route(
            "/api/routing/rules/{rule_id}",
            get(get_one).put(update).delete(delete),
        )
        .route("/api/governance/routing-rules", get(list).post(create))
        .route(
            "/api/governance/routing-rules/{rule_id}",
            get(get_one).put(update).delete(delete),
        )
}

fn render(rule: &RoutingRuleRecord) -> RoutingRule {
    RoutingRule {
        cel_expression: Some(rule.cel_expression.clone()),
        chain_rule: Some(rule.chain_rule),
        config_hash: Some(String::new()),
        created_at: Some(rule.created_at),
        description: Some(rule.description.clone()),
        enabled: Some(rule.enabled),
        fallbacks: Some(rule.fallbacks.clone()),
        id: rule.id.clone(),
        name: Some(rule.name.clone()),
        priority: Some(rule.priority),
        ttft_timeout_ms: None,
        query: rule.query.clone(),
        scope: Some(rule.scope.clone()),
        scope_id: rule.scope_id.clone(),
        targets: Some(rule.targets.clone()),
        updated_at: Some(rule.updated_at),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Routing rule not found")
}

/// Checks and normalises targets: at least one, non-negative weights summing to
/// 1 ± 0.001, `key_id` only with a provider, no repeated (provider, model, key_id).
/// Returns them sorted by weight (descending), provider, model, key_id.
fn build_targets(
    store: &Store,
    requests: &[RoutingTargetRequest],
) -> Result<Vec<RoutingTarget>, ApiError> {
    if requests.is_empty() {
        return Err(ApiError::bad_request(
            "at least one routing target is required",
        ));
    }
    let mut targets: Vec<RoutingTarget> = Vec::with_capacity(requests.len());
    let mut sum = 0.0;
    for req in requests {
        if !req.weight.is_finite() || req.weight < 0.0 {
            return Err(ApiError::bad_request(format!(
                "routing target weight cannot be negative: {}",
                req.weight
            )));
        }
        sum += req.weight;
        let provider = req.provider.clone().filter(|p| !p.is_empty());
        let model = req.model.clone().filter(|m| !m.is_empty());
        let key_id = req.key_id.clone().filter(|k| !k.is_empty());
        if let Some(provider) = &provider
            && !store.catalog.is_known_provider(provider)
        {
            return Err(ApiError::bad_request(format!(
                "invalid provider name in routing target: {provider}"
            )));
        }
        let provider_key_name = match (&key_id, &provider) {
            (Some(_), None) => {
                return Err(ApiError::bad_request(
                    "routing target key_id requires a provider",
                ));
            }
            (Some(key_id), Some(provider)) => Some(
                store
                    .catalog
                    .key(provider, key_id)
                    .and_then(|k| k.name.clone())
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "key {key_id} not found for provider {provider}"
                        ))
                    })?,
            ),
            (None, _) => None,
        };
        if targets
            .iter()
            .any(|t| t.provider == provider && t.model == model && t.key_id == key_id)
        {
            return Err(ApiError::bad_request(
                "duplicate routing target (same provider, model and key_id)",
            ));
        }
        targets.push(RoutingTarget {
            key_id,
            model,
            provider,
            provider_key_name,
            weight: Some(req.weight),
            ttft_timeout_ms: req.ttft_timeout_ms.filter(|ms| *ms > 0),
        });
    }
    if (sum - 1.0).abs() > 0.001 {
        return Err(ApiError::bad_request(format!(
            "routing target weights must sum to 1 (got {sum})"
        )));
    }
    targets.sort_by(|a, b| {
        b.weight
            .unwrap_or_default()
            .total_cmp(&a.weight.unwrap_or_default())
            .then_with(|| a.provider.cmp(&b.provider))
            .then_with(|| a.model.cmp(&b.model))
            .then_with(|| a.key_id.cmp(&b.key_id))
    });
    Ok(targets)
}

fn check_fallbacks(store: &Store, fallbacks: &[Fallback]) -> Result<(), ApiError> {
    for fallback in fallbacks {
        let provider = fallback.provider();
        if !store.catalog.is_known_provider(provider) {
            return Err(ApiError::bad_request(format!(
                "invalid fallback {fallback:?}: unknown provider {provider:?}"
            )));
        }
    }
    Ok(())
}

/// Checks scope and owner, and normalises `scope_id` (null for global).
fn check_scope(
    store: &Store,
    scope: &str,
    scope_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    if !SCOPES.contains(&scope) {
        return Err(ApiError::bad_request(format!(
            "invalid scope {scope:?}: must be one of global, team, customer, virtual_key"
        )));
    }
    if scope == "global" {
        return Ok(None);
    }
    let scope_id = scope_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("scope_id is required for scope {scope}")))?;
    let exists = match scope {
        "team" => store.teams.contains_key(&scope_id),
        "customer" => store.customers.contains_key(&scope_id),
        _ => store.virtual_keys.contains_key(&scope_id),
    };
    if !exists {
        let what = scope.replace('_', " ");
        return Err(ApiError::bad_request(format!(
            "{what} '{scope_id}' not found"
        )));
    }
    Ok(Some(scope_id))
}

/// `(scope, scope_id, name)` is unique.
fn check_unique(store: &Store, rule: &RoutingRuleRecord) -> Result<(), ApiError> {
    if store.routing_rules.values().any(|r| {
        r.id != rule.id
            && r.scope == rule.scope
            && r.scope_id == rule.scope_id
            && r.name == rule.name
    }) {
        return Err(ApiError::conflict(
            "A routing rule with this name already exists in this scope",
        ));
    }
    Ok(())
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let scope = params.non_empty("scope");
    let scope_id = params.non_empty("scope_id");
    // A scope filter takes the unpaged path and ignores the paging parameters.
    let filtered = scope.is_some() || scope_id.is_some();
    let window = if filtered {
        None
    } else {
        pagination::window(&params, &[], Strictness::Strict)?
    };
    let search = if filtered {
        None
    } else {
        params.non_empty("search")
    };
    let store = app.store();
    let mut rows: Vec<_> = in_creation_order(&store.routing_rules)
        .into_iter()
        .filter(|r| scope.is_none_or(|s| r.scope == s))
        .filter(|r| scope_id.is_none_or(|s| r.scope_id.as_deref() == Some(s)))
        .filter(|r| {
            pagination::matches_search(&r.name, search)
                || pagination::matches_search(&r.cel_expression, search)
        })
        .collect();
    rows.sort_by(|a, b| a.priority.cmp(&b.priority).then(b.seq.cmp(&a.seq)));
    let page = pagination::paginate(rows, window).map(render);
    Ok(Json(RoutingRuleList {
        count: Some(page.count),
        limit: Some(page.limit),
        offset: Some(page.offset),
        rules: Some(page.items),
        total_count: Some(page.total_count),
    })
    .into_response())
}

fn respond(store: &Store, id: &str, message: Option<&str>) -> ApiResult {
    let rule = store.routing_rules.get(id).ok_or_else(not_found)?;
    Ok(Json(RoutingRuleResponse {
        message: message.map(str::to_string),
        rule: render(rule),
    })
    .into_response())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::require_name(&body, "name", "Routing rule name is required")?;
    let req: CreateRoutingRuleRequest = request::decode(&body)?;
    let mut store = app.store();
    let targets = build_targets(&store, &req.targets)?;
    let fallbacks = req.fallbacks.clone().unwrap_or_default();
    check_fallbacks(&store, &fallbacks)?;
    let scope = req
        .scope
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "global".to_string());
    let scope_id = check_scope(&store, &scope, req.scope_id.clone())?;
    let now = store.clock.now();
    let rule = RoutingRuleRecord {
        seq: store.clock.next_seq(),
        id: store.clock.new_id(),
        name: req.name.trim().to_string(),
        description: req.description.clone().unwrap_or_default(),
        enabled: req.enabled.unwrap_or(true),
        chain_rule: req.chain_rule.unwrap_or(false),
        cel_expression: req.cel_expression.clone().unwrap_or_default(),
        targets,
        fallbacks,
        query: req.query.clone(),
        scope,
        scope_id,
        priority: req.priority.unwrap_or(0),
        created_at: now,
        updated_at: now,
    };
    check_unique(&store, &rule)?;
    let id = rule.id.clone();
    store.routing_rules.insert(id.clone(), rule);
    respond(&store, &id, Some("Routing rule created successfully"))
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    respond(&store, &id, None)
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    let req: UpdateRoutingRuleRequest = request::decode(&body)?;
    let mut store = app.store();
    let mut next = store.routing_rules.get(&id).ok_or_else(not_found)?.clone();
    // An empty name is ignored, like upstream.
    if let Some(name) = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        next.name = name.to_string();
    }
    if let Some(description) = &req.description {
        next.description = description.clone();
    }
    if let Some(enabled) = req.enabled {
        next.enabled = enabled;
    }
    if let Some(chain_rule) = req.chain_rule {
        next.chain_rule = chain_rule;
    }
    if let Some(cel) = &req.cel_expression {
        next.cel_expression = cel.clone();
    }
    if let Some(targets) = &req.targets {
        next.targets = build_targets(&store, targets)?;
    }
    if let Some(fallbacks) = &req.fallbacks {
        check_fallbacks(&store, fallbacks)?;
        next.fallbacks = fallbacks.clone();
    }
    if let Some(query) = &req.query {
        next.query = Some(query.clone());
    }
    if let Some(priority) = req.priority {
        next.priority = priority;
    }
    // The owner is checked again only when the scope changes.
    let new_scope = req.scope.clone().filter(|s| !s.is_empty());
    if new_scope.is_some() || req.scope_id.is_some() {
        if let Some(scope) = new_scope {
            next.scope = scope;
        }
        let scope_id = req.scope_id.clone().or_else(|| next.scope_id.clone());
        next.scope_id = check_scope(&store, &next.scope, scope_id)?;
    }
    check_unique(&store, &next)?;
    next.updated_at = store.clock.now();
    store.routing_rules.insert(id.clone(), next);
    respond(&store, &id, Some("Routing rule updated successfully"))
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .routing_rules
        .shift_remove(&id)
        .ok_or_else(not_found)?;
    Ok(Json(MessageResponse {
        message: Some("Routing rule deleted successfully".to_string()),
    })
    .into_response())
}
