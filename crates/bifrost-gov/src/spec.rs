//! From declarations to the SDK's specs and builders: the one conversion that both
//! `validate` (offline, with placeholder ids) and `apply` (with the server's ids)
//! use, so a file that validates is checked by the same rules the SDK applies
//! before sending.

use std::collections::BTreeMap;
use std::time::Duration;

use bifrost_governance::resources::customers::CreateCustomer;
use bifrost_governance::resources::model_configs::CreateModelConfig;
use bifrost_governance::resources::pricing_overrides::PricingPatch;
use bifrost_governance::resources::pricing_overrides::{
    CreatePricingOverride, ModelPattern, PricingScope,
};
use bifrost_governance::resources::providers::UpdateProvider;
use bifrost_governance::resources::routing_rules::{
    CreateRoutingRule, Fallback, RoutingTargetSpec,
};
use bifrost_governance::resources::teams::CreateTeam;
use bifrost_governance::resources::virtual_keys::{
    CreateVirtualKey, McpConfigSpec, ProviderConfigSpec,
};
use bifrost_governance::{
    BudgetSpec, BudgetSpecs, Client, InvalidInput, RateLimitSpec, ResetPeriod, Scope,
};

use crate::file::*;
use serde_json::Value;

/// A declaration the SDK refuses, at a path relative to the entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Where, below the entity.
    pub path: Path,
    /// Why.
    pub message: String,
}

impl SpecError {
    fn new(path: Path, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }

    /// The SDK's refusal of a whole entity, placed at the field it names.
    pub fn from_invalid(e: &InvalidInput) -> Self {
        let field = FIELD_PREFIXES
            .iter()
            .find(|(prefix, _)| e.field.starts_with(prefix))
            .map(|(_, field)| *field);
        let path = field.map_or_else(Path::root, |f| Path::root().key(f));
        Self::new(path, e.to_string())
    }
}

/// SDK field names (`InvalidInput::field`) and the file field they come from.
const FIELD_PREFIXES: [(&str, &str); 15] = [
    ("budget", "budgets"),
    ("calendar_aligned", "calendar_aligned"),
    ("rate_limit", "rate_limit"),
    ("provider_configs", "provider_configs"),
    ("mcp_configs", "mcp_configs"),
    ("metadata", "metadata"),
    ("expires_at", "expires_at"),
    ("delete_after_expire", "delete_after_expire"),
    ("targets", "targets"),
    ("fallbacks", "fallbacks"),
    ("pattern", "pattern"),
    ("request_types", "request_types"),
    ("patch", "patch"),
    ("scope", "scope"),
    ("provider", "provider"),
];

/// The server ids of the entities a declaration names.
pub trait Ids {
    /// A customer's id.
    fn customer(&self, name: &str) -> Option<String>;
    /// A team's id.
    fn team(&self, name: &str) -> Option<String>;
    /// A virtual key's id.
    fn key(&self, name: &str) -> Option<String>;
}

/// Stand-in ids for offline checks.
pub struct Placeholders;

impl Ids for Placeholders {
    fn customer(&self, name: &str) -> Option<String> {
        Some(format!("customer:{name}"))
    }
    fn team(&self, name: &str) -> Option<String> {
        Some(format!("team:{name}"))
    }
    fn key(&self, name: &str) -> Option<String> {
        Some(format!("virtual-key:{name}"))
    }
}

fn resolve(id: Option<String>, noun: &str, name: &str, path: Path) -> Result<String, SpecError> {
    id.ok_or_else(|| SpecError::new(path, format!("{noun} {name:?} does not exist")))
}

/// A reset period, as the SDK reads it.
pub fn period(text: &str, path: &Path) -> Result<ResetPeriod, SpecError> {
    ResetPeriod::parse(text).map_err(|e| SpecError::new(path.clone(), e.reason))
}

/// One budget.
pub fn budget_spec(decl: &BudgetDecl, path: &Path) -> Result<BudgetSpec, SpecError> {
    let period = period(&decl.reset_duration, &path.key("reset_duration"))?;
    let spec = BudgetSpec::new(decl.max_limit, period)
        .map_err(|e| SpecError::new(path.key("max_limit"), e.reason))?;
    match decl.quarter_start_month {
        Some(month) => spec
            .quarter_start_month(month)
            .map_err(|e| SpecError::new(path.key("quarter_start_month"), e.reason)),
        None => Ok(spec),
    }
}

