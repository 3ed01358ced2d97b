//! `/api/governance/teams` (`gov.go` getTeams…deleteTeam; v2 `governance.go`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawPathParams, State};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

use crate::app::App;
use crate::errors::{ApiError, ApiResult, GoJson, TxError, TxKind};
use crate::gojson::Go;
use crate::limits::{self, BudgetItem, RateLimitIn, Reconcile};
use crate::pagination::{self, envelope, envelope_all};
use crate::profile::{MemoryRoute, Profile};
use crate::render::{self, Ctx, TeamView};
use crate::request::{self, Params, zero_if_null};
use crate::routes::keys::message;
use crate::routes::{path_name, single};
use crate::store::Store;
use crate::store::records::{BudgetOwner, Team, VirtualKey};

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/teams", get(list).post(create))
        .route(
            "/api/governance/teams/{team_id}",
            get(get_one).put(update).delete(delete),
        )
}

/// `CreateTeamRequest` / `UpdateTeamRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TeamIn {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) customer_id: Option<String>,
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
    ApiError::not_found("Team not found")
}

fn team_id(profile: Profile, raw: &RawPathParams) -> Result<String, ApiError> {
    path_name(profile, raw, "Invalid team ID encoding")
}

fn render_list(store: &Store, profile: Profile, teams: Vec<&Team>) -> Vec<Go> {
    let ctx = Ctx::new(store, profile);
    teams
        .into_iter()
        .map(|t| render::team(ctx, t, TeamView::FULL))
        .collect()
}

async fn list(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let customer_id = params.peek("customer_id");
    let of_customer =
        |t: &&Team| customer_id.is_empty() || t.customer_id.as_deref() == Some(customer_id);
    if params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::Teams) {
        // `data.Teams`: a map keyed by id (filtered by customer when asked).
        let ctx = Ctx::new(&store, profile);
        let teams: std::collections::BTreeMap<String, Go> = store
            .teams
            .values()
            .filter(of_customer)
            .map(|t| (t.id.clone(), render::team(ctx, t, TeamView::FULL)))
            .collect();
        let n = teams.len();
        return Ok(
            GoJson::ok(envelope("teams", Go::Map(teams), n, n as i64, n as i64, 0)).into_response(),
        );
    }
    let rows: Vec<&Team> = store.teams.values().filter(of_customer).collect();
    if !pagination::any_set(&params, &["limit", "offset", "search"]) {
        let items = render_list(&store, profile, rows);
        return Ok(GoJson::ok(envelope_all("teams", items)).into_response());
    }
    let (limit, offset) = pagination::clamp(
        pagination::lenient(&params, "limit"),
        pagination::lenient(&params, "offset"),
    );
    let search = params.peek("search");
    let rows: Vec<&Team> = rows
        .into_iter()
        .filter(|t| pagination::matches(&t.name, search))
        .collect();
    let total = rows.len() as i64;
    let items = render_list(&store, profile, pagination::slice(rows, limit, offset));
    Ok(GoJson::ok(pagination::page("teams", items, total, limit, offset)).into_response())
}

fn respond(store: &Store, profile: Profile, id: &str, message: Option<&str>) -> ApiResult {
    let team = store.teams.get(id).ok_or_else(not_found)?;
    let body = render::team(Ctx::new(store, profile), team, TeamView::FULL);
    Ok(GoJson::ok(single("team", body, message)).into_response())
}

async fn get_one(State(app): State<Arc<App>>, raw: RawPathParams) -> ApiResult {
    let profile = app.profile();
    let id = team_id(profile, &raw)?;
    respond(&app.store(), profile, &id, None)
}

/// The in-transaction checks of a team's budget list (400s).
fn check_items(profile: Profile, items: &[BudgetItem]) -> Result<(), TxError> {
    crate::limits::check_budget_list(profile, items, crate::limits::ListWording::Update)
        .map_err(TxError::bad)
}

