//! The plan: what differs between the file and the server, entity by entity and
//! field by field.
//!
//! Both sides are declarations in canonical form (the file's, and the server's as
//! [`observe`](crate::observe) reads it), compared by identity. Live entities the
//! file does not declare are unmanaged and left alone, unless `--prune` is given
//! and they lie inside the file's `ownership`.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::file::*;
use crate::observe::{Observed, ObservedState};

/// What happens to one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Declared, not on the server.
    Create,
    /// Declared and on the server, with differences.
    Update,
    /// On the server, not declared, inside the ownership scope, with `--prune`.
    Delete,
    /// Declared and on the server, equal.
    Unchanged,
    /// On the server, not declared, left alone.
    Unmanaged,
}

/// One field that differs (`null` stands for absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Dotted path within the entity, as in the file (`budgets[0].max_limit`).
    pub path: String,
    /// On the server.
    pub before: Value,
    /// In the file.
    pub after: Value,
}

/// The plan for one entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Its kind.
    pub kind: Kind,
    /// How it is named.
    pub label: String,
    /// What happens.
    pub action: Action,
    /// The fields that differ (updates), or every declared field (creates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// Index in the file's section, when declared.
    #[serde(skip)]
    pub desired: Option<usize>,
    /// Index in the observed section, when on the server.
    #[serde(skip)]
    pub live: Option<usize>,
}

/// How many entities each action touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// To create.
    pub create: usize,
    /// To update.
    pub update: usize,
    /// To delete.
    pub delete: usize,
    /// Already as declared.
    pub unchanged: usize,
    /// Left alone.
    pub unmanaged: usize,
}

impl Summary {
    /// Whether applying would change anything.
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.delete > 0
    }
}

/// The differences between a file and the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Counts per action.
    pub summary: Summary,
    /// Every entity, in dependency order, then by identity.
    pub changes: Vec<Change>,
    /// The file in canonical form, which [`Change::desired`] indexes.
    #[serde(skip)]
    pub desired: GovernanceFile,
}

/// A plan that cannot be made without guessing or overreaching.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// Which live entities the file owns (for `--prune`).
struct Scope<'a> {
    own: &'a Ownership,
    team_customer: HashMap<&'a str, &'a str>,
    keys: HashMap<&'a str, &'a VirtualKeyDecl>,
}

impl<'a> Scope<'a> {
    fn new(own: &'a Ownership, live: &'a ObservedState) -> Self {
        Self {
            own,
            team_customer: live
                .teams
                .iter()
                .filter_map(|t| Some((t.decl.name.as_str(), t.decl.customer.as_deref()?)))
                .collect(),
            keys: live
                .keys
                .iter()
                .map(|k| (k.decl.name.as_str(), &k.decl))
                .collect(),
        }
    }

    fn prefixed(&self, name: &str) -> bool {
        self.own
            .name_prefixes
            .iter()
            .any(|p| name.starts_with(p.as_str()))
    }

    fn customer_tree(&self, name: &str) -> bool {
        self.own.customers.iter().any(|c| c == name)
    }

    fn team_tree(&self, name: &str) -> bool {
        self.own.teams.iter().any(|t| t == name)
            || self
                .team_customer
                .get(name)
                .is_some_and(|c| self.customer_tree(c))
    }

    fn provider(&self, name: &str) -> bool {
        self.own.providers.iter().any(|p| p == name)
    }

    fn key(&self, key: &VirtualKeyDecl) -> bool {
        self.prefixed(&key.name)
            || key.team.as_deref().is_some_and(|t| self.team_tree(t))
            || key
                .customer
                .as_deref()
                .is_some_and(|c| self.customer_tree(c))
    }

    fn key_named(&self, name: &str) -> bool {
        self.keys.get(name).is_some_and(|k| self.key(k)) || self.prefixed(name)
    }

    fn scope(&self, scope: &ScopeDecl) -> bool {
        match scope.target() {
            Ok(ScopeTarget::Team(t)) => self.team_tree(t),
            Ok(ScopeTarget::Customer(c)) => self.customer_tree(c),
            Ok(ScopeTarget::VirtualKey(k)) => self.key_named(k),
            _ => false,
        }
    }
}

