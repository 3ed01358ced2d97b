//! Initial data: customers, teams and virtual keys, loaded from JSON or YAML.
//!
//! Entities refer to each other by **name**; seeding goes through the same
//! validation as the HTTP handlers, so a seed the server would refuse fails to load.
//!
//! ```yaml
//! customers:
//!   - name: Acme
//!     budgets: [{max_limit: 1000, reset_duration: 1M}]
//! teams:
//!   - name: platform
//!     customer: Acme
//! virtual_keys:
//!   - name: platform-prod
//!     team: platform
//!     budgets: [{max_limit: 50, reset_duration: 1d}]
//!     provider_configs:
//!       - {provider: openai, allowed_models: ["*"], key_ids: ["*"], weight: 1}
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::limits::{BudgetItem, BudgetPatch, RateLimitIn};
use crate::profile::Profile;
use crate::routes::customers::{CustomerIn, create_customer};
use crate::routes::keys::requests::{CreateKey, McpConfigIn, ProviderConfigIn};
use crate::routes::keys::{Fixed, create_key, insert_bulk};
use crate::routes::teams::{TeamIn, create_team};
use crate::store::Store;

/// Why the mock could not start or a seed could not be loaded.
#[derive(Debug)]
pub enum MockError {
    /// Binding the listening socket failed.
    Bind(std::io::Error),
    /// Reading a seed file failed.
    Io(std::io::Error),
    /// A seed file is not valid JSON/YAML for [`Seed`], or has an unknown extension.
    Parse(String),
    /// A seeded entity was refused (unknown reference, duplicate name, bad budget…).
    Invalid(String),
    /// The requested server version has no behaviour profile (see
    /// [`MockServerBuilder::version`](crate::MockServerBuilder::version)).
    UnsupportedVersion(String),
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::Bind(e) => write!(f, "cannot bind the mock server: {e}"),
            MockError::Io(e) => write!(f, "cannot read the seed file: {e}"),
            MockError::Parse(e) => write!(f, "invalid seed: {e}"),
            MockError::Invalid(e) => write!(f, "seed refused: {e}"),
            MockError::UnsupportedVersion(v) => write!(
                f,
                "no behaviour profile for server version {v:?}: the fake behaves like \
                 v1.5.0–v1.5.8 (modelled on v1.5.2) or v2.x (the newest code)"
            ),
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::Bind(e) | MockError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Initial data for a [`MockServer`](crate::MockServer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The server version to report and behave like (the builder's
    /// [`version`](crate::MockServerBuilder::version) wins when both are set).
    #[serde(default)]
    pub server_version: Option<String>,
    /// Customers, created first.
    #[serde(default)]
    pub customers: Vec<SeedCustomer>,
    /// Teams, created after the customers they name.
    #[serde(default)]
    pub teams: Vec<SeedTeam>,
    /// Virtual keys, created last.
    #[serde(default)]
    pub virtual_keys: Vec<SeedVirtualKey>,
    /// Extra plain virtual keys (`bulk-vk-0000001`, …) inserted in bulk, for benchmarks.
    #[serde(default)]
    pub generated_virtual_keys: usize,
}

/// A seeded customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCustomer {
    /// Fixed id (a new UUID when omitted).
    #[serde(default)]
    pub id: Option<String>,
    /// Unique name.
    pub name: String,
    /// Budgets, one per `reset_duration`.
    #[serde(default)]
    pub budgets: Vec<SeedBudget>,
    /// Rate limit.
    #[serde(default)]
    pub rate_limit: Option<SeedRateLimit>,
    /// Calendar alignment of the budgets.
    #[serde(default)]
    pub calendar_aligned: bool,
}

/// A seeded team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTeam {
    /// Fixed id (a new UUID when omitted).
    #[serde(default)]
    pub id: Option<String>,
    /// Unique name.
    pub name: String,
    /// Name of the owning customer, if any.
    #[serde(default)]
    pub customer: Option<String>,
    /// Budgets, one per `reset_duration`.
    #[serde(default)]
    pub budgets: Vec<SeedBudget>,
    /// Rate limit.
    #[serde(default)]
    pub rate_limit: Option<SeedRateLimit>,
    /// Calendar alignment of the budgets.
    #[serde(default)]
    pub calendar_aligned: bool,
}