/// Whether a team budget starts calendar-aligned: the item's flag on 1.5.x
/// (`gov.go createTeam`), the team's on v2.
fn item_aligned(profile: Profile, team_aligned: bool, item: &BudgetItem) -> bool {
    if profile.multi_budget_owners() {
        team_aligned
    } else {
        item.calendar_aligned
    }
}

/// Creates a team (the handler and seeding); `id` fixes the id.
pub(crate) fn create_team(
    store: &mut Store,
    profile: Profile,
    req: &TeamIn,
    id: Option<String>,
) -> Result<String, ApiError> {
    let name = req.name.clone().unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request("Team name is required"));
    }
    if let Some(rl) = &req.rate_limit {
        limits::validate_rate_limit(profile, rl)
            .map_err(|e| ApiError::bad_request(format!("Invalid rate limit: {e}")))?;
    }
    store
        .transaction(|store| {
            let rate_limit_id = match &req.rate_limit {
                Some(rl) => {
                    let row = limits::new_rate_limit(store, rl);
                    let id = row.id.clone();
                    limits::save_rate_limit(store, profile, row)?;
                    Some(id)
                }
                None => None,
            };
            let id = id.unwrap_or_else(|| store.clock.new_id());
            if store.teams.values().any(|t| t.name == name) {
                return Err(TxError::exists("name"));
            }
            let aligned = profile.multi_budget_owners() && req.calendar_aligned == Some(true);
            let now = store.clock.now();
            let mut team = Team {
                id: id.clone(),
                name: name.clone(),
                customer_id: req.customer_id.clone(),
                rate_limit_id,
                budget_ids: Vec::new(),
                calendar_aligned: aligned,
                created_at: now,
                updated_at: now,
            };
            store.put(&id, team.clone());
            let items = req.budgets.clone().unwrap_or_default();
            let mut seen: Vec<String> = Vec::new();
            for item in &items {
                check_items(profile, std::slice::from_ref(item))?;
                if seen.contains(&item.reset_duration) {
                    return Err(TxError::bad(format!(
                        "duplicate reset_duration in budgets: {}",
                        item.reset_duration
                    )));
                }
                seen.push(item.reset_duration.clone());
                let item_aligned = item_aligned(profile, aligned, item);
                let mut budget = limits::new_budget(
                    store,
                    item.max_limit,
                    &item.reset_duration,
                    item_aligned,
                    BudgetOwner::Team(id.clone()),
                    profile,
                );
                if profile.is_v1_5() {
                    budget.calendar_aligned = item.calendar_aligned;
                } else {
                    budget.reset_config = item.reset_config.map(|rc| rc.quarter_start_month);
                }
                limits::validate_budget(
                    profile,
                    item.max_limit,
                    &item.reset_duration,
                    budget.reset_config,
                )?;
                team.budget_ids.push(budget.id.clone());
                limits::save_budget(store, profile, budget)?;
            }
            store.put(&id, team);
            Ok(id)
        })
        .map_err(|e| match e.kind {
            TxKind::BadRequest => ApiError::bad_request(e.message),
            TxKind::AlreadyExists if profile.name_conflicts_are_409() => {
                ApiError::conflict("A team with this name already exists")
            }
            _ => ApiError::internal("failed to create team"),
        })
}

async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let req: TeamIn = request::decode(&body)?;
    let mut store = app.store();
    let id = create_team(&mut store, profile, &req, None)?;
    respond(&store, profile, &id, Some("Team created successfully"))
}

async fn update(State(app): State<Arc<App>>, raw: RawPathParams, body: Bytes) -> ApiResult {
    let profile = app.profile();
    let id = team_id(profile, &raw)?;
    let req: TeamIn = request::decode(&body)?;
    let mut store = app.store();
    let team = store.teams.get(&id).cloned().ok_or_else(not_found)?;
    store
        .transaction(|store| update_team(store, profile, team, &req))
        .map_err(|e| match e.kind {
            TxKind::BadRequest => ApiError::bad_request(e.message),
            _ => ApiError::internal("Failed to update team"),
        })?;
    respond(&store, profile, &id, Some("Team updated successfully"))
}

