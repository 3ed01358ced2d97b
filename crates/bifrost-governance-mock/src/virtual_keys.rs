//! `/api/governance/virtual-keys`: CRUD, rotation and the self-service quota.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::{get, post};
use bifrost_governance_client::secret::SecretString;
use bifrost_governance_client::types::{
    CreateVirtualKeyRequest, McpConfig, McpConfigRequest, MessageResponse, ProviderConfig,
    ProviderConfigRequest, QuotaModelConfig, RotateVirtualKeysResponse, UpdateVirtualKeyRequest,
    VirtualKey, VirtualKeyList, VirtualKeyQuota, VirtualKeyResponse,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::catalog::{Catalog, reduced_key};
use crate::errors::{ApiError, ApiResult};
use crate::limits::{self, Limits, Owner};
use crate::pagination::{self, Strictness, Window};
use crate::request::{self, Params, Presence};
use crate::state::{App, Clock, Sequenced, Store, in_creation_order};
use crate::{customers, model_configs, teams};

/// A stored virtual key.
#[derive(Debug, Clone)]
pub(crate) struct VirtualKeyRecord {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) description: Option<String>,
    pub(crate) is_active: bool,
    pub(crate) team_id: Option<String>,
    pub(crate) customer_id: Option<String>,
    pub(crate) limits: Limits,
    pub(crate) provider_configs: Vec<ProviderConfigRecord>,
    pub(crate) mcp_configs: Vec<McpConfigRecord>,
    pub(crate) calendar_aligned: bool,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) metadata: Option<HashMap<String, String>>,
    pub(crate) rotated_at: Option<DateTime<Utc>>,
    /// The value before the last rotation, still accepted until
    /// `previous_value_expires_at` when the server has a rotation grace period.
    pub(crate) previous_value: Option<String>,
    pub(crate) previous_value_expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Sequenced for VirtualKeyRecord {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// What a virtual key may do with one provider.
#[derive(Debug, Clone)]
pub(crate) struct ProviderConfigRecord {
    pub(crate) id: i64,
    pub(crate) provider: String,
    pub(crate) weight: Option<f64>,
    pub(crate) allowed_models: Vec<String>,
    pub(crate) blacklisted_models: Vec<String>,
    pub(crate) allow_all_keys: bool,
    /// UUIDs (`key_id`) of the allowed provider keys.
    pub(crate) key_ids: Vec<String>,
    pub(crate) limits: Limits,
}

/// Which tools of one MCP client a virtual key may run.
#[derive(Debug, Clone)]
pub(crate) struct McpConfigRecord {
    pub(crate) id: i64,
    pub(crate) mcp_client_id: i64,
    pub(crate) tools_to_execute: Vec<String>,
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/virtual-keys", get(list).post(create))
        .route("/api/governance/virtual-keys/rotate", post(rotate_many))
        .route("/api/governance/virtual-keys/quota", get(quota))
        .route(
            "/api/governance/virtual-keys/{vk_id}",
            get(get_one).put(update).delete(delete),
        )
        .route(
            "/api/governance/virtual-keys/{vk_id}/rotate",
            post(rotate_one),
        )
}

/// The quota route, which authenticates with the virtual key instead of the admin key.
pub(crate) const QUOTA_PATH: &str = "/api/governance/virtual-keys/quota";

/// How much a virtual key response embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// With its team (and the team's customer) and its customer.
    Full,
    /// Nested in a customer: nothing embedded.
    Nested,
}

fn render_provider_config(
    catalog: &Catalog,
    vk_id: &str,
    pc: &ProviderConfigRecord,
) -> ProviderConfig {
    let keys = pc
        .key_ids
        .iter()
        .filter_map(|key_id| catalog.key(&pc.provider, key_id))
        .map(reduced_key)
        .collect();
    ProviderConfig {
        allow_all_keys: Some(pc.allow_all_keys),
        allowed_models: Some(pc.allowed_models.clone()),
        blacklisted_models: Some(pc.blacklisted_models.clone()),
        budget: None,
        budget_id: None,
        budgets: pc.limits.budgets_field(),
        id: Some(pc.id),
        keys: Some(keys),
        model_budgets: None,
        provider: Some(pc.provider.clone()),
        rate_limit: pc.limits.rate_limit.clone(),
        rate_limit_id: pc.limits.rate_limit_id(),
        virtual_key_id: Some(vk_id.to_string()),
        weight: pc.weight,
    }
}

