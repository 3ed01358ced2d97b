//! Contract tests for code that calls the Bifrost governance API.
//!
//! A service that manages virtual keys, teams or budgets through
//! [`bifrost-governance`](https://docs.rs/bifrost-governance) (or any HTTP client) can
//! test itself against [wiremock](https://docs.rs/wiremock) mocks that know the API's
//! `openapi.yaml` (embedded in this crate):
//!
//! * [`contract::expect`]`("create_virtual_key")` mounts a mock on the operation's
//!   method and path, checks every request it gets (the `Authorization` header, query
//!   and path parameters, the JSON body against the request schema: a misspelled or
//!   undeclared field is a violation), records them, and validates the replies the
//!   test gives it against the response schema;
//! * [`fixtures`] builds realistic response bodies, shaped like the newest server
//!   answers them: `virtual_key("vk-1").name("checkout").team("team-1")`,
//!   `teams_page([...]).total_count(40)`, `bifrost_error(404, "Virtual key not found")`;
//! * violations fail the test: the offending request is answered `599` with the list
//!   of violations, and the [`ContractGuard`] panics when dropped, naming each
//!   offending field as a JSON pointer
//!   (`request #1 POST /api/governance/virtual-keys: body /colour: the field is not declared by the schema`);
//!   a canned reply that does not match the response schema fails when the mock is
//!   built.
//!
//! ```
//! use bifrost_governance_wiremock::fixtures::virtual_key;
//! use bifrost_governance_wiremock::{Reply, contract};
//! use bifrost_governance_wiremock::wiremock; // or your own wiremock 0.6
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = wiremock::MockServer::start().await;
//! let guard = contract::expect("create_virtual_key")
//!     .authorization("Bearer test-key")
//!     .respond(Reply::ok(
//!         virtual_key("vk-1")
//!             .name("checkout")
//!             .team("team-1")
//!             .envelope_with_message("Virtual key created successfully"),
//!     ))
//!     .mount(&server)
//!     .await;
//!
//! // The code under test, pointed at the mock.
//! let client = bifrost_governance::Client::builder()
//!     .base_url(server.uri())
//!     .api_key("test-key")
//!     .build()?;
//! let key = client
//!     .virtual_keys()
//!     .create("checkout")
//!     .assign_team("team-1")
//!     .send()
//!     .await?;
//!
//! assert_eq!(key.id, "vk-1");
//! assert_eq!(guard.single_body(), json!({ "name": "checkout", "team_id": "team-1" }));
//! # Ok(())
//! # }
//! ```
//!
//! The workspace README's section "Contract-testing your own service" has the same
//! example as a `#[tokio::test]`, and lists what the mocks check.
//!
//! The mock answers only its own operation; other requests get wiremock's `404`.
//! Mount one contract per operation the code under test calls, and keep the guards
//! alive until the end of the test: dropping one unmounts its mock (and panics if it
//! recorded a violation).
//!
//! Use the [`wiremock`] this crate re-exports (or the same version) for the
//! `MockServer`. [`spec`] gives direct access to the parsed spec and its validators,
//! for checks outside a mock.
#![deny(missing_docs)]

pub mod contract;
pub mod fixtures;
pub mod spec;

pub use contract::{ContractGuard, ContractMock, Reply, Seen, VIOLATION_STATUS, expect};
pub use wiremock;
