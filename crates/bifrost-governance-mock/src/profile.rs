//! Which Bifrost generation the fake behaves like, in one place.
//!
//! The version the server reports selects a [`Profile`]: the data and small
//! predicates every handler and renderer asks instead of comparing versions. Each
//! difference between the generations is one named method or text here, with the
//! upstream source it comes from; `FIDELITY.md` lists the behaviours and the test
//! of each. Citations: `gov.go`, `rdb.go`, `tables/*.go` at `AI-UN/bifrost@64377f8ba0ae`
//! for 1.5.x; `v2: governance.go@0a0583fb`, `routing.go@0a293d12`, `governance_test.go`
//! (newest), `tables/*.go` (newest) for v2 — see FIDELITY.md "Sources".
//!
//! * **v1.5.x** behaves like Bifrost 1.5.2 (`AI-UN/bifrost` at `64377f8ba0ae`,
//!   2026-05-16).
//! * **v2.x** behaves like the newest upstream code read for this crate.
//!
//! Other versions (v1.5.9 to v1.x) have no profile: between the two generations
//! the behaviour changed release by release, and a fake that claimed one of those
//! versions would be wrong in ways no table could list.

use std::fmt;

use bifrost_governance_client::duration::{self, Grammar};

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

/// Which generation of the `framework/configstore/tables` structs (and their
/// `MarshalJSON`) responses are written from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tables {
    /// `tables/*.go` at 64377f8ba0ae.
    V1_5,
    /// The newest `tables/*.go` (virtualkey.go id 69073750590, budget.go id 57536809204, …).
    V2,
}

/// Where `export=true` leaves the virtual-key page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExportLimit {
    /// Clamped like any page (`ClampPaginationParams`): 25 by default, at most 100.
    Clamped,
    /// Passed through unclamped and echoed as sent (0 when omitted).
    Raw,
}

/// The list routes that may answer `from_memory=true` from the in-memory store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemoryRoute {
    VirtualKeys,
    Teams,
    Customers,
    Budgets,
    RateLimits,
    ModelConfigs,
    RoutingRules,
}

/// The behaviour of one generation: what handlers and renderers ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Profile {
    pub(crate) generation: Generation,
}

/// Message templates that differ between the generations (`{}` are filled in order).
#[derive(Debug)]
pub(crate) struct Texts {
    /// createVirtualKey/createModelConfig pre-check of a budget's duration (`gov.go`).
    pub(crate) create_budget_duration: &'static str,
    /// In-transaction budget-list check of teams, key updates, customers (`gov.go`).
    pub(crate) budget_duration: &'static str,
    /// updateVirtualKey: an existing provider config's budget duration (`gov.go`).
    pub(crate) provider_config_budget_duration: &'static str,
    /// updateVirtualKey: an existing provider config's negative budget (`gov.go`).
    pub(crate) provider_config_budget_negative: &'static str,
    /// updateVirtualKey: a duration twice in a provider config's budgets (`gov.go`).
    pub(crate) provider_config_budget_duplicate: &'static str,
    /// `validateBudget` (`gov.go`).
    pub(crate) validate_budget_duration: &'static str,
    /// `validateRateLimit`, tokens (`gov.go`).
    pub(crate) rate_limit_token_duration: &'static str,
    /// `validateRateLimit`, requests (`gov.go`).
    pub(crate) rate_limit_request_duration: &'static str,
    /// getVirtualKeyQuota without a credential (`gov.go`).
    pub(crate) quota_missing_key: &'static str,
    /// `validateRoutingScope` (`gov.go`; v2 `routing.go`).
    pub(crate) routing_invalid_scope: &'static str,
}

