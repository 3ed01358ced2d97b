//! Which operations the contract mocks answered during a run, for the coverage gate.
//!
//! Each test binary keeps the set of operation ids its mocks answered without a
//! violation and writes it to `<target>/<profile>/contract-hits/<binary>.txt` on
//! every new id (so nothing depends on process exit). `tests/tests/coverage.rs`
//! reads the files of the `contract_*` binaries, which cargo runs before it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The folder the hit files go to: next to the test binaries' `deps` folder.
pub fn hits_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in <target>/<profile>/deps");
    profile_dir.join("contract-hits")
}

/// The running binary's name without cargo's hash suffix (`contract_teams`).
pub fn binary_name() -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_string(),
        _ => stem,
    }
}

/// Records that a mock of `operation` answered a request that met its contract.
pub fn record(operation: &str) {
    static HITS: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    let hits = HITS.get_or_init(|| Mutex::new(BTreeSet::new()));
    let mut hits = hits.lock().unwrap_or_else(|e| e.into_inner());
    if !hits.insert(operation.to_string()) {
        return;
    }
    let dir = hits_dir();
    // A failure to write only weakens the gate; it must not fail the test itself.
    let _ = std::fs::create_dir_all(&dir);
    let text: String = hits.iter().map(|id| format!("{id}\n")).collect();
    let _ = std::fs::write(dir.join(format!("{}.txt", binary_name())), text);
}

/// The operation ids recorded by each binary whose name starts with `prefix`.
pub fn recorded(prefix: &str) -> Vec<(String, BTreeSet<String>)> {
    let Ok(entries) = std::fs::read_dir(hits_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<(String, BTreeSet<String>)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.path().file_stem()?.to_string_lossy().into_owned();
            if !name.starts_with(prefix) {
                return None;
            }
            let text = std::fs::read_to_string(entry.path()).ok()?;
            Some((name, text.lines().map(str::to_string).collect()))
        })
        .collect();
    files.sort();
    files
}
