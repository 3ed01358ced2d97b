//! One change against the server: each kind's create, update and delete through the
//! SDK. Updates send only the fields that differ, through the update builders.

use std::collections::HashMap;

use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
use bifrost_governance::types::VirtualKey;
use bifrost_governance::{BudgetSpecs, Client, RateLimitSpec};

use crate::file::*;
use crate::observe::ObservedState;
use crate::plan::{Action, Change};
use crate::spec::{self, Ids, SpecError};

/// What the operations read: the client, the file, the server and the ids known so far.
pub(super) struct Context<'a> {
    pub(super) client: &'a Client,
    pub(super) desired: &'a GovernanceFile,
    pub(super) observed: &'a ObservedState,
    /// Live keys by id (their provider-config rows).
    pub(super) keys: &'a HashMap<&'a str, &'a VirtualKey>,
    pub(super) ids: &'a Resolved,
}

/// Names to ids: the server's, plus those created by earlier tiers.
#[derive(Debug, Default, Clone)]
pub struct Resolved {
    pub(super) customers: HashMap<String, String>,
    pub(super) teams: HashMap<String, String>,
    pub(super) keys: HashMap<String, String>,
}

impl Ids for Resolved {
    fn customer(&self, name: &str) -> Option<String> {
        self.customers.get(name).cloned()
    }
    fn team(&self, name: &str) -> Option<String> {
        self.teams.get(name).cloned()
    }
    fn key(&self, name: &str) -> Option<String> {
        self.keys.get(name).cloned()
    }
}

/// What a successful operation produced.
#[derive(Debug, Default)]
pub(super) struct Done {
    /// The id of a created customer, team or key (for later tiers).
    pub(super) created_id: Option<String>,
    /// The value of a created key.
    pub(super) secret: Option<bifrost_governance::SecretString>,
}

/// Why an operation failed.
pub(super) type Failure = String;

fn spec_failure(e: SpecError) -> Failure {
    if e.path.0.is_empty() {
        e.message
    } else {
        format!("{}: {}", e.path, e.message)
    }
}

fn sdk_failure(e: bifrost_governance::Error) -> Failure {
    e.to_string()
}

fn budgets(list: &[BudgetDecl]) -> Result<BudgetSpecs, Failure> {
    spec::budget_specs(list, &Path::root().key("budgets")).map_err(spec_failure)
}

fn limit(decl: &RateLimitDecl) -> Result<RateLimitSpec, Failure> {
    spec::rate_limit_spec(decl, &Path::root().key("rate_limit")).map_err(spec_failure)
}

/// Whether a merge of `after` into `before` (the server's rule for keys and
/// provider configs) would keep a kind `after` drops.
fn drops_a_kind(before: &Option<RateLimitDecl>, after: &Option<RateLimitDecl>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => {
            (b.tokens.is_some() && a.tokens.is_none())
                || (b.requests.is_some() && a.requests.is_none())
        }
        _ => false,
    }
}

/// Runs one change.
pub(super) async fn run(ctx: &Context<'_>, change: &Change) -> Result<Done, Failure> {
    match change.action {
        Action::Create => create(ctx, change).await,
        Action::Update => update(ctx, change).await.map(|()| Done::default()),
        Action::Delete => delete(ctx, change).await.map(|()| Done::default()),
        Action::Unchanged | Action::Unmanaged => Ok(Done::default()),
    }
}

fn desired<T>(items: &[T], change: &Change) -> Result<usize, Failure> {
    change
        .desired
        .filter(|i| *i < items.len())
        .ok_or_else(|| "internal: the plan does not match the file".to_string())
}

fn live_id<T>(
    items: &[crate::observe::Observed<T>],
    change: &Change,
) -> Result<(String, usize), Failure> {
    let i = change
        .live
        .filter(|i| *i < items.len())
        .ok_or_else(|| "internal: the plan does not match the server".to_string())?;
    Ok((items[i].id.clone(), i))
}

