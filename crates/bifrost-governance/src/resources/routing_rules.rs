//! Routing rules: a CEL expression that, when it matches a request, sends it to one
//! of several weighted targets, with fallbacks.
//!
//! Rules are evaluated by ascending `priority` within their scope (global, a team,
//! a customer or a virtual key). Targets are checked before anything is sent, with
//! the server's rules: at least one target, no negative weight, weights summing to
//! 1 (± 0.001), `key_id` only together with `provider`, and no two targets with the
//! same `(provider, model, key_id)` (provider and model compared case-insensitively).

use std::collections::HashSet;
use std::time::Duration;

use bifrost_governance_client::types::{self, RoutingRule};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{Deferred, constrained, non_empty, page};
use crate::Scope;
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::pagination::{List, ListSource, Page};
use crate::transport::{call, call_delete};

pub use bifrost_governance_client::fallback::Fallback;

/// How far the target weights may be from 1 in total.
const WEIGHT_TOLERANCE: f64 = 0.001;
/// Longest time-to-first-token deadline the server accepts.
const MAX_TTFT_TIMEOUT: Duration = Duration::from_secs(300);

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

    /// Reads one rule with its targets.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// let rule = client.routing_rules().get("rule-uuid").await?;
    /// println!("{:?}: {:?}", rule.name, rule.cel_expression);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl Into<String>) -> Result<RoutingRule> {
        let id = id.into();
        non_empty("routing rule id", &id)?;
        let response = call(
            "get_routing_rule",
            self.client.raw().get_routing_rule().rule_id(id).send(),
        )
        .await?;
        Ok(response.rule)
    }

    /// Starts creating a rule named `name` (unique within its scope); add at least
    /// one [`target`](CreateRoutingRule::target).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::Scope;
    /// use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
    ///
    /// let rule = client
    ///     .routing_rules()
    ///     .create("cheap-fallback")
    ///     .cel_expression(r#"model == "gpt-4o""#)
    ///     .target(RoutingTargetSpec::provider("openai").model("gpt-4o-mini").weight(0.7))
    ///     .target(RoutingTargetSpec::provider("azure").weight(0.3))
    ///     .fallback("anthropic/claude-3-5-haiku")
    ///     .scope(Scope::VirtualKey("vk-uuid".into()))
    ///     .priority(10)
    ///     .send()
    ///     .await?;
    /// # let _ = rule; Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateRoutingRule {
        CreateRoutingRule {
            client: self.client.clone(),
            name: name.into(),
            description: None,
            enabled: None,
            chain_rule: None,
            cel_expression: None,
            targets: Vec::new(),
            fallbacks: Vec::new(),
            scope: None,
            priority: None,
        }
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
        UpdateRoutingRule {
            client: self.client.clone(),
            id: id.into(),
            body: types::UpdateRoutingRuleRequest {
                cel_expression: None,
                chain_rule: None,
                description: None,
                enabled: None,
                fallbacks: None,
                name: None,
                priority: None,
                query: None,
                scope: None,
                scope_id: None,
                targets: None,
            },
            targets: None,
            fallbacks: None,
            scope: None,
            deferred: Deferred::default(),
        }
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
        call_delete(
            "delete_routing_rule",
            self.client.raw().delete_routing_rule().rule_id(id).send(),
        )
        .await
    }
}

/// One weighted destination of a rule. The weight defaults to 1.0.
///
/// ```
/// use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
///
/// let pinned = RoutingTargetSpec::provider("openai").model("gpt-4o").key_id("key-uuid").weight(0.7);
/// let same_model_elsewhere = RoutingTargetSpec::provider("azure").weight(0.3);
/// # let _ = (pinned, same_model_elsewhere);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingTargetSpec {
    provider: Option<String>,
    model: Option<String>,
    key_id: Option<String>,
    weight: f64,
    ttft_timeout: Option<Duration>,
}

impl RoutingTargetSpec {
    /// A target on `provider`, keeping the requested model unless
    /// [`model`](Self::model) is set.
    pub fn provider(provider: impl Into<String>) -> Self {
        Self {
            provider: Some(provider.into()),
            model: None,
            key_id: None,
            weight: 1.0,
            ttft_timeout: None,
        }
    }

