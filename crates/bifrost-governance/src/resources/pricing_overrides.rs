//! Pricing overrides: custom per-token (or per-image, per-second…) prices for the
//! models matching a pattern, within a scope (global, a provider, a provider key, a
//! virtual key, or a virtual key on one provider or provider key).
//!
//! Scope, pattern and request types are checked before anything is sent, with the
//! server's rules; [`PricingScope`] and [`ModelPattern`] cannot express a
//! combination the server refuses. The server has no route to read one override:
//! use [`PricingOverrides::list`]. Responses carry the patch as a JSON *string*;
//! read it with [`parse_pricing_patch`].

use bifrost_governance_client::types::{
    self, PricingMatchType, PricingOverride, PricingPatch, PricingScopeKind,
};
use futures::FutureExt;
use futures::future::BoxFuture;

use super::{constrained, non_empty, page};
use crate::client::Client;
use crate::error::{InvalidInput, Result};
use crate::pagination::{List, ListSource, Page};
use crate::transport::{call, call_delete};

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
    ///     println!("{:?}: {:?} per input token", o.pattern, patch.input_cost_per_token);
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
    /// use bifrost_governance::types::PricingPatch;
    /// use bifrost_governance::resources::pricing_overrides::{ModelPattern, PricingScope};
    ///
    /// let discount = client
    ///     .pricing_overrides()
    ///     .create(
    ///         "vk discount",
    ///         PricingScope::VirtualKeyProvider { virtual_key_id: "vk-uuid".into(), provider: "openai".into() },
    ///         ModelPattern::Prefix("gpt-4o".into()),
    ///         ["chat_completion", "responses"],
    ///         PricingPatch {
    ///             input_cost_per_token: Some(0.000002),
    ///             output_cost_per_token: Some(0.000008),
    ///             ..Default::default()
    ///         },
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

/// The cost fields of an override, parsed from its `pricing_patch` string; an
/// override without one has an empty patch.
///
/// Only the fields [`PricingPatch`] knows are kept: servers may store more (batch,
/// priority, flex or long-context prices set through other clients), so writing a
/// patch read this way back with [`UpdatePricingOverride::set_patch`] drops them.
///
/// ```
/// use bifrost_governance::resources::pricing_overrides::parse_pricing_patch;
/// use bifrost_governance::types::PricingOverride;
///
/// let stored: PricingOverride = serde_json::from_str(
///     r#"{"id": "po-1", "pricing_patch": "{\"input_cost_per_token\":0.000002}"}"#,
/// )?;
/// assert_eq!(parse_pricing_patch(&stored)?.input_cost_per_token, Some(0.000002));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn parse_pricing_patch(
    pricing_override: &PricingOverride,
) -> Result<PricingPatch, serde_json::Error> {
    match pricing_override.pricing_patch.as_deref().map(str::trim) {
        None | Some("") | Some("null") => Ok(PricingPatch::default()),
        Some(text) => serde_json::from_str(text),
    }
}

/// What an override applies to; each variant carries exactly the ids its
/// `scope_kind` requires.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PricingScope {
    /// Every request.
    Global,
    /// Requests to a provider.
    Provider {
        /// Provider name (`openai`…), sent as `provider_id`.
        provider: String,
    },
    /// Requests served with a provider key.
    ProviderKey {
        /// The key's `key_id` UUID.
        provider_key_id: String,
    },
    /// Requests made with a virtual key.
    VirtualKey {
        /// The virtual key's id.
        virtual_key_id: String,
    },
    /// Requests made with a virtual key to a provider.
    VirtualKeyProvider {
        /// The virtual key's id.
        virtual_key_id: String,
        /// Provider name, sent as `provider_id`.
        provider: String,
    },
    /// Requests made with a virtual key and served with one key of a provider (the
    /// server requires all three ids).
    VirtualKeyProviderKey {
        /// The virtual key's id.
        virtual_key_id: String,
        /// Provider name, sent as `provider_id`.
        provider: String,
        /// The provider key's `key_id` UUID.
        provider_key_id: String,
    },
}

