//! TODO

use crate::client::Client;

/// Handle (in progress).
#[derive(Debug, Clone)]
pub struct BudgetRows {
    #[allow(dead_code)]
    client: Client,
}

impl BudgetRows {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