/// A seeded virtual key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedVirtualKey {
    /// Fixed id (a new UUID when omitted).
    #[serde(default)]
    pub id: Option<String>,
    /// Unique name.
    pub name: String,
    /// Fixed secret value (`sk-bf-…`); generated when omitted.
    #[serde(default)]
    pub value: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Name of the owning team (exclusive with `customer`).
    #[serde(default)]
    pub team: Option<String>,
    /// Name of the owning customer (exclusive with `team`).
    #[serde(default)]
    pub customer: Option<String>,
    /// Whether the key is active (default true).
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Budgets, one per `reset_duration`.
    #[serde(default)]
    pub budgets: Vec<SeedBudget>,
    /// Rate limit.
    #[serde(default)]
    pub rate_limit: Option<SeedRateLimit>,
    /// Providers the key may use (`key_ids: ["*"]` for every key).
    #[serde(default)]
    pub provider_configs: Vec<SeedProviderConfig>,
    /// MCP clients the key may use, by `mcp_client_name`.
    #[serde(default)]
    pub mcp_configs: Vec<SeedMcpConfig>,
    /// Metadata map.
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A seeded budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedBudget {
    /// Cap in USD.
    pub max_limit: f64,
    /// Reset period, a Bifrost duration (`1d`, `1M`, …).
    pub reset_duration: String,
    /// Align resets to calendar boundaries (1.5.x: per team budget; v2: promoted to
    /// the owner).
    #[serde(default)]
    pub calendar_aligned: bool,
}

/// A seeded rate limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRateLimit {
    /// Tokens per `token_reset_duration`.
    #[serde(default)]
    pub token_max_limit: Option<i64>,
    /// Token window.
    #[serde(default)]
    pub token_reset_duration: Option<String>,
    /// Requests per `request_reset_duration`.
    #[serde(default)]
    pub request_max_limit: Option<i64>,
    /// Request window.
    #[serde(default)]
    pub request_reset_duration: Option<String>,
}

/// A provider a seeded virtual key may use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProviderConfig {
    /// A configured provider (`openai`, `anthropic`, …).
    pub provider: String,
    /// Load-balancing weight.
    #[serde(default)]
    pub weight: Option<f64>,
    /// Allowed models (`["*"]` for all; empty denies all).
    #[serde(default)]
    pub allowed_models: Vec<String>,
    /// Key UUIDs (`["*"]` for every key of the provider).
    #[serde(default)]
    pub key_ids: Vec<String>,
    /// Budgets of this provider config.
    #[serde(default)]
    pub budgets: Vec<SeedBudget>,
    /// Rate limit of this provider config.
    #[serde(default)]
    pub rate_limit: Option<SeedRateLimit>,
}

/// An MCP client a seeded virtual key may use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMcpConfig {
    /// The client's name (`github`, `filesystem`, `slack`).
    pub mcp_client_name: String,
    /// Tools the key may run (`["*"]` for all).
    #[serde(default)]
    pub tools_to_execute: Vec<String>,
}

impl SeedBudget {
    fn item(&self) -> BudgetItem {
        BudgetItem {
            id: None,
            max_limit: self.max_limit,
            reset_duration: self.reset_duration.clone(),
            calendar_aligned: self.calendar_aligned,
            reset_config: None,
        }
    }
}

impl SeedRateLimit {
    fn request(&self) -> RateLimitIn {
        RateLimitIn {
            token_max_limit: self.token_max_limit,
            token_reset_duration: self.token_reset_duration.clone(),
            request_max_limit: self.request_max_limit,
            request_reset_duration: self.request_reset_duration.clone(),
        }
    }
}

fn items(budgets: &[SeedBudget]) -> Option<Vec<BudgetItem>> {
    (!budgets.is_empty()).then(|| budgets.iter().map(SeedBudget::item).collect())
}

fn refused(kind: &str, name: &str, e: ApiError) -> MockError {
    MockError::Invalid(format!("{kind} {name:?}: {}", e.message))
}

impl Seed {
    /// Parses a seed from JSON text.
    pub fn from_json_str(text: &str) -> Result<Self, MockError> {
        serde_json::from_str(text).map_err(|e| MockError::Parse(e.to_string()))
    }

    /// Parses a seed from YAML text.
    pub fn from_yaml_str(text: &str) -> Result<Self, MockError> {
        serde_norway::from_str(text).map_err(|e| MockError::Parse(e.to_string()))
    }

