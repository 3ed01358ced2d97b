//! Rust SDK for the governance API of the [Bifrost](https://github.com/maximhq/bifrost)
//! LLM gateway: virtual keys (`sk-bf-…`) with budgets, rate limits, provider and MCP
//! permissions, grouped under teams and customers.
//!
//! ```no_run
//! use bifrost_governance::{BudgetSpec, BudgetSpecs, Client, RateLimitSpec, ResetPeriod};
//! use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
//! use futures::TryStreamExt;
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
//!     .budget(BudgetSpec::new(1_000.0, ResetPeriod::months(1))?)
//!     .send()
//!     .await?;
//! let team = client.teams().create("acme-platform").assign_customer(&acme.id).send().await?;
//!
//! // A key for one service: daily and monthly caps, 60 requests a minute, GPT-4o only.
//! let key = client
//!     .virtual_keys()
//!     .create("acme-checkout")
//!     .assign_team(&team.id)
//!     .budgets(BudgetSpecs::try_from([
//!         BudgetSpec::new(10.0, ResetPeriod::days(1))?,
//!         BudgetSpec::new(200.0, ResetPeriod::months(1))?,
//!     ])?)
//!     .rate_limit(RateLimitSpec::builder().requests(60, ResetPeriod::minutes(1)).build()?)
//!     .provider_config(ProviderConfigSpec::new("openai").models(["gpt-4o"]))
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
//! ## Names: what you send and what the server returns
//!
//! Types named after a resource (`VirtualKey`, `Budget`, `RateLimit`,
//! `ProviderConfig`, `RoutingTarget`, …) live in [`types`]: they are what the server
//! returns, generated from the spec, with readable accessors (`key.budgets()`,
//! `rule.is_enabled()`, `budget.effective_max_limit()`). What you build to send ends in
//! **`Spec`** ([`BudgetSpec`], [`BudgetSpecs`], [`RateLimitSpec`],
//! [`resources::virtual_keys::ProviderConfigSpec`],
//! [`resources::virtual_keys::McpConfigSpec`],
//! [`resources::routing_rules::RoutingTargetSpec`],
//! [`resources::virtual_keys::BudgetOverrideSpec`]) and is validated when built.
//! Value types used both ways keep plain names ([`ResetPeriod`], [`Scope`],
//! [`resources::routing_rules::Fallback`]). Builders share one vocabulary: create
//! builders set fields by name (`.enabled(false)`, `.assign_team(id)`), update
//! builders `set_*` them, `clear_*` removes a value or a whole set, `assign_*` /
//! `unassign` move an entity between owners, and every id is `impl Into<String>`.
//!
//! ## Stability
//!
//! Response types ([`types`], [`ApiError`], [`Page`], [`ScanReport`],
//! [`resources::virtual_keys::RotateOutcome`], [`Limit`]) are `#[non_exhaustive]`:
//! newer servers add fields, and reading them must not break. Error types ([`Error`],
//! [`InvalidInput`]) and enums that mirror a set the server grows ([`Scope`],
//! [`Capability`], [`resources::pricing_overrides::PricingScope`],
//! [`resources::pricing_overrides::ModelPattern`],
//! [`resources::virtual_keys::Assignment`]) are `#[non_exhaustive]` too: match them
//! with a wildcard arm. What you build has constructors and builders
//! (`InvalidInput::new`, `BudgetSpec::new`, …) rather than public fields. The only
//! exhaustive enum you match on is [`resources::virtual_keys::Selection`] (everything
//! or a list, a split that cannot grow). The pagination engine's
//! [`pagination::ListSource`] is sealed.
//!
//! ## What the SDK does for you
//!
//! - **Pagination**: every list always sends `limit`/`offset` (Bifrost otherwise
//!   returns every row), follows `total_count`, never yields an id twice and reports
//!   changes during a scan ([`ScanReport`]). See [`List`].
//! - **Validation before sending**: [`BudgetSpec`], [`BudgetSpecs`], [`RateLimitSpec`] and
//!   [`ResetPeriod`] cannot hold what the server would refuse (or silently ignore);
//!   builders return [`Error::InvalidInput`] before any request.
//! - **Safe updates**: update builders send only what was set; methods that replace a
//!   whole set say so (`set_budgets`, `clear_budgets`, `set_provider_configs`);
//!   [`resources::virtual_keys::VirtualKeys::patch`] reads, edits and writes back
//!   without losing the assignment, provider-config ids or key selections.
//! - **Retries**: GET, PUT and DELETE retry on connection errors, 429, 502, 503, 504
//!   (honouring `Retry-After`); creates and rotations never retry once sent; a 401
//!   is never retried. See [`RetryConfig`].
//! - **Secrets**: the API key, virtual-key values, provider key values and MCP
//!   headers are [`SecretString`]s: redacted in `Debug`, `Display`, logs and errors.
//!   Errors of the raw client ([`Client::raw`]) print no secret either: a success
//!   body that would not decode reaches its decoder as a masked copy, and `sk-bf-`
//!   values in error bodies are masked.
//! - **Tracing**: one `bifrost.request` span per HTTP attempt (operation, method,
//!   path template, attempt, status, latency), never carrying secrets.
//! - **Hooks and default headers**: [`ClientBuilder::default_header`] and
//!   [`ClientBuilder::hook`] (a [`RequestHook`] runs on every attempt, can set
//!   headers such as a fresh token, and observes each attempt's outcome for metrics).
//!   The version and the virtual-key quota never carry `Authorization`.
//!
//! ## Errors
//!
//! Every call returns [`Result`] with the one [`Error`] type:
//!
//! - [`Error::Api`]: the server answered 4xx/5xx. [`ApiError`] keeps the status,
//!   the message (Bifrost's `{"error":{"message":…}}`, a plain `{"error":…}` or
//!   `{"message":…}`), type, code, event id, `Retry-After` as a duration, the
//!   response headers (without `Set-Cookie`) and the raw body.
//! - [`Error::Decode`]: a success body of the wrong shape, including a JSON array
//!   (or any non-object) where the response is an object; [`Error::UnexpectedContentType`]:
//!   a non-JSON success (usually the web UI behind a wrong base URL).
//! - [`Error::Transport`], [`Error::Timeout`]: no (complete) response.
//! - [`Error::InvalidInput`]: refused before sending; [`Error::Unsupported`]: the
//!   server's version lacks a [`Capability`], also before sending;
//!   [`Error::Hook`]: a [`RequestHook`] refused; [`Error::Config`]: the builder.
//!
//! Predicates answer the usual questions without matching:
//! [`is_not_found`](Error::is_not_found), [`is_conflict`](Error::is_conflict),
//! [`is_unauthorized`](Error::is_unauthorized), [`is_bad_request`](Error::is_bad_request),
//! [`is_rate_limited`](Error::is_rate_limited), [`is_server_error`](Error::is_server_error),
//! [`is_timeout`](Error::is_timeout), [`is_retryable`](Error::is_retryable) and
//! [`retry_after`](Error::retry_after). Money values decode to the nearest `f64`
//! (serde_json's `float_roundtrip`).
//!
//! ## Server versions
//!
//! Where Bifrost generations differ, the SDK asks `GET /api/version` once per client
//! (a failed request is not remembered: the call that needed it fails with that
//! error and the next one asks again) and consults the [`Capability`] table:
//! [`Client::supports`] picks a wire form, [`Client::require`] refuses with
//! [`Error::Unsupported`] before any request. A version that does not parse (a
//! development build) counts as the newest, everywhere; see [`ServerVersion`].
//! [`ClientBuilder::assume_server_version`] skips the request.
//!
//! ## Cargo features
//!
//! - `rustls` (default): TLS for `https://` base URLs through reqwest's rustls
//!   backend (aws-lc-rs, the platform's certificate verifier).
//! - `native-tls`: TLS through the platform's library instead (OpenSSL on Linux,
//!   which needs `libssl-dev` and `pkg-config` to build); use it with
//!   `default-features = false`. With both on, reqwest picks native-tls.
//! - Neither: plain `http://` works; [`ClientBuilder::build`] refuses an `https://`
//!   base URL with [`Error::Config`] naming the missing feature.
//! - `http2`: HTTP/2 over TLS (ALPN). Off by default: Bifrost's API speaks HTTP/1.1.
//!
//! Tracing spans are always compiled in; without a subscriber they cost one
//! disabled-callsite check each.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

// The README's examples compile as doctests, so the front door stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

mod capability;
mod client;
mod error;
mod executor;
pub mod hook;
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
pub use capability::Capability;
pub use client::{Auth, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{ApiError, Error, InvalidInput, Result};
pub use hook::{Attempt, AttemptErrorKind, AttemptOutcome, HookError, HookFuture, RequestHook};
pub use limits::{BudgetSpec, BudgetSpecs, Limit, RateLimitSpec, RateLimitSpecBuilder};
pub use pagination::{Incomplete, Items, List, Page, Pages, ScanReport};
pub use period::ResetPeriod;
pub use resources::Scope;
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
