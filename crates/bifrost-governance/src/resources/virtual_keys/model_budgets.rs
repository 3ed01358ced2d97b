//! Budgets and rate limits of single models under a key's provider config.

use bifrost_governance_client::types;

use crate::error::InvalidInput;
use crate::limits::{BudgetSpecs, RateLimitSpec};
use crate::resources::constrained;

/// The budgets and rate limit of one model of a provider, for one key (v1.6.10+).
///
/// Servers keep them as model configs scoped to the key; responses show them under
/// `provider_configs[].model_budgets`.
///
/// ```
/// use bifrost_governance::resources::virtual_keys::{ModelBudgetSpec, ProviderConfigSpec};
/// use bifrost_governance::{BudgetSpec, ResetPeriod};
///
/// let openai = ProviderConfigSpec::new("openai")
///     .model_budget(ModelBudgetSpec::new("gpt-4o").budgets(BudgetSpec::new(20.0, ResetPeriod::days(1))?.into()));
/// # Ok::<(), bifrost_governance::InvalidInput>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModelBudgetSpec {
    model: String,
    budgets: Option<BudgetSpecs>,
    rate_limit: Option<RateLimitSpec>,
}

impl ModelBudgetSpec {
    /// Limits for `model` (its name as the provider knows it).
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            budgets: None,
            rate_limit: None,
        }
    }

    /// The model's budgets.
    pub fn budgets(mut self, budgets: BudgetSpecs) -> Self {
        self.budgets = Some(budgets);
        self
    }

    /// The model's rate limit.
    pub fn rate_limit(mut self, limit: RateLimitSpec) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The model name.
    pub fn model(&self) -> &str {
        &self.model
    }

    pub(super) fn needs_quarterly(&self) -> bool {
        self.budgets
            .as_ref()
            .is_some_and(BudgetSpecs::needs_quarterly)
    }

    fn to_request(&self) -> Result<types::ModelBudgetRequest, InvalidInput> {
        Ok(types::ModelBudgetRequest {
            model_name: constrained(
                "provider_configs model_budgets model_name",
                self.model.trim().to_string(),
            )?,
            budgets: self.budgets.as_ref().map(|b| b.to_requests(None)),
            rate_limit: self.rate_limit.as_ref().map(RateLimitSpec::to_request),
        })
    }
}

/// The wire form of a provider config's model budgets, refusing a model named twice.
pub(super) fn model_budget_requests(
    specs: &[ModelBudgetSpec],
) -> Result<Vec<types::ModelBudgetRequest>, InvalidInput> {
    let mut seen = std::collections::HashSet::new();
    specs
        .iter()
        .map(|spec| {
            let request = spec.to_request()?;
            if !seen.insert(request.model_name.to_string()) {
                return Err(InvalidInput::new(
                    "provider_configs model_budgets",
                    format!("model {:?} is listed twice", request.model_name.as_str()),
                ));
            }
            Ok(request)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BudgetSpec, ResetPeriod};

    #[test]
    fn a_model_named_twice_or_blank_is_refused() {
        let day = || BudgetSpecs::from(BudgetSpec::new(5.0, ResetPeriod::days(1)).unwrap());
        let twice = [
            ModelBudgetSpec::new("gpt-4o").budgets(day()),
            ModelBudgetSpec::new(" gpt-4o ").budgets(day()),
        ];
        let err = model_budget_requests(&twice).unwrap_err();
        assert!(err.reason.contains("listed twice"), "{err}");
        assert!(model_budget_requests(&[ModelBudgetSpec::new(" ")]).is_err());
        let one = model_budget_requests(&[ModelBudgetSpec::new("gpt-4o").budgets(day())]).unwrap();
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            serde_json::json!([{ "model_name": "gpt-4o", "budgets": [{ "max_limit": 5.0, "reset_duration": "1d" }] }])
        );
    }
}