async fn create(ctx: &Context<'_>, change: &Change) -> Result<Done, Failure> {
    let (c, d, ids) = (ctx.client, ctx.desired, ctx.ids);
    let created = |id: String| Done {
        created_id: Some(id),
        secret: None,
    };
    match change.kind {
        Kind::Customer => {
            let decl = &d.customers[desired(&d.customers, change)?];
            let b = spec::create_customer(c, decl).map_err(spec_failure)?;
            Ok(created(b.send().await.map_err(sdk_failure)?.id))
        }
        Kind::Team => {
            let decl = &d.teams[desired(&d.teams, change)?];
            let b = spec::create_team(c, decl, ids).map_err(spec_failure)?;
            Ok(created(b.send().await.map_err(sdk_failure)?.id))
        }
        Kind::VirtualKey => {
            let decl = &d.virtual_keys[desired(&d.virtual_keys, change)?];
            let b = spec::create_key(c, decl, ids).map_err(spec_failure)?;
            let key = b.send().await.map_err(sdk_failure)?;
            Ok(Done {
                created_id: Some(key.id),
                secret: key.value,
            })
        }
        Kind::ModelConfig => {
            let decl = &d.model_configs[desired(&d.model_configs, change)?];
            let b = spec::create_model_config(c, decl, ids).map_err(spec_failure)?;
            b.send().await.map_err(sdk_failure)?;
            Ok(Done::default())
        }
        Kind::Provider => {
            let decl = &d.providers[desired(&d.providers, change)?];
            let b = spec::provider_update(c, decl).map_err(spec_failure)?;
            b.send().await.map_err(sdk_failure)?;
            Ok(Done::default())
        }
        Kind::RoutingRule => {
            let decl = &d.routing_rules[desired(&d.routing_rules, change)?];
            let b = spec::create_routing_rule(c, decl, ids).map_err(spec_failure)?;
            b.send().await.map_err(sdk_failure)?;
            Ok(Done::default())
        }
        Kind::PricingOverride => {
            let decl = &d.pricing_overrides[desired(&d.pricing_overrides, change)?];
            let b = spec::create_pricing_override(c, decl, ids).map_err(spec_failure)?;
            b.send().await.map_err(sdk_failure)?;
            Ok(Done::default())
        }
    }
}

/// Applies the budget, rate-limit and alignment differences of an owner whose
/// updates overwrite the whole rate limit (customers, teams, model configs,
/// providers), through its update builder's shared setters.
macro_rules! owner_limits {
    ($b:ident, $before:expr, $after:expr) => {{
        let (before, after) = ($before, $after);
        if before.budgets != after.budgets {
            $b = $b.set_budgets(budgets(&after.budgets)?);
        }
        if before.rate_limit != after.rate_limit {
            $b = match &after.rate_limit {
                Some(r) => $b.set_rate_limit(limit(r)?),
                None => $b.clear_rate_limit(),
            };
        }
        if before.calendar_aligned != after.calendar_aligned {
            $b = $b.calendar_aligned(after.calendar_aligned);
        }
    }};
}

fn resolve(id: Option<String>, noun: &str, name: &str) -> Result<String, Failure> {
    id.ok_or_else(|| format!("{noun} {name:?} does not exist"))
}

