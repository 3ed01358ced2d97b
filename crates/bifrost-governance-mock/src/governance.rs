//! Where a virtual key's budgets and rate limit live.
//!
//! On 1.5.x they hang off the key row and its provider-config rows
//! (`governance_budgets.virtual_key_id`/`provider_config_id`, `rate_limit_id`). On v2
//! they live in model configs scoped to the key (`scope: virtual_key`, `model_name: *`,
//! no provider for the key itself, the provider's name for a provider config): the
//! budgets carry `model_config_id`, `GET /model-configs` lists those configs, and key
//! responses are hydrated from them (`v2: governance.go syncVKGovernanceToModelConfigs`,
//! `applyVKGovernanceFromModelConfigs`). A key-scoped config exists only while it holds
//! a budget or a rate limit.

use std::collections::HashMap;

use crate::profile::Profile;
use crate::store::Store;
use crate::store::records::{
    ALL_MODELS, Budget, BudgetOwner, ModelConfig, SCOPE_VIRTUAL_KEY, VirtualKey,
};

/// A key's (or one of its provider configs') budgets and rate limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Slot {
    pub(crate) budget_ids: Vec<String>,
    pub(crate) rate_limit_id: Option<String>,
}

/// Which slot of a key: the key itself or the provider config at this index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Of {
    Key,
    Provider(usize),
}

/// The key-scoped model configs of every key, built once per rendered list.
#[derive(Debug, Default)]
pub(crate) struct Index<'a> {
    by_key: HashMap<&'a str, Vec<&'a ModelConfig>>,
}

impl<'a> Index<'a> {
    /// Every key-scoped model config, by key id.
    pub(crate) fn build(store: &'a Store) -> Self {
        let mut by_key: HashMap<&'a str, Vec<&'a ModelConfig>> = HashMap::new();
        for mc in store.model_configs.values() {
            if mc.scope == SCOPE_VIRTUAL_KEY
                && let Some(id) = mc.scope_id.as_deref()
            {
                by_key.entry(id).or_default().push(mc);
            }
        }
        Self { by_key }
    }

    /// The key-scoped configs of one key.
    pub(crate) fn of(&self, vk_id: &str) -> &[&'a ModelConfig] {
        self.by_key.get(vk_id).map_or(&[], Vec::as_slice)
    }

    /// The `*` config of a key (`provider = None`) or of one provider.
    pub(crate) fn governance(
        &self,
        vk_id: &str,
        provider: Option<&str>,
    ) -> Option<&'a ModelConfig> {
        self.of(vk_id)
            .iter()
            .copied()
            .find(|mc| mc.is_key_governance(vk_id, provider))
    }
}

fn provider_of(vk: &VirtualKey, of: Of) -> Option<&str> {
    match of {
        Of::Key => None,
        Of::Provider(i) => vk.provider_configs.get(i).map(|pc| pc.provider.as_str()),
    }
}

/// The key-scoped `*` config of a key or provider, if any.
pub(crate) fn model_config<'s>(
    store: &'s Store,
    vk: &VirtualKey,
    of: Of,
) -> Option<&'s ModelConfig> {
    let provider = provider_of(vk, of);
    store
        .model_configs
        .values()
        .find(|mc| mc.is_key_governance(&vk.id, provider))
}

/// The slot's current budgets and rate limit.
pub(crate) fn slot(store: &Store, profile: Profile, vk: &VirtualKey, of: Of) -> Slot {
    if profile.key_governance_in_model_configs() {
        return model_config(store, vk, of)
            .map(|mc| Slot {
                budget_ids: mc.budget_ids.clone(),
                rate_limit_id: mc.rate_limit_id.clone(),
            })
            .unwrap_or_default();
    }
    match of {
        Of::Key => Slot {
            budget_ids: vk.budget_ids.clone(),
            rate_limit_id: vk.rate_limit_id.clone(),
        },
        Of::Provider(i) => vk
            .provider_configs
            .get(i)
            .map(|pc| Slot {
                budget_ids: pc.budget_ids.clone(),
                rate_limit_id: pc.rate_limit_id.clone(),
            })
            .unwrap_or_default(),
    }
}

