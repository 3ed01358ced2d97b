//! Virtual keys: the `sk-bf-…` credentials applications send to Bifrost.
//!
//! [`VirtualKeys`] is the handle; what a key may use is described with
//! [`ProviderConfigSpec`] and [`McpConfigSpec`]; [`VirtualKeys::patch`] edits a key
//! through a [`VirtualKeyEdit`].

mod access;
mod create;
mod edit;
mod metadata;
mod query;
mod update;

use std::collections::BTreeMap;

use bifrost_governance_client::secret::SecretString;
use bifrost_governance_client::types::{self, VirtualKey};

use super::{constrained, non_empty};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::{Error, InvalidInput, Result};
use crate::pagination::List;
use crate::transport::{call, call_delete};

pub use access::{Assignment, McpConfigSpec, ProviderConfigSpec, Selection};
pub use create::CreateVirtualKey;
pub use edit::VirtualKeyEdit;
pub use query::VirtualKeyQuery;
pub use update::UpdateVirtualKey;

/// The sort column and direction of a virtual-key list (generated types, re-exported
/// here for the list filters).
pub use types::{SortOrder, VirtualKeySortBy};

/// Handle to the virtual keys of a server; from [`Client::virtual_keys`].
#[derive(Debug, Clone)]
pub struct VirtualKeys {
    client: Client,
}