/// `scope_kind`, `virtual_key_id`, `provider_id` and `provider_key_id` of a scope.
type ScopeWire<'a> = (
    PricingScopeKind,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl PricingScope {
    /// The scope of an override returned by the server; `None` for a kind this
    /// SDK does not know or ids that do not fit the kind.
    pub fn from_existing(pricing_override: &PricingOverride) -> Option<Self> {
        let id = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
        let vk = id(&pricing_override.virtual_key_id);
        let provider = id(&pricing_override.provider_id);
        let key = id(&pricing_override.provider_key_id);
        let kind: PricingScopeKind = pricing_override.scope_kind.as_deref()?.parse().ok()?;
        Some(match (kind, vk, provider, key) {
            (PricingScopeKind::Global, None, None, None) => PricingScope::Global,
            (PricingScopeKind::Provider, None, Some(provider), None) => {
                PricingScope::Provider { provider }
            }
            (PricingScopeKind::ProviderKey, None, None, Some(provider_key_id)) => {
                PricingScope::ProviderKey { provider_key_id }
            }
            (PricingScopeKind::VirtualKey, Some(virtual_key_id), None, None) => {
                PricingScope::VirtualKey { virtual_key_id }
            }
            (PricingScopeKind::VirtualKeyProvider, Some(virtual_key_id), Some(provider), None) => {
                PricingScope::VirtualKeyProvider {
                    virtual_key_id,
                    provider,
                }
            }
            (
                PricingScopeKind::VirtualKeyProviderKey,
                Some(virtual_key_id),
                Some(provider),
                Some(provider_key_id),
            ) => PricingScope::VirtualKeyProviderKey {
                virtual_key_id,
                provider,
                provider_key_id,
            },
            _ => return None,
        })
    }

    /// The scope kind.
    pub fn kind(&self) -> PricingScopeKind {
        self.wire().0
    }

    fn wire(&self) -> ScopeWire<'_> {
        match self {
            PricingScope::Global => (PricingScopeKind::Global, None, None, None),
            PricingScope::Provider { provider } => {
                (PricingScopeKind::Provider, None, Some(provider), None)
            }
            PricingScope::ProviderKey { provider_key_id } => (
                PricingScopeKind::ProviderKey,
                None,
                None,
                Some(provider_key_id),
            ),
            PricingScope::VirtualKey { virtual_key_id } => (
                PricingScopeKind::VirtualKey,
                Some(virtual_key_id),
                None,
                None,
            ),
            PricingScope::VirtualKeyProvider {
                virtual_key_id,
                provider,
            } => (
                PricingScopeKind::VirtualKeyProvider,
                Some(virtual_key_id),
                Some(provider),
                None,
            ),
            PricingScope::VirtualKeyProviderKey {
                virtual_key_id,
                provider,
                provider_key_id,
            } => (
                PricingScopeKind::VirtualKeyProviderKey,
                Some(virtual_key_id),
                Some(provider),
                Some(provider_key_id),
            ),
        }
    }

    /// Every id must be non-blank: the server turns a blank id into a missing one.
    fn check(&self) -> Result<(), InvalidInput> {
        let (_, vk, provider, key) = self.wire();
        [
            ("virtual_key_id", vk),
            ("provider_id", provider),
            ("provider_key_id", key),
        ]
        .into_iter()
        .try_for_each(|(field, value)| value.map_or(Ok(()), |v| non_empty(field, v)))
    }
}

/// Which model names an override matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelPattern {
    /// Exactly this model name (which may not contain `*`).
    Exact(String),
    /// Every model whose name starts with this prefix (which may not contain `*`);
    /// sent as the wildcard `<prefix>*`.
    Prefix(String),
    /// Every model (the wildcard `*`).
    Any,
}

