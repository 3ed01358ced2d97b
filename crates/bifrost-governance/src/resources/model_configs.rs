//! Model configs ("model limits"): budgets and a rate limit for one model, on one
//! provider or all of them, globally or for one virtual key.
//!
//! v1.x servers keep a single `budget` per config and v2.x servers a set of
//! `budgets`; the builders take a [`BudgetSpecs`](crate::BudgetSpecs) set either way and send what the
//! server understands (a set of more than one budget is refused before sending on
//! v1.x). A config is identified by `(scope, scope_id, model_name, provider)`; a
//! second config with the same identity is refused with 409.

use bifrost_governance_client::types::{self, ModelConfig};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{
    Deferred, LimitsCreate, LimitsUpdate, OwnerBudgets, check_owner_create, constrained, non_empty,
    owner_create_budgets, owner_update_budgets, page, require_all,
};
use crate::Scope;
use crate::capability::Capability;
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::pagination::{List, ListSource, Page};
use crate::transport::{call, call_delete};

/// Handle to the model configs of a server; from [`Client::model_configs`].
#[derive(Debug, Clone)]
pub struct ModelConfigs {
    client: Client,
}

impl ModelConfigs {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists model configs; filter with `.search(…)`, `.scope(…)` and `.provider(…)`.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::Scope;
    ///
    /// let openai_globals = client
    ///     .model_configs()
    ///     .list()
    ///     .scope(Scope::Global)
    ///     .provider("openai")
    ///     .collect_all()
    ///     .await?;
    /// # let _ = openai_globals; Ok(()) }
    /// ```
    pub fn list(&self) -> List<ModelConfigQuery> {
        List::new(self.client.clone(), ModelConfigQuery::default())
    }

    /// Reads one model config with its budgets and rate limit.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let config = client.model_configs().get("mc-uuid").await?;
    /// println!("{:?} on {:?}", config.model_name, config.provider);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl Into<String>) -> Result<ModelConfig> {
        let id = id.into();
        non_empty("model config id", &id)?;
        let response = call(
            "get_model_config",
            self.client.raw().get_model_config().mc_id(id).send(),
        )
        .await?;
        Ok(response.model_config)
    }

    /// Starts creating a config for `model_name`; without [`provider`](CreateModelConfig::provider)
    /// it applies to the model on every provider, and without a scope it is global.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{BudgetSpec, RateLimitSpec, ResetPeriod, Scope};
    ///
    /// let config = client
    ///     .model_configs()
    ///     .create("gpt-4o")
    ///     .provider("openai")
    ///     .scope(Scope::VirtualKey("vk-uuid".into()))
    ///     .budget(BudgetSpec::new(50.0, ResetPeriod::days(1))?)
    ///     .rate_limit(RateLimitSpec::builder().tokens(1_000_000, ResetPeriod::hours(1)).build()?)
    ///     .send()
    ///     .await?;
    /// # let _ = config; Ok(()) }
    /// ```
    pub fn create(&self, model_name: impl Into<String>) -> CreateModelConfig {
        CreateModelConfig {
            client: self.client.clone(),
            model_name: model_name.into(),
            provider: None,
            scope: None,
            limits: LimitsCreate::default(),
            deferred: Deferred::default(),
        }
    }

    /// Starts updating config `id`; only what is set is sent. The scope cannot
    /// change.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let config = client
    ///     .model_configs()
    ///     .update("mc-uuid")
    ///     .set_model_name("gpt-4o-mini")
    ///     .clear_budgets()
    ///     .send()
    ///     .await?;
    /// # let _ = config; Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<String>) -> UpdateModelConfig {
        UpdateModelConfig {
            client: self.client.clone(),
            id: id.into(),
            body: UpdateModelConfigBody::default(),
            limits: LimitsUpdate::default(),
            deferred: Deferred::default(),
        }
    }

    /// Deletes a config with its budgets and rate limit.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// client.model_configs().delete("mc-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: impl Into<String>) -> Result<()> {
        let id = id.into();
        non_empty("model config id", &id)?;
        call_delete(
            "delete_model_config",
            self.client.raw().delete_model_config().mc_id(id).send(),
        )
        .await
    }
}