/// A budget set (`path` is the list's).
pub fn budget_specs(decls: &[BudgetDecl], path: &Path) -> Result<BudgetSpecs, SpecError> {
    decls
        .iter()
        .enumerate()
        .try_fold(BudgetSpecs::new(), |set, (i, decl)| {
            let spec = budget_spec(decl, &path.index(i))?;
            set.with(spec)
                .map_err(|e| SpecError::new(path.index(i).key("reset_duration"), e.reason))
        })
}

/// A rate limit.
pub fn rate_limit_spec(decl: &RateLimitDecl, path: &Path) -> Result<RateLimitSpec, SpecError> {
    let mut builder = RateLimitSpec::builder();
    if let Some(t) = &decl.tokens {
        let p = period(&t.reset_duration, &path.key("tokens").key("reset_duration"))?;
        builder = builder.tokens(t.max_limit, p);
    }
    if let Some(r) = &decl.requests {
        let p = period(
            &r.reset_duration,
            &path.key("requests").key("reset_duration"),
        )?;
        builder = builder.requests(r.max_limit, p);
    }
    builder.build().map_err(|e| {
        let at = match e.field {
            "rate_limit tokens" => path.key("tokens").key("max_limit"),
            "rate_limit requests" => path.key("requests").key("max_limit"),
            _ => path.clone(),
        };
        SpecError::new(at, e.reason)
    })
}

fn selection(list: &[String]) -> Option<&[String]> {
    (!list.iter().any(|i| i == "*")).then_some(list)
}

/// A key's access to one provider (`id`: the live row it replaces).
pub fn provider_config_spec(
    decl: &ProviderConfigDecl,
    id: Option<i64>,
    path: &Path,
) -> Result<ProviderConfigSpec, SpecError> {
    let mut spec = ProviderConfigSpec::new(&decl.provider).block_models(&decl.blocked_models);
    if let Some(models) = selection(&decl.models) {
        spec = spec.models(models);
    }
    if let Some(keys) = selection(&decl.keys) {
        spec = spec.keys(keys);
    }
    if let Some(weight) = decl.weight {
        spec = spec.weight(weight);
    }
    if let Some(id) = id {
        spec = spec.with_id(id);
    }
    spec = spec.budgets(budget_specs(&decl.budgets, &path.key("budgets"))?);
    match &decl.rate_limit {
        Some(limit) => Ok(spec.rate_limit(rate_limit_spec(limit, &path.key("rate_limit"))?)),
        None if id.is_some() => Ok(spec.clear_rate_limit()),
        None => Ok(spec),
    }
}

/// A key's access to one MCP client.
pub fn mcp_spec(decl: &McpConfigDecl) -> McpConfigSpec {
    let spec = McpConfigSpec::new(&decl.client);
    match selection(&decl.tools) {
        Some(tools) => spec.tools(tools),
        None => spec,
    }
}

/// A routing target.
pub fn target_spec(decl: &TargetDecl) -> RoutingTargetSpec {
    let mut spec = match &decl.provider {
        Some(p) => RoutingTargetSpec::provider(p),
        None => RoutingTargetSpec::any_provider(),
    }
    .weight(decl.weight);
    if let Some(m) = &decl.model {
        spec = spec.model(m);
    }
    if let Some(k) = &decl.key_id {
        spec = spec.key_id(k);
    }
    if let Some(ms) = decl.ttft_timeout_ms {
        spec = spec.ttft_timeout(Duration::from_millis(ms));
    }
    spec
}

/// A fallback.
pub fn fallback(decl: &FallbackDecl) -> Fallback {
    match decl {
        FallbackDecl::Model(text) => Fallback::model(text),
        FallbackDecl::Pinned(p) => Fallback::pinned(&p.provider, &p.model, &p.key_id),
    }
}

/// A routing scope with ids.
pub fn scope(decl: &ScopeDecl, ids: &dyn Ids, path: &Path) -> Result<Scope, SpecError> {
    let target = decl.target().map_err(|e| SpecError::new(path.clone(), e))?;
    Ok(match target {
        ScopeTarget::Global => Scope::Global,
        ScopeTarget::Team(n) => Scope::Team(resolve(ids.team(n), "team", n, path.key("team"))?),
        ScopeTarget::Customer(n) => Scope::Customer(resolve(
            ids.customer(n),
            "customer",
            n,
            path.key("customer"),
        )?),
        ScopeTarget::VirtualKey(n) => Scope::VirtualKey(resolve(
            ids.key(n),
            "virtual key",
            n,
            path.key("virtual_key"),
        )?),
        ScopeTarget::User(id) => Scope::User(id.to_string()),
    })
}