/// Renders a virtual key for a response (with its secret value, like the server).
pub(crate) fn render(store: &Store, vk: &VirtualKeyRecord, depth: Depth) -> VirtualKey {
    let (team, customer) = match depth {
        Depth::Nested => (None, None),
        Depth::Full => (
            vk.team_id
                .as_ref()
                .and_then(|id| store.teams.get(id))
                .map(|t| teams::render(store, t, teams::Depth::WithCustomer)),
            vk.customer_id
                .as_ref()
                .and_then(|id| store.customers.get(id))
                .map(|c| customers::render(store, c, customers::Depth::Nested)),
        ),
    };
    VirtualKey {
        allow_all_providers: Some(false),
        delete_after_expire: None,
        disable_content_logging: None,
        assigned_user: bifrost_governance_client::assignee::Assignee::Nobody,
        budget: None,
        budget_id: None,
        budgets: vk.limits.budgets_field(),
        calendar_aligned: Some(vk.calendar_aligned),
        config_hash: Some(String::new()),
        created_at: Some(vk.created_at),
        created_by_user_id: None,
        customer: customer.map(Box::new),
        customer_id: vk.customer_id.clone(),
        description: vk.description.clone().filter(|d| !d.is_empty()),
        expires_at: vk.expires_at,
        id: vk.id.clone(),
        is_access_profile_managed: Some(false),
        is_active: Some(vk.is_active),
        mcp_configs: Some(
            vk.mcp_configs
                .iter()
                .map(|m| McpConfig {
                    id: Some(m.id),
                    mcp_client: store.catalog.mcp_client(m.mcp_client_id).cloned(),
                    mcp_client_id: Some(m.mcp_client_id),
                    mcp_client_name: None,
                    tools_to_execute: Some(m.tools_to_execute.clone()),
                    virtual_key_id: Some(vk.id.clone()),
                })
                .collect(),
        ),
        metadata: vk.metadata.clone(),
        name: vk.name.clone(),
        previous_value_expires_at: vk.previous_value_expires_at,
        provider_configs: Some(
            vk.provider_configs
                .iter()
                .map(|pc| render_provider_config(&store.catalog, &vk.id, pc))
                .collect(),
        ),
        rate_limit: vk.limits.rate_limit.clone(),
        rate_limit_id: vk.limits.rate_limit_id(),
        rotated_at: vk.rotated_at,
        team: team.map(Box::new),
        team_id: vk.team_id.clone(),
        updated_at: Some(vk.updated_at),
        value: Some(SecretString::from(vk.value.as_str())),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Virtual key not found")
}

fn check_unique_name(store: &Store, name: &str, except: Option<&str>) -> Result<(), ApiError> {
    if store
        .virtual_keys
        .values()
        .any(|vk| vk.name == name && Some(vk.id.as_str()) != except)
    {
        return Err(ApiError::conflict(
            "A virtual key with this name already exists",
        ));
    }
    Ok(())
}

fn check_team(store: &Store, team_id: &str) -> Result<(), ApiError> {
    if store.teams.contains_key(team_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!("team not found: {team_id}")))
    }
}

/// `*` alone or a list of distinct (case-insensitively) names.
fn validate_name_list(list: &[String], field: &str) -> Result<(), ApiError> {
    if list.iter().any(|m| m == "*") && list.len() > 1 {
        return Err(ApiError::bad_request(format!(
            "{field}: '*' cannot be combined with other entries"
        )));
    }
    let mut seen = HashSet::new();
    for item in list {
        if !seen.insert(item.to_lowercase()) {
            return Err(ApiError::bad_request(format!(
                "{field}: duplicate entry {item:?}"
            )));
        }
    }
    Ok(())
}

