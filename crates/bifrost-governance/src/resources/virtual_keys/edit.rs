//! The read-modify-write state behind [`VirtualKeys::patch`](super::VirtualKeys::patch).

use std::collections::HashMap;

use bifrost_governance_client::types::{self, VirtualKey};
use chrono::{DateTime, Utc};

use super::access::{
    Assignment, McpConfigSpec, ProviderConfigSpec, mcp_requests, provider_requests,
};
use super::create::check_future;
use super::metadata;
use super::{KeyFeatures, ProviderFeatures};
use crate::capability::Capability;
use crate::error::{InvalidInput, Result};
use crate::limits::{BudgetSpecs, RateLimitSpec};
use crate::resources::constrained;

/// The editable state of a key inside [`VirtualKeys::patch`](super::VirtualKeys::patch). Fields start as
/// the server has them; what is left alone is not sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VirtualKeyEdit {
    current: VirtualKey,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether the key is enabled (`is_active` on the wire).
    pub enabled: bool,
    /// Team or customer.
    pub assignment: Assignment,
    /// Provider access, with the server's row ids.
    pub provider_configs: Vec<ProviderConfigSpec>,
    /// MCP access, with the server's row ids.
    pub mcp_configs: Vec<McpConfigSpec>,
    /// `Some` replaces the key's whole budget set; `None` leaves it alone.
    pub budgets: Option<BudgetSpecs>,
    /// `Some(Some(limit))` sets (merging, as the server does for keys),
    /// `Some(None)` removes, `None` leaves the rate limit alone.
    pub rate_limit: Option<Option<RateLimitSpec>>,
    /// Metadata entries (newest v2.x servers); the whole map is sent when it changed.
    pub metadata: HashMap<String, String>,
    /// When the key stops working; `None` never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether providers without a config are allowed (v2.1.0+ servers).
    pub allow_all_providers: bool,
}

impl VirtualKeyEdit {
    pub(super) fn from_current(current: VirtualKey) -> Self {
        Self {
            name: current.name.clone(),
            description: current.description.clone().unwrap_or_default(),
            enabled: current.is_active.unwrap_or(true),
            assignment: Assignment::of(&current),
            provider_configs: current
                .provider_configs
                .iter()
                .flatten()
                .map(ProviderConfigSpec::from_existing)
                .collect(),
            mcp_configs: current
                .mcp_configs
                .iter()
                .flatten()
                .map(McpConfigSpec::from_existing)
                .collect(),
            budgets: None,
            rate_limit: None,
            metadata: current.metadata.clone().unwrap_or_default(),
            expires_at: current.expires_at,
            allow_all_providers: current.allow_all_providers.unwrap_or(false),
            current,
        }
    }

    /// The key as read from the server (budgets, rate limit, usage…).
    pub fn current(&self) -> &VirtualKey {
        &self.current
    }

    /// What the server must support for the changes made to `original`.
    pub(super) fn capabilities(&self, original: &Self) -> Vec<Capability> {
        let mut needed = KeyFeatures {
            expiry: self.expires_at != original.expires_at,
            metadata: self.metadata != original.metadata,
            all_providers: self.allow_all_providers != original.allow_all_providers,
            logging_or_cleanup: false,
            provider_configs: ProviderFeatures::changed(
                &self.provider_configs,
                &original.provider_configs,
            ),
        }
        .capabilities();
        if self
            .budgets
            .as_ref()
            .is_some_and(BudgetSpecs::needs_quarterly)
        {
            needed.push(Capability::QuarterlyBudgets);
        }
        needed
    }