impl ModelPattern {
    /// The pattern of an override returned by the server; `None` for a match type
    /// this SDK does not know or a pattern that does not fit it.
    pub fn from_existing(pricing_override: &PricingOverride) -> Option<Self> {
        let pattern = pricing_override.pattern.as_deref()?;
        let pattern = match pricing_override.match_type.as_deref()?.parse().ok()? {
            PricingMatchType::Exact => ModelPattern::Exact(pattern.to_string()),
            PricingMatchType::Wildcard => match pattern.strip_suffix('*')? {
                "" => ModelPattern::Any,
                prefix => ModelPattern::Prefix(prefix.to_string()),
            },
        };
        pattern.wire().ok().map(|_| pattern)
    }

    /// `match_type` and `pattern`, validated.
    fn wire(&self) -> Result<(PricingMatchType, String), InvalidInput> {
        let check = |text: &str| {
            non_empty("pattern", text)?;
            if text.trim() != text {
                return Err(InvalidInput::new(
                    "pattern",
                    format!("{text:?} starts or ends with whitespace"),
                ));
            }
            if text.contains('*') {
                return Err(InvalidInput::new(
                    "pattern",
                    format!(
                        "{text:?} contains `*`; use ModelPattern::Prefix for a trailing wildcard"
                    ),
                ));
            }
            Ok(())
        };
        match self {
            ModelPattern::Exact(name) => {
                check(name).map(|()| (PricingMatchType::Exact, name.clone()))
            }
            ModelPattern::Prefix(prefix) => {
                check(prefix).map(|()| (PricingMatchType::Wildcard, format!("{prefix}*")))
            }
            ModelPattern::Any => Ok((PricingMatchType::Wildcard, "*".to_string())),
        }
    }
}

/// Request types must be a non-empty list of base types.
fn check_request_types(request_types: &[String]) -> Result<(), InvalidInput> {
    if request_types.is_empty() {
        return Err(InvalidInput::new(
            "request_types",
            "at least one request type is required",
        ));
    }
    for rt in request_types {
        if rt.trim().is_empty() || rt.trim() != rt {
            return Err(InvalidInput::new(
                "request_types",
                format!("{rt:?} is not a request type"),
            ));
        }
        if let Some(base) = rt.strip_suffix("_stream") {
            return Err(InvalidInput::new(
                "request_types",
                format!("{rt:?} is a stream variant; use {base:?}, which covers streaming too"),
            ));
        }
    }
    Ok(())
}

/// Prices are finite and not negative.
fn check_patch(patch: &PricingPatch) -> Result<(), InvalidInput> {
    let fields = [
        ("input_cost_per_token", patch.input_cost_per_token),
        ("output_cost_per_token", patch.output_cost_per_token),
        (
            "cache_read_input_token_cost",
            patch.cache_read_input_token_cost,
        ),
        (
            "cache_creation_input_token_cost",
            patch.cache_creation_input_token_cost,
        ),
        ("input_cost_per_image", patch.input_cost_per_image),
        ("output_cost_per_image", patch.output_cost_per_image),
        (
            "input_cost_per_audio_per_second",
            patch.input_cost_per_audio_per_second,
        ),
        (
            "output_cost_per_audio_per_second",
            patch.output_cost_per_audio_per_second,
        ),
        ("input_cost_per_character", patch.input_cost_per_character),
        ("output_cost_per_character", patch.output_cost_per_character),
        ("input_cost_per_second", patch.input_cost_per_second),
        ("output_cost_per_second", patch.output_cost_per_second),
    ];
    match fields
        .into_iter()
        .find(|(_, v)| v.is_some_and(|v| !v.is_finite() || v < 0.0))
    {
        Some((field, Some(value))) => Err(InvalidInput::new(
            "patch",
            format!("{field} {value} is not a finite price of at least 0"),
        )),
        _ => Ok(()),
    }
}

/// Filters of a pricing-override list.
#[derive(Debug, Clone, Default)]
pub struct PricingOverrideQuery {
    search: Option<String>,
    scope_kind: Option<PricingScopeKind>,
    virtual_key_id: Option<String>,
    provider_id: Option<String>,
    provider_key_id: Option<String>,
}