fn validate_metadata(metadata: &HashMap<String, String>) -> Result<(), ApiError> {
    for key in metadata.keys() {
        let valid = !key.is_empty()
            && key.len() <= 64
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !key.to_lowercase().starts_with("bifrost");
        if !valid {
            return Err(ApiError::bad_request(format!(
                "invalid metadata key: {key:?}"
            )));
        }
    }
    Ok(())
}

/// Resolves `key_ids` to `(allow_all_keys, key UUIDs)`.
fn resolve_keys(
    catalog: &Catalog,
    provider: &str,
    key_ids: Option<&[String]>,
) -> Result<(bool, Vec<String>), ApiError> {
    let key_ids = key_ids.unwrap_or_default();
    if key_ids.iter().any(|k| k == "*") {
        if key_ids.len() > 1 {
            return Err(ApiError::bad_request(
                "key_ids: '*' cannot be combined with other key ids",
            ));
        }
        return Ok((true, Vec::new()));
    }
    let mut resolved: Vec<String> = Vec::new();
    for key_id in key_ids {
        if catalog.key(provider, key_id).is_none() {
            return Err(ApiError::bad_request(format!(
                "some keys not found for provider {provider}: {key_id}"
            )));
        }
        if !resolved.contains(key_id) {
            resolved.push(key_id.clone());
        }
    }
    Ok((false, resolved))
}

/// Full-set replacement of a key's provider configs (also used on create, with
/// `current` empty). Entries with `id` update that row, entries without one
/// create a row, unlisted rows are dropped with their budgets and rate limits.
fn apply_provider_configs(
    catalog: &Catalog,
    clock: &mut Clock,
    mut current: Vec<ProviderConfigRecord>,
    requests: &[ProviderConfigRequest],
) -> Result<Vec<ProviderConfigRecord>, ApiError> {
    let mut providers_seen = HashSet::new();
    let mut next = Vec::with_capacity(requests.len());
    for req in requests {
        let provider = req.provider.trim().to_string();
        if catalog.provider(&provider).is_none() {
            return Err(ApiError::bad_request(format!(
                "invalid provider name: {provider}"
            )));
        }
        if !providers_seen.insert(provider.clone()) {
            return Err(ApiError::bad_request(format!(
                "duplicate provider in provider_configs: {provider}"
            )));
        }
        if let Some(weight) = req.weight
            && (!weight.is_finite() || weight < 0.0)
        {
            return Err(ApiError::bad_request(format!(
                "invalid weight for provider {provider}: must be a non-negative number"
            )));
        }
        let allowed_models = req.allowed_models.clone().unwrap_or_default();
        validate_name_list(&allowed_models, "allowed_models")?;
        let blacklisted_models = req.blacklisted_models.clone().unwrap_or_default();
        validate_name_list(&blacklisted_models, "blacklisted_models")?;
        let (allow_all_keys, key_ids) = resolve_keys(catalog, &provider, req.key_ids.as_deref())?;
        let mut record = match req.id {
            Some(id) => {
                let index = current.iter().position(|pc| pc.id == id).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "provider config {id} does not belong to this virtual key"
                    ))
                })?;
                let mut record = current.remove(index);
                if let Some(budgets) = &req.budgets {
                    limits::replace_budgets(
                        clock,
                        &mut record.limits,
                        budgets,
                        Owner::ProviderConfig(id),
                        false,
                    )?;
                }
                if let Some(rate_limit) = &req.rate_limit {
                    limits::merge_rate_limit(clock, &mut record.limits.rate_limit, rate_limit)?;
                }
                record
            }
            None => {
                let id = clock.next_provider_config_id();
                let mut limits = Limits::default();
                limits::create_budgets(
                    clock,
                    &mut limits,
                    None,
                    req.budgets.as_deref(),
                    Owner::ProviderConfig(id),
                    false,
                )?;
                limits.rate_limit = limits::create_rate_limit(clock, req.rate_limit.as_ref())?;
                ProviderConfigRecord {
                    id,
                    provider: provider.clone(),
                    weight: None,
                    allowed_models: Vec::new(),
                    blacklisted_models: Vec::new(),
                    allow_all_keys: false,
                    key_ids: Vec::new(),
                    limits,
                }
            }
        };
        // Overwritten on every listed entry: omitted lists block everything.
        record.provider = provider;
        record.weight = req.weight;
        record.allowed_models = allowed_models;
        record.blacklisted_models = blacklisted_models;
        record.allow_all_keys = allow_all_keys;
        record.key_ids = key_ids;
        next.push(record);
    }
    Ok(next)
}

