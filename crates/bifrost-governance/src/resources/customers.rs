//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct Customers {
    #[allow(dead_code)]
    client: Client,
}

impl Customers {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