    /// A target that keeps the requested provider (set a [`model`](Self::model) to
    /// change only the model). Cannot pin a [`key_id`](Self::key_id).
    pub fn any_provider() -> Self {
        Self {
            provider: None,
            model: None,
            key_id: None,
            weight: 1.0,
            ttft_timeout: None,
        }
    }

    /// The target as the server returned it, to edit a rule's targets.
    pub fn from_existing(target: &types::RoutingTarget) -> Self {
        Self {
            provider: target.provider.clone().filter(|p| !p.is_empty()),
            model: target.model.clone().filter(|m| !m.is_empty()),
            key_id: target.key_id.clone().filter(|k| !k.is_empty()),
            weight: target.weight.unwrap_or(0.0),
            ttft_timeout: target
                .ttft_timeout_ms
                .filter(|ms| *ms > 0)
                .map(|ms| Duration::from_millis(ms as u64)),
        }
    }

    /// Sends the request to this model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Uses this provider key (its `key_id` UUID); needs a provider.
    pub fn key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Share of the traffic, from 0 to 1; the weights of a rule sum to 1.
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }

    /// The configured weight.
    pub fn weight_value(&self) -> f64 {
        self.weight
    }

    /// Cuts off a streamed attempt on this target that has not produced its first
    /// token within `timeout` and moves on to the next fallback (the last attempt is
    /// never cut off). Whole milliseconds from 1 ms to 300 s; v2.3.0+ servers.
    pub fn ttft_timeout(mut self, timeout: Duration) -> Self {
        self.ttft_timeout = Some(timeout);
        self
    }

    /// The configured time-to-first-token deadline.
    pub fn ttft_timeout_value(&self) -> Option<Duration> {
        self.ttft_timeout
    }

    fn to_request(&self) -> types::RoutingTargetRequest {
        types::RoutingTargetRequest {
            provider: self.provider.clone(),
            model: self.model.clone(),
            key_id: self.key_id.clone(),
            weight: self.weight,
            ttft_timeout_ms: self.ttft_timeout.map(|t| t.as_millis() as i64),
        }
    }
}

/// Checks a rule's targets the way the server does, before anything is sent.
fn check_targets(targets: &[RoutingTargetSpec]) -> Result<(), InvalidInput> {
    if targets.is_empty() {
        return Err(InvalidInput::new(
            "targets",
            "a rule needs at least one target",
        ));
    }
    let mut seen = HashSet::new();
    let mut total = 0.0;
    for (i, t) in targets.iter().enumerate() {
        for (what, value) in [
            ("provider", &t.provider),
            ("model", &t.model),
            ("key_id", &t.key_id),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(InvalidInput::new(
                    "targets",
                    format!("targets[{i}].{what} must not be empty"),
                ));
            }
        }
        if !t.weight.is_finite() || t.weight < 0.0 {
            return Err(InvalidInput::new(
                "targets",
                format!(
                    "targets[{i}].weight {} must be a finite number of at least 0",
                    t.weight
                ),
            ));
        }
        if let Some(timeout) = t.ttft_timeout
            && (timeout < Duration::from_millis(1)
                || timeout > MAX_TTFT_TIMEOUT
                || timeout.subsec_nanos() % 1_000_000 != 0)
        {
            return Err(InvalidInput::new(
                "targets",
                format!(
                    "targets[{i}].ttft_timeout {timeout:?} must be whole milliseconds from 1 ms to {MAX_TTFT_TIMEOUT:?}"
                ),
            ));
        }
        if t.key_id.is_some() && t.provider.is_none() {
            return Err(InvalidInput::new(
                "targets",
                format!("targets[{i}].key_id requires a provider"),
            ));
        }
        let identity = (
            t.provider.as_deref().unwrap_or_default().to_lowercase(),
            t.model.as_deref().unwrap_or_default().to_lowercase(),
            t.key_id.as_deref().unwrap_or_default(),
        );
        if !seen.insert(identity) {
            return Err(InvalidInput::new(
                "targets",
                format!(
                    "targets[{i}] repeats an earlier target (provider {:?}, model {:?}, key_id {:?})",
                    t.provider, t.model, t.key_id
                ),
            ));
        }
        total += t.weight;
    }
    if (total - 1.0).abs() > WEIGHT_TOLERANCE {
        return Err(InvalidInput::new(
            "targets",
            format!("the weights sum to {total}, not 1 (± {WEIGHT_TOLERANCE})"),
        ));
    }
    Ok(())
}