/// A pricing scope with ids; the fields set select its kind.
pub fn pricing_scope(
    decl: &PricingScopeDecl,
    ids: &dyn Ids,
    path: &Path,
) -> Result<PricingScope, SpecError> {
    let key = |name: &str| resolve(ids.key(name), "virtual key", name, path.key("virtual_key"));
    let d = decl.clone();
    Ok(
        match (d.virtual_key, d.user_id, d.provider, d.provider_key_id) {
            (None, None, None, None) => PricingScope::Global,
            (None, None, Some(provider), None) => PricingScope::Provider { provider },
            (None, None, None, Some(provider_key_id)) => {
                PricingScope::ProviderKey { provider_key_id }
            }
            (Some(k), None, None, None) => PricingScope::VirtualKey {
                virtual_key_id: key(&k)?,
            },
            (Some(k), None, Some(provider), None) => PricingScope::VirtualKeyProvider {
                virtual_key_id: key(&k)?,
                provider,
            },
            (Some(k), None, Some(provider), Some(provider_key_id)) => {
                PricingScope::VirtualKeyProviderKey {
                    virtual_key_id: key(&k)?,
                    provider,
                    provider_key_id,
                }
            }
            (None, Some(user_id), None, None) => PricingScope::User { user_id },
            (None, Some(user_id), Some(provider), None) => {
                PricingScope::UserProvider { user_id, provider }
            }
            (None, Some(user_id), Some(provider), Some(provider_key_id)) => {
                PricingScope::UserProviderKey {
                    user_id,
                    provider,
                    provider_key_id,
                }
            }
            _ => {
                return Err(SpecError::new(
                    path.clone(),
                    "a pricing scope is nothing (global), provider, provider_key_id, virtual_key \
                 (+ provider (+ provider_key_id)) or user_id (+ provider (+ provider_key_id))",
                ));
            }
        },
    )
}

/// `name`, `prefix*` or `*`.
pub fn model_pattern(text: &str) -> ModelPattern {
    match text.strip_suffix('*') {
        Some("") => ModelPattern::Any,
        Some(prefix) => ModelPattern::Prefix(prefix.to_string()),
        None => ModelPattern::Exact(text.to_string()),
    }
}

/// The prices, as the SDK's patch: the named fields, then those under `more`.
pub fn patch(decl: &PriceDecl, path: &Path) -> Result<PricingPatch, SpecError> {
    let named = PriceDecl {
        more: BTreeMap::new(),
        ..decl.clone()
    };
    let mut patch = PricingPatch::new();
    if let Ok(Value::Object(fields)) = serde_json::to_value(named) {
        for (field, value) in fields {
            patch = patch.value(field, value);
        }
    }
    for (field, value) in &decl.more {
        if PriceDecl::NAMED.contains(&field.as_str()) {
            return Err(SpecError::new(
                path.key("more").key(field),
                format!("`{field}` has its own entry in `patch`; set it there"),
            ));
        }
        patch = match value.as_f64() {
            Some(usd) => patch.price(field.clone(), usd),
            None => patch.value(field.clone(), value.clone()),
        };
    }
    Ok(patch)
}

fn validated<B>(
    builder: B,
    validate: impl Fn(&B) -> Result<(), InvalidInput>,
) -> Result<B, SpecError> {
    validate(&builder).map_err(|e| SpecError::from_invalid(&e))?;
    Ok(builder)
}

/// The create builder of a customer, validated.
pub fn create_customer(client: &Client, decl: &CustomerDecl) -> Result<CreateCustomer, SpecError> {
    let mut b = client
        .customers()
        .create(&decl.name)
        .budgets(budget_specs(&decl.budgets, &Path::root().key("budgets"))?);
    if let Some(limit) = &decl.rate_limit {
        b = b.rate_limit(rate_limit_spec(limit, &Path::root().key("rate_limit"))?);
    }
    if decl.calendar_aligned {
        b = b.calendar_aligned(true);
    }
    validated(b, CreateCustomer::validate)
}

