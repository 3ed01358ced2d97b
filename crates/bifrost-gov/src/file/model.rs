//! The declarative file: what a platform team keeps in git.
//!
//! Everything is identified by name (customers, teams, keys), by what it applies
//! to (model configs, provider governance) or by name within its scope (routing
//! rules, pricing overrides). Server ids, timestamps, usage counters and secret
//! values never appear; provider key ids (`key_id`) do, since they name keys of the
//! server's provider configuration rather than governance entities.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format version this tool reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A reset period: `30s`, `5m`, `1h30m`, `1d`, `1w`, `1M` (30 days), `1Q`, `1Y`.
const PERIOD_PATTERN: &str = r"^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)[dwMQY]|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$";

/// The schema of a reset period: a string with [`PERIOD_PATTERN`].
fn period_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
    let mut schema = String::json_schema(generator).into_object();
    schema.string().pattern = Some(PERIOD_PATTERN.to_string());
    schema.metadata().examples = vec!["1d".into(), "1M".into(), "1h".into()];
    schema.into()
}

/// Governance of one Bifrost server, declared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Bifrost governance")]
pub struct GovernanceFile {
    /// JSON Schema of this file (JSON files; YAML files use a `yaml-language-server` comment).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version; must be 1.
    pub version: u32,
    /// What `apply --prune` may delete when it is not declared here. Without it,
    /// `--prune` is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// Entities managed elsewhere that this file refers to by name.
    #[serde(default, skip_serializing_if = "External::is_empty")]
    pub external: External,
    /// Customers, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<CustomerDecl>,
    /// Teams, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamDecl>,
    /// Virtual keys, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_keys: Vec<VirtualKeyDecl>,
    /// Model configs, by (virtual key, model, provider).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_configs: Vec<ModelConfigDecl>,
    /// Provider governance, by provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<ProviderDecl>,
    /// Routing rules, by (scope, name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing_rules: Vec<RoutingRuleDecl>,
    /// Pricing overrides, by (name, scope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pricing_overrides: Vec<PricingOverrideDecl>,
}

/// The part of the server this file owns: live entities inside it that the file
/// does not declare are deleted by `apply --prune`; everything else is only
/// reported as unmanaged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ownership {
    /// Customers, teams, keys, routing rules and pricing overrides whose names start
    /// with one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_prefixes: Vec<String>,
    /// Declared customers whose teams and keys (and the rules and overrides scoped to
    /// them) are owned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<String>,
    /// Declared teams whose keys (and the rules scoped to them) are owned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// Providers whose governance, global model configs and provider-scoped pricing
    /// overrides are owned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<String>,
}

/// Names of entities this file refers to but does not manage; they must exist on
/// the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct External {
    /// Customers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<String>,
    /// Teams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// Virtual keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_keys: Vec<String>,
}

impl External {
    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.teams.is_empty() && self.virtual_keys.is_empty()
    }
}

/// A spending cap in USD over a reset period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetDecl {
    /// The cap in USD (above zero).
    pub max_limit: f64,
    /// The reset period, kept as written (`1d` and `24h` are different budgets to the server).
    #[schemars(schema_with = "period_schema")]
    pub reset_duration: String,
    /// First month (1-12) of the fiscal quarters of a quarterly (`Q`) budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 12))]
    pub quarter_start_month: Option<u8>,
}

/// A maximum and its reset period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitDecl {
    /// The maximum per period (at least 1).
    #[schemars(range(min = 1))]
    pub max_limit: u64,
    /// The reset period.
    #[schemars(schema_with = "period_schema")]
    pub reset_duration: String,
}

/// Token and/or request limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitDecl {
    /// Tokens per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<LimitDecl>,
    /// Requests per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<LimitDecl>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

fn all() -> Vec<String> {
    vec!["*".to_string()]
}

fn is_all(list: &[String]) -> bool {
    list.len() == 1 && list[0] == "*"
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerDecl {
    /// Unique name.
    pub name: String,
    /// Budgets, each period at most once (v1.5.x servers: at most one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetDecl>,
    /// Rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitDecl>,
    /// Budgets reset on calendar boundaries (periods in d, w, M, Q or Y only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub calendar_aligned: bool,
}

/// A team, optionally under a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamDecl {
    /// Unique name.
    pub name: String,
    /// The customer's name (declared, or listed under `external.customers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Budgets, each period at most once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetDecl>,
    /// Rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitDecl>,
    /// Budgets reset on calendar boundaries.
    #[serde(default, skip_serializing_if = "is_false")]
    pub calendar_aligned: bool,
}

