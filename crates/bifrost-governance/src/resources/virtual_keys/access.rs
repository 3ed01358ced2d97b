//! What a key may use: provider and MCP access, and who the key belongs to.

use bifrost_governance_client::types::{self, VirtualKey};

use super::model_budgets::{ModelBudgetSpec, model_budget_requests};
use crate::error::InvalidInput;
use crate::limits::{BudgetSpecs, RateLimitSpec};
use crate::resources::constrained;

/// Which models, keys or tools an entry allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Everything (sent as `["*"]`).
    All,
    /// Only these (an empty list allows nothing).
    Only(Vec<String>),
}

impl Selection {
    pub(super) fn to_wire(&self) -> Vec<String> {
        match self {
            Selection::All => vec!["*".to_string()],
            Selection::Only(items) => items.clone(),
        }
    }

    pub(super) fn from_wire(items: Option<&Vec<String>>) -> Self {
        match items {
            Some(items) if items.iter().any(|i| i == "*") => Selection::All,
            Some(items) => Selection::Only(items.clone()),
            None => Selection::Only(Vec::new()),
        }
    }

    fn only<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Self {
        Selection::Only(items.into_iter().map(Into::into).collect())
    }
}

/// What a virtual key may do with one provider.
///
/// New configs allow every model and every provider key of the provider; narrow
/// them with [`models`](Self::models) and [`keys`](Self::keys).
///
/// ```
/// use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
///
/// let openai = ProviderConfigSpec::new("openai").models(["gpt-4o"]).block_models(["gpt-4o-audio"]).weight(0.7);
/// assert_eq!(openai.provider(), "openai");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfigSpec {
    id: Option<i64>,
    provider: String,
    weight: Option<f64>,
    models: Selection,
    blocked_models: Vec<String>,
    keys: Selection,
    budgets: Option<BudgetSpecs>,
    /// `Some(None)` removes the rate limit.
    rate_limit: Option<Option<RateLimitSpec>>,
    /// `None` leaves the server's per-model limits as they are.
    model_budgets: Option<Vec<ModelBudgetSpec>>,
}

impl ProviderConfigSpec {
    /// Access to `provider` (a configured provider name such as `openai`).
    pub fn new(provider: impl Into<String>) -> Self {
        Self {
            id: None,
            provider: provider.into(),
            weight: None,
            models: Selection::All,
            blocked_models: Vec::new(),
            keys: Selection::All,
            budgets: None,
            rate_limit: None,
            model_budgets: None,
        }
    }

    /// The config as the server holds it, keeping its row id and selections
    /// (`allow_all_keys` becomes [`Selection::All`]).
    pub fn from_existing(config: &types::ProviderConfig) -> Self {
        let keys = if config.allow_all_keys == Some(true) {
            Selection::All
        } else {
            Selection::Only(
                config
                    .keys
                    .iter()
                    .flatten()
                    .filter_map(|k| k.key_id.clone())
                    .collect(),
            )
        };
        Self {
            id: config.id,
            provider: config.provider.clone().unwrap_or_default(),
            weight: config.weight,
            models: Selection::from_wire(config.allowed_models.as_ref()),
            blocked_models: config.blacklisted_models.clone().unwrap_or_default(),
            keys,
            budgets: None,
            rate_limit: None,
            model_budgets: None,
        }
    }

    /// The provider name.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The server's row id, for configs read from the server.
    pub fn id(&self) -> Option<i64> {
        self.id
    }

