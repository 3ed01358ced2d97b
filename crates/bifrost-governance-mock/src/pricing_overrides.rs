//! `/api/governance/pricing-overrides`: custom pricing patches.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::{get, put};
use bifrost_governance_client::pricing::PricingPatch;
use bifrost_governance_client::types::{
    CreatePricingOverrideRequest, MessageResponse, PricingOverride, PricingOverrideList,
    PricingOverrideResponse, UpdatePricingOverrideRequest,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::errors::{ApiError, ApiResult};
use crate::pagination::{self, Strictness};
use crate::request::{self, Params, Presence};
use crate::state::{App, Sequenced, Store, in_creation_order};

/// Base request types a price can be overridden for (streaming variants are refused).
const REQUEST_TYPES: &[&str] = &[
    "chat_completion",
    "text_completion",
    "responses",
    "embedding",
    "speech",
    "transcription",
    "image_generation",
    "image_edit",
    "image_variation",
    "rerank",
    "ocr",
    "count_tokens",
    "mcp_tool_execution",
    "passthrough",
    "realtime",
];
/// Families of request types accepted by prefix.
const REQUEST_TYPE_FAMILIES: &[&str] = &["video_", "batch_", "file_", "container_"];

/// A stored pricing override.
#[derive(Debug, Clone)]
pub(crate) struct PricingOverrideRecord {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scope_kind: String,
    pub(crate) virtual_key_id: Option<String>,
    pub(crate) provider_id: Option<String>,
    pub(crate) provider_key_id: Option<String>,
    pub(crate) match_type: String,
    pub(crate) pattern: String,
    pub(crate) request_types: Vec<String>,
    pub(crate) patch: PricingPatch,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Sequenced for PricingOverrideRecord {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/pricing-overrides", get(list).post(create))
        .route(
            "/api/governance/pricing-overrides/{override_id}",
            put(update).delete(delete),
        )
}

fn render(store: &Store, po: &PricingOverrideRecord) -> PricingOverride {
    let provider_key_name = po
        .provider_key_id
        .as_ref()
        .and_then(|k| store.catalog.key_anywhere(k))
        .and_then(|k| k.name.clone());
    PricingOverride {
        config_hash: Some(String::new()),
        created_at: Some(po.created_at),
        id: po.id.clone(),
        match_type: Some(po.match_type.clone()),
        name: Some(po.name.clone()),
        patch: None,
        pattern: Some(po.pattern.clone()),
        pricing_patch: Some(serde_json::to_string(&po.patch).unwrap_or_else(|_| "{}".to_string())),
        provider_id: po.provider_id.clone(),
        provider_key_id: po.provider_key_id.clone(),
        provider_key_name,
        request_types: Some(po.request_types.clone()),
        scope_kind: Some(po.scope_kind.clone()),
        updated_at: Some(po.updated_at),
        user_id: None,
        virtual_key_id: po.virtual_key_id.clone(),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Pricing override not found")
}

/// Which ids each scope kind needs: (virtual key, provider, provider key).
fn required_ids(scope_kind: &str) -> Option<(bool, bool, bool)> {
    Some(match scope_kind {
        "global" => (false, false, false),
        "provider" => (false, true, false),
        "provider_key" => (false, false, true),
        "virtual_key" => (true, false, false),
        "virtual_key_provider" => (true, true, false),
        "virtual_key_provider_key" => (true, false, true),
        _ => return None,
    })
}

fn patch_values(patch: &PricingPatch) -> Vec<Option<f64>> {
    patch.prices().map(|(_, usd)| Some(usd)).collect()
}

/// `IsValid` upstream, plus checks that the referenced ids exist.
fn validate(store: &Store, po: &PricingOverrideRecord) -> Result<(), ApiError> {
    if po.name.trim().is_empty() {
        return Err(ApiError::bad_request("name is required"));
    }
    let (needs_vk, needs_provider, needs_key) = required_ids(&po.scope_kind)
        .ok_or_else(|| ApiError::bad_request(format!("invalid scope_kind: {}", po.scope_kind)))?;
    for (field, needed, value) in [
        ("virtual_key_id", needs_vk, &po.virtual_key_id),
        ("provider_id", needs_provider, &po.provider_id),
        ("provider_key_id", needs_key, &po.provider_key_id),
    ] {
        match (needed, value.is_some()) {
            (true, false) => {
                return Err(ApiError::bad_request(format!(
                    "{field} is required for scope_kind {}",
                    po.scope_kind
                )));
            }
            (false, true) => {
                return Err(ApiError::bad_request(format!(
                    "{field} is not allowed for scope_kind {}",
                    po.scope_kind
                )));
            }
            _ => {}
        }
    }
    if let Some(vk) = &po.virtual_key_id
        && !store.virtual_keys.contains_key(vk)
    {
        return Err(ApiError::bad_request(format!(
            "virtual key '{vk}' not found"
        )));
    }
    if let Some(provider) = &po.provider_id
        && store.catalog.provider(provider).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "invalid provider name: {provider}"
        )));
    }
    if let Some(key) = &po.provider_key_id
        && store.catalog.key_anywhere(key).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "provider key '{key}' not found"
        )));
    }
    let pattern = po.pattern.trim();
    if pattern.is_empty() {
        return Err(ApiError::bad_request("pattern is required"));
    }
    let stars = pattern.matches('*').count();
    match po.match_type.as_str() {
        "exact" if stars > 0 => {
            return Err(ApiError::bad_request(
                "pattern must not contain '*' when match_type is exact",
            ));
        }
        "wildcard" if stars != 1 || !pattern.ends_with('*') => {
            return Err(ApiError::bad_request(
                "wildcard pattern must contain exactly one '*', at the end",
            ));
        }
        "exact" | "wildcard" => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "invalid match_type: {other}"
            )));
        }
    }
    if po.request_types.is_empty() {
        return Err(ApiError::bad_request("request_types must not be empty"));
    }
    for request_type in &po.request_types {
        if request_type.ends_with("_stream") {
            return Err(ApiError::bad_request(format!(
                "streaming request type {request_type} is not allowed; use the base type"
            )));
        }
        let known = REQUEST_TYPES.contains(&request_type.as_str())
            || REQUEST_TYPE_FAMILIES
                .iter()
                .any(|f| request_type.len() > f.len() && request_type.starts_with(f));
        if !known {
            return Err(ApiError::bad_request(format!(
                "invalid request type: {request_type}"
            )));
        }
    }
    if patch_values(&po.patch)
        .into_iter()
        .flatten()
        .any(|v| !v.is_finite() || v < 0.0)
    {
        return Err(ApiError::bad_request(
            "pricing patch values must be non-negative numbers",
        ));
    }
    Ok(())
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.is_empty())
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let window = pagination::window(&params, &[], Strictness::Strict)?;
    let search = params.non_empty("search");
    let filters = [
        ("scope_kind", params.non_empty("scope_kind")),
        ("virtual_key_id", params.non_empty("virtual_key_id")),
        ("provider_id", params.non_empty("provider_id")),
        ("provider_key_id", params.non_empty("provider_key_id")),
    ];
    let store = app.store();
    let rows: Vec<_> = in_creation_order(&store.pricing_overrides)
        .into_iter()
        .filter(|po| {
            filters.iter().all(|(field, wanted)| {
                let Some(wanted) = wanted else { return true };
                let actual = match *field {
                    "scope_kind" => Some(po.scope_kind.as_str()),
                    "virtual_key_id" => po.virtual_key_id.as_deref(),
                    "provider_id" => po.provider_id.as_deref(),
                    _ => po.provider_key_id.as_deref(),
                };
                actual == Some(*wanted)
            })
        })
        .filter(|po| pagination::matches_search(&po.name, search))
        .collect();
    let page = pagination::paginate(rows, window).map(|po| render(&store, po));
    Ok(Json(PricingOverrideList {
        count: Some(page.count),
        limit: Some(page.limit),
        offset: Some(page.offset),
        pricing_overrides: Some(page.items),
        total_count: Some(page.total_count),
    })
    .into_response())
}

