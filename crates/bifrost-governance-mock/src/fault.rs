//! Deterministic fault injection for resilience tests and benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::errors::envelope;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    EveryNth(u64),
    FirstN(u64),
}

/// A deterministic failure the server injects instead of answering.
///
/// Each fault counts the requests it applies to (all of them, or those under
/// [`Fault::path_prefix`]) and fails the chosen ones with `status` and a
/// `BifrostError` body. Faults are checked before authentication.
///
/// ```
/// use bifrost_governance_mock::Fault;
///
/// // Every third request answers 503 with `Retry-After: 1`.
/// let flaky = Fault::every_nth(3, 503).message("overloaded").retry_after(1);
/// // The first two virtual-key calls answer 500, then everything works.
/// let warmup = Fault::first(2, 500).path_prefix("/api/governance/virtual-keys");
/// # let _ = (flaky, warmup);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    trigger: Trigger,
    status: u16,
    message: String,
    path_prefix: Option<String>,
    retry_after: Option<u64>,
}

impl Fault {
    fn new(trigger: Trigger, status: u16) -> Self {
        Self {
            trigger,
            status,
            message: "Injected fault".to_string(),
            path_prefix: None,
            retry_after: None,
        }
    }

    /// Fails request number `n`, `2n`, `3n`, … (1-based; `n = 0` never fails).
    pub fn every_nth(n: u64, status: u16) -> Self {
        Self::new(Trigger::EveryNth(n), status)
    }

    /// Fails the first `n` requests, then lets every later one through.
    pub fn first(n: u64, status: u16) -> Self {
        Self::new(Trigger::FirstN(n), status)
    }

    /// Sets the message put at `.error.message` (default "Injected fault").
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Applies the fault only to paths starting with `prefix`; other requests
    /// are neither failed nor counted.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Adds a `Retry-After: <seconds>` header to the injected responses.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// A fault with its request counter.
#[derive(Debug)]
pub(crate) struct FaultState {
    fault: Fault,
    seen: AtomicU64,
}

impl FaultState {
    pub(crate) fn new(fault: Fault) -> Self {
        Self {
            fault,
            seen: AtomicU64::new(0),
        }
    }

    /// Counts a request and answers the injected failure when it is due.
    pub(crate) fn check(&self, path: &str) -> Option<Response> {
        if let Some(prefix) = &self.fault.path_prefix
            && !path.starts_with(prefix.as_str())
        {
            return None;
        }
        let number = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        let due = match self.fault.trigger {
            Trigger::EveryNth(0) => false,
            Trigger::EveryNth(n) => number.is_multiple_of(n),
            Trigger::FirstN(n) => number <= n,
        };
        if !due {
            return None;
        }
        let status = self.fault.status_code();
        let mut response =
            crate::errors::GoJson(status, envelope(status, self.fault.message.clone()))
                .into_response();
        if let Some(seconds) = self.fault.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        Some(response)
    }
}