/// A live entity of kind `T` inside the ownership scope.
trait Owned: Entity {
    fn owned(&self, scope: &Scope<'_>) -> bool;
}

impl Owned for CustomerDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        s.prefixed(&self.name) || s.customer_tree(&self.name)
    }
}

impl Owned for TeamDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        s.prefixed(&self.name) || s.team_tree(&self.name)
    }
}

impl Owned for VirtualKeyDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        s.key(self)
    }
}

impl Owned for ModelConfigDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        match &self.virtual_key {
            Some(k) => s.key_named(k),
            None => self.provider.as_deref().is_some_and(|p| s.provider(p)),
        }
    }
}

impl Owned for ProviderDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        s.provider(&self.provider)
    }
}

impl Owned for RoutingRuleDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        s.prefixed(&self.name) || s.scope(&self.scope)
    }
}

impl Owned for PricingOverrideDecl {
    fn owned(&self, s: &Scope<'_>) -> bool {
        s.prefixed(&self.name)
            || self.scope.virtual_key().is_some_and(|k| s.key_named(k))
            || (self.scope.virtual_key.is_none()
                && self.scope.user_id.is_none()
                && self
                    .scope
                    .provider
                    .as_deref()
                    .is_some_and(|p| s.provider(p)))
    }
}

/// What the comparison of one kind needs.
struct Sides<'a, T> {
    desired: &'a [T],
    live: &'a [Observed<T>],
    external: &'a [String],
}

fn diff_kind<T: Owned>(sides: Sides<'_, T>, scope: Option<&Scope<'_>>, out: &mut Vec<Change>) {
    let live_by_key: HashMap<String, usize> = sides
        .live
        .iter()
        .enumerate()
        .map(|(i, o)| (o.decl.key(), i))
        .collect();
    let mut declared = BTreeSet::new();
    let mut changes = Vec::new();
    for (i, want) in sides.desired.iter().enumerate() {
        let key = want.key();
        declared.insert(key.clone());
        let (action, live, fields) = match live_by_key.get(&key) {
            None => (Action::Create, None, Vec::new()),
            Some(&j) => {
                let have = &sides.live[j].decl;
                let mut want = want.clone();
                want.adopt_unset(have);
                let mut fields = Vec::new();
                // Equal declarations need no field-by-field look.
                if want != *have {
                    let before = serde_json::to_value(have).unwrap_or(Value::Null);
                    let after = serde_json::to_value(&want).unwrap_or(Value::Null);
                    field_changes(&before, &after, String::new(), &mut fields);
                }
                let action = if fields.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Update
                };
                (action, Some(j), fields)
            }
        };
        changes.push(Change {
            kind: T::KIND,
            label: want.label(),
            action,
            fields,
            desired: Some(i),
            live,
        });
    }
    for (j, have) in sides.live.iter().enumerate() {
        let key = have.decl.key();
        if declared.contains(&key) || sides.external.contains(&key) {
            continue;
        }
        let delete = scope.is_some_and(|s| have.decl.owned(s));
        changes.push(Change {
            kind: T::KIND,
            label: have.decl.label(),
            action: if delete {
                Action::Delete
            } else {
                Action::Unmanaged
            },
            fields: Vec::new(),
            desired: None,
            live: Some(j),
        });
    }
    changes.sort_by_cached_key(|c| c.label.clone());
    out.extend(changes);
}

/// Appends the differences between two values; absent fields are `null`.
fn field_changes(before: &Value, after: &Value, path: String, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let missing = Value::Null;
                field_changes(
                    b.get(key).unwrap_or(&missing),
                    a.get(key).unwrap_or(&missing),
                    sub,
                    out,
                );
            }
        }
        (Value::Array(b), Value::Array(a)) if a.len() == b.len() => {
            for (i, (b, a)) in b.iter().zip(a).enumerate() {
                field_changes(b, a, format!("{path}[{i}]"), out);
            }
        }
        _ if before != after => out.push(FieldChange {
            path,
            before: before.clone(),
            after: after.clone(),
        }),
        _ => {}
    }
}

