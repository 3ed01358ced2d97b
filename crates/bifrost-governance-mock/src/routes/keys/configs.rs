//! A key's provider and MCP configs, created and replaced as `createVirtualKey` and
//! `updateVirtualKey` do (`gov.go`; v2 `governance.go`).

use crate::errors::TxError;
use crate::governance::{self, Of, Slot};
use crate::limits::{self, BudgetItem, Reconcile};
use crate::profile::Profile;
use crate::store::Store;
use crate::store::records::{McpConfig, ProviderConfig, VirtualKey};

use super::requests::{McpConfigIn, ProviderConfigIn};

/// `schemas.WhiteList.Validate`: `*` only alone, no value twice (case-insensitively).
pub(crate) fn validate_list(list: Option<&Vec<String>>) -> Result<(), String> {
    let Some(list) = list else { return Ok(()) };
    if list.iter().any(|v| v == "*") && list.len() > 1 {
        return Err("wildcard '*' cannot be used with other values in the whitelist".to_string());
    }
    let mut seen = std::collections::HashSet::new();
    for value in list {
        if !seen.insert(value.to_lowercase()) {
            return Err(format!("duplicate value '{value}' in whitelist"));
        }
    }
    Ok(())
}

/// `key_ids` → (`allow_all_keys`, linked keys): `["*"]` allows all, nothing allows
/// none, ids are looked up by `key_id` in every provider (`GetKeysByIDs`); a
/// missing one is a plain error, so 500.
fn resolve_keys(
    store: &Store,
    provider: &str,
    key_ids: Option<&Vec<String>>,
) -> Result<(bool, Vec<u64>), TxError> {
    let key_ids = key_ids.map(Vec::as_slice).unwrap_or_default();
    if key_ids.len() == 1 && key_ids[0] == "*" {
        return Ok((true, Vec::new()));
    }
    if key_ids.is_empty() {
        return Ok((false, Vec::new()));
    }
    let found = store.catalog.keys_by_key_ids(key_ids);
    if found.len() != key_ids.len() {
        return Err(TxError::plain(format!(
            "some keys not found for provider {provider}: expected {}, found {}",
            key_ids.len(),
            found.len()
        )));
    }
    let mut ids: Vec<u64> = found.iter().map(|k| k.id).collect();
    ids.sort_unstable();
    Ok((false, ids))
}

/// The provider-name checks of every entry: trimmed empty → 400 `provider name is
/// required`; not configured → 400 `invalid provider name: <as sent>`.
fn check_provider(store: &Store, entry: &ProviderConfigIn) -> Result<String, TxError> {
    let name = entry.provider.trim();
    if name.is_empty() {
        return Err(TxError::bad("provider name is required"));
    }
    if !store.catalog.is_configured(name) {
        return Err(TxError::bad(format!(
            "invalid provider name: {}",
            entry.provider
        )));
    }
    Ok(name.to_string())
}

/// The model and key lists of an entry (400s).
fn check_lists(profile: Profile, entry: &ProviderConfigIn) -> Result<(), TxError> {
    let label = &entry.provider;
    validate_list(entry.allowed_models.as_ref())
        .map_err(|e| TxError::bad(format!("invalid allowed_models for provider {label}: {e}")))?;
    if profile.has_key_extensions() {
        validate_list(entry.blacklisted_models.as_ref()).map_err(|e| {
            TxError::bad(format!(
                "invalid blacklisted_models for provider {label}: {e}"
            ))
        })?;
    }
    validate_list(entry.key_ids.as_ref())
        .map_err(|e| TxError::bad(format!("invalid key_ids for provider {label}: {e}")))
}

