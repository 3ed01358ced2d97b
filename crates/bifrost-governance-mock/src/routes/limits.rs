//! `GET /api/governance/budgets` and `GET /api/governance/rate-limits`: every row,
//! never paged (`gov.go getBudgets`, `getRateLimits`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::App;
use crate::errors::{ApiResult, GoJson};
use crate::gojson::Go;
use crate::profile::MemoryRoute;
use crate::render::{self, Ctx};
use crate::request::Params;

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/governance/budgets", get(budgets))
        .route("/api/governance/rate-limits", get(rate_limits))
}

/// `{"<key>": items, "count": n}`; from memory (1.5.x) the items are a map by id.
fn answer(key: &str, items: Vec<(String, Go)>, by_id: bool) -> Go {
    let count = items.len();
    let items = if by_id {
        Go::Map(items.into_iter().collect::<BTreeMap<_, _>>())
    } else {
        Go::Array(items.into_iter().map(|(_, v)| v).collect())
    };
    Go::Map(
        [
            (key.to_string(), items),
            ("count".to_string(), Go::from(count)),
        ]
        .into_iter()
        .collect(),
    )
}

async fn budgets(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let ctx = Ctx::new(&store, profile);
    let by_id = params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::Budgets);
    let items = store
        .budgets
        .values()
        .map(|b| (b.id.clone(), render::budget(ctx, b)))
        .collect();
    Ok(GoJson::ok(answer("budgets", items, by_id)).into_response())
}

async fn rate_limits(State(app): State<Arc<App>>, params: Params) -> ApiResult {
    let profile = app.profile();
    let store = app.store();
    let ctx = Ctx::new(&store, profile);
    let by_id = params.flag("from_memory") && profile.reads_from_memory(MemoryRoute::RateLimits);
    let items = store
        .rate_limits
        .values()
        .map(|rl| (rl.id.clone(), render::rate_limit(ctx, rl)))
        .collect();
    Ok(GoJson::ok(answer("rate_limits", items, by_id)).into_response())
}
