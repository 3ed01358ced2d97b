//! `/api/governance/virtual-keys`: list, read, create, update, delete; rotation and
//! quota (`rotation.rs`), budget overrides (`overrides.rs`).

mod configs;
mod create;
mod model_budgets;
mod overrides;
pub(crate) mod requests;
mod rotation;
mod update;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

pub(crate) use create::{Fixed, create_key};
pub(crate) use rotation::QUOTA_PATH;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson};
use crate::gojson::Go;
use crate::governance::{self, Index, Of};
use crate::limits;
use crate::pagination::{self, envelope_all};
use crate::profile::{ExportLimit, MemoryRoute, Profile};
use crate::render::{self, Ctx, KeyView};
use crate::request::{self, Params};
use crate::store::Store;
use crate::store::records::{BudgetOwner, VirtualKey};

/// Routes of this resource. Like fasthttp's per-method trees, a method the static
/// `quota`/`rotate` paths do not serve falls through to `{vk_id}`.
pub(crate) fn routes(profile: Profile) -> Router<Arc<App>> {
    let mut router = Router::new()
        .route("/api/governance/virtual-keys", get(list).post(create))
        .route(
            "/api/governance/virtual-keys/{vk_id}",
            get(get_one).put(update).delete(delete),
        )
        .route(
            QUOTA_PATH,
            get(rotation::quota)
                .put(|s, b| update(s, Path("quota".to_string()), b))
                .delete(|s| delete(s, Path("quota".to_string()))),
        );
    if profile.has_rotation() {
        router = router
            .route(
                "/api/governance/virtual-keys/rotate",
                post(rotation::rotate_many)
                    .get(|s, p| get_one(s, Path("rotate".to_string()), p))
                    .put(|s, b| update(s, Path("rotate".to_string()), b))
                    .delete(|s| delete(s, Path("rotate".to_string()))),
            )
            .route(
                "/api/governance/virtual-keys/{vk_id}/rotate",
                post(rotation::rotate_one),
            );
    }
    if profile.has_budget_overrides() {
        router = router.route(
            "/api/governance/virtual-keys/{vk_id}/budgets/{budget_id}/override",
            put(overrides::set).delete(overrides::clear),
        );
    }
    router
}

fn not_found() -> ApiError {
    ApiError::not_found("Virtual key not found")
}

/// `{"message": …, "virtual_key": …}` with the key as one-key reads show it.
pub(crate) fn respond(
    store: &Store,
    profile: Profile,
    id: &str,
    message: Option<&str>,
) -> ApiResult {
    let vk = store.virtual_keys.get(id).ok_or_else(not_found)?;
    let body = render::key(Ctx::new(store, profile), vk, KeyView::DETAIL);
    let mut map = std::collections::BTreeMap::new();
    if let Some(message) = message {
        map.insert("message".to_string(), Go::from(message));
    }
    map.insert("virtual_key".to_string(), body);
    Ok(GoJson::ok(Go::Map(map)).into_response())
}

/// Renders keys of a list, hydrating v2 governance from one pass over model configs.
fn render_keys(store: &Store, profile: Profile, keys: &[&VirtualKey]) -> Vec<Go> {
    let index = Index::build(store);
    let ctx = Ctx {
        gov: Some(&index),
        ..Ctx::new(store, profile)
    };
    keys.iter()
        .map(|vk| render::key(ctx, vk, KeyView::LIST))
        .collect()
}

