//! `/api/governance/customers` (`gov.go` getCustomers…deleteCustomer; v2 `governance.go`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson, TxError, TxKind};
use crate::gojson::Go;
use crate::limits::{self, BudgetItem, BudgetPatch, RateLimitIn, Reconcile};
use crate::pagination::{self, envelope, envelope_all};
use crate::profile::{MemoryRoute, Profile};
use crate::render::{self, Ctx, CustomerView};
use crate::request::{self, Params, zero_if_null};
use crate::routes::keys::message;
use crate::routes::single;
use crate::store::Store;
use crate::store::records::{BudgetOwner, Customer, Team, VirtualKey};

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/customers", get(list).post(create))
        .route(
            "/api/governance/customers/{customer_id}",
            get(get_one).put(update).delete(delete),
        )
}

/// `CreateCustomerRequest` / `UpdateCustomerRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CustomerIn {
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// The legacy single budget (`CreateBudgetRequest` on create, `UpdateBudgetRequest`
    /// on update; the two decode the same way).
    #[serde(default)]
    pub(crate) budget: Option<BudgetPatch>,
    /// v2.
    #[serde(default)]
    pub(crate) budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    pub(crate) rate_limit: Option<RateLimitIn>,
    /// v2.
    #[serde(default)]
    pub(crate) calendar_aligned: Option<bool>,
    /// v2.
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) reset_budget_usage: bool,
}

fn not_found() -> ApiError {
    ApiError::not_found("Customer not found")
}

fn view(profile: Profile, list: bool) -> CustomerView {
    CustomerView {
        team_count: list && !profile.is_v1_5(),
        ..CustomerView::FULL
    }
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let ctx = Ctx::new(&store, profile);
    if params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::Customers) {
        let customers: std::collections::BTreeMap<String, Go> = store
            .customers
            .values()
            .map(|c| (c.id.clone(), render::customer(ctx, c, CustomerView::FULL)))
            .collect();
        let n = customers.len();
        return Ok(GoJson::ok(envelope(
            "customers",
            Go::Map(customers),
            n,
            n as i64,
            n as i64,
            0,
        ))
        .into_response());
    }
    let render_all = |rows: Vec<&Customer>| -> Vec<Go> {
        rows.into_iter()
            .map(|c| render::customer(ctx, c, view(profile, true)))
            .collect()
    };
    if !pagination::any_set(&params, &["limit", "offset", "search"]) {
        let items = render_all(store.customers.values().collect());
        return Ok(GoJson::ok(envelope_all("customers", items)).into_response());
    }
    let (limit, offset) = pagination::clamp(
        pagination::lenient(&params, "limit"),
        pagination::lenient(&params, "offset"),
    );
    let search = params.peek("search");
    let rows: Vec<&Customer> = store
        .customers
        .values()
        .filter(|c| pagination::matches(&c.name, search))
        .collect();
    let total = rows.len() as i64;
    let items = render_all(pagination::slice(rows, limit, offset));
    Ok(GoJson::ok(pagination::page("customers", items, total, limit, offset)).into_response())
}

fn respond(store: &Store, profile: Profile, id: &str, message: Option<&str>) -> ApiResult {
    let customer = store.customers.get(id).ok_or_else(not_found)?;
    let body = render::customer(Ctx::new(store, profile), customer, view(profile, false));
    Ok(GoJson::ok(single("customer", body, message)).into_response())
}

async fn get_one(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    respond(&app.store(), app.profile(), &id, None)
}

/// The v2 budget-list checks of customers (`reconcileCustomerBudgets`, 400s).
fn check_items(profile: Profile, items: &[BudgetItem]) -> Result<(), TxError> {
    crate::limits::check_budget_list(profile, items, crate::limits::ListWording::Update)
        .map_err(TxError::bad)
}

/// A legacy `budget` as one budget item (`coerceLegacyBudget`).
fn legacy_item(patch: &BudgetPatch) -> BudgetItem {
    BudgetItem {
        id: None,
        max_limit: patch.max_limit.unwrap_or_default(),
        reset_duration: patch.reset_duration.clone().unwrap_or_default(),
        calendar_aligned: patch.calendar_aligned.unwrap_or_default(),
        reset_config: patch.reset_config,
    }
}

