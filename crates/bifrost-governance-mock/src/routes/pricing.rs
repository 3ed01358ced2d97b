//! `/api/governance/pricing-overrides` (`gov.go` getPricingOverrides…; the checks of
//! `modelcatalog.PricingOverride.IsValid`; v2 adds the `user*` scopes).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use serde::Deserialize;
use serde_json::Value;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson};
use crate::gojson::{Go, go_quote};
use crate::pagination::{self, envelope_all};
use crate::profile::Profile;
use crate::render::{self, Ctx};
use crate::request::{self, Field, Params, zero_if_null};
use crate::routes::keys::message;
use crate::routes::single;
use crate::store::Store;
use crate::store::records::PricingOverride;

/// `modelcatalog.PricingOptions`, in field order (`framework/modelcatalog/pricing.go`).
const PRICE_FIELDS: &[&str] = &[
    "input_cost_per_token",
    "output_cost_per_token",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "input_cost_per_token_priority",
    "output_cost_per_token_priority",
    "input_cost_per_token_flex",
    "output_cost_per_token_flex",
    "input_cost_per_character",
    "input_cost_per_token_above_128k_tokens",
    "input_cost_per_image_above_128k_tokens",
    "input_cost_per_video_per_second_above_128k_tokens",
    "input_cost_per_audio_per_second_above_128k_tokens",
    "output_cost_per_token_above_128k_tokens",
    "input_cost_per_token_above_200k_tokens",
    "input_cost_per_token_above_200k_tokens_priority",
    "output_cost_per_token_above_200k_tokens",
    "output_cost_per_token_above_200k_tokens_priority",
    "input_cost_per_token_above_272k_tokens",
    "input_cost_per_token_above_272k_tokens_priority",
    "output_cost_per_token_above_272k_tokens",
    "output_cost_per_token_above_272k_tokens_priority",
    "cache_creation_input_token_cost",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost_above_200k_tokens",
    "cache_read_input_token_cost_above_200k_tokens",
    "cache_read_input_token_cost_above_200k_tokens_priority",
    "cache_creation_input_token_cost_above_1hr",
    "cache_creation_input_token_cost_above_1hr_above_200k_tokens",
    "cache_creation_input_audio_token_cost",
    "cache_read_input_token_cost_priority",
    "cache_read_input_token_cost_flex",
    "cache_read_input_image_token_cost",
    "cache_read_input_token_cost_above_272k_tokens",
    "cache_read_input_token_cost_above_272k_tokens_priority",
    "input_cost_per_image",
    "input_cost_per_pixel",
    "output_cost_per_image",
    "output_cost_per_pixel",
    "output_cost_per_image_premium_image",
    "output_cost_per_image_above_512_and_512_pixels",
    "output_cost_per_image_above_512_and_512_pixels_and_premium_image",
    "output_cost_per_image_above_1024_and_1024_pixels",
    "output_cost_per_image_above_1024_and_1024_pixels_and_premium_image",
    "output_cost_per_image_above_2048_and_2048_pixels",
    "output_cost_per_image_above_4096_and_4096_pixels",
    "output_cost_per_image_low_quality",
    "output_cost_per_image_medium_quality",
    "output_cost_per_image_high_quality",
    "output_cost_per_image_auto_quality",
    "input_cost_per_image_token",
    "output_cost_per_image_token",
    "input_cost_per_audio_token",
    "input_cost_per_audio_per_second",
    "input_cost_per_second",
    "input_cost_per_video_per_second",
    "output_cost_per_audio_token",
    "output_cost_per_video_per_second",
    "output_cost_per_second",
    "search_context_cost_per_query",
    "code_interpreter_cost_per_session",
    "ocr_cost_per_page",
    "annotation_cost_per_page",
];

/// Base request types a price applies to (`normalizeRequestType` knows them).
const REQUEST_TYPES: &[&str] = &[
    "text_completion",
    "chat_completion",
    "responses",
    "realtime",
    "embedding",
    "rerank",
    "speech",
    "transcription",
    "image_generation",
    "image_variation",
    "image_edit",
    "video_generation",
    "video_remix",
    "ocr",
    "container_create",
];

/// Streaming request types and their base type (`normalizeStreamRequestType`).
const STREAM_TYPES: &[(&str, &str)] = &[
    ("text_completion_stream", "text_completion"),
    ("chat_completion_stream", "chat_completion"),
    ("responses_stream", "responses"),
    ("websocket_responses", "responses"),
    ("speech_stream", "speech"),
    ("transcription_stream", "transcription"),
    ("image_generation_stream", "image_generation"),
    ("image_edit_stream", "image_edit"),
];

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/pricing-overrides", get(list).post(create))
        .route(
            "/api/governance/pricing-overrides/{id}",
            put(update).delete(delete),
        )
}