/// Checks that each fallback names a provider: `openai/gpt-4o`, `azure/` for the
/// requested model, or a pinned one with its provider and key.
fn check_fallbacks(fallbacks: &[Fallback]) -> Result<(), InvalidInput> {
    for (i, fallback) in fallbacks.iter().enumerate() {
        if fallback.provider().trim().is_empty() {
            return Err(InvalidInput::new(
                "fallbacks",
                format!(
                    "fallbacks[{i}] {:?} must start with a provider, like \"openai/gpt-4o\" or \"azure/\"",
                    fallback.as_model_string()
                ),
            ));
        }
        if fallback.is_pinned() && fallback.key_id().is_none() {
            return Err(InvalidInput::new(
                "fallbacks",
                format!(
                    "fallbacks[{i}] may pin a key by its key_id only (the API refuses provider_key_name)"
                ),
            ));
        }
    }
    Ok(())
}

/// Filters of a routing-rule list.
#[derive(Debug, Clone, Default)]
pub struct RoutingRuleQuery {
    search: Option<String>,
    scope: Option<Scope>,
}

impl ListSource for RoutingRuleQuery {
    type Item = RoutingRule;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<RoutingRule>>> {
        let query = self.clone();
        async move {
            let mut request = client.raw().list_routing_rules();
            let Some(scope) = &query.scope else {
                request = request.limit(i64::from(limit)).offset(offset as i64);
                if let Some(search) = query.search {
                    request = request.search(search);
                }
                let list = call("list_routing_rules", request.send()).await?;
                return Ok(page(list.rules, list.total_count, list.limit, list.offset));
            };
            // With a scope filter the server ignores paging and search and answers
            // every rule of the scope: search and page here.
            scope.check()?;
            let (kind, id) = (scope.kind(), scope.id());
            request = request.scope(kind);
            if let Some(id) = id {
                request = request.scope_id(id);
            }
            let list = call("list_routing_rules", request.send()).await?;
            Ok(local_page(
                list.rules.unwrap_or_default(),
                query.search.as_deref(),
                limit,
                offset,
            ))
        }
        .boxed()
    }

    fn id(item: &RoutingRule) -> &str {
        &item.id
    }
}

/// One page cut from a complete, unpaged answer, after the server's `search`
/// (name or CEL expression, case-insensitive).
fn local_page(
    rules: Vec<RoutingRule>,
    search: Option<&str>,
    limit: u32,
    offset: u64,
) -> Page<RoutingRule> {
    let needle = search.map(str::to_lowercase);
    let matching: Vec<RoutingRule> = rules
        .into_iter()
        .filter(|rule| {
            needle.as_deref().is_none_or(|n| {
                [&rule.name, &rule.cel_expression].into_iter().any(|text| {
                    text.as_deref()
                        .is_some_and(|t| t.to_lowercase().contains(n))
                })
            })
        })
        .collect();
    let total_count = matching.len() as u64;
    let items = matching
        .into_iter()
        .skip(offset.min(total_count) as usize)
        .take(limit as usize)
        .collect();
    Page {
        items,
        total_count,
        limit: u64::from(limit),
        offset,
    }
}

impl List<RoutingRuleQuery> {
    /// Only rules whose name or CEL expression contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only rules of this scope. The server cannot page (nor search) a scoped list:
    /// it answers every rule of the scope at once. The SDK then searches and pages
    /// that answer itself, so the list behaves as usual, but each page request
    /// downloads every rule of the scope: keep the default page size of 100.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.source.scope = Some(scope);
        self
    }
}

/// Builder returned by [`RoutingRules::create`].
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreateRoutingRule {
    client: Client,
    name: String,
    description: Option<String>,
    enabled: Option<bool>,
    chain_rule: Option<bool>,
    cel_expression: Option<String>,
    targets: Vec<RoutingTargetSpec>,
    fallbacks: Vec<Fallback>,
    scope: Option<Scope>,
    priority: Option<i64>,
}

