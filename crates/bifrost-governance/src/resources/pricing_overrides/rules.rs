//! What an override may say: its scope, model pattern, request types and prices,
//! checked with the server's rules.

use bifrost_governance_client::types::{PricingMatchType, PricingOverride, PricingScopeKind};

use bifrost_governance_client::pricing::PricingPatch;

use crate::error::InvalidInput;
use crate::resources::non_empty;

/// What an override applies to; each variant carries exactly the ids its
/// `scope_kind` requires. The `User*` scopes need v1.6.7+ servers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PricingScope {
    /// Every request.
    Global,
    /// Requests to a provider.
    Provider {
        /// Provider name (`openai`…), sent as `provider_id`.
        provider: String,
    },
    /// Requests served with a provider key.
    ProviderKey {
        /// The key's `key_id` UUID.
        provider_key_id: String,
    },
    /// Requests made with a virtual key.
    VirtualKey {
        /// The virtual key's id.
        virtual_key_id: String,
    },
    /// Requests made with a virtual key to a provider.
    VirtualKeyProvider {
        /// The virtual key's id.
        virtual_key_id: String,
        /// Provider name, sent as `provider_id`.
        provider: String,
    },
    /// Requests made with a virtual key and served with one key of a provider (the
    /// server requires all three ids).
    VirtualKeyProviderKey {
        /// The virtual key's id.
        virtual_key_id: String,
        /// Provider name, sent as `provider_id`.
        provider: String,
        /// The provider key's `key_id` UUID.
        provider_key_id: String,
    },
    /// Requests of a user (enterprise identities).
    User {
        /// The user's id.
        user_id: String,
    },
    /// Requests of a user to a provider.
    UserProvider {
        /// The user's id.
        user_id: String,
        /// Provider name, sent as `provider_id`.
        provider: String,
    },
    /// Requests of a user served with one key of a provider.
    UserProviderKey {
        /// The user's id.
        user_id: String,
        /// Provider name, sent as `provider_id`.
        provider: String,
        /// The provider key's `key_id` UUID.
        provider_key_id: String,
    },
}

/// The `scope_kind` and the ids a scope is sent as; absent ids are not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ScopeWire<'a> {
    pub(super) kind: PricingScopeKind,
    pub(super) user_id: Option<&'a str>,
    pub(super) virtual_key_id: Option<&'a str>,
    pub(super) provider_id: Option<&'a str>,
    pub(super) provider_key_id: Option<&'a str>,
}

impl PricingScope {
    /// The scope of an override returned by the server; `None` for a kind this
    /// SDK does not know or ids that do not fit the kind.
    pub fn from_existing(pricing_override: &PricingOverride) -> Option<Self> {
        let id = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
        let user_id = id(&pricing_override.user_id);
        let virtual_key_id = id(&pricing_override.virtual_key_id);
        let provider = id(&pricing_override.provider_id);
        let provider_key_id = id(&pricing_override.provider_key_id);
        let kind: PricingScopeKind = pricing_override.scope_kind.as_deref()?.parse().ok()?;
        let candidate = match kind {
            PricingScopeKind::Global => PricingScope::Global,
            PricingScopeKind::Provider => PricingScope::Provider {
                provider: provider.clone()?,
            },
            PricingScopeKind::ProviderKey => PricingScope::ProviderKey {
                provider_key_id: provider_key_id.clone()?,
            },
            PricingScopeKind::VirtualKey => PricingScope::VirtualKey {
                virtual_key_id: virtual_key_id.clone()?,
            },
            PricingScopeKind::VirtualKeyProvider => PricingScope::VirtualKeyProvider {
                virtual_key_id: virtual_key_id.clone()?,
                provider: provider.clone()?,
            },
            PricingScopeKind::VirtualKeyProviderKey => PricingScope::VirtualKeyProviderKey {
                virtual_key_id: virtual_key_id.clone()?,
                provider: provider.clone()?,
                provider_key_id: provider_key_id.clone()?,
            },
            PricingScopeKind::User => PricingScope::User {
                user_id: user_id.clone()?,
            },
            PricingScopeKind::UserProvider => PricingScope::UserProvider {
                user_id: user_id.clone()?,
                provider: provider.clone()?,
            },
            PricingScopeKind::UserProviderKey => PricingScope::UserProviderKey {
                user_id: user_id.clone()?,
                provider: provider.clone()?,
                provider_key_id: provider_key_id.clone()?,
            },
        };
        // Ids the kind does not take mean the row is not one this SDK can express.
        let wire = candidate.wire();
        let exact = wire.user_id.map(str::to_string) == user_id
            && wire.virtual_key_id.map(str::to_string) == virtual_key_id
            && wire.provider_id.map(str::to_string) == provider
            && wire.provider_key_id.map(str::to_string) == provider_key_id;
        exact.then_some(candidate)
    }

    /// The scope kind.
    pub fn kind(&self) -> PricingScopeKind {
        self.wire().kind
    }