/// The create builder of a team, validated.
pub fn create_team(
    client: &Client,
    decl: &TeamDecl,
    ids: &dyn Ids,
) -> Result<CreateTeam, SpecError> {
    let mut b = client
        .teams()
        .create(&decl.name)
        .budgets(budget_specs(&decl.budgets, &Path::root().key("budgets"))?);
    if let Some(customer) = &decl.customer {
        let path = Path::root().key("customer");
        b = b.assign_customer(resolve(ids.customer(customer), "customer", customer, path)?);
    }
    if let Some(limit) = &decl.rate_limit {
        b = b.rate_limit(rate_limit_spec(limit, &Path::root().key("rate_limit"))?);
    }
    if decl.calendar_aligned {
        b = b.calendar_aligned(true);
    }
    validated(b, CreateTeam::validate)
}

/// The create builder of a virtual key, validated.
pub fn create_key(
    client: &Client,
    decl: &VirtualKeyDecl,
    ids: &dyn Ids,
) -> Result<CreateVirtualKey, SpecError> {
    let root = Path::root();
    let mut b = client
        .virtual_keys()
        .create(&decl.name)
        .budgets(budget_specs(&decl.budgets, &root.key("budgets"))?);
    if let Some(d) = &decl.description {
        b = b.description(d);
    }
    if let Some(team) = &decl.team {
        b = b.assign_team(resolve(ids.team(team), "team", team, root.key("team"))?);
    }
    if let Some(customer) = &decl.customer {
        let path = root.key("customer");
        b = b.assign_customer(resolve(ids.customer(customer), "customer", customer, path)?);
    }
    if !decl.enabled {
        b = b.enabled(false);
    }
    if let Some(limit) = &decl.rate_limit {
        b = b.rate_limit(rate_limit_spec(limit, &root.key("rate_limit"))?);
    }
    if decl.calendar_aligned {
        b = b.calendar_aligned(true);
    }
    for (i, pc) in decl.provider_configs.iter().enumerate() {
        let path = root.key("provider_configs").index(i);
        b = b.provider_config(provider_config_spec(pc, None, &path)?);
    }
    for mcp in &decl.mcp_configs {
        b = b.mcp_config(mcp_spec(mcp));
    }
    for (k, v) in &decl.metadata {
        b = b.metadata(k, v);
    }
    if let Some(at) = decl.expires_at {
        b = b.expires_at(at);
    }
    if decl.delete_after_expire {
        b = b.delete_after_expire(true);
    }
    if decl.allow_all_providers {
        b = b.allow_all_providers(true);
    }
    if let Some(disable) = decl.disable_content_logging {
        b = b.disable_content_logging(disable);
    }
    validated(b, CreateVirtualKey::validate)
}

/// The create builder of a model config, validated.
pub fn create_model_config(
    client: &Client,
    decl: &ModelConfigDecl,
    ids: &dyn Ids,
) -> Result<CreateModelConfig, SpecError> {
    let root = Path::root();
    let mut b = client
        .model_configs()
        .create(&decl.model)
        .budgets(budget_specs(&decl.budgets, &root.key("budgets"))?);
    if let Some(p) = &decl.provider {
        b = b.provider(p);
    }
    if let Some(key) = &decl.virtual_key {
        let id = resolve(ids.key(key), "virtual key", key, root.key("virtual_key"))?;
        b = b.scope(Scope::VirtualKey(id));
    }
    if let Some(limit) = &decl.rate_limit {
        b = b.rate_limit(rate_limit_spec(limit, &root.key("rate_limit"))?);
    }
    if decl.calendar_aligned {
        b = b.calendar_aligned(true);
    }
    validated(b, CreateModelConfig::validate)
}

/// The update that gives a provider the declared governance (its "create"), validated.
pub fn provider_update(client: &Client, decl: &ProviderDecl) -> Result<UpdateProvider, SpecError> {
    let root = Path::root();
    let mut b = client
        .providers()
        .update(&decl.provider)
        .set_budgets(budget_specs(&decl.budgets, &root.key("budgets"))?);
    if decl.calendar_aligned {
        b = b.calendar_aligned(true);
    }
    b = match &decl.rate_limit {
        Some(limit) => b.set_rate_limit(rate_limit_spec(limit, &root.key("rate_limit"))?),
        None => b.clear_rate_limit(),
    };
    validated(b, UpdateProvider::validate)
}