/// A virtual key (its `sk-bf-` value is never part of the file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VirtualKeyDecl {
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The team's name (exclusive with `customer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The customer's name (exclusive with `team`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Whether the key works (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Budgets, each period at most once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetDecl>,
    /// Rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitDecl>,
    /// Budgets reset on calendar boundaries.
    #[serde(default, skip_serializing_if = "is_false")]
    pub calendar_aligned: bool,
    /// The providers the key may use; without one (and without
    /// `allow_all_providers`) it may use none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider_configs: Vec<ProviderConfigDecl>,
    /// The MCP clients whose tools the key may run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mcp_configs: Vec<McpConfigDecl>,
    /// Metadata entries (newest v2.x servers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// When the key stops working (RFC 3339; v1.6.3+ servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Delete the key once it has expired (needs `expires_at`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub delete_after_expire: bool,
    /// Allow every provider that has no provider config (v2.1.0+ servers).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_all_providers: bool,
    /// Keep request content out of the logs (true) or in them (false); unset follows
    /// the server setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_content_logging: Option<bool>,
}

/// What a key may do with one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfigDecl {
    /// Provider name (`openai`, `anthropic`…), at most once per key.
    pub provider: String,
    /// Load-balancing weight among the key's providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Allowed models; `["*"]` (the default) allows all, `[]` none.
    #[serde(default = "all", skip_serializing_if = "is_all")]
    pub models: Vec<String>,
    /// Models blocked even when allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_models: Vec<String>,
    /// Allowed provider keys by `key_id`; `["*"]` (the default) allows all.
    #[serde(default = "all", skip_serializing_if = "is_all")]
    pub keys: Vec<String>,
    /// Budgets of this provider for this key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetDecl>,
    /// Rate limit of this provider for this key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitDecl>,
}

/// Which tools of one MCP client a key may run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpConfigDecl {
    /// The MCP client's name.
    pub client: String,
    /// Allowed tools; `["*"]` (the default) allows all.
    #[serde(default = "all", skip_serializing_if = "is_all")]
    pub tools: Vec<String>,
}

/// Budgets and a rate limit for one model, globally or for one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelConfigDecl {
    /// The model name.
    pub model: String,
    /// Only on this provider (default: every provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only for requests with this key (by name; v1.5.9+ servers); default global.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_key: Option<String>,
    /// Budgets (v1.5.x servers: at most one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetDecl>,
    /// Rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitDecl>,
    /// Budgets reset on calendar boundaries.
    #[serde(default, skip_serializing_if = "is_false")]
    pub calendar_aligned: bool,
}

/// Budgets and a rate limit on everything sent to one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderDecl {
    /// A provider configured on the server.
    pub provider: String,
    /// Budgets (v1.5.x servers: at most one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetDecl>,
    /// Rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitDecl>,
    /// Budgets reset on calendar boundaries.
    #[serde(default, skip_serializing_if = "is_false")]
    pub calendar_aligned: bool,
}

/// Who a routing rule applies to: at most one of its fields (none: every request).
/// Names refer to entities of this file (or `external`).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct ScopeDecl {
    /// The keys of this team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The keys of this customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// This key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_key: Option<String>,
    /// This user (enterprise identities, by id; newest v2.x servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// What a [`ScopeDecl`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeTarget<'a> {
    /// Every request.
    Global,
    /// A team, by name.
    Team(&'a str),
    /// A customer, by name.
    Customer(&'a str),
    /// A key, by name.
    VirtualKey(&'a str),
    /// A user, by id.
    User(&'a str),
}

impl ScopeDecl {
    /// Every request (no field set).
    pub fn is_global(&self) -> bool {
        *self == ScopeDecl::default()
    }

    /// What the scope selects, or why it is not one scope.
    pub fn target(&self) -> Result<ScopeTarget<'_>, String> {
        let set: Vec<ScopeTarget<'_>> = [
            self.team.as_deref().map(ScopeTarget::Team),
            self.customer.as_deref().map(ScopeTarget::Customer),
            self.virtual_key.as_deref().map(ScopeTarget::VirtualKey),
            self.user.as_deref().map(ScopeTarget::User),
        ]
        .into_iter()
        .flatten()
        .collect();
        match set.as_slice() {
            [] => Ok(ScopeTarget::Global),
            [one] => Ok(*one),
            _ => Err("a scope names one of team, customer, virtual_key or user".into()),
        }
    }

    /// The scope of one target.
    pub fn of(target: ScopeTarget<'_>) -> Self {
        let mut scope = ScopeDecl::default();
        match target {
            ScopeTarget::Global => {}
            ScopeTarget::Team(n) => scope.team = Some(n.into()),
            ScopeTarget::Customer(n) => scope.customer = Some(n.into()),
            ScopeTarget::VirtualKey(n) => scope.virtual_key = Some(n.into()),
            ScopeTarget::User(n) => scope.user = Some(n.into()),
        }
        scope
    }
}

/// A routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingRuleDecl {
    /// Name, unique within its scope.
    pub name: String,
    /// `{team: NAME}`, `{customer: NAME}`, `{virtual_key: NAME}` or `{user: ID}`;
    /// omitted: every request.
    #[serde(default, skip_serializing_if = "ScopeDecl::is_global")]
    pub scope: ScopeDecl,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the rule is active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Evaluation order within the scope, lowest first.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i64,
    /// Continue with the next rules after this one matched.
    #[serde(default, skip_serializing_if = "is_false")]
    pub chain_rule: bool,
    /// The condition, in CEL (e.g. `model == "gpt-4o"`); unset matches everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cel_expression: Option<String>,
    /// Weighted targets (weights sum to 1).
    pub targets: Vec<TargetDecl>,
    /// Fallback chain: `provider/model` (`provider/` keeps the requested model) or
    /// `{provider, model, key_id}` pinned to a provider key (v2.2.3+ servers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallbacks: Vec<FallbackDecl>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// One weighted target of a routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDecl {
    /// Provider (default: the requested one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Model (default: the requested one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// A provider key's `key_id` (needs `provider`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Share of the traffic, 0 to 1.
    pub weight: f64,
    /// Time-to-first-token deadline in milliseconds (v2.3+ servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 300000))]
    pub ttft_timeout_ms: Option<u64>,
}

