//! Customers: the top of the hierarchy, grouping teams and virtual keys.
//!
//! v1.x servers keep a single `budget` per customer and v2.x servers a set of
//! `budgets`; the builders take a [`BudgetSpecs`](crate::BudgetSpecs) set either way and send what the
//! server understands (a set of more than one budget is refused before sending on
//! v1.x). Customer responses embed the customer's virtual keys *with their secret
//! values* (redacted in `Debug`).

use bifrost_governance_client::types::{self, Customer};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{
    Deferred, LimitsCreate, LimitsUpdate, OwnerBudgets, check_owner_create, constrained, non_empty,
    owner_create_budgets, owner_update_budgets, page, require_all,
};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::{InvalidInput, Result};
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
    /// println!("{} has {} teams", customer.name, customer.teams().len());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl Into<String>) -> Result<Customer> {
        let id = id.into();
        non_empty("customer id", &id)?;
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
    /// use bifrost_governance::{BudgetSpec, RateLimitSpec, ResetPeriod};
    ///
    /// let customer = client
    ///     .customers()
    ///     .create("Acme")
    ///     .budget(BudgetSpec::new(1000.0, ResetPeriod::months(1))?)
    ///     .rate_limit(RateLimitSpec::builder().requests(1000, ResetPeriod::hours(1)).build()?)
    ///     .calendar_aligned(true)
    ///     .send()
    ///     .await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateCustomer {
        CreateCustomer {
            client: self.client.clone(),
            name: name.into(),
            limits: LimitsCreate::default(),
            deferred: Deferred::default(),
        }
    }

    /// Starts updating customer `id`; only what is set is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{BudgetSpec, BudgetSpecs, ResetPeriod};
    ///
    /// let customer = client
    ///     .customers()
    ///     .update("customer-uuid")
    ///     .set_budgets(BudgetSpecs::from(BudgetSpec::new(2000.0, ResetPeriod::months(1))?))
    ///     .clear_rate_limit()
    ///     .send()
    ///     .await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<String>) -> UpdateCustomer {
        UpdateCustomer {
            client: self.client.clone(),
            id: id.into(),
            body: UpdateCustomerBody::default(),
            limits: LimitsUpdate::default(),
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
    pub async fn delete(&self, id: impl Into<String>) -> Result<()> {
        let id = id.into();
        non_empty("customer id", &id)?;
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
    limits: LimitsCreate,
    deferred: Deferred,
}

impl CreateCustomer {
    create_limit_setters!("customer");

    /// Runs every check [`send`](Self::send) makes before any request (name, budget
    /// periods, calendar alignment), without sending: for tools that check
    /// declarations offline.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        check_owner_create::<types::CreateCustomerRequestName>(
            &self.deferred,
            &self.limits,
            "customer name",
            &self.name,
        )
    }

    /// Validates, then creates the customer. With budgets, the server version is
    /// read first (once per client) to choose between `budget` and `budgets`.
    pub async fn send(self) -> Result<Customer> {
        self.validate()?;
        let mut needed = self.limits.capabilities();
        if self.limits.calendar_aligned == Some(true) {
            needed.push(Capability::CustomerCalendarAlignment);
        }
        let name = constrained("customer name", self.name)?;
        require_all(&self.client, needed).await?;
        let OwnerBudgets { single, list } = owner_create_budgets(
            &self.client,
            &self.limits.budgets,
            self.limits.calendar_aligned,
        )
        .await?;
        let body = types::CreateCustomerRequest {
            name,
            budget: single,
            budgets: list,
            rate_limit: self.limits.rate_limit_request(),
            calendar_aligned: self.limits.calendar_aligned,
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
}

/// Builder returned by [`Customers::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateCustomer {
    client: Client,
    id: String,
    body: UpdateCustomerBody,
    limits: LimitsUpdate,
    deferred: Deferred,
}

impl UpdateCustomer {
    /// Renames the customer.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    update_limit_setters!("customer", "all four fields are overwritten.");

    /// Validates, then updates the customer. With budgets, the server version is
    /// read first (once per client) to choose between `budget` and `budgets`.
    pub async fn send(self) -> Result<Customer> {
        self.deferred.into_result()?;
        non_empty("customer id", &self.id)?;
        let b = self.body;
        self.limits.check()?;
        let mut needed = self.limits.capabilities();
        if self.limits.calendar_aligned == Some(true) {
            needed.push(Capability::CustomerCalendarAlignment);
        }
        let name = b
            .name
            .map(|n| constrained("customer name", n))
            .transpose()?;
        require_all(&self.client, needed).await?;
        let budgets = owner_update_budgets(
            &self.client,
            self.limits.budgets.as_ref(),
            self.limits.calendar_aligned,
        )
        .await?;
        let body = types::UpdateCustomerRequest {
            name,
            budget: budgets.single,
            budgets: budgets.list,
            rate_limit: self.limits.rate_limit,
            calendar_aligned: self.limits.calendar_aligned,
            reset_budget_usage: self.limits.reset_budget_usage,
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
    use crate::limits::{BudgetSpec, BudgetSpecs};
    use crate::period::ResetPeriod;
    use serde_json::json;

    fn monthly() -> BudgetSpecs {
        BudgetSpecs::from(BudgetSpec::new(100.0, ResetPeriod::months(1)).unwrap())
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
            .budget(BudgetSpec::new(1.0, ResetPeriod::days(1)).unwrap())
            .budget(BudgetSpec::new(2.0, ResetPeriod::hours(24)).unwrap());
        assert_eq!(create.limits.budgets.len(), 1);
        assert_eq!(create.deferred.into_result().unwrap_err().field, "budgets");
    }
}
