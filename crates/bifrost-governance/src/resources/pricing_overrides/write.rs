//! Creating and updating an override.

use bifrost_governance_client::pricing::PricingPatch;
use bifrost_governance_client::types::{self, PricingOverride};

use super::rules::{ModelPattern, PricingScope, ScopeWire, check_patch, check_request_types};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::resources::{constrained, non_empty};
use crate::transport::call;

/// Builder returned by [`PricingOverrides::create`](super::PricingOverrides::create).
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreatePricingOverride {
    pub(super) client: Client,
    pub(super) name: String,
    pub(super) scope: PricingScope,
    pub(super) pattern: ModelPattern,
    pub(super) request_types: Vec<String>,
    pub(super) patch: PricingPatch,
}

impl CreatePricingOverride {
    /// Runs every check [`send`](Self::send) makes before any request (name, scope,
    /// pattern, request types, prices), without sending: for tools that check
    /// declarations offline.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        self.body().map(|_| ())
    }

    /// Validates name, scope, pattern, request types and prices, then creates the
    /// override.
    pub async fn send(self) -> Result<PricingOverride> {
        let body = self.body()?;
        if self.scope.is_user_scope() {
            self.client.require(Capability::UserScopes).await?;
        }
        let request = self
            .client
            .raw()
            .create_pricing_override()
            .body(body)
            .send();
        let response = call("create_pricing_override", request).await?;
        Ok(response.pricing_override)
    }

    pub(super) fn body(&self) -> Result<types::CreatePricingOverrideRequest, InvalidInput> {
        let name = constrained("pricing override name", self.name.clone())?;
        self.scope.check()?;
        let (match_type, pattern) = self.pattern.wire()?;
        check_request_types(&self.request_types)?;
        check_patch(&self.patch)?;
        let scope = self.scope.wire();
        Ok(types::CreatePricingOverrideRequest {
            name,
            scope_kind: scope.kind,
            user_id: scope.user_id.map(str::to_string),
            virtual_key_id: scope.virtual_key_id.map(str::to_string),
            provider_id: scope.provider_id.map(str::to_string),
            provider_key_id: scope.provider_key_id.map(str::to_string),
            match_type,
            pattern: constrained("pattern", pattern)?,
            request_types: self.request_types.clone(),
            patch: self.patch.clone(),
        })
    }
}

/// Builder returned by [`PricingOverrides::update`](super::PricingOverrides::update); sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdatePricingOverride {
    pub(super) client: Client,
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) scope: Option<PricingScope>,
    pub(super) pattern: Option<ModelPattern>,
    pub(super) request_types: Option<Vec<String>>,
    pub(super) patch: Option<PricingPatch>,
}

impl UpdatePricingOverride {
    /// Renames the override.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Moves the override to another scope; the ids of the previous scope are
    /// cleared.
    pub fn set_scope(mut self, scope: PricingScope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Replaces the model pattern (with its match type).
    pub fn set_pattern(mut self, pattern: ModelPattern) -> Self {
        self.pattern = Some(pattern);
        self
    }

    /// Replaces the request types (non-empty; base types only).
    pub fn set_request_types<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        request_types: I,
    ) -> Self {
        self.request_types = Some(request_types.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces the whole patch: prices it does not set go back to the catalogue's.
    pub fn set_patch(mut self, patch: PricingPatch) -> Self {
        self.patch = Some(patch);
        self
    }

    /// Validates, then updates the override.
    pub async fn send(self) -> Result<PricingOverride> {
        non_empty("pricing override id", &self.id)?;
        let body = self.body()?;
        if self.scope.as_ref().is_some_and(PricingScope::is_user_scope) {
            self.client.require(Capability::UserScopes).await?;
        }
        let request = self
            .client
            .raw()
            .update_pricing_override()
            .override_id(&self.id)
            .body(body)
            .send();
        let response = call("update_pricing_override", request).await?;
        Ok(response.pricing_override)
    }

    pub(super) fn body(&self) -> Result<types::UpdatePricingOverrideRequest, InvalidInput> {
        let name = self
            .name
            .clone()
            .map(|n| constrained("pricing override name", n))
            .transpose()?;
        // Sending `scope_kind` makes the server clear every scope id before applying
        // the ones sent, so a new scope never inherits an id of the old one.
        if let Some(scope) = &self.scope {
            scope.check()?;
        }
        let scope = self.scope.as_ref().map(PricingScope::wire);
        let id = |pick: for<'w> fn(&ScopeWire<'w>) -> Option<&'w str>| {
            scope.as_ref().and_then(pick).map(str::to_string)
        };
        // The match type is always sent with the pattern: the server would otherwise
        // check the new pattern against the stored match type.
        let (match_type, pattern) = match &self.pattern {
            Some(p) => {
                let (match_type, pattern) = p.wire()?;
                (Some(match_type), Some(constrained("pattern", pattern)?))
            }
            None => (None, None),
        };
        if let Some(request_types) = &self.request_types {
            check_request_types(request_types)?;
        }
        if let Some(patch) = &self.patch {
            check_patch(patch)?;
        }
        Ok(types::UpdatePricingOverrideRequest {
            name,
            scope_kind: scope.map(|s| s.kind),
            user_id: id(|s| s.user_id),
            virtual_key_id: id(|s| s.virtual_key_id),
            provider_id: id(|s| s.provider_id),
            provider_key_id: id(|s| s.provider_key_id),
            match_type,
            pattern,
            request_types: self.request_types.clone(),
            patch: self.patch.clone(),
        })
    }
}
