//! Keeps FIDELITY.md and the fidelity tests in step: every row cites its upstream
//! source and names a test that exists, and every fidelity test has a row.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const PROFILES: [&str; 3] = ["1.5", "v2", "both"];

struct Row {
    line: usize,
    id: String,
    profile: String,
    source: String,
    test: String,
}

fn rows() -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("FIDELITY.md");
    let text = std::fs::read_to_string(&path).expect("FIDELITY.md");
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.trim().split('|').map(str::trim).collect();
        // `| id | profile | route | condition | status | message | source | test |`
        if cells.len() != 10 || cells[1] == "id" || cells[1].starts_with("---") {
            continue;
        }
        rows.push(Row {
            line: index + 1,
            id: cells[1].to_string(),
            profile: cells[2].to_string(),
            source: cells[7].to_string(),
            test: cells[8].trim_matches('`').to_string(),
        });
    }
    rows
}

/// `file -> test fns` of every `tests/fidelity_*.rs` (but this one).
fn fidelity_tests() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut tests = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("tests dir") {
        let path = entry.expect("entry").path();
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        if !stem.starts_with("fidelity_") || stem == "fidelity_table" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("test file");
        let mut fns = BTreeSet::new();
        let mut marked = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[tokio::test") || line.starts_with("#[test]") {
                marked = true;
                continue;
            }
            if marked
                && let Some(rest) = line.strip_prefix("async fn ").or(line.strip_prefix("fn "))
            {
                if let Some(name) = rest.split('(').next() {
                    fns.insert(name.to_string());
                }
                marked = false;
            }
        }
        tests.insert(stem, fns);
    }
    tests
}

#[test]
fn every_row_is_complete_and_names_an_existing_test() {
    let rows = rows();
    let tests = fidelity_tests();
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for row in &rows {
        let at = format!("FIDELITY.md:{} ({})", row.line, row.id);
        if !ids.insert(row.id.clone()) {
            problems.push(format!("{at}: duplicate id"));
        }
        if !PROFILES.contains(&row.profile.as_str()) {
            problems.push(format!(
                "{at}: profile {:?} is not one of {PROFILES:?}",
                row.profile
            ));
        }
        if row.source.is_empty() {
            problems.push(format!("{at}: no upstream source"));
        }
        match row.test.split_once("::") {
            Some((file, name)) if tests.get(file).is_some_and(|fns| fns.contains(name)) => {}
            _ => problems.push(format!("{at}: test {:?} not found", row.test)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fidelity_test_has_a_row() {
    let named: BTreeSet<String> = rows().into_iter().map(|r| r.test).collect();
    let orphans: Vec<String> = fidelity_tests()
        .into_iter()
        .flat_map(|(file, fns)| fns.into_iter().map(move |f| format!("{file}::{f}")))
        .filter(|test| !named.contains(test))
        .collect();
    assert!(
        orphans.is_empty(),
        "fidelity tests without a FIDELITY.md row: {orphans:#?}"
    );
}
