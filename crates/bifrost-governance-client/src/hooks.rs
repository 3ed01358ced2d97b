//! The execution hook of the generated client.
//!
//! Progenitor calls [`ClientHooks::exec`](progenitor_client::ClientHooks) for every
//! request. Our implementation forwards it to an [`Executor`] stored in the client,
//! so that policies (retries, tracing, auth refresh) live in the ergonomic crate and
//! the generated crate stays free of them. Progenitor passes only the
//! `operationId`; [`operations::find`](crate::operations::find) gives the rest an
//! executor needs (method, path template, whether the operation takes credentials,
//! the shape of its success body and a check that a body decodes).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, OperationInfo};

use crate::Client;

/// Boxed future returned by [`RequestExecutor::execute`].
pub type ExecFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one request of an operation; implement it to add retries, tracing or
/// other cross-cutting behaviour to every generated operation.
pub trait RequestExecutor: Send + Sync + 'static {
    /// Sends `request` (built for the operation described by `info`) with `http`.
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> ExecFuture<'a>;
}

/// Sends every request exactly once, unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Direct;

impl RequestExecutor for Direct {
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        _info: &'a OperationInfo,
    ) -> ExecFuture<'a> {
        Box::pin(http.execute(request))
    }
}

/// Shared handle to the [`RequestExecutor`] a [`Client`] uses.
#[derive(Clone)]
pub struct Executor(Arc<dyn RequestExecutor>);

impl Executor {
    /// Wraps an executor.
    pub fn new(executor: impl RequestExecutor) -> Self {
        Self(Arc::new(executor))
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new(Direct)
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Executor")
    }
}

impl ClientHooks<Executor> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner.0.execute(&self.client, request, info).await
    }
}
