//! Replies as the server writes them: Go-encoded JSON bodies, and the
//! `BifrostError` envelope every failing call answers with.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::gojson::{Go, Obj, encode};

/// A `200`-or-other reply whose body is a Go-encoded value (`SendJSON` /
/// `SendJSONWithStatus` in `handlers/utils.go`: `encoding/json`'s `Encoder`, so
/// custom `MarshalJSON` effects, sorted map keys, a trailing newline).
#[derive(Debug, Clone)]
pub(crate) struct GoJson(pub(crate) StatusCode, pub(crate) Go);

impl GoJson {
    /// `200` with `value`.
    pub(crate) fn ok(value: impl Into<Go>) -> Self {
        Self(StatusCode::OK, value.into())
    }
}

impl IntoResponse for GoJson {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "application/json")],
            encode(&self.1),
        )
            .into_response()
    }
}

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

/// The envelope `SendError` writes (`handlers/utils.go`): a `schemas.BifrostError`
/// with `is_bifrost_error: false`, the status, `error.message`, and the always
/// present, empty `extra_fields` (`schemas/bifrost.go BifrostError`, `ErrorField`).
pub(crate) fn envelope(status: StatusCode, message: impl Into<String>) -> Go {
    Obj::new()
        .field("is_bifrost_error", false)
        .field("status_code", i64::from(status.as_u16()))
        .field("error", Obj::new().field("message", message.into()))
        .field("extra_fields", Obj::new())
        .into()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        GoJson(self.status, envelope(self.status, self.message)).into_response()
    }
}
