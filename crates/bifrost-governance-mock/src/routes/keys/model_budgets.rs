//! Per-model budgets and rate limits under a key's provider config (v2, PR #5703,
//! v1.6.10): each `model_budgets` entry is a model config scoped to the key
//! (`scope: virtual_key`, the provider, the model); responses hydrate them back
//! under `provider_configs[].model_budgets` (`render::entities`). A list sent is
//! the whole desired set for that provider, so configs of models it leaves out are
//! deleted; a list not sent leaves them alone (PR #5703: `reconcileModelBudgets`).

use crate::errors::TxError;
use crate::limits::{self, BudgetItem, Reconcile};
use crate::profile::Profile;
use crate::store::Store;
use crate::store::records::{ALL_MODELS, BudgetOwner, ModelConfig, VirtualKey};

use super::requests::ModelBudgetIn;

/// Makes the key's per-model configs of `provider` equal to `entries`.
pub(super) fn sync(
    store: &mut Store,
    profile: Profile,
    vk: &VirtualKey,
    provider: &str,
    entries: &[ModelBudgetIn],
) -> Result<(), TxError> {
    let scoped = |store: &Store, model: &str| -> Option<ModelConfig> {
        store
            .model_configs
            .values()
            .find(|mc| mc.is_key_model_budget(&vk.id, provider) && mc.model_name == model)
            .cloned()
    };
    for entry in entries {
        let model = entry.model_name.trim();
        // The `*` tier is the provider config's own budgets (`budgets`, `rate_limit`).
        // Inferred: the PR text names concrete models only; the error text is ours.
        if model.is_empty() || model == ALL_MODELS {
            return Err(TxError::bad(format!(
                "model_budgets for provider {provider}: model_name must name one model, got {model:?}"
            )));
        }
        let mut mc = match scoped(store, model) {
            Some(mc) => mc,
            None => crate::governance::new_key_scoped(store, vk, Some(provider), model),
        };
        let items: Vec<BudgetItem> = entry.budgets.clone().unwrap_or_default();
        let aligned = mc.calendar_aligned;
        mc.budget_ids = limits::reconcile(
            store,
            profile,
            Reconcile {
                owner: BudgetOwner::ModelConfig(mc.id.clone()),
                existing: mc.budget_ids.clone(),
                requests: &items,
                aligned: &|_| aligned,
                on_match: &|_, _, _| {},
                delete_context: "failed to delete removed model budget",
            },
        )?;
        mc.rate_limit_id = match &entry.rate_limit {
            Some(rl) => limits::overwrite_rate_limit(store, profile, mc.rate_limit_id.clone(), rl)?,
            None => {
                limits::delete_rate_limit(store, mc.rate_limit_id.as_ref());
                None
            }
        };
        mc.updated_at = store.clock.now();
        store.put(&mc.id.clone(), mc);
    }
    let wanted: Vec<&str> = entries.iter().map(|e| e.model_name.trim()).collect();
    let dropped: Vec<ModelConfig> = store
        .model_configs
        .values()
        .filter(|mc| {
            mc.is_key_model_budget(&vk.id, provider) && !wanted.contains(&mc.model_name.as_str())
        })
        .cloned()
        .collect();
    for mc in &dropped {
        crate::governance::remove_model_config(store, mc);
    }
    Ok(())
}
