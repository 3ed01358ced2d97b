//! `cargo xtask drift` on small specs written here: each kind of difference is found
//! and named, equivalent spellings (3.0 vs 3.1 nullability, JSON vs YAML, path
//! parameter names, `$ref` chains) are not drift, and the allowlist and exit status
//! work through the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use xtask::drift::allowlist::{Allowlist, glob_match};
use xtask::drift::model::Spec;
use xtask::drift::{Item, Kind, Report, Side, compare};
use xtask::{SPEC_PATH, workspace_root};

/// "Ours": one team update operation with a nested nullable budget, and an
/// out-of-scope route.
const OURS: &str = r##"
openapi: 3.0.3
info: {title: ours, version: "1"}
paths:
  /api/version:
    get:
      responses: {"200": {description: ok}}
  /api/governance/teams/{team_id}:
    parameters:
      - {name: team_id, in: path, required: true, schema: {type: string}}
    put:
      parameters:
        - {name: from_memory, in: query, schema: {type: boolean}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/UpdateTeamRequest"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  message: {type: string}
                  team: {$ref: "#/components/schemas/Team"}
        "400": {description: bad}
components:
  schemas:
    UpdateTeamRequest:
      type: object
      properties:
        name: {type: string}
        budget: {nullable: true, allOf: [{$ref: "#/components/schemas/Budget"}]}
    Budget:
      type: object
      properties:
        max_limit: {type: number}
        reset_duration: {type: string, nullable: true, enum: ["1d", "1M"]}
    Team:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        budgets: {type: array, nullable: true, items: {$ref: "#/components/schemas/Budget"}}
"##;

fn ours_doc() -> serde_json::Value {
    serde_norway::from_str(OURS).unwrap()
}

/// Differences between an upstream spec and [`OURS`], as `(side, item)` pairs.
fn drift_against_ours(upstream: &str) -> Vec<(Side, String)> {
    drift(upstream, OURS)
}

fn drift(upstream: &str, ours: &str) -> Vec<(Side, String)> {
    items(upstream, ours)
        .into_iter()
        .map(|i| (i.side, i.item))
        .collect()
}

fn items(upstream: &str, ours: &str) -> Vec<Item> {
    let upstream = Spec::parse("upstream", upstream).unwrap();
    let ours = Spec::parse("ours", ours).unwrap();
    compare(&upstream.surface().unwrap(), &ours.surface().unwrap())
}

/// [`OURS`] with one edit made on its JSON form, written back as YAML.
fn ours_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut doc = ours_doc();
    edit(&mut doc);
    serde_norway::to_string(&doc).unwrap()
}

const OP: &str = "PUT /api/governance/teams/{team_id}";

fn up(item: &str) -> (Side, String) {
    (Side::UpstreamOnly, item.to_string())
}

fn ours_only(item: &str) -> (Side, String) {
    (Side::OursOnly, item.to_string())
}

#[test]
fn identical_specs_have_no_drift() {
    assert_eq!(drift_against_ours(OURS), vec![]);
}

#[test]
fn added_operation_is_reported_and_path_parameter_names_are_not_drift() {
    // Upstream names the parameter `{id}` where ours says `{team_id}`, and adds DELETE.
    let upstream = ours_with(|doc| {
        let paths = doc["paths"].as_object_mut().unwrap();
        let mut item = paths.remove("/api/governance/teams/{team_id}").unwrap();
        item["parameters"][0]["name"] = "id".into();
        item["delete"] = serde_json::json!({"responses": {"204": {"description": "gone"}}});
        paths.insert("/api/governance/teams/{id}".into(), item);
    });
    assert_eq!(
        drift_against_ours(&upstream),
        vec![up("operation DELETE /api/governance/teams/{id}")]
    );
    // And the reverse direction.
    assert_eq!(
        drift(OURS, &upstream),
        vec![ours_only("operation DELETE /api/governance/teams/{id}")]
    );
}