async fn update(ctx: &Context<'_>, change: &Change) -> Result<(), Failure> {
    let (c, d, o) = (ctx.client, ctx.desired, ctx.observed);
    match change.kind {
        Kind::Customer => {
            let after = &d.customers[desired(&d.customers, change)?];
            let (id, j) = live_id(&o.customers, change)?;
            let mut b = c.customers().update(id);
            owner_limits!(b, &o.customers[j].decl, after);
            b.send().await.map_err(sdk_failure).map(drop)
        }
        Kind::Team => {
            let after = &d.teams[desired(&d.teams, change)?];
            let (id, j) = live_id(&o.teams, change)?;
            let before = &o.teams[j].decl;
            let mut b = c.teams().update(id);
            owner_limits!(b, before, after);
            if before.customer != after.customer {
                b = match &after.customer {
                    Some(n) => b.assign_customer(resolve(ctx.ids.customer(n), "customer", n)?),
                    None => b.unassign(),
                };
            }
            b.send().await.map_err(sdk_failure).map(drop)
        }
        Kind::VirtualKey => update_key(ctx, change).await,
        Kind::ModelConfig => {
            let after = &d.model_configs[desired(&d.model_configs, change)?];
            let (id, j) = live_id(&o.model_configs, change)?;
            let mut b = c.model_configs().update(id);
            owner_limits!(b, &o.model_configs[j].decl, after);
            b.send().await.map_err(sdk_failure).map(drop)
        }
        Kind::Provider => {
            let after = &d.providers[desired(&d.providers, change)?];
            let (name, j) = live_id(&o.providers, change)?;
            let mut b = c.providers().update(name);
            owner_limits!(b, &o.providers[j].decl, after);
            b.send().await.map_err(sdk_failure).map(drop)
        }
        Kind::RoutingRule => {
            let after = &d.routing_rules[desired(&d.routing_rules, change)?];
            let (id, j) = live_id(&o.routing_rules, change)?;
            let before = &o.routing_rules[j].decl;
            let mut b = c.routing_rules().update(id);
            if before.description != after.description {
                b = b.set_description(after.description.clone().unwrap_or_default());
            }
            if before.cel_expression != after.cel_expression {
                b = b.set_cel_expression(after.cel_expression.clone().unwrap_or_default());
            }
            if before.targets != after.targets {
                b = b.set_targets(after.targets.iter().map(spec::target_spec).collect());
            }
            if before.fallbacks != after.fallbacks {
                b = b.set_fallbacks(after.fallbacks.iter().map(spec::fallback));
            }
            if before.priority != after.priority {
                b = b.set_priority(after.priority);
            }
            if before.enabled != after.enabled {
                b = b.set_enabled(after.enabled);
            }
            if before.chain_rule != after.chain_rule {
                b = b.set_chain_rule(after.chain_rule);
            }
            b.send().await.map_err(sdk_failure).map(drop)
        }
        Kind::PricingOverride => {
            let after = &d.pricing_overrides[desired(&d.pricing_overrides, change)?];
            let (id, j) = live_id(&o.pricing_overrides, change)?;
            let before = &o.pricing_overrides[j].decl;
            let mut b = c.pricing_overrides().update(id);
            if before.pattern != after.pattern {
                b = b.set_pattern(spec::model_pattern(&after.pattern));
            }
            if before.request_types != after.request_types {
                b = b.set_request_types(&after.request_types);
            }
            if before.patch != after.patch {
                let patch = spec::patch(&after.patch, &crate::file::Path::root().key("patch"))
                    .map_err(spec_failure)?;
                b = b.set_patch(patch);
            }
            b.send().await.map_err(sdk_failure).map(drop)
        }
    }
}

