//! Rust SDK for the governance API of the [Bifrost](https://github.com/maximhq/bifrost)
//! LLM gateway: virtual keys (`sk-bf-…`) with budgets, rate limits, provider and MCP
//! permissions, grouped under teams and customers.
//!
//! ```no_run
//! use bifrost_governance::{Budget, Budgets, Client, RateLimit, ResetPeriod};
//! use bifrost_governance::resources::virtual_keys::ProviderConfig;
//!
//! # async fn flow() -> bifrost_governance::Result<()> {
//! // BIFROST_BASE_URL (default http://localhost:8080) and BIFROST_API_KEY.
//! let client = Client::from_env()?;
//! println!("server {}", client.server_version().await?);
//!
//! // A customer with a monthly budget, and a team under it.
//! let acme = client
//!     .customers()
//!     .create("Acme")
//!     .budget(Budget::new(1_000.0, ResetPeriod::months(1))?)
//!     .send()
//!     .await?;
//! let team = client.teams().create("acme-platform").customer_id(&acme.id).send().await?;
//!
//! // A key for one service: daily and monthly caps, 60 requests a minute, GPT-4o only.
//! let key = client
//!     .virtual_keys()
//!     .create("acme-checkout")
//!     .team_id(&team.id)
//!     .budgets(Budgets::try_from([
//!         Budget::new(10.0, ResetPeriod::days(1))?,
//!         Budget::new(200.0, ResetPeriod::months(1))?,
//!     ])?)
//!     .rate_limit(RateLimit::builder().requests(60, ResetPeriod::minutes(1)).build()?)
//!     .provider_config(ProviderConfig::new("openai").models(["gpt-4o"]))
//!     .send()
//!     .await?;
//! // The secret is redacted in Debug output; reading it is explicit.
//! let secret = key.value.as_ref().expect("created keys carry their value");
//! deploy(secret.expose_secret());
//!
//! // Page through every key of the team, four pages at a time.
//! let mut keys = client.virtual_keys().list().team_id(&team.id).concurrency(4).items();
//! while let Some(k) = keys.try_next().await? {
//!     println!("{} active={:?}", k.name, k.is_active);
//! }
//!
//! // Change one thing without losing the rest (team, provider keys, budgets).
//! client.virtual_keys().patch(&key.id, |vk| vk.description = "checkout, EU".into()).await?;
//!
//! // Rotate, then clean up.
//! let rotated = client.virtual_keys().rotate(&key.id).await?;
//! client.virtual_keys().delete(&rotated.id).await?;
//! client.teams().delete(&team.id).await?;
//! client.customers().delete(&acme.id).await?;
//! # Ok(()) }
//! # fn deploy(_: &str) {}
//! ```
//!
//! ## What the SDK does for you
//!
//! - **Pagination**: every list always sends `limit`/`offset` (Bifrost otherwise
//!   returns every row), follows `total_count`, never yields an id twice and reports
//!   changes during a scan ([`ScanReport`]). See [`List`].
//! - **Validation before sending**: [`Budget`], [`Budgets`], [`RateLimit`] and
//!   [`ResetPeriod`] cannot hold what the server would refuse (or silently ignore);
//!   builders return [`Error::InvalidInput`] before any request.
//! - **Safe updates**: update builders send only what was set; methods that replace a
//!   whole set say so (`set_budgets`, `clear_budgets`, `set_provider_configs`);
//!   [`resources::virtual_keys::VirtualKeys::patch`] reads, edits and writes back
//!   without losing the assignment, provider-config ids or key selections.
//! - **Retries**: GET, PUT and DELETE retry on connection errors, 429, 502, 503, 504
//!   (honouring `Retry-After`); creates and rotations never retry once sent. See
//!   [`RetryConfig`].
//! - **Secrets**: the API key, virtual-key values, provider key values and MCP
//!   headers are [`SecretString`]s: redacted in `Debug`, `Display`, logs and errors.
//! - **Errors**: one [`Error`] type; server errors keep status, message and body.
//! - **Tracing**: one `bifrost.request` span per HTTP attempt (operation, method,
//!   path template, attempt, status, latency), never carrying secrets.
#![deny(missing_docs)]

// The README's examples compile as doctests, so the front door stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

mod client;
mod error;
mod limits;
pub mod pagination;
mod period;
mod redact;
pub mod resources;
mod retry;
mod transport;
mod version;

pub use bifrost_governance_client::secret::{EnvVar, SecretString};
pub use bifrost_governance_client::types;
pub use client::{Auth, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{ApiError, Error, InvalidInput, Result};
pub use limits::{Budget, Budgets, Limit, RateLimit, RateLimitBuilder};
pub use pagination::{Incomplete, Items, List, Page, Pages, ScanReport};
pub use period::ResetPeriod;
pub use retry::RetryConfig;
pub use version::ServerVersion;

impl Client {
    /// Virtual keys: list, get, create, update, patch, delete, rotate, quota.
    pub fn virtual_keys(&self) -> resources::virtual_keys::VirtualKeys {
        resources::virtual_keys::VirtualKeys::new(self.clone())
    }

    /// Teams: list, get, create, update, delete.
    pub fn teams(&self) -> resources::teams::Teams {
        resources::teams::Teams::new(self.clone())
    }

    /// Customers: list, get, create, update, delete.
    pub fn customers(&self) -> resources::customers::Customers {
        resources::customers::Customers::new(self.clone())
    }

    /// Every budget row (read-only).
    pub fn budgets(&self) -> resources::budgets::BudgetRows {
        resources::budgets::BudgetRows::new(self.clone())
    }

    /// Every rate-limit row (read-only).
    pub fn rate_limits(&self) -> resources::rate_limits::RateLimitRows {
        resources::rate_limits::RateLimitRows::new(self.clone())
    }

    /// Model configs: per-model budgets and rate limits.
    pub fn model_configs(&self) -> resources::model_configs::ModelConfigs {
        resources::model_configs::ModelConfigs::new(self.clone())
    }

    /// Provider governance: budgets and rate limits of whole providers.
    pub fn providers(&self) -> resources::providers::Providers {
        resources::providers::Providers::new(self.clone())
    }

    /// Routing rules.
    pub fn routing_rules(&self) -> resources::routing_rules::RoutingRules {
        resources::routing_rules::RoutingRules::new(self.clone())
    }

    /// Pricing overrides.
    pub fn pricing_overrides(&self) -> resources::pricing_overrides::PricingOverrides {
        resources::pricing_overrides::PricingOverrides::new(self.clone())
    }
}