    /// Names the existing provider-config row this spec replaces (its `id`), so a
    /// spec built from scratch updates that row in place, keeping its budgets'
    /// usage, instead of deleting it and creating a new one.
    ///
    /// ```
    /// use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
    ///
    /// let openai = ProviderConfigSpec::new("openai").models(["gpt-4o"]).with_id(7);
    /// assert_eq!(openai.id(), Some(7));
    /// ```
    pub fn with_id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }

    /// Allows only these models.
    pub fn models<I: IntoIterator<Item = S>, S: Into<String>>(mut self, models: I) -> Self {
        self.models = Selection::only(models);
        self
    }

    /// Allows every model of the provider (the default).
    pub fn all_models(mut self) -> Self {
        self.models = Selection::All;
        self
    }

    /// Blocks these models even when the allow list would let them through.
    pub fn block_models<I: IntoIterator<Item = S>, S: Into<String>>(mut self, models: I) -> Self {
        self.blocked_models = models.into_iter().map(Into::into).collect();
        self
    }

    /// Allows only these provider keys (their `key_id` UUIDs).
    pub fn keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, key_ids: I) -> Self {
        self.keys = Selection::only(key_ids);
        self
    }

    /// Allows every key of the provider (the default).
    pub fn all_keys(mut self) -> Self {
        self.keys = Selection::All;
        self
    }

    /// Load-balancing weight among the key's providers.
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = Some(weight);
        self
    }

    /// Budgets of this provider for this key (replaces the config's whole set).
    pub fn budgets(mut self, budgets: BudgetSpecs) -> Self {
        self.budgets = Some(budgets);
        self
    }

    /// Rate limit of this provider for this key. The server merges it into an
    /// existing one: a kind (tokens or requests) left out keeps its current value.
    pub fn rate_limit(mut self, limit: RateLimitSpec) -> Self {
        self.rate_limit = Some(Some(limit));
        self
    }

    /// Removes the config's rate limit (sends `rate_limit: {}`); meaningful for a
    /// config that names its row ([`with_id`](Self::with_id), [`from_existing`](Self::from_existing)).
    pub fn clear_rate_limit(mut self) -> Self {
        self.rate_limit = Some(None);
        self
    }

    /// Limits of one model of this provider (v1.6.10+). The models named here are
    /// the config's whole set: on an update, models left out lose their limits.
    pub fn model_budget(mut self, model: ModelBudgetSpec) -> Self {
        self.model_budgets.get_or_insert_with(Vec::new).push(model);
        self
    }

    /// Removes every per-model limit of this provider (sends `model_budgets: []`).
    pub fn clear_model_budgets(mut self) -> Self {
        self.model_budgets = Some(Vec::new());
        self
    }

    /// Whether one of the config's budgets needs quarterly support.
    pub(super) fn needs_quarterly(&self) -> bool {
        self.budgets
            .as_ref()
            .is_some_and(crate::limits::BudgetSpecs::needs_quarterly)
            || self
                .model_budgets
                .iter()
                .flatten()
                .any(ModelBudgetSpec::needs_quarterly)
    }

    /// Whether the config sends per-model limits (servers before v1.6.10 drop them).
    pub(super) fn sets_model_budgets(&self) -> bool {
        self.model_budgets.is_some()
    }

    /// Whether the config blocks some models (servers before v1.5.4 ignore it).
    pub(super) fn blocks_models(&self) -> bool {
        !self.blocked_models.is_empty()
    }

    /// Whether the config blocks models that `before` (the same provider's config
    /// as read from the server) did not: only new blocks need a server that has them.
    pub(super) fn blocks_more_than(&self, before: Option<&Self>) -> bool {
        self.blocks_models() && before.is_none_or(|b| b.blocked_models != self.blocked_models)
    }

    fn to_request(&self) -> Result<types::ProviderConfigRequest, InvalidInput> {
        if let Some(weight) = self.weight
            && (!weight.is_finite() || weight < 0.0)
        {
            return Err(InvalidInput::new(
                "provider_configs weight",
                format!("{weight} must be a finite, non-negative number"),
            ));
        }
        Ok(types::ProviderConfigRequest {
            id: self.id,
            provider: constrained(
                "provider_configs provider",
                self.provider.trim().to_string(),
            )?,
            weight: self.weight,
            allowed_models: Some(self.models.to_wire()),
            blacklisted_models: Some(self.blocked_models.clone()),
            key_ids: Some(self.keys.to_wire()),
            budgets: self.budgets.as_ref().map(|b| b.to_requests(None)),
            rate_limit: self.rate_limit.as_ref().map(|limit| {
                limit
                    .as_ref()
                    .map_or_else(RateLimitSpec::removal, RateLimitSpec::to_request)
            }),
            model_budgets: self
                .model_budgets
                .as_deref()
                .map(model_budget_requests)
                .transpose()?,
        })
    }
}

