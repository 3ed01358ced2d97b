//! No secret in any output unless asked; exit codes.

mod common;

use common::{Fake, full_fixture};

fn no_secret(what: &str, text: &str) {
    assert!(
        !text.contains("sk-bf-"),
        "{what} printed a key value:\n{text}"
    );
    assert!(
        !text.contains("sk-fake-"),
        "{what} printed a provider key value:\n{text}"
    );
}

#[test]
fn no_output_carries_a_secret_unless_asked() {
    let fake = Fake::start("v2.3.1");
    fake.expect(0, &["customers", "create", "Acme"]);
    fake.expect(0, &["teams", "create", "platform", "--customer", "Acme"]);
    let dir = tempfile::tempdir().unwrap();
    for format in ["table", "json", "yaml"] {
        let name = format!("k-{format}");
        let (code, out, err) = fake.run(&[
            "keys",
            "create",
            &name,
            "--team",
            "platform",
            "--provider",
            "openai",
            "-o",
            format,
        ]);
        assert_eq!(code, 0, "{err}");
        no_secret(&format!("keys create -o {format}"), &(out + &err));
    }
    fake.expect(0, &["keys", "create", "by-customer", "--customer", "Acme"]);
    let secrets = dir.path().join("secrets.yaml");
    let secrets = secrets.to_str().unwrap();
    for args in [
        vec!["keys", "list"],
        vec!["keys", "list", "-o", "json"],
        vec!["keys", "list", "-o", "yaml"],
        vec!["keys", "get", "k-json", "-o", "json"],
        vec!["keys", "rotate", "k-json", "-o", "json"],
        vec!["keys", "rotate", "k-json"],
        vec!["customers", "list", "-o", "json"],
        vec!["customers", "get", "Acme", "-o", "yaml"],
        vec!["teams", "list", "-o", "json"],
        vec!["spend", "-o", "json"],
        vec!["budgets", "-o", "json"],
        vec!["dump"],
        vec![
            "-vv",
            "apply",
            full_fixture("v2.3.1").to_str().unwrap(),
            "--yes",
            "--secrets-out",
            secrets,
        ],
        vec!["-vv", "keys", "list"],
    ] {
        let (code, out, err) = fake.run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        no_secret(&format!("{args:?}"), &(out + &err));
    }
    // What apply created went to the secrets file only, which only its owner reads.
    let text = std::fs::read_to_string(secrets).unwrap();
    assert_eq!(text.matches("sk-bf-").count(), 3, "{text}");
    assert!(text.contains("\"acme-checkout\": \"sk-bf-"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(secrets).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn values_are_shown_once_when_asked() {
    let fake = Fake::start("v2.3.1");
    let out = fake.expect(0, &["keys", "create", "k", "--show-secret", "-o", "json"]);
    let key: serde_json::Value = serde_json::from_str(&out).unwrap();
    let value = key["value"].as_str().unwrap().to_string();
    assert!(value.starts_with("sk-bf-"), "{out}");
    assert_eq!(
        fake.server
            .virtual_key_value(key["id"].as_str().unwrap())
            .unwrap(),
        value
    );
    let out = fake.expect(0, &["keys", "rotate", "k", "--show-secret"]);
    assert!(out.contains("value: sk-bf-"), "{out}");
    assert!(
        !out.contains(&value),
        "the old value is shown after rotating"
    );
}

#[test]
fn exit_codes_are_zero_one_and_two() {
    let fake = Fake::start("v2.3.1");
    let file = full_fixture("v2.3.1");
    let file = file.to_str().unwrap();
    // 2: changes pending.
    fake.expect(2, &["plan", file]);
    // 1: no terminal to confirm on and no --yes (the test's stdin is not a TTY).
    let (code, _, err) = fake.run(&["apply", file]);
    assert_eq!(code, 1);
    assert!(err.contains("pass --yes"), "{err}");
    fake.expect(2, &["plan", file]);
    // 0: applied, then nothing pending.
    fake.expect(0, &["apply", file, "--yes"]);
    fake.expect(0, &["plan", file]);
    // 1: a bad file, a missing file, a server that is not there.
    let dir = tempfile::tempdir().unwrap();
    let bad = common::write(&dir, "bad.yaml", "version: 1\nteams: 3\n");
    fake.expect(1, &["plan", &bad]);
    fake.expect(1, &["validate", "does-not-exist.yaml"]);
    let (code, _, err) = fake
        .cmd()
        .env("BIFROST_BASE_URL", "http://127.0.0.1:9")
        .args(["plan", file])
        .output()
        .map(|o| {
            (
                o.status.code(),
                (),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    // Usage errors are clap's: 2, with a message.
    let (code, _, err) = fake.run(&["keys", "frobnicate"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn external_entities_must_exist_and_are_never_touched() {
    let fake = Fake::start("v2.3.1");
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(
        &dir,
        "g.yaml",
        // The external team even matches the owned prefix: still never touched.
        "version: 1\nownership:\n  name_prefixes: [sh]\nexternal:\n  teams: [shared]\nvirtual_keys:\n  - name: k\n    team: shared\n",
    );
    let (code, _, err) = fake.run(&["plan", &file]);
    assert_eq!(code, 1);
    assert!(
        err.contains("external team \"shared\" does not exist"),
        "{err}"
    );
    fake.expect(0, &["teams", "create", "shared"]);
    fake.expect(0, &["apply", &file, "--yes", "--prune"]);
    fake.expect(0, &["teams", "get", "shared"]);
    let plan = fake.expect(0, &["plan", &file]);
    assert!(!plan.contains("shared"), "{plan}");
}

#[test]
fn completions_and_schema_print() {
    let fake = Fake::start("v2.3.1");
    let bash = fake.expect(0, &["completions", "bash"]);
    assert!(bash.contains("bifrost-gov"), "{bash}");
    let schema = fake.expect(0, &["schema"]);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(schema["title"], "Bifrost governance");
}
