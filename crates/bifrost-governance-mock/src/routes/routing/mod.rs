//! Routing rules: `/api/governance/routing-rules` (1.5.2, `gov.go`), and on v2 also
//! `/api/routing/rules`, one handler for both paths (`routing.go RegisterRoutes`).
//! The request bodies and their checks are in [`checks`].

mod checks;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson};
use crate::gojson::Go;
use crate::pagination::{self, envelope, envelope_all};
use crate::profile::{MemoryRoute, Profile};
use crate::render::{self, Ctx, TargetOrder};
use crate::request::{self, Params};
use crate::routes::keys::message;
use crate::routes::single;
use crate::store::Store;
use crate::store::records::RoutingRule;
use checks::*;

/// Routes of this resource.
pub(crate) fn routes(profile: Profile) -> Router<Arc<App>> {
    let mut router = Router::new()
        .route("/api/governance/routing-rules", get(list).post(create))
        .route(
            "/api/governance/routing-rules/{rule_id}",
            get(get_one).put(update).delete(delete),
        );
    if profile.has_routing_api() {
        router = router
            .route("/api/routing/rules", get(list).post(create))
            .route(
                "/api/routing/rules/{rule_id}",
                get(get_one).put(update).delete(delete),
            );
    }
    router
}

/// Rules as the store reads them: `priority ASC, created_at DESC, id ASC`.
fn ordered<'a>(rules: impl Iterator<Item = &'a RoutingRule>) -> Vec<&'a RoutingRule> {
    let mut rows: Vec<&RoutingRule> = rules.collect();
    rows.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then_with(|| b.created_at.cmp(&a.created_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

fn render_all(store: &Store, profile: Profile, rows: Vec<&RoutingRule>) -> Vec<Go> {
    let ctx = Ctx::new(store, profile);
    rows.into_iter()
        .map(|r| render::routing_rule(ctx, r, TargetOrder::Stored))
        .collect()
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let scope = params.peek("scope");
    let scope_id = params.peek("scope_id");
    if params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::RoutingRules) {
        // In-memory rules: filtered, disabled ones included, `null` when none.
        let rows: Vec<&RoutingRule> = store
            .routing_rules
            .values()
            .filter(|r| scope.is_empty() || r.scope == scope)
            .filter(|r| {
                scope_id.is_empty() || r.scope_id.as_deref().unwrap_or_default() == scope_id
            })
            .collect();
        let items = render_all(&store, profile, rows);
        let n = items.len();
        let rules = if items.is_empty() {
            Go::Null
        } else {
            Go::Array(items)
        };
        return Ok(GoJson::ok(envelope("rules", rules, n, n as i64, n as i64, 0)).into_response());
    }
    if !scope.is_empty() || !scope_id.is_empty() {
        // `GetRoutingRulesByScope`: enabled rules only, no paging.
        if scope != "global" && scope_id.is_empty() {
            return Err(ApiError::internal("Failed to get routing rules"));
        }
        let rows = ordered(store.routing_rules.values().filter(|r| {
            r.enabled
                && r.scope == scope
                && (scope == "global" || r.scope_id.as_deref() == Some(scope_id))
        }));
        let items = render_all(&store, profile, rows);
        return Ok(GoJson::ok(envelope_all("rules", items)).into_response());
    }
    if !pagination::any_set(&params, &["limit", "offset", "search"]) {
        let items = render_all(&store, profile, ordered(store.routing_rules.values()));
        return Ok(GoJson::ok(envelope_all("rules", items)).into_response());
    }
    let (limit, offset) = pagination::clamp(
        pagination::strict(&params, "limit")?,
        pagination::strict(&params, "offset")?,
    );
    let search = params.peek("search");
    let rows = ordered(store.routing_rules.values().filter(|r| {
        pagination::matches(&r.name, search) || pagination::matches(&r.cel_expression, search)
    }));
    let total = rows.len() as i64;
    let items = render_all(&store, profile, pagination::slice(rows, limit, offset));
    Ok(GoJson::ok(pagination::page("rules", items, total, limit, offset)).into_response())
}

fn respond(
    store: &Store,
    profile: Profile,
    rule: &RoutingRule,
    order: TargetOrder,
    message: Option<&str>,
) -> ApiResult {
    let body = render::routing_rule(Ctx::new(store, profile), rule, order);
    Ok(GoJson::ok(single("rule", body, message)).into_response())
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let rule = store.routing_rules.get(&id).ok_or_else(not_found)?;
    respond(&store, app.profile(), rule, TargetOrder::Stored, None)
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: CreateRule = request::decode(&body)?;
    let fallbacks = read_fallbacks(profile, &req.fallbacks)?.unwrap_or_default();
    if req.name.is_empty() {
        return Err(ApiError::bad_request("name field is required"));
    }
    let targets = req.targets.clone().unwrap_or_default();
    if targets.is_empty() {
        return Err(ApiError::bad_request("at least one target is required"));
    }
    check_targets(profile, &targets)?;
    check_fallbacks(profile, &fallbacks)?;
    check_cel(profile, &req.cel_expression)?;
    let scope = if req.scope.is_empty() {
        "global".to_string()
    } else {
        req.scope.clone()
    };
    check_scope(profile, &scope)?;
    let scope_id = if scope == "global" {
        None
    } else {
        Some(
            req.scope_id
                .clone()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request("scope_id field is required when scope is not global")
                })?,
        )
    };
    let mut store = app.store();
    if profile.verifies_routing_scope()
        && let Some(id) = &scope_id
    {
        check_scope_owner(&store, &scope, id)?;
    }
    let now = store.clock.now();
    let rule = RoutingRule {
        id: store.clock.new_id(),
        name: req.name.clone(),
        description: req.description.clone(),
        enabled: req.enabled.unwrap_or(true),
        cel_expression: req.cel_expression.clone(),
        targets: to_targets(profile, &targets),
        fallbacks,
        query: req.query.clone().filter(|q| !q.is_empty()),
        scope,
        scope_id,
        chain_rule: req.chain_rule.unwrap_or(false),
        priority: req.priority,
        created_at: now,
        updated_at: now,
    };
    store_checks(&store, &rule)
        .map_err(|e| ApiError::internal(format!("Failed to create routing rule: {e}")))?;
    store.put(&rule.id.clone(), rule.clone());
    respond(
        &store,
        profile,
        &rule,
        TargetOrder::AsSent,
        Some("Routing rule created successfully"),
    )
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: UpdateRule = request::decode(&body)?;
    let fallbacks = read_fallbacks(profile, &req.fallbacks)?;
    let mut store = app.store();
    let mut rule = store
        .routing_rules
        .get(&id)
        .cloned()
        .ok_or_else(not_found)?;
    if let Some(name) = req.name.as_ref().filter(|n| !n.is_empty()) {
        rule.name = name.clone();
    }
    if let Some(description) = &req.description {
        rule.description = description.clone();
    }
    if let Some(enabled) = req.enabled {
        rule.enabled = enabled;
    }
    if let Some(chain) = req.chain_rule {
        rule.chain_rule = chain;
    }
    if let Some(cel) = &req.cel_expression {
        check_cel(profile, cel)?;
        rule.cel_expression = cel.clone();
    }
    let mut order = TargetOrder::Stored;
    if let Some(targets) = &req.targets {
        if targets.is_empty() {
            return Err(ApiError::bad_request(
                "at least one routing target is required",
            ));
        }
        check_targets(profile, targets)?;
        rule.targets = to_targets(profile, targets);
        order = TargetOrder::AsSent;
    }
    if let Some(priority) = req.priority {
        rule.priority = priority;
    }
    if let Some(query) = &req.query {
        rule.query = (!query.is_empty()).then(|| query.clone());
    }
    if let Some(fallbacks) = fallbacks {
        check_fallbacks(profile, &fallbacks)?;
        rule.fallbacks = fallbacks;
    }
    if let Some(scope) = req.scope.as_ref().filter(|s| !s.is_empty()) {
        check_scope(profile, scope)?;
        rule.scope = scope.clone();
    }
    if let Some(scope_id) = &req.scope_id {
        rule.scope_id = Some(scope_id.clone());
    }
    if rule.scope == "global" {
        rule.scope_id = None;
    } else if rule.scope_id.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::bad_request(
            "scope_id field is required when scope is not global",
        ));
    }
    if profile.verifies_routing_scope()
        && (req.scope.is_some() || req.scope_id.is_some())
        && let Some(scope_id) = &rule.scope_id
    {
        check_scope_owner(&store, &rule.scope, scope_id)?;
    }
    store_checks(&store, &rule).map_err(|e| {
        ApiError::internal(format!("Failed to update routing rule in database: {e}"))
    })?;
    rule.updated_at = store.clock.now();
    store.put(&id, rule.clone());
    respond(
        &store,
        profile,
        &rule,
        order,
        Some("Routing rule updated successfully"),
    )
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store.remove::<RoutingRule>(&id).ok_or_else(not_found)?;
    Ok(GoJson::ok(message("Routing rule deleted successfully")).into_response())
}
