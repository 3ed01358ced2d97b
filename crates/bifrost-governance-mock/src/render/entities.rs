//! Virtual keys, teams and customers, with what each response preloads.

use std::collections::BTreeMap;

use super::{Ctx, budget, budgets, embedded_key, mcp_client, rate_limit_of};
use crate::gojson::{Go, Obj};
use crate::governance::Index;
use crate::store::records::{Customer, ProviderConfig, Team, VirtualKey};

/// What a rendered team embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TeamView {
    /// Its customer, bare (`Team.Customer` preloaded without nested relations).
    pub(crate) customer: bool,
    /// `Budgets` preloaded.
    pub(crate) budgets: bool,
    /// `RateLimit` preloaded.
    pub(crate) rate_limit: bool,
    /// `virtual_key_count` selected (`teamSelectWithVKCount`); 0 otherwise.
    pub(crate) count: bool,
}

impl TeamView {
    /// A team endpoint: customer, budgets, rate limit and key count
    /// (`rdb.go GetTeam`, `GetTeams`, `GetTeamsPaginated`).
    pub(crate) const FULL: TeamView = TeamView {
        customer: true,
        budgets: true,
        rate_limit: true,
        count: true,
    };
    /// Only the row (a key's `Team`).
    pub(crate) const BARE: TeamView = TeamView {
        customer: false,
        budgets: false,
        rate_limit: false,
        count: false,
    };
}

/// What a rendered customer embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CustomerView {
    /// `Teams` (+ `Teams.Budgets`) preloaded: an array; otherwise `null`.
    pub(crate) teams: bool,
    /// `VirtualKeys` preloaded (bare keys): an array; otherwise `null`.
    pub(crate) keys: bool,
    /// `Budget(s)` and `RateLimit` preloaded.
    pub(crate) limits: bool,
    /// v2 read paths fill `virtual_key_count`.
    pub(crate) key_count: bool,
    /// v2 list path fills `team_count`.
    pub(crate) team_count: bool,
}

impl CustomerView {
    /// Only the row (`Team.Customer`, a key list's `Customer`).
    pub(crate) const BARE: CustomerView = CustomerView {
        teams: false,
        keys: false,
        limits: false,
        key_count: false,
        team_count: false,
    };
    /// A customer endpoint (`rdb.go preloadCustomerRelations`).
    pub(crate) const FULL: CustomerView = CustomerView {
        teams: true,
        keys: true,
        limits: true,
        key_count: true,
        team_count: false,
    };
}

/// What a rendered virtual key embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyView {
    /// Team, customer, budgets, rate limit, provider and MCP configs preloaded
    /// (`preloadVirtualKeyBaseRelations`); a bare key has none of them.
    pub(crate) relations: bool,
    /// The customer with its own relations (`preloadVirtualKeyDetailRelations`).
    pub(crate) detail: bool,
}

impl KeyView {
    /// A key list (`GetVirtualKeys`, `GetVirtualKeysPaginated`).
    pub(crate) const LIST: KeyView = KeyView {
        relations: true,
        detail: false,
    };
    /// One key (`GetVirtualKey`), also after a create or update.
    pub(crate) const DETAIL: KeyView = KeyView {
        relations: true,
        detail: true,
    };
    /// A key nested in a customer (`Customer.VirtualKeys`, no relations).
    pub(crate) const BARE: KeyView = KeyView {
        relations: false,
        detail: false,
    };
}

/// `TableTeam` (`tables/team.go`).
pub(crate) fn team(ctx: Ctx<'_>, t: &Team, view: TeamView) -> Go {
    let store = ctx.store;
    let customer = view
        .customer
        .then(|| {
            t.customer_id
                .as_ref()
                .and_then(|id| store.customers.get(id))
        })
        .flatten()
        .map(|c| customer(ctx, c, CustomerView::BARE));
    let count = if view.count {
        store
            .virtual_keys
            .values()
            .filter(|vk| vk.team_id.as_deref() == Some(t.id.as_str()))
            .count()
    } else {
        0
    };
    let obj = Obj::new()
        .field("id", t.id.as_str())
        .field("name", t.name.as_str())
        .omit_nil("customer_id", t.customer_id.as_deref())
        .omit_nil("rate_limit_id", t.rate_limit_id.as_deref())
        .omit_nil("customer", customer)
        .omitempty(
            "budgets",
            if view.budgets {
                budgets(ctx, &t.budget_ids)
            } else {
                Go::Null
            },
        )
        .omit_nil(
            "rate_limit",
            view.rate_limit
                .then(|| rate_limit_of(ctx, t.rate_limit_id.as_ref()))
                .flatten(),
        )
        .field("virtual_key_count", count)
        .field("profile", Go::Null)
        .field("config", Go::Null)
        .field("claims", Go::Null);
    let obj = if ctx.v2() {
        obj.field("calendar_aligned", t.calendar_aligned)
    } else {
        obj
    };
    obj.field("config_hash", "")
        .field("created_at", t.created_at)
        .field("updated_at", t.updated_at)
        .into()
}

