//! Customers: the top of the hierarchy, grouping teams and virtual keys.
//!
//! v1.x servers keep a single `budget` per customer and v2.x servers a set of
//! `budgets`; the builders take a [`Budgets`] set either way and send what the
//! server understands (a set of more than one budget is refused before sending on
//! v1.x). Customer responses embed the customer's virtual keys *with their secret
//! values* (redacted in `Debug`).

use bifrost_governance_client::types::{self, Customer};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{
    Deferred, OwnerBudgets, constrained, non_empty, owner_create_budgets, owner_update_budgets,
    page,
};
use crate::client::Client;
use crate::error::Result;
use crate::limits::{Budget, Budgets, RateLimit};
use crate::pagination::{List, ListSource, Page};
use crate::transport::{call, call_delete};

/// Handle to the customers of a server; from [`Client::customers`].
#[derive(Debug, Clone)]
pub struct Customers {
    client: Client,
}

impl Customers {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists customers; filter with `.search(…)`.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let acme = client.customers().list().search("acme").collect_all().await?;
    /// for customer in &acme {
    ///     println!("{} {}", customer.id, customer.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> List<CustomerQuery> {
        List::new(self.client.clone(), CustomerQuery::default())
    }

    /// Reads one customer, with its budgets, rate limit, teams and virtual keys.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let customer = client.customers().get("customer-uuid").await?;
    /// println!("{} has {} teams", customer.name, customer.teams.unwrap_or_default().len());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Customer> {
        non_empty("customer id", id)?;
        let response = call(
            "get_customer",
            self.client.raw().get_customer().customer_id(id).send(),
        )
        .await?;
        Ok(response.customer)
    }

    /// Starts creating a customer named `name` (names are unique on v2.x servers).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{Budget, RateLimit, ResetPeriod};
    ///
    /// let customer = client
    ///     .customers()
    ///     .create("Acme")
    ///     .budget(Budget::new(1000.0, ResetPeriod::months(1))?)
    ///     .rate_limit(RateLimit::builder().requests(1000, ResetPeriod::hours(1)).build()?)
    ///     .calendar_aligned(true)
    ///     .send()
    ///     .await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateCustomer {
        CreateCustomer {
            client: self.client.clone(),
            name: name.into(),
            budgets: Budgets::new(),
            rate_limit: None,
            calendar_aligned: None,
            deferred: Deferred::default(),
        }
    }

    /// Starts updating customer `id`; only what is set is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{Budget, Budgets, ResetPeriod};
    ///
    /// let customer = client
    ///     .customers()
    ///     .update("customer-uuid")
    ///     .set_budgets(Budgets::from(Budget::new(2000.0, ResetPeriod::months(1))?))
    ///     .remove_rate_limit()
    ///     .send()
    ///     .await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<String>) -> UpdateCustomer {
        UpdateCustomer {
            client: self.client.clone(),
            id: id.into(),
            body: UpdateCustomerBody::default(),
            deferred: Deferred::default(),
        }
    }

    /// Deletes a customer with its budgets and rate limit; its teams and virtual keys
    /// stay, with `customer_id` cleared.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// client.customers().delete("customer-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: &str) -> Result<()> {
        non_empty("customer id", id)?;
        call_delete(
            "delete_customer",
            self.client.raw().delete_customer().customer_id(id).send(),
        )
        .await
    }
}

/// Filters of a customer list.
#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    search: Option<String>,
}

impl ListSource for CustomerQuery {
    type Item = Customer;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<Customer>>> {
        let query = self.clone();
        async move {
            let mut request = client
                .raw()
                .list_customers()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(search) = query.search {
                request = request.search(search);
            }
            let list = call("list_customers", request.send()).await?;
            Ok(page(
                list.customers,
                list.total_count,
                list.limit,
                list.offset,
            ))
        }
        .boxed()
    }

    fn id(item: &Customer) -> &str {
        &item.id
    }
}

impl List<CustomerQuery> {
    /// Only customers whose name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }
}

/// Builder returned by [`Customers::create`].
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreateCustomer {
    client: Client,
    name: String,
    budgets: Budgets,
    rate_limit: Option<RateLimit>,
    calendar_aligned: Option<bool>,
    deferred: Deferred,
}

impl CreateCustomer {
    /// Adds a budget (each period at most once; v1.x servers take only one).
    pub fn budget(mut self, budget: Budget) -> Self {
        let budgets = std::mem::take(&mut self.budgets);
        match budgets.clone().with(budget) {
            Ok(more) => self.budgets = more,
            Err(e) => {
                self.budgets = budgets;
                self.deferred.check(Err(e));
            }
        }
        self
    }

    /// Sets all budgets at once (v1.x servers take only one).
    pub fn budgets(mut self, budgets: Budgets) -> Self {
        self.budgets = budgets;
        self
    }

    /// Sets the rate limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Aligns budgets to calendar periods (days from midnight UTC, months from the
    /// 1st…); every budget period must then end in `d`, `w`, `M`, `Q` or `Y`.
    pub fn calendar_aligned(mut self, aligned: bool) -> Self {
        self.calendar_aligned = Some(aligned);
        self
    }

    /// Validates, then creates the customer. With budgets, the server version is
    /// read first (once per client) to choose between `budget` and `budgets`.
    pub async fn send(self) -> Result<Customer> {
        self.deferred.into_result()?;
        self.budgets.check_alignable(self.calendar_aligned)?;
        let name = constrained("customer name", self.name)?;
        let OwnerBudgets { single, list } = owner_create_budgets(
            &self.client,
            "customer",
            &self.budgets,
            self.calendar_aligned,
        )
        .await?;
        let body = types::CreateCustomerRequest {
            name,
            budget: single,
            budgets: list,
            rate_limit: self.rate_limit.as_ref().map(RateLimit::to_request),
            calendar_aligned: self.calendar_aligned,
        };
        let response = call(
            "create_customer",
            self.client.raw().create_customer().body(body).send(),
        )
        .await?;
        Ok(response.customer)
    }
}

