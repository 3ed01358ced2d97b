//! Resource handles, one module per resource, and what they share.

pub mod budgets;
pub mod customers;
pub mod model_configs;
pub mod pricing_overrides;
pub mod providers;
pub mod rate_limits;
pub mod routing_rules;
pub mod teams;
pub mod virtual_keys;

use bifrost_governance_client::types;

use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::limits::Budgets;
use crate::pagination::Page;

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

/// Budgets for owners that v1.x servers limit to one `budget` (customers, model
/// configs, providers); v2.x takes the `budgets` list.
pub(crate) struct OwnerBudgets {
    pub(crate) single: Option<types::CreateBudgetRequest>,
    pub(crate) list: Option<Vec<types::CreateBudgetRequest>>,
}

pub(crate) async fn owner_budgets(
    client: &Client,
    owner: &'static str,
    budgets: &Budgets,
    calendar_aligned: Option<bool>,
) -> Result<OwnerBudgets> {
    budgets.check_alignable(calendar_aligned)?;
    let version = client.cached_version().await;
    let mut requests = budgets.to_requests(calendar_aligned);
    // v2.x reads `budgets` (and still the singular alias); v1.x silently drops
    // `budgets`. With the version unknown, one budget goes in the form both read.
    let legacy = match &version {
        Some(v) => v.is_legacy(),
        None => requests.len() == 1,
    };
    if !legacy {
        return Ok(OwnerBudgets {
            single: None,
            list: Some(requests),
        });
    }
    if requests.len() > 1 {
        return Err(InvalidInput::new(
            "budgets",
            format!("this server (v1.x) keeps one budget per {owner}; upgrade to v2 for several"),
        )
        .into());
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
    }
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
    owner: &'static str,
    budgets: &Budgets,
    calendar_aligned: Option<bool>,
) -> Result<OwnerBudgets> {
    if budgets.is_empty() {
        return Ok(OwnerBudgets {
            single: None,
            list: None,
        });
    }
    owner_budgets(client, owner, budgets, calendar_aligned).await
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
    owner: &'static str,
    budgets: Option<&Budgets>,
    calendar_aligned: Option<bool>,
) -> Result<OwnerBudgetUpdate> {
    match budgets {
        None => Ok(OwnerBudgetUpdate::default()),
        Some(set) => Ok(owner_budgets(client, owner, set, calendar_aligned)
            .await?
            .into()),
    }
}