/// `TableCustomer` (`tables/customer.go`).
pub(crate) fn customer(ctx: Ctx<'_>, c: &Customer, view: CustomerView) -> Go {
    let store = ctx.store;
    let teams = view.teams.then(|| {
        // `Teams` and `Teams.Budgets` are preloaded, nothing else of the teams.
        let team_view = TeamView {
            budgets: true,
            ..TeamView::BARE
        };
        Go::Array(
            store
                .teams
                .values()
                .filter(|t| t.customer_id.as_deref() == Some(c.id.as_str()))
                .map(|t| team(ctx, t, team_view))
                .collect(),
        )
    });
    let own_keys: Vec<&VirtualKey> = store
        .virtual_keys
        .values()
        .filter(|vk| vk.customer_id.as_deref() == Some(c.id.as_str()))
        .collect();
    let keys = view.keys.then(|| {
        Go::Array(
            own_keys
                .iter()
                .map(|vk| key(ctx, vk, KeyView::BARE))
                .collect(),
        )
    });
    let limits = |go: Go| if view.limits { go } else { Go::Null };
    if !ctx.v2() {
        let budget_id = c.budget_ids.first();
        return Obj::new()
            .field("id", c.id.as_str())
            .field("name", c.name.as_str())
            .omit_nil("budget_id", budget_id.map(String::as_str))
            .omit_nil("rate_limit_id", c.rate_limit_id.as_deref())
            .omit_nil(
                "budget",
                view.limits
                    .then(|| {
                        budget_id
                            .and_then(|id| store.budgets.get(id))
                            .map(|b| budget(ctx, b))
                    })
                    .flatten(),
            )
            .omit_nil(
                "rate_limit",
                view.limits
                    .then(|| rate_limit_of(ctx, c.rate_limit_id.as_ref()))
                    .flatten(),
            )
            .field("teams", teams.unwrap_or(Go::Null))
            .field("virtual_keys", keys.unwrap_or(Go::Null))
            .field("config_hash", "")
            .field("created_at", c.created_at)
            .field("updated_at", c.updated_at)
            .into();
    }
    let team_count = if view.team_count {
        store
            .teams
            .values()
            .filter(|t| t.customer_id.as_deref() == Some(c.id.as_str()))
            .count()
    } else {
        0
    };
    Obj::new()
        .field("id", c.id.as_str())
        .field("name", c.name.as_str())
        .omit_nil("rate_limit_id", c.rate_limit_id.as_deref())
        .omitempty("budgets", limits(budgets(ctx, &c.budget_ids)))
        .omit_nil(
            "rate_limit",
            view.limits
                .then(|| rate_limit_of(ctx, c.rate_limit_id.as_ref()))
                .flatten(),
        )
        .field("teams", teams.unwrap_or(Go::Null))
        .field("virtual_keys", keys.unwrap_or(Go::Null))
        .field(
            "virtual_key_count",
            if view.key_count { own_keys.len() } else { 0 },
        )
        .field("team_count", team_count)
        .field("calendar_aligned", c.calendar_aligned)
        .field("config_hash", "")
        .field("created_at", c.created_at)
        .field("updated_at", c.updated_at)
        .into()
}

/// The budgets and rate limit of a key or one of its provider configs, hydrated from
/// the key-scoped model configs on v2.
struct Limits {
    budgets: Go,
    rate_limit_id: Option<String>,
    rate_limit: Option<Go>,
}