/// Filters of a model-config list.
#[derive(Debug, Clone, Default)]
pub struct ModelConfigQuery {
    search: Option<String>,
    scope: Option<Scope>,
    provider: Option<String>,
}

impl ListSource for ModelConfigQuery {
    type Item = ModelConfig;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<ModelConfig>>> {
        let query = self.clone();
        async move {
            let mut request = client
                .raw()
                .list_model_configs()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(search) = query.search {
                request = request.search(search);
            }
            if let Some(scope) = &query.scope {
                scope.check()?;
                request = request.scope(scope.kind());
                if let Some(id) = scope.id() {
                    request = request.scope_id(id);
                }
            }
            if let Some(provider) = query.provider {
                request = request.provider(provider);
            }
            let list = call("list_model_configs", request.send()).await?;
            Ok(page(
                list.model_configs,
                list.total_count,
                list.limit,
                list.offset,
            ))
        }
        .boxed()
    }

    fn id(item: &ModelConfig) -> &str {
        &item.id
    }
}

impl List<ModelConfigQuery> {
    /// Only configs whose model name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only configs of this scope (v2.x servers; older ones ignore the filter).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.source.scope = Some(scope);
        self
    }

    /// Only configs for this provider (v2.x servers; older ones ignore the filter).
    pub fn provider(mut self, provider: impl Into<String>) -> Self {
        self.source.provider = Some(provider.into());
        self
    }
}

/// Builder returned by [`ModelConfigs::create`].
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreateModelConfig {
    client: Client,
    model_name: String,
    provider: Option<String>,
    scope: Option<Scope>,
    limits: LimitsCreate,
    deferred: Deferred,
}

impl CreateModelConfig {
    /// Limits the config to the model on this provider (default: every provider).
    pub fn provider(mut self, provider: impl Into<String>) -> Self {
        let provider = provider.into();
        self.deferred.check(non_empty("provider", &provider));
        self.provider = Some(provider);
        self
    }

    /// Where the config applies: [`Scope::Global`] (the default) or
    /// [`Scope::VirtualKey`] (requests made with that key). Other scopes are refused
    /// before sending, and so is a virtual-key scope on v1.5.2 and older servers,
    /// which would ignore it and create a global config.
    pub fn scope(mut self, scope: Scope) -> Self {
        let allowed = matches!(scope, Scope::Global | Scope::VirtualKey(_));
        self.deferred.check(scope.check().and_then(|()| {
            if allowed {
                Ok(())
            } else {
                Err(InvalidInput::new(
                    "scope",
                    format!(
                        "model configs apply globally or to a virtual key, not to a {}",
                        scope.kind()
                    ),
                ))
            }
        }));
        self.scope = Some(scope);
        self
    }

    create_limit_setters!("model config");

    /// Runs every check [`send`](Self::send) makes before any request (model name,
    /// provider, scope, budget periods, calendar alignment), without sending: for
    /// tools that check declarations offline. Whether the server supports a
    /// virtual-key scope is only known when sending.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        check_owner_create::<types::CreateModelConfigRequestModelName>(
            &self.deferred,
            &self.limits,
            "model name",
            &self.model_name,
        )
    }

    /// Validates, then creates the config. With budgets or a virtual-key scope, the
    /// server version is read first (once per client).
    pub async fn send(self) -> Result<ModelConfig> {
        self.validate()?;
        let needed = self.limits.capabilities();
        let model_name = constrained("model name", self.model_name)?;
        require_all(&self.client, needed).await?;
        if matches!(self.scope, Some(Scope::VirtualKey(_))) {
            // Older servers would create a global config instead.
            self.client.require(Capability::ModelConfigScopes).await?;
        }
        let OwnerBudgets { single, list } = owner_create_budgets(
            &self.client,
            &self.limits.budgets,
            self.limits.calendar_aligned,
        )
        .await?;
        let (scope, scope_id) = self
            .scope
            .map(|s| (s.kind().to_string(), s.id().map(str::to_string)))
            .unzip();
        let body = types::CreateModelConfigRequest {
            model_name,
            provider: self.provider,
            scope,
            scope_id: scope_id.flatten(),
            budget: single,
            budgets: list,
            rate_limit: self.limits.rate_limit_request(),
            calendar_aligned: self.limits.calendar_aligned,
        };
        let response = call(
            "create_model_config",
            self.client.raw().create_model_config().body(body).send(),
        )
        .await?;
        Ok(response.model_config)
    }
}

