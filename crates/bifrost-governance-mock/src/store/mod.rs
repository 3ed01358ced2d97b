//! The in-memory database: one table per upstream table, rows of the fake's own
//! record types ([`records`]), and transactions that roll back.
//!
//! Handlers change the store the way upstream handlers change the database inside
//! `ExecuteTransaction`: row by row, through [`Store::put`] and [`Store::remove`].
//! Inside [`Store::transaction`] every change is logged with its inverse, so an error
//! anywhere in the callback leaves the store exactly as it was (rows back at their
//! positions, which are the tables' creation order).

pub(crate) mod catalog;
mod clock;
pub(crate) mod records;

use std::collections::HashMap;

use indexmap::IndexMap;

pub(crate) use catalog::Catalog;
pub(crate) use clock::Clock;
use records::{
    Budget, Customer, ModelConfig, PricingOverride, ProviderGovernance, RateLimit, RoutingRule,
    Team, VirtualKey,
};

/// One undo step of a transaction.
type Undo = Box<dyn FnOnce(&mut Store) + Send>;

/// Selects one table of the store (a non-capturing closure such as `|s| &mut s.teams`).
pub(crate) type TableOf<T> = fn(&mut Store) -> &mut IndexMap<String, T>;

/// Everything the fake server knows.
pub(crate) struct Store {
    pub(crate) clock: Clock,
    pub(crate) catalog: Catalog,
    pub(crate) budgets: IndexMap<String, Budget>,
    pub(crate) rate_limits: IndexMap<String, RateLimit>,
    pub(crate) virtual_keys: IndexMap<String, VirtualKey>,
    /// Secret value (current or still-valid previous) → virtual key id.
    pub(crate) vk_values: HashMap<String, String>,
    pub(crate) teams: IndexMap<String, Team>,
    pub(crate) customers: IndexMap<String, Customer>,
    pub(crate) model_configs: IndexMap<String, ModelConfig>,
    /// v1.5.x only: the `budget_id`/`rate_limit_id` columns of `config_providers`.
    pub(crate) provider_governance: IndexMap<String, ProviderGovernance>,
    pub(crate) routing_rules: IndexMap<String, RoutingRule>,
    pub(crate) pricing_overrides: IndexMap<String, PricingOverride>,
    undo: Option<Vec<Undo>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("virtual_keys", &self.virtual_keys.len())
            .field("teams", &self.teams.len())
            .field("customers", &self.customers.len())
            .field("budgets", &self.budgets.len())
            .field("rate_limits", &self.rate_limits.len())
            .finish_non_exhaustive()
    }
}

/// The table of each row type, so [`Store::put`] and [`Store::remove`] need no selector.
pub(crate) trait Row: Clone + Send + 'static {
    /// The table holding rows of this type.
    const TABLE: TableOf<Self>;
}

macro_rules! rows {
    ($($ty:ty => $field:ident),* $(,)?) => {
        $(impl Row for $ty {
            const TABLE: TableOf<Self> = |s| &mut s.$field;
        })*
    };
}

rows! {
    Budget => budgets,
    RateLimit => rate_limits,
    VirtualKey => virtual_keys,
    Team => teams,
    Customer => customers,
    ModelConfig => model_configs,
    ProviderGovernance => provider_governance,
    RoutingRule => routing_rules,
    PricingOverride => pricing_overrides,
}

impl Store {
    /// An empty store with the seeded providers, provider keys and MCP clients.
    pub(crate) fn new(deterministic: bool) -> Self {
        let mut clock = Clock::new(deterministic);
        let catalog = Catalog::seeded(clock.now());
        Self {
            clock,
            catalog,
            budgets: IndexMap::new(),
            rate_limits: IndexMap::new(),
            virtual_keys: IndexMap::new(),
            vk_values: HashMap::new(),
            teams: IndexMap::new(),
            customers: IndexMap::new(),
            model_configs: IndexMap::new(),
            provider_governance: IndexMap::new(),
            routing_rules: IndexMap::new(),
            pricing_overrides: IndexMap::new(),
            undo: None,
        }
    }

