//! The one error type of the SDK.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::Value;

use crate::capability::Capability;
use crate::hook::HookError;
use crate::pagination::Incomplete;
use crate::version::ServerVersion;
use crate::{redact, retry};

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
    /// The connection failed or broke (refused, reset, TLS), including a body cut
    /// off before its `Content-Length` or last chunk arrived, whatever the status:
    /// the message then starts "reading the response body failed" (reqwest's
    /// `source` calls this kind of failure "decode"; nothing was decoded).
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
    /// The server's version lacks a feature the call needs; nothing was sent (see
    /// [`Client::require`](crate::Client::require)).
    #[error(
        "this server ({server_version}) does not support {capability} \
         (needs v{}.{}.{} or newer)", .since.0, .since.1, .since.2
    )]
    Unsupported {
        /// The missing feature.
        capability: Capability,
        /// The version the server reported.
        server_version: ServerVersion,
        /// The first version that has it, `(major, minor, patch)`.
        since: (u64, u64, u64),
    },
    /// A [`RequestHook`](crate::RequestHook) refused an attempt; the call stopped
    /// there.
    #[error("{operation}: request hook failed: {source}")]
    Hook {
        /// The `operationId` of the call.
        operation: &'static str,
        /// What the hook returned.
        #[source]
        source: HookError,
    },
    /// The server answered success but left one requested change out; the rest of
    /// the call was applied. (v1.5.x keeps a team's customer once it has one.)
    #[error("{operation}: the server did not apply `{field}`: sent {sent:?}, it kept {kept:?}")]
    NotApplied {
        /// The `operationId` of the call.
        operation: &'static str,
        /// The request field that was left out.
        field: &'static str,
        /// What was sent (`""` clears).
        sent: String,
        /// What the server answered instead (`""` for none).
        kept: String,
    },
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

    /// 429: too many requests; see [`retry_after`](Self::retry_after).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// A 5xx status from the server (or a proxy in front of it).
    pub fn is_server_error(&self) -> bool {
        self.status().is_some_and(|s| s.is_server_error())
    }

    /// No complete response within the client's per-attempt timeout
    /// ([`Error::Timeout`]; a 504 from a proxy is a server error instead).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// How long the server asked to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(|e| e.retry_after)
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
#[non_exhaustive]
pub struct ApiError {
    /// The `operationId` of the call.
    pub operation: &'static str,
    /// HTTP status.
    pub status: StatusCode,
    /// The readable message: `.error.message` of the Bifrost envelope, else
    /// `.error` when it is a string, else `.message`; else the start of a non-JSON
    /// body, else the status text. `sk-bf-` tokens are masked.
    pub message: String,
    /// `.error.type` or `.type` of the envelope.
    pub error_type: Option<String>,
    /// `.error.code` of the envelope.
    pub code: Option<String>,
    /// `.event_id` (or `.error.event_id`) of the envelope.
    pub event_id: Option<String>,
    /// The delay the `Retry-After` header asked for (seconds or an HTTP date,
    /// measured when the response arrived).
    pub retry_after: Option<Duration>,
    /// The response headers, without `Set-Cookie`; credential-like values are
    /// marked sensitive (hidden in `Debug`).
    pub headers: HeaderMap,
    /// The raw body as received.
    pub body: Bytes,
}

impl ApiError {
    /// 429, 502, 503 and 504 (the statuses the SDK retries).
    pub fn is_retryable(&self) -> bool {
        retry::is_retryable_status(self.status)
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub(crate) fn from_response(
        operation: &'static str,
        status: StatusCode,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        headers.remove(SET_COOKIE);
        redact::mark_sensitive(&mut headers);
        let json = serde_json::from_slice::<Value>(&body).ok();
        let text = |v: Option<&Value>| match v? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let field = |path: &str| text(json.as_ref()?.pointer(path));
        let message = field("/error/message")
            .or_else(|| field("/error/error"))
            .or_else(|| field("/error"))
            .or_else(|| field("/message"))
            .or_else(|| text(json.as_ref().filter(|v| v.is_string())))
            .map(|m| redact::mask_virtual_keys(&m))
            .unwrap_or_else(|| {
                let text = String::from_utf8_lossy(&body);
                let text = text.trim();
                // JSON (or what looks like cut-off JSON) can hold secrets anywhere.
                if text.is_empty() || json.is_some() || text.starts_with(['{', '[']) {
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
            error_type: field("/error/type").or_else(|| field("/type")),
            code: field("/error/code"),
            event_id: field("/event_id").or_else(|| field("/error/event_id")),
            retry_after: retry::retry_after(&headers),
            headers,
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
            .field("retry_after", &self.retry_after)
            .field("headers", &self.headers)
            .field("body", &redact::body_excerpt(&self.body))
            .finish()
    }
}

impl std::error::Error for ApiError {}

/// Input that cannot be sent, caught before any request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
#[non_exhaustive]
pub struct InvalidInput {
    /// The field or argument at fault.
    pub field: &'static str,
    /// Why it was refused.
    pub reason: String,
}

impl InvalidInput {
    /// Input refused for `field`, with the reason (for code that validates its own
    /// input the way the SDK does and reports one error type).
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
