//! The committed JSON Schema is the one the types generate, and the example files
//! validate.

use std::path::Path;

#[test]
fn the_committed_schema_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("governance.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == bifrost_gov::schema::schema_json(),
        "{} is stale: regenerate it with\n  cargo run -p bifrost-gov -- schema > crates/bifrost-gov/governance.schema.json",
        path.display()
    );
}

#[test]
fn the_example_and_fixtures_validate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "examples/governance.yaml",
        "tests/fixtures/full.yaml",
        "tests/fixtures/full-v1.5.2.yaml",
    ] {
        let source = bifrost_gov::file::Source::read(&root.join(file)).unwrap();
        if let Err(problems) = bifrost_gov::validate::validate(&source) {
            panic!("{file}: {problems:#?}");
        }
    }
}
