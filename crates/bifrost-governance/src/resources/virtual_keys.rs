//! Virtual keys: the `sk-bf-…` credentials applications send to Bifrost.

use std::collections::{BTreeMap, HashMap};

use bifrost_governance_client::secret::SecretString;
use bifrost_governance_client::types::{self, VirtualKey};
use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{Deferred, LimitsCreate, LimitsUpdate, constrained, non_empty, page};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::{Error, InvalidInput, Result};
use crate::limits::{Budgets, RateLimit};
use crate::pagination::{List, ListSource, Page};
use crate::transport::{call, call_delete};

/// Sort direction of a virtual-key list.
pub use types::SortOrder as Order;
/// Sort column of a virtual-key list.
pub use types::VirtualKeySortBy as SortBy;

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
    /// use bifrost_governance::resources::virtual_keys::{Order, SortBy};
    ///
    /// let top_spenders = client
    ///     .virtual_keys()
    ///     .list()
    ///     .team_id("team-uuid")
    ///     .sort_by(SortBy::BudgetSpent)
    ///     .order(Order::Desc)
    ///     .max_items(10)
    ///     .collect_all()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> List<VirtualKeyQuery> {
        List::new(self.client.clone(), VirtualKeyQuery::default())
    }

    /// Reads one key by id (the UUID, not the `sk-bf-…` value).
    pub async fn get(&self, id: &str) -> Result<VirtualKey> {
        non_empty("virtual key id", id)?;
        let response = call(
            "get_virtual_key",
            self.client.raw().get_virtual_key().vk_id(id).send(),
        )
        .await?;
        Ok(response.virtual_key)
    }

    /// Starts creating a key named `name`. A key may use nothing it is not given:
    /// add at least one [`ProviderConfig`].
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{Budget, Budgets, RateLimit, ResetPeriod};
    /// use bifrost_governance::resources::virtual_keys::ProviderConfig;
    ///
    /// let key = client
    ///     .virtual_keys()
    ///     .create("checkout-service")
    ///     .team_id("team-uuid")
    ///     .budgets(Budgets::try_from([
    ///         Budget::new(10.0, ResetPeriod::days(1))?,
    ///         Budget::new(200.0, ResetPeriod::months(1))?,
    ///     ])?)
    ///     .rate_limit(RateLimit::builder().requests(60, ResetPeriod::minutes(1)).build()?)
    ///     .provider_config(ProviderConfig::new("openai").models(["gpt-4o", "gpt-4o-mini"]))
    ///     .send()
    ///     .await?;
    /// let secret = key.value.as_ref().map(|v| v.expose_secret());
    /// # let _ = secret; Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateVirtualKey {
        CreateVirtualKey {
            client: self.client.clone(),
            name: name.into(),
            description: None,
            assignment: None,
            limits: LimitsCreate::default(),
            provider_configs: Vec::new(),
            mcp_configs: Vec::new(),
            is_active: None,
            expires_at: None,
            metadata: None,
            deferred: Deferred::default(),
        }
    }

    /// Starts updating key `id`; only what is set is sent. On v1.x servers, where a
    /// PUT without `team_id`/`customer_id` drops the assignment, the current one is
    /// read and sent again unless the update changes it.
    pub fn update(&self, id: impl Into<String>) -> UpdateVirtualKey {
        UpdateVirtualKey {
            client: self.client.clone(),
            id: id.into(),
            body: UpdateBody::default(),
            limits: LimitsUpdate::default(),
            deferred: Deferred::default(),
        }
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
        id: &str,
        edit: impl FnOnce(&mut VirtualKeyEdit),
    ) -> Result<VirtualKey> {
        let current = self.get(id).await?;
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
                .vk_id(id)
                .body(body)
                .send(),
        )
        .await?;
        Ok(response.virtual_key)
    }

    /// Deletes a key with its budgets, rate limit and configs.
    pub async fn delete(&self, id: &str) -> Result<()> {
        non_empty("virtual key id", id)?;
        call_delete(
            "delete_virtual_key",
            self.client.raw().delete_virtual_key().vk_id(id).send(),
        )
        .await
    }

    /// Gives the key a new secret value, keeping its configuration. Never retried
    /// once sent (a retry would rotate twice).
    pub async fn rotate(&self, id: &str) -> Result<VirtualKey> {
        non_empty("virtual key id", id)?;
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

/// Filters of a virtual-key list.
#[derive(Debug, Clone, Default)]
pub struct VirtualKeyQuery {
    search: Option<String>,
    customer_id: Option<String>,
    team_id: Option<String>,
    sort_by: Option<SortBy>,
    order: Option<Order>,
}

impl ListSource for VirtualKeyQuery {
    type Item = VirtualKey;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<VirtualKey>>> {
        let q = self.clone();
        async move {
            let mut request = client
                .raw()
                .list_virtual_keys()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(v) = q.search {
                request = request.search(v);
            }
            if let Some(v) = q.customer_id {
                request = request.customer_id(v);
            }
            if let Some(v) = q.team_id {
                request = request.team_id(v);
            }
            if let Some(v) = q.sort_by {
                request = request.sort_by(v);
            }
            if let Some(v) = q.order {
                request = request.order(v);
            }
            let list = call("list_virtual_keys", request.send()).await?;
            Ok(page(
                list.virtual_keys,
                list.total_count,
                list.limit,
                list.offset,
            ))
        }
        .boxed()
    }

    fn id(item: &VirtualKey) -> &str {
        &item.id
    }
}

impl List<VirtualKeyQuery> {
    /// Only keys whose name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only keys of this customer (OR-ed with [`team_id`](Self::team_id) by the server).
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.source.customer_id = Some(id.into());
        self
    }

    /// Only keys of this team (OR-ed with [`customer_id`](Self::customer_id) by the server).
    pub fn team_id(mut self, id: impl Into<String>) -> Self {
        self.source.team_id = Some(id.into());
        self
    }

    /// Sort column (`BudgetSpent` is the highest usage among the key's budgets).
    pub fn sort_by(mut self, column: SortBy) -> Self {
        self.source.sort_by = Some(column);
        self
    }

    /// Sort direction; applies together with [`sort_by`](Self::sort_by).
    pub fn order(mut self, order: Order) -> Self {
        self.source.order = Some(order);
        self
    }
}

