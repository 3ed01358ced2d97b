//! The server version reported by `GET /api/version`.

use std::fmt;

/// A Bifrost server version such as `v1.5.2` or `v2.3.1`.
///
/// ```
/// use bifrost_governance::ServerVersion;
///
/// let v = ServerVersion::parse("v1.5.2");
/// assert_eq!(v.numbers(), Some((1, 5, 2)));
/// assert!(!v.is_at_least(2, 0, 0));
/// assert!(ServerVersion::parse("v2.3.1-rc1").is_at_least(2, 0, 0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    raw: String,
    numbers: Option<(u64, u64, u64)>,
}

impl ServerVersion {
    /// Parses the version string; unparsable text is kept and reports no numbers.
    pub fn parse(raw: &str) -> Self {
        let trimmed = raw.trim().trim_start_matches(['v', 'V']);
        let core = trimmed.split(['-', '+']).next().unwrap_or("");
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let numbers = match (parts.next().flatten(), parts.next().flatten(), parts.next()) {
            (Some(major), Some(minor), patch) => Some((major, minor, patch.flatten().unwrap_or(0))),
            _ => None,
        };
        Self {
            raw: raw.trim().to_string(),
            numbers,
        }
    }

    /// The text the server sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// `(major, minor, patch)`, when the text is a version number.
    pub fn numbers(&self) -> Option<(u64, u64, u64)> {
        self.numbers
    }

    /// Whether this version is at least `major.minor.patch`; an unparsable version
    /// (a development build) counts as new.
    pub fn is_at_least(&self, major: u64, minor: u64, patch: u64) -> bool {
        self.numbers.is_none_or(|v| v >= (major, minor, patch))
    }

    /// v1.x servers: customers, model configs and providers take a single `budget`,
    /// and a virtual-key update that omits `team_id`/`customer_id` clears both.
    pub(crate) fn is_legacy(&self) -> bool {
        !self.is_at_least(2, 0, 0)
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}
