//! Routing-rule request bodies and the handlers' checks, in upstream order:
//! `validateRoutingTargets`, `validateRoutingFallbacks`, scope and CEL checks, and the
//! store's priority and name checks (`gov.go`, `v2: routing.go`, `rdb.go CreateRoutingRule`).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::cel;
use crate::errors::ApiError;
use crate::gojson::go_quote;
use crate::profile::{Profile, fill};
use crate::request::zero_if_null;
use crate::store::Store;
use crate::store::records::{Fallback, RoutingRule, RoutingTarget};

/// Provider names Bifrost knows (`core/schemas/bifrost.go StandardProviders`), what
/// `ParseModelString` and the fallback checks accept as a prefix.
const KNOWN_PROVIDERS: &[&str] = &[
    "anthropic",
    "azure",
    "bedrock",
    "cerebras",
    "cohere",
    "gemini",
    "groq",
    "mistral",
    "ollama",
    "openai",
    "parasail",
    "perplexity",
    "sgl",
    "vertex",
    "openrouter",
    "elevenlabs",
    "huggingface",
    "nebius",
    "xai",
    "replicate",
    "vllm",
    "runway",
    "fireworks",
];

/// `RoutingTarget` of a request.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct TargetIn {
    #[serde(default)]
    pub(super) provider: Option<String>,
    #[serde(default)]
    pub(super) model: Option<String>,
    #[serde(default)]
    pub(super) key_id: Option<String>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(super) weight: f64,
    /// v2.
    #[serde(default)]
    pub(super) ttft_timeout_ms: Option<i64>,
}

/// `CreateRoutingRuleRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct CreateRule {
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(super) name: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(super) description: String,
    #[serde(default)]
    pub(super) enabled: Option<bool>,
    #[serde(default)]
    pub(super) chain_rule: Option<bool>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(super) cel_expression: String,
    #[serde(default)]
    pub(super) targets: Option<Vec<TargetIn>>,
    #[serde(default)]
    pub(super) fallbacks: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(super) scope: String,
    #[serde(default)]
    pub(super) scope_id: Option<String>,
    #[serde(default)]
    pub(super) query: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(super) priority: i64,
}

/// `UpdateRoutingRuleRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct UpdateRule {
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) enabled: Option<bool>,
    #[serde(default)]
    pub(super) chain_rule: Option<bool>,
    #[serde(default)]
    pub(super) cel_expression: Option<String>,
    #[serde(default)]
    pub(super) targets: Option<Vec<TargetIn>>,
    #[serde(default)]
    pub(super) fallbacks: Option<Vec<Value>>,
    #[serde(default)]
    pub(super) query: Option<Map<String, Value>>,
    #[serde(default)]
    pub(super) priority: Option<i64>,
    #[serde(default)]
    pub(super) scope: Option<String>,
    #[serde(default)]
    pub(super) scope_id: Option<String>,
}

pub(super) fn not_found() -> ApiError {
    ApiError::not_found("Routing rule not found")
}

/// `schemas.ParseModelString`'s provider: the text before the first `/`, when it
/// names a known provider.
pub(super) fn known_prefix(text: &str) -> Option<&str> {
    let (provider, _) = text.split_once('/')?;
    KNOWN_PROVIDERS.contains(&provider).then_some(provider)
}

