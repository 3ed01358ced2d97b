//! `/api/governance/teams`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use bifrost_governance_client::types::{
    CreateTeamRequest, MessageResponse, Team, TeamList, TeamResponse, UpdateTeamRequest,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::customers;
use crate::errors::{ApiError, ApiResult};
use crate::limits::{self, Limits, Owner};
use crate::pagination::{self, Strictness};
use crate::request::{self, Params, Presence};
use crate::state::{App, Sequenced, Store, in_creation_order};

/// A stored team.
#[derive(Debug, Clone)]
pub(crate) struct TeamRecord {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) customer_id: Option<String>,
    pub(crate) limits: Limits,
    pub(crate) calendar_aligned: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Sequenced for TeamRecord {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/teams", get(list).post(create))
        .route(
            "/api/governance/teams/{team_id}",
            get(get_one).put(update).delete(delete),
        )
}

/// How much of a team a response embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// A team on its own or nested in a virtual key: embeds its customer.
    WithCustomer,
    /// Nested in a customer: no customer again.
    Nested,
}

/// Renders a team for a response.
pub(crate) fn render(store: &Store, team: &TeamRecord, depth: Depth) -> Team {
    let customer = match depth {
        Depth::Nested => None,
        Depth::WithCustomer => team
            .customer_id
            .as_ref()
            .and_then(|id| store.customers.get(id))
            .map(|c| customers::render(store, c, customers::Depth::Nested)),
    };
    let virtual_key_count = store
        .virtual_keys
        .values()
        .filter(|vk| vk.team_id.as_deref() == Some(team.id.as_str()))
        .count() as i64;
    Team {
        budget: None,
        budget_id: None,
        budgets: team.limits.budgets_field(),
        calendar_aligned: Some(team.calendar_aligned),
        claims: None,
        config: None,
        config_hash: Some(String::new()),
        created_at: Some(team.created_at),
        customer: customer.map(Box::new),
        customer_id: team.customer_id.clone(),
        id: team.id.clone(),
        name: team.name.clone(),
        profile: None,
        rate_limit: team.limits.rate_limit.clone(),
        rate_limit_id: team.limits.rate_limit_id(),
        updated_at: Some(team.updated_at),
        virtual_key_count: Some(virtual_key_count),
        virtual_keys: None,
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Team not found")
}

fn check_unique_name(store: &Store, name: &str, except: Option<&str>) -> Result<(), ApiError> {
    if store
        .teams
        .values()
        .any(|t| t.name == name && Some(t.id.as_str()) != except)
    {
        return Err(ApiError::conflict("A team with this name already exists"));
    }
    Ok(())
}

/// Checks that a referenced customer exists.
pub(crate) fn check_customer(store: &Store, customer_id: &str) -> Result<(), ApiError> {
    if store.customers.contains_key(customer_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "customer not found: {customer_id}"
        )))
    }
}