/// `CreatePricingOverrideRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
struct CreateIn {
    #[serde(default, deserialize_with = "zero_if_null")]
    name: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    scope_kind: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    virtual_key_id: Option<String>,
    #[serde(default)]
    provider_id: Option<String>,
    #[serde(default)]
    provider_key_id: Option<String>,
    #[serde(default, deserialize_with = "zero_if_null")]
    match_type: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    pattern: String,
    #[serde(default)]
    request_types: Option<Vec<String>>,
    #[serde(default)]
    patch: Option<Value>,
}

/// `UpdatePricingOverrideRequest` (ids are `nullableString`s).
#[derive(Debug, Clone, Default, Deserialize)]
struct UpdateIn {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scope_kind: Option<String>,
    #[serde(default)]
    user_id: Field<String>,
    #[serde(default)]
    virtual_key_id: Field<String>,
    #[serde(default)]
    provider_id: Field<String>,
    #[serde(default)]
    provider_key_id: Field<String>,
    #[serde(default)]
    match_type: Option<String>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    request_types: Option<Vec<String>>,
    #[serde(default)]
    patch: Option<Value>,
}

/// The `PricingOptions` a patch object decodes to (unknown members ignored, `null`
/// unset, a non-number fails decoding).
fn read_patch(raw: &Option<Value>) -> Result<Vec<(&'static str, f64)>, ApiError> {
    let invalid = || ApiError::bad_request("Invalid JSON");
    match raw {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => PRICE_FIELDS
            .iter()
            .filter_map(|field| match map.get(*field) {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) => Some(n.as_f64().map(|v| (*field, v)).ok_or_else(invalid)),
                Some(_) => Some(Err(invalid())),
            })
            .collect(),
        Some(_) => Err(invalid()),
    }
}

/// The shape `IsValid` checks: scope ids as sent (presence, not content).
struct Shape<'a> {
    scope_kind: &'a str,
    user: bool,
    vk: bool,
    provider: bool,
    key: bool,
    match_type: &'a str,
    pattern: &'a str,
    request_types: &'a [String],
}

/// `PricingOverride.IsValid`: `validateScopeKind`, `validatePattern`,
/// `validateRequestTypes` (`framework/modelcatalog/pricing_overrides.go`).
fn is_valid(profile: Profile, s: &Shape<'_>) -> Result<(), String> {
    let user = profile.has_pricing_v2() && s.user;
    match s.scope_kind {
        "global" if s.vk || s.provider || s.key || user => {
            return Err("global scope_kind must not include scope identifiers".into());
        }
        "global" => {}
        "provider" if !s.provider => {
            return Err("provider_id is required for provider scope_kind".into());
        }
        "provider" if s.vk || s.key || user => {
            return Err("provider scope_kind only supports provider_id".into());
        }
        "provider" => {}
        "provider_key" if !s.key => {
            return Err("provider_key_id is required for provider_key scope_kind".into());
        }
        "provider_key" if s.vk || s.provider || user => {
            return Err("provider_key scope_kind only supports provider_key_id".into());
        }
        "provider_key" => {}
        "virtual_key" if !s.vk => {
            return Err("virtual_key_id is required for virtual_key scope_kind".into());
        }
        "virtual_key" if s.provider || s.key || user => {
            return Err("virtual_key scope_kind only supports virtual_key_id".into());
        }
        "virtual_key" => {}
        "virtual_key_provider" if !s.vk || !s.provider => {
            return Err(
                "virtual_key_id and provider_id are required for virtual_key_provider scope_kind"
                    .into(),
            );
        }
        "virtual_key_provider" if s.key => {
            return Err("virtual_key_provider scope_kind does not support provider_key_id".into());
        }
        "virtual_key_provider" => {}
        "virtual_key_provider_key" if !s.vk || !s.provider || !s.key => {
            return Err(
                "virtual_key_id, provider_id, and provider_key_id are required for virtual_key_provider_key scope_kind"
                    .into(),
            );
        }
        "virtual_key_provider_key" => {}
        "user" if profile.has_pricing_v2() && !s.user => {
            return Err("user_id is required for user scope_kind".into());
        }
        "user" if profile.has_pricing_v2() && (s.vk || s.provider || s.key) => {
            return Err("user scope_kind only supports user_id".into());
        }
        "user_provider" if profile.has_pricing_v2() && (!s.user || !s.provider) => {
            return Err("user_id and provider_id are required for user_provider scope_kind".into());
        }
        "user_provider" if profile.has_pricing_v2() && (s.vk || s.key) => {
            return Err("user_provider scope_kind does not support provider_key_id".into());
        }
        "user_provider_key" if profile.has_pricing_v2() && (!s.user || !s.provider || !s.key) => {
            return Err(
                "user_id, provider_id, and provider_key_id are required for user_provider_key scope_kind".into(),
            );
        }
        "user" | "user_provider" | "user_provider_key" if profile.has_pricing_v2() => {}
        other => return Err(format!("unsupported scope_kind {}", go_quote(other))),
    }
    let pattern = s.pattern.trim();
    if pattern.is_empty() {
        return Err("pattern is required".into());
    }
    match s.match_type {
        "exact" if pattern.contains('*') => {
            return Err("exact match pattern must not contain wildcards".into());
        }
        "exact" => {}
        "wildcard" if !pattern.ends_with('*') => {
            return Err("wildcard pattern must end with *".into());
        }
        "wildcard" if pattern.matches('*').count() != 1 => {
            return Err("wildcard pattern must contain exactly one trailing *".into());
        }
        "wildcard" => {}
        other => return Err(format!("unsupported match_type {}", go_quote(other))),
    }
    if s.request_types.is_empty() {
        return Err("request_types is required and must contain at least one value".into());
    }
    for rt in s.request_types {
        if let Some((_, base)) = STREAM_TYPES.iter().find(|(stream, _)| stream == rt) {
            return Err(format!(
                "unsupported request_type {}: use the base type (e.g. {} covers both streaming and non-streaming)",
                go_quote(rt),
                go_quote(base)
            ));
        }
        if !REQUEST_TYPES.contains(&rt.as_str()) {
            return Err(format!("unsupported request_type {}", go_quote(rt)));
        }
    }
    Ok(())
}