    /// Runs `f` as one transaction: when it fails, every change it made is undone.
    pub(crate) fn transaction<T, E>(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let outer = self.undo.replace(Vec::new());
        let result = f(self);
        let log = std::mem::replace(&mut self.undo, outer).unwrap_or_default();
        if result.is_err() {
            for step in log.into_iter().rev() {
                step(self);
            }
        } else if let Some(outer) = &mut self.undo {
            // A transaction inside another one: the outer one may still roll back.
            outer.extend(log);
        }
        result
    }

    fn log(&mut self, step: Undo) {
        if let Some(undo) = &mut self.undo {
            undo.push(step);
        }
    }

    /// Inserts a row (at the end) or replaces it (in place).
    pub(crate) fn put<T: Row>(&mut self, id: &str, row: T) {
        let old = (T::TABLE)(self).insert(id.to_string(), row);
        let id = id.to_string();
        self.log(Box::new(move |s| {
            let table = (T::TABLE)(s);
            match old {
                Some(old) => {
                    table.insert(id, old);
                }
                None => {
                    table.shift_remove(&id);
                }
            }
        }));
    }

    /// Deletes a row, keeping the order of the others.
    pub(crate) fn remove<T: Row>(&mut self, id: &str) -> Option<T> {
        let (index, key, row) = (T::TABLE)(self).shift_remove_full(id)?;
        let kept = row.clone();
        self.log(Box::new(move |s| {
            (T::TABLE)(s).shift_insert(index, key, kept);
        }));
        Some(row)
    }

    /// Changes a row in place; `None` when it does not exist.
    pub(crate) fn update<T: Row, R>(&mut self, id: &str, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut row = (T::TABLE)(self).get(id)?.clone();
        let result = f(&mut row);
        self.put(id, row);
        Some(result)
    }

    /// Maps a secret value to its virtual key (or forgets it with `None`).
    pub(crate) fn set_vk_value(&mut self, value: &str, vk_id: Option<&str>) {
        let old = match vk_id {
            Some(id) => self.vk_values.insert(value.to_string(), id.to_string()),
            None => self.vk_values.remove(value),
        };
        let value = value.to_string();
        self.log(Box::new(move |s| match old {
            Some(old) => {
                s.vk_values.insert(value, old);
            }
            None => {
                s.vk_values.remove(&value);
            }
        }));
    }

    /// The budgets with these ids, in creation order.
    pub(crate) fn budgets_of<'a>(&'a self, ids: &[String]) -> Vec<&'a Budget> {
        let mut rows: Vec<(usize, &Budget)> = ids
            .iter()
            .filter_map(|id| self.budgets.get_full(id).map(|(i, _, b)| (i, b)))
            .collect();
        rows.sort_by_key(|(i, _)| *i);
        rows.into_iter().map(|(_, b)| b).collect()
    }

    /// A rate limit by optional id.
    pub(crate) fn rate_limit(&self, id: Option<&String>) -> Option<&RateLimit> {
        id.and_then(|id| self.rate_limits.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str, name: &str) -> Team {
        let now = chrono::Utc::now();
        Team {
            id: id.to_string(),
            name: name.to_string(),
            customer_id: None,
            rate_limit_id: None,
            budget_ids: Vec::new(),
            calendar_aligned: false,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_failed_transaction_leaves_every_row_where_it_was() {
        let mut store = Store::new(true);
        for (id, name) in [("a", "one"), ("b", "two"), ("c", "three")] {
            store.put(id, team(id, name));
        }
        let result: Result<(), &str> = store.transaction(|s| {
            s.remove::<Team>("b");
            s.update::<Team, _>("a", |t| t.name = "renamed".into());
            s.put("d", team("d", "four"));
            Err("boom")
        });
        assert!(result.is_err());
        let names: Vec<_> = store.teams.values().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["one", "two", "three"]);
        let ok: Result<(), &str> = store.transaction(|s| {
            s.remove::<Team>("b");
            Ok(())
        });
        assert!(ok.is_ok());
        assert_eq!(store.teams.len(), 2);
    }
}
