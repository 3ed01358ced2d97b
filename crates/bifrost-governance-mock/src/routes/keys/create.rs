//! `POST /api/governance/virtual-keys` (`gov.go createVirtualKey`; v2 `governance.go`).

use crate::errors::{ApiError, TxError, TxKind};
use crate::governance::{self, Of, Slot};
use crate::limits;
use crate::profile::Profile;
use crate::store::Store;
use crate::store::records::VirtualKey;

use super::configs::{apply_mcp_configs, create_provider_config};
use super::requests::{CreateKey, expires_at_time, validate_metadata};

/// A fixed id and secret value (seeding); generated when `None`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fixed {
    pub(crate) id: Option<String>,
    pub(crate) value: Option<String>,
}

/// An owner id as the create path reads it: v2 treats whitespace as absent.
fn owner(profile: Profile, id: &Option<String>) -> Option<String> {
    match id {
        Some(id) if profile.blank_owner_is_absent() && id.trim().is_empty() => None,
        other => other.clone(),
    }
}

/// Creates a key: the handler's checks in order, then one transaction. Returns the
/// new id, or the error as the handler answers it.
pub(crate) fn create_key(
    store: &mut Store,
    profile: Profile,
    req: &CreateKey,
    fixed: Fixed,
) -> Result<String, ApiError> {
    let expires_at = expires_at_time(profile, &req.expires_at)?;
    if req.name.is_empty() {
        return Err(ApiError::bad_request("Virtual key name is required"));
    }
    let team_id = owner(profile, &req.team_id);
    let customer_id = owner(profile, &req.customer_id);
    if team_id.is_some() && customer_id.is_some() {
        return Err(ApiError::bad_request(
            "VirtualKey cannot be attached to both Team and Customer",
        ));
    }
    let budgets = req.budgets.clone().unwrap_or_default();
    crate::limits::check_budget_list(profile, &budgets, crate::limits::ListWording::Create)
        .map_err(ApiError::bad_request)?;
    if profile.has_key_extensions() {
        if let Some(at) = expires_at
            && at <= store.clock.current()
        {
            return Err(ApiError::bad_request(
                "expires_at must be a future timestamp",
            ));
        }
        if req.delete_after_expire.is_some() && expires_at.is_none() {
            return Err(ApiError::bad_request(
                "delete_after_expire requires expires_at",
            ));
        }
        if let Some(metadata) = &req.metadata {
            validate_metadata(metadata).map_err(ApiError::bad_request)?;
        }
    }
    store
        .transaction(|store| {
            insert_key(store, profile, req, fixed, team_id, customer_id, expires_at)
        })
        .map_err(|e| match e.kind {
            TxKind::BadRequest => ApiError::bad_request(e.message),
            TxKind::AlreadyExists if profile.name_conflicts_are_409() => {
                ApiError::conflict("A virtual key with this name already exists")
            }
            _ => ApiError::internal(e.message),
        })
}

fn insert_key(
    store: &mut Store,
    profile: Profile,
    req: &CreateKey,
    fixed: Fixed,
    team_id: Option<String>,
    customer_id: Option<String>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<String, TxError> {
    // 1.5.x validates and creates the rate limit before the key row.
    let early_rate_limit = match (&req.rate_limit, profile.key_governance_in_model_configs()) {
        (Some(rl), false) => Some(limits::create_rate_limit(store, profile, rl)?),
        _ => None,
    };
    let id = fixed.id.unwrap_or_else(|| store.clock.new_id());
    let value = fixed.value.unwrap_or_else(|| store.clock.new_vk_value());
    if store.virtual_keys.values().any(|vk| vk.name == req.name) {
        return Err(TxError::exists("name"));
    }
    if store.virtual_keys.contains_key(&id) {
        return Err(TxError::exists("id"));
    }
    if store.vk_values.contains_key(&value) {
        return Err(TxError::exists("value"));
    }
    let now = store.clock.now();
    let v2 = profile.has_key_extensions();
    let mut vk = VirtualKey {
        id: id.clone(),
        name: req.name.clone(),
        description: req.description.clone(),
        value: value.clone(),
        is_active: req.is_active.unwrap_or(true),
        team_id,
        customer_id,
        rate_limit_id: None,
        budget_ids: Vec::new(),
        provider_configs: Vec::new(),
        mcp_configs: Vec::new(),
        calendar_aligned: req.calendar_aligned,
        allow_all_providers: v2 && req.allow_all_providers == Some(true),
        expires_at,
        metadata: req.metadata.clone().filter(|m| v2 && !m.is_empty()),
        disable_content_logging: req.disable_content_logging.filter(|_| v2),
        delete_after_expire: req.delete_after_expire.filter(|_| v2),
        previous_value: None,
        previous_value_expires_at: None,
        rotated_at: None,
        created_at: now,
        updated_at: now,
    };
    store.put(&id, vk.clone());
    store.set_vk_value(&value, Some(&id));

    // The key's own rate limit and budgets.
    let rate_limit_id = match (&req.rate_limit, early_rate_limit) {
        (_, Some(id)) => Some(id),
        (Some(rl), None) => Some(limits::create_rate_limit(store, profile, rl)?),
        (None, None) => None,
    };
    let mut budget_ids = Vec::new();
    if let Some(items) = req.budgets.as_ref().filter(|b| !b.is_empty()) {
        let owner = governance::budget_owner(store, profile, &vk, Of::Key);
        for item in items {
            let mut budget = limits::new_budget(
                store,
                item.max_limit,
                &item.reset_duration,
                vk.calendar_aligned,
                owner.clone(),
                profile,
            );
            if v2 {
                budget.reset_config = item.reset_config.map(|rc| rc.quarter_start_month);
            }
            limits::validate_budget(
                profile,
                item.max_limit,
                &item.reset_duration,
                budget.reset_config,
            )?;
            budget_ids.push(budget.id.clone());
            limits::save_budget(store, profile, budget)?;
        }
    }
    governance::set_slot(
        store,
        profile,
        &mut vk,
        Of::Key,
        Slot {
            budget_ids,
            rate_limit_id,
        },
    );
    for entry in req.provider_configs.iter().flatten() {
        create_provider_config(store, profile, &mut vk, entry, false)?;
    }
    if let Some(entries) = &req.mcp_configs {
        apply_mcp_configs(store, &mut vk, entries, false)?;
    }
    store.put(&id, vk);
    Ok(id)
}