const TEXTS_V1_5: Texts = Texts {
    create_budget_duration: "Invalid reset duration format: {}",
    budget_duration: "invalid reset duration format: {}",
    provider_config_budget_duration: "invalid provider config budget reset duration format: {}",
    provider_config_budget_negative: "provider config budget max_limit cannot be negative: {}",
    provider_config_budget_duplicate: "duplicate reset_duration in provider config budgets: {}",
    validate_budget_duration: "invalid budget reset duration format: {}",
    rate_limit_token_duration: "invalid rate limit token reset duration format: {}",
    rate_limit_request_duration: "invalid rate limit request reset duration format: {}",
    quota_missing_key: "Missing virtual key. Provide it via x-bf-vk header, Authorization Bearer, x-api-key, or x-goog-api-key header.",
    routing_invalid_scope: "invalid scope {}: must be one of: global, team, customer, virtual_key",
};

const TEXTS_V2: Texts = Texts {
    create_budget_duration: "Invalid reset duration (must be a positive duration): {}",
    budget_duration: "invalid reset duration (must be a positive duration): {}",
    provider_config_budget_duration: "invalid reset duration (must be a positive duration): {}",
    provider_config_budget_negative: "budget max_limit cannot be negative: {}",
    provider_config_budget_duplicate: "duplicate reset_duration in budgets: {}",
    validate_budget_duration: "invalid budget reset duration (must be a positive duration): {}",
    rate_limit_token_duration: "invalid rate limit token reset duration (must be a positive duration): {}",
    rate_limit_request_duration: "invalid rate limit request reset duration (must be a positive duration): {}",
    quota_missing_key: "Missing virtual key. Provide it via x-bf-vk header, Authorization Bearer, x-api-key, x-goog-api-key, or api-key header.",
    routing_invalid_scope: "invalid scope {}: must be one of: global, team, customer, virtual_key, user",
};

