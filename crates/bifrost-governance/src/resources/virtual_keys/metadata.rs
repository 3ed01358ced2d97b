//! The rules of a key's metadata (newest v2.x servers), checked before sending.

use std::collections::HashMap;

use crate::error::InvalidInput;

/// Most entries a key may hold.
pub(crate) const MAX_ENTRIES: usize = 50;
const MAX_KEY_CHARS: usize = 256;
const MAX_VALUE_CHARS: usize = 512;
/// Keys the server keeps for itself.
const RESERVED_KEYS: [&str; 1] = ["isAsyncRequest"];
const RESERVED_PREFIX: &str = "bifrost_alb_";

/// A metadata key: 1..=256 characters of letters, digits, `.`, `_` or `-`, not
/// reserved by the server. The same rule makes it usable as a `metadata_<key>` filter.
pub(crate) fn check_key(key: &str) -> Result<(), InvalidInput> {
    let valid_chars = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || !valid_chars {
        return Err(InvalidInput::new(
            "metadata",
            format!(
                "key {key:?} must be 1-{MAX_KEY_CHARS} characters of letters, digits, '.', '_' or '-'"
            ),
        ));
    }
    if RESERVED_KEYS.contains(&key) || key.starts_with(RESERVED_PREFIX) {
        return Err(InvalidInput::new(
            "metadata",
            format!("key {key:?} is reserved by the server"),
        ));
    }
    Ok(())
}

/// A whole metadata map: at most 50 entries, valid keys, values of at most 512
/// characters.
pub(crate) fn check(metadata: &HashMap<String, String>) -> Result<(), InvalidInput> {
    if metadata.len() > MAX_ENTRIES {
        return Err(InvalidInput::new(
            "metadata",
            format!(
                "{} entries, at most {MAX_ENTRIES} are allowed",
                metadata.len()
            ),
        ));
    }
    let mut keys: Vec<&String> = metadata.keys().collect();
    keys.sort();
    for key in keys {
        check_key(key)?;
        let chars = metadata[key].chars().count();
        if chars > MAX_VALUE_CHARS {
            return Err(InvalidInput::new(
                "metadata",
                format!(
                    "the value of {key:?} has {chars} characters, at most {MAX_VALUE_CHARS} are allowed"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_server_rule() {
        for ok in ["team", "cost.center", "a_b-c", "X9"] {
            assert!(check_key(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a b",
            "a/b",
            "ü",
            "isAsyncRequest",
            "bifrost_alb_provider",
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
        assert!(check_key(&"k".repeat(256)).is_ok());
        assert!(check_key(&"k".repeat(257)).is_err());
    }

    #[test]
    fn maps_are_bounded() {
        let full: HashMap<String, String> = (0..MAX_ENTRIES)
            .map(|i| (format!("k{i}"), "v".into()))
            .collect();
        assert!(check(&full).is_ok());
        let mut over = full.clone();
        over.insert("one-more".into(), "v".into());
        assert!(check(&over).is_err());
        let long = HashMap::from([("k".to_string(), "é".repeat(513))]);
        assert!(check(&long).is_err());
        let fits = HashMap::from([("k".to_string(), "é".repeat(512))]);
        assert!(check(&fits).is_ok());
    }
}
