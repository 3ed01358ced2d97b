//! The rows of the fake's tables: the columns upstream stores, in the fake's own
//! types. Responses are rendered from them per profile (`crate::render`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// `governance_budgets`: a spending cap over a reset period.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    pub(crate) id: String,
    pub(crate) max_limit: f64,
    pub(crate) reset_duration: String,
    pub(crate) last_reset: DateTime<Utc>,
    pub(crate) current_usage: f64,
    pub(crate) owner: BudgetOwner,
    /// v1.5.x column (only team budgets set it); v2 derives it from the owner.
    pub(crate) calendar_aligned: bool,
    /// v2: `reset_config.quarter_start_month` (`Some(0)` for an empty object).
    pub(crate) reset_config: Option<i64>,
    /// v2: an active or spent override grant.
    pub(crate) grant: Option<OverrideGrant>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// Which owner foreign key a budget row carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BudgetOwner {
    /// No owner column (v1.5.x customer, model-config and provider budgets, which the
    /// owner points at through its own `budget_id`).
    Detached,
    Team(String),
    VirtualKey(String),
    ProviderConfig(u64),
    ModelConfig(String),
    Customer(String),
}

/// The override fields of a v2 budget (`tables/budget.go`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OverrideGrant {
    pub(crate) amount: f64,
    pub(crate) mode: String,
    pub(crate) cycles_remaining: i64,
    pub(crate) cycles_total: i64,
    pub(crate) anchor: Option<DateTime<Utc>>,
}

/// `governance_rate_limits`.
#[derive(Debug, Clone)]
pub(crate) struct RateLimit {
    pub(crate) id: String,
    pub(crate) token_max_limit: Option<i64>,
    pub(crate) token_reset_duration: Option<String>,
    pub(crate) token_current_usage: i64,
    pub(crate) token_last_reset: DateTime<Utc>,
    pub(crate) request_max_limit: Option<i64>,
    pub(crate) request_reset_duration: Option<String>,
    pub(crate) request_current_usage: i64,
    pub(crate) request_last_reset: DateTime<Utc>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// `governance_virtual_keys` with its provider and MCP configs.
#[derive(Debug, Clone)]
pub(crate) struct VirtualKey {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) value: String,
    pub(crate) is_active: bool,
    pub(crate) team_id: Option<String>,
    pub(crate) customer_id: Option<String>,
    /// v1.5.x: the key's own rate limit (v2 keeps it in the key's `*` model config).
    pub(crate) rate_limit_id: Option<String>,
    /// v1.5.x: the key's own budgets (v2 keeps them in the key's `*` model config).
    pub(crate) budget_ids: Vec<String>,
    pub(crate) provider_configs: Vec<ProviderConfig>,
    pub(crate) mcp_configs: Vec<McpConfig>,
    pub(crate) calendar_aligned: bool,
    pub(crate) allow_all_providers: bool,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) metadata: Option<BTreeMap<String, String>>,
    pub(crate) disable_content_logging: Option<bool>,
    pub(crate) delete_after_expire: Option<bool>,
    pub(crate) previous_value: Option<String>,
    pub(crate) previous_value_expires_at: Option<DateTime<Utc>>,
    pub(crate) rotated_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// `governance_virtual_key_provider_configs`.
#[derive(Debug, Clone)]
pub(crate) struct ProviderConfig {
    pub(crate) id: u64,
    pub(crate) provider: String,
    pub(crate) weight: Option<f64>,
    pub(crate) allowed_models: Option<Vec<String>>,
    pub(crate) blacklisted_models: Option<Vec<String>>,
    pub(crate) allow_all_keys: bool,
    /// Numeric ids of the linked provider keys (the join table), ascending.
    pub(crate) keys: Vec<u64>,
    /// v1.5.x only (v2: the key's model config for this provider).
    pub(crate) rate_limit_id: Option<String>,
    /// v1.5.x only (v2: the key's model config for this provider).
    pub(crate) budget_ids: Vec<String>,
}

/// `governance_virtual_key_mcp_configs`.
#[derive(Debug, Clone)]
pub(crate) struct McpConfig {
    pub(crate) id: u64,
    pub(crate) mcp_client_id: u64,
    pub(crate) tools_to_execute: Option<Vec<String>>,
}

