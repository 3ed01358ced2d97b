//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct RoutingRules {
    #[allow(dead_code)]
    client: Client,
}

impl RoutingRules {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