/// Fills the `{}` of a template with `args`, in order.
pub(crate) fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(args.next().copied().unwrap_or_default());
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
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

    /// The generation's message templates.
    pub(crate) fn texts(self) -> &'static Texts {
        match self.generation {
            Generation::V1_5 => &TEXTS_V1_5,
            Generation::V2 => &TEXTS_V2,
        }
    }

    /// The struct generation responses are encoded from.
    pub(crate) fn tables(self) -> Tables {
        match self.generation {
            Generation::V1_5 => Tables::V1_5,
            Generation::V2 => Tables::V2,
        }
    }

    /// The duration grammar of `tables/utils.go ParseDuration`: v1.5.2 has no `Q`
    /// (added with quarterly budgets, upstream PRs #5996–#6000, v1.6.10).
    pub(crate) fn grammar(self) -> Grammar {
        match self.generation {
            Generation::V1_5 => Grammar::V1_5,
            Generation::V2 => Grammar::NEWEST,
        }
    }

    /// Whether a handler's duration check accepts `text`: v1.5.2 only parses it
    /// (`ParseDuration`, the `> 0` check is left to `BeforeSave`); v2 requires a
    /// positive duration ("must be a positive duration", `v2: governance.go`).
    pub(crate) fn handler_accepts_duration(self, text: &str) -> bool {
        match duration::parse(text, self.grammar()) {
            Ok(parsed) => self.is_v1_5() || parsed.nanos > 0,
            Err(_) => false,
        }
    }

    /// Whether `BeforeSave` of budgets and rate limits accepts the duration:
    /// it parses and is positive (`tables/budget.go`, `tables/ratelimit.go BeforeSave`).
    pub(crate) fn row_duration(self, text: &str) -> Result<(), RowDuration> {
        match duration::parse(text, self.grammar()) {
            Ok(parsed) if parsed.nanos > 0 => Ok(()),
            Ok(_) => Err(RowDuration::NotPositive),
            Err(_) => Err(RowDuration::Invalid),
        }
    }

    /// `export=true` on the key list: clamped by `ClampPaginationParams` on 1.5.2
    /// (`gov.go getVirtualKeys`); passed through raw on v2 (`v2: governance.go
    /// getVirtualKeys`: "limit NOT clamped (0 passes through, echoed as 0)").
    pub(crate) fn export_limit(self) -> ExportLimit {
        match self.generation {
            Generation::V1_5 => ExportLimit::Clamped,
            Generation::V2 => ExportLimit::Raw,
        }
    }

    /// Whether `from_memory=true` reads this route from memory: every read route on
    /// 1.5.2 (`gov.go` get* handlers); on v2 only keys, model configs and providers
    /// (`v2: governance.go`; teams, customers, budgets, rate limits and routing rules
    /// have no `from_memory` branch any more). Providers read memory on both and answer
    /// the same as the database, which the fake does not tell apart.
    pub(crate) fn reads_from_memory(self, route: MemoryRoute) -> bool {
        self.is_v1_5() || matches!(route, MemoryRoute::VirtualKeys | MemoryRoute::ModelConfigs)
    }

    /// Key, team and customer creation map a unique-name violation to 409
    /// (`v2: governance.go` createVirtualKey/createTeam/createCustomer
    /// `errors.Is(err, ErrAlreadyExists)`); 1.5.2 answers 500 (`gov.go`).
    pub(crate) fn name_conflicts_are_409(self) -> bool {
        !self.is_v1_5()
    }

    /// Customer names are unique (`v2: tables/customer.go`
    /// `idx_governance_customers_name`); not on 1.5.2 (`tables/customer.go`).
    pub(crate) fn customer_names_unique(self) -> bool {
        !self.is_v1_5()
    }

    /// A key update that omits both `team_id` and `customer_id` keeps them
    /// (`v2: governance.go applyVirtualKeyOwnershipUpdate`, `OptionalJSON`); 1.5.2
    /// clears both ("When both TeamID and CustomerID are nil", `gov.go updateVirtualKey`).
    pub(crate) fn update_keeps_unsent_owner(self) -> bool {
        !self.is_v1_5()
    }

    /// Team changes of `customer_id` stick; on 1.5.2 `UpdateTeam`'s `Save` re-copies the
    /// foreign key from the preloaded `Customer`, so a team that has a customer keeps
    /// it (`rdb.go UpdateTeam`, gorm v1.31.1 `SaveBeforeAssociations`).
    pub(crate) fn team_customer_change_sticks(self) -> bool {
        !self.is_v1_5()
    }

    /// Turning `calendar_aligned` on snaps a team budget to its period start and zeroes
    /// usage on 1.5.2 (`gov.go updateTeam`); v2 moves only the window forward
    /// (`v2: tables/budget.go AdoptCalendarAlignment`, usage untouched).
    pub(crate) fn calendar_switch_zeroes_usage(self) -> bool {
        self.is_v1_5()
    }

    /// Provider-governance `DELETE` of a provider that is not configured: 404 on 1.5.2
    /// (`gov.go deleteProviderGovernance`), idempotent 200 on v2 (`v2: governance.go`).
    pub(crate) fn provider_delete_is_idempotent(self) -> bool {
        !self.is_v1_5()
    }
}

/// Why `BeforeSave` refuses a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowDuration {
    /// It does not parse.
    Invalid,
    /// It is zero or negative.
    NotPositive,
}

