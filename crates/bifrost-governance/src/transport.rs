//! The call side of every request: a task-local [`CallRecord`] set up by [`call`],
//! and the mapping of progenitor's outcome (plus that record) onto [`Error`].
//!
//! The generated client sends through its `exec` hook, i.e. through
//! [`SdkExecutor`](crate::executor::SdkExecutor). The hook can only return a
//! `reqwest` result, so what the mapping needs beyond that (status, headers, content
//! type and body of an error, non-JSON or non-object answer, a hook's error, the
//! number of attempts) is written into the record by the executor.

use std::cell::RefCell;

use bifrost_governance_client::types::BifrostError;
use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::{ApiError, Error, InvalidInput, Result};
use crate::hook::HookError;
use crate::redact;

/// What the executor saw during one logical call.
#[derive(Debug, Default)]
pub(crate) struct CallRecord {
    pub(crate) attempts: u32,
    pub(crate) status: Option<StatusCode>,
    /// Headers of a response that was not a success.
    pub(crate) headers: HeaderMap,
    /// Set when a success response was not JSON.
    pub(crate) unexpected_content_type: Option<String>,
    /// Set when a success body that must be a JSON object was something else
    /// (serde would read an array into a struct, field by field).
    pub(crate) not_an_object: Option<&'static str>,
    /// Buffered body of an error, non-JSON or non-object response.
    pub(crate) body: Option<Bytes>,
    /// A request hook refused an attempt.
    pub(crate) hook_error: Option<HookError>,
    /// Query pairs the spec cannot declare (`metadata_<key>` filters), appended to
    /// the URL by the executor.
    pub(crate) extra_query: Vec<(String, String)>,
}

tokio::task_local! {
    static CALL: RefCell<CallRecord>;
}

/// Whether the current task is inside [`call`] (as opposed to a raw call through
/// the generated client, which nothing maps afterwards).
pub(crate) fn in_call() -> bool {
    CALL.try_with(|_| ()).is_ok()
}

/// The extra query pairs of the current call (none outside [`call_with_query`]).
pub(crate) fn extra_query() -> Vec<(String, String)> {
    CALL.try_with(|r| r.borrow().extra_query.clone())
        .unwrap_or_default()
}

/// Writes into the current call's record; does nothing outside [`call`].
pub(crate) fn record(f: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|r| f(&mut r.borrow_mut()));
}

type Generated<T> = std::result::Result<ResponseValue<T>, progenitor_client::Error<BifrostError>>;

/// Runs one generated call and maps its outcome onto the SDK's [`Error`].
pub(crate) async fn call<T>(
    operation: &'static str,
    send: impl std::future::Future<Output = Generated<T>>,
) -> Result<T> {
    call_recorded(operation, send).await.0
}

/// Like [`call`], appending `extra_query` to the request URL: for parameters an
/// OpenAPI 3.0 spec cannot declare (a name made of a prefix and a key).
pub(crate) async fn call_with_query<T>(
    operation: &'static str,
    extra_query: Vec<(String, String)>,
    send: impl std::future::Future<Output = Generated<T>>,
) -> Result<T> {
    let record = CallRecord {
        extra_query,
        ..CallRecord::default()
    };
    call_in(operation, record, send).await.0
}

/// Like [`call`], also returning what the executor recorded.
pub(crate) async fn call_recorded<T>(
    operation: &'static str,
    send: impl std::future::Future<Output = Generated<T>>,
) -> (Result<T>, CallRecord) {
    call_in(operation, CallRecord::default(), send).await
}

async fn call_in<T>(
    operation: &'static str,
    record: CallRecord,
    send: impl std::future::Future<Output = Generated<T>>,
) -> (Result<T>, CallRecord) {
    let (result, record) = CALL
        .scope(RefCell::new(record), async {
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
    if let Some(source) = &record.hook_error {
        return Err(Error::Hook {
            operation,
            source: source.clone(),
        });
    }
    if let Some(content_type) = &record.unexpected_content_type {
        return Err(Error::UnexpectedContentType {
            operation,
            status,
            content_type: content_type.clone(),
            excerpt: redact::body_excerpt(record.body.as_deref().unwrap_or_default()),
        });
    }
    if let (Some(found), true) = (record.not_an_object, status.is_success()) {
        return Err(Error::Decode {
            operation,
            status,
            message: format!("expected a JSON object, found {found}"),
            excerpt: redact::body_excerpt(record.body.as_deref().unwrap_or_default()),
        });
    }
    let api = |status: StatusCode, body: Bytes| {
        Error::from(ApiError::from_response(
            operation,
            status,
            record.headers.clone(),
            body,
        ))
    };
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
    // reqwest files a failure while reading a body (the connection closed before
    // the Content-Length or the last chunk arrived, or was reset) under its
    // "decode" kind, as "error decoding response body: request or response body
    // error". Nothing was decoded: the executor reads the body as bytes, and JSON
    // that does not decode from a complete body is `Error::Decode`. Say what
    // failed and keep the causes below reqwest's own layers.
    let body_failed = e.is_decode();
    let mut message = if body_failed {
        "reading the response body failed".to_string()
    } else {
        e.to_string()
    };
    // Walk to the innermost cause: reqwest's own message is just "error sending request".
    let mut cause = std::error::Error::source(&e);
    while let Some(inner) = cause {
        if !(body_failed && inner.is::<reqwest::Error>()) {
            message = format!("{message}: {inner}");
        }
        cause = inner.source();
    }
    Error::Transport {
        operation,
        message: redact::mask_virtual_keys(&message),
        source: e,
    }
}
