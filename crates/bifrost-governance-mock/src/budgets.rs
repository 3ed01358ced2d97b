//! `GET /api/governance/budgets`: every budget row of every owner, never paged.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use bifrost_governance_client::types::{Budget, BudgetList};

use crate::errors::ApiResult;
use crate::state::App;

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/governance/budgets", get(list))
}

async fn list(State(app): State<Arc<App>>) -> ApiResult {
    let store = app.store();
    let mut budgets: Vec<Budget> = store
        .all_limits()
        .into_iter()
        .flat_map(|l| l.budgets.iter().cloned())
        .collect();
    budgets.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(Json(BudgetList {
        count: Some(budgets.len() as i64),
        budgets: Some(budgets),
    })
    .into_response())
}