impl ListSource for PricingOverrideQuery {
    type Item = PricingOverride;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<PricingOverride>>> {
        let q = self.clone();
        async move {
            let mut request = client
                .raw()
                .list_pricing_overrides()
                .limit(i64::from(limit))
                .offset(offset as i64);
            if let Some(v) = q.search {
                request = request.search(v);
            }
            if let Some(v) = q.scope_kind {
                request = request.scope_kind(v.to_string());
            }
            if let Some(v) = q.virtual_key_id {
                request = request.virtual_key_id(v);
            }
            if let Some(v) = q.provider_id {
                request = request.provider_id(v);
            }
            if let Some(v) = q.provider_key_id {
                request = request.provider_key_id(v);
            }
            let list = call("list_pricing_overrides", request.send()).await?;
            Ok(page(
                list.pricing_overrides,
                list.total_count,
                list.limit,
                list.offset,
            ))
        }
        .boxed()
    }

    fn id(item: &PricingOverride) -> &str {
        &item.id
    }
}

impl List<PricingOverrideQuery> {
    /// Only overrides whose name contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only overrides of this scope kind.
    pub fn scope_kind(mut self, kind: PricingScopeKind) -> Self {
        self.source.scope_kind = Some(kind);
        self
    }

    /// Only overrides for this virtual key.
    pub fn virtual_key_id(mut self, id: impl Into<String>) -> Self {
        self.source.virtual_key_id = Some(id.into());
        self
    }

    /// Only overrides for this provider (its name, e.g. `openai`).
    pub fn provider_id(mut self, provider: impl Into<String>) -> Self {
        self.source.provider_id = Some(provider.into());
        self
    }

    /// Only overrides for this provider key (its `key_id` UUID).
    pub fn provider_key_id(mut self, id: impl Into<String>) -> Self {
        self.source.provider_key_id = Some(id.into());
        self
    }
}

/// Builder returned by [`PricingOverrides::create`].
#[derive(Debug)]
#[must_use = "nothing is created until `send` is awaited"]
pub struct CreatePricingOverride {
    client: Client,
    name: String,
    scope: PricingScope,
    pattern: ModelPattern,
    request_types: Vec<String>,
    patch: PricingPatch,
}

impl CreatePricingOverride {
    /// Validates name, scope, pattern, request types and prices, then creates the
    /// override.
    pub async fn send(self) -> Result<PricingOverride> {
        let body = self.body()?;
        let request = self
            .client
            .raw()
            .create_pricing_override()
            .body(body)
            .send();
        let response = call("create_pricing_override", request).await?;
        Ok(response.pricing_override)
    }

    fn body(&self) -> Result<types::CreatePricingOverrideRequest, InvalidInput> {
        let name = constrained("pricing override name", self.name.clone())?;
        self.scope.check()?;
        let (match_type, pattern) = self.pattern.wire()?;
        check_request_types(&self.request_types)?;
        check_patch(&self.patch)?;
        let (scope_kind, virtual_key_id, provider_id, provider_key_id) = self.scope.wire();
        Ok(types::CreatePricingOverrideRequest {
            name,
            scope_kind,
            virtual_key_id: virtual_key_id.map(str::to_string),
            provider_id: provider_id.map(str::to_string),
            provider_key_id: provider_key_id.map(str::to_string),
            match_type,
            pattern: constrained("pattern", pattern)?,
            request_types: self.request_types.clone(),
            patch: self.patch.clone(),
        })
    }
}

/// Builder returned by [`PricingOverrides::update`]; sends only what was set.
#[derive(Debug)]
#[must_use = "nothing is updated until `send` is awaited"]
pub struct UpdatePricingOverride {
    client: Client,
    id: String,
    name: Option<String>,
    scope: Option<PricingScope>,
    pattern: Option<ModelPattern>,
    request_types: Option<Vec<String>>,
    patch: Option<PricingPatch>,
}

