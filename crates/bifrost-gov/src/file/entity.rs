//! What every declared entity shares: its kind, its identity and its canonical form.
//!
//! Two declarations that mean the same to the server normalise to the same value:
//! sets are sorted (budgets by period length, provider and MCP configs by name,
//! model and key lists alphabetically, `*` alone when present), empty strings are
//! unset. Lists whose order the server keeps meaningful (routing targets and
//! fallbacks) stay in their order.

use bifrost_governance::ResetPeriod;
use serde::Serialize;

use super::model::*;

/// The kinds of entities, in dependency order (creates run in this order, deletes
/// in reverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Customers.
    Customer,
    /// Teams.
    Team,
    /// Virtual keys.
    VirtualKey,
    /// Model configs.
    ModelConfig,
    /// Provider governance.
    Provider,
    /// Routing rules.
    RoutingRule,
    /// Pricing overrides.
    PricingOverride,
}

impl Kind {
    /// Every kind, in dependency order.
    pub const ALL: [Kind; 7] = [
        Kind::Customer,
        Kind::Team,
        Kind::VirtualKey,
        Kind::ModelConfig,
        Kind::Provider,
        Kind::RoutingRule,
        Kind::PricingOverride,
    ];

    /// The apply tier: kinds of one tier do not depend on each other.
    pub fn tier(self) -> u8 {
        match self {
            Kind::Customer => 0,
            Kind::Team => 1,
            Kind::VirtualKey => 2,
            Kind::ModelConfig | Kind::Provider => 3,
            Kind::RoutingRule => 4,
            Kind::PricingOverride => 5,
        }
    }

    /// How people call one of them.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Team => "team",
            Kind::VirtualKey => "virtual key",
            Kind::ModelConfig => "model config",
            Kind::Provider => "provider",
            Kind::RoutingRule => "routing rule",
            Kind::PricingOverride => "pricing override",
        }
    }

    /// The section of the file.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Customer => "customers",
            Kind::Team => "teams",
            Kind::VirtualKey => "virtual_keys",
            Kind::ModelConfig => "model_configs",
            Kind::Provider => "providers",
            Kind::RoutingRule => "routing_rules",
            Kind::PricingOverride => "pricing_overrides",
        }
    }
}

/// A declared entity.
pub trait Entity: Serialize + Clone + PartialEq + Send + Sync + 'static {
    /// Its kind.
    const KIND: Kind;
    /// What identifies it among its kind (unique within a valid file).
    fn key(&self) -> String;
    /// How it is shown to people.
    fn label(&self) -> String {
        self.key()
    }
    /// Brings it to its canonical form.
    fn normalize(&mut self);
    /// Takes the live value of fields the file leaves to the server (unset means
    /// "whatever the server has", and cannot be sent).
    fn adopt_unset(&mut self, _live: &Self) {}
}

fn period_order(text: &str) -> (u128, String) {
    let nanos = ResetPeriod::parse(text).map_or(u128::MAX, |p| p.as_duration().as_nanos());
    (nanos, text.to_string())
}

fn normalize_budgets(budgets: &mut [BudgetDecl]) {
    budgets.sort_by_cached_key(|b| period_order(&b.reset_duration));
}

fn normalize_rate_limit(limit: &mut Option<RateLimitDecl>) {
    if limit
        .as_ref()
        .is_some_and(|l| l.tokens.is_none() && l.requests.is_none())
    {
        *limit = None;
    }
}

/// A selection list: `["*"]` when it contains `*`, else sorted without repeats.
fn normalize_selection(list: &mut Vec<String>) {
    if list.iter().any(|m| m == "*") {
        *list = vec!["*".to_string()];
    } else {
        normalize_set(list);
    }
}

fn normalize_set(list: &mut Vec<String>) {
    list.sort();
    list.dedup();
}

fn blank_to_none(text: &mut Option<String>) {
    if text.as_deref().is_some_and(|t| t.is_empty()) {
        *text = None;
    }
}