fn update_team(
    store: &mut Store,
    profile: Profile,
    mut team: Team,
    req: &TeamIn,
) -> Result<(), TxError> {
    if let Some(name) = &req.name {
        team.name = name.clone();
    }
    if let Some(customer_id) = &req.customer_id {
        // 1.5.2: `Save` re-copies the foreign key from the preloaded customer, so a
        // team that has one keeps it.
        let has_customer = team
            .customer_id
            .as_ref()
            .is_some_and(|c| store.customers.contains_key(c));
        if profile.team_customer_change_sticks() || !has_customer {
            team.customer_id = (!customer_id.is_empty()).then(|| customer_id.clone());
        }
    }
    let switched_on = profile.multi_budget_owners()
        && req.calendar_aligned == Some(true)
        && !team.calendar_aligned;
    if profile.multi_budget_owners()
        && let Some(aligned) = req.calendar_aligned
    {
        team.calendar_aligned = aligned;
    }
    if let Some(items) = &req.budgets {
        check_items(profile, items)?;
        let team_aligned = team.calendar_aligned;
        let zeroes = profile.calendar_switch_zeroes_usage();
        let grammar = profile.grammar();
        team.budget_ids = limits::reconcile(
            store,
            profile,
            Reconcile {
                owner: BudgetOwner::Team(team.id.clone()),
                existing: team.budget_ids.clone(),
                requests: items,
                aligned: &|item| item_aligned(profile, team_aligned, item),
                on_match: &|budget, item, now| {
                    if zeroes {
                        // 1.5.2: the item's flag overwrites the budget's; switching it on
                        // snaps the window and zeroes the usage.
                        let was = budget.calendar_aligned;
                        budget.calendar_aligned = item.calendar_aligned;
                        if item.calendar_aligned && !was {
                            budget.last_reset = crate::calendar::period_start(
                                &item.reset_duration,
                                grammar,
                                now,
                                0,
                            );
                            budget.current_usage = 0.0;
                        }
                    }
                },
                delete_context: "failed to delete removed team budget",
            },
        )?;
    }
    if switched_on {
        limits::adopt_alignment(store, profile, &team.budget_ids);
    }
    if let Some(rl) = &req.rate_limit {
        team.rate_limit_id =
            limits::overwrite_rate_limit(store, profile, team.rate_limit_id.clone(), rl)?;
    }
    if !profile.is_v1_5() && req.reset_budget_usage {
        limits::reset_usage(store, &team.budget_ids);
    }
    if store
        .teams
        .values()
        .any(|t| t.id != team.id && t.name == team.name)
    {
        return Err(TxError::exists("name"));
    }
    team.updated_at = store.clock.now();
    let id = team.id.clone();
    store.put(&id, team);
    Ok(())
}

async fn delete(State(app): State<Arc<App>>, raw: RawPathParams) -> ApiResult {
    let profile = app.profile();
    let id = team_id(profile, &raw)?;
    let mut store = app.store();
    let team = store.teams.get(&id).cloned().ok_or_else(not_found)?;
    store.transaction::<_, ApiError>(|store| {
        // Keys keep everything but their team (`UPDATE … SET team_id = NULL`).
        let keys: Vec<String> = store
            .virtual_keys
            .values()
            .filter(|vk| vk.team_id.as_deref() == Some(id.as_str()))
            .map(|vk| vk.id.clone())
            .collect();
        for key in keys {
            store.update::<VirtualKey, _>(&key, |vk| vk.team_id = None);
        }
        limits::delete_budgets(store, &team.budget_ids);
        limits::delete_rate_limit(store, team.rate_limit_id.as_ref());
        store.remove::<Team>(&id);
        Ok(())
    })?;
    Ok(GoJson::ok(message("Team deleted successfully")).into_response())
}