#[test]
fn added_query_parameter_is_reported() {
    let upstream = ours_with(|doc| {
        let params = &mut doc["paths"]["/api/governance/teams/{team_id}"]["put"]["parameters"];
        params.as_array_mut().unwrap().push(
            serde_json::json!({"name": "dry_run", "in": "query", "schema": {"type": "boolean"}}),
        );
    });
    assert_eq!(
        drift_against_ours(&upstream),
        vec![up(&format!("query {OP} dry_run"))]
    );
}

#[test]
fn added_request_field_is_reported_with_its_dotted_path() {
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["Budget"]["properties"]["calendar_aligned"] =
            serde_json::json!({"type": "boolean"});
    });
    // Budget is used by the request (budget) and the response (team.budgets[]).
    assert_eq!(
        drift_against_ours(&upstream),
        vec![
            up(&format!("request {OP} budget.calendar_aligned")),
            up(&format!("response {OP} team.budgets[].calendar_aligned")),
        ]
    );
}

#[test]
fn added_response_field_is_reported() {
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["Team"]["properties"]["virtual_keys"] = serde_json::json!({
            "type": "array",
            "items": {"type": "object", "properties": {"id": {"type": "string"}}}
        });
    });
    // One difference: the fields below the new field belong to it.
    let found = items(&upstream, OURS);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].side, Side::UpstreamOnly);
    assert_eq!(found[0].item, format!("response {OP} team.virtual_keys"));
    assert_eq!(found[0].detail.as_deref(), Some("with 1 nested field"));
}

#[test]
fn body_on_one_side_only_is_one_item() {
    let upstream = ours_with(|doc| {
        let op = doc["paths"]["/api/governance/teams/{team_id}"]["put"]
            .as_object_mut()
            .unwrap();
        op.remove("requestBody");
    });
    let found = items(&upstream, OURS);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].side, Side::OursOnly);
    assert_eq!(found[0].item, format!("request {OP} (body)"));
    // name, budget, budget.max_limit, budget.reset_duration
    assert_eq!(found[0].detail.as_deref(), Some("with 4 nested fields"));
}

#[test]
fn renamed_field_is_one_missing_and_one_extra() {
    let upstream = ours_with(|doc| {
        let props = doc["components"]["schemas"]["UpdateTeamRequest"]["properties"]
            .as_object_mut()
            .unwrap();
        let name = props.remove("name").unwrap();
        props.insert("team_name".into(), name);
    });
    assert_eq!(
        drift_against_ours(&upstream),
        vec![
            up(&format!("request {OP} team_name")),
            ours_only(&format!("request {OP} name")),
        ]
    );
}

/// The same API as [`OURS`], written as OpenAPI 3.1 JSON: `type: [x, "null"]`,
/// `oneOf` with `{type: "null"}`, `$ref` with a sibling `description`, `const`
/// alternatives instead of `enum`, path parameter `{id}`.
const UPSTREAM_31_JSON: &str = r##"{
  "openapi": "3.1.0",
  "info": {"title": "upstream", "version": "1"},
  "paths": {
    "/api/governance/teams/{id}": {
      "put": {
        "parameters": [
          {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
          {"name": "from_memory", "in": "query", "schema": {"type": ["boolean", "null"]}}
        ],
        "requestBody": {"content": {"application/json": {"schema": {
          "type": "object",
          "properties": {
            "name": {"type": "string"},
            "budget": {"oneOf": [{"$ref": "#/components/schemas/Budget"}, {"type": "null"}]}
          }
        }}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
          "type": "object",
          "properties": {
            "message": {"type": "string"},
            "team": {"$ref": "#/components/schemas/Team", "description": "the team"}
          }
        }}}}}
      }
    }
  },
  "components": {"schemas": {
    "Budget": {"type": "object", "properties": {
      "max_limit": {"type": "number"},
      "reset_duration": {"anyOf": [{"const": "1d"}, {"const": "1M"}, {"type": "null"}]}
    }},
    "Team": {"type": "object", "properties": {
      "id": {"type": "string"},
      "name": {"type": ["string", "null"]},
      "budgets": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Budget"}}
    }}
  }}
}"##;