/// Which models, keys or tools an entry allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Everything (sent as `["*"]`).
    All,
    /// Only these (an empty list allows nothing).
    Only(Vec<String>),
}

impl Selection {
    fn to_wire(&self) -> Vec<String> {
        match self {
            Selection::All => vec!["*".to_string()],
            Selection::Only(items) => items.clone(),
        }
    }

    fn from_wire(items: Option<&Vec<String>>) -> Self {
        match items {
            Some(items) if items.iter().any(|i| i == "*") => Selection::All,
            Some(items) => Selection::Only(items.clone()),
            None => Selection::Only(Vec::new()),
        }
    }

    fn only<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Self {
        Selection::Only(items.into_iter().map(Into::into).collect())
    }
}

/// What a virtual key may do with one provider.
///
/// New configs allow every model and every provider key of the provider; narrow
/// them with [`models`](Self::models) and [`keys`](Self::keys).
///
/// ```
/// use bifrost_governance::resources::virtual_keys::ProviderConfig;
///
/// let openai = ProviderConfig::new("openai").models(["gpt-4o"]).block_models(["gpt-4o-audio"]).weight(0.7);
/// assert_eq!(openai.provider(), "openai");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    id: Option<i64>,
    provider: String,
    weight: Option<f64>,
    models: Selection,
    blocked_models: Vec<String>,
    keys: Selection,
    budgets: Option<Budgets>,
    rate_limit: Option<RateLimit>,
}

impl ProviderConfig {
    /// Access to `provider` (a configured provider name such as `openai`).
    pub fn new(provider: impl Into<String>) -> Self {
        Self {
            id: None,
            provider: provider.into(),
            weight: None,
            models: Selection::All,
            blocked_models: Vec::new(),
            keys: Selection::All,
            budgets: None,
            rate_limit: None,
        }
    }

    /// The config as the server holds it, keeping its row id and selections
    /// (`allow_all_keys` becomes [`Selection::All`]).
    pub fn from_existing(config: &types::ProviderConfig) -> Self {
        let keys = if config.allow_all_keys == Some(true) {
            Selection::All
        } else {
            Selection::Only(
                config
                    .keys
                    .iter()
                    .flatten()
                    .filter_map(|k| k.key_id.clone())
                    .collect(),
            )
        };
        Self {
            id: config.id,
            provider: config.provider.clone().unwrap_or_default(),
            weight: config.weight,
            models: Selection::from_wire(config.allowed_models.as_ref()),
            blocked_models: config.blacklisted_models.clone().unwrap_or_default(),
            keys,
            budgets: None,
            rate_limit: None,
        }
    }