/// A fallback: `provider/model`, or pinned to a provider key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FallbackDecl {
    /// `provider/model`, or `provider/` for the requested model.
    Model(String),
    /// Pinned to one provider key.
    Pinned(PinnedFallbackDecl),
}

/// A fallback pinned to a provider key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PinnedFallbackDecl {
    /// Provider.
    pub provider: String,
    /// Model.
    pub model: String,
    /// The provider key's `key_id`.
    pub key_id: String,
}

/// Custom prices for the models matching a pattern, within a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingOverrideDecl {
    /// Name (unique together with the scope).
    pub name: String,
    /// What the override applies to (default: every request).
    #[serde(default, skip_serializing_if = "PricingScopeDecl::is_global")]
    pub scope: PricingScopeDecl,
    /// A model name, `prefix*` for every model starting with `prefix`, or `*`.
    pub pattern: String,
    /// Base request types (`chat_completion`, `responses`, `embedding`…); they
    /// cover streaming too.
    pub request_types: Vec<String>,
    /// Prices replacing the catalogue's; unset ones keep it.
    pub patch: PriceDecl,
}

/// What a pricing override applies to; the fields set say which kind of scope it
/// is: none (every request), `provider`, `provider_key_id`, `virtual_key`,
/// `virtual_key` + `provider` (+ `provider_key_id`), `user_id` (+ `provider`
/// (+ `provider_key_id`)).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct PricingScopeDecl {
    /// A key, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_key: Option<String>,
    /// A user, by id (v1.6.7+ servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// A provider name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// A provider key's `key_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_key_id: Option<String>,
}

impl PricingScopeDecl {
    /// Every request (no field set).
    pub fn is_global(&self) -> bool {
        *self == PricingScopeDecl::default()
    }

    /// The key the scope names, if any.
    pub fn virtual_key(&self) -> Option<&str> {
        self.virtual_key.as_deref()
    }

    /// The provider the scope names, if any.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }
}

/// Prices in USD; unset fields keep the catalogue's price.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct PriceDecl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cost_per_token: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_cost_per_token: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_token_cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_token_cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cost_per_image: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_cost_per_image: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cost_per_audio_per_second: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_cost_per_audio_per_second: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cost_per_character: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_cost_per_character: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cost_per_second: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_cost_per_second: Option<f64>,
    /// Any other field of Bifrost's price patch by its upstream name (batch,
    /// priority, long-context, audio and video prices, `peak_hours`…), sent as
    /// written. Must not repeat a field named above.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub more: BTreeMap<String, serde_json::Value>,
}

impl PriceDecl {
    /// The upstream names of the fields above `more`.
    pub const NAMED: [&'static str; 12] = [
        "input_cost_per_token",
        "output_cost_per_token",
        "cache_read_input_token_cost",
        "cache_creation_input_token_cost",
        "input_cost_per_image",
        "output_cost_per_image",
        "input_cost_per_audio_per_second",
        "output_cost_per_audio_per_second",
        "input_cost_per_character",
        "output_cost_per_character",
        "input_cost_per_second",
        "output_cost_per_second",
    ];
}