#[test]
fn openapi_31_nullable_types_equal_30_nullable() {
    assert_eq!(drift_against_ours(UPSTREAM_31_JSON), vec![]);
    assert_eq!(drift(OURS, UPSTREAM_31_JSON), vec![]);
}

#[test]
fn json_and_yaml_of_the_same_spec_have_no_drift() {
    let json = serde_json::to_string_pretty(&ours_doc()).unwrap();
    assert!(json.starts_with('{'));
    assert_eq!(drift_against_ours(&json), vec![]);
    // A difference survives the format change.
    let mut doc = ours_doc();
    doc["components"]["schemas"]["Team"]["properties"]["slug"] =
        serde_json::json!({"type": "string"});
    let json = serde_json::to_string(&doc).unwrap();
    assert_eq!(
        drift_against_ours(&json),
        vec![up(&format!("response {OP} team.slug"))]
    );
}

#[test]
fn added_enum_value_is_reported_per_value() {
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["Budget"]["properties"]["reset_duration"]["enum"] =
            serde_json::json!(["1d", "1w", null]);
    });
    assert_eq!(
        drift_against_ours(&upstream),
        vec![
            up(&format!(r#"enum {OP} request:budget.reset_duration "1w""#)),
            up(&format!(
                r#"enum {OP} response:team.budgets[].reset_duration "1w""#
            )),
            ours_only(&format!(r#"enum {OP} request:budget.reset_duration "1M""#)),
            ours_only(&format!(
                r#"enum {OP} response:team.budgets[].reset_duration "1M""#
            )),
        ]
    );
}

#[test]
fn enum_on_one_side_only_is_an_open_value_set_not_drift() {
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["Budget"]["properties"]["reset_duration"] =
            serde_json::json!({"type": "string"});
    });
    assert_eq!(drift_against_ours(&upstream), vec![]);
}

#[test]
fn field_typed_differently_is_a_type_difference() {
    // Upstream accepts the name as a string or an object (oneOf); ours says string.
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["UpdateTeamRequest"]["properties"]["name"] = serde_json::json!({
            "oneOf": [
                {"type": "string"},
                {"type": "object", "properties": {"display": {"type": "string"}}}
            ]
        });
    });
    let found = items(&upstream, OURS);
    assert_eq!(
        found
            .iter()
            .map(|i| (i.kind, i.side, i.item.as_str(), i.detail.as_deref()))
            .collect::<Vec<_>>(),
        vec![
            (
                Kind::Request,
                Side::UpstreamOnly,
                &*format!("request {OP} name.display"),
                None
            ),
            (
                Kind::Type,
                Side::Differs,
                &*format!("type {OP} request:name"),
                Some("upstream object|string, ours string")
            ),
        ]
    );
}

#[test]
fn integer_and_number_differ() {
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["Budget"]["properties"]["max_limit"]["type"] =
            "integer".into();
    });
    let kinds: Vec<_> = items(&upstream, OURS)
        .into_iter()
        .map(|i| (i.kind, i.item))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Kind::Type, format!("type {OP} request:budget.max_limit")),
            (
                Kind::Type,
                format!("type {OP} response:team.budgets[].max_limit")
            ),
        ]
    );
}

/// Upstream reaches every part through `$ref` chains: a path item, a parameter
/// pointing at a parameter, a request body and a response from components, and
/// schemas referring to schemas through `allOf`.
const UPSTREAM_REF_CHAINS: &str = r##"
openapi: 3.0.3
info: {title: refs, version: "1"}
paths:
  /api/governance/teams/{team_id}:
    $ref: "#/components/pathItems/Team"
