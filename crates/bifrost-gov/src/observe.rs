//! The live state as declarations: what `dump` writes and what `plan` compares the
//! file with. Ids become names; what the server echoes in several forms becomes one
//! (`allow_all_keys` is `keys: ["*"]`, a v1.x single `budget` is a one-item
//! `budgets`, absent lists are empty); usage, timestamps and secrets are dropped.

use std::collections::{BTreeMap, HashMap};

use bifrost_governance::Scope;
use bifrost_governance::resources::pricing_overrides::{
    ModelPattern, PricingPatch, PricingScope, parse_pricing_patch,
};
use bifrost_governance::resources::routing_rules::{Fallback, RoutingTargetSpec};
use bifrost_governance::types::{self, Budget, RateLimit};

use crate::file::*;
use crate::live::LiveState;
use serde_json::Value;

/// A declaration read from the server, with the server's id.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed<T> {
    /// The entity as a declaration (normalised).
    pub decl: T,
    /// Its server id (the provider name for provider governance).
    pub id: String,
}

/// The whole live state as declarations.
#[derive(Debug, Clone, Default)]
pub struct ObservedState {
    /// Customers.
    pub customers: Vec<Observed<CustomerDecl>>,
    /// Teams.
    pub teams: Vec<Observed<TeamDecl>>,
    /// Virtual keys.
    pub keys: Vec<Observed<VirtualKeyDecl>>,
    /// Model configs.
    pub model_configs: Vec<Observed<ModelConfigDecl>>,
    /// Provider governance.
    pub providers: Vec<Observed<ProviderDecl>>,
    /// Routing rules.
    pub routing_rules: Vec<Observed<RoutingRuleDecl>>,
    /// Pricing overrides.
    pub pricing_overrides: Vec<Observed<PricingOverrideDecl>>,
}

/// The live state cannot be written as a file without guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ObserveError(pub String);

/// Ids to names, refusing names that do not identify one entity.
struct Names {
    customers: HashMap<String, String>,
    teams: HashMap<String, String>,
    keys: HashMap<String, String>,
}

fn unique_names<'a>(
    noun: &str,
    rows: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<HashMap<String, String>, ObserveError> {
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut names = HashMap::new();
    for (id, name) in rows {
        by_name.entry(name).or_default().push(id);
        names.insert(id.to_string(), name.to_string());
    }
    match by_name.iter().find(|(_, ids)| ids.len() > 1) {
        Some((name, ids)) => Err(ObserveError(format!(
            "the server has {} {noun}s named {name:?} (ids {}); names identify entities in \
             the file, so this tool refuses to guess: rename or delete all but one first",
            ids.len(),
            ids.join(", ")
        ))),
        None => Ok(names),
    }
}

impl Names {
    fn of(live: &LiveState) -> Result<Self, ObserveError> {
        Ok(Self {
            customers: unique_names(
                "customer",
                live.customers
                    .iter()
                    .map(|c| (c.id.as_str(), c.name.as_str())),
            )?,
            teams: unique_names(
                "team",
                live.teams.iter().map(|t| (t.id.as_str(), t.name.as_str())),
            )?,
            keys: unique_names(
                "virtual key",
                live.keys.iter().map(|k| (k.id.as_str(), k.name.as_str())),
            )?,
        })
    }

    fn name(
        map: &HashMap<String, String>,
        noun: &str,
        id: &str,
        owner: &str,
    ) -> Result<String, ObserveError> {
        map.get(id).cloned().ok_or_else(|| {
            ObserveError(format!(
                "{owner} refers to {noun} id {id}, which the server does not list"
            ))
        })
    }

