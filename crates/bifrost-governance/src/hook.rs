//! Request hooks: change the headers of every HTTP attempt and observe its outcome.
//!
//! A [`RequestHook`] is installed with
//! [`ClientBuilder::hook`](crate::ClientBuilder::hook) and runs inside the executor,
//! once per attempt: retries, tracing and secret redaction apply to the requests it
//! touches, and calls made through [`Client::raw`](crate::Client::raw) run it too.
//!
//! Order on each attempt: the request's own headers, then the client's credentials,
//! `User-Agent` and [default headers](crate::ClientBuilder::default_header) (each only
//! where the request has no such header yet), then every hook in the order they were
//! added (a hook may replace anything). Operations that take no credentials
//! (`security: []` in the spec: the version and the virtual-key quota) never carry an
//! `Authorization` header, whoever set it.
//!
//! A 401 is not retried, so a token that expires between two calls is not refreshed
//! by the SDK: a hook that sets a fresh token on *every* attempt (from its own cache)
//! is the way to rotate credentials.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use bifrost_governance::hook::{AUTHORIZATION, HeaderMap, HeaderValue};
//! use bifrost_governance::{Attempt, AttemptOutcome, Client, HookError, HookFuture, RequestHook};
//!
//! /// Sets a bearer token fetched (asynchronously) for each attempt.
//! struct FreshToken;
//!
//! impl FreshToken {
//!     async fn token(&self) -> Result<String, HookError> {
//!         Ok("short-lived-token".into()) // e.g. from a token service
//!     }
//! }
//!
//! impl RequestHook for FreshToken {
//!     fn on_request<'a>(&'a self, _: &'a Attempt, headers: &'a mut HeaderMap) -> HookFuture<'a> {
//!         Box::pin(async move {
//!             let token = self.token().await?;
//!             let value = HeaderValue::from_str(&format!("Bearer {token}"))
//!                 .map_err(|e| HookError::with_source("token is not a header value", e))?;
//!             headers.insert(AUTHORIZATION, value); // marked sensitive by the SDK
//!             Ok(())
//!         })
//!     }
//! }
//!
//! /// Counts attempts per status, for metrics.
//! #[derive(Default)]
//! struct Metrics(AtomicU64);
//!
//! impl RequestHook for Metrics {
//!     fn on_outcome(&self, outcome: &AttemptOutcome) {
//!         self.0.fetch_add(1, Ordering::Relaxed);
//!         let _ = (outcome.attempt.operation, outcome.status(), outcome.latency);
//!     }
//! }
//!
//! let client = Client::builder().hook(FreshToken).hook(Metrics::default()).build()?;
//! # let _ = client;
//! # Ok::<(), bifrost_governance::Error>(())
//! ```

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
pub use reqwest::{Method, StatusCode};

use crate::redact;

/// Boxed future returned by [`RequestHook::on_request`].
pub type HookFuture<'a> = Pin<Box<dyn Future<Output = Result<(), HookError>> + Send + 'a>>;

/// Called on every HTTP attempt of every operation; both methods have no-op
/// defaults, so implement only what you need. See the [module docs](self).
pub trait RequestHook: Send + Sync + 'static {
    /// Before an attempt is sent: add or replace headers (a request id, a fresh
    /// token). Values of credential-like headers (`Authorization`, `Cookie`,
    /// `X-API-Key`, names containing `token`, `secret`, `key`…) are marked sensitive
    /// afterwards; mark any other secret value with
    /// [`HeaderValue::set_sensitive`](reqwest::header::HeaderValue::set_sensitive).
    /// An error stops the call (no further attempt) with
    /// [`Error::Hook`](crate::Error::Hook).
    fn on_request<'a>(
        &'a self,
        attempt: &'a Attempt,
        headers: &'a mut HeaderMap,
    ) -> HookFuture<'a> {
        let _ = (attempt, headers);
        Box::pin(std::future::ready(Ok(())))
    }

    /// After an attempt: its status or error kind and latency, and whether the SDK
    /// will retry. Runs for every attempt, including those that are retried.
    fn on_outcome(&self, outcome: &AttemptOutcome) {
        let _ = outcome;
    }
}

/// Which attempt of which operation is being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// The `operationId`, e.g. `get_virtual_key`.
    pub operation: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template, e.g. `/api/governance/virtual-keys/{vk_id}` (no ids).
    pub path: &'static str,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether the operation takes credentials (false for the version and the
    /// virtual-key quota, which never carry `Authorization`).
    pub authenticated: bool,
}

/// What came of one attempt.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AttemptOutcome {
    /// The attempt.
    pub attempt: Attempt,
    /// The response status, or what went wrong.
    pub result: Result<StatusCode, AttemptErrorKind>,
    /// From sending to the response head (or the error).
    pub latency: Duration,
    /// Whether the SDK will try again after this attempt.
    pub will_retry: bool,
}

impl AttemptOutcome {
    /// The response status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.result.ok()
    }
}

/// Why an attempt got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptErrorKind {
    /// The connection could not be opened.
    Connect,
    /// No response within the per-attempt timeout.
    Timeout,
    /// Any other failure (reset, TLS, protocol).
    Other,
}

impl AttemptErrorKind {
    pub(crate) fn of(e: &reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout
        } else if e.is_connect() {
            Self::Connect
        } else {
            Self::Other
        }
    }
}

/// A [`RequestHook`] refused to let an attempt go out.
#[derive(Clone)]
pub struct HookError {
    message: String,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl HookError {
    /// An error with a message (`sk-bf-` tokens in it are masked).
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            message: redact::mask_virtual_keys(&message.to_string()),
            source: None,
        }
    }

    /// An error with a message and its cause.
    pub fn with_source(
        message: impl fmt::Display,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self {
            source: Some(Arc::new(source)),
            ..Self::new(message)
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookError")
            .field("message", &self.message)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for HookError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// The hooks of a client, shown in `Debug` by count only.
#[derive(Clone, Default)]
pub(crate) struct Hooks(pub(crate) Vec<Arc<dyn RequestHook>>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}