components:
  pathItems:
    Team:
      put:
        parameters:
          - $ref: "#/components/parameters/TeamId"
          - $ref: "#/components/parameters/FromMemoryAlias"
        requestBody: {$ref: "#/components/requestBodies/UpdateTeam"}
        responses:
          "200": {$ref: "#/components/responses/TeamOkAlias"}
  parameters:
    TeamId: {name: team_id, in: path, required: true, schema: {type: string}}
    FromMemoryAlias: {$ref: "#/components/parameters/FromMemory"}
    FromMemory: {name: from_memory, in: query, schema: {$ref: "#/components/schemas/Flag"}}
  requestBodies:
    UpdateTeam:
      content:
        application/json:
          schema: {$ref: "#/components/schemas/UpdateTeamRequestAlias"}
  responses:
    TeamOkAlias: {$ref: "#/components/responses/TeamOk"}
    TeamOk:
      description: ok
      content:
        application/json:
          schema:
            type: object
            properties:
              message: {type: string}
              team: {$ref: "#/components/schemas/Team"}
  schemas:
    Flag: {type: boolean}
    UpdateTeamRequestAlias: {$ref: "#/components/schemas/UpdateTeamRequest"}
    UpdateTeamRequest:
      allOf:
        - {$ref: "#/components/schemas/Named"}
        - type: object
          properties:
            budget: {nullable: true, allOf: [{$ref: "#/components/schemas/Budget"}]}
    Named:
      type: object
      properties:
        name: {type: string}
    Budget:
      type: object
      properties:
        max_limit: {type: number}
        reset_duration: {$ref: "#/components/schemas/Duration"}
        extra: {$ref: "#/components/schemas/Extra"}
    Duration: {type: string, nullable: true, enum: ["1d", "1M"]}
    Extra: {type: object, properties: {note: {type: string}}}
    Team:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        budgets: {type: array, items: {$ref: "#/components/schemas/BudgetAlias"}}
    BudgetAlias: {$ref: "#/components/schemas/Budget"}
"##;

#[test]
fn ref_chains_resolve_into_components() {
    // The only difference is the field `extra` that Budget reaches through a further
    // $ref (its own field `note` is part of that difference).
    assert_eq!(
        drift_against_ours(UPSTREAM_REF_CHAINS),
        vec![
            up(&format!("request {OP} budget.extra")),
            up(&format!("response {OP} team.budgets[].extra")),
        ]
    );
}

