//! The embedded `openapi.yaml` is a copy of the workspace's (a packaged crate cannot
//! reach files outside its folder); this test fails when the two differ.

use std::path::Path;

use bifrost_governance_wiremock::spec::OPENAPI_YAML;

#[test]
fn the_embedded_spec_is_the_workspace_spec() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if !workspace
        .join("crates/bifrost-governance-wiremock")
        .is_dir()
    {
        // Built from the published package: there is no workspace to compare with.
        return;
    }
    let path = workspace.join("openapi.yaml");
    let workspace_spec =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        workspace_spec == OPENAPI_YAML,
        "crates/bifrost-governance-wiremock/openapi.yaml differs from openapi.yaml; \
         copy it: cp openapi.yaml crates/bifrost-governance-wiremock/openapi.yaml"
    );
}
