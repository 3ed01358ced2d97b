//! Test support for the workspace's own tests, on top of the public contract-testing
//! kit `bifrost-governance-wiremock` (the mocks, the spec and the fixtures live there):
//!
//! * [`contract`]: the kit's contract mocks, each recording the operations it
//!   answered in [`hits`];
//! * [`hits`]: the operations the mocks answered, written per test binary for the
//!   coverage gate (`tests/tests/coverage.rs` lists the operations no `contract_*`
//!   binary exercised in the run);
//! * [`support`]: a client wired to a mock, a [`support::Paginator`] that pages like
//!   Bifrost, and a scripted [`support::RawServer`] for broken connections and
//!   truncated bodies.
#![deny(missing_docs)]

pub mod contract;
pub mod hits;
pub mod support;
