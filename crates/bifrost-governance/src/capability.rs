//! What each Bifrost version can do: the one table the SDK's version gates read.
//!
//! Code that depends on the server generation asks
//! [`Client::supports`](crate::Client::supports) (to pick a wire form) or
//! [`Client::require`](crate::Client::require) (to refuse, before any request, with
//! [`Error::Unsupported`](crate::Error::Unsupported)). A new gate is one line here.
//! The versions are this SDK's reading of Bifrost's changelog and API reference;
//! a server whose version does not parse counts as the newest (see
//! [`ServerVersion`](crate::ServerVersion)).

use std::fmt;

macro_rules! capabilities {
    ($( $(#[doc = $doc:literal])* $name:ident = ($major:literal, $minor:literal, $patch:literal), $label:literal; )*) => {
        /// A server feature that not every Bifrost version has.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Capability {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Capability {
            /// Every capability, in table order.
            pub const ALL: &'static [Capability] = &[$(Capability::$name),*];

            /// The first server version that has it, as `(major, minor, patch)`.
            pub const fn since(self) -> (u64, u64, u64) {
                match self {
                    $(Capability::$name => ($major, $minor, $patch),)*
                }
            }

            /// A short human name, as used in error messages.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Capability::$name => $label,)*
                }
            }
        }
    };
}

capabilities! {
    /// Customers, model configs and providers take a `budgets` list; older servers
    /// keep one `budget` per owner and silently drop `budgets` (upstream PR #3998,
    /// release notes of v1.5.9).
    MultiBudgetOwners = (1, 5, 9), "several budgets per customer, model config or provider";
    /// A virtual-key update that names neither `team_id` nor `customer_id` keeps the
    /// assignment; v1.5.2 clears it, so the SDK repeats the current one there
    /// (upstream PR #3855 of 2026-05-28; v1.5.9 is the first release that surely has it).
    AssignmentKeptOnUpdate = (1, 5, 9), "virtual-key updates that keep the team or customer";
    /// Model configs scoped to one virtual key (`scope`/`scope_id`); older servers
    /// ignore the scope and create a global config (upstream PR #3939, v1.5.9).
    ModelConfigScopes = (1, 5, 9), "model configs scoped to a virtual key";
    /// Models a provider config blocks (`blacklisted_models`); older servers drop
    /// the field and allow them (release notes of v1.5.4).
    BlockedModels = (1, 5, 4), "blocked models on provider configs";
    /// `calendar_aligned` on customers; older servers ignore it (v1.5.2 reads no
    /// such field on customers or their budgets; PR #4120, release notes of v1.5.9).
    CustomerCalendarAlignment = (1, 5, 9), "calendar-aligned customer budgets";
    /// Rotation of virtual keys, single and bulk (upstream PR #3599 of 2026-05-19).
    KeyRotation = (1, 5, 4), "virtual-key rotation";
    /// `expires_at` on virtual keys (v1.6.3).
    KeyExpiry = (1, 6, 3), "virtual-key expiry (`expires_at`)";
    /// Overrides of a virtual key's budgets (v1.6.7).
    BudgetOverrides = (1, 6, 7), "budget overrides";
    /// `user` scopes: routing rules and pricing overrides for one user, and the
    /// `user_id` key filter (v1.6.7).
    UserScopes = (1, 6, 7), "user scopes";
    /// Quarterly reset periods (`1Q`) and a budget's `reset_config` (v1.6.10).
    QuarterlyBudgets = (1, 6, 10), "quarterly (`1Q`) budgets";
    /// Per-model budgets and rate limits under a key's provider configs
    /// (`model_budgets`; PR #5703, release notes of v1.6.10).
    PerModelBudgets = (1, 6, 10), "per-model budgets on provider configs";
    /// `reset_budget_usage` on updates of every budget owner (v1.6.10).
    BudgetUsageReset = (1, 6, 10), "resetting budget usage";
    /// Routing rules served at `/api/routing/rules`; older servers only know
    /// `/api/governance/routing-rules`, which newer ones keep as an alias (v2.0.0).
    RoutingApi = (2, 0, 0), "routing rules under /api/routing";
    /// `allow_all_providers` on virtual keys (v2.1.0).
    AllProviders = (2, 1, 0), "virtual keys allowing every provider";
    /// Fallbacks pinned to a provider key (`{provider, model, key_id}`, v2.2.3).
    PinnedFallbacks = (2, 2, 3), "fallbacks pinned to a provider key";
    /// A target's time-to-first-token deadline (`ttft_timeout_ms`, v2.3.0).
    TtftTimeout = (2, 3, 0), "time-to-first-token deadlines";
    /// A key's own content-logging choice and deletion after expiry
    /// (`disable_content_logging`, `delete_after_expire`; first seen in v2.3).
    KeyLoggingAndCleanup = (2, 3, 0), "per-key content logging and deletion after expiry";
    /// `metadata` on virtual keys and the `metadata_<key>` list filters (newest v2.x;
    /// v2.3.1 is the first release known to carry it).
    KeyMetadata = (2, 3, 1), "virtual-key metadata";
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerVersion;

    #[test]
    fn the_readme_table_lists_every_capability_with_its_version() {
        let readme = include_str!("../../../README.md");
        let rows: Vec<&str> = readme
            .lines()
            .filter(|l| l.contains("`Capability::"))
            .collect();
        assert_eq!(rows.len(), Capability::ALL.len(), "{rows:#?}");
        for &capability in Capability::ALL {
            let (major, minor, patch) = capability.since();
            let row = format!(
                "| {} | v{major}.{minor}.{patch} | `Capability::{capability:?}` |",
                capability.name()
            );
            assert!(rows.contains(&row.as_str()), "README lacks {row}");
        }
    }

    #[test]
    fn each_capability_starts_at_its_version() {
        for &capability in Capability::ALL {
            let (major, minor, patch) = capability.since();
            let at = ServerVersion::parse(&format!("v{major}.{minor}.{patch}"));
            assert!(at.supports(capability), "{capability:?} at {at}");
            let before = match (minor, patch) {
                (0, 0) => format!("v{}.99.99", major - 1),
                (_, 0) => format!("v{major}.{}.99", minor - 1),
                _ => format!("v{major}.{minor}.{}", patch - 1),
            };
            let before = ServerVersion::parse(&before);
            assert!(!before.supports(capability), "{capability:?} at {before}");
            assert!(ServerVersion::parse("dev-build").supports(capability));
        }
    }
}
