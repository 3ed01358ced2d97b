//! The executor every request of the generated client goes through (its `exec`
//! hook): headers (credentials, `User-Agent`, defaults), request hooks, per-attempt
//! timeout, retries with backoff and `Retry-After`, one `bifrost.request` tracing
//! span per attempt, and a last look at the response:
//!
//! * inside [`call`](crate::transport::call) it records what the error mapping
//!   needs (status, headers and body of an error, a non-JSON or non-object success);
//! * outside it (raw use through [`Client::raw`](crate::Client::raw)) nothing maps
//!   progenitor's errors afterwards, and their `Display` prints the body: a success
//!   body that would not decode is replaced by a masked copy, and `sk-bf-` tokens
//!   are masked in error bodies, so no secret reaches a printed error.

use std::time::{Duration, Instant};

use bifrost_governance_client::hooks::{ExecFuture, RequestExecutor};
use bifrost_governance_client::operations::{self, Operation};
use bytes::Bytes;
use progenitor_client::OperationInfo;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use crate::hook::{Attempt, AttemptErrorKind, AttemptOutcome, HookError, Hooks};
use crate::redact;
use crate::retry::{RetryConfig, is_retryable_status, retry_after};
use crate::transport::{in_call, record};

/// The executor installed in the generated client.
#[derive(Debug)]
pub(crate) struct SdkExecutor {
    /// The credentials, for operations that take them.
    pub(crate) authorization: Option<HeaderValue>,
    /// `User-Agent` and the default headers, values of credential-like names
    /// marked sensitive.
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryConfig,
    pub(crate) hooks: Hooks,
}

impl RequestExecutor for SdkExecutor {
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> ExecFuture<'a> {
        Box::pin(self.send_with_retries(http, request, info.operation_id))
    }
}

