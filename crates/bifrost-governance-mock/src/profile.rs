//! Which Bifrost generation the fake behaves like, in one place.
//!
//! The version the server reports selects a [`Profile`]: the data and small
//! predicates every handler and renderer asks instead of comparing versions. Each
//! difference between the generations is one named field or method here, with the
//! upstream source it comes from; `FIDELITY.md` lists the behaviours and the test
//! of each.
//!
//! * **v1.5.x** behaves like Bifrost 1.5.2 (`AI-UN/bifrost` at `64377f8ba0ae`,
//!   2026-05-16).
//! * **v2.x** behaves like the newest upstream code read for this crate
//!   (`maximhq/bifrost` `handlers/governance.go` @0a0583fb with the behaviour the
//!   newest `governance_test.go` pins, `handlers/routing.go` @0a293d12, and the
//!   `framework/configstore/tables` files listed in `FIDELITY.md`).
//!
//! Other versions (v1.5.9 to v1.x) have no profile: between the two generations
//! the behaviour changed release by release, and a fake that claimed one of those
//! versions would be wrong in ways no table could list.

use std::fmt;

use bifrost_governance_client::duration::Grammar;

/// A server generation the fake can behave like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Generation {
    /// Bifrost v1.5.0 to v1.5.8, modelled on v1.5.2.
    V1_5,
    /// Bifrost v2.x, modelled on the newest upstream code.
    V2,
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Generation::V1_5 => "v1.5.x",
            Generation::V2 => "v2.x",
        })
    }
}

/// The behaviour of one generation: what handlers and renderers ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Profile {
    pub(crate) generation: Generation,
}

impl Profile {
    /// The profile of Bifrost 1.5.2.
    pub(crate) const V1_5: Profile = Profile {
        generation: Generation::V1_5,
    };
    /// The profile of the newest v2.x code.
    pub(crate) const V2: Profile = Profile {
        generation: Generation::V2,
    };

    /// The profile a reported version selects: `v1.5.0`–`v1.5.8` → 1.5.x,
    /// `v2.*` (and unparsable development versions) → v2.x; `None` for versions
    /// in between, which no profile describes.
    pub(crate) fn for_version(version: &str) -> Option<Profile> {
        let trimmed = version.trim().trim_start_matches(['v', 'V']);
        let core = trimmed.split(['-', '+']).next().unwrap_or_default();
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        match (parts.next().flatten(), parts.next().flatten(), parts.next()) {
            (Some(1), Some(5), patch) if patch.flatten().unwrap_or(0) <= 8 => Some(Profile::V1_5),
            (Some(major), Some(_), _) if major >= 2 => Some(Profile::V2),
            (Some(_), Some(_), _) => None,
            // A development build: the newest behaviour, as the SDK assumes too.
            _ => Some(Profile::V2),
        }
    }

    /// Whether this is the 1.5.x generation.
    pub(crate) fn is_v1_5(self) -> bool {
        self.generation == Generation::V1_5
    }

    /// The duration grammar of `tables/utils.go ParseDuration`: v1.5.2 has no `Q`
    /// (added with quarterly budgets, upstream PRs #5996–#6000, v1.6.10).
    pub(crate) fn grammar(self) -> Grammar {
        match self.generation {
            Generation::V1_5 => Grammar::V1_5,
            Generation::V2 => Grammar::NEWEST,
        }
    }

    /// Rotation routes (`POST …/virtual-keys/{vk_id}/rotate`, `POST
    /// …/virtual-keys/rotate`): added by upstream PR #3599 after v1.5.2.
    pub(crate) fn has_rotation(self) -> bool {
        !self.is_v1_5()
    }

    /// Budget-override routes (`PUT`/`DELETE …/budgets/{budget_id}/override`):
    /// upstream PR #5435, v1.6.7.
    pub(crate) fn has_budget_overrides(self) -> bool {
        !self.is_v1_5()
    }

    /// Routing rules at `/api/routing/rules` (with `/api/governance/routing-rules`
    /// kept as an alias): `handlers/routing.go RegisterRoutes`, v2.0.0. v1.5.2 only
    /// registers the governance path (`handlers/governance.go RegisterRoutes`).
    pub(crate) fn has_routing_api(self) -> bool {
        !self.is_v1_5()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_select_their_generation() {
        for (version, expected) in [
            ("v1.5.0", Some(Generation::V1_5)),
            ("v1.5.2", Some(Generation::V1_5)),
            ("1.5.8", Some(Generation::V1_5)),
            ("v1.5.9", None),
            ("v1.6.7", None),
            ("v1.4.19", None),
            ("v2.0.0", Some(Generation::V2)),
            ("v2.3.1", Some(Generation::V2)),
            ("v2.5.1-rc1", Some(Generation::V2)),
            ("dev", Some(Generation::V2)),
        ] {
            assert_eq!(
                Profile::for_version(version).map(|p| p.generation),
                expected,
                "{version}"
            );
        }
    }
}