/// `governance_teams`.
#[derive(Debug, Clone)]
pub(crate) struct Team {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) customer_id: Option<String>,
    pub(crate) rate_limit_id: Option<String>,
    pub(crate) budget_ids: Vec<String>,
    pub(crate) calendar_aligned: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// `governance_customers`.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) id: String,
    pub(crate) name: String,
    /// v1.5.x: at most one (`budget_id`); v2: owned budgets.
    pub(crate) budget_ids: Vec<String>,
    pub(crate) rate_limit_id: Option<String>,
    pub(crate) calendar_aligned: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// Model-config scope of configs that apply everywhere.
pub(crate) const SCOPE_GLOBAL: &str = "global";
/// Model-config scope of configs owned by one virtual key.
pub(crate) const SCOPE_VIRTUAL_KEY: &str = "virtual_key";
/// The model name of configs that cover every model.
pub(crate) const ALL_MODELS: &str = "*";

/// `governance_model_configs`.
#[derive(Debug, Clone)]
pub(crate) struct ModelConfig {
    pub(crate) id: String,
    pub(crate) model_name: String,
    pub(crate) provider: Option<String>,
    pub(crate) scope: String,
    pub(crate) scope_id: Option<String>,
    pub(crate) calendar_aligned: bool,
    /// v1.5.x: at most one (`budget_id`); v2: owned budgets.
    pub(crate) budget_ids: Vec<String>,
    pub(crate) rate_limit_id: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl ModelConfig {
    /// Whether this is the configuration of a virtual key (`provider = None`) or of one
    /// of its provider configs: the v2 home of a key's budgets and rate limits.
    pub(crate) fn is_key_governance(&self, vk_id: &str, provider: Option<&str>) -> bool {
        self.scope == SCOPE_VIRTUAL_KEY
            && self.scope_id.as_deref() == Some(vk_id)
            && self.model_name == ALL_MODELS
            && self.provider.as_deref() == provider
    }

    /// Whether this is a per-model budget of one of a key's provider configs
    /// (`model_budgets`, PR #5703): scoped to the key, the provider, one model.
    pub(crate) fn is_key_model_budget(&self, vk_id: &str, provider: &str) -> bool {
        self.scope == SCOPE_VIRTUAL_KEY
            && self.scope_id.as_deref() == Some(vk_id)
            && self.provider.as_deref() == Some(provider)
            && self.model_name != ALL_MODELS
    }

    /// Whether this is v2 provider governance (global, every model, one provider).
    pub(crate) fn is_provider_governance(&self) -> bool {
        self.scope == SCOPE_GLOBAL && self.model_name == ALL_MODELS && self.provider.is_some()
    }
}

/// v1.5.x `config_providers.budget_id` / `rate_limit_id`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProviderGovernance {
    pub(crate) budget_id: Option<String>,
    pub(crate) rate_limit_id: Option<String>,
}

/// `routing_rules` with its targets.
#[derive(Debug, Clone)]
pub(crate) struct RoutingRule {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) enabled: bool,
    pub(crate) cel_expression: String,
    pub(crate) targets: Vec<RoutingTarget>,
    pub(crate) fallbacks: Vec<Fallback>,
    pub(crate) query: Option<Map<String, Value>>,
    pub(crate) scope: String,
    pub(crate) scope_id: Option<String>,
    pub(crate) chain_rule: bool,
    pub(crate) priority: i64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// `routing_targets`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoutingTarget {
    pub(crate) provider: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) key_id: Option<String>,
    pub(crate) weight: f64,
    /// v2: `ttft_timeout_ms` (0 is stored as none).
    pub(crate) ttft_timeout_ms: Option<i64>,
}

/// One fallback of a rule: the string as sent, or (v2) an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fallback {
    /// `"provider/model"`, kept verbatim.
    Text(String),
    /// `{provider, model, key_id, provider_key_name}` after trimming.
    Object {
        provider: String,
        model: String,
        key_id: Option<String>,
        provider_key_name: Option<String>,
    },
}

/// `governance_pricing_overrides`.
#[derive(Debug, Clone)]
pub(crate) struct PricingOverride {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scope_kind: String,
    pub(crate) user_id: Option<String>,
    pub(crate) virtual_key_id: Option<String>,
    pub(crate) provider_id: Option<String>,
    pub(crate) provider_key_id: Option<String>,
    pub(crate) match_type: String,
    pub(crate) pattern: String,
    pub(crate) request_types: Vec<String>,
    /// The set prices, in `PricingOptions` field order.
    pub(crate) patch: Vec<(&'static str, f64)>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}