/// Predicates that hold on v2 and not on 1.5.2, each with the upstream change.
macro_rules! since_v2 {
    ($( $(#[doc = $doc:literal])* $name:ident; )*) => {
        impl Profile {
            $( $(#[doc = $doc])* pub(crate) fn $name(self) -> bool { !self.is_v1_5() } )*
        }
    };
}

since_v2! {
    /// Rotation routes (`POST …/virtual-keys/{vk_id}/rotate`, `POST …/virtual-keys/rotate`),
    /// upstream PR #3599 after v1.5.2 (`v2: governance.go rotateVirtualKey(s)`).
    has_rotation;
    /// Budget-override routes (`PUT`/`DELETE …/budgets/{budget_id}/override`), PR #5435.
    has_budget_overrides;
    /// Routing rules at `/api/routing/rules` with `/api/governance/routing-rules` as an
    /// alias (`v2: routing.go RegisterRoutes`); 1.5.2 serves only the latter.
    has_routing_api;
    /// A key's own and per-provider budgets and rate limits live in key-scoped `*`
    /// model configs and are hydrated back onto the key (`v2: governance.go
    /// syncVKGovernanceToModelConfigs`, `applyVKGovernanceFromModelConfigs`; v1.5.9).
    key_governance_in_model_configs;
    /// Provider configs of key create/update take `model_budgets`: per-model budgets
    /// and rate limits stored as key-scoped model configs of that provider; a list
    /// sent is the whole desired set, an absent one leaves them (PR #5703, v1.6.10:
    /// `vkModelBudgetRequest`, `reconcileModelBudgets`).
    has_model_budgets;
    /// Provider governance is a global `*` model config of the provider
    /// (`v2: rdb.go GetProviderGovernanceModelConfigs`); 1.5.2 uses `config_providers`
    /// `budget_id`/`rate_limit_id` (`gov.go updateProviderGovernance`).
    provider_governance_in_model_configs;
    /// Customers, model configs and providers take `budgets` (several) and
    /// `calendar_aligned`; 1.5.2 knows one `budget` (`gov.go` request structs).
    multi_budget_owners;
    /// Budget lists are reconciled by `id` first, then by `reset_duration`, and new
    /// budgets inherit the usage of the closest shorter one (`v2: governance.go
    /// findExistingBudget`, `inheritUsageFromClosestShorterBudget`).
    budgets_match_by_id;
    /// Owner ids made of whitespace count as absent, and on key updates `null`/`""`
    /// clears both owners (`v2: governance_test.go TestApplyVirtualKeyOwnershipUpdate*`).
    blank_owner_is_absent;
    /// A provider config listed without `key_ids` on a key update keeps its keys
    /// (`v2: governance_test.go TestUpdateVirtualKey_PutWithoutKeyIDsPreservesKeyAssociations`).
    omitted_key_ids_kept;
    /// Key fields `expires_at`, `metadata`, `disable_content_logging`,
    /// `delete_after_expire`, `allow_all_providers`, `blacklisted_models`
    /// (`v2: governance.go` request structs, `governance_vkmetadata_test.go`).
    has_key_extensions;
    /// `metadata_<key>` filters and `user_id` on the key list
    /// (`v2: governance_vkmetadata_test.go TestGetVirtualKeysMetadataFilter`).
    has_key_list_filters;
    /// The quota answer adds `provider_configs`, `model_configs`, `rate_limits` and
    /// `per_model_usage`, and expired keys get 403 (`v2: governance.go getVirtualKeyQuota`).
    has_quota_v2;
    /// Team ids and provider names in the path are `url.PathUnescape`d; a bad
    /// encoding is 400 (`v2: governance.go getTeam`, `updateProviderGovernance`).
    unescapes_path_names;
    /// Model configs have `scope`/`scope_id` and a scope-aware identity
    /// (`v2: governance.go createModelConfig`, `tables/modelconfig.go`).
    has_model_config_scopes;
    /// CEL expressions are compiled on write (`v2: routing.go createRoutingRule`:
    /// 400 `invalid CEL expression: %s`); 1.5.2 stores anything (`gov.go`).
    validates_cel;
    /// Routing scope `user`, and team/customer/virtual-key scope ids must exist
    /// (`v2: routing.go createRoutingRule`).
    verifies_routing_scope;
    /// Fallbacks may be `{provider, model, key_id}` objects, and targets take
    /// `ttft_timeout_ms` (`v2: routing.go validateRoutingFallbacks`, `validateRoutingTargets`).
    has_routing_v2_fields;
    /// Pricing overrides carry `patch` as an object and the `user*` scopes
    /// (`v2: tables/pricingoverride.go`, PR #5581); 1.5.2 writes `pricing_patch`, a string.
    has_pricing_v2;
    /// A pricing override's row refuses a negative price when saved (`v2:
    /// tables/pricingoverride.go BeforeSave`, `ValidatePatchNonNegative`, id:51804290728), so
    /// the store's error answers 500; 1.5.2's `BeforeSave` only serialises.
    rejects_negative_prices;
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

    #[test]
    fn templates_are_filled_in_order() {
        assert_eq!(fill("a {} b {}", &["1", "2"]), "a 1 b 2");
        assert_eq!(fill("none", &["x"]), "none");
    }
}
