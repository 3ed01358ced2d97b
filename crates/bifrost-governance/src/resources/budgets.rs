//! Every budget row of the server, read-only.
//!
//! The rows belong to virtual keys, provider configs, teams, customers, model
//! configs and providers alike; a row's owner is whichever owner id is set, if any
//! (v1.x rows of customers, model configs and providers carry none: their owner
//! points at them through its `budget_id`). Budgets are changed through their
//! owner.

use bifrost_governance_client::types::Budget;

use crate::client::Client;
use crate::error::Result;
use crate::transport::call;

/// Handle to the budget rows of a server; from [`Client::budgets`].
#[derive(Debug, Clone)]
pub struct BudgetRows {
    client: Client,
}

impl BudgetRows {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Every budget row (the server never pages this list; `budgets: null` is an
    /// empty list).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// for budget in client.budgets().list().await? {
    ///     println!("{}: {} of {} per {}", budget.id, budget.current_usage(), budget.max_limit(), budget.reset_duration());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Vec<Budget>> {
        let list = call("list_budgets", self.client.raw().list_budgets().send()).await?;
        Ok(list.budgets.unwrap_or_default())
    }
}