/// Creates a customer (the handler and seeding); `id` fixes the id.
pub(crate) fn create_customer(
    store: &mut Store,
    profile: Profile,
    req: &CustomerIn,
    id: Option<String>,
) -> Result<String, ApiError> {
    let multi = profile.multi_budget_owners();
    if multi && req.budget.is_some() && req.budgets.as_ref().is_some_and(|b| !b.is_empty()) {
        return Err(ApiError::bad_request(
            "only one of 'budget' or 'budgets' may be set",
        ));
    }
    let name = req.name.clone().unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request("Customer name is required"));
    }
    if let Some(rl) = &req.rate_limit {
        limits::validate_rate_limit(profile, rl)
            .map_err(|e| ApiError::bad_request(format!("Invalid rate limit: {e}")))?;
    }
    let aligned = multi && req.calendar_aligned == Some(true);
    store
        .transaction(|store| {
            let id = id.unwrap_or_else(|| store.clock.new_id());
            let now = store.clock.now();
            let mut customer = Customer {
                id: id.clone(),
                name: name.clone(),
                budget_ids: Vec::new(),
                rate_limit_id: None,
                calendar_aligned: aligned,
                created_at: now,
                updated_at: now,
            };
            if multi {
                if profile.customer_names_unique()
                    && store.customers.values().any(|c| c.name == name)
                {
                    return Err(TxError::exists("name"));
                }
                store.put(&id, customer.clone());
                let items: Vec<BudgetItem> = match (&req.budget, &req.budgets) {
                    (Some(patch), _) => vec![legacy_item(patch)],
                    (None, Some(items)) => items
                        .iter()
                        .map(|b| BudgetItem {
                            id: None,
                            ..b.clone()
                        })
                        .collect(),
                    (None, None) => Vec::new(),
                };
                check_items(profile, &items)?;
                customer.budget_ids = limits::reconcile(
                    store,
                    profile,
                    Reconcile {
                        owner: BudgetOwner::Customer(id.clone()),
                        existing: Vec::new(),
                        requests: &items,
                        aligned: &|_| aligned,
                        on_match: &|_, _, _| {},
                        delete_context: "failed to delete removed customer budget",
                    },
                )?;
            } else if let Some(patch) = &req.budget {
                let item = legacy_item(patch);
                let budget = limits::new_budget(
                    store,
                    item.max_limit,
                    &item.reset_duration,
                    false,
                    BudgetOwner::Detached,
                    profile,
                );
                limits::validate_budget(profile, item.max_limit, &item.reset_duration, None)?;
                customer.budget_ids.push(budget.id.clone());
                limits::save_budget(store, profile, budget)?;
            }
            if let Some(rl) = &req.rate_limit {
                let row = limits::new_rate_limit(store, rl);
                customer.rate_limit_id = Some(row.id.clone());
                limits::save_rate_limit(store, profile, row)?;
            }
            store.put(&id, customer);
            Ok(id)
        })
        .map_err(|e| match e.kind {
            TxKind::BadRequest if multi => ApiError::bad_request(e.message),
            TxKind::AlreadyExists if profile.name_conflicts_are_409() => {
                ApiError::conflict("A customer with this name already exists")
            }
            _ => ApiError::internal("failed to create customer"),
        })
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: CustomerIn = request::decode(&body)?;
    let mut store = app.store();
    let id = create_customer(&mut store, profile, &req, None)?;
    respond(&store, profile, &id, Some("Customer created successfully"))
}

async fn update(State(app): State<Arc<App>>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: CustomerIn = request::decode(&body)?;
    let multi = profile.multi_budget_owners();
    if multi && req.budget.is_some() && req.budgets.is_some() {
        return Err(ApiError::bad_request(
            "only one of 'budget' or 'budgets' may be set",
        ));
    }
    let mut store = app.store();
    let customer = store.customers.get(&id).cloned().ok_or_else(not_found)?;
    store
        .transaction(|store| update_customer(store, profile, customer, &req))
        .map_err(|e| match e.kind {
            TxKind::BadRequest if multi => ApiError::bad_request(e.message),
            _ => ApiError::internal("Failed to update customer"),
        })?;
    respond(&store, profile, &id, Some("Customer updated successfully"))
}

fn update_customer(
    store: &mut Store,
    profile: Profile,
    mut customer: Customer,
    req: &CustomerIn,
) -> Result<(), TxError> {
    let multi = profile.multi_budget_owners();
    if let Some(name) = &req.name {
        customer.name = name.clone();
    }
    let switched_on = multi && req.calendar_aligned == Some(true) && !customer.calendar_aligned;
    if multi && let Some(aligned) = req.calendar_aligned {
        customer.calendar_aligned = aligned;
    }
    let owner = if multi {
        BudgetOwner::Customer(customer.id.clone())
    } else {
        BudgetOwner::Detached
    };
    if multi && let Some(items) = &req.budgets {
        check_items(profile, items)?;
        let aligned = customer.calendar_aligned;
        customer.budget_ids = limits::reconcile(
            store,
            profile,
            Reconcile {
                owner: owner.clone(),
                existing: customer.budget_ids.clone(),
                requests: items,
                aligned: &|_| aligned,
                on_match: &|_, _, _| {},
                delete_context: "failed to delete removed customer budget",
            },
        )?;
    }
    if let Some(patch) = &req.budget {
        limits::apply_legacy_budget(
            store,
            profile,
            &mut customer.budget_ids,
            patch,
            owner,
            customer.calendar_aligned,
            multi,
        )?;
    }
    if switched_on {
        limits::adopt_alignment(store, profile, &customer.budget_ids);
    }
    if let Some(rl) = &req.rate_limit {
        customer.rate_limit_id =
            limits::overwrite_rate_limit(store, profile, customer.rate_limit_id.clone(), rl)?;
    }
    if multi && req.reset_budget_usage {
        limits::reset_usage(store, &customer.budget_ids);
    }
    if profile.customer_names_unique()
        && store
            .customers
            .values()
            .any(|c| c.id != customer.id && c.name == customer.name)
    {
        return Err(TxError::exists("name"));
    }
    customer.updated_at = store.clock.now();
    let id = customer.id.clone();
    store.put(&id, customer);
    Ok(())
}

async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    let customer = store.customers.get(&id).cloned().ok_or_else(not_found)?;
    store.transaction::<_, ApiError>(|store| {
        let keys: Vec<String> = store
            .virtual_keys
            .values()
            .filter(|vk| vk.customer_id.as_deref() == Some(id.as_str()))
            .map(|vk| vk.id.clone())
            .collect();
        for key in keys {
            store.update::<VirtualKey, _>(&key, |vk| vk.customer_id = None);
        }
        let teams: Vec<String> = store
            .teams
            .values()
            .filter(|t| t.customer_id.as_deref() == Some(id.as_str()))
            .map(|t| t.id.clone())
            .collect();
        for team in teams {
            store.update::<Team, _>(&team, |t| t.customer_id = None);
        }
        limits::delete_budgets(store, &customer.budget_ids);
        limits::delete_rate_limit(store, customer.rate_limit_id.as_ref());
        store.remove::<Customer>(&id);
        Ok(())
    })?;
    Ok(GoJson::ok(message("Customer deleted successfully")).into_response())
}