impl SdkExecutor {
    async fn send_with_retries(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let op = operations::find(operation);
        let path = op.map_or("", |op| op.path);
        let authenticated = op.is_none_or(|op| op.authenticated);
        self.prepare(&mut request, authenticated);
        let extra_query = crate::transport::extra_query();
        if !extra_query.is_empty() {
            request
                .url_mut()
                .query_pairs_mut()
                .extend_pairs(extra_query);
        }
        let idempotent = matches!(
            *request.method(),
            Method::GET | Method::PUT | Method::DELETE
        );
        let started = Instant::now();
        let mut attempt = 0;
        let mut next_try = Some(request);
        loop {
            attempt += 1;
            let mut this_try = next_try.take().expect("a request for every attempt");
            // Bodies that cannot be cloned (streams) are sent once. The copy is taken
            // before the hooks run: each attempt starts from the prepared request.
            next_try = (attempt < self.retry.max_attempts)
                .then(|| this_try.try_clone())
                .flatten();
            let info = Attempt {
                operation,
                method: this_try.method().clone(),
                path,
                attempt,
                authenticated,
            };
            let span = tracing::debug_span!(
                "bifrost.request",
                operation,
                method = %info.method,
                path,
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            if let Err(e) = self
                .run_hooks(&info, this_try.headers_mut())
                .instrument(span.clone())
                .await
            {
                return Ok(hook_failure(e));
            }
            let sent_at = Instant::now();
            let result = http.execute(this_try).instrument(span.clone()).await;
            let latency = sent_at.elapsed();
            span.record("latency_ms", latency.as_millis() as u64);
            if let Ok(response) = &result {
                span.record("status", response.status().as_u16());
            }
            record(|r| r.attempts = attempt);

            let wait = self
                .retry_wait(&result, idempotent, attempt)
                .filter(|wait| {
                    next_try.is_some() && started.elapsed() + *wait <= self.retry.max_elapsed
                });
            self.observe(info, &result, latency, wait.is_some());
            let Some(wait) = wait else {
                return inspect(op, result?).await;
            };
            span.in_scope(|| match &result {
                Ok(r) => tracing::debug!(status = r.status().as_u16(), ?wait, "retrying"),
                Err(e) => tracing::debug!(error = %e, ?wait, "retrying"),
            });
            tokio::time::sleep(wait).await;
        }
    }

    /// Credentials, `User-Agent` and default headers where the request has none of
    /// that name yet; the per-attempt timeout unless the request has one.
    fn prepare(&self, request: &mut reqwest::Request, authenticated: bool) {
        let headers = request.headers_mut();
        if let (true, Some(auth)) = (authenticated, &self.authorization) {
            headers.entry(AUTHORIZATION).or_insert_with(|| auth.clone());
        }
        for name in self.headers.keys() {
            if headers.contains_key(name) || (!authenticated && name == AUTHORIZATION) {
                continue;
            }
            for value in self.headers.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        if let Some(timeout) = self.timeout {
            request.timeout_mut().get_or_insert(timeout);
        }
    }

    /// Every hook's `on_request`, in order; then what no hook may undo: operations
    /// without credentials carry no `Authorization`, and credential-like values are
    /// sensitive.
    async fn run_hooks(&self, attempt: &Attempt, headers: &mut HeaderMap) -> Result<(), HookError> {
        for hook in &self.hooks.0 {
            hook.on_request(attempt, headers).await?;
        }
        if !attempt.authenticated {
            headers.remove(AUTHORIZATION);
        }
        redact::mark_sensitive(headers);
        Ok(())
    }

    /// The wait before another attempt, when this outcome is worth one.
    fn retry_wait(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        idempotent: bool,
        attempt: u32,
    ) -> Option<Duration> {
        match result {
            Ok(response) if idempotent && is_retryable_status(response.status()) => {
                Some(retry_after(response.headers()).unwrap_or_else(|| self.retry.backoff(attempt)))
            }
            // A POST may be retried only if it certainly never reached the server.
            Err(e) if e.is_connect() || (idempotent && !e.is_timeout()) => {
                Some(self.retry.backoff(attempt))
            }
            _ => None,
        }
    }

    fn observe(
        &self,
        attempt: Attempt,
        result: &reqwest::Result<reqwest::Response>,
        latency: Duration,
        will_retry: bool,
    ) {
        if self.hooks.0.is_empty() {
            return;
        }
        let outcome = AttemptOutcome {
            attempt,
            result: match result {
                Ok(response) => Ok(response.status()),
                Err(e) => Err(AttemptErrorKind::of(e)),
            },
            latency,
            will_retry,
        };
        for hook in &self.hooks.0 {
            hook.on_outcome(&outcome);
        }
    }
}

/// A response that carries a hook's error as the failure of its body: the only way
/// to hand a typed error through a hook that returns `reqwest` results. Inside
/// `call` the record says what happened; a raw caller gets progenitor's
/// `ResponseBodyError` whose source is the [`HookError`].
fn hook_failure(error: HookError) -> reqwest::Response {
    record(|r| r.hook_error = Some(error.clone()));
    let body = futures::stream::once(std::future::ready(Err::<Bytes, _>(error)));
    reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(body)))
}

/// Buffers the body and records (inside `call`) or sanitizes (raw calls) what the
/// caller will see; see the module docs.
async fn inspect(
    op: Option<&Operation>,
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    // Moved out rather than cloned: the rebuilt response gets them back (this runs
    // on every call; see the per-call row of BENCHMARKS.md).
    let mut headers = std::mem::take(response.headers_mut());
    let content_type = headers.get(CONTENT_TYPE).map(|v| v.as_bytes());
    let json = content_type.is_none_or(|ct| ct.windows(4).any(|w| w == b"json"));
    let content_type = content_type
        .filter(|_| !json)
        .map(|ct| String::from_utf8_lossy(ct).into_owned());
    if headers
        .get("deprecation")
        .is_some_and(|v| v.as_bytes() == b"true")
    {
        // Routes moved in v2.0 keep answering for a release with this header.
        tracing::warn!(path = %response.url().path(), "Bifrost marked this route as deprecated");
    }
    redact::mark_sensitive(&mut headers);
    let body = response.bytes().await?;
    let body = if in_call() {
        record(|r| {
            r.status = Some(status);
            if !status.is_success() {
                r.headers = headers.clone();
                r.body = Some(body.clone());
            } else if !json {
                r.unexpected_content_type = content_type;
                r.body = Some(body.clone());
            } else if op.is_some_and(|op| op.returns_object) {
                r.not_an_object = not_an_object(&body);
                r.body = r.not_an_object.map(|_| body.clone());
            }
        });
        body
    } else {
        sanitize_raw(op, status, body)
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    // The URL travels in an extension only reqwest's builder can set; without it
    // reqwest parses a placeholder URL on every conversion (and `url()` would lie).
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        rebuilt
            .extensions_mut()
            .extend(carrier.into_parts().0.extensions);
    }
    Ok(reqwest::Response::from(rebuilt))
}

