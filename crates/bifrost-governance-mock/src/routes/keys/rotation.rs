//! Rotation (v2: `POST …/virtual-keys/{vk_id}/rotate`, `POST …/virtual-keys/rotate`)
//! and the self-service quota (`GET …/virtual-keys/quota`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson};
use crate::gojson::{Go, Obj};
use crate::governance::{self, Of};
use crate::profile::Profile;
use crate::render::{self, Ctx, KeyView};
use crate::request::{self, zero_if_null};
use crate::store::Store;
use crate::store::records::{ALL_MODELS, SCOPE_VIRTUAL_KEY, VirtualKey};

use super::respond;

/// The quota route, which authenticates with the virtual key instead of the admin key.
pub(crate) const QUOTA_PATH: &str = "/api/governance/virtual-keys/quota";

/// Gives a key a new value. With a rotation cooldown the old one keeps working
/// until `previous_value_expires_at`; without one it stops at once
/// (`v2: governance.go rotateVirtualKeyByID`, `vk_rotation_cooldown`).
fn rotate(store: &mut Store, id: &str, grace: std::time::Duration) -> bool {
    let Some(mut vk) = store.virtual_keys.get(id).cloned() else {
        return false;
    };
    let now = store.clock.now();
    let old = std::mem::replace(&mut vk.value, store.clock.new_vk_value());
    if let Some(older) = vk.previous_value.take() {
        store.set_vk_value(&older, None);
    }
    let grace = chrono::Duration::from_std(grace).unwrap_or_else(|_| chrono::Duration::zero());
    if grace > chrono::Duration::zero() {
        vk.previous_value = Some(old);
        vk.previous_value_expires_at = Some(now + grace);
    } else {
        vk.previous_value_expires_at = None;
        store.set_vk_value(&old, None);
    }
    vk.rotated_at = Some(now);
    vk.updated_at = now;
    store.set_vk_value(&vk.value.clone(), Some(id));
    store.put(id, vk);
    true
}

pub(super) async fn rotate_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let profile = app.profile();
    let mut store = app.store();
    if !rotate(&mut store, &id, app.config.rotation_grace) {
        return Err(ApiError::not_found("Virtual key not found"));
    }
    respond(
        &store,
        profile,
        &id,
        Some("Virtual key rotated successfully"),
    )
}

#[derive(Debug, Default, Deserialize)]
struct RotateMany {
    #[serde(default, deserialize_with = "zero_if_null")]
    ids: Vec<String>,
}

pub(super) async fn rotate_many(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: RotateMany = request::decode(&body)?;
    if req.ids.is_empty() {
        return Err(ApiError::bad_request(
            "At least one virtual key ID is required",
        ));
    }
    if req.ids.iter().any(|id| id.trim().is_empty()) {
        return Err(ApiError::bad_request("Virtual key ID cannot be empty"));
    }
    let mut ids: Vec<&str> = Vec::new();
    for id in &req.ids {
        if !ids.contains(&id.trim()) {
            ids.push(id.trim());
        }
    }
    let mut store = app.store();
    let mut rotated = Vec::new();
    let mut errors = BTreeMap::new();
    for id in ids {
        if rotate(&mut store, id, app.config.rotation_grace) {
            rotated.push(id.to_string());
        } else {
            errors.insert(id.to_string(), Go::from("virtual key not found"));
        }
    }
    let ctx = Ctx::new(&store, profile);
    let keys: Vec<Go> = rotated
        .iter()
        .filter_map(|id| store.virtual_keys.get(id))
        .map(|vk| render::key(ctx, vk, KeyView::DETAIL))
        .collect();
    let (status, message) = if keys.is_empty() {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to rotate virtual keys",
        )
    } else {
        (StatusCode::OK, "Virtual keys rotated successfully")
    };
    let mut body = BTreeMap::new();
    body.insert("message".to_string(), Go::from(message));
    body.insert("virtual_keys".to_string(), Go::Array(keys));
    if !errors.is_empty() {
        body.insert("errors".to_string(), Go::Map(errors));
    }
    Ok(GoJson(status, Go::Map(body)).into_response())
}

