//! `GET /api/version`: the server version as a bare JSON string.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::App;
use crate::errors::{ApiResult, GoJson};

/// Path of the version route (never authenticated).
pub(crate) const VERSION_PATH: &str = "/api/version";

/// Routes of this resource.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new().route(VERSION_PATH, get(version))
}

async fn version(State(app): State<Arc<App>>) -> ApiResult {
    // `handlers/config.go getVersion`: `SendJSON(ctx, version)`.
    Ok(GoJson::ok(app.config.version.as_str()).into_response())
}