/// A new provider config of `vk` (create, and entries without `id` on update):
/// lists, keys, rate limit, the row, then its budgets (request order on create,
/// sorted by duration on update).
pub(crate) fn create_provider_config(
    store: &mut Store,
    profile: Profile,
    vk: &mut VirtualKey,
    entry: &ProviderConfigIn,
    sort_budgets: bool,
) -> Result<(), TxError> {
    let provider = check_provider(store, entry)?;
    check_lists(profile, entry)?;
    let (allow_all_keys, keys) = resolve_keys(store, &entry.provider, entry.key_ids.as_ref())?;
    let rate_limit_id = match &entry.rate_limit {
        Some(rl) => Some(limits::create_rate_limit(store, profile, rl)?),
        None => None,
    };
    vk.provider_configs.push(ProviderConfig {
        id: store.clock.next_provider_config_id(),
        provider,
        weight: entry.weight,
        allowed_models: entry.allowed_models.clone(),
        blacklisted_models: entry
            .blacklisted_models
            .clone()
            .filter(|_| profile.has_key_extensions()),
        allow_all_keys,
        keys,
        rate_limit_id: None,
        budget_ids: Vec::new(),
    });
    let of = Of::Provider(vk.provider_configs.len() - 1);
    let mut budget_ids = Vec::new();
    if let Some(items) = entry.budgets.as_ref().filter(|b| !b.is_empty()) {
        let mut items = items.clone();
        if sort_budgets {
            items.sort_by(|a, b| a.reset_duration.cmp(&b.reset_duration));
        }
        let owner = governance::budget_owner(store, profile, vk, of);
        let mut seen = Vec::new();
        for item in &items {
            if seen.contains(&item.reset_duration) {
                return Err(TxError::bad(format!(
                    "duplicate reset_duration in provider config budgets: {}",
                    item.reset_duration
                )));
            }
            seen.push(item.reset_duration.clone());
            let mut budget = limits::new_budget(
                store,
                item.max_limit,
                &item.reset_duration,
                vk.calendar_aligned,
                owner.clone(),
                profile,
            );
            if profile.has_key_extensions() {
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
        vk,
        of,
        Slot {
            budget_ids,
            rate_limit_id,
        },
    );
    sync_model_budgets(store, profile, vk, of, entry)
}

/// `model_budgets` of a provider config entry, where the profile knows them.
fn sync_model_budgets(
    store: &mut Store,
    profile: Profile,
    vk: &VirtualKey,
    of: Of,
    entry: &ProviderConfigIn,
) -> Result<(), TxError> {
    let Of::Provider(index) = of else {
        return Ok(());
    };
    match (&entry.model_budgets, vk.provider_configs.get(index)) {
        (Some(entries), Some(pc)) if profile.has_model_budgets() => {
            let provider = pc.provider.clone();
            super::model_budgets::sync(store, profile, vk, &provider, entries)
        }
        _ => Ok(()),
    }
}

/// Checks a provider config's budget list on update (400s).
fn check_budget_items(profile: Profile, items: &[BudgetItem]) -> Result<(), TxError> {
    crate::limits::check_budget_list(profile, items, crate::limits::ListWording::ProviderConfig)
        .map_err(TxError::bad)
}

/// Changes the provider config `entry.id` of `vk` in place: every listed field is
/// overwritten (an omitted `allowed_models` denies every model; an omitted `key_ids`
/// drops the keys on 1.5.x and keeps them on v2), `budgets` and `rate_limit` only
/// when sent.
pub(crate) fn update_provider_config(
    store: &mut Store,
    profile: Profile,
    vk: &mut VirtualKey,
    entry: &ProviderConfigIn,
    id: u64,
) -> Result<(), TxError> {
    let provider = check_provider(store, entry)?;
    let index = vk
        .provider_configs
        .iter()
        .position(|pc| pc.id == id)
        .ok_or_else(|| {
            TxError::plain(format!(
                "provider config {id} does not belong to this virtual key"
            ))
        })?;
    check_lists(profile, entry)?;
    let keys = if entry.key_ids.is_none() && profile.omitted_key_ids_kept() {
        None
    } else {
        Some(resolve_keys(
            store,
            &entry.provider,
            entry.key_ids.as_ref(),
        )?)
    };
    {
        let pc = &mut vk.provider_configs[index];
        pc.provider = provider;
        pc.weight = entry.weight;
        pc.allowed_models = entry.allowed_models.clone();
        if profile.has_key_extensions() {
            pc.blacklisted_models = entry.blacklisted_models.clone();
        }
        if let Some((allow_all_keys, keys)) = keys {
            pc.allow_all_keys = allow_all_keys;
            pc.keys = keys;
        }
    }
    let of = Of::Provider(index);
    let mut slot = governance::slot(store, profile, vk, of);
    if let Some(items) = &entry.budgets {
        let mut items = items.clone();
        if profile.is_v1_5() {
            items.sort_by(|a, b| a.reset_duration.cmp(&b.reset_duration));
        }
        check_budget_items(profile, &items)?;
        let owner = governance::budget_owner(store, profile, vk, of);
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
                delete_context: "failed to delete removed provider config budget",
            },
        )?;
    }
    if let Some(rl) = &entry.rate_limit {
        slot.rate_limit_id =
            limits::merge_rate_limit(store, profile, slot.rate_limit_id.clone(), rl)?;
    }
    governance::set_slot(store, profile, vk, of, slot);
    sync_model_budgets(store, profile, vk, of, entry)
}