/// What a body that should be a JSON object starts as instead, if it is not one.
fn not_an_object(body: &[u8]) -> Option<&'static str> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => None,
        Some(b'[') => Some("an array"),
        Some(b'"') => Some("a string"),
        None => Some("an empty body"),
        Some(_) => Some("a scalar"),
    }
}

/// The body a raw caller's decoder gets. A success body that decodes is kept as
/// it is; one that does not becomes a note with the (masked) decoder message and a
/// masked copy, which certainly fails to decode too. Error bodies keep their shape
/// with `sk-bf-` tokens masked.
fn sanitize_raw(op: Option<&Operation>, status: StatusCode, body: Bytes) -> Bytes {
    if status.is_success() {
        let Some(Err(e)) = op.map(|op| (op.decodes)(&body)) else {
            return body;
        };
        let note = format!(
            "[bifrost-governance: the {status} response did not decode ({}); \
             string values masked] {}",
            redact::message(&e.to_string()),
            redact::masked_body(&body)
        );
        return Bytes::from(note);
    }
    if status.is_client_error() || status.is_server_error() {
        let text = String::from_utf8_lossy(&body);
        if text.contains("sk-bf-") {
            return Bytes::from(redact::mask_virtual_keys(&text));
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_objects_pass_as_objects() {
        assert_eq!(not_an_object(b" \n{\"a\":1}"), None);
        assert_eq!(not_an_object(b"[3,3,0,7,[]]"), Some("an array"));
        assert_eq!(not_an_object(b"\"x\""), Some("a string"));
        assert_eq!(not_an_object(b"  "), Some("an empty body"));
        assert_eq!(not_an_object(b"42"), Some("a scalar"));
    }

    #[test]
    fn a_raw_body_that_does_not_decode_is_masked_and_still_does_not_decode() {
        let op = operations::find("get_virtual_key").unwrap();
        let body = Bytes::from_static(
            br#"{"virtual_key":{"id":"vk","name":"k","value":"sk-bf-SECRET","is_active":"sk-bf-SECRET"}}"#,
        );
        assert!((op.decodes)(&body).is_err());
        let sanitized = sanitize_raw(Some(op), StatusCode::OK, body);
        let text = String::from_utf8(sanitized.to_vec()).unwrap();
        assert!(!text.contains("SECRET"), "{text}");
        assert!((op.decodes)(text.as_bytes()).is_err(), "{text}");
        let good =
            Bytes::from_static(br#"{"virtual_key":{"id":"vk","name":"k","value":"sk-bf-1"}}"#);
        assert_eq!(sanitize_raw(Some(op), StatusCode::OK, good.clone()), good);
    }

    #[tokio::test]
    async fn the_rebuilt_response_keeps_status_headers_body_and_url() {
        let url = reqwest::Url::parse("http://gateway.test/api/governance/teams/t-1").unwrap();
        let original = http::Response::builder()
            .status(StatusCode::CREATED)
            .header(CONTENT_TYPE, "application/json")
            .header("x-request-id", "r-1")
            .url(url.clone())
            .body(r#"{"team":{"id":"t-1"}}"#)
            .unwrap();
        let rebuilt = inspect(None, reqwest::Response::from(original))
            .await
            .unwrap();
        assert_eq!(rebuilt.status(), StatusCode::CREATED);
        assert_eq!(rebuilt.url(), &url);
        assert_eq!(rebuilt.headers()["x-request-id"], "r-1");
        assert_eq!(rebuilt.text().await.unwrap(), r#"{"team":{"id":"t-1"}}"#);
    }
}