/// Full-set replacement of a key's MCP configs.
fn apply_mcp_configs(
    catalog: &Catalog,
    clock: &mut Clock,
    mut current: Vec<McpConfigRecord>,
    requests: &[McpConfigRequest],
) -> Result<Vec<McpConfigRecord>, ApiError> {
    let mut seen = HashSet::new();
    let mut next = Vec::with_capacity(requests.len());
    for req in requests {
        let name = req.mcp_client_name.trim();
        let client = catalog.mcp_client_by_name(name).ok_or_else(|| {
            ApiError::bad_request(format!("failed to get MCP client {name:?}: not found"))
        })?;
        let client_id = client.id.unwrap_or_default();
        if !seen.insert(client_id) {
            return Err(ApiError::bad_request(format!(
                "duplicate mcp_client_name in mcp_configs: {name}"
            )));
        }
        let tools = req.tools_to_execute.clone().unwrap_or_default();
        validate_name_list(&tools, "tools_to_execute")?;
        let position = match req.id {
            Some(id) => Some(current.iter().position(|m| m.id == id).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "mcp config {id} does not belong to this virtual key"
                ))
            })?),
            None => current.iter().position(|m| m.mcp_client_id == client_id),
        };
        let id = match position {
            Some(index) => current.remove(index).id,
            None => clock.next_mcp_config_id(),
        };
        next.push(McpConfigRecord {
            id,
            mcp_client_id: client_id,
            tools_to_execute: tools,
        });
    }
    Ok(next)
}

/// Creates a virtual key (shared by the handler and seeding); `id` and `value`
/// fix the id and the secret instead of generating them. Returns the id.
pub(crate) fn create_virtual_key(
    store: &mut Store,
    req: &CreateVirtualKeyRequest,
    id: Option<String>,
    value: Option<String>,
) -> ApiResult<String> {
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::bad_request("Virtual key name is required"));
    }
    check_unique_name(store, &name, None)?;
    let team_id = req.team_id.clone().filter(|t| !t.is_empty());
    let customer_id = req.customer_id.clone().filter(|c| !c.is_empty());
    if team_id.is_some() && customer_id.is_some() {
        return Err(ApiError::bad_request(
            "A virtual key can belong to a team or a customer, not both: send only one of team_id and customer_id",
        ));
    }
    if let Some(team_id) = &team_id {
        check_team(store, team_id)?;
    }
    if let Some(customer_id) = &customer_id {
        teams::check_customer(store, customer_id)?;
    }
    if let Some(expires_at) = req.expires_at
        && expires_at <= Utc::now()
    {
        return Err(ApiError::bad_request(
            "expires_at must be a future timestamp",
        ));
    }
    if let Some(metadata) = &req.metadata {
        validate_metadata(metadata)?;
    }
    let value = match value {
        Some(v) if !v.is_empty() => {
            if store.vk_values.contains_key(&v) {
                return Err(ApiError::conflict(
                    "A virtual key with this value already exists",
                ));
            }
            v
        }
        _ => store.clock.new_vk_value(),
    };
    let id = store.clock.fresh_id(
        store
            .virtual_keys
            .contains_key(id.as_deref().unwrap_or_default()),
        id,
    )?;
    let aligned = req.calendar_aligned.unwrap_or(false);
    let Store { clock, catalog, .. } = store;
    let mut limits = Limits::default();
    limits::create_budgets(
        clock,
        &mut limits,
        None,
        req.budgets.as_deref(),
        Owner::VirtualKey(&id),
        aligned,
    )?;
    limits.rate_limit = limits::create_rate_limit(clock, req.rate_limit.as_ref())?;
    let provider_configs = apply_provider_configs(
        catalog,
        clock,
        Vec::new(),
        req.provider_configs.as_deref().unwrap_or_default(),
    )?;
    let mcp_configs = apply_mcp_configs(
        catalog,
        clock,
        Vec::new(),
        req.mcp_configs.as_deref().unwrap_or_default(),
    )?;
    let now = clock.now();
    let record = VirtualKeyRecord {
        seq: clock.next_seq(),
        id: id.clone(),
        name,
        value: value.clone(),
        description: req.description.clone(),
        is_active: req.is_active.unwrap_or(true),
        team_id,
        customer_id,
        limits,
        provider_configs,
        mcp_configs,
        calendar_aligned: aligned,
        expires_at: req.expires_at,
        metadata: req.metadata.clone().map(|m| m.0),
        rotated_at: None,
        previous_value: None,
        previous_value_expires_at: None,
        created_at: now,
        updated_at: now,
    };
    store.vk_values.insert(value, id.clone());
    store.virtual_keys.insert(id.clone(), record);
    Ok(id)
}