    pub(super) fn wire(&self) -> ScopeWire<'_> {
        let none = |kind| ScopeWire {
            kind,
            user_id: None,
            virtual_key_id: None,
            provider_id: None,
            provider_key_id: None,
        };
        match self {
            PricingScope::Global => none(PricingScopeKind::Global),
            PricingScope::Provider { provider } => ScopeWire {
                provider_id: Some(provider),
                ..none(PricingScopeKind::Provider)
            },
            PricingScope::ProviderKey { provider_key_id } => ScopeWire {
                provider_key_id: Some(provider_key_id),
                ..none(PricingScopeKind::ProviderKey)
            },
            PricingScope::VirtualKey { virtual_key_id } => ScopeWire {
                virtual_key_id: Some(virtual_key_id),
                ..none(PricingScopeKind::VirtualKey)
            },
            PricingScope::VirtualKeyProvider {
                virtual_key_id,
                provider,
            } => ScopeWire {
                virtual_key_id: Some(virtual_key_id),
                provider_id: Some(provider),
                ..none(PricingScopeKind::VirtualKeyProvider)
            },
            PricingScope::VirtualKeyProviderKey {
                virtual_key_id,
                provider,
                provider_key_id,
            } => ScopeWire {
                virtual_key_id: Some(virtual_key_id),
                provider_id: Some(provider),
                provider_key_id: Some(provider_key_id),
                ..none(PricingScopeKind::VirtualKeyProviderKey)
            },
            PricingScope::User { user_id } => ScopeWire {
                user_id: Some(user_id),
                ..none(PricingScopeKind::User)
            },
            PricingScope::UserProvider { user_id, provider } => ScopeWire {
                user_id: Some(user_id),
                provider_id: Some(provider),
                ..none(PricingScopeKind::UserProvider)
            },
            PricingScope::UserProviderKey {
                user_id,
                provider,
                provider_key_id,
            } => ScopeWire {
                user_id: Some(user_id),
                provider_id: Some(provider),
                provider_key_id: Some(provider_key_id),
                ..none(PricingScopeKind::UserProviderKey)
            },
        }
    }

    /// Whether the scope is one of the `user*` kinds (v1.6.7+ servers).
    pub fn is_user_scope(&self) -> bool {
        self.wire().user_id.is_some()
    }

    /// Every id must be non-blank: the server turns a blank id into a missing one.
    pub(super) fn check(&self) -> Result<(), InvalidInput> {
        let wire = self.wire();
        [
            ("user_id", wire.user_id),
            ("virtual_key_id", wire.virtual_key_id),
            ("provider_id", wire.provider_id),
            ("provider_key_id", wire.provider_key_id),
        ]
        .into_iter()
        .try_for_each(|(field, value)| value.map_or(Ok(()), |v| non_empty(field, v)))
    }
}

/// Which model names an override matches.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelPattern {
    /// Exactly this model name (which may not contain `*`).
    Exact(String),
    /// Every model whose name starts with this prefix (which may not contain `*`);
    /// sent as the wildcard `<prefix>*`.
    Prefix(String),
    /// Every model (the wildcard `*`).
    Any,
}

impl ModelPattern {
    /// The pattern of an override returned by the server; `None` for a match type
    /// this SDK does not know or a pattern that does not fit it.
    pub fn from_existing(pricing_override: &PricingOverride) -> Option<Self> {
        let pattern = pricing_override.pattern.as_deref()?;
        let pattern = match pricing_override.match_type.as_deref()?.parse().ok()? {
            PricingMatchType::Exact => ModelPattern::Exact(pattern.to_string()),
            PricingMatchType::Wildcard => match pattern.strip_suffix('*')? {
                "" => ModelPattern::Any,
                prefix => ModelPattern::Prefix(prefix.to_string()),
            },
        };
        pattern.wire().ok().map(|_| pattern)
    }

    /// `match_type` and `pattern`, validated.
    pub(super) fn wire(&self) -> Result<(PricingMatchType, String), InvalidInput> {
        let check = |text: &str| {
            non_empty("pattern", text)?;
            if text.trim() != text {
                return Err(InvalidInput::new(
                    "pattern",
                    format!("{text:?} starts or ends with whitespace"),
                ));
            }
            if text.contains('*') {
                return Err(InvalidInput::new(
                    "pattern",
                    format!(
                        "{text:?} contains `*`; use ModelPattern::Prefix for a trailing wildcard"
                    ),
                ));
            }
            Ok(())
        };
        match self {
            ModelPattern::Exact(name) => {
                check(name).map(|()| (PricingMatchType::Exact, name.clone()))
            }
            ModelPattern::Prefix(prefix) => {
                check(prefix).map(|()| (PricingMatchType::Wildcard, format!("{prefix}*")))
            }
            ModelPattern::Any => Ok((PricingMatchType::Wildcard, "*".to_string())),
        }
    }
}

/// Request types must be a non-empty list of base types.
pub(super) fn check_request_types(request_types: &[String]) -> Result<(), InvalidInput> {
    if request_types.is_empty() {
        return Err(InvalidInput::new(
            "request_types",
            "at least one request type is required",
        ));
    }
    for rt in request_types {
        if rt.trim().is_empty() || rt.trim() != rt {
            return Err(InvalidInput::new(
                "request_types",
                format!("{rt:?} is not a request type"),
            ));
        }
        if let Some(base) = rt.strip_suffix("_stream") {
            return Err(InvalidInput::new(
                "request_types",
                format!("{rt:?} is a stream variant; use {base:?}, which covers streaming too"),
            ));
        }
    }
    Ok(())
}

/// Prices are finite and not negative.
pub(super) fn check_patch(patch: &PricingPatch) -> Result<(), InvalidInput> {
    match patch
        .prices()
        .find(|(_, usd)| !usd.is_finite() || *usd < 0.0)
    {
        Some((field, usd)) => Err(InvalidInput::new(
            "patch",
            format!("{field} {usd} is not a finite price of at least 0"),
        )),
        None => Ok(()),
    }
}
