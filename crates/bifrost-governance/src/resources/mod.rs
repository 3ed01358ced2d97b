//! Resource handles, one module per resource, and what they share.

/// The budget and rate-limit setters of every create builder (teams, customers,
/// model configs, virtual keys), over a `limits: LimitsCreate` and a
/// `deferred: Deferred` field.
macro_rules! create_limit_setters {
    ($owner:literal) => {
        #[doc = concat!("Adds a budget to the ", $owner, " (each period at most once).")]
        pub fn budget(mut self, budget: $crate::BudgetSpec) -> Self {
            let result = self.limits.add_budget(budget);
            self.deferred.check(result);
            self
        }

        #[doc = concat!("Sets all budgets of the ", $owner, " at once.")]
        pub fn budgets(mut self, budgets: $crate::BudgetSpecs) -> Self {
            self.limits.budgets = budgets;
            self
        }

        #[doc = concat!("Sets the rate limit of the ", $owner, ".")]
        pub fn rate_limit(mut self, limit: $crate::RateLimitSpec) -> Self {
            self.limits.rate_limit = Some(limit);
            self
        }

        /// Starts budget periods at calendar boundaries (days at midnight UTC, weeks
        /// on Monday, months on the 1st); every budget period must then end in `d`,
        /// `w`, `M`, `Q` or `Y`, since the server silently ignores the others.
        pub fn calendar_aligned(mut self, aligned: bool) -> Self {
            self.limits.calendar_aligned = Some(aligned);
            self
        }
    };
}

/// The budget and rate-limit setters of every update builder (teams, customers,
/// model configs, providers, virtual keys), over a `limits: LimitsUpdate` field.
/// `$rate_limit` says how the server applies a new rate limit to this owner.
macro_rules! update_limit_setters {
    ($owner:literal, $rate_limit:literal) => {
        #[doc = concat!(
            "Replaces the whole budget set of the ", $owner, ": budgets whose period is ",
            "not listed are deleted, listed periods keep their usage."
        )]
        pub fn set_budgets(mut self, budgets: $crate::BudgetSpecs) -> Self {
            self.limits.budgets = Some(budgets);
            self
        }

        #[doc = concat!("Deletes every budget of the ", $owner, ".")]
        pub fn clear_budgets(self) -> Self {
            self.set_budgets($crate::BudgetSpecs::new())
        }

        #[doc = concat!("Sets the rate limit of the ", $owner, "; ", $rate_limit)]
        pub fn set_rate_limit(mut self, limit: $crate::RateLimitSpec) -> Self {
            self.limits.rate_limit = Some(limit.to_request());
            self
        }

        #[doc = concat!("Removes the rate limit of the ", $owner, " (`rate_limit: {}`).")]
        pub fn clear_rate_limit(mut self) -> Self {
            self.limits.rate_limit = Some($crate::RateLimitSpec::removal());
            self
        }

        /// Turns calendar alignment on or off (turning it on resets usage to the
        /// start of the current period).
        pub fn calendar_aligned(mut self, aligned: bool) -> Self {
            self.limits.calendar_aligned = Some(aligned);
            self
        }

        #[doc = concat!("Sets the usage of the ", $owner, "'s budgets back to zero (v2.x servers).")]
        pub fn reset_budget_usage(mut self) -> Self {
            self.limits.reset_budget_usage = Some(true);
            self
        }
    };
}

pub mod budgets;
pub mod customers;
pub mod model_configs;
pub mod pricing_overrides;
pub mod providers;
pub mod rate_limits;
pub mod routing_rules;
mod scope;
pub mod teams;
pub mod virtual_keys;

use bifrost_governance_client::types;

use crate::capability::Capability;
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::limits::BudgetSpecs;
use crate::pagination::Page;
pub use scope::Scope;