/// Inserts `count` plain virtual keys quickly (benchmarks); returns their ids.
pub(crate) fn insert_bulk(store: &mut Store, count: usize) -> Vec<String> {
    let names: HashSet<String> = store
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
        let record = VirtualKeyRecord {
            seq: store.clock.next_seq(),
            id: id.clone(),
            name,
            value: value.clone(),
            description: None,
            is_active: true,
            team_id: None,
            customer_id: None,
            limits: Limits::default(),
            provider_configs: Vec::new(),
            mcp_configs: Vec::new(),
            calendar_aligned: false,
            expires_at: None,
            metadata: None,
            rotated_at: None,
            previous_value: None,
            previous_value_expires_at: None,
            created_at: now,
            updated_at: now,
        };
        store.vk_values.insert(value, id.clone());
        store.virtual_keys.insert(id.clone(), record);
        ids.push(id);
    }
    ids
}

fn respond(store: &Store, id: &str, message: Option<&str>) -> ApiResult {
    let vk = store.virtual_keys.get(id).ok_or_else(not_found)?;
    Ok(Json(VirtualKeyResponse {
        message: message.map(str::to_string),
        virtual_key: render(store, vk, Depth::Full),
    })
    .into_response())
}

fn sort_rows(rows: &mut [&VirtualKeyRecord], sort_by: Option<&str>, descending: bool) {
    use std::cmp::Ordering;
    let compare: fn(&VirtualKeyRecord, &VirtualKeyRecord) -> Ordering = match sort_by {
        Some("name") => |a, b| a.name.cmp(&b.name),
        Some("budget_spent") => |a, b| a.limits.budget_spent().total_cmp(&b.limits.budget_spent()),
        Some("created_at") => |a, b| a.created_at.cmp(&b.created_at),
        Some("status") => |a, b| a.is_active.cmp(&b.is_active),
        // Unknown or missing: the default order, created_at then id.
        _ => return,
    };
    rows.sort_by(|a, b| {
        let primary = compare(a, b);
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then(a.seq.cmp(&b.seq))
    });
}