/// The owner column new budgets of the slot carry. On v2 the key-scoped config is
/// created here when it does not exist yet ([`set_slot`] drops it again if it stays
/// empty).
pub(crate) fn budget_owner(
    store: &mut Store,
    profile: Profile,
    vk: &VirtualKey,
    of: Of,
) -> BudgetOwner {
    if profile.key_governance_in_model_configs() {
        let id = match model_config(store, vk, of) {
            Some(mc) => mc.id.clone(),
            None => create_model_config(store, vk, of).id,
        };
        return BudgetOwner::ModelConfig(id);
    }
    match of {
        Of::Key => BudgetOwner::VirtualKey(vk.id.clone()),
        Of::Provider(i) => BudgetOwner::ProviderConfig(vk.provider_configs[i].id),
    }
}

fn create_model_config(store: &mut Store, vk: &VirtualKey, of: Of) -> ModelConfig {
    let mc = new_key_scoped(store, vk, provider_of(vk, of), ALL_MODELS);
    store.put(&mc.id.clone(), mc.clone());
    mc
}

/// A new (not yet stored) model config scoped to `vk`, aligned like the key.
pub(crate) fn new_key_scoped(
    store: &mut Store,
    vk: &VirtualKey,
    provider: Option<&str>,
    model_name: &str,
) -> ModelConfig {
    let now = store.clock.now();
    ModelConfig {
        id: store.clock.new_id(),
        model_name: model_name.to_string(),
        provider: provider.map(str::to_string),
        scope: SCOPE_VIRTUAL_KEY.to_string(),
        scope_id: Some(vk.id.clone()),
        calendar_aligned: vk.calendar_aligned,
        budget_ids: Vec::new(),
        rate_limit_id: None,
        created_at: now,
        updated_at: now,
    }
}

/// Stores the slot's budgets and rate limit: on the key or provider-config row
/// (1.5.x, into `vk`, which the caller saves), or in the key-scoped config (v2),
/// which is created or deleted as needed.
pub(crate) fn set_slot(
    store: &mut Store,
    profile: Profile,
    vk: &mut VirtualKey,
    of: Of,
    slot: Slot,
) {
    if !profile.key_governance_in_model_configs() {
        match of {
            Of::Key => {
                vk.budget_ids = slot.budget_ids;
                vk.rate_limit_id = slot.rate_limit_id;
            }
            Of::Provider(i) => {
                if let Some(pc) = vk.provider_configs.get_mut(i) {
                    pc.budget_ids = slot.budget_ids;
                    pc.rate_limit_id = slot.rate_limit_id;
                }
            }
        }
        return;
    }
    let existing = model_config(store, vk, of).cloned();
    let empty = slot.budget_ids.is_empty() && slot.rate_limit_id.is_none();
    match (existing, empty) {
        (Some(mc), true) => {
            store.remove::<ModelConfig>(&mc.id);
        }
        (None, true) => {}
        (existing, false) => {
            let mut mc = existing.unwrap_or_else(|| create_model_config(store, vk, of));
            for id in &slot.budget_ids {
                store
                    .update::<Budget, _>(id, |b| b.owner = BudgetOwner::ModelConfig(mc.id.clone()));
            }
            mc.budget_ids = slot.budget_ids;
            mc.rate_limit_id = slot.rate_limit_id;
            mc.calendar_aligned = vk.calendar_aligned;
            mc.updated_at = store.clock.now();
            store.put(&mc.id.clone(), mc);
        }
    }
}

/// Deletes every model config scoped to a key with its budgets and rate limits
/// (`v2: rdb.go DeleteModelConfigsForScope`).
pub(crate) fn delete_key_scoped(store: &mut Store, vk_id: &str) {
    let scoped: Vec<ModelConfig> = store
        .model_configs
        .values()
        .filter(|mc| mc.scope == SCOPE_VIRTUAL_KEY && mc.scope_id.as_deref() == Some(vk_id))
        .cloned()
        .collect();
    for mc in scoped {
        remove_model_config(store, &mc);
    }
}

/// Deletes a model config's rows: its budgets, its rate limit, then the config.
pub(crate) fn remove_model_config(store: &mut Store, mc: &ModelConfig) {
    crate::limits::delete_budgets(store, &mc.budget_ids);
    crate::limits::delete_rate_limit(store, mc.rate_limit_id.as_ref());
    store.remove::<ModelConfig>(&mc.id);
}