    /// The provider name.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The server's row id, for configs read from the server.
    pub fn id(&self) -> Option<i64> {
        self.id
    }

    /// Allows only these models.
    pub fn models<I: IntoIterator<Item = S>, S: Into<String>>(mut self, models: I) -> Self {
        self.models = Selection::only(models);
        self
    }

    /// Allows every model of the provider (the default).
    pub fn all_models(mut self) -> Self {
        self.models = Selection::All;
        self
    }

    /// Blocks these models even when the allow list would let them through.
    pub fn block_models<I: IntoIterator<Item = S>, S: Into<String>>(mut self, models: I) -> Self {
        self.blocked_models = models.into_iter().map(Into::into).collect();
        self
    }

    /// Allows only these provider keys (their `key_id` UUIDs).
    pub fn keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, key_ids: I) -> Self {
        self.keys = Selection::only(key_ids);
        self
    }

    /// Allows every key of the provider (the default).
    pub fn all_keys(mut self) -> Self {
        self.keys = Selection::All;
        self
    }

    /// Load-balancing weight among the key's providers.
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = Some(weight);
        self
    }

    /// Budgets of this provider for this key (replaces the config's whole set).
    pub fn budgets(mut self, budgets: Budgets) -> Self {
        self.budgets = Some(budgets);
        self
    }

    /// Rate limit of this provider for this key.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    fn to_request(&self) -> Result<types::ProviderConfigRequest, InvalidInput> {
        if let Some(weight) = self.weight
            && (!weight.is_finite() || weight < 0.0)
        {
            return Err(InvalidInput::new(
                "provider_configs weight",
                format!("{weight} must be a finite, non-negative number"),
            ));
        }
        Ok(types::ProviderConfigRequest {
            id: self.id,
            provider: constrained(
                "provider_configs provider",
                self.provider.trim().to_string(),
            )?,
            weight: self.weight,
            allowed_models: Some(self.models.to_wire()),
            blacklisted_models: Some(self.blocked_models.clone()),
            key_ids: Some(self.keys.to_wire()),
            budgets: self.budgets.as_ref().map(|b| b.to_requests(None)),
            rate_limit: self.rate_limit.as_ref().map(RateLimit::to_request),
        })
    }
}

/// Converts every provider config, failing on the first invalid one.
fn provider_requests(
    configs: &[ProviderConfig],
) -> Result<Vec<types::ProviderConfigRequest>, InvalidInput> {
    configs.iter().map(ProviderConfig::to_request).collect()
}

/// Converts every MCP config, failing on the first invalid one.
fn mcp_requests(configs: &[McpConfig]) -> Result<Vec<types::McpConfigRequest>, InvalidInput> {
    configs.iter().map(McpConfig::to_request).collect()
}

/// Which tools of one MCP client a key may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpConfig {
    id: Option<i64>,
    client_name: String,
    tools: Selection,
}

impl McpConfig {
    /// Every tool of the MCP client named `client_name`.
    pub fn new(client_name: impl Into<String>) -> Self {
        Self {
            id: None,
            client_name: client_name.into(),
            tools: Selection::All,
        }
    }

    /// The config as the server holds it.
    pub fn from_existing(config: &types::McpConfig) -> Self {
        let name = config
            .mcp_client
            .as_ref()
            .and_then(|c| c.name.clone())
            .or_else(|| config.mcp_client_name.clone())
            .unwrap_or_default();
        Self {
            id: config.id,
            client_name: name,
            tools: Selection::from_wire(config.tools_to_execute.as_ref()),
        }
    }

    /// Allows only these tools.
    pub fn tools<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tools: I) -> Self {
        self.tools = Selection::only(tools);
        self
    }

    /// The MCP client's name.
    pub fn client_name(&self) -> &str {
        &self.client_name
    }

    fn to_request(&self) -> Result<types::McpConfigRequest, InvalidInput> {
        Ok(types::McpConfigRequest {
            id: self.id,
            mcp_client_name: constrained("mcp_configs client name", self.client_name.clone())?,
            tools_to_execute: Some(self.tools.to_wire()),
        })
    }
}

/// Who a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    /// Neither a team nor a customer.
    Unassigned,
    /// A team (by id).
    Team(String),
    /// A customer (by id).
    Customer(String),
}