/// The calling key: `x-bf-vk` as sent, else the first `sk-bf-` value (prefix
/// compared case-insensitively) of `Authorization: Bearer`, `x-api-key`,
/// `x-goog-api-key` and (v2) `api-key` (`governance.ParseVirtualKeyFromFastHTTPRequest`).
fn presented_key(profile: Profile, headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    if let Some(vk) = header("x-bf-vk") {
        return Some(vk.to_string());
    }
    let is_vk = |v: &str| v.to_lowercase().starts_with("sk-bf-");
    let bearer = header("authorization")
        .filter(|v| v.to_lowercase().starts_with("bearer "))
        .map(|v| v[7..].trim());
    let mut candidates = vec![bearer, header("x-api-key"), header("x-goog-api-key")];
    if profile.has_quota_v2() {
        candidates.push(header("api-key"));
    }
    candidates
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty() && is_vk(v))
        .map(str::to_string)
}

pub(super) async fn quota(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    let profile = app.profile();
    let value = presented_key(profile, &headers)
        .ok_or_else(|| ApiError::unauthorized(profile.texts().quota_missing_key))?;
    let store = app.store();
    let now = store.clock.current();
    let vk = store
        .vk_values
        .get(&value)
        .and_then(|id| store.virtual_keys.get(id))
        .filter(|vk| {
            vk.value == value
                || (vk.previous_value.as_deref() == Some(value.as_str())
                    && vk.previous_value_expires_at.is_some_and(|t| now < t))
        })
        .ok_or_else(|| ApiError::unauthorized("Virtual key not found"))?;
    if profile.has_quota_v2() && vk.expires_at.is_some_and(|at| now >= at) {
        return Err(ApiError::forbidden("Virtual key has expired"));
    }
    let ctx = Ctx::new(&store, profile);
    let slot = governance::slot(&store, profile, vk, Of::Key);
    let mut body = BTreeMap::new();
    body.insert("virtual_key_name".to_string(), Go::from(vk.name.as_str()));
    body.insert("is_active".to_string(), Go::from(vk.is_active));
    body.insert(
        "rate_limit".to_string(),
        render::rate_limit_of(ctx, slot.rate_limit_id.as_ref()).unwrap_or(Go::Null),
    );
    let budgets: Vec<Go> = store
        .budgets_of(&slot.budget_ids)
        .into_iter()
        .map(|b| {
            let budget = render::budget(ctx, b);
            if !profile.has_quota_v2() {
                return budget;
            }
            // `quotaBudget`: the budget's fields with its per-model usage (the fake
            // has no request logs, so none).
            match budget {
                Go::Object(mut fields) => {
                    fields.push(("per_model_usage".to_string(), Go::Array(Vec::new())));
                    Go::Object(fields)
                }
                other => other,
            }
        })
        .collect();
    body.insert("budgets".to_string(), Go::Array(budgets));
    if profile.has_quota_v2() {
        body.insert(
            "provider_configs".to_string(),
            quota_provider_configs(ctx, vk),
        );
        body.insert("model_configs".to_string(), quota_model_configs(ctx, vk));
        body.insert("rate_limits".to_string(), Go::Array(Vec::new()));
    }
    Ok(GoJson::ok(Go::Map(body)).into_response())
}

fn quota_provider_configs(ctx: Ctx<'_>, vk: &VirtualKey) -> Go {
    Go::Array(
        vk.provider_configs
            .iter()
            .map(|pc| render::quota_provider_config(ctx, vk, pc))
            .collect(),
    )
}

/// The key's per-model configs (`model_name` other than `*`).
fn quota_model_configs(ctx: Ctx<'_>, vk: &VirtualKey) -> Go {
    Go::Array(
        ctx.store
            .model_configs
            .values()
            .filter(|mc| {
                mc.scope == SCOPE_VIRTUAL_KEY
                    && mc.scope_id.as_deref() == Some(vk.id.as_str())
                    && mc.model_name != ALL_MODELS
            })
            .map(|mc| {
                Obj::new()
                    .field("model_name", mc.model_name.as_str())
                    .omit_nil("provider", mc.provider.as_deref())
                    .omitempty("budgets", render::budgets(ctx, &mc.budget_ids))
                    .omit_nil(
                        "rate_limit",
                        render::rate_limit_of(ctx, mc.rate_limit_id.as_ref()),
                    )
                    .into()
            })
            .collect(),
    )
}
