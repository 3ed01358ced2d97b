//! Provider governance: budgets and a rate limit on everything sent to one
//! provider, whichever key or model is used.
//!
//! There is nothing to create: a provider configured on the server gets governance
//! with [`Providers::update`] and loses it with [`Providers::delete`]. v1.x servers
//! keep a single `budget` per provider and v2.x servers a set of `budgets`; the
//! builder takes a [`BudgetSpecs`](crate::BudgetSpecs) set either way and sends what the server
//! understands (a set of more than one budget is refused before sending on v1.x).

use bifrost_governance_client::types::{self, ProviderGovernance};
use reqwest::StatusCode;

use super::{LimitsUpdate, non_empty, owner_update_budgets, require_all};
use crate::client::Client;
use crate::error::{Error, InvalidInput, Result};
use crate::redact;
use crate::transport::{call, call_delete};

/// Handle to provider governance; from [`Client::providers`].
#[derive(Debug, Clone)]
pub struct Providers {
    client: Client,
}

impl Providers {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Every provider that has a budget or a rate limit (the server never pages this
    /// list; `providers: null` is an empty list).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// for provider in client.providers().list().await? {
    ///     println!("{}: {} budgets", provider.provider, provider.budgets().len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Vec<ProviderGovernance>> {
        let list = call(
            "list_provider_governance",
            self.client.raw().list_provider_governance().send(),
        )
        .await?;
        Ok(list.providers.unwrap_or_default())
    }

    /// Starts setting the governance of `provider_name` (a provider configured on the
    /// server, otherwise 404); only what is set is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::{BudgetSpec, BudgetSpecs, RateLimitSpec, ResetPeriod};
    ///
    /// let openai = client
    ///     .providers()
    ///     .update("openai")
    ///     .set_budgets(BudgetSpecs::from(BudgetSpec::new(100.0, ResetPeriod::days(1))?))
    ///     .set_rate_limit(RateLimitSpec::builder().requests(600, ResetPeriod::minutes(1)).build()?)
    ///     .send()
    ///     .await?;
    /// # let _ = openai; Ok(()) }
    /// ```
    pub fn update(&self, provider_name: impl Into<String>) -> UpdateProvider {
        UpdateProvider {
            client: self.client.clone(),
            provider: provider_name.into(),
            limits: LimitsUpdate::default(),
        }
    }

    /// Removes the provider's budgets and rate limit (v2.x answers 200 even when
    /// nothing was configured).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// client.providers().delete("openai").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, provider_name: impl Into<String>) -> Result<()> {
        let provider_name = provider_name.into();
        non_empty("provider name", &provider_name)?;
        let request = self
            .client
            .raw()
            .delete_provider_governance()
            .provider_name(provider_name)
            .send();
        call_delete("delete_provider_governance", request).await
    }
}

/// Builder returned by [`Providers::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdateProvider {
    client: Client,
    provider: String,
    limits: LimitsUpdate,
}

impl UpdateProvider {
    update_limit_setters!("provider", "all four fields are overwritten.");

    /// Runs every check [`send`](Self::send) makes before any request (provider
    /// name, budget periods, calendar alignment), without sending.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        non_empty("provider name", &self.provider)?;
        self.limits.check()
    }

    /// Validates, then updates the provider's governance. With budgets, the server
    /// version is read first (once per client) to choose between `budget` and
    /// `budgets`. A success response without the `provider` object is an
    /// [`Error::Decode`].
    pub async fn send(self) -> Result<ProviderGovernance> {
        self.validate()?;
        let needed = self.limits.capabilities();
        require_all(&self.client, needed).await?;
        let budgets = owner_update_budgets(
            &self.client,
            self.limits.budgets.as_ref(),
            self.limits.calendar_aligned,
        )
        .await?;
        let body = types::UpdateProviderGovernanceRequest {
            budget: budgets.single,
            budgets: budgets.list,
            rate_limit: self.limits.rate_limit,
            calendar_aligned: self.limits.calendar_aligned,
            reset_budget_usage: self.limits.reset_budget_usage,
        };
        let request = self
            .client
            .raw()
            .update_provider_governance()
            .provider_name(&self.provider)
            .body(body)
            .send();
        let response = call("update_provider_governance", request).await?;
        governance_of(response)
    }
}

/// The `provider` object of an update response, which the schema leaves optional.
fn governance_of(response: types::ProviderGovernanceResponse) -> Result<ProviderGovernance> {
    match response.provider {
        Some(provider) => Ok(provider),
        None => Err(Error::Decode {
            operation: "update_provider_governance",
            status: StatusCode::OK,
            message: "the response has no `provider` object".to_string(),
            excerpt: redact::body_excerpt(&serde_json::to_vec(&response).unwrap_or_default()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_without_provider_is_a_decode_error() {
        // Response types are non_exhaustive: built the way the client gets them.
        let response: types::ProviderGovernanceResponse =
            serde_json::from_value(serde_json::json!({ "message": "updated" })).unwrap();
        match governance_of(response) {
            Err(Error::Decode {
                operation, message, ..
            }) => {
                assert_eq!(operation, "update_provider_governance");
                assert!(message.contains("provider"));
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_response_with_provider_returns_it() {
        let response: types::ProviderGovernanceResponse =
            serde_json::from_value(serde_json::json!({ "provider": { "provider": "openai" } }))
                .unwrap();
        let provider = response.provider.clone().unwrap();
        assert_eq!(provider.provider, "openai");
        assert_eq!(governance_of(response).unwrap(), provider);
    }
}