impl Assignment {
    fn of(key: &VirtualKey) -> Self {
        let present = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        match (present(&key.team_id), present(&key.customer_id)) {
            (Some(team), _) => Assignment::Team(team),
            (None, Some(customer)) => Assignment::Customer(customer),
            (None, None) => Assignment::Unassigned,
        }
    }

    /// `(team_id, customer_id)` to send. `legacy` servers clear both when both are
    /// omitted; newer ones clear both on `""` and keep them when omitted.
    fn wire(&self, legacy: bool) -> (Option<String>, Option<String>) {
        match self {
            Assignment::Team(id) => (Some(id.clone()), None),
            Assignment::Customer(id) => (None, Some(id.clone())),
            Assignment::Unassigned if legacy => (None, None),
            Assignment::Unassigned => (Some(String::new()), None),
        }
    }
}

/// The editable state of a key inside [`VirtualKeys::patch`]. Fields start as
/// the server has them; what is left alone is not sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VirtualKeyEdit {
    current: VirtualKey,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether the key works.
    pub is_active: bool,
    /// Team or customer.
    pub assignment: Assignment,
    /// Provider access, with the server's row ids.
    pub provider_configs: Vec<ProviderConfig>,
    /// MCP access, with the server's row ids.
    pub mcp_configs: Vec<McpConfig>,
    /// `Some` replaces the key's whole budget set; `None` leaves it alone.
    pub budgets: Option<Budgets>,
    /// `Some(Some(limit))` sets (merging, as the server does for keys),
    /// `Some(None)` removes, `None` leaves the rate limit alone.
    pub rate_limit: Option<Option<RateLimit>>,
    /// `Some` replaces the metadata map; `None` leaves it alone.
    pub metadata: Option<HashMap<String, String>>,
}

impl VirtualKeyEdit {
    fn from_current(current: VirtualKey) -> Self {
        Self {
            name: current.name.clone(),
            description: current.description.clone().unwrap_or_default(),
            is_active: current.is_active.unwrap_or(true),
            assignment: Assignment::of(&current),
            provider_configs: current
                .provider_configs
                .iter()
                .flatten()
                .map(ProviderConfig::from_existing)
                .collect(),
            mcp_configs: current
                .mcp_configs
                .iter()
                .flatten()
                .map(McpConfig::from_existing)
                .collect(),
            budgets: None,
            rate_limit: None,
            metadata: None,
            current,
        }
    }

    /// The key as read from the server (budgets, rate limit, usage…).
    pub fn current(&self) -> &VirtualKey {
        &self.current
    }

    fn into_request(self, original: &Self, legacy: bool) -> Result<types::UpdateVirtualKeyRequest> {
        let changed = |a: bool| a.then_some(());
        let (team_id, customer_id) = self.assignment.wire(legacy);
        let keep_assignment =
            self.assignment == original.assignment && self.assignment == Assignment::Unassigned;
        Ok(types::UpdateVirtualKeyRequest {
            name: changed(self.name != original.name)
                .map(|()| constrained("virtual key name", self.name.clone()))
                .transpose()?,
            description: changed(self.description != original.description)
                .map(|()| self.description.clone()),
            is_active: changed(self.is_active != original.is_active).map(|()| self.is_active),
            // Always repeated: v1.x drops an assignment a PUT does not mention.
            team_id: if keep_assignment { None } else { team_id },
            customer_id: if keep_assignment { None } else { customer_id },
            provider_configs: changed(self.provider_configs != original.provider_configs)
                .map(|()| provider_requests(&self.provider_configs))
                .transpose()?,
            mcp_configs: changed(self.mcp_configs != original.mcp_configs)
                .map(|()| mcp_requests(&self.mcp_configs))
                .transpose()?,
            budgets: self.budgets.as_ref().map(|b| b.to_requests(None)),
            rate_limit: self.rate_limit.as_ref().map(|r| {
                r.as_ref()
                    .map_or_else(RateLimit::removal, RateLimit::to_request)
            }),
            metadata: self.metadata.clone(),
            calendar_aligned: None,
            expires_at: None,
            reset_budget_usage: None,
        })
    }
}

/// Builder returned by [`VirtualKeys::create`].
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreateVirtualKey {
    client: Client,
    name: String,
    description: Option<String>,
    assignment: Option<Assignment>,
    limits: LimitsCreate,
    provider_configs: Vec<ProviderConfig>,
    mcp_configs: Vec<McpConfig>,
    is_active: Option<bool>,
    expires_at: Option<DateTime<Utc>>,
    metadata: Option<HashMap<String, String>>,
    deferred: Deferred,
}

