//! Filters of a pricing-override list.

use bifrost_governance_client::types::{PricingOverride, PricingScopeKind};
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::capability::Capability;
use crate::client::Client;
use crate::error::Result;
use crate::pagination::{List, ListSource, Page};
use crate::resources::page;
use crate::transport::call;

/// Filters of a pricing-override list.
#[derive(Debug, Clone, Default)]
pub struct PricingOverrideQuery {
    search: Option<String>,
    scope_kind: Option<PricingScopeKind>,
    user_id: Option<String>,
    virtual_key_id: Option<String>,
    provider_id: Option<String>,
    provider_key_id: Option<String>,
}

impl ListSource for PricingOverrideQuery {
    type Item = PricingOverride;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<PricingOverride>>> {
        let q = self.clone();
        async move {
            let user_kind = q
                .scope_kind
                .is_some_and(|k| k.to_string().starts_with("user"));
            if q.user_id.is_some() || user_kind {
                client.require(Capability::UserScopes).await?;
            }
            let mut request = client
                .raw()
                .list_pricing_overrides()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(v) = q.search {
                request = request.search(v);
            }
            if let Some(v) = q.scope_kind {
                request = request.scope_kind(v.to_string());
            }
            if let Some(v) = q.user_id {
                request = request.user_id(v);
            }
            if let Some(v) = q.virtual_key_id {
                request = request.virtual_key_id(v);
            }
            if let Some(v) = q.provider_id {
                request = request.provider_id(v);
            }
            if let Some(v) = q.provider_key_id {
                request = request.provider_key_id(v);
            }
            let list = call("list_pricing_overrides", request.send()).await?;
            Ok(page(
                list.pricing_overrides,
                list.total_count,
                list.limit,
                list.offset,
            ))
        }
        .boxed()
    }

    fn id(item: &PricingOverride) -> &str {
        &item.id
    }
}

impl List<PricingOverrideQuery> {
    /// Only overrides whose name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only overrides of this scope kind.
    pub fn scope_kind(mut self, kind: PricingScopeKind) -> Self {
        self.source.scope_kind = Some(kind);
        self
    }

    /// Only overrides for this user (the `user*` scopes; v1.6.7+ servers).
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.source.user_id = Some(id.into());
        self
    }

    /// Only overrides for this virtual key.
    pub fn virtual_key_id(mut self, id: impl Into<String>) -> Self {
        self.source.virtual_key_id = Some(id.into());
        self
    }

    /// Only overrides for this provider (its name, e.g. `openai`).
    pub fn provider_id(mut self, provider: impl Into<String>) -> Self {
        self.source.provider_id = Some(provider.into());
        self
    }

    /// Only overrides for this provider key (its `key_id` UUID).
    pub fn provider_key_id(mut self, id: impl Into<String>) -> Self {
        self.source.provider_key_id = Some(id.into());
        self
    }
}