impl CreateRoutingRule {
    /// The condition, in CEL (e.g. `model == "gpt-4o"`); checked by v2.x servers.
    pub fn cel_expression(mut self, expression: impl Into<String>) -> Self {
        self.cel_expression = Some(expression.into());
        self
    }

    /// Adds a target.
    pub fn target(mut self, target: RoutingTargetSpec) -> Self {
        self.targets.push(target);
        self
    }

    /// Adds a fallback: [`Fallback::model`]`("provider/model")` (or `"provider/"`
    /// for the requested model), or [`Fallback::pinned`] to one provider key (v2.2.3+
    /// servers). A plain `"provider/model"` string converts too.
    pub fn fallback(mut self, fallback: impl Into<Fallback>) -> Self {
        self.fallbacks.push(fallback.into());
        self
    }

    /// The rule's scope (default: global).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Evaluation order: lower numbers first (default 0).
    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Whether the rule is active (default true).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Whether evaluation continues with the next rules after this one matches
    /// (default false).
    pub fn chain_rule(mut self, chain: bool) -> Self {
        self.chain_rule = Some(chain);
        self
    }

    /// A description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Validates the targets, fallbacks and scope, then creates the rule.
    pub async fn send(self) -> Result<RoutingRule> {
        let name = constrained("routing rule name", self.name)?;
        check_targets(&self.targets)?;
        check_fallbacks(&self.fallbacks)?;
        if let Some(scope) = &self.scope {
            scope.check()?;
        }
        let (scope, scope_id) = self.scope.as_ref().map(|s| (s.kind(), s.id())).unzip();
        let body = types::CreateRoutingRuleRequest {
            name,
            description: self.description,
            enabled: self.enabled,
            chain_rule: self.chain_rule,
            cel_expression: self.cel_expression,
            targets: self
                .targets
                .iter()
                .map(RoutingTargetSpec::to_request)
                .collect(),
            fallbacks: (!self.fallbacks.is_empty()).then_some(self.fallbacks),
            scope: scope.map(str::to_string),
            scope_id: scope_id.flatten().map(str::to_string),
            query: None,
            priority: self.priority,
        };
        let response = call(
            "create_routing_rule",
            self.client.raw().create_routing_rule().body(body).send(),
        )
        .await?;
        Ok(response.rule)
    }
}

/// Builder returned by [`RoutingRules::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateRoutingRule {
    client: Client,
    id: String,
    body: types::UpdateRoutingRuleRequest,
    targets: Option<Vec<RoutingTargetSpec>>,
    fallbacks: Option<Vec<Fallback>>,
    scope: Option<Scope>,
    deferred: Deferred,
}