#[derive(Debug, Default)]
struct UpdateCustomerBody {
    name: Option<String>,
    budgets: Option<Budgets>,
    rate_limit: Option<types::RateLimitRequest>,
    calendar_aligned: Option<bool>,
    reset_budget_usage: Option<bool>,
}

/// Builder returned by [`Customers::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateCustomer {
    client: Client,
    id: String,
    body: UpdateCustomerBody,
    deferred: Deferred,
}

impl UpdateCustomer {
    /// Renames the customer.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// Replaces the whole budget set: budgets whose period is not listed are
    /// deleted; listed periods keep their usage. v1.x servers keep one budget, so
    /// a set of more than one is refused there; an empty set deletes every budget.
    pub fn set_budgets(mut self, budgets: Budgets) -> Self {
        self.body.budgets = Some(budgets);
        self
    }

    /// Deletes every budget of the customer (`budgets: []`, or `budget: {}` on v1.x).
    pub fn clear_budgets(self) -> Self {
        self.set_budgets(Budgets::new())
    }

    /// Replaces the rate limit (all four fields are overwritten).
    pub fn set_rate_limit(mut self, limit: RateLimit) -> Self {
        self.body.rate_limit = Some(limit.to_request());
        self
    }

    /// Removes the rate limit (`rate_limit: {}`).
    pub fn remove_rate_limit(mut self) -> Self {
        self.body.rate_limit = Some(RateLimit::removal());
        self
    }

    /// Turns calendar alignment on or off (turning it on resets usage to the start
    /// of the current period).
    pub fn calendar_aligned(mut self, aligned: bool) -> Self {
        self.body.calendar_aligned = Some(aligned);
        self
    }

    /// Sets the usage of the customer's budgets back to zero (v2.x servers).
    pub fn reset_budget_usage(mut self) -> Self {
        self.body.reset_budget_usage = Some(true);
        self
    }

    /// Validates, then updates the customer. With budgets, the server version is
    /// read first (once per client) to choose between `budget` and `budgets`.
    pub async fn send(self) -> Result<Customer> {
        self.deferred.into_result()?;
        non_empty("customer id", &self.id)?;
        let b = self.body;
        if let Some(budgets) = &b.budgets {
            budgets.check_alignable(b.calendar_aligned)?;
        }
        let name = b
            .name
            .map(|n| constrained("customer name", n))
            .transpose()?;
        let budgets = owner_update_budgets(
            &self.client,
            "customer",
            b.budgets.as_ref(),
            b.calendar_aligned,
        )
        .await?;
        let body = types::UpdateCustomerRequest {
            name,
            budget: budgets.single,
            budgets: budgets.list,
            rate_limit: b.rate_limit,
            calendar_aligned: b.calendar_aligned,
            reset_budget_usage: b.reset_budget_usage,
        };
        let response = call(
            "update_customer",
            self.client
                .raw()
                .update_customer()
                .customer_id(&self.id)
                .body(body)
                .send(),
        )
        .await?;
        Ok(response.customer)
    }
}

#[cfg(test)]
mod tests {
    use super::super::OwnerBudgetUpdate;
    use super::*;
    use crate::period::ResetPeriod;
    use serde_json::json;

    fn monthly() -> Budgets {
        Budgets::from(Budget::new(100.0, ResetPeriod::months(1)).unwrap())
    }

    fn update_json(update: OwnerBudgetUpdate) -> serde_json::Value {
        let body = types::UpdateCustomerRequest {
            name: None,
            budget: update.single,
            budgets: update.list,
            rate_limit: None,
            calendar_aligned: None,
            reset_budget_usage: None,
        };
        serde_json::to_value(body).unwrap()
    }

    #[test]
    fn v2_budget_updates_send_the_whole_set() {
        let set = OwnerBudgets {
            single: None,
            list: Some(monthly().to_requests(None)),
        };
        assert_eq!(
            update_json(set.into()),
            json!({"budgets": [{"max_limit": 100.0, "reset_duration": "1M"}]})
        );
        let cleared = OwnerBudgets {
            single: None,
            list: Some(Vec::new()),
        };
        assert_eq!(update_json(cleared.into()), json!({"budgets": []}));
    }

    #[test]
    fn v1_budget_updates_send_the_single_budget_or_its_removal() {
        let one = OwnerBudgets {
            single: monthly().to_requests(Some(true)).pop(),
            list: None,
        };
        assert_eq!(
            update_json(one.into()),
            json!({"budget": {"max_limit": 100.0, "reset_duration": "1M", "calendar_aligned": true}})
        );
        let none = OwnerBudgets {
            single: None,
            list: None,
        };
        assert_eq!(update_json(none.into()), json!({"budget": {}}));
    }

    #[test]
    fn untouched_budgets_send_nothing() {
        assert_eq!(update_json(OwnerBudgetUpdate::default()), json!({}));
    }

    #[test]
    fn a_repeated_budget_period_is_deferred_to_send() {
        let client = Client::builder().build().unwrap();
        let create = Customers::new(client)
            .create("Acme")
            .budget(Budget::new(1.0, ResetPeriod::days(1)).unwrap())
            .budget(Budget::new(2.0, ResetPeriod::hours(24)).unwrap());
        assert_eq!(create.budgets.len(), 1);
        assert_eq!(create.deferred.into_result().unwrap_err().field, "budgets");
    }
}