fn key_limits(
    ctx: Ctx<'_>,
    index: Option<&Index<'_>>,
    vk: &VirtualKey,
    provider: Option<&ProviderConfig>,
) -> Limits {
    if ctx.profile.key_governance_in_model_configs() {
        let provider_name = provider.map(|pc| pc.provider.as_str());
        let mc = match index {
            Some(index) => index.governance(&vk.id, provider_name),
            None => ctx
                .store
                .model_configs
                .values()
                .find(|mc| mc.is_key_governance(&vk.id, provider_name)),
        };
        return match mc {
            Some(mc) => Limits {
                budgets: budgets(ctx, &mc.budget_ids),
                rate_limit_id: mc.rate_limit_id.clone(),
                rate_limit: rate_limit_of(ctx, mc.rate_limit_id.as_ref()),
            },
            None => Limits {
                budgets: Go::Null,
                rate_limit_id: None,
                rate_limit: None,
            },
        };
    }
    let (ids, rl) = match provider {
        Some(pc) => (&pc.budget_ids, pc.rate_limit_id.as_ref()),
        None => (&vk.budget_ids, vk.rate_limit_id.as_ref()),
    };
    Limits {
        budgets: budgets(ctx, ids),
        rate_limit_id: rl.cloned(),
        rate_limit: rate_limit_of(ctx, rl),
    }
}

/// `TableVirtualKeyProviderConfig` with its `MarshalJSON` (model lists forced to
/// arrays, written after the embedded fields).
fn provider_config(
    ctx: Ctx<'_>,
    index: Option<&Index<'_>>,
    vk: &VirtualKey,
    pc: &ProviderConfig,
    keys_loaded: bool,
) -> Go {
    let limits = key_limits(ctx, index, vk, Some(pc));
    let keys = keys_loaded.then(|| {
        Go::Array(
            pc.keys
                .iter()
                .filter_map(|id| ctx.store.catalog.key(*id))
                .map(embedded_key)
                .collect(),
        )
    });
    let list = |items: Option<&Vec<String>>| super::strings(Some(items.unwrap_or(&Vec::new())));
    let obj = Obj::new()
        .field("id", pc.id as i64)
        .field("virtual_key_id", vk.id.as_str())
        .field("provider", pc.provider.as_str())
        .field("weight", pc.weight)
        .field("allow_all_keys", pc.allow_all_keys)
        .omit_nil("rate_limit_id", limits.rate_limit_id.as_deref())
        .omit_nil("rate_limit", limits.rate_limit)
        .omitempty("budgets", limits.budgets)
        .field("keys", keys.unwrap_or(Go::Null));
    if !ctx.v2() {
        return obj
            .field("allowed_models", list(pc.allowed_models.as_ref()))
            .into();
    }
    let model_budgets: Vec<Go> = match index {
        Some(index) => index.of(&vk.id).to_vec(),
        None => ctx.store.model_configs.values().collect(),
    }
    .into_iter()
    .filter(|mc| mc.is_key_model_budget(&vk.id, &pc.provider))
    .map(|mc| {
        Obj::new()
            .field("model_name", mc.model_name.as_str())
            .omitempty("budgets", budgets(ctx, &mc.budget_ids))
            .omit_nil("rate_limit", rate_limit_of(ctx, mc.rate_limit_id.as_ref()))
            .into()
    })
    .collect();
    obj.omitempty("model_budgets", Go::Array(model_budgets))
        .field("allowed_models", list(pc.allowed_models.as_ref()))
        .field("blacklisted_models", list(pc.blacklisted_models.as_ref()))
        .into()
}

/// A provider config as the v2 quota shows it: budgets and rate limit hydrated, keys
/// not loaded (`v2: rdb.go GetVirtualKeyQuotaByValue` preloads no `Keys`).
pub(crate) fn quota_provider_config(ctx: Ctx<'_>, vk: &VirtualKey, pc: &ProviderConfig) -> Go {
    provider_config(ctx, None, vk, pc, false)
}

