//! Contract coverage: every operation of openapi.yaml must have been answered by a
//! spec-driven contract mock, without a contract violation, in a `contract_*` test
//! binary.
//!
//! The harness records the operations its mocks answered (see
//! `bifrost_governance_tests::hits`); cargo runs the `contract_*` binaries before
//! this one, so the files read here are those of the same `cargo test` run. Hit
//! files of binaries that no longer have a source file are ignored.

use std::collections::BTreeSet;
use std::path::Path;

use bifrost_governance_tests::hits;
use bifrost_governance_wiremock::spec::operation_ids;

/// Operations hit by the contract test binaries that still exist.
fn covered() -> (BTreeSet<String>, Vec<String>) {
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut covered = BTreeSet::new();
    let mut binaries = Vec::new();
    for (binary, ids) in hits::recorded("contract_") {
        if sources.join(format!("{binary}.rs")).exists() {
            covered.extend(ids);
            binaries.push(binary);
        }
    }
    (covered, binaries)
}

#[test]
fn every_operation_was_hit_by_a_contract_test() {
    let (covered, binaries) = covered();
    assert!(
        !binaries.is_empty(),
        "no contract test recorded hits in {}: run `cargo test -p bifrost-governance-tests` \
         (the contract_* binaries run before this one)",
        hits::hits_dir().display()
    );
    let ids = operation_ids();
    let missing: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !covered.contains(*id))
        .collect();
    println!(
        "contract coverage: {}/{} operations hit by {} binaries",
        ids.len() - missing.len(),
        ids.len(),
        binaries.len()
    );
    assert!(
        missing.is_empty(),
        "{} of {} operations were not answered by any contract mock in tests/tests/contract_*.rs:\n  {}",
        missing.len(),
        ids.len(),
        missing.join("\n  ")
    );
}

#[test]
fn every_hit_is_an_operation_of_the_spec() {
    let known: BTreeSet<&str> = operation_ids().into_iter().collect();
    let (covered, _) = covered();
    let unknown: Vec<&String> = covered
        .iter()
        .filter(|id| !known.contains(id.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "hits of unknown operations: {unknown:?}"
    );
}
