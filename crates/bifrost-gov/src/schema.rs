//! The JSON Schema of the declarative file, generated from its Rust types.

use crate::file::GovernanceFile;

/// The schema as pretty JSON with a final newline: what `bifrost-gov schema`
/// prints and `governance.schema.json` holds.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(GovernanceFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}
