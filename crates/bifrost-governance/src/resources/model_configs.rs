//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct ModelConfigs {
    #[allow(dead_code)]
    client: Client,
}

impl ModelConfigs {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
