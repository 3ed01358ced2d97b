//! Every rate-limit row of the server, read-only. Rate limits are changed through
//! their owner (virtual key, provider config, team, customer, model config or
//! provider).

use bifrost_governance_client::types::RateLimit;

use crate::client::Client;
use crate::error::Result;
use crate::transport::call;

/// Handle to the rate-limit rows of a server; from [`Client::rate_limits`].
#[derive(Debug, Clone)]
pub struct RateLimitRows {
    client: Client,
}

impl RateLimitRows {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Every rate-limit row (the server never pages this list; `rate_limits: null`
    /// is an empty list).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// for limit in client.rate_limits().list().await? {
    ///     println!("{}: {:?} requests per {:?}", limit.id, limit.request_max_limit, limit.request_reset_duration);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Vec<RateLimit>> {
        let list = call(
            "list_rate_limits",
            self.client.raw().list_rate_limits().send(),
        )
        .await?;
        Ok(list.rate_limits.unwrap_or_default())
    }
}
