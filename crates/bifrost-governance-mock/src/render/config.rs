//! Model configs, provider governance, routing rules and pricing overrides.

use super::{Ctx, budget, budgets, rate_limit_of};
use crate::gojson::{Go, Obj, encode, from_json};
use crate::store::records::{
    Fallback, ModelConfig, PricingOverride, ProviderGovernance, RoutingRule, SCOPE_VIRTUAL_KEY,
};

/// `TableModelConfig` (`tables/modelconfig.go`); v2 adds the scope and `scope_name`
/// (`enrichModelConfigScopeNames`: a key scope shows the key's name).
pub(crate) fn model_config(ctx: Ctx<'_>, mc: &ModelConfig) -> Go {
    let obj = Obj::new()
        .field("id", mc.id.as_str())
        .field("model_name", mc.model_name.as_str())
        .omit_nil("provider", mc.provider.as_deref());
    if !ctx.v2() {
        let budget_id = mc.budget_ids.first();
        return obj
            .omit_nil("budget_id", budget_id.map(String::as_str))
            .omit_nil("rate_limit_id", mc.rate_limit_id.as_deref())
            .omit_nil(
                "budget",
                budget_id
                    .and_then(|id| ctx.store.budgets.get(id))
                    .map(|b| budget(ctx, b)),
            )
            .omit_nil("rate_limit", rate_limit_of(ctx, mc.rate_limit_id.as_ref()))
            .field("config_hash", "")
            .field("created_at", mc.created_at)
            .field("updated_at", mc.updated_at)
            .into();
    }
    let scope_name = (mc.scope == SCOPE_VIRTUAL_KEY)
        .then(|| {
            mc.scope_id
                .as_ref()
                .and_then(|id| ctx.store.virtual_keys.get(id))
        })
        .flatten()
        .map(|vk| vk.name.as_str())
        .unwrap_or_default();
    obj.field("scope", mc.scope.as_str())
        .omit_nil("scope_id", mc.scope_id.as_deref())
        .field("calendar_aligned", mc.calendar_aligned)
        .omit_nil("rate_limit_id", mc.rate_limit_id.as_deref())
        .omitempty("scope_name", scope_name)
        .omitempty("budgets", budgets(ctx, &mc.budget_ids))
        .omit_nil("rate_limit", rate_limit_of(ctx, mc.rate_limit_id.as_ref()))
        .field("config_hash", "")
        .field("created_at", mc.created_at)
        .field("updated_at", mc.updated_at)
        .into()
}

/// 1.5.x `ProviderGovernanceResponse` (`gov.go`): `provider`, `budget`, `rate_limit`.
pub(crate) fn provider_governance(ctx: Ctx<'_>, name: &str, gov: &ProviderGovernance) -> Go {
    Obj::new()
        .field("provider", name)
        .omit_nil(
            "budget",
            gov.budget_id
                .as_ref()
                .and_then(|id| ctx.store.budgets.get(id))
                .map(|b| budget(ctx, b)),
        )
        .omit_nil("rate_limit", rate_limit_of(ctx, gov.rate_limit_id.as_ref()))
        .into()
}

/// v2 `ProviderGovernanceResponse` from the provider's global `*` model config:
/// `provider`, `budget` (the first, deprecated), `budgets`, `rate_limit`,
/// `calendar_aligned` (`v2: governance.go modelConfigToProviderGovernance`).
pub(crate) fn provider_governance_v2(ctx: Ctx<'_>, name: &str, mc: Option<&ModelConfig>) -> Go {
    let first = mc
        .and_then(|mc| ctx.store.budgets_of(&mc.budget_ids).into_iter().next())
        .map(|b| budget(ctx, b));
    Obj::new()
        .field("provider", name)
        .omit_nil("budget", first)
        .omitempty(
            "budgets",
            mc.map_or(Go::Null, |mc| budgets(ctx, &mc.budget_ids)),
        )
        .omit_nil(
            "rate_limit",
            mc.and_then(|mc| rate_limit_of(ctx, mc.rate_limit_id.as_ref())),
        )
        .field("calendar_aligned", mc.is_some_and(|mc| mc.calendar_aligned))
        .into()
}

/// How a routing rule's targets are ordered in a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetOrder {
    /// As sent (create and update answer the struct they built).
    AsSent,
    /// As read back: `weight DESC, provider, model, key_id` (`rdb.go loadRoutingRulesOrdered`).
    Stored,
}

