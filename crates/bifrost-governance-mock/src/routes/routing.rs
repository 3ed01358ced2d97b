//! Routing rules: `/api/governance/routing-rules` (1.5.2, `gov.go`), and on v2 also
//! `/api/routing/rules`, one handler for both paths (`routing.go RegisterRoutes`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::app::App;
use crate::cel;
use crate::errors::{ApiError, ApiResult, GoJson};
use crate::gojson::{Go, go_quote};
use crate::pagination::{self, envelope, envelope_all};
use crate::profile::{MemoryRoute, Profile, fill};
use crate::render::{self, Ctx, TargetOrder};
use crate::request::{self, Params, zero_if_null};
use crate::routes::keys::message;
use crate::routes::single;
use crate::store::Store;
use crate::store::records::{Fallback, RoutingRule, RoutingTarget};

/// Provider names Bifrost knows (`core/schemas/bifrost.go StandardProviders`), what
/// `ParseModelString` and the fallback checks accept as a prefix.
const KNOWN_PROVIDERS: &[&str] = &[
    "anthropic",
    "azure",
    "bedrock",
    "cerebras",
    "cohere",
    "gemini",
    "groq",
    "mistral",
    "ollama",
    "openai",
    "parasail",
    "perplexity",
    "sgl",
    "vertex",
    "openrouter",
    "elevenlabs",
    "huggingface",
    "nebius",
    "xai",
    "replicate",
    "vllm",
    "runway",
    "fireworks",
];

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

/// `RoutingTarget` of a request.
#[derive(Debug, Clone, Default, Deserialize)]
struct TargetIn {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    key_id: Option<String>,
    #[serde(default, deserialize_with = "zero_if_null")]
    weight: f64,
    /// v2.
    #[serde(default)]
    ttft_timeout_ms: Option<i64>,
}

/// `CreateRoutingRuleRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
struct CreateRule {
    #[serde(default, deserialize_with = "zero_if_null")]
    name: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    description: String,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    chain_rule: Option<bool>,
    #[serde(default, deserialize_with = "zero_if_null")]
    cel_expression: String,
    #[serde(default)]
    targets: Option<Vec<TargetIn>>,
    #[serde(default)]
    fallbacks: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "zero_if_null")]
    scope: String,
    #[serde(default)]
    scope_id: Option<String>,
    #[serde(default)]
    query: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "zero_if_null")]
    priority: i64,
}

/// `UpdateRoutingRuleRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
struct UpdateRule {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    chain_rule: Option<bool>,
    #[serde(default)]
    cel_expression: Option<String>,
    #[serde(default)]
    targets: Option<Vec<TargetIn>>,
    #[serde(default)]
    fallbacks: Option<Vec<Value>>,
    #[serde(default)]
    query: Option<Map<String, Value>>,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scope_id: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::not_found("Routing rule not found")
}

/// `schemas.ParseModelString`'s provider: the text before the first `/`, when it
/// names a known provider.
fn known_prefix(text: &str) -> Option<&str> {
    let (provider, _) = text.split_once('/')?;
    KNOWN_PROVIDERS.contains(&provider).then_some(provider)
}