impl VirtualKeys {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists virtual keys. Each key carries its secret value (redacted in `Debug`).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::resources::virtual_keys::{SortOrder, VirtualKeySortBy};
    ///
    /// let top_spenders = client
    ///     .virtual_keys()
    ///     .list()
    ///     .team_id("team-uuid")
    ///     .sort_by(VirtualKeySortBy::BudgetSpent)
    ///     .order(SortOrder::Desc)
    ///     .max_items(10)
    ///     .collect_all()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> List<VirtualKeyQuery> {
        List::new(self.client.clone(), VirtualKeyQuery::default())
    }

    /// Reads one key by id (the UUID, not the `sk-bf-…` value).
    pub async fn get(&self, id: impl Into<String>) -> Result<VirtualKey> {
        let id = id.into();
        non_empty("virtual key id", &id)?;
        let response = call(
            "get_virtual_key",
            self.client.raw().get_virtual_key().vk_id(id).send(),
        )
        .await?;
        Ok(response.virtual_key)
    }

    /// Starts creating a key named `name`. A key may use nothing it is not given:
    /// add at least one [`ProviderConfigSpec`].
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{BudgetSpec, BudgetSpecs, RateLimitSpec, ResetPeriod};
    /// use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
    ///
    /// let key = client
    ///     .virtual_keys()
    ///     .create("checkout-service")
    ///     .assign_team("team-uuid")
    ///     .budgets(BudgetSpecs::try_from([
    ///         BudgetSpec::new(10.0, ResetPeriod::days(1))?,
    ///         BudgetSpec::new(200.0, ResetPeriod::months(1))?,
    ///     ])?)
    ///     .rate_limit(RateLimitSpec::builder().requests(60, ResetPeriod::minutes(1)).build()?)
    ///     .provider_config(ProviderConfigSpec::new("openai").models(["gpt-4o", "gpt-4o-mini"]))
    ///     .send()
    ///     .await?;
    /// let secret = key.value.as_ref().map(|v| v.expose_secret());
    /// # let _ = secret; Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateVirtualKey {
        CreateVirtualKey::new(self.client.clone(), name.into())
    }

    /// Starts updating key `id`; only what is set is sent. On v1.x servers, where a
    /// PUT without `team_id`/`customer_id` drops the assignment, the current one is
    /// read and sent again unless the update changes it.
    pub fn update(&self, id: impl Into<String>) -> UpdateVirtualKey {
        UpdateVirtualKey::new(self.client.clone(), id.into())
    }

    /// Reads the key, lets `edit` change it, and writes back only what changed, so
    /// nothing the caller did not touch is lost: the assignment, provider-config ids,
    /// model and key selections (`allow_all_keys` is sent as `key_ids: ["*"]`),
    /// budgets and MCP configs.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let key = client
    ///     .virtual_keys()
    ///     .patch("vk-uuid", |vk| {
    ///         vk.description = "owned by payments".into();
    ///         if let Some(openai) = vk.provider_configs.iter_mut().find(|p| p.provider() == "openai") {
    ///             *openai = openai.clone().weight(0.5);
    ///         }
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn patch(
        &self,
        id: impl Into<String>,
        edit: impl FnOnce(&mut VirtualKeyEdit),
    ) -> Result<VirtualKey> {
        let id = id.into();
        let current = self.get(id.as_str()).await?;
        let mut draft = VirtualKeyEdit::from_current(current);
        let original = draft.clone();
        edit(&mut draft);
        let legacy = !self
            .client
            .supports(Capability::AssignmentKeptOnUpdate)
            .await?;
        let body = draft.into_request(&original, legacy)?;
        let response = call(
            "update_virtual_key",
            self.client
                .raw()
                .update_virtual_key()
                .vk_id(&id)
                .body(body)
                .send(),
        )
        .await?;
        Ok(response.virtual_key)
    }

    /// Deletes a key with its budgets, rate limit and configs.
    pub async fn delete(&self, id: impl Into<String>) -> Result<()> {
        let id = id.into();
        non_empty("virtual key id", &id)?;
        call_delete(
            "delete_virtual_key",
            self.client.raw().delete_virtual_key().vk_id(id).send(),
        )
        .await
    }

    /// Gives the key a new secret value, keeping its configuration. Never retried
    /// once sent (a retry would rotate twice).
    pub async fn rotate(&self, id: impl Into<String>) -> Result<VirtualKey> {
        let id = id.into();
        non_empty("virtual key id", &id)?;
        let response = call(
            "rotate_virtual_key",
            self.client.raw().rotate_virtual_key().vk_id(id).send(),
        )
        .await?;
        Ok(response.virtual_key)
    }

    /// Rotates several keys at once; ids that failed are reported per id rather than
    /// failing the whole call (the server answers 500 only when none rotated, which
    /// is also returned as an outcome with every id failed).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let outcome = client.virtual_keys().rotate_many(["vk-1", "vk-2"]).await?;
    /// for (id, reason) in &outcome.failures {
    ///     eprintln!("{id} not rotated: {reason}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn rotate_many<I, S>(&self, ids: I) -> Result<RotateOutcome>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids: Vec<String> = ids.into_iter().map(Into::into).collect();
        if ids.is_empty() {
            return Err(InvalidInput::new("ids", "at least one id is required").into());
        }
        let ids = ids
            .into_iter()
            .map(|id| constrained("ids", id))
            .collect::<Result<Vec<_>, _>>()?;
        let body = types::RotateVirtualKeysRequest { ids };
        let result = call(
            "rotate_virtual_keys",
            self.client.raw().rotate_virtual_keys().body(body).send(),
        )
        .await;
        let response = match result {
            Ok(response) => response,
            // When nothing rotated the server still sends the per-id errors, with 500.
            Err(Error::Api(api)) => {
                match serde_json::from_slice::<types::RotateVirtualKeysResponse>(&api.body) {
                    Ok(body) if body.errors.as_ref().is_some_and(|e| !e.is_empty()) => body,
                    _ => return Err(Error::Api(api)),
                }
            }
            Err(e) => return Err(e),
        };
        Ok(RotateOutcome {
            rotated: response.virtual_keys.unwrap_or_default(),
            failures: response.errors.unwrap_or_default().into_iter().collect(),
        })
    }

    /// The key's own view of its budgets and rate limits, authenticated by the key
    /// value itself (`x-bf-vk`).
    pub async fn quota(&self, value: &SecretString) -> Result<types::VirtualKeyQuota> {
        non_empty("virtual key value", value.expose_secret())?;
        let request = self
            .client
            .raw()
            .get_virtual_key_quota()
            .x_bf_vk(value.expose_secret().to_string());
        call("get_virtual_key_quota", request.send()).await
    }
}

/// Result of [`VirtualKeys::rotate_many`].
#[derive(Debug, Clone, PartialEq)]
pub struct RotateOutcome {
    /// Keys that got a new value.
    pub rotated: Vec<VirtualKey>,
    /// Ids that were not rotated, with the server's reason.
    pub failures: BTreeMap<String, String>,
}
