//! `/api/governance/customers`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use bifrost_governance_client::types::{
    CreateCustomerRequest, Customer, CustomerList, CustomerResponse, MessageResponse,
    UpdateCustomerRequest,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::errors::{ApiError, ApiResult};
use crate::limits::{self, Limits, Owner};
use crate::pagination::{self, Strictness};
use crate::request::{self, Params};
use crate::state::{App, Sequenced, Store, in_creation_order, in_creation_order_where};
use crate::{teams, virtual_keys};

/// A stored customer.
#[derive(Debug, Clone)]
pub(crate) struct CustomerRecord {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) limits: Limits,
    pub(crate) calendar_aligned: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Sequenced for CustomerRecord {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/customers", get(list).post(create))
        .route(
            "/api/governance/customers/{customer_id}",
            get(get_one).put(update).delete(delete),
        )
}

/// How much of a customer a response embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// Top-level customer: with its teams and virtual keys.
    Full,
    /// Nested in a team or a virtual key: no teams, no virtual keys (v2.x).
    Nested,
}

/// Renders a customer for a response.
pub(crate) fn render(store: &Store, customer: &CustomerRecord, depth: Depth) -> Customer {
    let (teams, virtual_keys) = match depth {
        Depth::Nested => (None, None),
        Depth::Full => (
            Some(
                in_creation_order_where(&store.teams, |t| {
                    t.customer_id.as_deref() == Some(customer.id.as_str())
                })
                .into_iter()
                .map(|t| teams::render(store, t, teams::Depth::Nested))
                .collect(),
            ),
            Some(
                in_creation_order_where(&store.virtual_keys, |vk| {
                    vk.customer_id.as_deref() == Some(customer.id.as_str())
                })
                .into_iter()
                .map(|vk| virtual_keys::render(store, vk, virtual_keys::Depth::Nested))
                .collect(),
            ),
        ),
    };
    let budget = customer.limits.legacy_budget();
    Customer {
        budget_id: budget.as_ref().map(|b| b.id.clone()),
        budget,
        budgets: customer.limits.budgets_field(),
        calendar_aligned: Some(customer.calendar_aligned),
        config_hash: Some(String::new()),
        created_at: Some(customer.created_at),
        id: customer.id.clone(),
        name: customer.name.clone(),
        rate_limit: customer.limits.rate_limit.clone(),
        rate_limit_id: customer.limits.rate_limit_id(),
        teams,
        updated_at: Some(customer.updated_at),
        virtual_key_count: None,
        team_count: None,
        virtual_keys,
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Customer not found")
}

fn check_unique_name(store: &Store, name: &str, except: Option<&str>) -> Result<(), ApiError> {
    if store
        .customers
        .values()
        .any(|c| c.name == name && Some(c.id.as_str()) != except)
    {
        return Err(ApiError::conflict(
            "A customer with this name already exists",
        ));
    }
    Ok(())
}

/// Creates a customer (shared by the handler and seeding), with a fixed id or a
/// new UUID; returns the id.
pub(crate) fn create_customer(
    store: &mut Store,
    req: &CreateCustomerRequest,
    id: Option<String>,
) -> ApiResult<String> {
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::bad_request("Customer name is required"));
    }
    check_unique_name(store, &name, None)?;
    let id = store.clock.fresh_id(
        store
            .customers
            .contains_key(id.as_deref().unwrap_or_default()),
        id,
    )?;
    let aligned = req.calendar_aligned.unwrap_or(false);
    let clock = &mut store.clock;
    let mut limits = Limits::default();
    limits::create_budgets(
        clock,
        &mut limits,
        req.budget.as_ref(),
        req.budgets.as_deref(),
        Owner::Customer(&id),
        aligned,
    )?;
    limits.rate_limit = limits::create_rate_limit(clock, req.rate_limit.as_ref())?;
    let now = clock.now();
    let record = CustomerRecord {
        seq: clock.next_seq(),
        id: id.clone(),
        name,
        limits,
        calendar_aligned: aligned,
        created_at: now,
        updated_at: now,
    };
    store.customers.insert(id.clone(), record);
    Ok(id)
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let window = pagination::window(&params, &[], Strictness::Lenient)?;
    let search = params.non_empty("search");
    let store = app.store();
    let rows: Vec<_> = in_creation_order(&store.customers)
        .into_iter()
        .filter(|c| pagination::matches_search(&c.name, search))
        .collect();
    let page = pagination::paginate(rows, window).map(|c| render(&store, c, Depth::Full));
    Ok(Json(CustomerList {
        count: Some(page.count),
        customers: Some(page.items),
        limit: Some(page.limit),
        offset: Some(page.offset),
        total_count: Some(page.total_count),
    })
    .into_response())
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::require_name(&body, "name", "Customer name is required")?;
    let req: CreateCustomerRequest = request::decode(&body)?;
    let mut store = app.store();
    let id = create_customer(&mut store, &req, None)?;
    let customer = render(&store, &store.customers[&id], Depth::Full);
    Ok(Json(CustomerResponse {
        customer,
        message: Some("Customer created successfully".to_string()),
    })
    .into_response())
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let customer = store.customers.get(&id).ok_or_else(not_found)?;
    Ok(Json(CustomerResponse {
        customer: render(&store, customer, Depth::Full),
        message: None,
    })
    .into_response())
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = request::json_object(&body)?;
    request::reject_blank(&body, "name", "Customer name cannot be empty")?;
    let req: UpdateCustomerRequest = request::decode(&body)?;
    let mut store = app.store();
    if !store.customers.contains_key(&id) {
        return Err(not_found());
    }
    if let Some(name) = &req.name {
        check_unique_name(&store, name.trim(), Some(&id))?;
    }
    limits::one_budget_form(&req.budget, &req.budgets)?;
    let Store {
        clock, customers, ..
    } = &mut *store;
    let mut next = customers[&id].clone();
    if let Some(name) = &req.name {
        next.name = name.trim().to_string();
    }
    if let Some(aligned) = req.calendar_aligned {
        next.calendar_aligned = aligned;
        limits::set_calendar_aligned(clock, &mut next.limits, aligned);
    }
    let owner = Owner::Customer(&id);
    if let Some(budgets) = &req.budgets {
        limits::replace_budgets(
            clock,
            &mut next.limits,
            budgets,
            owner,
            next.calendar_aligned,
        )?;
    }
    if let Some(budget) = &req.budget {
        limits::apply_legacy_budget(
            clock,
            &mut next.limits,
            budget,
            owner,
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
    customers.insert(id.clone(), next);
    let customer = render(&store, &store.customers[&id], Depth::Full);
    Ok(Json(CustomerResponse {
        customer,
        message: Some("Customer updated successfully".to_string()),
    })
    .into_response())
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    if store.customers.shift_remove(&id).is_none() {
        return Err(not_found());
    }
    let now = store.clock.now();
    for team in store.teams.values_mut() {
        if team.customer_id.as_deref() == Some(id.as_str()) {
            team.customer_id = None;
            team.updated_at = now;
        }
    }
    for vk in store.virtual_keys.values_mut() {
        if vk.customer_id.as_deref() == Some(id.as_str()) {
            vk.customer_id = None;
            vk.updated_at = now;
        }
    }
    Ok(Json(MessageResponse {
        message: Some("Customer deleted successfully".to_string()),
    })
    .into_response())
}
