//! Every request of every resource goes through here: authentication headers,
//! per-attempt timeout, retries, one tracing span per attempt, and the mapping of
//! progenitor's errors onto [`Error`].
//!
//! The generated client calls [`SdkExecutor::execute`] through its `exec` hook. The
//! hook can only return a `reqwest` result, so what the mapping needs beyond that
//! (status, content type and body of an error or non-JSON answer, and the number of
//! attempts) is recorded in a task-local [`CallRecord`] set up by [`call`].

use std::cell::RefCell;
use std::time::{Duration, Instant};

use bifrost_governance_client::hooks::{ExecFuture, RequestExecutor};
use bifrost_governance_client::operations;
use bifrost_governance_client::types::BifrostError;
use bytes::Bytes;
use progenitor_client::{OperationInfo, ResponseValue};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use crate::error::{ApiError, Error, InvalidInput, Result};
use crate::redact;
use crate::retry::{RetryConfig, is_retryable_status, retry_after};

/// What the executor saw during one logical call.
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    pub(crate) attempts: u32,
    status: Option<StatusCode>,
    /// Set when a success response was not JSON.
    unexpected_content_type: Option<String>,
    /// Buffered body of an error or non-JSON response.
    body: Option<Bytes>,
}

tokio::task_local! {
    static CALL: RefCell<CallRecord>;
}

fn record(f: impl FnOnce(&mut CallRecord)) {
    // Outside `call` (raw use of the generated client) there is nothing to record.
    let _ = CALL.try_with(|r| f(&mut r.borrow_mut()));
}

/// The executor installed in the generated client.
#[derive(Debug)]
pub(crate) struct SdkExecutor {
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: RetryConfig,
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
        let path = operations::find(operation).map_or("", |op| op.path);
        let headers = request.headers_mut();
        if let Some(auth) = &self.authorization {
            headers.entry(AUTHORIZATION).or_insert_with(|| auth.clone());
        }
        headers.insert(USER_AGENT, self.user_agent.clone());
        // The quota call carries a virtual-key value: keep it out of any header dump.
        if let Some(value) = headers.get_mut("x-bf-vk") {
            value.set_sensitive(true);
        }
        if let Some(timeout) = self.timeout {
            request.timeout_mut().get_or_insert(timeout);
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
            let this_try = next_try.take().expect("a request for every attempt");
            // Bodies that cannot be cloned (streams) are sent once.
            next_try = (attempt < self.retry.max_attempts)
                .then(|| this_try.try_clone())
                .flatten();
            let span = tracing::debug_span!(
                "bifrost.request",
                operation,
                method = %this_try.method(),
                path,
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let sent_at = Instant::now();
            let result = http.execute(this_try).instrument(span.clone()).await;
            span.record("latency_ms", sent_at.elapsed().as_millis() as u64);
            if let Ok(response) = &result {
                span.record("status", response.status().as_u16());
            }
            record(|r| r.attempts = attempt);

            let wait = match &result {
                Ok(response) if idempotent && is_retryable_status(response.status()) => Some(
                    retry_after(response.headers()).unwrap_or_else(|| self.retry.backoff(attempt)),
                ),
                // A POST may be retried only if it certainly never reached the server.
                Err(e) if e.is_connect() || (idempotent && !e.is_timeout()) => {
                    Some(self.retry.backoff(attempt))
                }
                _ => None,
            };
            let within_budget = |wait: Duration| started.elapsed() + wait <= self.retry.max_elapsed;
            match wait {
                Some(wait) if next_try.is_some() && within_budget(wait) => {
                    let _entered = span.enter();
                    match &result {
                        Ok(r) => tracing::debug!(status = r.status().as_u16(), ?wait, "retrying"),
                        Err(e) => tracing::debug!(error = %e, ?wait, "retrying"),
                    }
                    drop(_entered);
                    tokio::time::sleep(wait).await;
                }
                _ => return inspect(result?).await,
            }
        }
    }
}

