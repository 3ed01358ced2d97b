//! The one error type of the SDK.

use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::pagination::Incomplete;
use crate::redact;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call.
///
/// Display messages are written to be useful as printed; none of them (nor `Debug`)
/// contains a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a 4xx or 5xx status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Input rejected before any request was sent.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The connection failed or broke (refused, reset, TLS, cut-off body).
    #[error("{operation}: connection error: {message}")]
    Transport {
        /// The `operationId` of the call.
        operation: &'static str,
        /// What went wrong.
        message: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// No complete response within the configured timeout.
    #[error("{operation}: timed out waiting for the server")]
    Timeout {
        /// The `operationId` of the call.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// A success response whose JSON did not match the expected shape.
    #[error(
        "{operation}: could not decode the {status} response: {message}; body starts: {excerpt}"
    )]
    Decode {
        /// The `operationId` of the call.
        operation: &'static str,
        /// HTTP status of the response.
        status: StatusCode,
        /// Decoder message, with quoted values masked.
        message: String,
        /// Start of the body, with string values masked.
        excerpt: String,
    },
    /// A success status with a body that is not JSON, typically Bifrost's web UI
    /// answering an unknown route (or a governance route on a server without the
    /// governance plugin) with `200 text/html`.
    #[error(
        "{operation}: expected JSON but got {status} with content type `{content_type}` \
         (is the base URL right and the governance plugin enabled?); body starts: {excerpt}"
    )]
    UnexpectedContentType {
        /// The `operationId` of the call.
        operation: &'static str,
        /// HTTP status of the response.
        status: StatusCode,
        /// The `Content-Type` the server sent (empty when missing).
        content_type: String,
        /// Start of the body, with string values masked.
        excerpt: String,
    },
    /// The client could not be configured (bad base URL, unusable header value…).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A list scan could not receive every item the server's `total_count`
    /// promised, and the server, not a change of the collection, is the cause: it
    /// repeated a page (it ignores `offset`), stopped sending items early, or
    /// repeated items across pages, all while `total_count` stayed the same. The
    /// items received before were yielded; this is the stream's last item.
    /// [`List::allow_incomplete`](crate::List::allow_incomplete) reports it in the
    /// [`ScanReport`](crate::ScanReport) instead.
    #[error("list scan incomplete: {received} of {expected} items received; {cause}")]
    IncompleteScan {
        /// Items `total_count` promised (after the scan's offset and `max_items`).
        expected: u64,
        /// Items the scan yielded.
        received: u64,
        /// What went wrong.
        cause: Incomplete,
    },
}

impl Error {
    /// The API error, when the server answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } | Error::UnexpectedContentType { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// 404: the entity does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// 409: a name or key is already taken.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// 401: credentials missing or wrong.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// 400: the server refused the input.
    pub fn is_bad_request(&self) -> bool {
        self.status() == Some(StatusCode::BAD_REQUEST)
    }

    /// Whether trying again later may succeed (connection failures, timeouts, 429,
    /// 502, 503, 504). Says nothing about whether a retry is *safe*: see
    /// [`RetryConfig`](crate::RetryConfig) for what the SDK retries by itself.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// An error status from the server, with everything the body said.
#[derive(Clone, PartialEq)]
pub struct ApiError {
    /// The `operationId` of the call.
    pub operation: &'static str,
    /// HTTP status.
    pub status: StatusCode,
    /// The readable message (`.error.message` of the Bifrost envelope, or the
    /// start of the body when it is not the envelope).
    pub message: String,
    /// `.error.type` or `.type` of the envelope.
    pub error_type: Option<String>,
    /// `.error.code` of the envelope.
    pub code: Option<String>,
    /// `.event_id` (or `.error.event_id`) of the envelope.
    pub event_id: Option<String>,
    /// The raw body as received.
    pub body: Bytes,
}

impl ApiError {
    /// 429, 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status.as_u16(), 429 | 502 | 503 | 504)
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub(crate) fn from_body(operation: &'static str, status: StatusCode, body: Bytes) -> Self {
        let envelope =
            serde_json::from_slice::<bifrost_governance_client::types::BifrostError>(&body).ok();
        let detail = envelope.as_ref().and_then(|e| e.error.as_ref());
        let message = detail
            .and_then(|d| d.message.clone().or_else(|| d.error.clone()))
            .map(|m| redact::mask_virtual_keys(&m))
            .unwrap_or_else(|| {
                let text = String::from_utf8_lossy(&body);
                let text = text.trim();
                if text.is_empty() || text.starts_with('{') || text.starts_with('[') {
                    status.canonical_reason().unwrap_or("error").to_string()
                } else {
                    redact::mask_virtual_keys(
                        &text.chars().take(redact::EXCERPT_LEN).collect::<String>(),
                    )
                }
            });
        Self {
            operation,
            status,
            message,
            error_type: detail
                .and_then(|d| d.type_.clone())
                .or_else(|| envelope.as_ref().and_then(|e| e.type_.clone())),
            code: detail.and_then(|d| d.code.clone()),
            event_id: envelope
                .as_ref()
                .and_then(|e| e.event_id.clone())
                .or_else(|| detail.and_then(|d| d.event_id.clone())),
            body,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: server answered {}: {}",
            self.operation, self.status, self.message
        )?;
        if let Some(event_id) = &self.event_id {
            write!(f, " (event {event_id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("error_type", &self.error_type)
            .field("code", &self.code)
            .field("event_id", &self.event_id)
            .field("body", &redact::body_excerpt(&self.body))
            .finish()
    }
}

impl std::error::Error for ApiError {}

/// Input that cannot be sent, caught before any request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct InvalidInput {
    /// The field or argument at fault.
    pub field: &'static str,
    /// Why it was refused.
    pub reason: String,
}

impl InvalidInput {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