async fn update_key(ctx: &Context<'_>, change: &Change) -> Result<(), Failure> {
    let (c, d, o) = (ctx.client, ctx.desired, ctx.observed);
    let after = &d.virtual_keys[desired(&d.virtual_keys, change)?];
    let (id, j) = live_id(&o.keys, change)?;
    let before = &o.keys[j].decl;
    let rows: HashMap<String, i64> = ctx
        .keys
        .get(id.as_str())
        .and_then(|k| k.provider_configs.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|pc| Some((pc.provider.clone()?, pc.id?)))
        .collect();
    // The server merges rate limits of keys and provider configs: a kind the file
    // drops is cleared first, then the declared limits are set.
    let live_configs: HashMap<&str, &ProviderConfigDecl> = before
        .provider_configs
        .iter()
        .map(|pc| (pc.provider.as_str(), pc))
        .collect();
    let config_drops = after.provider_configs.iter().any(|pc| {
        live_configs
            .get(pc.provider.as_str())
            .is_some_and(|live| drops_a_kind(&live.rate_limit, &pc.rate_limit))
    });
    if drops_a_kind(&before.rate_limit, &after.rate_limit) || config_drops {
        let mut clear = c.virtual_keys().update(&id).clear_rate_limit();
        if config_drops {
            let cleared = before
                .provider_configs
                .iter()
                .map(|pc| {
                    let id = rows.get(&pc.provider).copied();
                    let spec = spec::provider_config_spec(pc, id, &Path::root());
                    spec.map(ProviderConfigSpec::clear_rate_limit)
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(spec_failure)?;
            clear = clear.set_provider_configs(cleared);
        }
        clear.send().await.map_err(sdk_failure)?;
    }
    let mut b = c.virtual_keys().update(&id);
    if before.description != after.description {
        b = b.set_description(after.description.clone().unwrap_or_default());
    }
    if (&before.team, &before.customer) != (&after.team, &after.customer) {
        b = match (&after.team, &after.customer) {
            (Some(t), _) => b.assign_team(resolve(ctx.ids.team(t), "team", t)?),
            (None, Some(n)) => b.assign_customer(resolve(ctx.ids.customer(n), "customer", n)?),
            (None, None) => b.unassign(),
        };
    }
    if before.enabled != after.enabled {
        b = b.set_enabled(after.enabled);
    }
    if before.budgets != after.budgets {
        b = b.set_budgets(budgets(&after.budgets)?);
    }
    if before.rate_limit != after.rate_limit {
        b = match &after.rate_limit {
            Some(r) => b.set_rate_limit(limit(r)?),
            None => b.clear_rate_limit(),
        };
    }
    if before.calendar_aligned != after.calendar_aligned {
        b = b.calendar_aligned(after.calendar_aligned);
    }
    if before.provider_configs != after.provider_configs || config_drops {
        let specs = after
            .provider_configs
            .iter()
            .enumerate()
            .map(|(i, pc)| {
                let path = Path::root().key("provider_configs").index(i);
                spec::provider_config_spec(pc, rows.get(&pc.provider).copied(), &path)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(spec_failure)?;
        b = b.set_provider_configs(specs);
    }
    if before.mcp_configs != after.mcp_configs {
        b = b.set_mcp_configs(after.mcp_configs.iter().map(spec::mcp_spec).collect());
    }
    if before.metadata != after.metadata {
        b = b.set_metadata(after.metadata.clone().into_iter().collect());
    }
    if before.expires_at != after.expires_at {
        b = match after.expires_at {
            Some(at) => b.set_expires_at(at),
            None => b.clear_expires_at(),
        };
    }
    if before.delete_after_expire != after.delete_after_expire {
        b = b.set_delete_after_expire(after.delete_after_expire);
    }
    if before.allow_all_providers != after.allow_all_providers {
        b = b.set_allow_all_providers(after.allow_all_providers);
    }
    if let Some(disable) = after.disable_content_logging
        && before.disable_content_logging != Some(disable)
    {
        b = b.set_disable_content_logging(disable);
    }
    b.send().await.map_err(sdk_failure).map(drop)
}

async fn delete(ctx: &Context<'_>, change: &Change) -> Result<(), Failure> {
    let (c, o) = (ctx.client, ctx.observed);
    let result = match change.kind {
        Kind::Customer => c.customers().delete(live_id(&o.customers, change)?.0).await,
        Kind::Team => c.teams().delete(live_id(&o.teams, change)?.0).await,
        Kind::VirtualKey => c.virtual_keys().delete(live_id(&o.keys, change)?.0).await,
        Kind::ModelConfig => {
            c.model_configs()
                .delete(live_id(&o.model_configs, change)?.0)
                .await
        }
        Kind::Provider => c.providers().delete(live_id(&o.providers, change)?.0).await,
        Kind::RoutingRule => {
            c.routing_rules()
                .delete(live_id(&o.routing_rules, change)?.0)
                .await
        }
        Kind::PricingOverride => {
            c.pricing_overrides()
                .delete(live_id(&o.pricing_overrides, change)?.0)
                .await
        }
    };
    result.map_err(sdk_failure)
}
