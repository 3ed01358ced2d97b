//! The `BifrostError` envelope every failing call answers with.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bifrost_governance_client::types::{BifrostError, BifrostErrorDetail};

/// A failed request: an HTTP status and the message put at `.error.message`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

/// What every handler returns.
pub(crate) type ApiResult<T = Response> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400: bad input.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: missing or wrong credentials.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 404: the entity does not exist.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 409: a unique constraint would be violated.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }
}

/// Builds the envelope `{"is_bifrost_error":false,"status_code":N,"error":{"message":…},"extra_fields":{}}`.
pub(crate) fn envelope(status: StatusCode, message: impl Into<String>) -> BifrostError {
    BifrostError {
        error: Some(BifrostErrorDetail {
            message: Some(message.into()),
            ..Default::default()
        }),
        event_id: None,
        extra_fields: Some(serde_json::Map::new()),
        is_bifrost_error: Some(false),
        status_code: Some(i64::from(status.as_u16())),
        type_: None,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(envelope(self.status, self.message))).into_response()
    }
}