/// The create builder of a routing rule, validated.
pub fn create_routing_rule(
    client: &Client,
    decl: &RoutingRuleDecl,
    ids: &dyn Ids,
) -> Result<CreateRoutingRule, SpecError> {
    let mut b = client
        .routing_rules()
        .create(&decl.name)
        .scope(scope(&decl.scope, ids, &Path::root().key("scope"))?)
        .priority(decl.priority)
        .enabled(decl.enabled)
        .chain_rule(decl.chain_rule);
    if let Some(d) = &decl.description {
        b = b.description(d);
    }
    if let Some(cel) = &decl.cel_expression {
        b = b.cel_expression(cel);
    }
    for t in &decl.targets {
        b = b.target(target_spec(t));
    }
    for f in &decl.fallbacks {
        b = b.fallback(fallback(f));
    }
    validated(b, CreateRoutingRule::validate)
}

/// The create builder of a pricing override, validated.
pub fn create_pricing_override(
    client: &Client,
    decl: &PricingOverrideDecl,
    ids: &dyn Ids,
) -> Result<CreatePricingOverride, SpecError> {
    let b = client.pricing_overrides().create(
        &decl.name,
        pricing_scope(&decl.scope, ids, &Path::root().key("scope"))?,
        model_pattern(&decl.pattern),
        &decl.request_types,
        patch(&decl.patch, &Path::root().key("patch"))?,
    );
    validated(b, CreatePricingOverride::validate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_under_more_are_sent_and_may_not_repeat_a_named_one() {
        let mut decl = PriceDecl {
            input_cost_per_token: Some(0.000002),
            ..PriceDecl::default()
        };
        decl.more
            .insert("input_cost_per_token_batches".into(), 0.000001.into());
        decl.more
            .insert("peak_hours".into(), serde_json::json!({"windows": []}));
        let sent = patch(&decl, &Path::root().key("patch")).unwrap();
        assert_eq!(
            sent.fields().collect::<Vec<_>>(),
            [
                "input_cost_per_token",
                "input_cost_per_token_batches",
                "peak_hours"
            ]
        );
        assert_eq!(sent.get("input_cost_per_token_batches"), Some(0.000001));

        decl.more.insert("input_cost_per_token".into(), 1.0.into());
        let e = patch(&decl, &Path::root().key("patch")).unwrap_err();
        assert_eq!(e.path.to_string(), "patch.more.input_cost_per_token");
    }

    #[test]
    fn the_named_prices_are_the_fields_of_the_declaration() {
        let all: serde_json::Map<String, Value> = PriceDecl::NAMED
            .iter()
            .map(|name| (name.to_string(), Value::from(1.0)))
            .collect();
        // Unknown names are refused by the declaration, so each name is a field.
        let decl: PriceDecl = serde_json::from_value(Value::Object(all.clone())).unwrap();
        assert_eq!(serde_json::to_value(decl).unwrap(), Value::Object(all));
    }

    #[test]
    fn budget_errors_point_at_the_field() {
        let decls = vec![
            BudgetDecl {
                max_limit: 1.0,
                reset_duration: "1d".into(),
                quarter_start_month: None,
            },
            BudgetDecl {
                max_limit: 2.0,
                reset_duration: "24h".into(),
                quarter_start_month: None,
            },
        ];
        let e = budget_specs(&decls, &Path::root().key("budgets")).unwrap_err();
        assert_eq!(e.path.to_string(), "budgets[1].reset_duration");
        assert!(e.message.contains("same period"), "{}", e.message);
        let bad = vec![BudgetDecl {
            max_limit: 0.0,
            reset_duration: "1D".into(),
            quarter_start_month: None,
        }];
        let e = budget_specs(&bad, &Path::root().key("budgets")).unwrap_err();
        assert_eq!(e.path.to_string(), "budgets[0].reset_duration");
    }

    #[test]
    fn patterns_read_like_the_server_wildcards() {
        assert_eq!(model_pattern("*"), ModelPattern::Any);
        assert_eq!(
            model_pattern("gpt-4o*"),
            ModelPattern::Prefix("gpt-4o".into())
        );
        assert_eq!(
            model_pattern("gpt-4o"),
            ModelPattern::Exact("gpt-4o".into())
        );
    }

    #[test]
    fn sdk_field_names_map_to_file_fields() {
        let e = InvalidInputProbe::metadata();
        assert_eq!(SpecError::from_invalid(&e).path.to_string(), "metadata");
    }

    struct InvalidInputProbe;
    impl InvalidInputProbe {
        fn metadata() -> InvalidInput {
            let client = Client::builder().build().unwrap();
            client
                .virtual_keys()
                .create("k")
                .metadata("a b", "x")
                .validate()
                .unwrap_err()
        }
    }
}
