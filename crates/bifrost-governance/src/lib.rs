//! Rust SDK for the governance API of the [Bifrost](https://github.com/maximhq/bifrost)
//! LLM gateway: virtual keys (`sk-bf-…`) with budgets, rate limits, provider and MCP
//! permissions, grouped under teams and customers.
//!
//! TODO: crate walkthrough.
#![deny(missing_docs)]

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
pub use pagination::{Items, List, Page, Pages, ScanReport};
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