impl Entity for CustomerDecl {
    const KIND: Kind = Kind::Customer;
    fn key(&self) -> String {
        self.name.clone()
    }
    fn normalize(&mut self) {
        normalize_budgets(&mut self.budgets);
        normalize_rate_limit(&mut self.rate_limit);
    }
}

impl Entity for TeamDecl {
    const KIND: Kind = Kind::Team;
    fn key(&self) -> String {
        self.name.clone()
    }
    fn normalize(&mut self) {
        blank_to_none(&mut self.customer);
        normalize_budgets(&mut self.budgets);
        normalize_rate_limit(&mut self.rate_limit);
    }
}

impl Entity for VirtualKeyDecl {
    const KIND: Kind = Kind::VirtualKey;
    fn key(&self) -> String {
        self.name.clone()
    }
    fn adopt_unset(&mut self, live: &Self) {
        if self.disable_content_logging.is_none() {
            self.disable_content_logging = live.disable_content_logging;
        }
    }
    fn normalize(&mut self) {
        blank_to_none(&mut self.description);
        blank_to_none(&mut self.team);
        blank_to_none(&mut self.customer);
        normalize_budgets(&mut self.budgets);
        normalize_rate_limit(&mut self.rate_limit);
        for pc in &mut self.provider_configs {
            normalize_selection(&mut pc.models);
            normalize_set(&mut pc.blocked_models);
            normalize_selection(&mut pc.keys);
            normalize_budgets(&mut pc.budgets);
            normalize_rate_limit(&mut pc.rate_limit);
        }
        self.provider_configs
            .sort_by(|a, b| a.provider.cmp(&b.provider));
        for mcp in &mut self.mcp_configs {
            normalize_selection(&mut mcp.tools);
        }
        self.mcp_configs.sort_by(|a, b| a.client.cmp(&b.client));
    }
}

impl Entity for ModelConfigDecl {
    const KIND: Kind = Kind::ModelConfig;
    fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.virtual_key.as_deref().unwrap_or_default(),
            self.model,
            self.provider.as_deref().unwrap_or_default()
        )
    }
    fn label(&self) -> String {
        let provider = self
            .provider
            .as_deref()
            .map_or_else(String::new, |p| format!(" on {p}"));
        match &self.virtual_key {
            Some(key) => format!("{}{provider} for key {key}", self.model),
            None => format!("{}{provider}", self.model),
        }
    }
    fn normalize(&mut self) {
        blank_to_none(&mut self.provider);
        blank_to_none(&mut self.virtual_key);
        normalize_budgets(&mut self.budgets);
        normalize_rate_limit(&mut self.rate_limit);
    }
}

impl Entity for ProviderDecl {
    const KIND: Kind = Kind::Provider;
    fn key(&self) -> String {
        self.provider.clone()
    }
    fn normalize(&mut self) {
        normalize_budgets(&mut self.budgets);
        normalize_rate_limit(&mut self.rate_limit);
    }
}

/// How a scope reads in labels.
pub fn scope_label(scope: &ScopeDecl) -> String {
    match scope.target() {
        Ok(ScopeTarget::Global) => "global".into(),
        Ok(ScopeTarget::Team(n)) => format!("team {n}"),
        Ok(ScopeTarget::Customer(n)) => format!("customer {n}"),
        Ok(ScopeTarget::VirtualKey(n)) => format!("key {n}"),
        Ok(ScopeTarget::User(n)) => format!("user {n}"),
        Err(_) => format!("{scope:?}"),
    }
}