/// Reads `fallbacks`: 1.5.x takes only strings (`[]string`, anything else fails to
/// decode); v2 also `{provider, model, key_id, provider_key_name}` objects, trimmed
/// (`RoutingFallback.UnmarshalJSON`).
pub(super) fn read_fallbacks(
    profile: Profile,
    raw: &Option<Vec<Value>>,
) -> Result<Option<Vec<Fallback>>, ApiError> {
    let invalid = || ApiError::bad_request("Invalid JSON");
    let Some(items) = raw else { return Ok(None) };
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(Fallback::Text(text.clone())),
            Value::Object(map) if profile.has_routing_v2_fields() => {
                let field = |name: &str| -> Result<Option<String>, ApiError> {
                    match map.get(name) {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s.clone())),
                        Some(_) => Err(invalid()),
                    }
                };
                Ok(Fallback::Object {
                    provider: field("provider")?.unwrap_or_default().trim().to_string(),
                    model: field("model")?.unwrap_or_default().trim().to_string(),
                    key_id: field("key_id")?.map(|k| k.trim().to_string()),
                    provider_key_name: field("provider_key_name")?,
                })
            }
            _ => Err(invalid()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `validateRoutingFallbacks`.
pub(super) fn check_fallbacks(profile: Profile, fallbacks: &[Fallback]) -> Result<(), ApiError> {
    let unknown = |i: usize, shown: &str| {
        ApiError::bad_request(format!(
            "fallbacks[{i}] {} is invalid: must use a known provider prefix (e.g. \"openai/gpt-4o\" or \"azure/\" for the incoming model)",
            go_quote(shown)
        ))
    };
    for (i, fallback) in fallbacks.iter().enumerate() {
        match fallback {
            Fallback::Text(text) => {
                if profile.is_v1_5() && text.trim().is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "fallbacks[{i}] must not be empty"
                    )));
                }
                if known_prefix(text).is_none() {
                    return Err(unknown(i, text));
                }
            }
            Fallback::Object {
                provider,
                model,
                provider_key_name,
                ..
            } => {
                if !KNOWN_PROVIDERS.contains(&provider.as_str()) {
                    let shown = if provider.is_empty() {
                        model.clone()
                    } else {
                        format!("{provider}/{model}")
                    };
                    return Err(unknown(i, &shown));
                }
                if provider_key_name.is_some() {
                    return Err(ApiError::bad_request(format!(
                        "fallbacks[{i}] provider_key_name is a config.json-only field; send key_id over the API"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// `validateRoutingTargets`.
pub(super) fn check_targets(profile: Profile, targets: &[TargetIn]) -> Result<(), ApiError> {
    let mut seen: Vec<String> = Vec::new();
    let mut total = 0.0;
    for t in targets {
        if t.weight < 0.0 {
            return Err(ApiError::bad_request("each target weight must be positive"));
        }
        if t.key_id.as_deref().is_some_and(|k| !k.is_empty())
            && t.provider.as_deref().is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request("key_id requires provider to be set"));
        }
        if profile.has_routing_v2_fields()
            && let Some(ms) = t.ttft_timeout_ms
            && !(0..=300_000).contains(&ms)
        {
            return Err(ApiError::bad_request(
                "ttft_timeout_ms must be between 1 and 300000 (0 disables it)",
            ));
        }
        let provider = t.provider.clone().unwrap_or_default().to_lowercase();
        let model = t.model.clone().unwrap_or_default().to_lowercase();
        let key_id = t.key_id.clone().unwrap_or_default();
        let identity = format!("{provider}|{model}|{key_id}");
        if seen.contains(&identity) {
            return Err(ApiError::bad_request(format!(
                "duplicate target entry: provider={} model={} key_id={}",
                go_quote(&provider),
                go_quote(&model),
                go_quote(&key_id)
            )));
        }
        seen.push(identity);
        total += t.weight;
    }
    if (total - 1.0).abs() > 0.001 {
        return Err(ApiError::bad_request(format!(
            "target weights must sum to 1, got {total:.4}"
        )));
    }
    Ok(())
}

pub(super) fn to_targets(profile: Profile, targets: &[TargetIn]) -> Vec<RoutingTarget> {
    targets
        .iter()
        .map(|t| RoutingTarget {
            provider: t.provider.clone(),
            model: t.model.clone(),
            key_id: t.key_id.clone(),
            weight: t.weight,
            ttft_timeout_ms: t
                .ttft_timeout_ms
                .filter(|ms| profile.has_routing_v2_fields() && *ms > 0),
        })
        .collect()
}

/// `validateRoutingScope`.
pub(super) fn check_scope(profile: Profile, scope: &str) -> Result<(), ApiError> {
    let mut valid = vec!["global", "team", "customer", "virtual_key"];
    if profile.verifies_routing_scope() {
        valid.push("user");
    }
    if !valid.contains(&scope) {
        return Err(ApiError::bad_request(fill(
            profile.texts().routing_invalid_scope,
            &[&go_quote(scope)],
        )));
    }
    Ok(())
}

/// v2: a team, customer or virtual-key scope id must exist (`user` is not checked).
pub(super) fn check_scope_owner(
    store: &Store,
    scope: &str,
    scope_id: &str,
) -> Result<(), ApiError> {
    let (exists, what) = match scope {
        "team" => (store.teams.contains_key(scope_id), "team"),
        "customer" => (store.customers.contains_key(scope_id), "customer"),
        "virtual_key" => (store.virtual_keys.contains_key(scope_id), "virtual key"),
        _ => return Ok(()),
    };
    if exists {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} '{scope_id}' not found: routing rule scope_id not found"
        )))
    }
}

/// The CEL check of v2 (an empty expression, which matches every request, passes).
pub(super) fn check_cel(profile: Profile, expression: &str) -> Result<(), ApiError> {
    if profile.validates_cel() && !expression.trim().is_empty() {
        cel::check(expression)
            .map_err(|e| ApiError::bad_request(format!("invalid CEL expression: {e}")))?;
    }
    Ok(())
}

/// What `%v` of a Go `*string` prints: an address, not the id.
pub(super) fn pointer_text(id: &str) -> String {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("0xc{:09x}", hash & 0xf_ffff_fff8)
}

/// `CreateRoutingRule`/`UpdateRoutingRule` store checks: the `(scope, scope_id,
/// priority)` clash and the `(name, scope, scope_id)` unique index (NULL scope ids
/// never collide).
pub(super) fn store_checks(store: &Store, rule: &RoutingRule) -> Result<(), String> {
    let clash = store.routing_rules.values().any(|r| {
        r.id != rule.id
            && r.scope == rule.scope
            && r.scope_id == rule.scope_id
            && r.priority == rule.priority
    });
    if clash {
        return Err(match &rule.scope_id {
            Some(id) => format!(
                "routing rule with priority {} already exists for scope '{}' with scopeID '{}'",
                rule.priority,
                rule.scope,
                pointer_text(id)
            ),
            None => format!(
                "routing rule with priority {} already exists for scope '{}'",
                rule.priority, rule.scope
            ),
        });
    }
    if rule.scope_id.is_some()
        && store.routing_rules.values().any(|r| {
            r.id != rule.id
                && r.name == rule.name
                && r.scope == rule.scope
                && r.scope_id == rule.scope_id
        })
    {
        return Err(
            "a record with this scope id already exists. Please use a different value".to_string(),
        );
    }
    Ok(())
}
