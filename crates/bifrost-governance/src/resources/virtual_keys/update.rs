//! Updating a key field by field.

use std::collections::HashMap;

use bifrost_governance_client::types::{self, VirtualKey};
use chrono::{DateTime, Utc};

use super::access::{
    Assignment, McpConfigSpec, ProviderConfigSpec, mcp_requests, provider_requests,
};
use super::{KeyFeatures, ProviderFeatures, VirtualKeys};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::Result;
use crate::resources::{Deferred, LimitsUpdate, constrained, non_empty, require_all};
use crate::transport::call;

#[derive(Debug, Default)]
struct UpdateBody {
    name: Option<String>,
    description: Option<String>,
    is_active: Option<bool>,
    assignment: Option<Assignment>,
    provider_configs: Option<Vec<ProviderConfigSpec>>,
    mcp_configs: Option<Vec<McpConfigSpec>>,
    expires_at: Option<Option<DateTime<Utc>>>,
    delete_after_expire: Option<bool>,
    allow_all_providers: Option<bool>,
    disable_content_logging: Option<bool>,
    metadata: Option<HashMap<String, String>>,
}

/// Builder returned by [`VirtualKeys::update`]; sends only what was set. The
/// `set_*` methods for budgets, provider configs and MCP configs replace the whole
/// set on the server.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateVirtualKey {
    client: Client,
    id: String,
    body: UpdateBody,
    limits: LimitsUpdate,
    deferred: Deferred,
}

impl UpdateVirtualKey {
    pub(super) fn new(client: Client, id: String) -> Self {
        UpdateVirtualKey {
            client,
            id,
            body: UpdateBody::default(),
            limits: LimitsUpdate::default(),
            deferred: Deferred::default(),
        }
    }

    /// Renames the key.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// Sets the description.
    pub fn set_description(mut self, text: impl Into<String>) -> Self {
        self.body.description = Some(text.into());
        self
    }

    /// Enables or disables the key.
    pub fn set_enabled(mut self, enabled: bool) -> Self {
        self.body.is_active = Some(enabled);
        self
    }

    /// Moves the key to a team (its customer, if any, is cleared).
    pub fn assign_team(mut self, team_id: impl Into<String>) -> Self {
        let id = team_id.into();
        self.deferred.check(non_empty("team id", &id));
        self.body.assignment = Some(Assignment::Team(id));
        self
    }

    /// Gives the key to a customer (its team, if any, is cleared).
    pub fn assign_customer(mut self, customer_id: impl Into<String>) -> Self {
        let id = customer_id.into();
        self.deferred.check(non_empty("customer id", &id));
        self.body.assignment = Some(Assignment::Customer(id));
        self
    }

    /// Removes the key from its team or customer.
    pub fn unassign(mut self) -> Self {
        self.body.assignment = Some(Assignment::Unassigned);
        self
    }

    update_limit_setters!(
        "key",
        "the server merges: a kind (tokens or requests) left out keeps its current value."
    );

    /// Replaces every provider config: configs not listed are deleted with their
    /// budgets. Keep existing rows with [`ProviderConfigSpec::from_existing`].
    pub fn set_provider_configs(mut self, configs: Vec<ProviderConfigSpec>) -> Self {
        self.body.provider_configs = Some(configs);
        self
    }

    /// Deletes every provider config (the key can then use no provider).
    pub fn clear_provider_configs(self) -> Self {
        self.set_provider_configs(Vec::new())
    }

    /// Replaces every MCP config.
    pub fn set_mcp_configs(mut self, configs: Vec<McpConfigSpec>) -> Self {
        self.body.mcp_configs = Some(configs);
        self
    }

    /// Deletes every MCP config.
    pub fn clear_mcp_configs(self) -> Self {
        self.set_mcp_configs(Vec::new())
    }

