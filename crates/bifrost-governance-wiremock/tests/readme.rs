//! The examples of the workspace README's "Contract-testing your own service" are the
//! doctests of this crate (which run), apart from the `#[tokio::test]` wrapper.

use std::path::Path;

const SECTION: &str = "## Contract-testing your own service";

/// The Rust code blocks of markdown `lines` (a bare fence counts as Rust, as in
/// rustdoc), as trimmed lines.
fn rust_blocks<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    // The block being read, and whether it is Rust.
    let mut current: Option<(bool, Vec<String>)> = None;
    for line in lines {
        let trimmed = line.trim();
        match &mut current {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    current = Some((info.is_empty() || info.starts_with("rust"), Vec::new()));
                }
            }
            Some((is_rust, block)) if trimmed == "```" => {
                if *is_rust {
                    blocks.push(std::mem::take(block));
                }
                current = None;
            }
            Some((_, block)) => block.push(trimmed.to_string()),
        }
    }
    blocks
}

/// What a reader sees: no empty lines, no hidden doctest lines, no test wrapper.
fn visible(block: &[String]) -> Vec<String> {
    block
        .iter()
        .filter(|l| !l.is_empty())
        .filter(|l| *l != "#" && !l.starts_with("# "))
        .filter(|l| {
            !(l.starts_with("#[tokio::test]")
                || l.starts_with("async fn ")
                || *l == "Ok(())"
                || *l == "}")
        })
        .cloned()
        .collect()
}

/// The code blocks of the `//!` docs of a source file.
fn doc_blocks(source: &str) -> Vec<Vec<String>> {
    let docs = source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l));
    rust_blocks(docs)
}

#[test]
fn the_readme_examples_are_the_crates_doctests() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = crate_dir.join("../../README.md");
    if !crate_dir
        .join("../../crates/bifrost-governance-wiremock")
        .is_dir()
    {
        return; // the published package has no workspace README
    }
    let readme = std::fs::read_to_string(&readme).expect("README.md");
    let start = readme.find(SECTION).expect("the README section");
    let section = &readme[start + SECTION.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let readme_blocks = rust_blocks(section.lines());
    assert_eq!(readme_blocks.len(), 2, "the section's Rust examples");
    let sources = [
        include_str!("../src/lib.rs"),
        include_str!("../src/fixtures/mod.rs"),
    ];
    let doctests: Vec<Vec<String>> = sources
        .iter()
        .flat_map(|s| doc_blocks(s))
        .map(|b| visible(&b))
        .collect();
    for block in &readme_blocks {
        let block = visible(block);
        assert!(
            doctests.contains(&block),
            "this README example is no doctest of the crate (src/lib.rs, src/fixtures/mod.rs):\n{}",
            block.join("\n")
        );
    }
}
