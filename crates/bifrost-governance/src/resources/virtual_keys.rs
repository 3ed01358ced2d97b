//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct VirtualKeys {
    #[allow(dead_code)]
    client: Client,
}

impl VirtualKeys {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
