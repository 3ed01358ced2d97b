//! The in-memory store behind the mock, and the shared application state.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use indexmap::IndexMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::catalog::Catalog;
use crate::customers::CustomerRecord;
use crate::fault::FaultState;
use crate::model_configs::ModelConfigRecord;
use crate::pricing_overrides::PricingOverrideRecord;
use crate::providers::ProviderGovernanceRecord;
use crate::routing_rules::RoutingRuleRecord;
use crate::teams::TeamRecord;
use crate::virtual_keys::VirtualKeyRecord;

/// Source of timestamps, creation sequence numbers and auto-increment ids.
///
/// Timestamps are strictly increasing so that `created_at` order always equals
/// creation order, and the sequence number breaks no ties by chance.
#[derive(Debug)]
pub(crate) struct Clock {
    last: DateTime<Utc>,
    seq: u64,
    next_provider_config_id: i64,
    next_mcp_config_id: i64,
    /// Ids, key values and times follow a fixed sequence (golden tests).
    deterministic: bool,
    ids: u64,
}

impl Clock {
    fn new(deterministic: bool) -> Self {
        Self {
            last: DateTime::<Utc>::MIN_UTC,
            seq: 0,
            next_provider_config_id: 1,
            next_mcp_config_id: 1,
            deterministic,
            ids: 0,
        }
    }

    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self::new(false)
    }

    /// A new UUID v4 string (`00000000-0000-4000-8000-<n>` in deterministic mode).
    pub(crate) fn new_id(&mut self) -> String {
        if self.deterministic {
            self.ids += 1;
            return format!("00000000-0000-4000-8000-{:012}", self.ids);
        }
        uuid::Uuid::new_v4().to_string()
    }

    /// A new virtual-key value, `sk-bf-<uuid-v4>`.
    pub(crate) fn new_vk_value(&mut self) -> String {
        format!("sk-bf-{}", self.new_id())
    }

    /// The id of a new row: the fixed one (refused when `taken`) or a new UUID.
    pub(crate) fn fresh_id(
        &mut self,
        taken: bool,
        fixed: Option<String>,
    ) -> Result<String, crate::errors::ApiError> {
        match fixed.filter(|id| !id.is_empty()) {
            Some(_) if taken => Err(crate::errors::ApiError::conflict(
                "A row with this id already exists",
            )),
            Some(id) => Ok(id),
            None => Ok(self.new_id()),
        }
    }

    /// The current time, strictly after every earlier answer; in deterministic mode
    /// one second per call from 2026-01-01T00:00:00Z.
    pub(crate) fn now(&mut self) -> DateTime<Utc> {
        if self.deterministic {
            let start = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).expect("2026-01-01");
            self.last = if self.last < start {
                start
            } else {
                self.last + chrono::Duration::seconds(1)
            };
            return self.last;
        }
        let now = Utc::now();
        self.last = if now > self.last {
            now
        } else {
            self.last + chrono::Duration::microseconds(1)
        };
        self.last
    }

    /// The next creation sequence number.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The next provider-config id (auto-increment, like the SQL table).
    pub(crate) fn next_provider_config_id(&mut self) -> i64 {
        let id = self.next_provider_config_id;
        self.next_provider_config_id += 1;
        id
    }

    /// The next MCP-config id.
    pub(crate) fn next_mcp_config_id(&mut self) -> i64 {
        let id = self.next_mcp_config_id;
        self.next_mcp_config_id += 1;
        id
    }
}

/// Rows that remember their creation order.
pub(crate) trait Sequenced {
    /// Creation sequence number.
    fn seq(&self) -> u64;
}

/// Every row of `map`, in creation order.
pub(crate) fn in_creation_order<T: Sequenced>(map: &IndexMap<String, T>) -> Vec<&T> {
    let mut rows: Vec<&T> = map.values().collect();
    // Maps keep insertion order, which is creation order, so this is a linear
    // check; sorting 10 000 rows on every list request dominated the fake's CPU.
    if !rows.is_sorted_by_key(|r| r.seq()) {
        rows.sort_by_key(|r| r.seq());
    }
    rows
}

/// The rows of `map` that `keep` accepts, in creation order (filters before
/// sorting, for relations looked up per rendered row).
pub(crate) fn in_creation_order_where<T: Sequenced>(
    map: &IndexMap<String, T>,
    keep: impl Fn(&T) -> bool,
) -> Vec<&T> {
    let mut rows: Vec<&T> = map.values().filter(|r| keep(r)).collect();
    if !rows.is_sorted_by_key(|r| r.seq()) {
        rows.sort_by_key(|r| r.seq());
    }
    rows
}

/// Everything the mock server knows.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) clock: Clock,
    pub(crate) catalog: Catalog,
    pub(crate) virtual_keys: IndexMap<String, VirtualKeyRecord>,
    /// VK value → VK id, for the quota route.
    pub(crate) vk_values: HashMap<String, String>,
    pub(crate) teams: IndexMap<String, TeamRecord>,
    pub(crate) customers: IndexMap<String, CustomerRecord>,
    pub(crate) model_configs: IndexMap<String, ModelConfigRecord>,
    pub(crate) provider_governance: IndexMap<String, ProviderGovernanceRecord>,
    pub(crate) routing_rules: IndexMap<String, RoutingRuleRecord>,
    pub(crate) pricing_overrides: IndexMap<String, PricingOverrideRecord>,
}

impl Store {
    /// An empty store with the seeded providers, provider keys and MCP clients.
    pub(crate) fn new(deterministic: bool) -> Self {
        let mut clock = Clock::new(deterministic);
        let catalog = Catalog::seeded(clock.now());
        Self {
            clock,
            catalog,
            virtual_keys: IndexMap::new(),
            vk_values: HashMap::new(),
            teams: IndexMap::new(),
            customers: IndexMap::new(),
            model_configs: IndexMap::new(),
            provider_governance: IndexMap::new(),
            routing_rules: IndexMap::new(),
            pricing_overrides: IndexMap::new(),
        }
    }
}

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) profile: crate::profile::Profile,
    pub(crate) api_key: Option<String>,
    pub(crate) latency: Duration,
    pub(crate) rotation_grace: Duration,
    pub(crate) version: String,
}

/// State shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) store: Mutex<Store>,
    pub(crate) config: Config,
    pub(crate) faults: Vec<FaultState>,
    pub(crate) requests: AtomicU64,
}

impl App {
    /// Locks the store (a panic in another request never poisons it for good).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store {
    /// The budgets and rate limits of every owner.
    pub(crate) fn all_limits(&self) -> Vec<&crate::limits::Limits> {
        let mut all = Vec::new();
        for vk in self.virtual_keys.values() {
            all.push(&vk.limits);
            all.extend(vk.provider_configs.iter().map(|pc| &pc.limits));
        }
        all.extend(self.teams.values().map(|t| &t.limits));
        all.extend(self.customers.values().map(|c| &c.limits));
        all.extend(self.model_configs.values().map(|m| &m.limits));
        all.extend(self.provider_governance.values().map(|p| &p.limits));
        all
    }
}
