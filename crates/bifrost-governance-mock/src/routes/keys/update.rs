//! `PUT /api/governance/virtual-keys/{vk_id}` (`gov.go updateVirtualKey`; v2
//! `governance.go updateVirtualKey`).

use crate::errors::{ApiError, TxError, TxKind};
use crate::governance::{self, Of};
use crate::limits::{self, Reconcile};
use crate::profile::Profile;
use crate::request::Field;
use crate::store::Store;
use crate::store::records::VirtualKey;

use super::configs::{
    apply_mcp_configs, create_provider_config, delete_provider_config, update_provider_config,
};
use super::requests::{ExpiryChange, UpdateKey, expiry_change, validate_metadata};

/// An owner field as v2 reads it: whitespace counts as absent, `null`/`""` clears.
fn v2_owner(field: &Field<String>) -> Field<String> {
    match field {
        Field::Value(v) if v.is_empty() => Field::Null,
        Field::Value(v) if v.trim().is_empty() => Field::Absent,
        other => other.clone(),
    }
}

/// The new `(team_id, customer_id)`: on 1.5.x a sent one replaces and clears the
/// other, and sending neither clears both; on v2 (`applyVirtualKeyOwnershipUpdate`)
/// a value sets one and clears the other, `null`/`""` clears both, omitted keeps.
fn owners(profile: Profile, req: &UpdateKey, vk: &VirtualKey) -> (Option<String>, Option<String>) {
    if !profile.update_keeps_unsent_owner() {
        return match (req.team_id.as_option(), req.customer_id.as_option()) {
            (Some(team), _) => (Some(team.clone()), None),
            (None, Some(customer)) => (None, Some(customer.clone())),
            (None, None) => (None, None),
        };
    }
    let (team, customer) = (v2_owner(&req.team_id), v2_owner(&req.customer_id));
    match (&team, &customer) {
        (Field::Value(t), _) => (Some(t.clone()), None),
        (_, Field::Value(c)) => (None, Some(c.clone())),
        (Field::Null, _) | (_, Field::Null) => (None, None),
        (Field::Absent, Field::Absent) => (vk.team_id.clone(), vk.customer_id.clone()),
    }
}

/// Updates a key: the handler's checks in order, then one transaction.
pub(crate) fn update_key(
    store: &mut Store,
    profile: Profile,
    id: &str,
    req: &UpdateKey,
) -> Result<(), ApiError> {
    let both = if profile.blank_owner_is_absent() {
        matches!(v2_owner(&req.team_id), Field::Value(_))
            && matches!(v2_owner(&req.customer_id), Field::Value(_))
    } else {
        req.team_id.as_option().is_some() && req.customer_id.as_option().is_some()
    };
    if both {
        return Err(ApiError::bad_request(
            "VirtualKey cannot be attached to both Team and Customer",
        ));
    }
    let expiry = expiry_change(profile, &req.expires_at, store.clock.current())?;
    if profile.has_key_extensions()
        && let Some(metadata) = &req.metadata
    {
        validate_metadata(metadata).map_err(ApiError::bad_request)?;
    }
    let current = store
        .virtual_keys
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Virtual key not found"))?;
    if profile.has_key_extensions() {
        let expires_after = match &expiry {
            ExpiryChange::Keep => current.expires_at,
            ExpiryChange::Clear => None,
            ExpiryChange::Set(at) => Some(*at),
        };
        if matches!(req.delete_after_expire, Field::Value(_)) && expires_after.is_none() {
            return Err(ApiError::bad_request(
                "delete_after_expire requires expires_at",
            ));
        }
    }
    store
        .transaction(|store| apply(store, profile, current, req, expiry))
        .map_err(|e| {
            let message = format!("Failed to update virtual key: {}", e.message);
            match e.kind {
                TxKind::AlreadyExists if profile.name_conflicts_are_409() => {
                    ApiError::conflict("A virtual key with this name already exists")
                }
                TxKind::BadRequest | TxKind::AlreadyExists => ApiError::bad_request(message),
                _ => ApiError::internal(message),
            }
        })
}

