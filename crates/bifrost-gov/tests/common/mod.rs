//! The fake server in-process, and the `bifrost-gov` binary pointed at it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bifrost_governance_mock::MockServer;

/// The server profiles the tests run against: the oldest supported generation
/// and the newest.
pub const VERSIONS: [&str; 2] = ["v1.5.2", "v2.3.1"];

/// A fake Bifrost on its own runtime, alive as long as this value.
pub struct Fake {
    pub server: MockServer,
    runtime: tokio::runtime::Runtime,
}

impl Fake {
    pub fn start(version: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(MockServer::builder().version(version).start());
        Self { server, runtime }
    }

    /// `bifrost-gov` with `BIFROST_BASE_URL` set to this server.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bifrost-gov"));
        cmd.env("BIFROST_BASE_URL", self.server.base_url())
            .env_remove("BIFROST_API_KEY")
            .env("COLUMNS", "200");
        cmd
    }

    /// Runs `args` and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output = self.cmd().args(args).output().expect("runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Runs `args`, expecting exit code `code`; returns stdout.
    pub fn expect(&self, code: i32, args: &[&str]) -> String {
        let (got, out, err) = self.run(args);
        assert_eq!(
            got, code,
            "bifrost-gov {args:?}\nstdout:\n{out}\nstderr:\n{err}"
        );
        out
    }

    /// The server's dump as text.
    pub fn dump(&self) -> String {
        self.expect(0, &["dump"])
    }
}

/// A fixture of `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The fixture for a server version: v1.5.2 has no model configs scoped to a key.
pub fn full_fixture(version: &str) -> PathBuf {
    if version.starts_with("v1.5.2") {
        fixture("full-v1.5.2.yaml")
    } else {
        fixture("full.yaml")
    }
}

/// Writes `text` to a file in `dir` and returns its path as a string.
pub fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("writes");
    path.to_string_lossy().into_owned()
}
