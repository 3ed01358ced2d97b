//! Replies as the server writes them: Go-encoded JSON bodies, the `BifrostError`
//! envelope every failing call answers with, and the errors raised inside a
//! transaction, which each handler maps to a status the way upstream does.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::gojson::{Go, Obj, encode};

/// A reply whose body is a Go-encoded value (`SendJSON` / `SendJSONWithStatus` in
/// `handlers/utils.go`: `encoding/json`'s `Encoder`, so custom `MarshalJSON` effects,
/// sorted map keys, a trailing newline).
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

    /// 403.
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404: the entity does not exist.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 409: a unique constraint would be violated.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 500.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
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

/// What kind of error a transaction callback returned, as upstream tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// `badRequestError` (`handlers/utils.go`).
    BadRequest,
    /// A unique violation turned into `ErrAlreadyExists` by `parseGormError` (`rdb.go`).
    AlreadyExists,
    /// `configstore.ErrNotFound`.
    NotFound,
    /// Any other error (`fmt.Errorf`, hook errors, …).
    Plain,
}

/// An error raised inside a transaction: its kind and its text (`err.Error()`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TxError {
    pub(crate) kind: TxKind,
    pub(crate) message: String,
}

impl TxError {
    /// A `badRequestError`.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self {
            kind: TxKind::BadRequest,
            message: message.into(),
        }
    }

    /// A plain error.
    pub(crate) fn plain(message: impl Into<String>) -> Self {
        Self {
            kind: TxKind::Plain,
            message: message.into(),
        }
    }

    /// `parseGormError` of a unique violation on `column` (underscores as spaces).
    pub(crate) fn exists(column: &str) -> Self {
        Self {
            kind: TxKind::AlreadyExists,
            message: format!(
                "a record with this {} already exists. Please use a different value",
                column.replace('_', " ")
            ),
        }
    }

    /// `ErrNotFound` (`not found`).
    pub(crate) fn not_found() -> Self {
        Self {
            kind: TxKind::NotFound,
            message: "not found".to_string(),
        }
    }

    /// Wraps the text like `fmt.Errorf("<prefix>: %w", err)`, keeping the kind.
    pub(crate) fn wrap(self, prefix: &str) -> Self {
        Self {
            kind: self.kind,
            message: format!("{prefix}: {}", self.message),
        }
    }
}

impl From<String> for TxError {
    fn from(message: String) -> Self {
        Self::plain(message)
    }
}