/// Converts every provider config, failing on the first invalid one.
pub(super) fn provider_requests(
    configs: &[ProviderConfigSpec],
) -> Result<Vec<types::ProviderConfigRequest>, InvalidInput> {
    configs.iter().map(ProviderConfigSpec::to_request).collect()
}

/// Converts every MCP config, failing on the first invalid one.
pub(super) fn mcp_requests(
    configs: &[McpConfigSpec],
) -> Result<Vec<types::McpConfigRequest>, InvalidInput> {
    configs.iter().map(McpConfigSpec::to_request).collect()
}

/// Which tools of one MCP client a key may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpConfigSpec {
    id: Option<i64>,
    client_name: String,
    tools: Selection,
}

impl McpConfigSpec {
    /// Every tool of the MCP client named `client_name`.
    pub fn new(client_name: impl Into<String>) -> Self {
        Self {
            id: None,
            client_name: client_name.into(),
            tools: Selection::All,
        }
    }

    /// The config as the server holds it.
    pub fn from_existing(config: &types::McpConfig) -> Self {
        let name = config
            .mcp_client
            .as_ref()
            .and_then(|c| c.name.clone())
            .or_else(|| config.mcp_client_name.clone())
            .unwrap_or_default();
        Self {
            id: config.id,
            client_name: name,
            tools: Selection::from_wire(config.tools_to_execute.as_ref()),
        }
    }

    /// Allows only these tools.
    pub fn tools<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tools: I) -> Self {
        self.tools = Selection::only(tools);
        self
    }

    /// The MCP client's name.
    pub fn client_name(&self) -> &str {
        &self.client_name
    }

    fn to_request(&self) -> Result<types::McpConfigRequest, InvalidInput> {
        Ok(types::McpConfigRequest {
            id: self.id,
            mcp_client_name: constrained("mcp_configs client name", self.client_name.clone())?,
            tools_to_execute: Some(self.tools.to_wire()),
        })
    }
}

/// Who a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Assignment {
    /// Neither a team nor a customer.
    Unassigned,
    /// A team (by id).
    Team(String),
    /// A customer (by id).
    Customer(String),
}

impl Assignment {
    pub(super) fn of(key: &VirtualKey) -> Self {
        let present = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        match (present(&key.team_id), present(&key.customer_id)) {
            (Some(team), _) => Assignment::Team(team),
            (None, Some(customer)) => Assignment::Customer(customer),
            (None, None) => Assignment::Unassigned,
        }
    }

    /// `(team_id, customer_id)` to send. `team_id: ""` unassigns on every
    /// generation: v1.5.2 stores the empty team and clears the customer, newer
    /// servers clear both.
    pub(super) fn wire(&self) -> (Option<String>, Option<String>) {
        match self {
            Assignment::Team(id) => (Some(id.clone()), None),
            Assignment::Customer(id) => (None, Some(id.clone())),
            Assignment::Unassigned => (Some(String::new()), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::ResetPeriod;
    use serde_json::json;

    #[test]
    fn a_named_row_and_a_rate_limit_removal_reach_the_wire() {
        let cleared = ProviderConfigSpec::new("openai")
            .models(["gpt-4o"])
            .with_id(7)
            .clear_rate_limit();
        assert_eq!(
            serde_json::to_value(cleared.to_request().unwrap()).unwrap(),
            json!({"id": 7, "provider": "openai", "allowed_models": ["gpt-4o"], "blacklisted_models": [], "key_ids": ["*"], "rate_limit": {}})
        );
        let limited = ProviderConfigSpec::new("openai").rate_limit(
            RateLimitSpec::builder()
                .requests(5, ResetPeriod::minutes(1))
                .build()
                .unwrap(),
        );
        let body = serde_json::to_value(limited.to_request().unwrap()).unwrap();
        assert_eq!(
            body["rate_limit"],
            json!({"request_max_limit": 5, "request_reset_duration": "1m"})
        );
        assert!(body.get("id").is_none());
    }
}