    /// Loads a seed file, as JSON (`.json`) or YAML (`.yaml`, `.yml`).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, MockError> {
        let path = path.as_ref();
        let parse: fn(&str) -> Result<Self, MockError> =
            match path.extension().and_then(|e| e.to_str()) {
                Some("json") => Self::from_json_str,
                Some("yaml" | "yml") => Self::from_yaml_str,
                other => {
                    return Err(MockError::Parse(format!(
                        "unknown seed file extension {other:?} (expected .json, .yaml or .yml)"
                    )));
                }
            };
        parse(&std::fs::read_to_string(path).map_err(MockError::Io)?)
    }

    /// Creates every entity of the seed in `store`, through the same code as the
    /// HTTP handlers of the profile.
    pub(crate) fn apply(&self, store: &mut Store, profile: Profile) -> Result<(), MockError> {
        let mut customer_ids = HashMap::new();
        for c in &self.customers {
            let mut req = CustomerIn {
                name: Some(c.name.clone()),
                rate_limit: c.rate_limit.as_ref().map(SeedRateLimit::request),
                ..CustomerIn::default()
            };
            if profile.multi_budget_owners() {
                req.budgets = items(&c.budgets);
                req.calendar_aligned = Some(c.calendar_aligned);
            } else {
                // 1.5.x customers have one budget.
                if c.budgets.len() > 1 {
                    return Err(MockError::Invalid(format!(
                        "customer {:?}: v1.5.x customers have one budget",
                        c.name
                    )));
                }
                req.budget = c.budgets.first().map(|b| BudgetPatch {
                    max_limit: Some(b.max_limit),
                    reset_duration: Some(b.reset_duration.clone()),
                    calendar_aligned: None,
                    reset_config: None,
                });
            }
            let id = create_customer(store, profile, &req, c.id.clone())
                .map_err(|e| refused("customer", &c.name, e))?;
            customer_ids.insert(c.name.clone(), id);
        }
        let customer_id = |kind: &str, owner: &str, name: &Option<String>| {
            name.as_ref()
                .map(|n| {
                    customer_ids.get(n).cloned().ok_or_else(|| {
                        MockError::Invalid(format!("{kind} {owner:?}: unknown customer {n:?}"))
                    })
                })
                .transpose()
        };
        let mut team_ids = HashMap::new();
        for t in &self.teams {
            let aligned = t.calendar_aligned || t.budgets.iter().any(|b| b.calendar_aligned);
            let req = TeamIn {
                name: Some(t.name.clone()),
                customer_id: customer_id("team", &t.name, &t.customer)?,
                budgets: items(&t.budgets),
                rate_limit: t.rate_limit.as_ref().map(SeedRateLimit::request),
                calendar_aligned: Some(aligned),
                reset_budget_usage: false,
            };
            let id = create_team(store, profile, &req, t.id.clone())
                .map_err(|e| refused("team", &t.name, e))?;
            team_ids.insert(t.name.clone(), id);
        }
        for vk in &self.virtual_keys {
            let team_id = vk
                .team
                .as_ref()
                .map(|n| {
                    team_ids.get(n).cloned().ok_or_else(|| {
                        MockError::Invalid(format!("virtual key {:?}: unknown team {n:?}", vk.name))
                    })
                })
                .transpose()?;
            let provider_configs: Vec<ProviderConfigIn> = vk
                .provider_configs
                .iter()
                .map(|pc| ProviderConfigIn {
                    id: None,
                    provider: pc.provider.clone(),
                    weight: pc.weight,
                    allowed_models: Some(pc.allowed_models.clone()),
                    blacklisted_models: None,
                    budgets: items(&pc.budgets),
                    rate_limit: pc.rate_limit.as_ref().map(SeedRateLimit::request),
                    model_budgets: None,
                    key_ids: Some(pc.key_ids.clone()),
                })
                .collect();
            let mcp_configs: Vec<McpConfigIn> = vk
                .mcp_configs
                .iter()
                .map(|m| McpConfigIn {
                    id: None,
                    mcp_client_name: m.mcp_client_name.clone(),
                    tools_to_execute: Some(m.tools_to_execute.clone()),
                })
                .collect();
            let req = CreateKey {
                name: vk.name.clone(),
                description: vk.description.clone().unwrap_or_default(),
                provider_configs: (!provider_configs.is_empty()).then_some(provider_configs),
                mcp_configs: (!mcp_configs.is_empty()).then_some(mcp_configs),
                team_id,
                customer_id: customer_id("virtual key", &vk.name, &vk.customer)?,
                budgets: items(&vk.budgets),
                rate_limit: vk.rate_limit.as_ref().map(SeedRateLimit::request),
                is_active: vk.is_active,
                metadata: vk.metadata.clone(),
                ..CreateKey::default()
            };
            let fixed = Fixed {
                id: vk.id.clone(),
                value: vk.value.clone(),
            };
            create_key(store, profile, &req, fixed)
                .map_err(|e| refused("virtual key", &vk.name, e))?;
        }
        insert_bulk(store, self.generated_virtual_keys);
        Ok(())
    }
}