impl Plan {
    /// Compares a (valid) file with the server. `prune` deletes undeclared entities
    /// inside the file's `ownership`; without an ownership section it is refused.
    pub fn compute(
        file: &GovernanceFile,
        live: &ObservedState,
        prune: bool,
    ) -> Result<Plan, PlanError> {
        let mut desired = file.clone();
        desired.normalize();
        check_external(&desired, live)?;
        let scope = match (&desired.ownership, prune) {
            (_, false) => None,
            (Some(own), true) => Some(Scope::new(own, live)),
            (None, true) => {
                return Err(PlanError(
                    "--prune needs an `ownership` section in the file: it says what the file \
                     owns (name prefixes, customers, teams, providers); nothing outside it is \
                     ever deleted"
                        .into(),
                ));
            }
        };
        let ext = &desired.external;
        let none: &[String] = &[];
        let mut changes = Vec::new();
        let s = scope.as_ref();
        diff_kind(
            Sides {
                desired: &desired.customers,
                live: &live.customers,
                external: &ext.customers,
            },
            s,
            &mut changes,
        );
        diff_kind(
            Sides {
                desired: &desired.teams,
                live: &live.teams,
                external: &ext.teams,
            },
            s,
            &mut changes,
        );
        diff_kind(
            Sides {
                desired: &desired.virtual_keys,
                live: &live.keys,
                external: &ext.virtual_keys,
            },
            s,
            &mut changes,
        );
        diff_kind(
            Sides {
                desired: &desired.model_configs,
                live: &live.model_configs,
                external: none,
            },
            s,
            &mut changes,
        );
        diff_kind(
            Sides {
                desired: &desired.providers,
                live: &live.providers,
                external: none,
            },
            s,
            &mut changes,
        );
        diff_kind(
            Sides {
                desired: &desired.routing_rules,
                live: &live.routing_rules,
                external: none,
            },
            s,
            &mut changes,
        );
        diff_kind(
            Sides {
                desired: &desired.pricing_overrides,
                live: &live.pricing_overrides,
                external: none,
            },
            s,
            &mut changes,
        );
        let mut summary = Summary::default();
        for change in &changes {
            *match change.action {
                Action::Create => &mut summary.create,
                Action::Update => &mut summary.update,
                Action::Delete => &mut summary.delete,
                Action::Unchanged => &mut summary.unchanged,
                Action::Unmanaged => &mut summary.unmanaged,
            } += 1;
        }
        Ok(Plan {
            summary,
            changes,
            desired,
        })
    }
}

/// Entities listed as external must exist: the file relies on them.
fn check_external(file: &GovernanceFile, live: &ObservedState) -> Result<(), PlanError> {
    fn missing<T: Entity>(names: &[String], live: &[Observed<T>]) -> Option<String> {
        names
            .iter()
            .find(|n| !live.iter().any(|o| &o.decl.key() == *n))
            .map(|n| {
                format!(
                    "external {} {n:?} does not exist on the server",
                    T::KIND.noun()
                )
            })
    }
    let ext = &file.external;
    missing(&ext.customers, &live.customers)
        .or_else(|| missing(&ext.teams, &live.teams))
        .or_else(|| missing(&ext.virtual_keys, &live.keys))
        .map_or(Ok(()), |m| Err(PlanError(m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_changes_name_the_path_and_both_sides() {
        let mut out = Vec::new();
        field_changes(
            &json!({"budgets": [{"max_limit": 10.0, "reset_duration": "1d"}], "enabled": true}),
            &json!({"budgets": [{"max_limit": 20.0, "reset_duration": "1d"}], "description": "x"}),
            String::new(),
            &mut out,
        );
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["budgets[0].max_limit", "description", "enabled"]);
        assert_eq!(out[0].before, json!(10.0));
        assert_eq!(out[2].after, Value::Null);
    }
}
