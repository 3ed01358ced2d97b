//! Deliberate differences from upstream: `xtask/drift-allowlist.yaml`.
//!
//! ```yaml
//! allow:
//!   - item: "response GET /api/governance/virtual-keys virtual_keys[].team.*"
//!     side: upstream-only      # optional: upstream-only | ours-only | differs
//!     reason: "why this difference is deliberate"
//! ```
//!
//! `item` is matched against the whole item text that `cargo xtask drift` prints;
//! `*` matches any run of characters and `?` any one character.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::Side;

/// Path of the committed allowlist, relative to the workspace root.
pub const ALLOWLIST_PATH: &str = "xtask/drift-allowlist.yaml";

/// One allowlist entry.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Glob over the item text.
    pub item: String,
    /// Restricts the entry to one direction.
    #[serde(default)]
    pub side: Option<Side>,
    /// Why the difference is deliberate (mandatory, non-empty).
    pub reason: String,
}

/// The parsed allowlist.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Entries in file order; the first match wins.
    #[serde(default)]
    pub allow: Vec<Entry>,
}

impl Allowlist {
    /// Reads and validates an allowlist file.
    pub fn read(path: &Path) -> Result<Allowlist> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Allowlist::parse(&text).with_context(|| format!("allowlist {}", path.display()))
    }

    /// Parses and validates allowlist YAML (an empty document is an empty list).
    pub fn parse(text: &str) -> Result<Allowlist> {
        let list: Option<Allowlist> = serde_norway::from_str(text)?;
        let list = list.unwrap_or_default();
        for (i, entry) in list.allow.iter().enumerate() {
            if entry.item.trim().is_empty() {
                bail!("entry {}: `item` is empty", i + 1);
            }
            if entry.reason.trim().is_empty() {
                bail!("entry {} ({}): `reason` is empty", i + 1, entry.item);
            }
        }
        Ok(list)
    }

    /// Index of the first entry that covers an item.
    pub fn find(&self, side: Side, item: &str) -> Option<usize> {
        self.allow
            .iter()
            .position(|e| e.side.is_none_or(|s| s == side) && glob_match(&e.item, item))
    }
}

/// `*` matches any run of characters (including none), `?` exactly one; everything
/// else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Position after the last `*` and the text position it was tried at.
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                backtrack = Some((pi + 1, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match backtrack {
                Some((after_star, tried)) => {
                    pi = after_star;
                    ti = tried + 1;
                    backtrack = Some((after_star, tried + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}