/// `MAX(current_usage)` of the budgets whose `virtual_key_id` is the key
/// (`rdb.go GetVirtualKeysPaginated`, `sort_by=budget_spent`).
fn budget_spent(store: &Store, vk: &VirtualKey) -> f64 {
    store
        .budgets
        .values()
        .filter(|b| b.owner == BudgetOwner::VirtualKey(vk.id.clone()))
        .map(|b| b.current_usage)
        .fold(0.0, f64::max)
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    if params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::VirtualKeys) {
        if profile.has_key_list_filters() && !params.peek("user_id").is_empty() {
            return Err(ApiError::bad_request(
                "user_id filter is not supported with from_memory=true; omit from_memory to filter virtual keys by user",
            ));
        }
        let keys: Vec<&VirtualKey> = store.virtual_keys.values().collect();
        let items = render_keys(&store, profile, &keys);
        return Ok(GoJson::ok(envelope_all("virtual_keys", items)).into_response());
    }
    let v2 = profile.has_key_list_filters();
    let metadata: Vec<(String, String)> = if v2 {
        params
            .pairs()
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("metadata_")
                    .map(|k| (k.to_string(), v.clone()))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut triggers = vec![
        "limit",
        "offset",
        "search",
        "customer_id",
        "team_id",
        "sort_by",
    ];
    if v2 {
        triggers.push("user_id");
    }
    let flags = if v2 {
        &[
            "export",
            "exclude_access_profile_managed_virtual",
            "exclude_assigned_virtual_keys",
            "for_user_assignment",
        ][..]
    } else {
        &["export", "exclude_access_profile_managed_virtual"][..]
    };
    let paged = pagination::any_set(&params, &triggers)
        || flags.iter().any(|f| params.flag(f))
        || !metadata.is_empty();
    if !paged {
        let keys: Vec<&VirtualKey> = store.virtual_keys.values().collect();
        let items = render_keys(&store, profile, &keys);
        return Ok(GoJson::ok(envelope_all("virtual_keys", items)).into_response());
    }
    let limit = pagination::strict(&params, "limit")?;
    let offset = pagination::strict(&params, "offset")?;
    let export = params.flag("export");
    let (limit, offset) = if export && profile.export_limit() == ExportLimit::Raw {
        (limit, offset.max(0))
    } else {
        pagination::clamp(limit, offset)
    };
    for (key, _) in &metadata {
        requests::validate_metadata_key(key).map_err(ApiError::bad_request)?;
    }
    // The store's own window (`GetVirtualKeysPaginated`).
    let store_limit = match (export, limit) {
        (true, l) if l <= 0 => 10_000,
        (true, l) => l.min(10_000),
        (false, l) if l <= 0 => pagination::DEFAULT_LIMIT,
        (false, l) => l.min(pagination::MAX_LIMIT),
    };
    let search = params.peek("search");
    let customer_id = params.peek("customer_id");
    let team_id = params.peek("team_id");
    let user_id = if v2 { params.peek("user_id") } else { "" };
    let mut rows: Vec<&VirtualKey> = store
        .virtual_keys
        .values()
        .filter(|vk| {
            // customer_id and team_id (and user_id, which OSS matches to no key) are OR-ed.
            let by_customer =
                !customer_id.is_empty() && vk.customer_id.as_deref() == Some(customer_id);
            let by_team = !team_id.is_empty() && vk.team_id.as_deref() == Some(team_id);
            (customer_id.is_empty() && team_id.is_empty() && user_id.is_empty())
                || by_customer
                || by_team
        })
        .filter(|vk| {
            pagination::matches(&vk.name, search)
                || (v2
                    && vk
                        .metadata
                        .as_ref()
                        .is_some_and(|m| m.values().any(|v| pagination::matches(v, search))))
        })
        .filter(|vk| {
            metadata
                .iter()
                .all(|(k, v)| vk.metadata.as_ref().and_then(|m| m.get(k)) == Some(v))
        })
        .collect();
    let descending = params.peek("order").eq_ignore_ascii_case("desc");
    let compare: Option<fn(&Store, &VirtualKey, &VirtualKey) -> std::cmp::Ordering> =
        match params.peek("sort_by") {
            "name" => Some(|_, a, b| a.name.cmp(&b.name)),
            "budget_spent" => Some(|s, a, b| budget_spent(s, a).total_cmp(&budget_spent(s, b))),
            "created_at" => Some(|_, a, b| a.created_at.cmp(&b.created_at)),
            "status" => Some(|_, a, b| a.is_active.cmp(&b.is_active)),
            _ => None,
        };
    match compare {
        Some(compare) => rows.sort_by(|a, b| {
            let primary = compare(&store, a, b);
            let primary = if descending {
                primary.reverse()
            } else {
                primary
            };
            primary.then_with(|| a.id.cmp(&b.id))
        }),
        None => rows.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        }),
    }
    let total = rows.len() as i64;
    let page = pagination::slice(rows, store_limit, offset);
    let items = render_keys(&store, profile, &page);
    Ok(GoJson::ok(pagination::page(
        "virtual_keys",
        items,
        total,
        limit,
        offset,
    ))
    .into_response())
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    // `from_memory` finds the same keys; the fake has one store.
    let _ = params.flag("from_memory");
    respond(&store, profile, &id, None)
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: requests::CreateKey = request::decode(&body)?;
    let mut store = app.store();
    let id = create_key(&mut store, profile, &req, Fixed::default())?;
    respond(
        &store,
        profile,
        &id,
        Some("Virtual key created successfully"),
    )
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: requests::UpdateKey = request::decode(&body)?;
    let mut store = app.store();
    update::update_key(&mut store, profile, &id, &req)?;
    respond(
        &store,
        profile,
        &id,
        Some("Virtual key updated successfully"),
    )
}

