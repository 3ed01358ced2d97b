//! The file the values of created keys go to: created with mode 0600, one
//! `name: value` line per key, written as each key is created.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bifrost_governance::SecretString;

/// Where `apply` writes the values of the keys it creates.
#[derive(Debug)]
pub struct SecretsOut {
    path: PathBuf,
    file: Mutex<File>,
}

impl SecretsOut {
    /// Creates (or empties) the file, readable and writable by its owner only.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        #[cfg(unix)]
        {
            // An existing file keeps its mode on open: tighten it.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        writeln!(
            file,
            "# Values of the virtual keys created by bifrost-gov apply (YAML: name: value)."
        )?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one key's value and flushes it to disk.
    pub fn write(&self, name: &str, value: &SecretString) -> io::Result<()> {
        let mut file = self
            .file
            .lock()
            .map_err(|_| io::Error::other("secrets file lock poisoned"))?;
        let name = serde_json::to_string(name).map_err(io::Error::other)?;
        let value = serde_json::to_string(value.expose_secret()).map_err(io::Error::other)?;
        writeln!(file, "{name}: {value}")?;
        file.sync_data()
    }
}
