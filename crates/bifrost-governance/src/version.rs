//! The server version reported by `GET /api/version`.

use std::fmt;

use crate::capability::Capability;

/// A Bifrost server version such as `v1.5.2` or `v2.3.1`.
///
/// **Unknown versions count as the newest.** A server that answers something that is
/// not `[v]major.minor[.patch][-pre][+build]` (a development build, a fork) is
/// treated as the newest generation everywhere: [`is_at_least`](Self::is_at_least)
/// and [`supports`](Self::supports) say yes to everything, so the SDK sends the
/// current wire forms. (A server that does not answer at all has no version: the
/// call that needed it fails, and the next one asks again.)
///
/// ```
/// use bifrost_governance::{Capability, ServerVersion};
///
/// let v = ServerVersion::parse("v1.5.2");
/// assert_eq!(v.numbers(), Some((1, 5, 2)));
/// assert!(!v.is_at_least(2, 0, 0));
/// assert!(!v.supports(Capability::MultiBudgetOwners));
/// assert!(ServerVersion::parse("v2.3.1-rc1").is_at_least(2, 0, 0));
/// assert!(ServerVersion::parse("dev-build").supports(Capability::KeyMetadata));
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
    /// counts as the newest.
    pub fn is_at_least(&self, major: u64, minor: u64, patch: u64) -> bool {
        self.numbers.is_none_or(|v| v >= (major, minor, patch))
    }

    /// Whether this version has `capability` (an unparsable version has all).
    pub fn supports(&self, capability: Capability) -> bool {
        let (major, minor, patch) = capability.since();
        self.is_at_least(major, minor, patch)
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}
