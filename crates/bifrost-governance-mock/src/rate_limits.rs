//! `GET /api/governance/rate-limits`: every rate-limit row, never paged.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use bifrost_governance_client::types::{RateLimit, RateLimitList};

use crate::errors::ApiResult;
use crate::state::App;

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/governance/rate-limits", get(list))
}

async fn list(State(app): State<Arc<App>>) -> ApiResult {
    let store = app.store();
    let mut rate_limits: Vec<RateLimit> = store
        .all_limits()
        .into_iter()
        .filter_map(|l| l.rate_limit.clone())
        .collect();
    rate_limits.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(Json(RateLimitList {
        count: Some(rate_limits.len() as i64),
        rate_limits: Some(rate_limits),
    })
    .into_response())
}