    pub(super) fn into_request(self, original: &Self) -> Result<types::UpdateVirtualKeyRequest> {
        let changed = |a: bool| a.then_some(());
        let (team_id, customer_id) = self.assignment.wire();
        let keep_assignment =
            self.assignment == original.assignment && self.assignment == Assignment::Unassigned;
        Ok(types::UpdateVirtualKeyRequest {
            name: changed(self.name != original.name)
                .map(|()| constrained("virtual key name", self.name.clone()))
                .transpose()?,
            description: changed(self.description != original.description)
                .map(|()| self.description.clone()),
            is_active: changed(self.enabled != original.enabled).map(|()| self.enabled),
            // Always repeated: v1.x drops an assignment a PUT does not mention.
            team_id: if keep_assignment { None } else { team_id },
            customer_id: if keep_assignment { None } else { customer_id },
            provider_configs: changed(self.provider_configs != original.provider_configs)
                .map(|()| provider_requests(&self.provider_configs))
                .transpose()?,
            mcp_configs: changed(self.mcp_configs != original.mcp_configs)
                .map(|()| mcp_requests(&self.mcp_configs))
                .transpose()?,
            budgets: self.budgets.as_ref().map(|b| b.to_requests(None)),
            rate_limit: self.rate_limit.as_ref().map(|r| {
                r.as_ref()
                    .map_or_else(RateLimitSpec::removal, RateLimitSpec::to_request)
            }),
            metadata: changed(self.metadata != original.metadata)
                .map(|()| {
                    metadata::check(&self.metadata)?;
                    Ok::<_, InvalidInput>(self.metadata.clone().into())
                })
                .transpose()?,
            expires_at: changed(self.expires_at != original.expires_at)
                .map(|()| match self.expires_at {
                    Some(at) => check_future(at).map(|()| at.to_rfc3339()),
                    None => Ok(String::new()),
                })
                .transpose()?,
            allow_all_providers: changed(self.allow_all_providers != original.allow_all_providers)
                .map(|()| self.allow_all_providers),
            delete_after_expire: None,
            disable_content_logging: None,
            calendar_aligned: None,
            reset_budget_usage: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::access::Selection;
    use super::*;
    use crate::limits::BudgetSpecs;
    use serde_json::json;

    fn stored_key() -> VirtualKey {
        serde_json::from_value(json!({
            "id": "vk-1", "name": "svc", "value": "sk-bf-secret", "team_id": "team-1",
            "provider_configs": [
                {"id": 7, "provider": "openai", "weight": 1.0, "allowed_models": ["gpt-4o"], "allow_all_keys": true, "keys": []},
                {"id": 8, "provider": "anthropic", "allowed_models": ["*"], "allow_all_keys": false,
                 "keys": [{"id": 1, "key_id": "key-a"}, {"id": 2, "key_id": "key-b"}]}
            ],
            "mcp_configs": [{"id": 3, "mcp_client": {"name": "github"}, "tools_to_execute": ["search"]}],
            "budgets": [{"id": "b1", "max_limit": 5, "reset_duration": "1d"}]
        }))
        .unwrap()
    }

    fn patched(edit: impl FnOnce(&mut VirtualKeyEdit)) -> serde_json::Value {
        let mut draft = VirtualKeyEdit::from_current(stored_key());
        let original = draft.clone();
        edit(&mut draft);
        serde_json::to_value(draft.into_request(&original).unwrap()).unwrap()
    }

    #[test]
    fn untouched_patch_only_repeats_the_assignment() {
        assert_eq!(patched(|_| {}), json!({"team_id": "team-1"}));
    }

    #[test]
    fn provider_change_resends_every_config_with_ids_and_key_selection() {
        let body =
            patched(|vk| vk.provider_configs[0] = vk.provider_configs[0].clone().weight(0.5));
        assert_eq!(
            body["provider_configs"],
            json!([
                {"id": 7, "provider": "openai", "weight": 0.5, "allowed_models": ["gpt-4o"], "blacklisted_models": [], "key_ids": ["*"]},
                {"id": 8, "provider": "anthropic", "allowed_models": ["*"], "blacklisted_models": [], "key_ids": ["key-a", "key-b"]}
            ])
        );
        assert!(body.get("budgets").is_none() && body.get("mcp_configs").is_none());
        assert_eq!(body["team_id"], "team-1");
    }

    #[test]
    fn unassigning_sends_an_empty_team_id_which_every_generation_reads() {
        let body = patched(|vk| vk.assignment = Assignment::Unassigned);
        assert_eq!(body, json!({"team_id": ""}));
    }

    #[test]
    fn reassigning_to_a_customer_sends_only_the_customer() {
        let body = patched(|vk| vk.assignment = Assignment::Customer("cust-9".into()));
        assert_eq!(body, json!({"customer_id": "cust-9"}));
    }

    #[test]
    fn budgets_and_rate_limit_are_sent_only_when_set() {
        let body = patched(|vk| {
            vk.budgets = Some(BudgetSpecs::new());
            vk.rate_limit = Some(None);
            vk.enabled = false;
        });
        assert_eq!(
            body,
            json!({"team_id": "team-1", "budgets": [], "rate_limit": {}, "is_active": false})
        );
    }

    #[test]
    fn mcp_configs_keep_their_ids_and_names() {
        let body = patched(|vk| {
            vk.mcp_configs
                .push(McpConfigSpec::new("filesystem").tools(["read"]))
        });
        assert_eq!(
            body["mcp_configs"],
            json!([
                {"id": 3, "mcp_client_name": "github", "tools_to_execute": ["search"]},
                {"mcp_client_name": "filesystem", "tools_to_execute": ["read"]}
            ])
        );
    }

    #[test]
    fn invalid_weight_is_refused() {
        let mut draft = VirtualKeyEdit::from_current(stored_key());
        let original = draft.clone();
        draft.provider_configs[0] = draft.provider_configs[0].clone().weight(f64::NAN);
        assert!(draft.into_request(&original).is_err());
    }

    #[test]
    fn selections_round_trip_the_wire_form() {
        assert_eq!(
            Selection::from_wire(Some(&vec!["*".into()])),
            Selection::All
        );
        assert_eq!(Selection::All.to_wire(), vec!["*"]);
        assert_eq!(Selection::from_wire(None), Selection::Only(vec![]));
    }
}