/// Reads `fallbacks`: 1.5.x takes only strings (`[]string`, anything else fails to
/// decode); v2 also `{provider, model, key_id, provider_key_name}` objects, trimmed
/// (`RoutingFallback.UnmarshalJSON`).
fn read_fallbacks(
    profile: Profile,
    raw: &Option<Vec<Value>>,
) -> Result<Option<Vec<Fallback>>, ApiError> {
    let invalid = || ApiError::bad_request("Invalid JSON");
    let Some(items) = raw else { return Ok(None) };
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(Fallback::Text(text.clone())),
            Value::Object(map) if profile.has_routing_v2_fields() => {
                let field = |name: &str| -> Result<Option<String>, ApiError> {
                    match map.get(name) {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s.clone())),
                        Some(_) => Err(invalid()),
                    }
                };
                Ok(Fallback::Object {
                    provider: field("provider")?.unwrap_or_default().trim().to_string(),
                    model: field("model")?.unwrap_or_default().trim().to_string(),
                    key_id: field("key_id")?.map(|k| k.trim().to_string()),
                    provider_key_name: field("provider_key_name")?,
                })
            }
            _ => Err(invalid()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `validateRoutingFallbacks`.
fn check_fallbacks(profile: Profile, fallbacks: &[Fallback]) -> Result<(), ApiError> {
    let unknown = |i: usize, shown: &str| {
        ApiError::bad_request(format!(
            "fallbacks[{i}] {} is invalid: must use a known provider prefix (e.g. \"openai/gpt-4o\" or \"azure/\" for the incoming model)",
            go_quote(shown)
        ))
    };
    for (i, fallback) in fallbacks.iter().enumerate() {
        match fallback {
            Fallback::Text(text) => {
                if profile.is_v1_5() && text.trim().is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "fallbacks[{i}] must not be empty"
                    )));
                }
                if known_prefix(text).is_none() {
                    return Err(unknown(i, text));
                }
            }
            Fallback::Object {
                provider,
                model,
                provider_key_name,
                ..
            } => {
                if !KNOWN_PROVIDERS.contains(&provider.as_str()) {
                    let shown = if provider.is_empty() {
                        model.clone()
                    } else {
                        format!("{provider}/{model}")
                    };
                    return Err(unknown(i, &shown));
                }
                if provider_key_name.is_some() {
                    return Err(ApiError::bad_request(format!(
                        "fallbacks[{i}] provider_key_name is a config.json-only field; send key_id over the API"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// `validateRoutingTargets`.
fn check_targets(profile: Profile, targets: &[TargetIn]) -> Result<(), ApiError> {
    let mut seen: Vec<String> = Vec::new();
    let mut total = 0.0;
    for t in targets {
        if t.weight < 0.0 {
            return Err(ApiError::bad_request("each target weight must be positive"));
        }
        if t.key_id.as_deref().is_some_and(|k| !k.is_empty())
            && t.provider.as_deref().is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request("key_id requires provider to be set"));
        }
        if profile.has_routing_v2_fields()
            && let Some(ms) = t.ttft_timeout_ms
            && !(0..=300_000).contains(&ms)
        {
            return Err(ApiError::bad_request(
                "ttft_timeout_ms must be between 1 and 300000 (0 disables it)",
            ));
        }
        let provider = t.provider.clone().unwrap_or_default().to_lowercase();
        let model = t.model.clone().unwrap_or_default().to_lowercase();
        let key_id = t.key_id.clone().unwrap_or_default();
        let identity = format!("{provider}|{model}|{key_id}");
        if seen.contains(&identity) {
            return Err(ApiError::bad_request(format!(
                "duplicate target entry: provider={} model={} key_id={}",
                go_quote(&provider),
                go_quote(&model),
                go_quote(&key_id)
            )));
        }
        seen.push(identity);
        total += t.weight;
    }
    if (total - 1.0).abs() > 0.001 {
        return Err(ApiError::bad_request(format!(
            "target weights must sum to 1, got {total:.4}"
        )));
    }
    Ok(())
}

fn to_targets(profile: Profile, targets: &[TargetIn]) -> Vec<RoutingTarget> {
    targets
        .iter()
        .map(|t| RoutingTarget {
            provider: t.provider.clone(),
            model: t.model.clone(),
            key_id: t.key_id.clone(),
            weight: t.weight,
            ttft_timeout_ms: t
                .ttft_timeout_ms
                .filter(|ms| profile.has_routing_v2_fields() && *ms > 0),
        })
        .collect()
}

/// `validateRoutingScope`.
fn check_scope(profile: Profile, scope: &str) -> Result<(), ApiError> {
    let mut valid = vec!["global", "team", "customer", "virtual_key"];
    if profile.verifies_routing_scope() {
        valid.push("user");
    }
    if !valid.contains(&scope) {
        return Err(ApiError::bad_request(fill(
            profile.texts().routing_invalid_scope,
            &[&go_quote(scope)],
        )));
    }
    Ok(())
}

/// v2: a team, customer or virtual-key scope id must exist (`user` is not checked).
fn check_scope_owner(store: &Store, scope: &str, scope_id: &str) -> Result<(), ApiError> {
    let (exists, what) = match scope {
        "team" => (store.teams.contains_key(scope_id), "team"),
        "customer" => (store.customers.contains_key(scope_id), "customer"),
        "virtual_key" => (store.virtual_keys.contains_key(scope_id), "virtual key"),
        _ => return Ok(()),
    };
    if exists {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} '{scope_id}' not found: routing rule scope_id not found"
        )))
    }
}

/// The CEL check of v2 (an empty expression, which matches every request, passes).
fn check_cel(profile: Profile, expression: &str) -> Result<(), ApiError> {
    if profile.validates_cel() && !expression.trim().is_empty() {
        cel::check(expression)
            .map_err(|e| ApiError::bad_request(format!("invalid CEL expression: {e}")))?;
    }
    Ok(())
}

/// What `%v` of a Go `*string` prints: an address, not the id.
fn pointer_text(id: &str) -> String {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("0xc{:09x}", hash & 0xf_ffff_fff8)
}

/// `CreateRoutingRule`/`UpdateRoutingRule` store checks: the `(scope, scope_id,
/// priority)` clash and the `(name, scope, scope_id)` unique index (NULL scope ids
/// never collide).
fn store_checks(store: &Store, rule: &RoutingRule) -> Result<(), String> {
    let clash = store.routing_rules.values().any(|r| {
        r.id != rule.id
            && r.scope == rule.scope
            && r.scope_id == rule.scope_id
            && r.priority == rule.priority
    });
    if clash {
        return Err(match &rule.scope_id {
            Some(id) => format!(
                "routing rule with priority {} already exists for scope '{}' with scopeID '{}'",
                rule.priority,
                rule.scope,
                pointer_text(id)
            ),
            None => format!(
                "routing rule with priority {} already exists for scope '{}'",
                rule.priority, rule.scope
            ),
        });
    }
    if rule.scope_id.is_some()
        && store.routing_rules.values().any(|r| {
            r.id != rule.id
                && r.name == rule.name
                && r.scope == rule.scope
                && r.scope_id == rule.scope_id
        })
    {
        return Err(
            "a record with this scope id already exists. Please use a different value".to_string(),
        );
    }
    Ok(())
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
    let count = items.len();
    Ok(GoJson::ok(envelope(
        "rules",
        Go::Array(items),
        count,
        total,
        limit,
        offset,
    ))
    .into_response())
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