impl CreateVirtualKey {
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

    /// Puts the key in a team (exclusive with [`customer_id`](Self::customer_id)).
    pub fn team_id(self, id: impl Into<String>) -> Self {
        self.assign(Assignment::Team(id.into()))
    }

    /// Gives the key to a customer (exclusive with [`team_id`](Self::team_id)).
    pub fn customer_id(self, id: impl Into<String>) -> Self {
        self.assign(Assignment::Customer(id.into()))
    }

    create_limit_setters!("key");

    /// Adds access to a provider.
    pub fn provider_config(mut self, config: ProviderConfig) -> Self {
        self.provider_configs.push(config);
        self
    }

    /// Adds access to an MCP client's tools.
    pub fn mcp_config(mut self, config: McpConfig) -> Self {
        self.mcp_configs.push(config);
        self
    }

    /// Creates the key disabled (`false`) or enabled (default).
    pub fn active(mut self, active: bool) -> Self {
        self.is_active = Some(active);
        self
    }

    /// The key stops working at this time (must be in the future; v1.6+ servers).
    pub fn expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Adds a metadata entry (v2.3+ servers).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Validates, then creates the key; the response carries its secret value.
    /// Not retried once the request may have reached the server.
    pub async fn send(self) -> Result<VirtualKey> {
        self.deferred.into_result()?;
        self.limits.check()?;
        if let Some(at) = self.expires_at
            && at <= Utc::now()
        {
            return Err(
                InvalidInput::new("expires_at", format!("{at} is not in the future")).into(),
            );
        }
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
            metadata: self.metadata,
        };
        let response = call(
            "create_virtual_key",
            self.client.raw().create_virtual_key().body(body).send(),
        )
        .await?;
        Ok(response.virtual_key)
    }
}