impl UpdateRoutingRule {
    /// Renames the rule.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        // The server ignores an empty name instead of refusing it.
        self.deferred.check(non_empty("routing rule name", &name));
        self.body.name = Some(name);
        self
    }

    /// Replaces the description.
    pub fn set_description(mut self, text: impl Into<String>) -> Self {
        self.body.description = Some(text.into());
        self
    }

    /// Replaces the CEL condition.
    pub fn set_cel_expression(mut self, expression: impl Into<String>) -> Self {
        self.body.cel_expression = Some(expression.into());
        self
    }

    /// Replaces every target; validated like on create.
    pub fn set_targets(mut self, targets: Vec<RoutingTargetSpec>) -> Self {
        self.targets = Some(targets);
        self
    }

    /// Replaces every fallback.
    pub fn set_fallbacks<I: IntoIterator<Item = F>, F: Into<Fallback>>(
        mut self,
        fallbacks: I,
    ) -> Self {
        self.fallbacks = Some(fallbacks.into_iter().map(Into::into).collect());
        self
    }

    /// Moves the rule to another scope.
    pub fn set_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Changes the evaluation order (lower numbers first).
    pub fn set_priority(mut self, priority: i64) -> Self {
        self.body.priority = Some(priority);
        self
    }

    /// Enables or disables the rule.
    pub fn set_enabled(mut self, enabled: bool) -> Self {
        self.body.enabled = Some(enabled);
        self
    }

    /// Whether evaluation continues with the next rules after this one matches.
    pub fn set_chain_rule(mut self, chain: bool) -> Self {
        self.body.chain_rule = Some(chain);
        self
    }

    /// Validates, then updates the rule.
    pub async fn send(self) -> Result<RoutingRule> {
        self.deferred.into_result()?;
        non_empty("routing rule id", &self.id)?;
        let mut body = self.body;
        if let Some(targets) = &self.targets {
            check_targets(targets)?;
            body.targets = Some(targets.iter().map(RoutingTargetSpec::to_request).collect());
        }
        if let Some(fallbacks) = self.fallbacks {
            check_fallbacks(&fallbacks)?;
            body.fallbacks = Some(fallbacks);
        }
        if let Some(scope) = &self.scope {
            scope.check()?;
            let (kind, id) = (scope.kind(), scope.id());
            body.scope = Some(kind.to_string());
            body.scope_id = id.map(str::to_string);
        }
        let request = self
            .client
            .raw()
            .update_routing_rule()
            .rule_id(&self.id)
            .body(body)
            .send();
        let response = call("update_routing_rule", request).await?;
        Ok(response.rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openai(weight: f64) -> RoutingTargetSpec {
        RoutingTargetSpec::provider("openai").weight(weight)
    }

    fn reason(targets: &[RoutingTargetSpec]) -> String {
        check_targets(targets).unwrap_err().reason
    }

    #[test]
    fn weights_must_sum_to_one_within_the_tolerance() {
        assert!(check_targets(&[openai(1.0)]).is_ok());
        assert!(
            check_targets(&[
                openai(0.7),
                RoutingTargetSpec::provider("azure").weight(0.3)
            ])
            .is_ok()
        );
        assert!(
            check_targets(&[
                openai(0.3333),
                openai(0.3333).model("a"),
                openai(0.3333).model("b")
            ])
            .is_ok()
        );
        assert!(reason(&[openai(0.7)]).contains("sum to 0.7"));
        assert!(
            check_targets(&[
                openai(0.5),
                RoutingTargetSpec::provider("azure").weight(0.502)
            ])
            .is_err()
        );
    }

    #[test]
    fn the_default_weight_is_one() {
        assert_eq!(RoutingTargetSpec::provider("openai").weight_value(), 1.0);
        assert!(check_targets(&[RoutingTargetSpec::provider("openai")]).is_ok());
        assert!(
            check_targets(&[
                RoutingTargetSpec::provider("openai"),
                RoutingTargetSpec::provider("azure")
            ])
            .is_err()
        );
    }

    #[test]
    fn negative_and_non_finite_weights_are_refused() {
        assert!(
            reason(&[
                openai(1.5),
                RoutingTargetSpec::provider("azure").weight(-0.5)
            ])
            .contains("targets[1].weight")
        );
        assert!(check_targets(&[openai(f64::NAN)]).is_err());
        assert!(check_targets(&[openai(f64::INFINITY)]).is_err());
        // Zero is allowed, as on the server.
        assert!(
            check_targets(&[
                openai(1.0),
                RoutingTargetSpec::provider("azure").weight(0.0)
            ])
            .is_ok()
        );
    }

    #[test]
    fn a_rule_needs_a_target() {
        assert!(reason(&[]).contains("at least one target"));
    }

    #[test]
    fn key_id_requires_a_provider() {
        let keyed = RoutingTargetSpec::any_provider().key_id("key-1");
        assert!(reason(&[keyed]).contains("key_id requires a provider"));
        assert!(check_targets(&[openai(1.0).key_id("key-1")]).is_ok());
        assert!(check_targets(&[RoutingTargetSpec::any_provider().model("gpt-4o-mini")]).is_ok());
    }

    #[test]
    fn repeated_targets_are_refused_case_insensitively() {
        let a = RoutingTargetSpec::provider("OpenAI")
            .model("gpt-4o")
            .weight(0.5);
        let b = RoutingTargetSpec::provider("openai")
            .model("GPT-4o")
            .weight(0.5);
        assert!(reason(&[a.clone(), b]).contains("repeats"));
        // A different key makes a different target; key ids compare exactly.
        let c = RoutingTargetSpec::provider("openai")
            .model("gpt-4o")
            .key_id("k1")
            .weight(0.5);
        assert!(check_targets(&[a, c]).is_ok());
        let upper = openai(0.5).key_id("K1");
        assert!(check_targets(&[openai(0.5).key_id("k1"), upper]).is_ok());
    }

    #[test]
    fn empty_target_fields_are_refused() {
        assert!(reason(&[RoutingTargetSpec::provider(" ")]).contains("targets[0].provider"));
        assert!(reason(&[openai(1.0).model("")]).contains("targets[0].model"));
        assert!(reason(&[openai(1.0).key_id("")]).contains("targets[0].key_id"));
    }

    #[test]
    fn fallbacks_need_a_provider_prefix() {
        let ok = [
            Fallback::model("openai/gpt-4o"),
            Fallback::model("azure/"),
            Fallback::pinned("openai", "gpt-4o", "key-1"),
        ];
        assert!(check_fallbacks(&ok).is_ok());
        for bad in ["gpt-4o", "/gpt-4o", ""] {
            assert!(check_fallbacks(&[Fallback::model(bad)]).is_err(), "{bad}");
        }
        assert!(check_fallbacks(&[Fallback::pinned(" ", "gpt-4o", "k")]).is_err());
    }

    #[test]
    fn ttft_timeouts_are_bounded_whole_milliseconds() {
        let with = |t: Duration| check_targets(&[openai(1.0).ttft_timeout(t)]);
        assert!(with(Duration::from_millis(1)).is_ok());
        assert!(with(Duration::from_secs(300)).is_ok());
        assert!(with(Duration::ZERO).is_err());
        assert!(with(Duration::from_millis(300_001)).is_err());
        assert!(with(Duration::from_micros(1500)).is_err());
        let json = serde_json::to_value(
            openai(1.0)
                .ttft_timeout(Duration::from_millis(2500))
                .to_request(),
        )
        .unwrap();
        assert_eq!(json["ttft_timeout_ms"], 2500);
    }

    #[test]
    fn targets_serialize_only_what_is_set() {
        let json = serde_json::to_value(
            RoutingTargetSpec::provider("openai")
                .model("gpt-4o")
                .weight(0.7)
                .to_request(),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"provider": "openai", "model": "gpt-4o", "weight": 0.7})
        );
    }

    #[test]
    fn existing_targets_round_trip() {
        let stored: types::RoutingTarget = serde_json::from_value(serde_json::json!({
            "provider": "openai", "model": "", "key_id": "k1", "provider_key_name": "main", "weight": 0.25
        }))
        .unwrap();
        assert_eq!(
            RoutingTargetSpec::from_existing(&stored),
            openai(0.25).key_id("k1")
        );
    }

    fn rule(id: &str, name: &str, cel: &str) -> RoutingRule {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "cel_expression": cel}))
            .unwrap()
    }

    #[test]
    fn scoped_lists_are_searched_and_paged_locally() {
        let rules = vec![
            rule("1", "cheap", "model == \"gpt-4o\""),
            rule("2", "Cheap-eu", "region == \"eu\""),
            rule("3", "premium", "model == \"GPT-4o\""),
        ];
        let all = local_page(rules.clone(), None, 2, 0);
        assert_eq!(
            (all.items.len(), all.total_count, all.limit, all.offset),
            (2, 3, 2, 0)
        );
        let rest = local_page(rules.clone(), None, 2, 2);
        assert_eq!(
            rest.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["3"]
        );
        let by_name = local_page(rules.clone(), Some("CHEAP"), 100, 0);
        assert_eq!(
            by_name
                .items
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        let by_cel = local_page(rules.clone(), Some("gpt-4o"), 100, 0);
        assert_eq!(
            by_cel
                .items
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "3"]
        );
        let past_the_end = local_page(rules, None, 10, 50);
        assert!(past_the_end.items.is_empty());
        assert_eq!(past_the_end.total_count, 3);
    }
}