/// Deletes a provider config with its key links, budgets and rate limit.
pub(crate) fn delete_provider_config(
    store: &mut Store,
    profile: Profile,
    vk: &mut VirtualKey,
    index: usize,
) {
    let slot = governance::slot(store, profile, vk, Of::Provider(index));
    limits::delete_budgets(store, &slot.budget_ids);
    limits::delete_rate_limit(store, slot.rate_limit_id.as_ref());
    governance::set_slot(store, profile, vk, Of::Provider(index), Slot::default());
    vk.provider_configs.remove(index);
}

/// `mcp_configs`: no client name twice, tool lists valid, clients looked up by name
/// (an unknown one is a plain error: `failed to get MCP client: not found`). On
/// update, entries are sorted (with `id` first), an `id` must belong to the key, and
/// configs not referenced by `id` are deleted after the creates — so re-adding a
/// client the key has, without its `id`, hits the unique index first.
pub(crate) fn apply_mcp_configs(
    store: &mut Store,
    vk: &mut VirtualKey,
    entries: &[McpConfigIn],
    update: bool,
) -> Result<(), TxError> {
    let mut seen: Vec<&str> = Vec::new();
    for entry in entries {
        if seen.contains(&entry.mcp_client_name.as_str()) {
            return Err(TxError::bad(format!(
                "duplicate mcp_client_name: {}",
                entry.mcp_client_name
            )));
        }
        seen.push(&entry.mcp_client_name);
    }
    let mut entries = entries.to_vec();
    if update {
        entries.sort_by(|a, b| match (a.id, b.id) {
            (Some(x), Some(y)) if x != y => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            _ => a.mcp_client_name.cmp(&b.mcp_client_name),
        });
    }
    let existing: Vec<u64> = vk.mcp_configs.iter().map(|m| m.id).collect();
    let mut referenced: Vec<u64> = Vec::new();
    for entry in &entries {
        validate_list(entry.tools_to_execute.as_ref()).map_err(|e| {
            TxError::bad(format!(
                "invalid tools_to_execute for mcp client {}: {e}",
                entry.mcp_client_name
            ))
        })?;
        match entry.id {
            None => {
                let client = store
                    .catalog
                    .mcp_client_by_name(&entry.mcp_client_name)
                    .ok_or_else(|| TxError::plain("failed to get MCP client: not found"))?;
                let client_id = client.id;
                if vk.mcp_configs.iter().any(|m| m.mcp_client_id == client_id) {
                    return Err(TxError::exists("mcp_client_id"));
                }
                vk.mcp_configs.push(McpConfig {
                    id: store.clock.next_mcp_config_id(),
                    mcp_client_id: client_id,
                    tools_to_execute: entry.tools_to_execute.clone(),
                });
            }
            Some(id) => {
                let config = vk
                    .mcp_configs
                    .iter_mut()
                    .find(|m| m.id == id && existing.contains(&id))
                    .ok_or_else(|| {
                        TxError::plain(format!(
                            "MCP config {id} does not belong to this virtual key"
                        ))
                    })?;
                config.tools_to_execute = entry.tools_to_execute.clone();
                referenced.push(id);
            }
        }
    }
    if update {
        vk.mcp_configs
            .retain(|m| !existing.contains(&m.id) || referenced.contains(&m.id));
    }
    Ok(())
}