/// `TableRoutingRule` (`tables/routing_rules.go`; v2 `routingrules.go` with
/// `RoutingFallback.MarshalJSON`: unpinned fallbacks as strings).
pub(crate) fn routing_rule(ctx: Ctx<'_>, rule: &RoutingRule, order: TargetOrder) -> Go {
    let mut targets = rule.targets.clone();
    if order == TargetOrder::Stored {
        targets.sort_by(|a, b| {
            let key = |v: &Option<String>| v.clone().unwrap_or_default();
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| key(&a.provider).cmp(&key(&b.provider)))
                .then_with(|| key(&a.model).cmp(&key(&b.model)))
                .then_with(|| key(&a.key_id).cmp(&key(&b.key_id)))
        });
    }
    let targets: Vec<Go> = targets
        .iter()
        .map(|t| {
            let obj = Obj::new()
                .omit_nil("provider", t.provider.as_deref())
                .omit_nil("model", t.model.as_deref())
                .omit_nil("key_id", t.key_id.as_deref())
                .field("weight", t.weight);
            if ctx.v2() {
                obj.omit_nil("ttft_timeout_ms", t.ttft_timeout_ms).into()
            } else {
                obj.into()
            }
        })
        .collect();
    let fallbacks: Vec<Go> = rule.fallbacks.iter().map(fallback).collect();
    Obj::new()
        .field("id", rule.id.as_str())
        .field("config_hash", "")
        .field("name", rule.name.as_str())
        .field("description", rule.description.as_str())
        .field("enabled", rule.enabled)
        .field("cel_expression", rule.cel_expression.as_str())
        .field("targets", Go::Array(targets))
        .omitempty("fallbacks", Go::Array(fallbacks))
        .omitempty(
            "query",
            rule.query.as_ref().map_or(Go::Null, |q| {
                from_json(&serde_json::Value::Object(q.clone()))
            }),
        )
        .field("scope", rule.scope.as_str())
        .field("scope_id", rule.scope_id.as_deref())
        .field("chain_rule", rule.chain_rule)
        .field("priority", rule.priority)
        .field("created_at", rule.created_at)
        .field("updated_at", rule.updated_at)
        .into()
}

/// One fallback: the stored string, or the pinned object (`RoutingFallback.MarshalJSON`;
/// an unpinned object is written back as `"provider/model"`).
fn fallback(f: &Fallback) -> Go {
    match f {
        Fallback::Text(text) => Go::from(text.as_str()),
        Fallback::Object {
            provider,
            model,
            key_id,
            provider_key_name,
        } => {
            let pinned = key_id.as_deref().is_some_and(|k| !k.trim().is_empty())
                || provider_key_name
                    .as_deref()
                    .is_some_and(|k| !k.trim().is_empty());
            if !pinned {
                return Go::from(if provider.is_empty() {
                    model.clone()
                } else {
                    format!("{provider}/{model}")
                });
            }
            Obj::new()
                .field("provider", provider.as_str())
                .field("model", model.as_str())
                .omit_nil("key_id", key_id.as_deref())
                .omit_nil("provider_key_name", provider_key_name.as_deref())
                .into()
        }
    }
}

/// The stored patch as an object, in `PricingOptions` field order.
pub(crate) fn patch_object(po: &PricingOverride) -> Go {
    po.patch
        .iter()
        .fold(Obj::new(), |obj, (name, value)| obj.field(name, *value))
        .into()
}

/// `TablePricingOverride` (`tables/pricingoverride.go`): 1.5.x writes the patch as a
/// JSON string in `pricing_patch` (`sonic.Marshal(req.Patch)`); v2 as the object `patch`.
pub(crate) fn pricing_override(ctx: Ctx<'_>, po: &PricingOverride) -> Go {
    let obj = Obj::new()
        .field("id", po.id.as_str())
        .field("name", po.name.as_str())
        .field("scope_kind", po.scope_kind.as_str());
    let obj = if ctx.v2() {
        obj.omit_nil("user_id", po.user_id.as_deref())
    } else {
        obj
    };
    let request_types = Go::Array(
        po.request_types
            .iter()
            .map(|t| Go::from(t.as_str()))
            .collect(),
    );
    let obj = obj
        .omit_nil("virtual_key_id", po.virtual_key_id.as_deref())
        .omit_nil("provider_id", po.provider_id.as_deref())
        .omit_nil("provider_key_id", po.provider_key_id.as_deref())
        .field("match_type", po.match_type.as_str())
        .field("pattern", po.pattern.as_str());
    if !ctx.v2() {
        let text = encode(&patch_object(po));
        return obj
            .omitempty("pricing_patch", text.trim_end())
            .omitempty("config_hash", "")
            .field("created_at", po.created_at)
            .field("updated_at", po.updated_at)
            .omitempty("request_types", request_types)
            .into();
    }
    obj.omitempty("config_hash", "")
        .field("created_at", po.created_at)
        .field("updated_at", po.updated_at)
        .omitempty("request_types", request_types)
        .field("patch", patch_object(po))
        .into()
}
