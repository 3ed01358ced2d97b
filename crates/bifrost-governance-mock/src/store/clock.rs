//! Ids, secret values and timestamps.

use chrono::{DateTime, Utc};

/// Source of timestamps, ids and auto-increment numbers.
///
/// Timestamps are strictly increasing, so `created_at` order is creation order.
#[derive(Debug)]
pub(crate) struct Clock {
    last: DateTime<Utc>,
    next_provider_config_id: u64,
    next_mcp_config_id: u64,
    /// Ids, key values and times follow a fixed sequence (golden tests).
    deterministic: bool,
    ids: u64,
}

impl Clock {
    pub(crate) fn new(deterministic: bool) -> Self {
        Self {
            last: DateTime::<Utc>::MIN_UTC,
            next_provider_config_id: 1,
            next_mcp_config_id: 1,
            deterministic,
            ids: 0,
        }
    }

    /// A new UUID v4 string (`00000000-0000-4000-8000-<n>` in deterministic mode).
    pub(crate) fn new_id(&mut self) -> String {
        if self.deterministic {
            self.ids += 1;
            return format!("00000000-0000-4000-8000-{:012}", self.ids);
        }
        uuid::Uuid::new_v4().to_string()
    }

    /// A new virtual-key value, `sk-bf-<uuid>` (`governance.GenerateVirtualKey`).
    pub(crate) fn new_vk_value(&mut self) -> String {
        format!("sk-bf-{}", self.new_id())
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

    /// The current time without advancing the clock (for comparisons such as expiry).
    pub(crate) fn current(&self) -> DateTime<Utc> {
        if self.deterministic {
            let start = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).expect("2026-01-01");
            return self.last.max(start);
        }
        Utc::now().max(self.last)
    }

    /// The next provider-config id (auto-increment, like the SQL table).
    pub(crate) fn next_provider_config_id(&mut self) -> u64 {
        let id = self.next_provider_config_id;
        self.next_provider_config_id += 1;
        id
    }

    /// The next MCP-config id.
    pub(crate) fn next_mcp_config_id(&mut self) -> u64 {
        let id = self.next_mcp_config_id;
        self.next_mcp_config_id += 1;
        id
    }
}
