//! Undeclared entities are unmanaged and left alone; `--prune` deletes them only
//! inside the file's `ownership`.

mod common;

use common::Fake;

const OWNED: &str = "version: 1
ownership:
  name_prefixes: [acme-]
  teams: [platform]
teams:
  - name: platform
virtual_keys:
  - name: acme-kept
    provider_configs: [{provider: openai}]
";

fn seed(fake: &Fake) {
    for args in [
        vec!["teams", "create", "platform"],
        vec!["teams", "create", "other-team"],
        vec!["keys", "create", "acme-kept", "--provider", "openai"],
        vec!["keys", "create", "acme-stale", "--provider", "openai"],
        vec!["keys", "create", "platform-stale", "--team", "platform"],
        vec!["keys", "create", "someone-elses", "--team", "other-team"],
        vec!["customers", "create", "acme-corp"],
    ] {
        fake.expect(0, &args);
    }
}

#[test]
fn undeclared_entities_are_listed_as_unmanaged_and_kept() {
    let fake = Fake::start("v2.3.1");
    seed(&fake);
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(&dir, "g.yaml", OWNED);
    let plan = fake.expect(0, &["plan", &file]);
    assert!(
        plan.contains("unmanaged (on the server, not in the file; left alone):"),
        "{plan}"
    );
    for name in [
        "acme-stale",
        "platform-stale",
        "someone-elses",
        "other-team",
        "acme-corp",
    ] {
        assert!(plan.contains(name), "{name} not listed in\n{plan}");
    }
    assert!(plan.contains("0 to delete"), "{plan}");
    fake.expect(0, &["apply", &file, "--yes"]);
    let keys = fake.expect(0, &["keys", "list", "-o", "json"]);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&keys)
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn prune_deletes_inside_the_ownership_scope_only() {
    let fake = Fake::start("v2.3.1");
    seed(&fake);
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(&dir, "g.yaml", OWNED);
    let plan = fake.expect(2, &["plan", &file, "--prune"]);
    for deleted in ["  - acme-corp", "  - acme-stale", "  - platform-stale"] {
        assert!(plan.contains(deleted), "{deleted} not deleted in\n{plan}");
    }
    for kept in ["? virtual key someone-elses", "? team other-team"] {
        assert!(plan.contains(kept), "{kept} not left alone in\n{plan}");
    }
    fake.expect(0, &["apply", &file, "--prune", "--yes"]);
    let keys = fake.expect(0, &["keys", "list", "-o", "json"]);
    let names: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&keys)
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"acme-kept".to_string()) && names.contains(&"someone-elses".to_string())
    );
    let teams = fake.expect(0, &["teams", "list", "-o", "json"]);
    assert!(teams.contains("other-team"), "{teams}");
    fake.expect(0, &["plan", &file, "--prune"]);
}

#[test]
fn prune_without_an_ownership_section_is_refused() {
    let fake = Fake::start("v2.3.1");
    seed(&fake);
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(&dir, "g.yaml", "version: 1\nteams:\n  - name: platform\n");
    let (code, _, err) = fake.run(&["apply", &file, "--prune", "--yes"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--prune needs an `ownership` section"),
        "{err}"
    );
    let keys = fake.expect(0, &["keys", "list", "-o", "json"]);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&keys)
            .unwrap()
            .len(),
        4
    );
}