fn apply(
    store: &mut Store,
    profile: Profile,
    mut vk: VirtualKey,
    req: &UpdateKey,
    expiry: ExpiryChange,
) -> Result<(), TxError> {
    let v2 = profile.has_key_extensions();
    if let Some(name) = &req.name {
        vk.name = name.clone();
    }
    if let Some(description) = &req.description {
        vk.description = description.clone();
    }
    let (team_id, customer_id) = owners(profile, req, &vk);
    vk.team_id = team_id;
    vk.customer_id = customer_id;
    if let Some(active) = req.is_active {
        vk.is_active = active;
    }
    // 1.5.x: `calendar_aligned` is applied in memory (it shapes the budgets created
    // here) but `UpdateVirtualKey` does not write the column.
    let stored_aligned = vk.calendar_aligned;
    let switched_on = req.calendar_aligned == Some(true) && !vk.calendar_aligned;
    if let Some(aligned) = req.calendar_aligned {
        vk.calendar_aligned = aligned;
    }
    if v2 {
        match expiry {
            ExpiryChange::Keep => {}
            ExpiryChange::Clear => {
                vk.expires_at = None;
                vk.delete_after_expire = None;
            }
            ExpiryChange::Set(at) => vk.expires_at = Some(at),
        }
        match req.delete_after_expire {
            Field::Absent => {}
            Field::Null => vk.delete_after_expire = None,
            Field::Value(flag) => vk.delete_after_expire = Some(flag),
        }
        match req.disable_content_logging {
            Field::Absent => {}
            Field::Null => vk.disable_content_logging = None,
            Field::Value(flag) => vk.disable_content_logging = Some(flag),
        }
        if let Some(metadata) = &req.metadata {
            vk.metadata = (!metadata.is_empty()).then(|| metadata.clone());
        }
        if let Some(all) = req.allow_all_providers {
            vk.allow_all_providers = all;
        }
    }

    let mut slot = governance::slot(store, profile, &vk, Of::Key);
    if let Some(items) = &req.budgets {
        let mut items = items.clone();
        if profile.is_v1_5() {
            items.sort_by(|a, b| a.reset_duration.cmp(&b.reset_duration));
        }
        crate::limits::check_budget_list(profile, &items, crate::limits::ListWording::Update)
            .map_err(TxError::bad)?;
        let owner = governance::budget_owner(store, profile, &vk, Of::Key);
        let aligned = vk.calendar_aligned;
        slot.budget_ids = limits::reconcile(
            store,
            profile,
            Reconcile {
                owner,
                existing: slot.budget_ids.clone(),
                requests: &items,
                aligned: &|_| aligned,
                on_match: &|_, _, _| {},
                delete_context: "failed to delete removed VK budget",
            },
        )?;
    }
    if let Some(rl) = &req.rate_limit {
        let merged = limits::merge_rate_limit(store, profile, slot.rate_limit_id.clone(), rl)?;
        if v2 && let Some(id) = &merged {
            // v2 writes the key's limit through its model config, which validates it.
            let row = store.rate_limits.get(id).cloned();
            if let Some(row) = row {
                let fields = limits::RateLimitIn {
                    token_max_limit: row.token_max_limit,
                    token_reset_duration: row.token_reset_duration,
                    request_max_limit: row.request_max_limit,
                    request_reset_duration: row.request_reset_duration,
                };
                limits::validate_rate_limit(profile, &fields)?;
            }
        }
        slot.rate_limit_id = merged;
    }
    if v2 && switched_on {
        limits::adopt_alignment(store, profile, &slot.budget_ids);
    }
    if v2 && req.reset_budget_usage == Some(true) {
        limits::reset_usage(store, &slot.budget_ids);
    }
    governance::set_slot(store, profile, &mut vk, Of::Key, slot);

    // `UpdateVirtualKey`: the row is looked up by `id = ? OR name = ?`, the first by
    // primary key wins, so a rename onto an older key's name hits that key's row and
    // fails on its unique `value` instead.
    if let Some(other) = store
        .virtual_keys
        .values()
        .find(|other| other.id != vk.id && other.name == vk.name)
    {
        return Err(TxError::exists(if other.id < vk.id {
            "value"
        } else {
            "name"
        }));
    }
    if profile.is_v1_5() {
        vk.calendar_aligned = stored_aligned;
    }
    vk.updated_at = store.clock.now();

    if let Some(entries) = &req.provider_configs {
        let mut entries = entries.clone();
        entries.sort_by(|a, b| match (a.id, b.id) {
            (Some(x), Some(y)) if x != y => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            _ => a.provider.cmp(&b.provider),
        });
        let existing: Vec<u64> = vk.provider_configs.iter().map(|pc| pc.id).collect();
        let mut listed: Vec<u64> = Vec::new();
        // New configs shape their budgets with the flag as sent.
        let shaping = vk.calendar_aligned;
        if let Some(aligned) = req.calendar_aligned {
            vk.calendar_aligned = aligned;
        }
        for entry in &entries {
            match entry.id {
                None => create_provider_config(store, profile, &mut vk, entry, true)?,
                Some(id) => {
                    update_provider_config(store, profile, &mut vk, entry, id)?;
                    listed.push(id);
                }
            }
        }
        vk.calendar_aligned = shaping;
        for id in existing {
            if !listed.contains(&id)
                && let Some(index) = vk.provider_configs.iter().position(|pc| pc.id == id)
            {
                delete_provider_config(store, profile, &mut vk, index);
            }
        }
    }
    if let Some(entries) = &req.mcp_configs {
        apply_mcp_configs(store, &mut vk, entries, true)?;
    }
    if v2 && req.reset_budget_usage == Some(true) {
        for index in 0..vk.provider_configs.len() {
            let slot = governance::slot(store, profile, &vk, Of::Provider(index));
            limits::reset_usage(store, &slot.budget_ids);
        }
    }
    let id = vk.id.clone();
    store.put(&id, vk);
    Ok(())
}
