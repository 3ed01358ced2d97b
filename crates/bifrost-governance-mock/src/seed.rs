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

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use bifrost_governance_client::types::{
    CreateBudgetRequest, CreateCustomerRequest, CreateTeamRequest, CreateVirtualKeyRequest,
    McpConfigRequest, ProviderConfigRequest, RateLimitRequest,
};
use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::state::Store;
use crate::{customers, teams, virtual_keys};

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
    pub budgets: Vec<CreateBudgetRequest>,
    /// Rate limit.
    #[serde(default)]
    pub rate_limit: Option<RateLimitRequest>,
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
    pub budgets: Vec<CreateBudgetRequest>,
    /// Rate limit.
    #[serde(default)]
    pub rate_limit: Option<RateLimitRequest>,
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
    pub budgets: Vec<CreateBudgetRequest>,
    /// Rate limit.
    #[serde(default)]
    pub rate_limit: Option<RateLimitRequest>,
    /// Providers the key may use (`key_ids: ["*"]` for every key).
    #[serde(default)]
    pub provider_configs: Vec<ProviderConfigRequest>,
    /// MCP clients the key may use, by `mcp_client_name`.
    #[serde(default)]
    pub mcp_configs: Vec<McpConfigRequest>,
    /// Metadata map.
    #[serde(default)]
    pub metadata: Option<HashMap<String, String>>,
}

fn non_empty<T: Clone>(list: &[T]) -> Option<Vec<T>> {
    (!list.is_empty()).then(|| list.to_vec())
}

fn refused(kind: &str, name: &str, e: ApiError) -> MockError {
    MockError::Invalid(format!("{kind} {name:?}: {}", e.message))
}

fn entity_name<T: TryFrom<String>>(kind: &str, name: &str) -> Result<T, MockError> {
    T::try_from(name.to_string())
        .map_err(|_| MockError::Invalid(format!("{kind} name must not be empty")))
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

    /// Creates every entity of the seed in `store`.
    pub(crate) fn apply(&self, store: &mut Store) -> Result<(), MockError> {
        let mut customer_ids = HashMap::new();
        for c in &self.customers {
            let req = CreateCustomerRequest {
                budget: None,
                budgets: non_empty(&c.budgets),
                calendar_aligned: Some(c.calendar_aligned),
                name: entity_name("customer", &c.name)?,
                rate_limit: c.rate_limit.clone(),
            };
            let id = customers::create_customer(store, &req, c.id.clone())
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
            let req = CreateTeamRequest {
                budgets: non_empty(&t.budgets),
                calendar_aligned: Some(t.calendar_aligned),
                customer_id: customer_id("team", &t.name, &t.customer)?,
                name: entity_name("team", &t.name)?,
                rate_limit: t.rate_limit.clone(),
            };
            let id = teams::create_team(store, &req, t.id.clone())
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
            let req = CreateVirtualKeyRequest {
                allow_all_providers: None,
                delete_after_expire: None,
                disable_content_logging: None,
                budgets: non_empty(&vk.budgets),
                calendar_aligned: None,
                customer_id: customer_id("virtual key", &vk.name, &vk.customer)?,
                description: vk.description.clone(),
                expires_at: None,
                is_active: vk.is_active,
                mcp_configs: non_empty(&vk.mcp_configs),
                metadata: vk.metadata.clone().map(Into::into),
                name: entity_name("virtual key", &vk.name)?,
                provider_configs: non_empty(&vk.provider_configs),
                rate_limit: vk.rate_limit.clone(),
                team_id,
            };
            virtual_keys::create_virtual_key(store, &req, vk.id.clone(), vk.value.clone())
                .map_err(|e| refused("virtual key", &vk.name, e))?;
        }
        virtual_keys::insert_bulk(store, self.generated_virtual_keys);
        Ok(())
    }
}
