//! Pricing overrides: custom per-token (or per-image, per-second…) prices for the
//! models matching a pattern, within a scope (global, a provider, a provider key, a
//! virtual key, or a virtual key on one provider or provider key).
//!
//! Scope, pattern and request types are checked before anything is sent, with the
//! server's rules; [`PricingScope`] and [`ModelPattern`] cannot express a
//! combination the server refuses. The server has no route to read one override:
//! use [`PricingOverrides::list`]. Responses carry the patch as a JSON *string*;
//! read it with [`parse_pricing_patch`].

mod query;
mod rules;
#[cfg(test)]
mod tests;
mod write;

use bifrost_governance_client::types::PricingOverride;

pub use bifrost_governance_client::pricing::PricingPatch;

use super::non_empty;
use crate::client::Client;
use crate::error::Result;
use crate::pagination::List;
use crate::transport::call_delete;

pub use query::PricingOverrideQuery;
pub use rules::{ModelPattern, PricingScope};
pub use write::{CreatePricingOverride, UpdatePricingOverride};

/// Handle to the pricing overrides of a server; from [`Client::pricing_overrides`].
#[derive(Debug, Clone)]
pub struct PricingOverrides {
    client: Client,
}

impl PricingOverrides {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists overrides; filter with `.search(…)`, `.scope_kind(…)`,
    /// `.virtual_key_id(…)`, `.provider_id(…)` and `.provider_key_id(…)`.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::resources::pricing_overrides::parse_pricing_patch;
    ///
    /// let overrides = client.pricing_overrides().list().virtual_key_id("vk-uuid").collect_all().await?;
    /// for o in &overrides {
    ///     let patch = parse_pricing_patch(o).expect("the server stores JSON");
    ///     println!("{:?}: {:?} per input token", o.pattern, patch.get("input_cost_per_token"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> List<PricingOverrideQuery> {
        List::new(self.client.clone(), PricingOverrideQuery::default())
    }

    /// Starts creating an override named `name`: `patch` replaces the catalogue
    /// prices it sets, for the models matching `pattern`, in `scope`, for
    /// `request_types` (base types such as `chat_completion`, `responses`,
    /// `embedding`; they cover streaming too, and the `*_stream` variants are
    /// refused).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::resources::pricing_overrides::{ModelPattern, PricingPatch, PricingScope};
    ///
    /// let discount = client
    ///     .pricing_overrides()
    ///     .create(
    ///         "vk discount",
    ///         PricingScope::VirtualKeyProvider { virtual_key_id: "vk-uuid".into(), provider: "openai".into() },
    ///         ModelPattern::Prefix("gpt-4o".into()),
    ///         ["chat_completion", "responses"],
    ///         PricingPatch::new()
    ///             .input_cost_per_token(0.000002)
    ///             .output_cost_per_token(0.000008),
    ///     )
    ///     .send()
    ///     .await?;
    /// # let _ = discount; Ok(()) }
    /// ```
    pub fn create<I, S>(
        &self,
        name: impl Into<String>,
        scope: PricingScope,
        pattern: ModelPattern,
        request_types: I,
        patch: PricingPatch,
    ) -> CreatePricingOverride
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CreatePricingOverride {
            client: self.client.clone(),
            name: name.into(),
            scope,
            pattern,
            request_types: request_types.into_iter().map(Into::into).collect(),
            patch,
        }
    }

    /// Starts updating override `id`; only what is set is sent (the server merges).
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::resources::pricing_overrides::{ModelPattern, PricingScope};
    ///
    /// let moved = client
    ///     .pricing_overrides()
    ///     .update("override-uuid")
    ///     .set_scope(PricingScope::Provider { provider: "azure".into() })
    ///     .set_pattern(ModelPattern::Exact("gpt-4o".into()))
    ///     .send()
    ///     .await?;
    /// # let _ = moved; Ok(()) }
    /// ```
    pub fn update(&self, id: impl Into<String>) -> UpdatePricingOverride {
        UpdatePricingOverride {
            client: self.client.clone(),
            id: id.into(),
            name: None,
            scope: None,
            pattern: None,
            request_types: None,
            patch: None,
        }
    }

    /// Deletes an override.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// client.pricing_overrides().delete("override-uuid").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: impl Into<String>) -> Result<()> {
        let id = id.into();
        non_empty("pricing override id", &id)?;
        let request = self
            .client
            .raw()
            .delete_pricing_override()
            .override_id(id)
            .send();
        call_delete("delete_pricing_override", request).await
    }
}

/// The cost fields of an override: its `patch` object (newer servers) or its
/// `pricing_patch` string parsed (v1.5.x); an override with neither has an empty
/// patch.
///
/// Every field the server sent is kept, so a patch read this way and written back
/// with [`UpdatePricingOverride::set_patch`] loses nothing.
///
/// ```
/// use bifrost_governance::resources::pricing_overrides::parse_pricing_patch;
/// use bifrost_governance::types::PricingOverride;
///
/// let v1: PricingOverride = serde_json::from_str(
///     r#"{"id": "po-1", "pricing_patch": "{\"input_cost_per_token\":0.000002}"}"#,
/// )?;
/// assert_eq!(parse_pricing_patch(&v1)?.get("input_cost_per_token"), Some(0.000002));
/// let v2: PricingOverride = serde_json::from_str(
///     r#"{"id": "po-1", "patch": {"input_cost_per_token": 0.000002}}"#,
/// )?;
/// assert_eq!(parse_pricing_patch(&v2)?.get("input_cost_per_token"), Some(0.000002));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn parse_pricing_patch(
    pricing_override: &PricingOverride,
) -> Result<PricingPatch, serde_json::Error> {
    if let Some(patch) = &pricing_override.patch {
        return Ok(patch.clone());
    }
    match pricing_override.pricing_patch.as_deref().map(str::trim) {
        None | Some("") | Some("null") => Ok(PricingPatch::default()),
        Some(text) => serde_json::from_str(text),
    }
}
