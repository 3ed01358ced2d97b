//! The model-config request body and the checks of a create or update: identity
//! (1.5.2 `(model_name, provider)`, v2 scope and canonical name), `BeforeSave`, and the
//! budget pre-checks (`gov.go createModelConfig`, `v2: governance.go`).

use serde::Deserialize;

use crate::errors::{ApiError, TxError};
use crate::limits::{BudgetItem, BudgetPatch, RateLimitIn};
use crate::profile::Profile;
use crate::request::zero_if_null;
use crate::store::Store;
use crate::store::records::ModelConfig;

/// `CreateModelConfigRequest` / `UpdateModelConfigRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ModelConfigIn {
    #[serde(default)]
    pub(crate) model_name: Option<String>,
    #[serde(default)]
    pub(crate) provider: Option<String>,
    /// v2.
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) scope: String,
    /// v2.
    #[serde(default)]
    pub(crate) scope_id: Option<String>,
    #[serde(default)]
    pub(crate) budget: Option<BudgetPatch>,
    /// v2.
    #[serde(default)]
    pub(crate) budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    pub(crate) rate_limit: Option<RateLimitIn>,
    /// v2.
    #[serde(default)]
    pub(crate) calendar_aligned: Option<bool>,
    /// v2.
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) reset_budget_usage: bool,
}

/// The v2 identity of a model name (`canonicalModelConfigKey`, pinned by
/// `TestModelConfig_RejectsCanonicalNameCollision` and
/// `…ProviderlessBaseAliasCollision`): case and surrounding space ignored, a
/// `provider/` prefix naming the config's own provider dropped, and for
/// provider-less configs a `-YYYY-MM-DD` release suffix dropped.
pub(super) fn canonical(model_name: &str, provider: Option<&str>) -> String {
    let mut name = model_name.trim().to_lowercase();
    if let Some(provider) = provider
        && let Some(rest) = name.strip_prefix(&format!("{}/", provider.to_lowercase()))
    {
        name = rest.to_string();
    }
    if provider.is_none() {
        let bytes = name.as_bytes();
        let n = bytes.len();
        let dated = n > 11
            && bytes[n - 11] == b'-'
            && bytes[n - 6] == b'-'
            && bytes[n - 3] == b'-'
            && [n - 10, n - 9, n - 8, n - 7, n - 5, n - 4, n - 2, n - 1]
                .iter()
                .all(|&i| bytes[i].is_ascii_digit());
        if dated {
            name.truncate(n - 11);
        }
    }
    name
}

/// The scope as the v2 conflict message names it: `global` or `<scope> '<id>'`.
pub(super) fn scope_label(scope: &str, scope_id: Option<&str>) -> String {
    match scope_id {
        Some(id) => format!("{scope} '{id}'"),
        None => scope.to_string(),
    }
}

/// 409 when another config has this identity (1.5.2: `(model_name, provider)`;
/// v2: `(scope, scope_id, model_name, provider)` and the canonical name).
pub(super) fn check_identity(
    store: &Store,
    profile: Profile,
    candidate: &ModelConfig,
) -> Result<(), ApiError> {
    let same_owner = |mc: &&ModelConfig| {
        mc.id != candidate.id
            && mc.provider == candidate.provider
            && (profile.is_v1_5()
                || (mc.scope == candidate.scope && mc.scope_id == candidate.scope_id))
    };
    let exact = store
        .model_configs
        .values()
        .filter(same_owner)
        .find(|mc| mc.model_name == candidate.model_name);
    let label = scope_label(&candidate.scope, candidate.scope_id.as_deref());
    if exact.is_some() {
        return Err(ApiError::conflict(
            match (&candidate.provider, profile.is_v1_5()) {
                (Some(p), true) => format!(
                    "Model config for model '{}' with provider '{p}' already exists",
                    candidate.model_name
                ),
                (None, true) => format!(
                    "Model config for model '{}' (global) already exists",
                    candidate.model_name
                ),
                (Some(p), false) => format!(
                    "Model config for model '{}' with provider '{p}' ({label}) already exists",
                    candidate.model_name
                ),
                (None, false) => format!(
                    "Model config for model '{}' ({label}) already exists",
                    candidate.model_name
                ),
            },
        ));
    }
    if profile.has_model_config_scopes() {
        let key = canonical(&candidate.model_name, candidate.provider.as_deref());
        if let Some(other) = store
            .model_configs
            .values()
            .filter(same_owner)
            .find(|mc| canonical(&mc.model_name, mc.provider.as_deref()) == key)
        {
            return Err(ApiError::conflict(format!(
                "Model config for model '{}' ({label}) conflicts with existing model config {} for model '{}'",
                candidate.model_name, other.id, other.model_name
            )));
        }
    }
    Ok(())
}

/// `TableModelConfig.BeforeSave`.
pub(super) fn before_save(mc: &ModelConfig) -> Result<(), TxError> {
    if mc.model_name.trim().is_empty() {
        return Err(TxError::plain("model_name cannot be empty"));
    }
    if mc.provider.as_deref() == Some("") {
        return Err(TxError::plain("provider cannot be an empty string"));
    }
    Ok(())
}

/// The pre-transaction budget checks of a create (capitalised texts, 400s).
pub(super) fn check_create_budgets(profile: Profile, items: &[BudgetItem]) -> Result<(), ApiError> {
    crate::limits::check_budget_list(profile, items, crate::limits::ListWording::Create)
        .map_err(ApiError::bad_request)
}

pub(super) fn budget_items(req: &ModelConfigIn) -> Vec<BudgetItem> {
    match (&req.budgets, &req.budget) {
        (Some(items), _) => items
            .iter()
            .map(|b| BudgetItem {
                id: None,
                ..b.clone()
            })
            .collect(),
        (None, Some(patch)) => vec![BudgetItem {
            id: None,
            max_limit: patch.max_limit.unwrap_or_default(),
            reset_duration: patch.reset_duration.clone().unwrap_or_default(),
            calendar_aligned: false,
            reset_config: patch.reset_config,
        }],
        (None, None) => Vec::new(),
    }
}
