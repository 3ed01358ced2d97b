//! Routing rules: a CEL expression that, when it matches a request, sends it to one
//! of several weighted targets, with fallbacks.
//!
//! Rules are evaluated by ascending `priority` within their scope (global, a team,
//! a customer, a virtual key or, on newest servers, a user). Targets are checked
//! before anything is sent, with the server's rules: at least one target, no
//! negative weight, weights summing to 1 (± 0.001), `key_id` only together with
//! `provider`, no two targets with the same `(provider, model, key_id)` (provider
//! and model compared case-insensitively), and a time-to-first-token deadline of at
//! most 300 s.
//!
//! Since v2.0.0 the rules live at `/api/routing/rules`; older servers only serve
//! `/api/governance/routing-rules`. The handle reads the server version once and
//! uses the path that server has. Features newer than the server (a `user` scope,
//! pinned fallbacks, deadlines) are refused with
//! [`Error::Unsupported`](crate::Error::Unsupported) before anything is sent.

mod query;
mod targets;
mod write;

use bifrost_governance_client::types::RoutingRule;

use super::non_empty;
use crate::capability::Capability;
use crate::client::Client;
use crate::error::Result;
use crate::pagination::List;
use crate::transport::{call, call_delete};

pub use bifrost_governance_client::fallback::Fallback;
pub use query::RoutingRuleQuery;
pub use targets::RoutingTargetSpec;
pub use write::{CreateRoutingRule, UpdateRoutingRule};

/// Runs one routing-rule operation at the path the server has: the `/api/routing`
/// operation on v2.0+ servers, its `_legacy` twin (`/api/governance/routing-rules`)
/// on older ones. `$b` is bound to the generated builder of either; `$call` maps
/// the outcome ([`call`] or [`call_delete`]).
macro_rules! at_routing_path {
    ($client:expr, $call:path, $canonical:ident | $legacy:ident, |$b:ident| $send:expr) => {{
        let client: &crate::client::Client = $client;
        if client
            .supports(crate::capability::Capability::RoutingApi)
            .await?
        {
            let $b = client.raw().$canonical();
            $call(stringify!($canonical), $send).await
        } else {
            let $b = client.raw().$legacy();
            $call(stringify!($legacy), $send).await
        }
    }};
}
pub(crate) use at_routing_path;

/// Handle to the routing rules of a server; from [`Client::routing_rules`].
#[derive(Debug, Clone)]
pub struct RoutingRules {
    client: Client,
}

impl RoutingRules {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists rules in evaluation order (`priority` ascending); filter with
    /// `.search(…)` and `.scope(…)`.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::Scope;
    ///
    /// let team_rules = client
    ///     .routing_rules()
    ///     .list()
    ///     .scope(Scope::Team("team-uuid".into()))
    ///     .collect_all()
    ///     .await?;
    /// # let _ = team_rules; Ok(()) }
    /// ```
    pub fn list(&self) -> List<RoutingRuleQuery> {
        List::new(self.client.clone(), RoutingRuleQuery::default())
    }

    /// Reads one rule with its targets and fallbacks.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let rule = client.routing_rules().get("rule-uuid").await?;
    /// for fallback in rule.fallbacks() {
    ///     println!("{} then {fallback}", rule.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl Into<String>) -> Result<RoutingRule> {
        let id = id.into();
        non_empty("routing rule id", &id)?;
        let response = at_routing_path!(
            &self.client,
            call,
            get_routing_rule | get_routing_rule_legacy,
            |b| b.rule_id(&id).send()
        )?;
        Ok(response.rule)
    }

    /// Starts creating a rule named `name` (unique within its scope); add at least
    /// one [`target`](CreateRoutingRule::target).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use std::time::Duration;
    /// use bifrost_governance::Scope;
    /// use bifrost_governance::resources::routing_rules::{Fallback, RoutingTargetSpec};
    ///
    /// let rule = client
    ///     .routing_rules()
    ///     .create("cheap-fallback")
    ///     .cel_expression(r#"model == "gpt-4o""#)
    ///     .target(RoutingTargetSpec::provider("openai").model("gpt-4o-mini").weight(0.7))
    ///     .target(RoutingTargetSpec::provider("azure").weight(0.3).ttft_timeout(Duration::from_secs(4)))
    ///     .fallback("anthropic/claude-3-5-haiku")
    ///     .fallback(Fallback::pinned("openai", "gpt-4o", "key-uuid"))
    ///     .scope(Scope::VirtualKey("vk-uuid".into()))
    ///     .priority(10)
    ///     .send()
    ///     .await?;
    /// # let _ = rule; Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateRoutingRule {
        CreateRoutingRule::new(self.client.clone(), name.into())
    }

    /// Starts updating rule `id`; only what is set is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
    ///
    /// let rule = client
    ///     .routing_rules()
    ///     .update("rule-uuid")
    ///     .set_targets(vec![
    ///         RoutingTargetSpec::provider("openai").weight(0.5),
    ///         RoutingTargetSpec::provider("anthropic").weight(0.5),
    ///     ])
    ///     .set_enabled(false)
    ///     .send()
    ///     .await?;
    /// # let _ = rule; Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<String>) -> UpdateRoutingRule {
        UpdateRoutingRule::new(self.client.clone(), id.into())
    }

    /// Deletes a rule.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// client.routing_rules().delete("rule-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: impl Into<String>) -> Result<()> {
        let id = id.into();
        non_empty("routing rule id", &id)?;
        at_routing_path!(
            &self.client,
            call_delete,
            delete_routing_rule | delete_routing_rule_legacy,
            |b| b.rule_id(&id).send()
        )
    }
}

/// The capabilities a rule's content needs beyond the routing API itself.
pub(super) fn needed_capabilities(
    targets: Option<&[RoutingTargetSpec]>,
    fallbacks: Option<&[Fallback]>,
    scope: Option<&crate::Scope>,
) -> Vec<Capability> {
    let mut needed = Vec::new();
    if targets.is_some_and(|t| t.iter().any(|t| t.ttft_timeout_value().is_some())) {
        needed.push(Capability::TtftTimeout);
    }
    if fallbacks.is_some_and(|f| f.iter().any(Fallback::is_pinned)) {
        needed.push(Capability::PinnedFallbacks);
    }
    if matches!(scope, Some(crate::Scope::User(_))) {
        needed.push(Capability::UserScopes);
    }
    needed
}
