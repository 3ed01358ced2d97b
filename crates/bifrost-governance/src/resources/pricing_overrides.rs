//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct PricingOverrides {
    #[allow(dead_code)]
    client: Client,
}

impl PricingOverrides {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
