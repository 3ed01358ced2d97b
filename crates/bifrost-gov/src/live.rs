//! The server as it is: every governance list, read concurrently through the SDK.

use bifrost_governance::types::{
    Customer, ModelConfig, PricingOverride, ProviderGovernance, RoutingRule, Team, VirtualKey,
};
use bifrost_governance::{Client, Result};

/// Everything the declarative file covers, as the server returned it.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    /// Customers.
    pub customers: Vec<Customer>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Virtual keys (without those managed by enterprise access profiles).
    pub keys: Vec<VirtualKey>,
    /// Model configs.
    pub model_configs: Vec<ModelConfig>,
    /// Provider governance.
    pub providers: Vec<ProviderGovernance>,
    /// Routing rules.
    pub routing_rules: Vec<RoutingRule>,
    /// Pricing overrides.
    pub pricing_overrides: Vec<PricingOverride>,
}

impl LiveState {
    /// Reads every list; paged lists fetch up to `concurrency` pages at a time, and
    /// the lists themselves are read at the same time.
    pub async fn fetch(client: &Client, concurrency: usize) -> Result<Self> {
        let n = concurrency.max(1);
        let providers = client.providers();
        let (customers, teams, keys, model_configs, providers, routing_rules, pricing_overrides) =
            futures::try_join!(
                client.customers().list().concurrency(n).collect_all(),
                client.teams().list().concurrency(n).collect_all(),
                client.virtual_keys().list().concurrency(n).collect_all(),
                client.model_configs().list().concurrency(n).collect_all(),
                providers.list(),
                client.routing_rules().list().concurrency(n).collect_all(),
                client
                    .pricing_overrides()
                    .list()
                    .concurrency(n)
                    .collect_all(),
            )?;
        let keys = keys
            .into_iter()
            .filter(|k| k.is_access_profile_managed != Some(true))
            .collect();
        Ok(Self {
            customers,
            teams,
            keys,
            model_configs,
            providers,
            routing_rules,
            pricing_overrides,
        })
    }
}