/// `export=true` (v2.x): pages of up to 10 000 rows, 10 000 by default.
fn export_window(params: &Params, window: Window) -> Window {
    const EXPORT_MAX: i64 = 10_000;
    let limit = match params
        .non_empty("limit")
        .and_then(|l| l.parse::<i64>().ok())
    {
        Some(l) if l > 0 => l.min(EXPORT_MAX),
        _ => EXPORT_MAX,
    };
    Window { limit, ..window }
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let triggers = [
        "customer_id",
        "team_id",
        "sort_by",
        "export",
        "exclude_access_profile_managed_virtual",
    ];
    let mut window = pagination::window(&params, &triggers, Strictness::Strict)?;
    if params.get("export") == Some("true") {
        window = window.map(|w| export_window(&params, w));
    }
    let search = params.non_empty("search");
    let customer_id = params.non_empty("customer_id");
    let team_id = params.non_empty("team_id");
    // `metadata_<key>=<value>` filters are AND-ed; a key that is not valid is a 400.
    let metadata_filters = metadata_filters(&params)?;
    let store = app.store();
    let mut rows: Vec<&VirtualKeyRecord> = in_creation_order(&store.virtual_keys)
        .into_iter()
        .filter(|vk| {
            // customer_id and team_id are OR-ed.
            let by_customer = customer_id.is_some_and(|c| vk.customer_id.as_deref() == Some(c));
            let by_team = team_id.is_some_and(|t| vk.team_id.as_deref() == Some(t));
            (customer_id.is_none() && team_id.is_none()) || by_customer || by_team
        })
        .filter(|vk| {
            // `search` looks at the name and at metadata values.
            search.is_none()
                || pagination::matches_search(&vk.name, search)
                || vk
                    .metadata
                    .as_ref()
                    .is_some_and(|m| m.values().any(|v| pagination::matches_search(v, search)))
        })
        .filter(|vk| {
            metadata_filters
                .iter()
                .all(|(k, v)| vk.metadata.as_ref().and_then(|m| m.get(k)) == Some(v))
        })
        .collect();
    let descending = params.get("order") == Some("desc");
    sort_rows(&mut rows, params.non_empty("sort_by"), descending);
    let page = pagination::paginate(rows, window).map(|vk| render(&store, vk, Depth::Full));
    Ok(Json(VirtualKeyList {
        count: Some(page.count),
        limit: Some(page.limit),
        offset: Some(page.offset),
        total_count: Some(page.total_count),
        virtual_keys: Some(page.items),
    })
    .into_response())
}

fn metadata_filters(params: &Params) -> Result<Vec<(String, String)>, ApiError> {
    let filters: HashMap<String, String> = params
        .pairs()
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("metadata_")
                .map(|key| (key.to_string(), v.clone()))
        })
        .collect();
    validate_metadata(&filters)?;
    Ok(filters.into_iter().collect())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::require_name(&body, "name", "Virtual key name is required")?;
    let req: CreateVirtualKeyRequest = request::decode(&body)?;
    let mut store = app.store();
    let id = create_virtual_key(&mut store, &req, None, None)?;
    respond(&store, &id, Some("Virtual key created successfully"))
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    respond(&store, &id, None)
}

/// The v2.x assignment rule: omitted leaves it, `""`/null clears it, setting
/// one of `team_id`/`customer_id` clears the other.
enum Assignment {
    Keep,
    Clear,
    Team(String),
    Customer(String),
}

