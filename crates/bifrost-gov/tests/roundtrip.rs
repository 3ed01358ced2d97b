//! The declarative loop on both server profiles: apply, then plan is empty; dump,
//! apply the dump to an empty server, dump again: the same bytes.

mod common;

use common::{Fake, VERSIONS, full_fixture};

#[test]
fn plan_after_apply_is_empty_on_every_profile() {
    for version in VERSIONS {
        let fake = Fake::start(version);
        let file = full_fixture(version);
        let file = file.to_str().unwrap();
        let plan = fake.expect(2, &["plan", file]);
        assert!(plan.contains("to create"), "{version}: {plan}");
        fake.expect(0, &["apply", file, "--yes"]);
        let again = fake.expect(0, &["plan", file]);
        assert!(
            again.contains("Plan: 0 to create, 0 to update, 0 to delete"),
            "{version}: {again}"
        );
        let json = fake.expect(0, &["plan", file, "-o", "json"]);
        let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            plan["summary"]["unchanged"],
            12 + u64::from(version != "v1.5.2"),
            "{version}"
        );
        // Applying again changes nothing.
        let second = fake.expect(0, &["apply", file, "--yes"]);
        assert!(second.contains("No changes"), "{version}: {second}");
    }
}

#[test]
fn dump_apply_dump_gives_identical_bytes_on_every_profile() {
    for version in VERSIONS {
        let source = Fake::start(version);
        let file = full_fixture(version);
        source.expect(0, &["apply", file.to_str().unwrap(), "--yes"]);
        let first = source.dump();
        assert_eq!(
            first,
            source.dump(),
            "{version}: two dumps of one state differ"
        );

        let dir = tempfile::tempdir().unwrap();
        let dumped = common::write(&dir, "governance.yaml", &first);
        let target = Fake::start(version);
        target.expect(0, &["apply", &dumped, "--yes"]);
        assert_eq!(
            target.dump(),
            first,
            "{version}: the copy dumps differently"
        );
        target.expect(0, &["plan", &dumped]);
    }
}

#[test]
fn json_dumps_round_trip_too() {
    let source = Fake::start("v2.3.1");
    source.expect(
        0,
        &["apply", full_fixture("v2.3.1").to_str().unwrap(), "--yes"],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("governance.json");
    let path = path.to_str().unwrap();
    source.expect(0, &["dump", "--file", path]);
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("{\n  \"$schema\": \"./governance.schema.json\""),
        "{text}"
    );
    let target = Fake::start("v2.3.1");
    target.expect(0, &["apply", path, "--yes"]);
    target.expect(0, &["plan", path]);
}

#[test]
fn a_partial_failure_stops_reports_and_a_rerun_converges() {
    // On v1.5.2 a key blocking models is refused before sending (the server would
    // drop the list): the run stops at that tier, says what was done and what was
    // not, and leaves the rest.
    let fake = Fake::start("v1.5.2");
    let full = full_fixture("v2.3.1");
    let (code, out, _) = fake.run(&["apply", full.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED:\n  create virtual key acme-batch: this server (v1.5.2) does not support blocked models"),
        "{out}"
    );
    assert!(
        out.contains("not run (stopped after the failure):"),
        "{out}"
    );
    assert!(
        out.contains("create pricing override acme-discount"),
        "{out}"
    );
    // Without what v1.5.2 lacks, a rerun creates only what is missing.
    let fixed = full_fixture("v1.5.2");
    let rerun = fake.expect(0, &["apply", fixed.to_str().unwrap(), "--yes"]);
    assert!(rerun.contains("  + cheap-default"), "{rerun}");
    assert!(rerun.contains("  + acme-batch"), "{rerun}");
    for done_before in ["+ Acme", "+ Globex", "+ acme-platform", "+ research\n"] {
        assert!(
            !rerun.contains(done_before),
            "{done_before} again in\n{rerun}"
        );
    }
    fake.expect(0, &["plan", fixed.to_str().unwrap()]);
}

#[test]
fn field_level_changes_are_planned_and_applied() {
    let fake = Fake::start("v2.3.1");
    let file = full_fixture("v2.3.1");
    fake.expect(0, &["apply", file.to_str().unwrap(), "--yes"]);
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace(
            "{max_limit: 10, reset_duration: 1d}",
            "{max_limit: 15, reset_duration: 1d}",
        )
        .replace(
            "      tokens: {max_limit: 100000, reset_duration: 1h}",
            "      requests: {max_limit: 50, reset_duration: 1m}",
        )
        .replace("        weight: 0.7", "        weight: 0.6")
        .replace("        weight: 0.3", "        weight: 0.4")
        .replace(
            "  - name: research\n    calendar_aligned: true\n",
            "  - name: research\n    customer: Globex\n    calendar_aligned: true\n",
        )
        .replace("    priority: 5", "    priority: 7");
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(&dir, "edited.yaml", &edited);
    let plan = fake.expect(2, &["plan", &path]);
    for expected in [
        "  ~ acme-checkout",
        "      budgets[0].max_limit: 10.0 → 15.0",
        "      rate_limit.tokens: {\"max_limit\":100000,\"reset_duration\":\"1h\"} → (none)",
        "      provider_configs[1].weight: 0.7 → 0.6",
        "  ~ research",
        "      customer: (none) → \"Globex\"",
        "      priority: 5 → 7",
        "Plan: 0 to create, 3 to update, 0 to delete",
    ] {
        assert!(plan.contains(expected), "missing {expected:?} in\n{plan}");
    }
    fake.expect(0, &["apply", &path, "--yes"]);
    fake.expect(0, &["plan", &path]);
}
