//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct RateLimitRows {
    #[allow(dead_code)]
    client: Client,
}

impl RateLimitRows {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
