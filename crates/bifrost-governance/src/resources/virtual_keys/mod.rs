//! Virtual keys: the `sk-bf-…` credentials applications send to Bifrost.
//!
//! [`VirtualKeys`] is the handle; what a key may use is described with
//! [`ProviderConfigSpec`] and [`McpConfigSpec`]; [`VirtualKeys::patch`] edits a key
//! through a [`VirtualKeyEdit`].

mod access;
mod create;
mod edit;
mod metadata;
mod model_budgets;
mod overrides;
mod query;
mod update;

use std::collections::BTreeMap;

use bifrost_governance_client::secret::SecretString;
use bifrost_governance_client::types::{self, VirtualKey};

use super::{constrained, non_empty, require_all};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::{Error, InvalidInput, Result};
use crate::pagination::List;
use crate::transport::{call, call_delete};

pub use access::{Assignment, McpConfigSpec, ProviderConfigSpec, Selection};
pub use bifrost_governance_client::assignee::Assignee;
pub use create::CreateVirtualKey;
pub use edit::VirtualKeyEdit;
pub use model_budgets::ModelBudgetSpec;
pub use overrides::BudgetOverrideSpec;
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
        let needed = draft.capabilities(&original);
        // The assignment is always repeated (see `into_request`), which every
        // generation reads the same way.
        let body = draft.into_request(&original)?;
        require_all(&self.client, needed).await?;
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
        self.client.require(Capability::KeyRotation).await?;
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
        self.client.require(Capability::KeyRotation).await?;
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

    /// Raises one of the key's budgets by an override (v1.6.7+ servers): the budget
    /// is then enforced against `max_limit` plus the override's amount, while its
    /// base limit, usage and resets stay as they are. `budget_id` is one of the
    /// key's `budgets[].id`. Returns the budget and the limit now enforced.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::resources::virtual_keys::BudgetOverrideSpec;
    ///
    /// let raised = client
    ///     .virtual_keys()
    ///     .set_budget_override("vk-uuid", "budget-uuid", BudgetOverrideSpec::for_cycles(50.0, 1)?)
    ///     .await?;
    /// println!("now capped at {:?} USD", raised.effective_max_limit);
    /// # Ok(()) }
    /// ```
    pub async fn set_budget_override(
        &self,
        id: impl Into<String>,
        budget_id: impl Into<String>,
        spec: BudgetOverrideSpec,
    ) -> Result<types::BudgetOverrideResponse> {
        let (id, budget_id) = (id.into(), budget_id.into());
        non_empty("virtual key id", &id)?;
        non_empty("budget id", &budget_id)?;
        self.client.require(Capability::BudgetOverrides).await?;
        let request = self
            .client
            .raw()
            .set_virtual_key_budget_override()
            .vk_id(&id)
            .budget_id(&budget_id)
            .body(spec.to_request())
            .send();
        call("set_virtual_key_budget_override", request).await
    }

    /// Removes any override from one of the key's budgets (succeeds also when it has
    /// none); v1.6.7+ servers. Returns the budget and its base limit.
    pub async fn clear_budget_override(
        &self,
        id: impl Into<String>,
        budget_id: impl Into<String>,
    ) -> Result<types::BudgetOverrideResponse> {
        let (id, budget_id) = (id.into(), budget_id.into());
        non_empty("virtual key id", &id)?;
        non_empty("budget id", &budget_id)?;
        self.client.require(Capability::BudgetOverrides).await?;
        let request = self
            .client
            .raw()
            .delete_virtual_key_budget_override()
            .vk_id(&id)
            .budget_id(&budget_id)
            .send();
        call("delete_virtual_key_budget_override", request).await
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

/// The optional key features a create, update or patch sends, each needing a server
/// new enough to understand it (older ones would ignore the field or refuse it).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct KeyFeatures {
    pub(super) expiry: bool,
    pub(super) metadata: bool,
    pub(super) all_providers: bool,
    pub(super) logging_or_cleanup: bool,
    pub(super) provider_configs: ProviderFeatures,
}

/// What the provider configs sent use that older servers lack.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct ProviderFeatures {
    quarterly_budgets: bool,
    blocked_models: bool,
    model_budgets: bool,
}

impl ProviderFeatures {
    /// What the configs of an edit use beyond the configs read (`before`).
    pub(super) fn changed(after: &[ProviderConfigSpec], before: &[ProviderConfigSpec]) -> Self {
        after.iter().filter(|config| !before.contains(config)).fold(
            Self::default(),
            |found, config| {
                let was = before.iter().find(|b| b.provider() == config.provider());
                Self {
                    quarterly_budgets: found.quarterly_budgets || config.needs_quarterly(),
                    blocked_models: found.blocked_models || config.blocks_more_than(was),
                    model_budgets: found.model_budgets || config.sets_model_budgets(),
                }
            },
        )
    }

    pub(super) fn of<'a>(configs: impl IntoIterator<Item = &'a ProviderConfigSpec>) -> Self {
        configs
            .into_iter()
            .fold(Self::default(), |found, config| Self {
                quarterly_budgets: found.quarterly_budgets || config.needs_quarterly(),
                blocked_models: found.blocked_models || config.blocks_models(),
                model_budgets: found.model_budgets || config.sets_model_budgets(),
            })
    }
}

impl KeyFeatures {
    pub(super) fn capabilities(self) -> Vec<Capability> {
        [
            (self.expiry, Capability::KeyExpiry),
            (self.metadata, Capability::KeyMetadata),
            (self.all_providers, Capability::AllProviders),
            (self.logging_or_cleanup, Capability::KeyLoggingAndCleanup),
            (
                self.provider_configs.quarterly_budgets,
                Capability::QuarterlyBudgets,
            ),
            (
                self.provider_configs.blocked_models,
                Capability::BlockedModels,
            ),
            (
                self.provider_configs.model_budgets,
                Capability::PerModelBudgets,
            ),
        ]
        .into_iter()
        .filter_map(|(used, capability)| used.then_some(capability))
        .collect()
    }
}

/// Result of [`VirtualKeys::rotate_many`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RotateOutcome {
    /// Keys that got a new value.
    pub rotated: Vec<VirtualKey>,
    /// Ids that were not rotated, with the server's reason.
    pub failures: BTreeMap<String, String>,
}
