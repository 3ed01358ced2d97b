//! A stateful, in-memory fake of the governance and routing management API of the
//! Bifrost LLM gateway (`/api/governance/*`, `/api/routing/*`), playing the role
//! stripe-mock plays for Stripe.
//!
//! The fake behaves like the Bifrost version it reports: [`MockServer::builder`]`.version("v1.5.2")`
//! (or `--server-version`, or a seed file's `server_version`) selects the 1.5.x
//! behaviour, any `v2.*` (the default, [`DEFAULT_VERSION`]) the newest v2 behaviour
//! ([`Generation`]). Each behaviour — routes, validation order, statuses, messages,
//! cascades, defaults — is derived from Bifrost's handler and store code and listed
//! with its upstream source and its test in the crate's `FIDELITY.md`. Responses are
//! written the way Go's `encoding/json` writes the upstream structs: field order,
//! `null` for nil slices and pointers, omitted `omitempty` fields, custom
//! `MarshalJSON` effects, Go's number and time formats, sorted map keys.
//!
//! Three ways to use it:
//!
//! * in-process, with [`MockServer::start`] or [`MockServer::builder`];
//! * as a binary: `cargo run -p bifrost-governance-mock -- --port 8080 --server-version v1.5.2`;
//! * seeded from a JSON or YAML [`Seed`] file of customers, teams and keys.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use bifrost_governance_mock::{MockServer, Seed};
//!
//! let seed = Seed::from_yaml_str("customers: [{name: Acme}]")?;
//! let server = MockServer::builder()
//!     .version("v1.5.2")
//!     .api_key("secret")
//!     .seed(seed)
//!     .start()
//!     .await;
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

mod app;
mod calendar;
mod cel;
mod errors;
mod fault;
mod gojson;
mod governance;
mod limits;
mod pagination;
mod profile;
mod render;
mod request;
mod routes;
mod seed;
mod server;
mod store;

pub use fault::Fault;
pub use profile::Generation;
pub use seed::{
    MockError, Seed, SeedBudget, SeedCustomer, SeedMcpConfig, SeedProviderConfig, SeedRateLimit,
    SeedTeam, SeedVirtualKey,
};
pub use server::{DEFAULT_VERSION, MockServer, MockServerBuilder};
pub use store::catalog::ProviderKeyInfo;