#[test]
fn recursive_schemas_terminate() {
    let upstream = ours_with(|doc| {
        doc["components"]["schemas"]["Team"]["properties"]["parent"] =
            serde_json::json!({"$ref": "#/components/schemas/Team"});
    });
    // Expansion stops at the first repeated $ref: the field is there, its
    // (already listed) sub-fields are not repeated below it.
    assert_eq!(
        drift_against_ours(&upstream),
        vec![up(&format!("response {OP} team.parent"))]
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let unresolved = OURS.replace("#/components/schemas/Team\"", "#/components/schemas/Nope\"");
    let spec = Spec::parse("x", &unresolved).unwrap();
    let error = format!("{:#}", spec.surface().unwrap_err());
    assert!(
        error.contains("unresolved $ref #/components/schemas/Nope"),
        "{error}"
    );

    let external = OURS.replace("#/components/schemas/Team\"", "other.yaml#/Team\"");
    let error = format!(
        "{:#}",
        Spec::parse("x", &external).unwrap().surface().unwrap_err()
    );
    assert!(error.contains("external $ref"), "{error}");

    for (text, expected) in [
        ("swagger: '2.0'\npaths: {}\n", "Swagger 2.0"),
        ("openapi: 2.5.0\n", "not supported"),
        ("{ not json", "not valid JSON"),
        ("a: [unclosed", "not valid YAML"),
        ("title: no version\n", "no `openapi` version"),
    ] {
        let error = format!("{:#}", Spec::parse("x", text).unwrap_err());
        assert!(error.contains(expected), "{text:?}: {error}");
    }
}

#[test]
fn our_openapi_yaml_has_no_drift_with_itself() {
    let spec = Spec::read(&workspace_root().join(SPEC_PATH)).unwrap();
    let surface = spec.surface().unwrap();
    assert!(
        surface.len() >= 37,
        "only {} operations in scope",
        surface.len()
    );
    assert!(
        surface.values().any(|op| op
            .request
            .contains_key("provider_configs[].budgets[].max_limit")),
        "nested request fields are flattened"
    );
    assert_eq!(compare(&surface, &surface), vec![]);
}

#[test]
fn glob_patterns() {
    assert!(glob_match(
        "request * budget.*",
        "request PUT /a budget.max_limit"
    ));
    assert!(glob_match("*", ""));
    assert!(glob_match("a?c", "abc"));
    assert!(!glob_match("a?c", "ac"));
    assert!(!glob_match("request *", "response PUT /a x"));
    assert!(glob_match("*x*x", "axbxcx"));
    assert!(!glob_match("*x*y", "axbxcx"));
}

#[test]
fn allowlist_suppresses_by_item_and_side_and_reports_unused_entries() {
    let upstream = ours_with(|doc| {
        let props = doc["components"]["schemas"]["UpdateTeamRequest"]["properties"]
            .as_object_mut()
            .unwrap();
        let name = props.remove("name").unwrap();
        props.insert("team_name".into(), name);
    });
    let allowlist = Allowlist::parse(
        r#"
allow:
  - item: "request PUT /api/governance/teams/* team_name"
    side: upstream-only
    reason: renamed upstream; we keep the old name until v3
  - item: "request * name"
    side: upstream-only
    reason: wrong side, so it must not match
  - item: "operation GET /api/governance/nothing"
    reason: stale
"#,
    )
    .unwrap();
    let report = Report::new(items(&upstream, OURS), &allowlist);
    let drift: Vec<_> = report.drift.iter().map(|i| i.item.as_str()).collect();
    assert_eq!(drift, vec![format!("request {OP} name")]);
    assert_eq!(report.allowed.len(), 1);
    assert_eq!(report.allowed[0].0.item, format!("request {OP} team_name"));
    let unused: Vec<_> = report.unused.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(
        unused,
        ["request * name", "operation GET /api/governance/nothing"]
    );
    assert!(
        report
            .summary_line()
            .contains("ours-only: operation 0, query 0, request 1,")
    );
}

#[test]
fn allowlist_needs_a_reason_and_known_keys() {
    let missing = Allowlist::parse("allow:\n  - item: x\n").unwrap_err();
    assert!(format!("{missing:#}").contains("reason"), "{missing:#}");
    let empty = Allowlist::parse("allow:\n  - {item: x, reason: '  '}\n").unwrap_err();
    assert!(
        format!("{empty:#}").contains("`reason` is empty"),
        "{empty:#}"
    );
    let unknown = Allowlist::parse("allow:\n  - {item: x, reason: r, why: y}\n").unwrap_err();
    assert!(format!("{unknown:#}").contains("why"), "{unknown:#}");
    let side = Allowlist::parse("allow:\n  - {item: x, reason: r, side: theirs}\n").unwrap_err();
    assert!(format!("{side:#}").contains("theirs"), "{side:#}");
    assert!(Allowlist::parse("").unwrap().allow.is_empty());
}

#[test]
fn committed_allowlist_is_valid() {
    let list = Allowlist::read(&workspace_root().join("xtask/drift-allowlist.yaml")).unwrap();
    assert!(list.allow.iter().all(|e| !e.reason.trim().is_empty()));
}

// ---------------------------------------------------------------- the binary

struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(test: &str) -> Files {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("drift-{test}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Files { dir }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("drift")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn binary_exit_status_follows_drift_and_the_allowlist() {
    let files = Files::new("exit");
    let ours = files.write("ours.yaml", OURS);
    let upstream = files.write(
        "upstream.json",
        &serde_json::to_string(&{
            let mut doc = ours_doc();
            doc["components"]["schemas"]["Team"]["properties"]["slug"] =
                serde_json::json!({"type": "string"});
            doc
        })
        .unwrap(),
    );
    let empty = files.write("empty.yaml", "allow: []\n");

    let out = xtask(&[&upstream, "--ours", &ours, "--allowlist", &empty]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("upstream has, ours lacks (1):"), "{text}");
    assert!(text.contains(&format!("response {OP} team.slug")), "{text}");
    assert!(
        text.contains(
            "summary: upstream-only: operation 0, query 0, request 0, response 1, enum 0;"
        ),
        "{text}"
    );

    let allow = files.write(
        "allow.yaml",
        "allow:\n  - item: 'response PUT /api/governance/teams/{team_id} team.slug'\n    reason: slugs are display-only\n  - item: 'query *'\n    reason: stale entry\n",
    );
    let out = xtask(&[&upstream, "--ours", &ours, "--allowlist", &allow]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("slugs are display-only"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("allowed 1; unused allowlist entries 1"));
    assert!(
        stderr(&out).contains("warning: unused allowlist entry \"query *\""),
        "{}",
        stderr(&out)
    );

    let out = xtask(&[
        &upstream,
        "--ours",
        &ours,
        "--allowlist",
        &allow,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["allowed"][0]["reason"], "slugs are display-only");
    assert_eq!(report["allowed"][0]["side"], "upstream-only");
    assert_eq!(report["unused_allowlist"][0]["item"], "query *");
    assert_eq!(report["drift"], serde_json::json!([]));

    // Same inputs as JSON output: machine-readable counts.
    let out = xtask(&[
        &upstream,
        "--ours",
        &ours,
        "--allowlist",
        &empty,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["response"]["upstream-only"], 1);
    assert_eq!(report["summary"]["type"]["differs"], 0);
    assert_eq!(report["drift"][0]["kind"], "response");
    assert_eq!(report["drift"][0]["side"], "upstream-only");
    assert_eq!(report["upstream"]["openapi"], "3.0.3");
}

#[test]
fn binary_compares_yaml_with_json_31_without_drift() {
    let files = Files::new("formats");
    let ours = files.write("ours.yaml", OURS);
    let upstream = files.write("upstream.json", UPSTREAM_31_JSON);
    let empty = files.write("empty.yaml", "");
    let out = xtask(&[&upstream, "--ours", &ours, "--allowlist", &empty]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("(OpenAPI 3.1.0, 1 operations)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn binary_compares_our_spec_with_itself_cleanly() {
    let spec = workspace_root().join(SPEC_PATH);
    let out = xtask(&[spec.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("type differences 0"));
}

#[test]
fn binary_usage_and_parse_errors_exit_2() {
    let files = Files::new("errors");
    let ours = files.write("ours.yaml", OURS);
    let broken = files.write("broken.json", "{\"openapi\": ");
    let no_reason = files.write("noreason.yaml", "allow:\n  - item: x\n");
    for (args, expected) in [
        (vec![], "missing the upstream OpenAPI file"),
        (vec![ours.as_str(), "--format", "xml"], "unknown format"),
        (vec![ours.as_str(), "--bogus"], "unknown option --bogus"),
        (
            vec![ours.as_str(), "--allowlist"],
            "--allowlist needs a value",
        ),
        (
            vec![broken.as_str(), "--ours", ours.as_str()],
            "not valid JSON",
        ),
        (
            vec!["/nonexistent/upstream.json"],
            "reading /nonexistent/upstream.json",
        ),
        (
            vec![
                ours.as_str(),
                "--ours",
                ours.as_str(),
                "--allowlist",
                no_reason.as_str(),
            ],
            "reason",
        ),
    ] {
        let out = xtask(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
