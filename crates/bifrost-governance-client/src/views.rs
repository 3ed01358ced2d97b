//! Readable accessors on the generated response types.
//!
//! The response schemas leave almost every field optional, because some server
//! generation omits it or sends `null`. These methods give the value the server
//! means: a missing list is empty, a missing `is_active`/`enabled` is true, an empty
//! id is no id, and an owner's budgets are its `budgets` list or, from v1.x servers,
//! its single `budget`. Fields stay public for everything else.
//!
//! ```
//! use bifrost_governance_client::types::VirtualKey;
//!
//! let key: VirtualKey = serde_json::from_str(
//!     r#"{"id": "vk-1", "name": "svc", "team_id": "", "budgets": null}"#,
//! )?;
//! assert!(key.is_enabled());
//! assert!(key.budgets().is_empty());
//! assert_eq!(key.team_id(), None);
//! # Ok::<(), serde_json::Error>(())
//! ```

use crate::fallback::Fallback;
use crate::types::{
    Budget, Customer, McpConfig, ModelConfig, PricingOverride, ProviderConfig, ProviderGovernance,
    RateLimit, RoutingRule, RoutingTarget, Team, VirtualKey,
};

fn slice<T>(items: &Option<Vec<T>>) -> &[T] {
    items.as_deref().unwrap_or_default()
}

fn id(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

/// The `budgets` list, or the single `budget` older servers send instead.
fn owner_budgets<'a>(list: &'a Option<Vec<Budget>>, single: &'a Option<Budget>) -> Vec<&'a Budget> {
    match list.as_deref() {
        Some(list) if !list.is_empty() => list.iter().collect(),
        _ => single.iter().collect(),
    }
}

impl VirtualKey {
    /// Whether the key works (`is_active`; missing means true).
    pub fn is_enabled(&self) -> bool {
        self.is_active.unwrap_or(true)
    }

    /// The team the key belongs to, if any.
    pub fn team_id(&self) -> Option<&str> {
        id(&self.team_id)
    }

    /// The customer the key belongs to, if any.
    pub fn customer_id(&self) -> Option<&str> {
        id(&self.customer_id)
    }

    /// The description (empty when none).
    pub fn description(&self) -> &str {
        text(&self.description)
    }

    /// The key's budgets (from v1.4 servers: its single `budget`).
    pub fn budgets(&self) -> Vec<&Budget> {
        owner_budgets(&self.budgets, &self.budget)
    }

    /// The providers the key may use.
    pub fn provider_configs(&self) -> &[ProviderConfig] {
        slice(&self.provider_configs)
    }

    /// The MCP clients the key may use.
    pub fn mcp_configs(&self) -> &[McpConfig] {
        slice(&self.mcp_configs)
    }

    /// One metadata value (newest servers).
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key).map(String::as_str)
    }
}

impl ProviderConfig {
    /// The provider name.
    pub fn provider(&self) -> &str {
        text(&self.provider)
    }

    /// Whether every provider key may be used (`allow_all_keys`).
    pub fn allows_all_keys(&self) -> bool {
        self.allow_all_keys.unwrap_or(false)
    }

    /// The provider keys to send back as `key_ids`: `["*"]` when every key is
    /// allowed, otherwise the `key_id` of each listed key (upstream issue #7347).
    pub fn key_ids(&self) -> Vec<&str> {
        if self.allows_all_keys() {
            return vec!["*"];
        }
        slice(&self.keys)
            .iter()
            .filter_map(|k| k.key_id.as_deref())
            .collect()
    }

    /// The allowed models (`["*"]` means all, empty means none).
    pub fn allowed_models(&self) -> &[String] {
        self.allowed_models.as_deref().unwrap_or_default()
    }

    /// The config's budgets.
    pub fn budgets(&self) -> Vec<&Budget> {
        owner_budgets(&self.budgets, &self.budget)
    }
}

impl McpConfig {
    /// The MCP client's name (from `mcp_client.name`, or the older
    /// `mcp_client_name`).
    pub fn client_name(&self) -> &str {
        self.mcp_client
            .as_ref()
            .and_then(|c| c.name.as_deref())
            .or(self.mcp_client_name.as_deref())
            .unwrap_or_default()
    }

    /// The tools the key may run (`["*"]` means all).
    pub fn tools(&self) -> &[String] {
        self.tools_to_execute.as_deref().unwrap_or_default()
    }
}

impl Team {
    /// The customer the team belongs to, if any.
    pub fn customer_id(&self) -> Option<&str> {
        id(&self.customer_id)
    }

    /// The team's budgets.
    pub fn budgets(&self) -> Vec<&Budget> {
        owner_budgets(&self.budgets, &self.budget)
    }

    /// Whether budget periods start at calendar boundaries: the team's flag, or on
    /// servers before v1.5.9, which keep the flag on each budget, its budgets'.
    pub fn is_calendar_aligned(&self) -> bool {
        self.calendar_aligned
            .unwrap_or_else(|| all_aligned(&self.budgets()))
    }