/// `normalizeOptionalString`: trimmed, `""` as none.
fn normalize(value: Option<&String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn not_found() -> ApiError {
    ApiError::not_found("Pricing override not found")
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let filter = |name: &str| {
        let v = params.peek(name).trim().to_string();
        (!v.is_empty()).then_some(v)
    };
    let (kind, vk, provider, key) = (
        filter("scope_kind"),
        filter("virtual_key_id"),
        filter("provider_id"),
        filter("provider_key_id"),
    );
    let user = if profile.has_pricing_v2() {
        filter("user_id")
    } else {
        None
    };
    let keep = |po: &&PricingOverride| {
        let is = |wanted: &Option<String>, actual: Option<&String>| {
            wanted.is_none() || wanted.as_ref() == actual
        };
        is(&kind, Some(&po.scope_kind))
            && is(&vk, po.virtual_key_id.as_ref())
            && is(&provider, po.provider_id.as_ref())
            && is(&key, po.provider_key_id.as_ref())
            && is(&user, po.user_id.as_ref())
    };
    let ctx = Ctx::new(&store, profile);
    let rows: Vec<&PricingOverride> = store.pricing_overrides.values().filter(keep).collect();
    if !pagination::any_set(&params, &["limit", "offset", "search"]) {
        let items = rows
            .into_iter()
            .map(|po| render::pricing_override(ctx, po))
            .collect();
        return Ok(GoJson::ok(envelope_all("pricing_overrides", items)).into_response());
    }
    let (limit, offset) = pagination::clamp(
        pagination::strict(&params, "limit")?,
        pagination::strict(&params, "offset")?,
    );
    let search = params.peek("search");
    let rows: Vec<&PricingOverride> = rows
        .into_iter()
        .filter(|po| pagination::matches(&po.name, search))
        .collect();
    let total = rows.len() as i64;
    let items: Vec<Go> = pagination::slice(rows, limit, offset)
        .into_iter()
        .map(|po| render::pricing_override(ctx, po))
        .collect();
    Ok(GoJson::ok(pagination::page(
        "pricing_overrides",
        items,
        total,
        limit,
        offset,
    ))
    .into_response())
}

fn respond(
    store: &Store,
    profile: Profile,
    id: &str,
    status: StatusCode,
    message: &str,
) -> ApiResult {
    let po = store.pricing_overrides.get(id).ok_or_else(not_found)?;
    let body = render::pricing_override(Ctx::new(store, profile), po);
    Ok(GoJson(status, single("pricing_override", body, Some(message))).into_response())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: CreateIn = request::decode(&body)?;
    let patch = read_patch(&req.patch)?;
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::bad_request("name is required"));
    }
    let request_types = req.request_types.clone().unwrap_or_default();
    is_valid(
        profile,
        &Shape {
            scope_kind: &req.scope_kind,
            user: req.user_id.is_some(),
            vk: req.virtual_key_id.is_some(),
            provider: req.provider_id.is_some(),
            key: req.provider_key_id.is_some(),
            match_type: &req.match_type,
            pattern: &req.pattern,
            request_types: &request_types,
        },
    )
    .map_err(ApiError::bad_request)?;
    if profile.rejects_negative_prices() && patch.iter().any(|(_, v)| *v < 0.0) {
        return Err(ApiError::internal("Failed to create pricing override"));
    }
    let mut store = app.store();
    let now = store.clock.now();
    let po = PricingOverride {
        id: store.clock.new_id(),
        name,
        scope_kind: req.scope_kind.clone(),
        user_id: normalize(req.user_id.as_ref()).filter(|_| profile.has_pricing_v2()),
        virtual_key_id: normalize(req.virtual_key_id.as_ref()),
        provider_id: normalize(req.provider_id.as_ref()),
        provider_key_id: normalize(req.provider_key_id.as_ref()),
        match_type: req.match_type.clone(),
        pattern: req.pattern.trim().to_string(),
        request_types,
        patch,
        created_at: now,
        updated_at: now,
    };
    let id = po.id.clone();
    store.put(&id, po);
    respond(
        &store,
        profile,
        &id,
        StatusCode::CREATED,
        "Pricing override created successfully",
    )
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: UpdateIn = request::decode(&body)?;
    let patch = match &req.patch {
        None | Some(Value::Null) => None,
        raw => Some(read_patch(raw)?),
    };
    let mut store = app.store();
    let mut po = store
        .pricing_overrides
        .get(&id)
        .cloned()
        .ok_or_else(not_found)?;
    if let Some(kind) = &req.scope_kind {
        // A new scope kind starts without ids; only the ones sent are kept.
        po.scope_kind = kind.clone();
        po.user_id = None;
        po.virtual_key_id = None;
        po.provider_id = None;
        po.provider_key_id = None;
    }
    let set = |slot: &mut Option<String>, field: &Field<String>| match field {
        Field::Absent => {}
        Field::Null => *slot = None,
        Field::Value(v) => *slot = Some(v.clone()),
    };
    if profile.has_pricing_v2() {
        set(&mut po.user_id, &req.user_id);
    }
    set(&mut po.virtual_key_id, &req.virtual_key_id);
    set(&mut po.provider_id, &req.provider_id);
    set(&mut po.provider_key_id, &req.provider_key_id);
    if let Some(match_type) = &req.match_type {
        po.match_type = match_type.clone();
    }
    if let Some(pattern) = &req.pattern {
        po.pattern = pattern.clone();
    }
    if let Some(types) = &req.request_types {
        po.request_types = types.clone();
    }
    is_valid(
        profile,
        &Shape {
            scope_kind: &po.scope_kind,
            user: po.user_id.is_some(),
            vk: po.virtual_key_id.is_some(),
            provider: po.provider_id.is_some(),
            key: po.provider_key_id.is_some(),
            match_type: &po.match_type,
            pattern: &po.pattern,
            request_types: &po.request_types,
        },
    )
    .map_err(ApiError::bad_request)?;
    if let Some(name) = &req.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::bad_request("name is required"));
        }
        po.name = name.to_string();
    }
    if let Some(patch) = patch {
        po.patch = patch;
    }
    if profile.rejects_negative_prices() && po.patch.iter().any(|(_, v)| *v < 0.0) {
        return Err(ApiError::internal("Failed to update pricing override"));
    }
    po.user_id = normalize(po.user_id.as_ref());
    po.virtual_key_id = normalize(po.virtual_key_id.as_ref());
    po.provider_id = normalize(po.provider_id.as_ref());
    po.provider_key_id = normalize(po.provider_key_id.as_ref());
    po.pattern = po.pattern.trim().to_string();
    po.updated_at = store.clock.now();
    store.put(&id, po);
    respond(
        &store,
        profile,
        &id,
        StatusCode::OK,
        "Pricing override updated successfully",
    )
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store.remove::<PricingOverride>(&id).ok_or_else(not_found)?;
    Ok(GoJson::ok(message("Pricing override deleted successfully")).into_response())
}