#[derive(Debug, Default)]
struct UpdateBody {
    name: Option<String>,
    description: Option<String>,
    is_active: Option<bool>,
    assignment: Option<Assignment>,
    provider_configs: Option<Vec<ProviderConfig>>,
    mcp_configs: Option<Vec<McpConfig>>,
    expires_at: Option<String>,
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
    pub fn set_active(mut self, active: bool) -> Self {
        self.body.is_active = Some(active);
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
    /// budgets. Keep existing rows with [`ProviderConfig::from_existing`].
    pub fn set_provider_configs(mut self, configs: Vec<ProviderConfig>) -> Self {
        self.body.provider_configs = Some(configs);
        self
    }

    /// Deletes every provider config (the key can then use no provider).
    pub fn clear_provider_configs(self) -> Self {
        self.set_provider_configs(Vec::new())
    }

    /// Replaces every MCP config.
    pub fn set_mcp_configs(mut self, configs: Vec<McpConfig>) -> Self {
        self.body.mcp_configs = Some(configs);
        self
    }

    /// Deletes every MCP config.
    pub fn clear_mcp_configs(self) -> Self {
        self.set_mcp_configs(Vec::new())
    }

    /// Sets the expiry (v1.6+ servers).
    pub fn set_expires_at(mut self, at: DateTime<Utc>) -> Self {
        self.body.expires_at = Some(at.to_rfc3339());
        self
    }

    /// Removes the expiry.
    pub fn clear_expiry(mut self) -> Self {
        self.body.expires_at = Some(String::new());
        self
    }

    /// Replaces the metadata map (`{}` empties it).
    pub fn set_metadata(mut self, metadata: HashMap<String, String>) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Validates, then updates the key.
    pub async fn send(self) -> Result<VirtualKey> {
        self.deferred.into_result()?;
        non_empty("virtual key id", &self.id)?;
        let b = self.body;
        self.limits.check()?;
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
            expires_at: b.expires_at,
            metadata: b.metadata,
            calendar_aligned: self.limits.calendar_aligned,
            reset_budget_usage: self.limits.reset_budget_usage,
        };
        let legacy = !self
            .client
            .supports(Capability::AssignmentKeptOnUpdate)
            .await?;
        let assignment = match b.assignment {
            Some(assignment) => Some(assignment),
            // Repeat the current assignment, or a v1.x server would drop it.
            None if legacy => Some(Assignment::of(
                &VirtualKeys::new(self.client.clone()).get(&self.id).await?,
            )),
            None => None,
        };
        (body.team_id, body.customer_id) = assignment.map_or((None, None), |a| a.wire(legacy));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored_key() -> VirtualKey {
        serde_json::from_value(json!({
            "id": "vk-1", "name": "svc", "value": "sk-bf-secret", "team_id": "team-1",
            "provider_configs": [
                {"id": 7, "provider": "openai", "weight": 1.0, "allowed_models": ["gpt-4o"], "allow_all_keys": true, "keys": []},
                {"id": 8, "provider": "anthropic", "allowed_models": ["*"], "allow_all_keys": false,
                 "keys": [{"id": 1, "key_id": "key-a"}, {"id": 2, "key_id": "key-b"}]}
            ],
            "mcp_configs": [{"id": 3, "mcp_client": {"name": "github"}, "tools_to_execute": ["search"]}],
            "budgets": [{"id": "b1", "max_limit": 5, "reset_duration": "1d"}]
        }))
        .unwrap()
    }

    fn patched(edit: impl FnOnce(&mut VirtualKeyEdit), legacy: bool) -> serde_json::Value {
        let mut draft = VirtualKeyEdit::from_current(stored_key());
        let original = draft.clone();
        edit(&mut draft);
        serde_json::to_value(draft.into_request(&original, legacy).unwrap()).unwrap()
    }

    #[test]
    fn untouched_patch_only_repeats_the_assignment() {
        assert_eq!(patched(|_| {}, true), json!({"team_id": "team-1"}));
        assert_eq!(patched(|_| {}, false), json!({"team_id": "team-1"}));
    }

    #[test]
    fn provider_change_resends_every_config_with_ids_and_key_selection() {
        let body = patched(
            |vk| vk.provider_configs[0] = vk.provider_configs[0].clone().weight(0.5),
            false,
        );
        assert_eq!(
            body["provider_configs"],
            json!([
                {"id": 7, "provider": "openai", "weight": 0.5, "allowed_models": ["gpt-4o"], "blacklisted_models": [], "key_ids": ["*"]},
                {"id": 8, "provider": "anthropic", "allowed_models": ["*"], "blacklisted_models": [], "key_ids": ["key-a", "key-b"]}
            ])
        );
        assert!(body.get("budgets").is_none() && body.get("mcp_configs").is_none());
        assert_eq!(body["team_id"], "team-1");
    }

    #[test]
    fn unassigning_differs_by_server_generation() {
        let v2 = patched(|vk| vk.assignment = Assignment::Unassigned, false);
        assert_eq!(v2, json!({"team_id": ""}));
        let v1 = patched(|vk| vk.assignment = Assignment::Unassigned, true);
        assert_eq!(v1, json!({}));
    }

    #[test]
    fn reassigning_to_a_customer_sends_only_the_customer() {
        let body = patched(
            |vk| vk.assignment = Assignment::Customer("cust-9".into()),
            true,
        );
        assert_eq!(body, json!({"customer_id": "cust-9"}));
    }

    #[test]
    fn budgets_and_rate_limit_are_sent_only_when_set() {
        let body = patched(
            |vk| {
                vk.budgets = Some(Budgets::new());
                vk.rate_limit = Some(None);
                vk.is_active = false;
            },
            false,
        );
        assert_eq!(
            body,
            json!({"team_id": "team-1", "budgets": [], "rate_limit": {}, "is_active": false})
        );
    }

    #[test]
    fn mcp_configs_keep_their_ids_and_names() {
        let body = patched(
            |vk| {
                vk.mcp_configs
                    .push(McpConfig::new("filesystem").tools(["read"]))
            },
            false,
        );
        assert_eq!(
            body["mcp_configs"],
            json!([
                {"id": 3, "mcp_client_name": "github", "tools_to_execute": ["search"]},
                {"mcp_client_name": "filesystem", "tools_to_execute": ["read"]}
            ])
        );
    }

    #[test]
    fn invalid_weight_is_refused() {
        let mut draft = VirtualKeyEdit::from_current(stored_key());
        let original = draft.clone();
        draft.provider_configs[0] = draft.provider_configs[0].clone().weight(f64::NAN);
        assert!(draft.into_request(&original, false).is_err());
    }

    #[test]
    fn selections_round_trip_the_wire_form() {
        assert_eq!(
            Selection::from_wire(Some(&vec!["*".into()])),
            Selection::All
        );
        assert_eq!(Selection::All.to_wire(), vec!["*"]);
        assert_eq!(Selection::from_wire(None), Selection::Only(vec![]));
    }
}