    /// How many virtual keys the team has (0 when the server did not count).
    pub fn virtual_key_count(&self) -> i64 {
        self.virtual_key_count.unwrap_or(0)
    }
}

impl Customer {
    /// The customer's budgets: `budgets` (v1.5.9+) or the single `budget` (v1.5.x).
    pub fn budgets(&self) -> Vec<&Budget> {
        owner_budgets(&self.budgets, &self.budget)
    }

    /// Whether budget periods start at calendar boundaries (the customer's flag;
    /// servers before v1.5.9 have none and never align customer budgets).
    pub fn is_calendar_aligned(&self) -> bool {
        self.calendar_aligned
            .unwrap_or_else(|| all_aligned(&self.budgets()))
    }

    /// The teams embedded in the response (empty when not embedded).
    pub fn teams(&self) -> &[Team] {
        slice(&self.teams)
    }

    /// The virtual keys embedded in the response; they carry their secret values.
    pub fn virtual_keys(&self) -> &[VirtualKey] {
        slice(&self.virtual_keys)
    }
}

impl ModelConfig {
    /// The model name (`*` for every model, as provider governance and a key's own
    /// limits use).
    pub fn model_name(&self) -> &str {
        text(&self.model_name)
    }

    /// The provider, when the config is limited to one.
    pub fn provider(&self) -> Option<&str> {
        id(&self.provider)
    }

    /// The config's budgets: `budgets`, or the single `budget` of v1.5.x (newest
    /// servers ignore a singular `budget` on writes, but may still echo it).
    pub fn budgets(&self) -> Vec<&Budget> {
        owner_budgets(&self.budgets, &self.budget)
    }

    /// Whether this is the config holding a virtual key's own budgets and rate limit
    /// (scope `virtual_key`, model `*`), which v1.5.9+ servers list alongside the
    /// others.
    pub fn is_virtual_key_governance(&self) -> bool {
        self.scope.as_deref() == Some("virtual_key") && self.model_name() == "*"
    }

    /// Whether this is a global config of every model of one provider (model `*`
    /// with a provider): how v2 servers store provider governance, listed here too.
    pub fn is_provider_governance(&self) -> bool {
        matches!(self.scope.as_deref(), None | Some("" | "global"))
            && self.model_name() == "*"
            && self.provider().is_some_and(|p| !p.is_empty())
    }
}

impl ProviderGovernance {
    /// The provider's budgets.
    pub fn budgets(&self) -> Vec<&Budget> {
        owner_budgets(&self.budgets, &self.budget)
    }
}

impl Budget {
    /// The cap in USD (0 when missing).
    pub fn max_limit(&self) -> f64 {
        self.max_limit.unwrap_or(0.0)
    }

    /// USD spent in the current period.
    pub fn current_usage(&self) -> f64 {
        self.current_usage.unwrap_or(0.0)
    }

    /// The reset period as the server writes it (`1d`, `1M`…).
    pub fn reset_duration(&self) -> &str {
        text(&self.reset_duration)
    }

    /// Whether an override raises the cap now (v1.6.7+): a positive amount granted
    /// `forever`, or for `cycles` with cycles left (budget.go `HasActiveOverride`).
    pub fn has_active_override(&self) -> bool {
        self.override_amount.is_some_and(|amount| amount > 0.0)
            && match self.override_mode.as_deref() {
                Some("forever") => true,
                Some("cycles") => self.override_cycles_remaining.unwrap_or(0) > 0,
                _ => false,
            }
    }

    /// The cap enforced now: `max_limit` plus the override amount while an override
    /// is active (budget.go `EffectiveMaxLimit`).
    pub fn effective_max_limit(&self) -> f64 {
        match self.override_amount {
            Some(amount) if self.has_active_override() => self.max_limit() + amount,
            _ => self.max_limit(),
        }
    }

    /// Usage as a share of the enforced cap (`None` without a cap).
    pub fn usage_ratio(&self) -> Option<f64> {
        let cap = self.effective_max_limit();
        (cap > 0.0).then(|| self.current_usage() / cap)
    }
}

impl RateLimit {
    /// `(used, max)` tokens in the current period, when a token limit is set.
    pub fn tokens(&self) -> Option<(i64, i64)> {
        Some((self.token_current_usage.unwrap_or(0), self.token_max_limit?))
    }

    /// `(used, max)` requests in the current period, when a request limit is set.
    pub fn requests(&self) -> Option<(i64, i64)> {
        Some((
            self.request_current_usage.unwrap_or(0),
            self.request_max_limit?,
        ))
    }
}

impl RoutingRule {
    /// The rule's name.
    pub fn name(&self) -> &str {
        text(&self.name)
    }

    /// Whether the rule is evaluated (`enabled`; missing means true).
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// The weighted targets.
    pub fn targets(&self) -> &[RoutingTarget] {
        slice(&self.targets)
    }

    /// The fallback chain, in order.
    pub fn fallbacks(&self) -> &[Fallback] {
        slice(&self.fallbacks)
    }