/// Creates a team (shared by the handler and seeding), with a fixed id or a new
/// UUID; returns the id.
pub(crate) fn create_team(
    store: &mut Store,
    req: &CreateTeamRequest,
    id: Option<String>,
) -> ApiResult<String> {
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::bad_request("Team name is required"));
    }
    check_unique_name(store, &name, None)?;
    let customer_id = req.customer_id.clone().filter(|c| !c.is_empty());
    if let Some(customer_id) = &customer_id {
        check_customer(store, customer_id)?;
    }
    let id = store.clock.fresh_id(
        store.teams.contains_key(id.as_deref().unwrap_or_default()),
        id,
    )?;
    let aligned = req.calendar_aligned.unwrap_or(false);
    let clock = &mut store.clock;
    let mut limits = Limits::default();
    limits::create_budgets(
        clock,
        &mut limits,
        None,
        req.budgets.as_deref(),
        Owner::Team(&id),
        aligned,
    )?;
    limits.rate_limit = limits::create_rate_limit(clock, req.rate_limit.as_ref())?;
    let now = clock.now();
    let record = TeamRecord {
        seq: clock.next_seq(),
        id: id.clone(),
        name,
        customer_id,
        limits,
        calendar_aligned: aligned,
        created_at: now,
        updated_at: now,
    };
    store.teams.insert(id.clone(), record);
    Ok(id)
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let window = pagination::window(&params, &[], Strictness::Lenient)?;
    let search = params.non_empty("search");
    let customer_id = params.non_empty("customer_id");
    let store = app.store();
    let rows: Vec<_> = in_creation_order(&store.teams)
        .into_iter()
        .filter(|t| customer_id.is_none_or(|c| t.customer_id.as_deref() == Some(c)))
        .filter(|t| pagination::matches_search(&t.name, search))
        .collect();
    let page = pagination::paginate(rows, window).map(|t| render(&store, t, Depth::WithCustomer));
    Ok(Json(TeamList {
        count: Some(page.count),
        limit: Some(page.limit),
        offset: Some(page.offset),
        teams: Some(page.items),
        total_count: Some(page.total_count),
    })
    .into_response())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::require_name(&body, "name", "Team name is required")?;
    let req: CreateTeamRequest = request::decode(&body)?;
    let mut store = app.store();
    let id = create_team(&mut store, &req, None)?;
    let team = render(&store, &store.teams[&id], Depth::WithCustomer);
    Ok(Json(TeamResponse {
        message: Some("Team created successfully".to_string()),
        team,
    })
    .into_response())
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let team = store.teams.get(&id).ok_or_else(not_found)?;
    Ok(Json(TeamResponse {
        message: None,
        team: render(&store, team, Depth::WithCustomer),
    })
    .into_response())
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::reject_blank(&body, "name", "Team name cannot be empty")?;
    let req: UpdateTeamRequest = request::decode(&body)?;
    let mut store = app.store();
    if !store.teams.contains_key(&id) {
        return Err(not_found());
    }
    if let Some(name) = &req.name {
        check_unique_name(&store, name.trim(), Some(&id))?;
    }
    // Omitted or null keeps the customer, "" detaches the team.
    let customer_change = match request::presence(&body, "customer_id") {
        Presence::Value(customer_id) => {
            check_customer(&store, customer_id)?;
            Some(Some(customer_id.to_string()))
        }
        Presence::Cleared if body.get("customer_id").is_some_and(|v| v.is_string()) => Some(None),
        _ => None,
    };
    let Store { clock, teams, .. } = &mut *store;
    let mut next = teams[&id].clone();
    if let Some(name) = &req.name {
        next.name = name.trim().to_string();
    }
    if let Some(customer_id) = customer_change {
        next.customer_id = customer_id;
    }
    if let Some(aligned) = req.calendar_aligned {
        next.calendar_aligned = aligned;
        limits::set_calendar_aligned(clock, &mut next.limits, aligned);
    }
    if let Some(budgets) = &req.budgets {
        limits::replace_budgets(
            clock,
            &mut next.limits,
            budgets,
            Owner::Team(&id),
            next.calendar_aligned,
        )?;
    }
    if let Some(rate_limit) = &req.rate_limit {
        limits::overwrite_rate_limit(clock, &mut next.limits.rate_limit, rate_limit)?;
    }
    if req.reset_budget_usage == Some(true) {
        next.limits.reset_usage(clock.now());
    }
    next.updated_at = clock.now();
    teams.insert(id.clone(), next);
    let team = render(&store, &store.teams[&id], Depth::WithCustomer);
    Ok(Json(TeamResponse {
        message: Some("Team updated successfully".to_string()),
        team,
    })
    .into_response())
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    if store.teams.shift_remove(&id).is_none() {
        return Err(not_found());
    }
    let now = store.clock.now();
    for vk in store.virtual_keys.values_mut() {
        if vk.team_id.as_deref() == Some(id.as_str()) {
            vk.team_id = None;
            vk.updated_at = now;
        }
    }
    Ok(Json(MessageResponse {
        message: Some("Team deleted successfully".to_string()),
    })
    .into_response())
}
