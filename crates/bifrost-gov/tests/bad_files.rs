//! Every bad file is reported with its file, line and column, offline.

mod common;

use assert_cmd::Command;

/// `validate` of `text` (named `name`); returns (exit code, stderr).
fn validate(name: &str, text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(&dir, name, text);
    // No server: validate is offline (this address refuses connections).
    let output = Command::new(env!("CARGO_BIN_EXE_bifrost-gov"))
        .env("BIFROST_BASE_URL", "http://127.0.0.1:9")
        .args(["validate", &path])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).replace(&path, name);
    (output.status.code().unwrap_or(-1), err)
}

fn assert_reports(name: &str, text: &str, expected: &[&str]) {
    let (code, err) = validate(name, text);
    assert_eq!(code, 1, "{name}: {err}");
    for e in expected {
        assert!(err.contains(e), "{name}: missing {e:?} in\n{err}");
    }
}

#[test]
fn yaml_syntax_and_type_errors() {
    assert_reports(
        "syntax.yaml",
        "version: 1\nteams:\n  - name: 'a\n",
        &["syntax.yaml:4:1: found unexpected end of stream"],
    );
    assert_reports(
        "indent.yaml",
        "version: 1\nteams:\n  - name: a\n   customer: b\n",
        &["indent.yaml:4:4: did not find expected '-' indicator"],
    );
    assert_reports(
        "unknown.yaml",
        "version: 1\nteams:\n  - name: a\n    custmer: b\n",
        &["unknown.yaml:4:5: teams[0]: unknown field `custmer`"],
    );
    assert_reports(
        "type.yaml",
        "version: 1\nvirtual_keys:\n  - name: k\n    enabled: maybe\n",
        &["type.yaml:4:14: virtual_keys[0].enabled: invalid type"],
    );
    assert_reports(
        "missing.yaml",
        "teams: []\n",
        &["missing.yaml:1:1: missing field `version`"],
    );
    assert_reports("empty.yaml", "", &["empty.yaml:1:1: the file is empty"]);
}

#[test]
fn json_syntax_and_type_errors() {
    assert_reports(
        "syntax.json",
        "{\n  \"version\": 1,\n  \"teams\": [\n",
        &["syntax.json:4:0: EOF"],
    );
    assert_reports(
        "type.json",
        "{\n  \"version\": 1,\n  \"teams\": [{\"name\": 7}]\n}\n",
        &["type.json:3:22: invalid type: integer `7`"],
    );
}

#[test]
fn semantic_errors_point_at_their_value() {
    let text = "version: 2
customers:
  - name: Acme
    budgets:
      - {max_limit: 0, reset_duration: 1d}
teams:
  - name: platform
    customer: Nobody
  - name: platform
virtual_keys:
  - name: k
    team: platform
    customer: Acme
    budgets:
      - {max_limit: 10, reset_duration: 1D}
    rate_limit:
      requests: {max_limit: 0, reset_duration: 1m}
    provider_configs:
      - provider: openai
      - provider: openai
routing_rules:
  - name: r
    scope: {team: ghost}
    targets:
      - {provider: openai, weight: 0.5}
pricing_overrides:
  - name: p
    pattern: gpt*4
    request_types: [chat_completion_stream]
    patch: {input_cost_per_token: -1}
";
    assert_reports(
        "semantic.yaml",
        text,
        &[
            "semantic.yaml:1:10: format version 2 is not supported",
            "semantic.yaml:5:21: 0 is not a positive, finite USD amount",
            "semantic.yaml:8:15: customer \"Nobody\" is neither declared",
            "semantic.yaml:9:5: team \"platform\" is declared twice",
            "semantic.yaml:13:15: a key belongs to a team or a customer, not both",
            "semantic.yaml:15:41: \"1D\": time: unknown unit \"D\"",
            "semantic.yaml:17:29: maximum 0 must be between 1 and",
            "semantic.yaml:20:9: provider \"openai\" is listed twice",
            "semantic.yaml:23:19: team \"ghost\" is neither declared",
            "semantic.yaml:25:7: invalid targets: the weights sum to 0.5, not 1",
            "semantic.yaml:28:14: invalid pattern: \"gpt*4\" contains `*`",
        ],
    );
}

#[test]
fn sdk_rules_reach_every_kind() {
    let text = "version: 1
model_configs:
  - model: gpt-4o
    calendar_aligned: true
    budgets:
      - {max_limit: 5, reset_duration: 1h}
providers:
  - provider: openai
    budgets:
      - {max_limit: 5, reset_duration: 1Q, quarter_start_month: 13}
pricing_overrides:
  - name: p
    scope: {user_id: u, virtual_key: k}
    pattern: gpt-4o
    request_types: [chat_completion]
    patch: {}
";
    assert_reports(
        "sdk.yaml",
        text,
        &[
            "sdk.yaml:4:23: invalid calendar_aligned",
            "sdk.yaml:10:65: quarter start month 13 is not between 1 and 12",
            "sdk.yaml:13:12: a pricing scope is nothing (global), provider",
            "sdk.yaml:13:38: virtual key \"k\" is neither declared",
        ],
    );
}

#[test]
fn a_valid_file_says_so() {
    let (code, err) = validate("ok.yaml", "version: 1\ncustomers:\n  - name: Acme\n");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn configs_that_servers_keep_for_keys_and_providers_are_declared_there() {
    assert_reports(
        "star.yaml",
        "version: 1\nvirtual_keys:\n  - name: k\nmodel_configs:\n  - model: '*'\n    virtual_key: k\n  - model: '*'\n    provider: openai\n",
        &[
            "star.yaml:5:12: a `*` config for key \"k\" is the key's own budgets and rate limit",
            "star.yaml:7:12: a global `*` config on \"openai\" is the provider's governance: declare it under providers",
        ],
    );
}
