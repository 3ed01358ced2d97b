//! A stateful, in-memory fake of the governance API of the Bifrost LLM gateway
//! (`/api/governance/*`), playing the role stripe-mock plays for Stripe.
//!
//! It serves every operation of the workspace's `openapi.yaml` with the server's
//! semantics: opt-in pagination with clamping, case-insensitive search, filters
//! and sorting; full-set replacement of budgets, provider configs and MCP configs;
//! `{}` removals; the v2.x team/customer assignment rules and delete cascades;
//! rotation and the self-service quota; the `BifrostError` envelope with 400, 401,
//! 404 and 409. Request and response bodies are the generated types of
//! [`bifrost_governance_client::types`], so the fake stays conformant with the spec.
//!
//! Three ways to use it:
//!
//! * in-process, with [`MockServer::start`] or [`MockServer::builder`];
//! * as a binary: `cargo run -p bifrost-governance-mock -- --port 8080`;
//! * seeded from a JSON or YAML [`Seed`] file of customers, teams and keys.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use bifrost_governance_mock::{MockServer, Seed};
//!
//! let seed = Seed::from_yaml_str("customers: [{name: Acme}]")?;
//! let server = MockServer::builder().api_key("secret").seed(seed).start().await;
//! let base_url = server.base_url(); // http://127.0.0.1:PORT
//! # let _ = base_url;
//! # Ok(())
//! # }
//! ```
//!
//! The server comes configured with providers (openai, anthropic, azure, bedrock,
//! gemini, mistral, groq, vertex) and their keys ([`MockServer::provider_keys`]),
//! and with the MCP clients `github`, `filesystem` and `slack`.
//!
//! The `cli` feature (default) builds the binary and its argument parser; depend
//! on this crate with `default-features = false` to embed the fake without them.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod budgets;
mod catalog;
mod customers;
mod durations;
mod errors;
mod fault;
#[allow(dead_code)] // Every renderer moves onto it; until then parts are unused.
mod gojson;
mod limits;
mod meta;
mod model_configs;
mod pagination;
mod pricing_overrides;
#[allow(dead_code)] // Handlers ask it as they move onto the profiles.
mod profile;
mod providers;
mod rate_limits;
mod request;
mod routing_rules;
mod seed;
mod server;
mod state;
mod teams;
mod virtual_keys;

pub use catalog::ProviderKeyInfo;
pub use fault::Fault;
pub use profile::Generation;
pub use seed::{MockError, Seed, SeedCustomer, SeedTeam, SeedVirtualKey};
pub use server::{DEFAULT_VERSION, MockServer, MockServerBuilder};