    /// Evaluation order within the scope (lower first).
    pub fn priority(&self) -> i64 {
        self.priority.unwrap_or(0)
    }
}

impl PricingOverride {
    /// The override's name.
    pub fn name(&self) -> &str {
        text(&self.name)
    }
}

/// Budgets that all carry `calendar_aligned: true` (how servers before v1.5.9 record
/// an owner's alignment); no budgets means not aligned.
fn all_aligned(budgets: &[&Budget]) -> bool {
    !budgets.is_empty() && budgets.iter().all(|b| b.calendar_aligned == Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn owners_read_their_budget_list_or_the_legacy_single_budget() {
        let v2: Customer = serde_json::from_value(json!({
            "id": "c", "name": "Acme",
            "budgets": [{"id": "b1", "max_limit": 10}, {"id": "b2", "max_limit": 20}],
            "budget": {"id": "b1", "max_limit": 10}
        }))
        .unwrap();
        assert_eq!(
            v2.budgets()
                .iter()
                .map(|b| b.id.as_str())
                .collect::<Vec<_>>(),
            ["b1", "b2"]
        );
        let v1: Customer = serde_json::from_value(
            json!({"id": "c", "name": "Acme", "budget": {"id": "b0", "max_limit": 5}}),
        )
        .unwrap();
        assert_eq!(v1.budgets()[0].id, "b0");
        let none: Customer =
            serde_json::from_value(json!({"id": "c", "name": "Acme", "budgets": null})).unwrap();
        assert!(none.budgets().is_empty() && none.teams().is_empty());
    }

    #[test]
    fn owner_alignment_is_the_flag_or_on_old_servers_the_budgets_flag() {
        let team = |body: serde_json::Value| -> Team { serde_json::from_value(body).unwrap() };
        let aligned = json!({"id": "b", "calendar_aligned": true});
        let rolling = json!({"id": "c", "calendar_aligned": false});
        assert!(
            team(json!({"id": "t", "name": "n", "calendar_aligned": true})).is_calendar_aligned()
        );
        assert!(
            !team(json!({"id": "t", "name": "n", "calendar_aligned": false, "budgets": [aligned]}))
                .is_calendar_aligned()
        );
        // v1.5.2: no team flag, one per budget.
        assert!(team(json!({"id": "t", "name": "n", "budgets": [aligned]})).is_calendar_aligned());
        assert!(
            !team(json!({"id": "t", "name": "n", "budgets": [aligned, rolling]}))
                .is_calendar_aligned()
        );
        assert!(!team(json!({"id": "t", "name": "n"})).is_calendar_aligned());
    }

    #[test]
    fn provider_configs_rebuild_key_ids() {
        let all: ProviderConfig = serde_json::from_value(
            json!({"provider": "openai", "allow_all_keys": true, "keys": []}),
        )
        .unwrap();
        assert_eq!(all.key_ids(), ["*"]);
        let some: ProviderConfig = serde_json::from_value(json!({
            "provider": "openai", "allow_all_keys": false,
            "keys": [{"id": 1, "key_id": "k-1"}, {"id": 2, "key_id": "k-2"}]
        }))
        .unwrap();
        assert_eq!(some.key_ids(), ["k-1", "k-2"]);
    }

    #[test]
    fn budgets_count_only_an_active_override() {
        let budget = |extra: serde_json::Value| -> Budget {
            let mut body = json!({"id": "b", "max_limit": 10.0, "current_usage": 12.0});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            serde_json::from_value(body).unwrap()
        };
        let forever = budget(json!({"override_amount": 5.0, "override_mode": "forever"}));
        assert_eq!(forever.effective_max_limit(), 15.0);
        assert_eq!(forever.usage_ratio(), Some(0.8));
        let cycles_left = budget(json!({
            "override_amount": 5.0, "override_mode": "cycles", "override_cycles_remaining": 1
        }));
        assert_eq!(cycles_left.effective_max_limit(), 15.0);
        // Spent grants, a mode without amount, an unknown mode and no override at
        // all leave the cap alone.
        for inactive in [
            json!({"override_amount": 5.0, "override_mode": "cycles"}),
            json!({"override_mode": "forever"}),
            json!({"override_amount": 5.0, "override_mode": "someday"}),
            json!({"override_amount": 5.0}),
            json!({}),
        ] {
            let b = budget(inactive.clone());
            assert!(!b.has_active_override(), "{inactive}");
            assert_eq!(b.effective_max_limit(), 10.0, "{inactive}");
        }
    }

    #[test]
    fn missing_flags_mean_on() {
        let rule: RoutingRule = serde_json::from_value(json!({"id": "r"})).unwrap();
        assert!(rule.is_enabled() && rule.targets().is_empty() && rule.fallbacks().is_empty());
        let key: VirtualKey = serde_json::from_value(json!({"id": "k", "name": "n"})).unwrap();
        assert!(key.is_enabled());
    }
}