/// `TableVirtualKey` as a response shows it: 1.5.x plainly; v2 through its
/// `MarshalJSON` (embedded team without customer and keys, embedded customer with
/// `teams`/`virtual_keys` null, `value` written last, `assigned_user: null` on the
/// read paths and, for keys nobody resolved, the whole object re-encoded from a map
/// without `assigned_user`, so with sorted keys).
pub(crate) fn key(ctx: Ctx<'_>, vk: &VirtualKey, view: KeyView) -> Go {
    let store = ctx.store;
    let index = ctx.gov;
    let limits = view.relations.then(|| key_limits(ctx, index, vk, None));
    let team = view
        .relations
        .then(|| vk.team_id.as_ref().and_then(|id| store.teams.get(id)))
        .flatten()
        .map(|t| {
            team(
                ctx,
                t,
                TeamView {
                    customer: !ctx.v2(),
                    ..TeamView::BARE
                },
            )
        });
    let customer_view = if ctx.v2() {
        // The detail preloads load the customer's budgets and rate limit; its teams
        // and keys are nulled by MarshalJSON.
        CustomerView {
            limits: view.detail,
            ..CustomerView::BARE
        }
    } else if view.detail {
        CustomerView::FULL
    } else {
        CustomerView::BARE
    };
    let customer = view
        .relations
        .then(|| {
            vk.customer_id
                .as_ref()
                .and_then(|id| store.customers.get(id))
        })
        .flatten()
        .map(|c| customer(ctx, c, customer_view));
    let provider_configs = view.relations.then(|| {
        Go::Array(
            vk.provider_configs
                .iter()
                .map(|pc| provider_config(ctx, index, vk, pc, true))
                .collect(),
        )
    });
    let mcp_configs = view.relations.then(|| {
        Go::Array(
            vk.mcp_configs
                .iter()
                .map(|m| {
                    Obj::new()
                        .field("id", m.id as i64)
                        .field("virtual_key_id", vk.id.as_str())
                        .field("mcp_client_id", m.mcp_client_id as i64)
                        .field(
                            "mcp_client",
                            store
                                .catalog
                                .mcp_client(m.mcp_client_id)
                                .map(|c| mcp_client(ctx, c)),
                        )
                        .field(
                            "tools_to_execute",
                            super::strings(m.tools_to_execute.as_ref()),
                        )
                        .into()
                })
                .collect(),
        )
    });
    let (budgets, rate_limit_id, rate_limit) = match limits {
        Some(l) => (l.budgets, l.rate_limit_id, l.rate_limit),
        None => (
            Go::Null,
            if ctx.v2() {
                None
            } else {
                vk.rate_limit_id.clone()
            },
            None,
        ),
    };
    if !ctx.v2() {
        return Obj::new()
            .field("id", vk.id.as_str())
            .field("name", vk.name.as_str())
            .omitempty("description", vk.description.as_str())
            .field("value", vk.value.as_str())
            .field("is_active", vk.is_active)
            .field("provider_configs", provider_configs.unwrap_or(Go::Null))
            .field("mcp_configs", mcp_configs.unwrap_or(Go::Null))
            .omit_nil("team_id", vk.team_id.as_deref())
            .omit_nil("customer_id", vk.customer_id.as_deref())
            .omit_nil("rate_limit_id", rate_limit_id.as_deref())
            .field("calendar_aligned", vk.calendar_aligned)
            .omit_nil("team", team)
            .omit_nil("customer", customer)
            .omit_nil("rate_limit", rate_limit)
            .omitempty("budgets", budgets)
            .field("config_hash", "")
            .field("created_at", vk.created_at)
            .field("updated_at", vk.updated_at)
            .into();
    }
    let metadata = vk.metadata.as_ref().map(|m| {
        Go::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), Go::from(v.as_str())))
                .collect::<BTreeMap<_, _>>(),
        )
    });
    let obj = Obj::new()
        .field("id", vk.id.as_str())
        .field("name", vk.name.as_str())
        .omitempty("description", vk.description.as_str())
        .field("is_active", vk.is_active)
        .omit_nil("expires_at", vk.expires_at)
        .omit_nil("delete_after_expire", vk.delete_after_expire)
        .field("provider_configs", provider_configs.unwrap_or(Go::Null))
        .field("mcp_configs", mcp_configs.unwrap_or(Go::Null))
        .omit_nil("team_id", vk.team_id.as_deref())
        .omit_nil("customer_id", vk.customer_id.as_deref())
        .omit_nil("rate_limit_id", rate_limit_id.as_deref())
        .field("calendar_aligned", vk.calendar_aligned)
        .field("allow_all_providers", vk.allow_all_providers)
        .omit_nil("disable_content_logging", vk.disable_content_logging)
        .omitempty("metadata", metadata.unwrap_or(Go::Null))
        .omit_nil("team", team)
        .omit_nil("customer", customer)
        .omit_nil("rate_limit", rate_limit)
        .omitempty("budgets", budgets)
        .field("assigned_user", Go::Null)
        .field("config_hash", "")
        .omit_nil("previous_value_expires_at", vk.previous_value_expires_at)
        .omit_nil("rotated_at", vk.rotated_at)
        .field("created_at", vk.created_at)
        .field("updated_at", vk.updated_at)
        .field("value", vk.value.as_str());
    if view.relations {
        return obj.into();
    }
    // Nested in a customer nobody resolves the assignee: MarshalJSON drops the field
    // by re-encoding the object from a map.
    let Go::Object(fields) = obj.remove("assigned_user").into() else {
        unreachable!("an object");
    };
    Go::Map(fields.into_iter().collect())
}