fn respond(store: &Store, id: &str, status: StatusCode, message: &str) -> ApiResult {
    let po = store.pricing_overrides.get(id).ok_or_else(not_found)?;
    Ok((
        status,
        Json(PricingOverrideResponse {
            message: Some(message.to_string()),
            pricing_override: render(store, po),
        }),
    )
        .into_response())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::require_name(&body, "name", "name is required")?;
    let req: CreatePricingOverrideRequest = request::decode(&body)?;
    let mut store = app.store();
    let now = store.clock.now();
    let record = PricingOverrideRecord {
        seq: store.clock.next_seq(),
        id: store.clock.new_id(),
        name: req.name.trim().to_string(),
        scope_kind: req.scope_kind.to_string(),
        virtual_key_id: non_empty(&req.virtual_key_id),
        provider_id: non_empty(&req.provider_id),
        provider_key_id: non_empty(&req.provider_key_id),
        match_type: req.match_type.to_string(),
        pattern: req.pattern.trim().to_string(),
        request_types: req.request_types.clone(),
        patch: req.patch.clone(),
        created_at: now,
        updated_at: now,
    };
    validate(&store, &record)?;
    let id = record.id.clone();
    store.pricing_overrides.insert(id.clone(), record);
    respond(
        &store,
        &id,
        StatusCode::CREATED,
        "Pricing override created successfully",
    )
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::reject_blank(&body, "name", "name is required")?;
    let req: UpdatePricingOverrideRequest = request::decode(&body)?;
    let mut store = app.store();
    let mut next = store
        .pricing_overrides
        .get(&id)
        .ok_or_else(not_found)?
        .clone();
    if let Some(name) = &req.name {
        next.name = name.trim().to_string();
    }
    if let Some(scope_kind) = req.scope_kind.map(|k| k.to_string())
        && scope_kind != next.scope_kind
    {
        // A new scope starts without ids unless they are sent again.
        next.scope_kind = scope_kind;
        next.virtual_key_id = None;
        next.provider_id = None;
        next.provider_key_id = None;
    }
    for (field, slot) in [
        ("virtual_key_id", &mut next.virtual_key_id),
        ("provider_id", &mut next.provider_id),
        ("provider_key_id", &mut next.provider_key_id),
    ] {
        match request::presence(&body, field) {
            Presence::Absent => {}
            Presence::Cleared => *slot = None,
            Presence::Value(v) => *slot = Some(v.to_string()),
        }
    }
    if let Some(match_type) = req.match_type {
        next.match_type = match_type.to_string();
    }
    if let Some(pattern) = &req.pattern {
        next.pattern = pattern.trim().to_string();
    }
    if let Some(request_types) = &req.request_types {
        next.request_types = request_types.clone();
    }
    if let Some(patch) = &req.patch {
        next.patch = patch.clone();
    }
    validate(&store, &next)?;
    next.updated_at = store.clock.now();
    store.pricing_overrides.insert(id.clone(), next);
    respond(
        &store,
        &id,
        StatusCode::OK,
        "Pricing override updated successfully",
    )
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .pricing_overrides
        .shift_remove(&id)
        .ok_or_else(not_found)?;
    Ok(Json(MessageResponse {
        message: Some("Pricing override deleted successfully".to_string()),
    })
    .into_response())
}