/// Builds a [`Page`] from the fields every list envelope shares.
pub(crate) fn page<T>(
    items: Option<Vec<T>>,
    total_count: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Page<T> {
    let items = items.unwrap_or_default();
    let offset = offset.unwrap_or(0).max(0) as u64;
    // Servers that predate paging send no total: the page is then everything.
    let total_count = total_count.map_or(offset + items.len() as u64, |t| t.max(0) as u64);
    let limit = limit.map_or(items.len() as u64, |l| l.max(0) as u64);
    Page {
        items,
        total_count,
        limit,
        offset,
    }
}

/// Refuses an empty id or name before anything is sent.
pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    if value.trim().is_empty() {
        Err(InvalidInput::new(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// Converts a string into a constrained generated newtype (e.g. a non-empty name).
pub(crate) fn constrained<T: TryFrom<String>>(
    field: &'static str,
    value: String,
) -> Result<T, InvalidInput> {
    non_empty(field, &value)?;
    T::try_from(value)
        .map_err(|_| InvalidInput::new(field, "does not satisfy the API's constraints"))
}

/// Asks for each capability a request needs, so that a server without one fails
/// the call with [`Error::Unsupported`](crate::Error::Unsupported) before anything
/// is sent, instead of ignoring a field or answering 404.
pub(crate) async fn require_all(
    client: &Client,
    needed: impl IntoIterator<Item = Capability>,
) -> Result<()> {
    for capability in needed {
        client.require(capability).await?;
    }
    Ok(())
}

/// Budgets for owners that v1.x servers limit to one `budget` (customers, model
/// configs, providers); v2.x takes the `budgets` list. Several budgets for a v1.x
/// server are [`Error::Unsupported`](crate::Error::Unsupported).
pub(crate) struct OwnerBudgets {
    pub(crate) single: Option<types::CreateBudgetRequest>,
    pub(crate) list: Option<Vec<types::CreateBudgetRequest>>,
}

pub(crate) async fn owner_budgets(
    client: &Client,
    budgets: &BudgetSpecs,
    calendar_aligned: Option<bool>,
) -> Result<OwnerBudgets> {
    budgets.check_alignable(calendar_aligned)?;
    let mut requests = budgets.to_requests(calendar_aligned);
    // v2.x reads `budgets` (and still the singular alias); v1.x silently drops
    // `budgets` and keeps one `budget`.
    if client.supports(Capability::MultiBudgetOwners).await? {
        return Ok(OwnerBudgets {
            single: None,
            list: Some(requests),
        });
    }
    if requests.len() > 1 {
        client.require(Capability::MultiBudgetOwners).await?;
    }
    Ok(OwnerBudgets {
        single: requests.pop(),
        list: None,
    })
}

/// The `{}` that removes a legacy single budget.
pub(crate) fn budget_removal() -> types::UpdateBudgetRequest {
    types::UpdateBudgetRequest {
        max_limit: None,
        reset_duration: None,
        calendar_aligned: None,
        reset_config: None,
    }
}

/// Budgets and rate limit collected by a create builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct LimitsCreate {
    pub(crate) budgets: BudgetSpecs,
    pub(crate) rate_limit: Option<crate::RateLimitSpec>,
    pub(crate) calendar_aligned: Option<bool>,
}

impl LimitsCreate {
    /// Adds a budget unless the set already has its period.
    fn add_budget(&mut self, budget: crate::BudgetSpec) -> Result<(), InvalidInput> {
        self.budgets = self.budgets.clone().with(budget)?;
        Ok(())
    }

    /// Refuses alignment the server would ignore.
    pub(crate) fn check(&self) -> Result<(), InvalidInput> {
        self.budgets.check_alignable(self.calendar_aligned)
    }

    /// The budgets to send, if any.
    pub(crate) fn budget_requests(&self) -> Option<Vec<types::CreateBudgetRequest>> {
        (!self.budgets.is_empty()).then(|| self.budgets.to_requests(self.calendar_aligned))
    }

    /// What the server must support for these limits.
    pub(crate) fn capabilities(&self) -> Vec<Capability> {
        let mut needed = Vec::new();
        if self.budgets.needs_quarterly() {
            needed.push(Capability::QuarterlyBudgets);
        }
        needed
    }

    /// The rate limit to send, if any.
    pub(crate) fn rate_limit_request(&self) -> Option<types::RateLimitRequest> {
        self.rate_limit
            .as_ref()
            .map(crate::RateLimitSpec::to_request)
    }
}

/// Budget and rate-limit changes collected by an update builder; `None` fields are
/// not sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct LimitsUpdate {
    pub(crate) budgets: Option<BudgetSpecs>,
    pub(crate) rate_limit: Option<types::RateLimitRequest>,
    pub(crate) calendar_aligned: Option<bool>,
    pub(crate) reset_budget_usage: Option<bool>,
}

impl LimitsUpdate {
    /// Refuses alignment the server would ignore.
    pub(crate) fn check(&self) -> Result<(), InvalidInput> {
        match &self.budgets {
            Some(budgets) => budgets.check_alignable(self.calendar_aligned),
            None => Ok(()),
        }
    }

    /// What the server must support for these changes.
    pub(crate) fn capabilities(&self) -> Vec<Capability> {
        let mut needed = Vec::new();
        if self
            .budgets
            .as_ref()
            .is_some_and(BudgetSpecs::needs_quarterly)
        {
            needed.push(Capability::QuarterlyBudgets);
        }
        if self.reset_budget_usage.is_some() {
            needed.push(Capability::BudgetUsageReset);
        }
        needed
    }

    /// The complete budget list to send, for owners that always take `budgets`.
    pub(crate) fn budget_requests(&self) -> Option<Vec<types::CreateBudgetRequest>> {
        self.budgets
            .as_ref()
            .map(|set| set.to_requests(self.calendar_aligned))
    }
}

/// What the create builder of a budget owner checks before any request: the
/// deferred setter errors, calendar alignment and the name (behind each builder's
/// public `validate`).
pub(crate) fn check_owner_create<T: TryFrom<String>>(
    deferred: &Deferred,
    limits: &LimitsCreate,
    name_field: &'static str,
    name: &str,
) -> Result<(), InvalidInput> {
    deferred.clone().into_result()?;
    limits.check()?;
    constrained::<T>(name_field, name.to_string()).map(|_| ())
}

/// Collects the first validation error of a fluent builder, reported by `send`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Deferred(Option<InvalidInput>);

impl Deferred {
    pub(crate) fn check(&mut self, result: Result<(), InvalidInput>) {
        if let (None, Err(e)) = (&self.0, result) {
            self.0 = Some(e);
        }
    }

    pub(crate) fn into_result(self) -> Result<(), InvalidInput> {
        self.0.map_or(Ok(()), Err)
    }
}

/// [`owner_budgets`] for a create: nothing is sent (and no version is asked) when
/// the set is empty.
pub(crate) async fn owner_create_budgets(
    client: &Client,
    budgets: &BudgetSpecs,
    calendar_aligned: Option<bool>,
) -> Result<OwnerBudgets> {
    if budgets.is_empty() {
        return Ok(OwnerBudgets {
            single: None,
            list: None,
        });
    }
    owner_budgets(client, budgets, calendar_aligned).await
}

/// Budget fields of an update of an owner limited to one `budget` on v1.x servers
/// (customers, model configs, providers).
#[derive(Debug, Default)]
pub(crate) struct OwnerBudgetUpdate {
    /// v1.x: the single budget (`{}` deletes it).
    pub(crate) single: Option<types::UpdateBudgetRequest>,
    /// v2.x: the complete set (`[]` deletes every budget).
    pub(crate) list: Option<Vec<types::CreateBudgetRequest>>,
}

impl From<OwnerBudgets> for OwnerBudgetUpdate {
    fn from(budgets: OwnerBudgets) -> Self {
        match budgets.list {
            Some(list) => Self {
                single: None,
                list: Some(list),
            },
            // v1.x: the one budget replaces the stored one; no budget deletes it.
            None => Self {
                single: Some(budgets.single.map_or_else(budget_removal, |b| {
                    types::UpdateBudgetRequest {
                        max_limit: Some(b.max_limit),
                        reset_duration: Some(b.reset_duration),
                        calendar_aligned: b.calendar_aligned,
                        reset_config: b.reset_config,
                    }
                })),
                list: None,
            },
        }
    }
}

/// [`owner_budgets`] for an update: `None` leaves the budgets alone, an empty set
/// deletes them all (`budgets: []` on v2.x, `budget: {}` on v1.x).
pub(crate) async fn owner_update_budgets(
    client: &Client,
    budgets: Option<&BudgetSpecs>,
    calendar_aligned: Option<bool>,
) -> Result<OwnerBudgetUpdate> {
    match budgets {
        None => Ok(OwnerBudgetUpdate::default()),
        Some(set) => Ok(owner_budgets(client, set, calendar_aligned).await?.into()),
    }
}