    fn customer(&self, id: &str, owner: &str) -> Result<String, ObserveError> {
        Self::name(&self.customers, "customer", id, owner)
    }
    fn team(&self, id: &str, owner: &str) -> Result<String, ObserveError> {
        Self::name(&self.teams, "team", id, owner)
    }
    fn key(&self, id: &str, owner: &str) -> Result<String, ObserveError> {
        Self::name(&self.keys, "virtual key", id, owner)
    }
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// A budget row as a declaration.
pub fn budget(b: &Budget) -> BudgetDecl {
    let quarterly = b
        .reset_duration
        .as_deref()
        .is_some_and(|d| d.ends_with('Q'));
    BudgetDecl {
        max_limit: b.max_limit.unwrap_or_default(),
        reset_duration: b.reset_duration.clone().unwrap_or_default(),
        quarter_start_month: b
            .reset_config
            .as_ref()
            .and_then(|c| c.quarter_start_month)
            .filter(|m| quarterly && (1..=12).contains(m))
            .and_then(|m| u8::try_from(m).ok()),
    }
}

/// The budgets of an owner: its `budgets`, or its v1.x single `budget`.
pub fn budgets(list: &Option<Vec<Budget>>, single: &Option<Budget>) -> Vec<BudgetDecl> {
    match list.as_deref() {
        Some(list) if !list.is_empty() => list.iter().map(budget).collect(),
        _ => single.iter().map(budget).collect(),
    }
}

/// A rate limit as a declaration (`None` when it limits nothing).
pub fn rate_limit(r: &Option<RateLimit>) -> Option<RateLimitDecl> {
    let r = r.as_ref()?;
    let pair = |max: Option<i64>, period: &Option<String>| {
        Some(LimitDecl {
            max_limit: u64::try_from(max?).ok().filter(|m| *m > 0)?,
            reset_duration: present(period)?.to_string(),
        })
    };
    let decl = RateLimitDecl {
        tokens: pair(r.token_max_limit, &r.token_reset_duration),
        requests: pair(r.request_max_limit, &r.request_reset_duration),
    };
    (decl.tokens.is_some() || decl.requests.is_some()).then_some(decl)
}

fn provider_config(pc: &types::ProviderConfig) -> ProviderConfigDecl {
    let keys = if pc.allow_all_keys == Some(true) {
        vec!["*".to_string()]
    } else {
        pc.keys
            .iter()
            .flatten()
            .filter_map(|k| k.key_id.clone())
            .collect()
    };
    ProviderConfigDecl {
        provider: pc.provider.clone().unwrap_or_default(),
        weight: pc.weight,
        models: pc.allowed_models.clone().unwrap_or_default(),
        blocked_models: pc.blacklisted_models.clone().unwrap_or_default(),
        keys,
        budgets: budgets(&pc.budgets, &pc.budget),
        rate_limit: rate_limit(&pc.rate_limit),
    }
}

fn mcp_config(m: &types::McpConfig) -> McpConfigDecl {
    McpConfigDecl {
        client: m
            .mcp_client
            .as_ref()
            .and_then(|c| c.name.clone())
            .or_else(|| m.mcp_client_name.clone())
            .unwrap_or_default(),
        tools: m.tools_to_execute.clone().unwrap_or_default(),
    }
}

fn key(k: &types::VirtualKey, names: &Names) -> Result<VirtualKeyDecl, ObserveError> {
    let owner = format!("virtual key {:?}", k.name);
    let team = present(&k.team_id)
        .map(|id| names.team(id, &owner))
        .transpose()?;
    let customer = match team {
        Some(_) => None,
        None => present(&k.customer_id)
            .map(|id| names.customer(id, &owner))
            .transpose()?,
    };
    Ok(VirtualKeyDecl {
        name: k.name.clone(),
        description: k.description.clone(),
        team,
        customer,
        enabled: k.is_active.unwrap_or(true),
        budgets: budgets(&k.budgets, &k.budget),
        rate_limit: rate_limit(&k.rate_limit),
        calendar_aligned: k.calendar_aligned.unwrap_or(false),
        provider_configs: k
            .provider_configs
            .iter()
            .flatten()
            .map(provider_config)
            .collect(),
        mcp_configs: k.mcp_configs.iter().flatten().map(mcp_config).collect(),
        metadata: k.metadata.clone().unwrap_or_default().into_iter().collect(),
        expires_at: k.expires_at,
        delete_after_expire: k.delete_after_expire.unwrap_or(false),
        allow_all_providers: k.allow_all_providers.unwrap_or(false),
        disable_content_logging: k.disable_content_logging,
    })
}

fn model_config(m: &types::ModelConfig, names: &Names) -> Result<ModelConfigDecl, ObserveError> {
    let model = m.model_name.clone().unwrap_or_default();
    let owner = format!("model config {model:?}");
    let virtual_key = match Scope::from_wire(
        m.scope.as_deref().unwrap_or_default(),
        m.scope_id.as_deref(),
    ) {
        Some(Scope::Global) => None,
        Some(Scope::VirtualKey(id)) => Some(names.key(&id, &owner)?),
        _ => {
            return Err(ObserveError(format!(
                "{owner} (id {}) has scope {:?}, which this tool cannot express",
                m.id, m.scope
            )));
        }
    };
    Ok(ModelConfigDecl {
        model,
        provider: m.provider.clone(),
        virtual_key,
        budgets: budgets(&m.budgets, &m.budget),
        rate_limit: rate_limit(&m.rate_limit),
        calendar_aligned: m.calendar_aligned.unwrap_or(false),
    })
}

fn routing_rule(r: &types::RoutingRule, names: &Names) -> Result<RoutingRuleDecl, ObserveError> {
    let name = r.name.clone().unwrap_or_default();
    let owner = format!("routing rule {name:?}");
    let scope = match Scope::from_wire(
        r.scope.as_deref().unwrap_or_default(),
        r.scope_id.as_deref(),
    ) {
        Some(Scope::Global) => ScopeDecl::default(),
        Some(Scope::Team(id)) => ScopeDecl::of(ScopeTarget::Team(&names.team(&id, &owner)?)),
        Some(Scope::Customer(id)) => {
            ScopeDecl::of(ScopeTarget::Customer(&names.customer(&id, &owner)?))
        }
        Some(Scope::VirtualKey(id)) => {
            ScopeDecl::of(ScopeTarget::VirtualKey(&names.key(&id, &owner)?))
        }
        Some(Scope::User(id)) => ScopeDecl::of(ScopeTarget::User(&id)),
        _ => {
            return Err(ObserveError(format!(
                "{owner} (id {}) has scope {:?}, which this tool cannot express",
                r.id, r.scope
            )));
        }
    };
    let targets = r
        .targets
        .iter()
        .flatten()
        .map(|t| {
            let spec = RoutingTargetSpec::from_existing(t);
            TargetDecl {
                provider: t.provider.clone(),
                model: t.model.clone(),
                key_id: t.key_id.clone(),
                weight: spec.weight_value(),
                ttft_timeout_ms: spec
                    .ttft_timeout_value()
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            }
        })
        .collect();
    Ok(RoutingRuleDecl {
        name,
        scope,
        description: r.description.clone(),
        enabled: r.enabled.unwrap_or(true),
        priority: r.priority.unwrap_or(0),
        chain_rule: r.chain_rule.unwrap_or(false),
        cel_expression: r.cel_expression.clone(),
        targets,
        fallbacks: r.fallbacks.iter().flatten().map(fallback).collect(),
    })
}

fn fallback(f: &Fallback) -> FallbackDecl {
    match f.key_id() {
        Some(key_id) => FallbackDecl::Pinned(PinnedFallbackDecl {
            provider: f.provider().to_string(),
            model: f.model_name().to_string(),
            key_id: key_id.to_string(),
        }),
        None => FallbackDecl::Model(f.as_model_string()),
    }
}

fn pricing_override(
    p: &types::PricingOverride,
    names: &Names,
) -> Result<PricingOverrideDecl, ObserveError> {
    let name = p.name.clone().unwrap_or_default();
    let owner = format!("pricing override {name:?}");
    let cannot = |what: &str| {
        ObserveError(format!(
            "{owner} (id {}) has a {what} this tool cannot express",
            p.id
        ))
    };
    PricingScope::from_existing(p).ok_or_else(|| cannot("scope"))?;
    // The SDK checked the kind against the ids; the declaration is the ids.
    let scope = PricingScopeDecl {
        virtual_key: present(&p.virtual_key_id)
            .map(|id| names.key(id, &owner))
            .transpose()?,
        user_id: present(&p.user_id).map(str::to_string),
        provider: present(&p.provider_id).map(str::to_string),
        provider_key_id: present(&p.provider_key_id).map(str::to_string),
    };
    let pattern = match ModelPattern::from_existing(p).ok_or_else(|| cannot("pattern"))? {
        ModelPattern::Exact(name) => name,
        ModelPattern::Prefix(prefix) => format!("{prefix}*"),
        ModelPattern::Any => "*".to_string(),
        _ => return Err(cannot("pattern")),
    };
    let patch = parse_pricing_patch(p).map_err(|_| cannot("price patch"))?;
    let patch = price_decl(&patch).ok_or_else(|| cannot("price patch"))?;
    Ok(PricingOverrideDecl {
        name,
        scope,
        pattern,
        request_types: p.request_types.clone().unwrap_or_default(),
        patch,
    })
}

/// A server's patch as the file writes it: known prices by name, the rest under
/// `more`.
fn price_decl(patch: &PricingPatch) -> Option<PriceDecl> {
    let Ok(Value::Object(fields)) = serde_json::to_value(patch) else {
        return None;
    };
    let (named, more): (serde_json::Map<_, _>, _) = fields
        .into_iter()
        .partition(|(field, _)| PriceDecl::NAMED.contains(&field.as_str()));
    let mut decl: PriceDecl = serde_json::from_value(Value::Object(named)).ok()?;
    decl.more = more.into_iter().collect();
    Some(decl)
}

fn observed<T: Entity>(decl: T, id: &str) -> Observed<T> {
    let mut decl = decl;
    decl.normalize();
    Observed {
        decl,
        id: id.to_string(),
    }
}

/// Each identity once, sorted by it.
fn unique<T: Entity>(mut items: Vec<Observed<T>>) -> Result<Vec<Observed<T>>, ObserveError> {
    items.sort_by_cached_key(|o| o.decl.key());
    if let Some(pair) = items
        .windows(2)
        .find(|w| w[0].decl.key() == w[1].decl.key())
    {
        return Err(ObserveError(format!(
            "the server has two {}s that this tool identifies alike, {:?} (ids {} and {}); \
             it refuses to guess which one the file means: delete one first",
            T::KIND.noun(),
            pair[0].decl.label(),
            pair[0].id,
            pair[1].id
        )));
    }
    Ok(items)
}

/// The live state as declarations, or why it cannot be one without guessing.
pub fn observe(live: &LiveState) -> Result<ObservedState, ObserveError> {
    let names = Names::of(live)?;
    let customers = live
        .customers
        .iter()
        .map(|c| {
            let decl = CustomerDecl {
                name: c.name.clone(),
                budgets: budgets(&c.budgets, &c.budget),
                rate_limit: rate_limit(&c.rate_limit),
                calendar_aligned: c.is_calendar_aligned(),
            };
            observed(decl, &c.id)
        })
        .collect();
    let teams = live
        .teams
        .iter()
        .map(|t| {
            let owner = format!("team {:?}", t.name);
            let customer = present(&t.customer_id)
                .map(|id| names.customer(id, &owner))
                .transpose()?;
            let decl = TeamDecl {
                name: t.name.clone(),
                customer,
                budgets: budgets(&t.budgets, &t.budget),
                rate_limit: rate_limit(&t.rate_limit),
                calendar_aligned: t.is_calendar_aligned(),
            };
            Ok(observed(decl, &t.id))
        })
        .collect::<Result<_, ObserveError>>()?;
    let keys = live
        .keys
        .iter()
        .map(|k| Ok(observed(key(k, &names)?, &k.id)))
        .collect::<Result<_, ObserveError>>()?;
    // A key's `*` configs are its own budgets and rate limit, and a provider's
    // global `*` config is its governance (v2 servers store them so and list them
    // here too); they are read as part of the key and the provider.
    let governed: Vec<&str> = live.providers.iter().map(|p| p.provider.as_str()).collect();
    let model_configs = live
        .model_configs
        .iter()
        .filter(|m| {
            let provider_governance =
                m.is_provider_governance() && m.provider().is_some_and(|p| governed.contains(&p));
            !(m.is_virtual_key_governance() || provider_governance)
        })
        .map(|m| Ok(observed(model_config(m, &names)?, &m.id)))
        .collect::<Result<_, ObserveError>>()?;
    let providers = live
        .providers
        .iter()
        .map(|p| {
            let decl = ProviderDecl {
                provider: p.provider.clone(),
                budgets: budgets(&p.budgets, &p.budget),
                rate_limit: rate_limit(&p.rate_limit),
                calendar_aligned: p.calendar_aligned.unwrap_or(false),
            };
            observed(decl, &p.provider)
        })
        .collect();
    let routing_rules = live
        .routing_rules
        .iter()
        .map(|r| Ok(observed(routing_rule(r, &names)?, &r.id)))
        .collect::<Result<_, ObserveError>>()?;
    let pricing_overrides = live
        .pricing_overrides
        .iter()
        .map(|p| Ok(observed(pricing_override(p, &names)?, &p.id)))
        .collect::<Result<_, ObserveError>>()?;
    Ok(ObservedState {
        customers: unique(customers)?,
        teams: unique(teams)?,
        keys: unique(keys)?,
        model_configs: unique(model_configs)?,
        providers: unique(providers)?,
        routing_rules: unique(routing_rules)?,
        pricing_overrides: unique(pricing_overrides)?,
    })
}

impl ObservedState {
    /// The state as a file (canonical form, sorted), with `schema` as its `$schema`.
    pub fn to_file(&self, schema: Option<String>) -> GovernanceFile {
        fn decls<T: Clone>(items: &[Observed<T>]) -> Vec<T> {
            items.iter().map(|o| o.decl.clone()).collect()
        }
        let mut file = GovernanceFile {
            schema,
            version: FORMAT_VERSION,
            customers: decls(&self.customers),
            teams: decls(&self.teams),
            virtual_keys: decls(&self.keys),
            model_configs: decls(&self.model_configs),
            providers: decls(&self.providers),
            routing_rules: decls(&self.routing_rules),
            pricing_overrides: decls(&self.pricing_overrides),
            ..GovernanceFile::default()
        };
        file.normalize();
        file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_patch_keeps_fields_the_file_does_not_name_under_more() {
        let read: PricingPatch = serde_json::from_value(serde_json::json!({
            "output_cost_per_token": 0.00001,
            "cost_per_request": 0.01,
            "peak_hours": {"windows": []}
        }))
        .unwrap();
        let decl = price_decl(&read).unwrap();
        assert_eq!(decl.output_cost_per_token, Some(0.00001));
        assert_eq!(
            decl.more.keys().map(String::as_str).collect::<Vec<_>>(),
            ["cost_per_request", "peak_hours"]
        );
        // Written back, it is the same patch.
        let again = crate::spec::patch(&decl, &Path::root()).unwrap();
        assert_eq!(
            serde_json::to_value(again).unwrap(),
            serde_json::to_value(read).unwrap()
        );
    }
    use bifrost_governance::types::{Customer, Team};

    fn customer(id: &str, name: &str) -> Customer {
        serde_json::from_value(serde_json::json!({"id": id, "name": name})).unwrap()
    }

    #[test]
    fn equal_customer_names_are_refused_not_guessed() {
        // v1.5.x servers allow two customers with one name.
        let live = LiveState {
            customers: vec![customer("c1", "Acme"), customer("c2", "Acme")],
            ..LiveState::default()
        };
        let e = observe(&live).unwrap_err();
        assert!(
            e.0.contains("2 customers named \"Acme\" (ids c1, c2)"),
            "{e}"
        );
        assert!(e.0.contains("refuses to guess"), "{e}");
    }

    #[test]
    fn ids_become_names_and_dangling_ids_are_refused() {
        let team: Team = serde_json::from_value(
            serde_json::json!({"id": "t1", "name": "platform", "customer_id": "c1"}),
        )
        .unwrap();
        let live = LiveState {
            customers: vec![customer("c1", "Acme")],
            teams: vec![team.clone()],
            ..LiveState::default()
        };
        let state = observe(&live).unwrap();
        assert_eq!(state.teams[0].decl.customer.as_deref(), Some("Acme"));
        let orphan = LiveState {
            teams: vec![team],
            ..LiveState::default()
        };
        assert!(observe(&orphan).unwrap_err().0.contains("customer id c1"));
    }

    #[test]
    fn echo_forms_are_unified() {
        let pc: types::ProviderConfig = serde_json::from_value(serde_json::json!({
            "provider": "openai", "allow_all_keys": true, "keys": [], "allowed_models": ["*"]
        }))
        .unwrap();
        let decl = provider_config(&pc);
        assert_eq!(decl.keys, ["*"]);
        let single: Budget = serde_json::from_value(
            serde_json::json!({"id": "b", "max_limit": 5.0, "reset_duration": "1d"}),
        )
        .unwrap();
        assert_eq!(budgets(&Some(vec![]), &Some(single)).len(), 1);
        assert_eq!(rate_limit(&None), None);
    }
}
