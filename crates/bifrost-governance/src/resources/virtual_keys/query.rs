//! Filters of a virtual-key list.

use std::collections::BTreeMap;

use bifrost_governance_client::types::VirtualKey;
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{SortOrder, VirtualKeySortBy, metadata};
use crate::capability::Capability;
use crate::client::Client;
use crate::error::Result;
use crate::pagination::{List, ListSource, Page};
use crate::resources::page;
use crate::resources::require_all;
use crate::transport::call_with_query;

/// Filters of a virtual-key list.
#[derive(Debug, Clone, Default)]
pub struct VirtualKeyQuery {
    search: Option<String>,
    customer_id: Option<String>,
    team_id: Option<String>,
    sort_by: Option<VirtualKeySortBy>,
    order: Option<SortOrder>,
    user_id: Option<String>,
    exclude_assigned: bool,
    metadata: BTreeMap<String, String>,
}

impl ListSource for VirtualKeyQuery {
    type Item = VirtualKey;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<VirtualKey>>> {
        let q = self.clone();
        async move {
            for key in q.metadata.keys() {
                metadata::check_key(key)?;
            }
            let mut needed = Vec::new();
            if !q.metadata.is_empty() {
                needed.push(Capability::KeyMetadata);
            }
            if q.user_id.is_some() || q.exclude_assigned {
                needed.push(Capability::UserScopes);
            }
            require_all(&client, needed).await?;
            let mut request = client
                .raw()
                .list_virtual_keys()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(v) = q.search {
                request = request.search(v);
            }
            if let Some(v) = q.customer_id {
                request = request.customer_id(v);
            }
            if let Some(v) = q.team_id {
                request = request.team_id(v);
            }
            if let Some(v) = q.sort_by {
                request = request.sort_by(v);
            }
            if let Some(v) = q.order {
                request = request.order(v);
            }
            if let Some(v) = q.user_id {
                request = request.user_id(v);
            }
            if q.exclude_assigned {
                request = request.exclude_assigned_virtual_keys(true);
            }
            let filters = q
                .metadata
                .into_iter()
                .map(|(key, value)| (format!("metadata_{key}"), value))
                .collect();
            let list = call_with_query("list_virtual_keys", filters, request.send()).await?;
            Ok(page(
                list.virtual_keys,
                list.total_count,
                list.limit,
                list.offset,
            ))
        }
        .boxed()
    }

    fn id(item: &VirtualKey) -> &str {
        &item.id
    }
}

impl List<VirtualKeyQuery> {
    /// Only keys whose name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only keys of this customer (OR-ed with [`team_id`](Self::team_id) by the server).
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.source.customer_id = Some(id.into());
        self
    }

    /// Only keys of this team (OR-ed with [`customer_id`](Self::customer_id) by the server).
    pub fn team_id(mut self, id: impl Into<String>) -> Self {
        self.source.team_id = Some(id.into());
        self
    }

    /// Sort column. `BudgetSpent` orders by the usage of budgets the key owns
    /// directly; newest v2.x servers keep a key's budgets on its model configs, so
    /// there it does not order by spend: sort the items yourself (see the
    /// `spend_report` example).
    pub fn sort_by(mut self, column: VirtualKeySortBy) -> Self {
        self.source.sort_by = Some(column);
        self
    }

    /// Sort direction; applies together with [`sort_by`](Self::sort_by).
    pub fn order(mut self, order: SortOrder) -> Self {
        self.source.order = Some(order);
        self
    }

    /// Only keys assigned to this user (enterprise identities; v1.6.7+ servers,
    /// OR-ed with the team and customer filters by the server).
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.source.user_id = Some(id.into());
        self
    }

    /// Leaves out keys assigned to a user (enterprise; v1.6.7+ servers).
    pub fn exclude_assigned(mut self) -> Self {
        self.source.exclude_assigned = true;
        self
    }

    /// Only keys whose metadata has `key` set to `value` (sent as
    /// `metadata_<key>=<value>`); several are AND-ed. Keys follow the metadata
    /// rules (letters, digits, `.`, `_`, `-`) and are checked before sending;
    /// newest v2.x servers.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.source.metadata.insert(key.into(), value.into());
        self
    }
}
