//! Creating a key.

use std::collections::HashMap;

use bifrost_governance_client::types::{self, VirtualKey};
use chrono::{DateTime, Utc};

use super::access::{
    Assignment, McpConfigSpec, ProviderConfigSpec, mcp_requests, provider_requests,
};
use super::{KeyFeatures, ProviderFeatures, metadata};
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::resources::{Deferred, LimitsCreate, constrained, require_all};
use crate::transport::call;

/// Builder returned by [`VirtualKeys::create`](super::VirtualKeys::create).
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreateVirtualKey {
    client: Client,
    name: String,
    description: Option<String>,
    assignment: Option<Assignment>,
    limits: LimitsCreate,
    provider_configs: Vec<ProviderConfigSpec>,
    mcp_configs: Vec<McpConfigSpec>,
    is_active: Option<bool>,
    expires_at: Option<DateTime<Utc>>,
    delete_after_expire: Option<bool>,
    allow_all_providers: Option<bool>,
    disable_content_logging: Option<bool>,
    metadata: Option<HashMap<String, String>>,
    deferred: Deferred,
}

impl CreateVirtualKey {
    pub(super) fn new(client: Client, name: String) -> Self {
        CreateVirtualKey {
            client,
            name,
            description: None,
            assignment: None,
            limits: LimitsCreate::default(),
            provider_configs: Vec::new(),
            mcp_configs: Vec::new(),
            is_active: None,
            expires_at: None,
            delete_after_expire: None,
            allow_all_providers: None,
            disable_content_logging: None,
            metadata: None,
            deferred: Deferred::default(),
        }
    }

    /// Free-text description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    fn assign(mut self, assignment: Assignment) -> Self {
        if self.assignment.as_ref().is_some_and(|a| a != &assignment) {
            self.deferred.check(Err(InvalidInput::new(
                "team_id/customer_id",
                "a key belongs to a team or a customer, not both",
            )));
        }
        self.assignment = Some(assignment);
        self
    }

    /// Puts the key in a team (exclusive with [`assign_customer`](Self::assign_customer)).
    pub fn assign_team(self, team_id: impl Into<String>) -> Self {
        self.assign(Assignment::Team(team_id.into()))
    }

    /// Gives the key to a customer (exclusive with [`assign_team`](Self::assign_team)).
    pub fn assign_customer(self, customer_id: impl Into<String>) -> Self {
        self.assign(Assignment::Customer(customer_id.into()))
    }

    create_limit_setters!("key");

    /// Adds access to a provider.
    pub fn provider_config(mut self, config: ProviderConfigSpec) -> Self {
        self.provider_configs.push(config);
        self
    }

    /// Adds access to an MCP client's tools.
    pub fn mcp_config(mut self, config: McpConfigSpec) -> Self {
        self.mcp_configs.push(config);
        self
    }

    /// Creates the key disabled (`false`) or enabled (the default).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.is_active = Some(enabled);
        self
    }

    /// The key stops working at this time (must be in the future; v1.6.3+ servers).
    pub fn expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Deletes the key once it has expired (needs [`expires_at`](Self::expires_at)).
    pub fn delete_after_expire(mut self, delete: bool) -> Self {
        self.delete_after_expire = Some(delete);
        self
    }

    /// Lets the key use every provider that has no provider config, with all of its
    /// models and keys (v2.1.0+ servers). Without it, a key may use only the
    /// providers it has a [`ProviderConfigSpec`] for.
    pub fn allow_all_providers(mut self, allow: bool) -> Self {
        self.allow_all_providers = Some(allow);
        self
    }

    /// Keeps (`true`) or forces (`false`) request and response content out of/into
    /// the server's logs for this key; left unset, the key follows the server setting.
    pub fn disable_content_logging(mut self, disable: bool) -> Self {
        self.disable_content_logging = Some(disable);
        self
    }

    /// Adds a metadata entry (keys of letters, digits, `.`, `_`, `-`; newest v2.x
    /// servers).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Runs every check [`send`](Self::send) makes before any request (name, budget
    /// periods, calendar alignment, expiry, metadata, provider and MCP configs),
    /// without sending: for tools that check declarations offline. Whether the
    /// server supports the key's features is only known when sending.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        self.deferred.clone().into_result()?;
        self.limits.check()?;
        if let Some(at) = self.expires_at {
            check_future(at)?;
        }
        if self.delete_after_expire.is_some() && self.expires_at.is_none() {
            return Err(InvalidInput::new(
                "delete_after_expire",
                "needs an expiry: set expires_at too",
            ));
        }
        if let Some(metadata) = &self.metadata {
            metadata::check(metadata)?;
        }
        constrained::<types::CreateVirtualKeyRequestName>("virtual key name", self.name.clone())?;
        provider_requests(&self.provider_configs)?;
        mcp_requests(&self.mcp_configs).map(|_| ())
    }

    /// Validates, then creates the key; the response carries its secret value.
    /// Not retried once the request may have reached the server.
    pub async fn send(self) -> Result<VirtualKey> {
        self.validate()?;
        let mut needed = self.limits.capabilities();
        needed.extend(
            KeyFeatures {
                expiry: self.expires_at.is_some(),
                metadata: self.metadata.is_some(),
                all_providers: self.allow_all_providers.is_some(),
                logging_or_cleanup: self.delete_after_expire.is_some()
                    || self.disable_content_logging.is_some(),
                provider_configs: ProviderFeatures::of(&self.provider_configs),
            }
            .capabilities(),
        );
        let (team_id, customer_id) = match &self.assignment {
            Some(Assignment::Team(id)) => (Some(id.clone()), None),
            Some(Assignment::Customer(id)) => (None, Some(id.clone())),
            _ => (None, None),
        };
        let body = types::CreateVirtualKeyRequest {
            name: constrained("virtual key name", self.name)?,
            description: self.description,
            team_id,
            customer_id,
            is_active: self.is_active,
            calendar_aligned: self.limits.calendar_aligned,
            budgets: self.limits.budget_requests(),
            rate_limit: self.limits.rate_limit_request(),
            provider_configs: (!self.provider_configs.is_empty())
                .then(|| provider_requests(&self.provider_configs))
                .transpose()?,
            mcp_configs: (!self.mcp_configs.is_empty())
                .then(|| mcp_requests(&self.mcp_configs))
                .transpose()?,
            expires_at: self.expires_at,
            delete_after_expire: self.delete_after_expire,
            allow_all_providers: self.allow_all_providers,
            disable_content_logging: self.disable_content_logging,
            metadata: self.metadata.map(Into::into),
        };
        require_all(&self.client, needed).await?;
        let response = call(
            "create_virtual_key",
            self.client.raw().create_virtual_key().body(body).send(),
        )
        .await?;
        Ok(response.virtual_key)
    }
}

/// An expiry must lie in the future (the server answers 400 otherwise).
pub(super) fn check_future(at: DateTime<Utc>) -> Result<(), InvalidInput> {
    if at <= Utc::now() {
        return Err(InvalidInput::new(
            "expires_at",
            format!("{at} is not in the future"),
        ));
    }
    Ok(())
}
