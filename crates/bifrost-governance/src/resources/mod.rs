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
pub(crate) fn page<T>(items: Option<Vec<T>>, total_count: Option<i64>, limit: Option<i64>, offset: Option<i64>) -> Page<T> {
    let items = items.unwrap_or_default();
    let offset = offset.unwrap_or(0).max(0) as u64;
    // Servers that predate paging send no total: the page is then everything.
    let total_count = total_count.map_or(offset + items.len() as u64, |t| t.max(0) as u64);
    let limit = limit.map_or(items.len() as u64, |l| l.max(0) as u64);
    Page { items, total_count, limit, offset }
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
pub(crate) fn constrained<T: TryFrom<String>>(field: &'static str, value: String) -> Result<T, InvalidInput> {
    non_empty(field, &value)?;
    T::try_from(value).map_err(|_| InvalidInput::new(field, "does not satisfy the API's constraints"))
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
    let legacy = client.cached_version().await.is_some_and(|v| v.is_legacy());
    let mut requests = budgets.to_requests(calendar_aligned);
    if !legacy {
        return Ok(OwnerBudgets { single: None, list: Some(requests) });
    }
    if requests.len() > 1 {
        return Err(InvalidInput::new(
            "budgets",
            format!("this server (v1.x) keeps one budget per {owner}; upgrade to v2 for several"),
        )
        .into());
    }
    Ok(OwnerBudgets { single: requests.pop(), list: None })
}

/// The `{}` that removes a legacy single budget.
pub(crate) fn budget_removal() -> types::UpdateBudgetRequest {
    types::UpdateBudgetRequest { max_limit: None, reset_duration: None, calendar_aligned: None }
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
