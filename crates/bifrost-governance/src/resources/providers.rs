//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct Providers {
    #[allow(dead_code)]
    client: Client,
}

impl Providers {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
