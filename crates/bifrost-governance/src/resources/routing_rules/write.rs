//! Creating and updating a rule.

use bifrost_governance_client::fallback::Fallback;
use bifrost_governance_client::types::{self, RoutingRule};

use super::targets::{RoutingTargetSpec, check_fallbacks, check_targets};
use super::{at_routing_path, needed_capabilities};
use crate::Scope;
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::resources::{Deferred, constrained, non_empty};
use crate::transport::call;

/// Builder returned by [`RoutingRules::create`](super::RoutingRules::create).
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
    pub(super) fn new(client: Client, name: String) -> Self {
        Self {
            client,
            name,
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

    /// The condition, in CEL (e.g. `model == "gpt-4o"`); servers from v1.6.5 compile
    /// it on write and answer 400 when it is invalid.
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

    /// Runs every check [`send`](Self::send) makes before any request (name,
    /// targets, fallbacks, scope), without sending: for tools that check
    /// declarations offline. Whether the server supports the rule's features is
    /// only known when sending.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        constrained::<types::CreateRoutingRuleRequestName>("routing rule name", self.name.clone())?;
        check_targets(&self.targets)?;
        check_fallbacks(&self.fallbacks)?;
        match &self.scope {
            Some(scope) => scope.check(),
            None => Ok(()),
        }
    }

    /// Validates the targets, fallbacks and scope, then creates the rule.
    pub async fn send(self) -> Result<RoutingRule> {
        self.validate()?;
        let name = constrained("routing rule name", self.name)?;
        for capability in needed_capabilities(
            Some(&self.targets),
            Some(&self.fallbacks),
            self.scope.as_ref(),
        ) {
            self.client.require(capability).await?;
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
        let response = at_routing_path!(
            &self.client,
            call,
            create_routing_rule | create_routing_rule_legacy,
            |b| b.body(body).send()
        )?;
        Ok(response.rule)
    }
}

/// Builder returned by [`RoutingRules::update`](super::RoutingRules::update); sends
/// only what was set.
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
    pub(super) fn new(client: Client, id: String) -> Self {
        Self {
            client,
            id,
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
        if let Some(fallbacks) = &self.fallbacks {
            check_fallbacks(fallbacks)?;
        }
        for capability in needed_capabilities(
            self.targets.as_deref(),
            self.fallbacks.as_deref(),
            self.scope.as_ref(),
        ) {
            self.client.require(capability).await?;
        }
        body.fallbacks = self.fallbacks;
        if let Some(scope) = &self.scope {
            scope.check()?;
            let (kind, id) = (scope.kind(), scope.id());
            body.scope = Some(kind.to_string());
            body.scope_id = id.map(str::to_string);
        }
        let response = at_routing_path!(
            &self.client,
            call,
            update_routing_rule | update_routing_rule_legacy,
            |b| b.rule_id(&self.id).body(body).send()
        )?;
        Ok(response.rule)
    }
}
