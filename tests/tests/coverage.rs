//! Contract coverage: every operation of openapi.yaml must be exercised by at least
//! one spec-driven contract mock.
//!
//! The test files under `tests/tests/` are scanned for `contract::expect("<id>"`
//! (comment lines skipped). Only literal ids count: a helper that forwards a variable
//! operation id does not cover anything by itself. `contract::expect` panics on an id
//! the spec does not have, so a counted id is one a test really mounts.

use std::collections::BTreeSet;
use std::path::Path;

use bifrost_governance_tests::spec::operation_ids;

const NEEDLE: &str = "contract::expect(";

/// `(file, operationId)` for every literal `contract::expect("…"` in the test files.
fn contract_calls() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter(|path| path.file_name().is_some_and(|name| name != "coverage.rs"))
        .collect();
    files.sort();
    let mut calls = Vec::new();
    for path in files {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rest = code.as_str();
        while let Some(at) = rest.find(NEEDLE) {
            rest = rest[at + NEEDLE.len()..].trim_start();
            if let Some(literal) = rest.strip_prefix('"')
                && let Some(end) = literal.find('"')
            {
                calls.push((name.clone(), literal[..end].to_string()));
            }
        }
    }
    calls
}

fn covered() -> BTreeSet<String> {
    contract_calls().into_iter().map(|(_, id)| id).collect()
}

#[test]
fn every_contract_call_names_an_operation_of_the_spec() {
    let known: BTreeSet<&str> = operation_ids().into_iter().collect();
    let unknown: Vec<String> = contract_calls()
        .into_iter()
        .filter(|(_, id)| !known.contains(id.as_str()))
        .map(|(file, id)| format!("{file}: {id}"))
        .collect();
    assert!(
        unknown.is_empty(),
        "contract::expect with ids openapi.yaml does not have: {unknown:#?}"
    );
}

#[test]
fn the_scan_sees_the_existing_contract_tests() {
    let covered = covered();
    for id in [
        "get_version",
        "list_teams",
        "create_team",
        "get_team",
        "update_team",
        "delete_team",
    ] {
        assert!(
            covered.contains(id),
            "{id} not found by the scan: {covered:?}"
        );
    }
}

#[test]
fn every_operation_has_a_contract_test() {
    let covered = covered();
    let ids = operation_ids();
    let missing: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !covered.contains(*id))
        .collect();
    println!(
        "contract coverage: {}/{} operations",
        ids.len() - missing.len(),
        ids.len()
    );
    for id in &missing {
        println!("  missing: {id}");
    }
    assert!(
        missing.is_empty(),
        "{} of {} operations have no contract test (contract::expect(\"<id>\") in tests/tests/*.rs):\n  {}",
        missing.len(),
        ids.len(),
        missing.join("\n  ")
    );
}