/// Deletes a key and what belongs to it (`rdb.go DeleteVirtualKey`): provider configs
/// with their budgets and rate limits, MCP configs, its budgets and rate limit (v2:
/// its model configs). Routing rules and pricing overrides naming it stay.
pub(crate) fn delete_key(store: &mut Store, profile: Profile, id: &str) -> Result<(), ApiError> {
    let mut vk = store.virtual_keys.get(id).cloned().ok_or_else(not_found)?;
    store.transaction::<_, ApiError>(|store| {
        for index in (0..vk.provider_configs.len()).rev() {
            let slot = governance::slot(store, profile, &vk, Of::Provider(index));
            limits::delete_budgets(store, &slot.budget_ids);
            limits::delete_rate_limit(store, slot.rate_limit_id.as_ref());
        }
        let slot = governance::slot(store, profile, &vk, Of::Key);
        limits::delete_budgets(store, &slot.budget_ids);
        limits::delete_rate_limit(store, slot.rate_limit_id.as_ref());
        governance::delete_key_scoped(store, id);
        vk.provider_configs.clear();
        store.remove::<VirtualKey>(id);
        store.set_vk_value(&vk.value, None);
        if let Some(previous) = &vk.previous_value {
            store.set_vk_value(previous, None);
        }
        Ok(())
    })
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<Response> {
    let profile = app.profile();
    let mut store = app.store();
    delete_key(&mut store, profile, &id)?;
    Ok(GoJson::ok(message("Virtual key deleted successfully")).into_response())
}

/// `{"message": …}`.
pub(crate) fn message(text: &str) -> Go {
    Go::Map(
        [("message".to_string(), Go::from(text))]
            .into_iter()
            .collect(),
    )
}

/// Inserts `count` plain virtual keys (`bulk-vk-0000001`, …) without per-key checks,
/// for benchmarks; returns their ids in creation order.
pub(crate) fn insert_bulk(store: &mut Store, count: usize) -> Vec<String> {
    let names: std::collections::HashSet<String> = store
        .virtual_keys
        .values()
        .map(|v| v.name.clone())
        .collect();
    let mut ids = Vec::with_capacity(count);
    let mut n = store.virtual_keys.len();
    while ids.len() < count {
        n += 1;
        let name = format!("bulk-vk-{n:07}");
        if names.contains(&name) {
            continue;
        }
        let id = store.clock.new_id();
        let value = store.clock.new_vk_value();
        let now = store.clock.now();
        let vk = VirtualKey {
            id: id.clone(),
            name,
            description: String::new(),
            value: value.clone(),
            is_active: true,
            team_id: None,
            customer_id: None,
            rate_limit_id: None,
            budget_ids: Vec::new(),
            provider_configs: Vec::new(),
            mcp_configs: Vec::new(),
            calendar_aligned: false,
            allow_all_providers: false,
            expires_at: None,
            metadata: None,
            disable_content_logging: None,
            delete_after_expire: None,
            previous_value: None,
            previous_value_expires_at: None,
            rotated_at: None,
            created_at: now,
            updated_at: now,
        };
        store.set_vk_value(&value, Some(&id));
        store.put(&id, vk);
        ids.push(id);
    }
    ids
}
