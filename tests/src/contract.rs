//! The kit's contract mocks ([`bifrost_governance_wiremock::contract`]), recording
//! every operation they answer for the coverage gate.

pub use bifrost_governance_wiremock::contract::*;

/// [`bifrost_governance_wiremock::contract::expect`], plus a record in
/// [`crate::hits`] of each request the mock answers within the contract.
pub fn expect(operation_id: &str) -> ContractMock {
    bifrost_governance_wiremock::contract::expect(operation_id).on_answered(crate::hits::record)
}