#[derive(Debug, Default)]
struct UpdateModelConfigBody {
    model_name: Option<String>,
    provider: Option<String>,
}

/// Builder returned by [`ModelConfigs::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateModelConfig {
    client: Client,
    id: String,
    body: UpdateModelConfigBody,
    limits: LimitsUpdate,
    deferred: Deferred,
}

impl UpdateModelConfig {
    /// Changes the model the config applies to.
    pub fn set_model_name(mut self, model_name: impl Into<String>) -> Self {
        self.body.model_name = Some(model_name.into());
        self
    }

    /// Limits the config to this provider. A config cannot be set back to "every
    /// provider"; delete and recreate it instead.
    pub fn set_provider(mut self, provider: impl Into<String>) -> Self {
        let provider = provider.into();
        self.deferred.check(non_empty("provider", &provider));
        self.body.provider = Some(provider);
        self
    }

    update_limit_setters!("model config", "all four fields are overwritten.");

    /// Validates, then updates the config. With budgets, the server version is
    /// read first (once per client) to choose between `budget` and `budgets`.
    pub async fn send(self) -> Result<ModelConfig> {
        self.deferred.into_result()?;
        non_empty("model config id", &self.id)?;
        let b = self.body;
        self.limits.check()?;
        let needed = self.limits.capabilities();
        let model_name = b
            .model_name
            .map(|n| constrained("model name", n))
            .transpose()?;
        require_all(&self.client, needed).await?;
        let budgets = owner_update_budgets(
            &self.client,
            self.limits.budgets.as_ref(),
            self.limits.calendar_aligned,
        )
        .await?;
        let body = types::UpdateModelConfigRequest {
            model_name,
            provider: b.provider,
            budget: budgets.single,
            budgets: budgets.list,
            rate_limit: self.limits.rate_limit,
            calendar_aligned: self.limits.calendar_aligned,
            reset_budget_usage: self.limits.reset_budget_usage,
        };
        let response = call(
            "update_model_config",
            self.client
                .raw()
                .update_model_config()
                .mc_id(&self.id)
                .body(body)
                .send(),
        )
        .await?;
        Ok(response.model_config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::BudgetSpec;
    use crate::period::ResetPeriod;

    fn handle() -> ModelConfigs {
        ModelConfigs::new(Client::builder().build().unwrap())
    }

    #[test]
    fn the_last_scope_wins() {
        let create = handle()
            .create("gpt-4o")
            .scope(Scope::VirtualKey("vk-1".into()))
            .scope(Scope::Global);
        assert_eq!(create.scope, Some(Scope::Global));
    }

    #[test]
    fn empty_ids_and_providers_are_deferred_to_send() {
        let create = handle()
            .create("gpt-4o")
            .scope(Scope::VirtualKey(" ".into()));
        assert_eq!(create.deferred.into_result().unwrap_err().field, "scope id");
        let create = handle().create("gpt-4o").scope(Scope::Team("t".into()));
        assert_eq!(create.deferred.into_result().unwrap_err().field, "scope");
        let create = handle().create("gpt-4o").provider("");
        assert_eq!(create.deferred.into_result().unwrap_err().field, "provider");
        let update = handle().update("mc-1").set_provider("");
        assert_eq!(update.deferred.into_result().unwrap_err().field, "provider");
    }

    #[test]
    fn a_repeated_budget_period_is_deferred_to_send() {
        let create = handle()
            .create("gpt-4o")
            .budget(BudgetSpec::new(1.0, ResetPeriod::weeks(1)).unwrap())
            .budget(BudgetSpec::new(2.0, ResetPeriod::days(7)).unwrap());
        assert_eq!(create.limits.budgets.len(), 1);
        assert_eq!(create.deferred.into_result().unwrap_err().field, "budgets");
    }
}