/// Records status, and buffers the body of an error or non-JSON response so the
/// error mapping can keep it; successful JSON passes through untouched.
async fn inspect(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let json = content_type.as_deref().is_none_or(|ct| ct.contains("json"));
    record(|r| r.status = Some(status));
    if response
        .headers()
        .get("deprecation")
        .is_some_and(|v| v.as_bytes() == b"true")
    {
        // Routes moved in v2.0 keep answering for a release with this header.
        tracing::warn!(path = %response.url().path(), "Bifrost marked this route as deprecated");
    }
    if status.is_success() && json {
        return Ok(response);
    }
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    record(|r| {
        r.body = Some(body.clone());
        if status.is_success() {
            r.unexpected_content_type = content_type;
        }
    });
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

type Generated<T> = std::result::Result<ResponseValue<T>, progenitor_client::Error<BifrostError>>;

/// Runs one generated call and maps its outcome onto the SDK's [`Error`].
pub(crate) async fn call<T>(
    operation: &'static str,
    send: impl std::future::Future<Output = Generated<T>>,
) -> Result<T> {
    call_recorded(operation, send).await.0
}

/// Like [`call`], also returning what the executor recorded.
pub(crate) async fn call_recorded<T>(
    operation: &'static str,
    send: impl std::future::Future<Output = Generated<T>>,
) -> (Result<T>, CallRecord) {
    let (result, record) = CALL
        .scope(RefCell::new(CallRecord::default()), async {
            let result = send.await;
            (result, CALL.with(|r| r.take()))
        })
        .await;
    (map_result(operation, result, &record).await, record)
}

/// A DELETE whose retry found the entity already gone has done its job.
pub(crate) async fn call_delete<T>(
    operation: &'static str,
    send: impl std::future::Future<Output = Generated<T>>,
) -> Result<()> {
    match call_recorded(operation, send).await {
        (Ok(_), _) => Ok(()),
        (Err(e), record) if e.is_not_found() && record.attempts > 1 => Ok(()),
        (Err(e), _) => Err(e),
    }
}

async fn map_result<T>(
    operation: &'static str,
    result: Generated<T>,
    record: &CallRecord,
) -> Result<T> {
    use progenitor_client::Error as G;

    let status = record.status.unwrap_or(StatusCode::OK);
    if let Some(content_type) = &record.unexpected_content_type {
        return Err(Error::UnexpectedContentType {
            operation,
            status,
            content_type: content_type.clone(),
            excerpt: redact::body_excerpt(record.body.as_deref().unwrap_or_default()),
        });
    }
    let api =
        |status: StatusCode, body: Bytes| Error::from(ApiError::from_body(operation, status, body));
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(G::ErrorResponse(value)) => {
            Err(api(value.status(), record.body.clone().unwrap_or_default()))
        }
        Err(G::InvalidResponsePayload(body, e))
            if status.is_client_error() || status.is_server_error() =>
        {
            drop(e);
            Err(api(status, body))
        }
        Err(G::InvalidResponsePayload(body, e)) => Err(Error::Decode {
            operation,
            status,
            message: redact::message(&e.to_string()),
            excerpt: redact::body_excerpt(&body),
        }),
        Err(G::UnexpectedResponse(response)) => {
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            if status.is_client_error() || status.is_server_error() {
                Err(api(status, body))
            } else {
                Err(Error::Decode {
                    operation,
                    status,
                    message: format!("unexpected status {status}"),
                    excerpt: redact::body_excerpt(&body),
                })
            }
        }
        Err(G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e)) => {
            Err(transport(operation, e))
        }
        Err(G::InvalidRequest(message)) => {
            Err(InvalidInput::new("request", redact::message(&message)).into())
        }
        Err(G::Custom(message)) => Err(Error::Config(redact::message(&message))),
    }
}

fn transport(operation: &'static str, e: reqwest::Error) -> Error {
    // URLs carry ids and search terms; errors name the operation instead.
    let e = e.without_url();
    if e.is_timeout() {
        return Error::Timeout {
            operation,
            source: e,
        };
    }
    // Walk to the innermost cause: reqwest's own message is just "error sending request".
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(inner) = cause {
        message = format!("{message}: {inner}");
        cause = inner.source();
    }
    Error::Transport {
        operation,
        message: redact::mask_virtual_keys(&message),
        source: e,
    }
}
