//! Teams: groups of virtual keys, optionally under a customer.

use bifrost_governance_client::types::{self, Team};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{
    Deferred, LimitsCreate, LimitsUpdate, check_owner_create, constrained, non_empty, page,
    require_all,
};
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::pagination::{List, ListSource, Page};
use crate::transport::{call, call_delete};

/// Handle to the teams of a server; from [`Client::teams`].
#[derive(Debug, Clone)]
pub struct Teams {
    client: Client,
}

impl Teams {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists teams; filter with `.search(..)` and `.customer_id(..)` on the returned
    /// [`List`].
    pub fn list(&self) -> List<TeamQuery> {
        List::new(self.client.clone(), TeamQuery::default())
    }

    /// Reads one team.
    pub async fn get(&self, id: impl Into<String>) -> Result<Team> {
        let id = id.into();
        non_empty("team id", &id)?;
        let response = call("get_team", self.client.raw().get_team().team_id(id).send()).await?;
        Ok(response.team)
    }

    /// Starts creating a team named `name` (names are unique).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{BudgetSpec, ResetPeriod};
    ///
    /// let team = client
    ///     .teams()
    ///     .create("platform")
    ///     .budget(BudgetSpec::new(500.0, ResetPeriod::months(1))?)
    ///     .calendar_aligned(true)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateTeam {
        CreateTeam {
            client: self.client.clone(),
            name: name.into(),
            customer_id: None,
            limits: LimitsCreate::default(),
            deferred: Deferred::default(),
        }
    }

    /// Starts updating team `id`; only what is set is sent.
    pub fn update(&self, id: impl Into<String>) -> UpdateTeam {
        UpdateTeam {
            client: self.client.clone(),
            id: id.into(),
            name: None,
            customer_id: None,
            limits: LimitsUpdate::default(),
            deferred: Deferred::default(),
        }
    }

    /// Deletes a team; its virtual keys stay, with `team_id` cleared.
    pub async fn delete(&self, id: impl Into<String>) -> Result<()> {
        let id = id.into();
        non_empty("team id", &id)?;
        call_delete(
            "delete_team",
            self.client.raw().delete_team().team_id(id).send(),
        )
        .await
    }
}

/// Filters of a team list.
#[derive(Debug, Clone, Default)]
pub struct TeamQuery {
    search: Option<String>,
    customer_id: Option<String>,
}

impl ListSource for TeamQuery {
    type Item = Team;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<Team>>> {
        let query = self.clone();
        async move {
            let mut request = client
                .raw()
                .list_teams()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(search) = query.search {
                request = request.search(search);
            }
            if let Some(customer_id) = query.customer_id {
                request = request.customer_id(customer_id);
            }
            let list = call("list_teams", request.send()).await?;
            Ok(page(list.teams, list.total_count, list.limit, list.offset))
        }
        .boxed()
    }

    fn id(item: &Team) -> &str {
        &item.id
    }
}

impl List<TeamQuery> {
    /// Only teams whose name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only teams of this customer.
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.source.customer_id = Some(id.into());
        self
    }
}

/// Builder returned by [`Teams::create`].
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreateTeam {
    client: Client,
    name: String,
    customer_id: Option<String>,
    limits: LimitsCreate,
    deferred: Deferred,
}

impl CreateTeam {
    /// Puts the team under a customer.
    pub fn assign_customer(mut self, customer_id: impl Into<String>) -> Self {
        self.customer_id = Some(customer_id.into());
        self
    }

    create_limit_setters!("team");

    /// Runs every check [`send`](Self::send) makes before any request (name, budget
    /// periods, calendar alignment), without sending: for tools that check
    /// declarations offline.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        check_owner_create::<types::CreateTeamRequestName>(
            &self.deferred,
            &self.limits,
            "team name",
            &self.name,
        )
    }

    /// Validates, then creates the team.
    pub async fn send(self) -> Result<Team> {
        self.validate()?;
        let needed = self.limits.capabilities();
        let body = types::CreateTeamRequest {
            name: constrained("team name", self.name)?,
            customer_id: self.customer_id,
            budgets: self.limits.budget_requests(),
            rate_limit: self.limits.rate_limit_request(),
            calendar_aligned: self.limits.calendar_aligned,
        };
        require_all(&self.client, needed).await?;
        let response = call(
            "create_team",
            self.client.raw().create_team().body(body).send(),
        )
        .await?;
        Ok(response.team)
    }
}

/// Builder returned by [`Teams::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateTeam {
    client: Client,
    id: String,
    name: Option<String>,
    customer_id: Option<String>,
    limits: LimitsUpdate,
    deferred: Deferred,
}

impl UpdateTeam {
    /// Renames the team.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Moves the team under a customer.
    pub fn assign_customer(mut self, customer_id: impl Into<String>) -> Self {
        let id = customer_id.into();
        self.deferred.check(non_empty("customer id", &id));
        self.customer_id = Some(id);
        self
    }

    /// Takes the team out of its customer (`customer_id: ""`).
    ///
    /// v1.5.x servers keep a team's customer once it has one and still answer
    /// success; `send` then returns [`Error::NotApplied`](crate::Error::NotApplied)
    /// (the other changes of the update were applied). Likewise for moving such a
    /// team with [`assign_customer`](Self::assign_customer).
    pub fn unassign(mut self) -> Self {
        self.customer_id = Some(String::new());
        self
    }

    update_limit_setters!("team", "all four fields are overwritten.");

    /// Validates, then updates the team.
    pub async fn send(self) -> Result<Team> {
        self.deferred.into_result()?;
        non_empty("team id", &self.id)?;
        self.limits.check()?;
        let needed = self.limits.capabilities();
        let body = types::UpdateTeamRequest {
            name: self.name.map(|n| constrained("team name", n)).transpose()?,
            customer_id: self.customer_id.clone(),
            budgets: self.limits.budget_requests(),
            rate_limit: self.limits.rate_limit,
            calendar_aligned: self.limits.calendar_aligned,
            reset_budget_usage: self.limits.reset_budget_usage,
        };
        require_all(&self.client, needed).await?;
        let response = call(
            "update_team",
            self.client
                .raw()
                .update_team()
                .team_id(&self.id)
                .body(body)
                .send(),
        )
        .await?;
        let team = response.team;
        if let Some(sent) = self.customer_id {
            let kept = team.customer_id().unwrap_or_default();
            if kept != sent {
                // v1.5.x re-derives customer_id from the preloaded customer on save
                // (rdb.go UpdateTeam; FIDELITY TEAM-UPD-03).
                return Err(crate::Error::NotApplied {
                    operation: "update_team",
                    field: "customer_id",
                    kept: kept.to_owned(),
                    sent,
                });
            }
        }
        Ok(team)
    }
}
