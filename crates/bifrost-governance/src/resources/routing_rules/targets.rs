//! A rule's targets and fallbacks, checked the way the server checks them.

use std::collections::HashSet;
use std::time::Duration;

use bifrost_governance_client::fallback::Fallback;
use bifrost_governance_client::types;

use crate::error::InvalidInput;

/// How far the target weights may be from 1 in total.
const WEIGHT_TOLERANCE: f64 = 0.001;
/// Longest time-to-first-token deadline the server accepts.
const MAX_TTFT_TIMEOUT: Duration = Duration::from_secs(300);

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

    pub(super) fn to_request(&self) -> types::RoutingTargetRequest {
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
pub(super) fn check_targets(targets: &[RoutingTargetSpec]) -> Result<(), InvalidInput> {
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
pub(super) fn check_fallbacks(fallbacks: &[Fallback]) -> Result<(), InvalidInput> {
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
}