impl Entity for RoutingRuleDecl {
    const KIND: Kind = Kind::RoutingRule;
    fn key(&self) -> String {
        format!("{:?}|{}", self.scope, self.name)
    }
    fn label(&self) -> String {
        if self.scope.is_global() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, scope_label(&self.scope))
        }
    }
    fn normalize(&mut self) {
        blank_to_none(&mut self.description);
        blank_to_none(&mut self.cel_expression);
        for part in [
            &mut self.scope.team,
            &mut self.scope.customer,
            &mut self.scope.virtual_key,
            &mut self.scope.user,
        ] {
            blank_to_none(part);
        }
        for t in &mut self.targets {
            blank_to_none(&mut t.provider);
            blank_to_none(&mut t.model);
            blank_to_none(&mut t.key_id);
        }
    }
}

impl Entity for PricingOverrideDecl {
    const KIND: Kind = Kind::PricingOverride;
    fn key(&self) -> String {
        format!("{}|{:?}", self.name, self.scope)
    }
    fn label(&self) -> String {
        if self.scope.is_global() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, pricing_scope_label(&self.scope))
        }
    }
    fn normalize(&mut self) {
        normalize_set(&mut self.request_types);
        for part in [
            &mut self.scope.virtual_key,
            &mut self.scope.user_id,
            &mut self.scope.provider,
            &mut self.scope.provider_key_id,
        ] {
            blank_to_none(part);
        }
    }
}

/// How a pricing scope reads in labels: its fields, `name=value`.
pub fn pricing_scope_label(scope: &PricingScopeDecl) -> String {
    let fields = [
        ("virtual_key", &scope.virtual_key),
        ("user_id", &scope.user_id),
        ("provider", &scope.provider),
        ("provider_key_id", &scope.provider_key_id),
    ];
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
    if parts.is_empty() {
        "global".into()
    } else {
        parts.join(" ")
    }
}

impl GovernanceFile {
    /// Brings every entity to its canonical form and sorts each section by
    /// identity, so that equal states serialise to equal bytes.
    pub fn normalize(&mut self) {
        fn section<T: Entity>(items: &mut [T]) {
            items.iter_mut().for_each(Entity::normalize);
            items.sort_by_cached_key(Entity::key);
        }
        section(&mut self.customers);
        section(&mut self.teams);
        section(&mut self.virtual_keys);
        section(&mut self.model_configs);
        section(&mut self.providers);
        section(&mut self.routing_rules);
        section(&mut self.pricing_overrides);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(amount: f64, period: &str) -> BudgetDecl {
        BudgetDecl {
            max_limit: amount,
            reset_duration: period.into(),
            quarter_start_month: None,
        }
    }

    #[test]
    fn budgets_sort_by_period_length_and_keep_their_text() {
        let mut team = TeamDecl {
            name: "t".into(),
            customer: Some(String::new()),
            budgets: vec![budget(3.0, "1M"), budget(1.0, "24h"), budget(2.0, "1w")],
            rate_limit: Some(RateLimitDecl {
                tokens: None,
                requests: None,
            }),
            calendar_aligned: false,
        };
        team.normalize();
        let periods: Vec<&str> = team
            .budgets
            .iter()
            .map(|b| b.reset_duration.as_str())
            .collect();
        assert_eq!(periods, ["24h", "1w", "1M"]);
        assert_eq!(team.customer, None);
        assert_eq!(team.rate_limit, None);
    }

    #[test]
    fn selections_collapse_to_star_or_sorted_sets() {
        let mut list = vec!["b".to_string(), "*".into(), "a".into()];
        normalize_selection(&mut list);
        assert_eq!(list, ["*"]);
        let mut list = vec!["b".to_string(), "a".into(), "b".into()];
        normalize_selection(&mut list);
        assert_eq!(list, ["a", "b"]);
    }

    #[test]
    fn pricing_scope_labels_name_their_fields() {
        let scope = PricingScopeDecl {
            virtual_key: Some("checkout".into()),
            provider: Some("openai".into()),
            ..PricingScopeDecl::default()
        };
        assert_eq!(
            pricing_scope_label(&scope),
            "virtual_key=checkout provider=openai"
        );
        assert_eq!(pricing_scope_label(&PricingScopeDecl::default()), "global");
    }
}
