//! The request bodies of the key routes (`CreateVirtualKeyRequest`,
//! `UpdateVirtualKeyRequest` in `gov.go`, with the v2 additions).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::errors::ApiError;
use crate::gojson::go_quote;
use crate::limits::{BudgetItem, RateLimitIn};
use crate::profile::Profile;
use crate::request::{Field, zero_if_null};

/// One `provider_configs` entry (create and update).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ProviderConfigIn {
    /// Update only: the row to change (`*uint`).
    #[serde(default)]
    pub(crate) id: Option<u64>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) provider: String,
    #[serde(default)]
    pub(crate) weight: Option<f64>,
    #[serde(default)]
    pub(crate) allowed_models: Option<Vec<String>>,
    /// v2.
    #[serde(default)]
    pub(crate) blacklisted_models: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    pub(crate) rate_limit: Option<RateLimitIn>,
    #[serde(default)]
    pub(crate) key_ids: Option<Vec<String>>,
    /// v2 (PR #5703): `None` leaves the provider's per-model configs alone.
    #[serde(default)]
    pub(crate) model_budgets: Option<Vec<ModelBudgetIn>>,
}

/// One `model_budgets` entry of a provider config (PR #5703 `vkModelBudgetRequest`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ModelBudgetIn {
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) model_name: String,
    #[serde(default)]
    pub(crate) budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    pub(crate) rate_limit: Option<RateLimitIn>,
}

/// One `mcp_configs` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct McpConfigIn {
    #[serde(default)]
    pub(crate) id: Option<u64>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) mcp_client_name: String,
    #[serde(default)]
    pub(crate) tools_to_execute: Option<Vec<String>>,
}

/// `CreateVirtualKeyRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CreateKey {
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) name: String,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) provider_configs: Option<Vec<ProviderConfigIn>>,
    #[serde(default)]
    pub(crate) mcp_configs: Option<Vec<McpConfigIn>>,
    #[serde(default)]
    pub(crate) team_id: Option<String>,
    #[serde(default)]
    pub(crate) customer_id: Option<String>,
    #[serde(default)]
    pub(crate) budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    pub(crate) rate_limit: Option<RateLimitIn>,
    #[serde(default)]
    pub(crate) is_active: Option<bool>,
    #[serde(default, deserialize_with = "zero_if_null")]
    pub(crate) calendar_aligned: bool,
    /// v2 `*time.Time`, read by [`expires_at_time`].
    #[serde(default)]
    pub(crate) expires_at: Option<Value>,
    #[serde(default)]
    pub(crate) delete_after_expire: Option<bool>,
    #[serde(default)]
    pub(crate) allow_all_providers: Option<bool>,
    #[serde(default)]
    pub(crate) disable_content_logging: Option<bool>,
    #[serde(default)]
    pub(crate) metadata: Option<BTreeMap<String, String>>,
}

/// `UpdateVirtualKeyRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UpdateKey {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) provider_configs: Option<Vec<ProviderConfigIn>>,
    #[serde(default)]
    pub(crate) mcp_configs: Option<Vec<McpConfigIn>>,
    /// `*string` on 1.5.x, `OptionalJSON[string]` on v2.
    #[serde(default)]
    pub(crate) team_id: Field<String>,
    #[serde(default)]
    pub(crate) customer_id: Field<String>,
    #[serde(default)]
    pub(crate) budgets: Option<Vec<BudgetItem>>,
    #[serde(default)]
    pub(crate) rate_limit: Option<RateLimitIn>,
    #[serde(default)]
    pub(crate) is_active: Option<bool>,
    #[serde(default)]
    pub(crate) calendar_aligned: Option<bool>,
    /// v2 `*string`: `""` clears, otherwise RFC 3339.
    #[serde(default)]
    pub(crate) expires_at: Option<Value>,
    #[serde(default)]
    pub(crate) delete_after_expire: Field<bool>,
    #[serde(default)]
    pub(crate) allow_all_providers: Option<bool>,
    #[serde(default)]
    pub(crate) disable_content_logging: Field<bool>,
    #[serde(default)]
    pub(crate) metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub(crate) reset_budget_usage: Option<bool>,
}

/// A v2 create's `expires_at` (`*time.Time`): a string that does not parse as
/// RFC 3339, or a value of another type, fails decoding (`Invalid JSON`). 1.5.x has
/// no such field and ignores it.
pub(crate) fn expires_at_time(
    profile: Profile,
    raw: &Option<Value>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    if profile.is_v1_5() {
        return Ok(None);
    }
    match raw {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| ApiError::bad_request("Invalid JSON")),
        Some(_) => Err(ApiError::bad_request("Invalid JSON")),
    }
}

/// A v2 update's `expires_at` (`*string`): `None` when absent, `Some(None)` to clear.
pub(crate) enum ExpiryChange {
    Keep,
    Clear,
    Set(DateTime<Utc>),
}

/// Reads a v2 update's `expires_at` (`v2: governance.go updateVirtualKey`): a
/// non-string is a decode error, `""` clears, a bad time is 400 `expires_at must be
/// an RFC3339 timestamp`, a past one 400 `expires_at must be a future timestamp`.
pub(crate) fn expiry_change(
    profile: Profile,
    raw: &Option<Value>,
    now: DateTime<Utc>,
) -> Result<ExpiryChange, ApiError> {
    if profile.is_v1_5() {
        return Ok(ExpiryChange::Keep);
    }
    match raw {
        None | Some(Value::Null) => Ok(ExpiryChange::Keep),
        Some(Value::String(text)) if text.is_empty() => Ok(ExpiryChange::Clear),
        Some(Value::String(text)) => {
            let at = DateTime::parse_from_rfc3339(text)
                .map_err(|_| ApiError::bad_request("expires_at must be an RFC3339 timestamp"))?
                .with_timezone(&Utc);
            if at <= now {
                return Err(ApiError::bad_request(
                    "expires_at must be a future timestamp",
                ));
            }
            Ok(ExpiryChange::Set(at))
        }
        Some(_) => Err(ApiError::bad_request("Invalid JSON")),
    }
}

/// `ValidateVirtualKeyMetadata` (`v2: tables/virtualkeymetadata.go`, `metadata.go`):
/// at most 50 entries; keys of 1–256 characters of `[a-zA-Z0-9._-]`, not reserved
/// (`isAsyncRequest`, `bifrost_alb_*`); values of at most 512 characters. Keys are
/// checked in sorted order.
pub(crate) fn validate_metadata(metadata: &BTreeMap<String, String>) -> Result<(), String> {
    if metadata.len() > 50 {
        return Err(format!(
            "metadata can have at most 50 entries, got {}",
            metadata.len()
        ));
    }
    for (key, value) in metadata {
        validate_metadata_key(key)?;
        let chars = value.chars().count();
        if chars > 512 {
            return Err(format!(
                "invalid metadata value for key {}: values can be at most 512 characters, got {chars}",
                go_quote(key)
            ));
        }
    }
    Ok(())
}

/// The key rule of [`validate_metadata`], also used by the `metadata_<key>` filters.
pub(crate) fn validate_metadata_key(key: &str) -> Result<(), String> {
    let valid = !key.is_empty()
        && key.chars().count() <= 256
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        return Err(format!(
            "invalid metadata key {}: keys must be 1-256 characters of letters, digits, '.', '_' or '-'",
            go_quote(key)
        ));
    }
    if key == "isAsyncRequest" || key.starts_with("bifrost_alb_") {
        return Err(format!(
            "invalid metadata key {}: the key is reserved for system metadata",
            go_quote(key)
        ));
    }
    Ok(())
}