    /// Sets the expiry; it must lie in the future (v1.6.3+ servers).
    pub fn set_expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.body.expires_at = Some(Some(at));
        self
    }

    /// Removes the expiry.
    pub fn clear_expires_at(mut self) -> Self {
        self.body.expires_at = Some(None);
        self
    }

    /// Deletes the key once it has expired, or not (the key needs an expiry).
    pub fn set_delete_after_expire(mut self, delete: bool) -> Self {
        self.body.delete_after_expire = Some(delete);
        self
    }

    /// Lets the key use every provider without a provider config, or stops it
    /// (v2.1.0+ servers).
    pub fn set_allow_all_providers(mut self, allow: bool) -> Self {
        self.body.allow_all_providers = Some(allow);
        self
    }

    /// Keeps (`true`) or forces (`false`) request content out of/into the logs for
    /// this key. (Going back to the server setting is not offered: the API needs an
    /// explicit `null` for it.)
    pub fn set_disable_content_logging(mut self, disable: bool) -> Self {
        self.body.disable_content_logging = Some(disable);
        self
    }

    /// Replaces the metadata map.
    pub fn set_metadata(mut self, metadata: HashMap<String, String>) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Removes every metadata entry (sends `{}`).
    pub fn clear_metadata(self) -> Self {
        self.set_metadata(HashMap::new())
    }

    /// Validates, then updates the key.
    pub async fn send(self) -> Result<VirtualKey> {
        self.deferred.into_result()?;
        non_empty("virtual key id", &self.id)?;
        let b = self.body;
        self.limits.check()?;
        let mut needed = self.limits.capabilities();
        needed.extend(
            KeyFeatures {
                expiry: b.expires_at.is_some(),
                metadata: b.metadata.is_some(),
                all_providers: b.allow_all_providers.is_some(),
                logging_or_cleanup: b.delete_after_expire.is_some()
                    || b.disable_content_logging.is_some(),
                provider_configs: ProviderFeatures::of(b.provider_configs.iter().flatten()),
            }
            .capabilities(),
        );
        if let Some(Some(at)) = b.expires_at {
            super::create::check_future(at)?;
        }
        if b.delete_after_expire == Some(true) && b.expires_at == Some(None) {
            return Err(crate::error::InvalidInput::new(
                "delete_after_expire",
                "cannot delete after expiry while clearing the expiry",
            )
            .into());
        }
        if let Some(metadata) = &b.metadata {
            super::metadata::check(metadata)?;
        }
        // Everything is validated before the version check and the read below.
        let mut body = types::UpdateVirtualKeyRequest {
            name: b
                .name
                .map(|n| constrained("virtual key name", n))
                .transpose()?,
            description: b.description,
            is_active: b.is_active,
            team_id: None,
            customer_id: None,
            budgets: self.limits.budget_requests(),
            rate_limit: self.limits.rate_limit,
            provider_configs: b
                .provider_configs
                .as_deref()
                .map(provider_requests)
                .transpose()?,
            mcp_configs: b.mcp_configs.as_deref().map(mcp_requests).transpose()?,
            expires_at: b
                .expires_at
                .map(|at| at.map_or_else(String::new, |at| at.to_rfc3339())),
            delete_after_expire: b.delete_after_expire,
            allow_all_providers: b.allow_all_providers,
            disable_content_logging: b.disable_content_logging,
            metadata: b.metadata.map(Into::into),
            calendar_aligned: self.limits.calendar_aligned,
            reset_budget_usage: self.limits.reset_budget_usage,
        };
        require_all(&self.client, needed).await?;
        let legacy = !self
            .client
            .supports(Capability::AssignmentKeptOnUpdate)
            .await?;
        let assignment = match b.assignment {
            Some(assignment) => Some(assignment),
            // Repeat the current assignment, or a v1.5.2 server would drop it
            // (an unassigned key has nothing to repeat).
            None if legacy => Some(Assignment::of(
                &VirtualKeys::new(self.client.clone()).get(&self.id).await?,
            ))
            .filter(|current| *current != Assignment::Unassigned),
            None => None,
        };
        (body.team_id, body.customer_id) = assignment.map_or((None, None), |a| a.wire());
        let response = call(
            "update_virtual_key",
            self.client
                .raw()
                .update_virtual_key()
                .vk_id(&self.id)
                .body(body)
                .send(),
        )
        .await?;
        Ok(response.virtual_key)
    }
}