fn assignment(
    store: &Store,
    body: &serde_json::Map<String, Value>,
) -> Result<Assignment, ApiError> {
    let team = request::presence(body, "team_id");
    let customer = request::presence(body, "customer_id");
    match (team, customer) {
        (Presence::Value(_), Presence::Value(_)) => Err(ApiError::bad_request(
            "A virtual key can belong to a team or a customer, not both: send only one of team_id and customer_id",
        )),
        (Presence::Value(team_id), _) => {
            check_team(store, team_id)?;
            Ok(Assignment::Team(team_id.to_string()))
        }
        (_, Presence::Value(customer_id)) => {
            teams::check_customer(store, customer_id)?;
            Ok(Assignment::Customer(customer_id.to_string()))
        }
        (Presence::Cleared, _) | (_, Presence::Cleared) => Ok(Assignment::Clear),
        (Presence::Absent, Presence::Absent) => Ok(Assignment::Keep),
    }
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::reject_blank(&body, "name", "Virtual key name cannot be empty")?;
    let req: UpdateVirtualKeyRequest = request::decode(&body)?;
    let mut store = app.store();
    if !store.virtual_keys.contains_key(&id) {
        return Err(not_found());
    }
    if let Some(name) = &req.name {
        check_unique_name(&store, name.trim(), Some(&id))?;
    }
    let assignment = assignment(&store, &body)?;
    if let Some(metadata) = &req.metadata {
        validate_metadata(metadata)?;
    }
    let expires_at = match req.expires_at.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(raw) => Some(Some(
            DateTime::parse_from_rfc3339(raw)
                .map_err(|_| ApiError::bad_request("expires_at must be an RFC3339 timestamp"))?
                .with_timezone(&Utc),
        )),
    };
    let Store {
        clock,
        catalog,
        virtual_keys,
        ..
    } = &mut *store;
    let mut next = virtual_keys[&id].clone();
    if let Some(name) = &req.name {
        next.name = name.trim().to_string();
    }
    if let Some(description) = &req.description {
        next.description = Some(description.clone());
    }
    if let Some(is_active) = req.is_active {
        next.is_active = is_active;
    }
    match assignment {
        Assignment::Keep => {}
        Assignment::Clear => {
            next.team_id = None;
            next.customer_id = None;
        }
        Assignment::Team(team_id) => {
            next.team_id = Some(team_id);
            next.customer_id = None;
        }
        Assignment::Customer(customer_id) => {
            next.customer_id = Some(customer_id);
            next.team_id = None;
        }
    }
    if let Some(aligned) = req.calendar_aligned {
        next.calendar_aligned = aligned;
        limits::set_calendar_aligned(clock, &mut next.limits, aligned);
    }
    if let Some(budgets) = &req.budgets {
        limits::replace_budgets(
            clock,
            &mut next.limits,
            budgets,
            Owner::VirtualKey(&id),
            next.calendar_aligned,
        )?;
    }
    if let Some(rate_limit) = &req.rate_limit {
        limits::merge_rate_limit(clock, &mut next.limits.rate_limit, rate_limit)?;
    }
    if let Some(configs) = &req.provider_configs {
        next.provider_configs = apply_provider_configs(
            catalog,
            clock,
            std::mem::take(&mut next.provider_configs),
            configs,
        )?;
    }
    if let Some(configs) = &req.mcp_configs {
        next.mcp_configs = apply_mcp_configs(
            catalog,
            clock,
            std::mem::take(&mut next.mcp_configs),
            configs,
        )?;
    }
    if let Some(expires_at) = expires_at {
        next.expires_at = expires_at;
    }
    if let Some(metadata) = &req.metadata {
        next.metadata = Some(metadata.0.clone());
    }
    if req.reset_budget_usage == Some(true) {
        let now = clock.now();
        next.limits.reset_usage(now);
        for pc in &mut next.provider_configs {
            pc.limits.reset_usage(now);
        }
    }
    next.updated_at = clock.now();
    virtual_keys.insert(id.clone(), next);
    respond(&store, &id, Some("Virtual key updated successfully"))
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    let vk = store.virtual_keys.shift_remove(&id).ok_or_else(not_found)?;
    store.vk_values.remove(&vk.value);
    if let Some(previous) = &vk.previous_value {
        store.vk_values.remove(previous);
    }
    model_configs::delete_scoped_to_virtual_key(&mut store, &id);
    Ok(Json(MessageResponse {
        message: Some("Virtual key deleted successfully".to_string()),
    })
    .into_response())
}

/// Gives a key a new value. The old one stops working at once, or after
/// `grace` (`previous_value_expires_at`) when the server has a grace period.
fn rotate(store: &mut Store, id: &str, grace: std::time::Duration) -> Result<(), ApiError> {
    let now = store.clock.now();
    let vk = store.virtual_keys.get_mut(id).ok_or_else(not_found)?;
    let old = std::mem::replace(&mut vk.value, store.clock.new_vk_value());
    let older = vk.previous_value.take();
    vk.rotated_at = Some(now);
    vk.updated_at = now;
    let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::zero());
    let new = vk.value.clone();
    if grace > chrono::Duration::zero() {
        vk.previous_value = Some(old);
        vk.previous_value_expires_at = Some(now + grace);
    } else {
        vk.previous_value_expires_at = None;
        store.vk_values.remove(&old);
    }
    if let Some(older) = older {
        store.vk_values.remove(&older);
    }
    store.vk_values.insert(new, id.to_string());
    Ok(())
}

