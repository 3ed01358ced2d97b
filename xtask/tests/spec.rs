//! The committed spec passes the lint, the committed client matches it, and each lint
//! rule actually fires on a spec that breaks it.

use xtask::{check_fresh, lint_spec, read_spec, workspace_root};

#[test]
fn committed_generated_client_is_fresh() {
    if let Some(stale) = check_fresh(&workspace_root()).unwrap() {
        panic!("{stale}");
    }
}

#[test]
fn committed_spec_passes_lint() {
    let problems = lint_spec(&read_spec(&workspace_root()).unwrap()).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn spec_has_at_least_38_unique_operations() {
    let doc: serde_json::Value =
        serde_norway::from_str(&read_spec(&workspace_root()).unwrap()).unwrap();
    let ids: std::collections::BTreeSet<_> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(|v| v.as_str()))
        .collect();
    assert!(ids.len() >= 38, "only {} operations", ids.len());
    // The READMEs state the count; keep them true.
    let said = format!("({} operations)", ids.len());
    for readme in ["README.md", "crates/bifrost-governance-client/README.md"] {
        let text = std::fs::read_to_string(workspace_root().join(readme)).unwrap();
        assert!(text.contains(&said), "{readme} should say {said}");
    }
}

const BASE: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    get:
      operationId: list_things
      tags: [things]
      summary: List things
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - $ref: "#/components/parameters/Offset"
      responses:
        "200": {description: ok}
        "4XX": {$ref: "#/components/responses/Error"}
components:
  parameters:
    Offset: {name: offset, in: query, schema: {type: integer}}
  responses:
    Error:
      description: e
      content: {application/json: {schema: {$ref: "#/components/schemas/BifrostError"}}}
  schemas:
    BifrostError: {type: object}
"##;

fn lint(spec: &str) -> Vec<String> {
    lint_spec(spec).unwrap()
}

#[test]
fn minimal_valid_spec_is_clean() {
    assert_eq!(lint(BASE), Vec::<String>::new());
}

#[test]
fn rejects_openapi_3_1() {
    let problems = lint(&BASE.replace("3.0.3", "3.1.0"));
    assert!(problems.iter().any(|p| p.contains("3.1.0")), "{problems:?}");
}

#[test]
fn rejects_missing_operation_id_tag_and_summary() {
    let spec = BASE
        .replace("operationId: list_things", "x-no-id: 1")
        .replace("tags: [things]", "tags: []")
        .replace("summary: List things", "description: d");
    let problems = lint(&spec);
    for want in ["missing operationId", "missing tag", "missing summary"] {
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{want} not in {problems:?}"
        );
    }
}

#[test]
fn rejects_error_response_without_error_schema() {
    let spec = BASE.replace(
        r##""4XX": {$ref: "#/components/responses/Error"}"##,
        r##""404": {description: nope, content: {text/plain: {schema: {type: string}}}}"##,
    );
    let problems = lint(&spec);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("404") && p.contains("BifrostError")),
        "{problems:?}"
    );
}

#[test]
fn rejects_unresolved_ref() {
    let spec = BASE.replace(
        "#/components/parameters/Offset",
        "#/components/parameters/Nope",
    );
    let problems = lint(&spec);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("unresolved $ref #/components/parameters/Nope")),
        "{problems:?}"
    );
}

#[test]
fn rejects_list_without_paging_parameters() {
    let spec = BASE.replace("name: limit", "name: size");
    let problems = lint(&spec);
    assert!(
        problems.iter().any(|p| p.contains("without `limit`")),
        "{problems:?}"
    );
    let unpaged = spec.replace(
        "summary: List things",
        "summary: List things\n      x-unpaginated: true",
    );
    assert_eq!(lint(&unpaged), Vec::<String>::new());
}

#[test]
fn rejects_duplicate_operation_ids() {
    let spec = BASE.replace(
        "components:",
        "  /other:\n    get:\n      operationId: list_things\n      tags: [t]\n      summary: s\n      x-unpaginated: true\n      responses: {\"200\": {description: ok}}\ncomponents:",
    );
    let problems = lint(&spec);
    assert!(
        problems.iter().any(|p| p.contains("duplicate operationId")),
        "{problems:?}"
    );
}