impl UpdatePricingOverride {
    /// Renames the override.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Moves the override to another scope; the ids of the previous scope are
    /// cleared.
    pub fn set_scope(mut self, scope: PricingScope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Replaces the model pattern (with its match type).
    pub fn set_pattern(mut self, pattern: ModelPattern) -> Self {
        self.pattern = Some(pattern);
        self
    }

    /// Replaces the request types (non-empty; base types only).
    pub fn set_request_types<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        request_types: I,
    ) -> Self {
        self.request_types = Some(request_types.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces the whole patch: prices it does not set go back to the catalogue's.
    pub fn set_patch(mut self, patch: PricingPatch) -> Self {
        self.patch = Some(patch);
        self
    }

    /// Validates, then updates the override.
    pub async fn send(self) -> Result<PricingOverride> {
        non_empty("pricing override id", &self.id)?;
        let body = self.body()?;
        let request = self
            .client
            .raw()
            .update_pricing_override()
            .override_id(&self.id)
            .body(body)
            .send();
        let response = call("update_pricing_override", request).await?;
        Ok(response.pricing_override)
    }

    fn body(&self) -> Result<types::UpdatePricingOverrideRequest, InvalidInput> {
        let name = self
            .name
            .clone()
            .map(|n| constrained("pricing override name", n))
            .transpose()?;
        // Sending `scope_kind` makes the server clear all three ids before applying
        // the ones sent, so a new scope never inherits an id of the old one.
        let scope = match &self.scope {
            Some(scope) => {
                scope.check()?;
                let (kind, vk, provider, key) = scope.wire();
                Some((
                    kind,
                    vk.map(str::to_string),
                    provider.map(str::to_string),
                    key.map(str::to_string),
                ))
            }
            None => None,
        };
        let (scope_kind, virtual_key_id, provider_id, provider_key_id) = match scope {
            Some((kind, vk, provider, key)) => (Some(kind), vk, provider, key),
            None => (None, None, None, None),
        };
        // The match type is always sent with the pattern: the server would otherwise
        // check the new pattern against the stored match type.
        let (match_type, pattern) = match &self.pattern {
            Some(p) => {
                let (match_type, pattern) = p.wire()?;
                (Some(match_type), Some(constrained("pattern", pattern)?))
            }
            None => (None, None),
        };
        if let Some(request_types) = &self.request_types {
            check_request_types(request_types)?;
        }
        if let Some(patch) = &self.patch {
            check_patch(patch)?;
        }
        Ok(types::UpdatePricingOverrideRequest {
            name,
            scope_kind,
            virtual_key_id,
            provider_id,
            provider_key_id,
            match_type,
            pattern,
            request_types: self.request_types.clone(),
            patch: self.patch.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn handle() -> PricingOverrides {
        PricingOverrides::new(Client::builder().build().unwrap())
    }

    fn create(
        scope: PricingScope,
        pattern: ModelPattern,
        request_types: &[&str],
    ) -> CreatePricingOverride {
        handle().create(
            "po",
            scope,
            pattern,
            request_types.iter().copied(),
            PricingPatch::default(),
        )
    }

    fn create_json(scope: PricingScope) -> serde_json::Value {
        let body = create(
            scope,
            ModelPattern::Exact("gpt-4o".into()),
            &["chat_completion"],
        )
        .body()
        .unwrap();
        serde_json::to_value(body).unwrap()
    }

    #[test]
    fn each_scope_sends_exactly_its_ids() {
        let ids = |v: &serde_json::Value| {
            (
                v["scope_kind"].clone(),
                v.get("virtual_key_id").cloned(),
                v.get("provider_id").cloned(),
                v.get("provider_key_id").cloned(),
            )
        };
        let s = |x: &str| Some(json!(x));
        assert_eq!(
            ids(&create_json(PricingScope::Global)),
            (json!("global"), None, None, None)
        );
        assert_eq!(
            ids(&create_json(PricingScope::Provider {
                provider: "openai".into()
            })),
            (json!("provider"), None, s("openai"), None)
        );
        assert_eq!(
            ids(&create_json(PricingScope::ProviderKey {
                provider_key_id: "k".into()
            })),
            (json!("provider_key"), None, None, s("k"))
        );
        assert_eq!(
            ids(&create_json(PricingScope::VirtualKey {
                virtual_key_id: "vk".into()
            })),
            (json!("virtual_key"), s("vk"), None, None)
        );
        assert_eq!(
            ids(&create_json(PricingScope::VirtualKeyProvider {
                virtual_key_id: "vk".into(),
                provider: "openai".into()
            })),
            (json!("virtual_key_provider"), s("vk"), s("openai"), None)
        );
        assert_eq!(
            ids(&create_json(PricingScope::VirtualKeyProviderKey {
                virtual_key_id: "vk".into(),
                provider: "openai".into(),
                provider_key_id: "k".into()
            })),
            (
                json!("virtual_key_provider_key"),
                s("vk"),
                s("openai"),
                s("k")
            )
        );
    }

    #[test]
    fn blank_scope_ids_are_refused() {
        let scope = PricingScope::VirtualKeyProvider {
            virtual_key_id: "vk".into(),
            provider: " ".into(),
        };
        let err = create(scope, ModelPattern::Any, &["chat_completion"])
            .body()
            .unwrap_err();
        assert_eq!(err.field, "provider_id");
        let scope = PricingScope::ProviderKey {
            provider_key_id: String::new(),
        };
        assert_eq!(
            create(scope, ModelPattern::Any, &["embedding"])
                .body()
                .unwrap_err()
                .field,
            "provider_key_id"
        );
    }

    #[test]
    fn patterns_map_to_match_type_and_pattern() {
        assert_eq!(
            ModelPattern::Exact("gpt-4o".into()).wire().unwrap(),
            (PricingMatchType::Exact, "gpt-4o".into())
        );
        assert_eq!(
            ModelPattern::Prefix("gpt-4".into()).wire().unwrap(),
            (PricingMatchType::Wildcard, "gpt-4*".into())
        );
        assert_eq!(
            ModelPattern::Any.wire().unwrap(),
            (PricingMatchType::Wildcard, "*".into())
        );
    }

    #[test]
    fn patterns_with_stars_blanks_or_padding_are_refused() {
        for bad in [
            ModelPattern::Exact("gpt-*".into()),
            ModelPattern::Exact(String::new()),
            ModelPattern::Exact(" gpt-4o".into()),
            ModelPattern::Prefix("gpt-4*".into()),
            ModelPattern::Prefix("g*pt".into()),
            ModelPattern::Prefix("  ".into()),
            ModelPattern::Prefix("gpt ".into()),
        ] {
            assert_eq!(bad.wire().unwrap_err().field, "pattern", "{bad:?} accepted");
        }
    }

    #[test]
    fn request_types_must_be_non_empty_base_types() {
        assert!(check_request_types(&["chat_completion".into(), "responses".into()]).is_ok());
        assert!(
            check_request_types(&[])
                .unwrap_err()
                .reason
                .contains("at least one")
        );
        let stream =
            check_request_types(&["chat_completion".into(), "chat_completion_stream".into()])
                .unwrap_err();
        assert!(
            stream.reason.contains("\"chat_completion\""),
            "{}",
            stream.reason
        );
        assert!(check_request_types(&["".into()]).is_err());
        assert!(check_request_types(&[" embedding".into()]).is_err());
        let err = create(PricingScope::Global, ModelPattern::Any, &[])
            .body()
            .unwrap_err();
        assert_eq!(err.field, "request_types");
    }

    #[test]
    fn negative_or_non_finite_prices_are_refused() {
        assert!(
            check_patch(&PricingPatch {
                input_cost_per_token: Some(0.0),
                ..Default::default()
            })
            .is_ok()
        );
        let negative = PricingPatch {
            output_cost_per_second: Some(-1.0),
            ..Default::default()
        };
        assert!(
            check_patch(&negative)
                .unwrap_err()
                .reason
                .contains("output_cost_per_second")
        );
        assert!(
            check_patch(&PricingPatch {
                input_cost_per_image: Some(f64::NAN),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn a_full_create_body_matches_the_wire_format() {
        let body = handle()
            .create(
                "vk discount",
                PricingScope::VirtualKeyProvider {
                    virtual_key_id: "vk".into(),
                    provider: "openai".into(),
                },
                ModelPattern::Prefix("gpt-4o".into()),
                ["chat_completion", "responses"],
                PricingPatch {
                    input_cost_per_token: Some(0.000002),
                    ..Default::default()
                },
            )
            .body()
            .unwrap();
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({
                "name": "vk discount", "scope_kind": "virtual_key_provider", "virtual_key_id": "vk",
                "provider_id": "openai", "match_type": "wildcard", "pattern": "gpt-4o*",
                "request_types": ["chat_completion", "responses"], "patch": {"input_cost_per_token": 0.000002}
            })
        );
    }

    #[test]
    fn updates_send_only_what_was_set() {
        let update = handle().update("po-1");
        assert_eq!(
            serde_json::to_value(update.body().unwrap()).unwrap(),
            json!({})
        );
        let update = handle()
            .update("po-1")
            .set_scope(PricingScope::Provider {
                provider: "azure".into(),
            })
            .set_pattern(ModelPattern::Exact("gpt-4o".into()));
        assert_eq!(
            serde_json::to_value(update.body().unwrap()).unwrap(),
            json!({"scope_kind": "provider", "provider_id": "azure", "match_type": "exact", "pattern": "gpt-4o"})
        );
    }

    #[test]
    fn updates_are_validated_like_creates() {
        let err = handle()
            .update("po-1")
            .set_request_types(["embedding_stream"])
            .body()
            .unwrap_err();
        assert_eq!(err.field, "request_types");
        let err = handle()
            .update("po-1")
            .set_request_types(Vec::<String>::new())
            .body()
            .unwrap_err();
        assert_eq!(err.field, "request_types");
        let err = handle()
            .update("po-1")
            .set_pattern(ModelPattern::Exact("a*".into()))
            .body()
            .unwrap_err();
        assert_eq!(err.field, "pattern");
        let err = handle().update("po-1").set_name("  ").body().unwrap_err();
        assert_eq!(err.field, "pricing override name");
    }

    fn stored(value: serde_json::Value) -> PricingOverride {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn stored_patches_parse_from_their_string() {
        let o = stored(
            json!({"id": "1", "pricing_patch": "{\"output_cost_per_token\":0.5,\"input_cost_per_token_flex\":1}"}),
        );
        assert_eq!(
            parse_pricing_patch(&o).unwrap().output_cost_per_token,
            Some(0.5)
        );
        assert_eq!(
            parse_pricing_patch(&stored(json!({"id": "1"}))).unwrap(),
            PricingPatch::default()
        );
        assert_eq!(
            parse_pricing_patch(&stored(json!({"id": "1", "pricing_patch": ""}))).unwrap(),
            PricingPatch::default()
        );
        assert!(
            parse_pricing_patch(&stored(json!({"id": "1", "pricing_patch": "{oops"}))).is_err()
        );
    }

    #[test]
    fn stored_scopes_and_patterns_are_read_back() {
        let o = stored(json!({
            "id": "1", "scope_kind": "virtual_key_provider_key", "virtual_key_id": "vk",
            "provider_id": "openai", "provider_key_id": "k", "match_type": "wildcard", "pattern": "gpt-4*"
        }));
        assert_eq!(
            PricingScope::from_existing(&o),
            Some(PricingScope::VirtualKeyProviderKey {
                virtual_key_id: "vk".into(),
                provider: "openai".into(),
                provider_key_id: "k".into()
            })
        );
        assert_eq!(
            ModelPattern::from_existing(&o),
            Some(ModelPattern::Prefix("gpt-4".into()))
        );
        let any = stored(
            json!({"id": "1", "scope_kind": "global", "match_type": "wildcard", "pattern": "*"}),
        );
        assert_eq!(
            PricingScope::from_existing(&any),
            Some(PricingScope::Global)
        );
        assert_eq!(ModelPattern::from_existing(&any), Some(ModelPattern::Any));
        let odd = stored(
            json!({"id": "1", "scope_kind": "global", "provider_id": "openai", "match_type": "regex"}),
        );
        assert_eq!(PricingScope::from_existing(&odd), None);
        assert_eq!(ModelPattern::from_existing(&odd), None);
    }
}