async fn rotate_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    rotate(&mut store, &id, app.config.rotation_grace)?;
    respond(&store, &id, Some("Virtual key rotated successfully"))
}

async fn rotate_many(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    let ids = match body.get("ids") {
        Some(Value::Array(ids)) if !ids.is_empty() => ids,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "ids is required and must not be empty",
            ));
        }
        Some(_) => return Err(ApiError::bad_request("Invalid JSON: ids must be an array")),
    };
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        let Value::String(id) = id else {
            return Err(ApiError::bad_request("Invalid JSON: ids must be strings"));
        };
        if id.trim().is_empty() {
            return Err(ApiError::bad_request("ids must not contain blank values"));
        }
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    let mut store = app.store();
    let mut rotated = Vec::new();
    let mut errors = HashMap::new();
    for id in &unique {
        match rotate(&mut store, id, app.config.rotation_grace) {
            Ok(()) => rotated.push(render(&store, &store.virtual_keys[id], Depth::Full)),
            Err(_) => {
                errors.insert(id.clone(), "virtual key not found".to_string());
            }
        }
    }
    let (status, message) = if rotated.is_empty() {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to rotate virtual keys",
        )
    } else {
        (StatusCode::OK, "Virtual keys rotated successfully")
    };
    let body = RotateVirtualKeysResponse {
        errors: (!errors.is_empty()).then_some(errors),
        message: Some(message.to_string()),
        virtual_keys: Some(rotated),
    };
    Ok((status, Json(body)).into_response())
}

/// Reads the calling key from `x-bf-vk`, or from `Authorization: Bearer`,
/// `x-api-key`, `x-goog-api-key` or `api-key` when the value starts with `sk-bf-`.
fn presented_key(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(vk) = header("x-bf-vk") {
        return Some(vk.to_string());
    }
    let bearer = header("authorization").and_then(|v| v.strip_prefix("Bearer "));
    [
        bearer,
        header("x-api-key"),
        header("x-goog-api-key"),
        header("api-key"),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|v| v.starts_with("sk-bf-"))
    .map(str::to_string)
}

async fn quota(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult {
    let value = presented_key(&headers).ok_or_else(|| {
        ApiError::unauthorized(
            "Missing virtual key. Provide it via x-bf-vk header, Authorization Bearer, x-api-key, or x-goog-api-key header.",
        )
    })?;
    let store = app.store();
    let vk = store
        .vk_values
        .get(&value)
        .and_then(|id| store.virtual_keys.get(id))
        .filter(|vk| {
            vk.value == value
                || (vk.previous_value.as_deref() == Some(value.as_str())
                    && vk.previous_value_expires_at.is_some_and(|t| t > Utc::now()))
        })
        .ok_or_else(|| ApiError::unauthorized("Virtual key not found"))?;
    let model_configs = model_configs::scoped_to_virtual_key(&store, &vk.id)
        .into_iter()
        .map(|mc| QuotaModelConfig {
            budgets: mc.limits.budgets_field(),
            model_name: Some(mc.model_name.clone()),
            provider: mc.provider.clone(),
            rate_limit: mc.limits.rate_limit.clone(),
        })
        .collect();
    Ok(Json(VirtualKeyQuota {
        budgets: Some(vk.limits.budgets.clone()),
        is_active: Some(vk.is_active),
        model_configs: Some(model_configs),
        provider_configs: Some(
            vk.provider_configs
                .iter()
                .map(|pc| render_provider_config(&store.catalog, &vk.id, pc))
                .collect(),
        ),
        rate_limit: vk.limits.rate_limit.clone(),
        rate_limits: Some(vk.limits.rate_limit.clone().into_iter().collect()),
        virtual_key_name: Some(vk.name.clone()),
    })
    .into_response())
}
