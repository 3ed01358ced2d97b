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
    /// Customers, model configs and providers take a `budgets` list; v1.x keeps a
    /// single `budget` per owner (and silently drops `budgets`).
    MultiBudgetOwners = (2, 0, 0), "several budgets per customer, model config or provider";
    /// A virtual-key update that names neither `team_id` nor `customer_id` keeps the
    /// assignment; v1.x clears it, so the SDK repeats the current one there.
    AssignmentKeptOnUpdate = (2, 0, 0), "virtual-key updates that keep the team or customer";
    /// Quarterly reset periods (`1Q`).
    QuarterlyBudgets = (2, 0, 0), "quarterly (`1Q`) budgets";
    /// Model configs scoped to one virtual key (`scope`/`scope_id`); older servers
    /// create a global config instead.
    ModelConfigScopes = (1, 5, 3), "model configs scoped to a virtual key";
    /// Rotation of virtual keys (single and bulk).
    KeyRotation = (1, 6, 0), "virtual-key rotation";
    /// `expires_at` on virtual keys.
    KeyExpiry = (1, 6, 0), "virtual-key expiry (`expires_at`)";
    /// `metadata` on virtual keys.
    KeyMetadata = (2, 3, 0), "virtual-key metadata";
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
