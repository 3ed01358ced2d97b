//! Decoding of query strings and JSON bodies, with Bifrost's 400 answers.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::errors::ApiError;

/// The raw query parameters of a request, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// Every parameter, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of `name`, if present (possibly empty).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` when present with a non-empty value, like the
    /// upstream handlers' `string(ctx.QueryArgs().Peek(name)) != ""` checks.
    pub(crate) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|Query(pairs)| Params(pairs))
            .map_err(|e| ApiError::bad_request(format!("Invalid query string: {e}")))
    }
}

/// Parses a request body as a JSON object ("Invalid JSON" otherwise).
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "Invalid JSON: the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad_request(format!("Invalid JSON: {e}"))),
    }
}

/// Rate-limit maxima must be positive integers; said here with a clearer message
/// than the typed decode (which only knows `NonZeroU64`) would give.
fn check_rate_limit_maxima(value: &Value) -> Result<(), ApiError> {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(rate_limit)) = map.get("rate_limit") {
                for field in ["token_max_limit", "request_max_limit"] {
                    if let Some(Value::Number(n)) = rate_limit.get(field)
                        && n.as_f64().is_some_and(|v| v <= 0.0)
                    {
                        return Err(ApiError::bad_request(format!(
                            "Invalid rate limit: {field} must be greater than 0"
                        )));
                    }
                }
            }
            map.values().try_for_each(check_rate_limit_maxima)
        }
        Value::Array(items) => items.iter().try_for_each(check_rate_limit_maxima),
        _ => Ok(()),
    }
}

/// Decodes a parsed body into one of the generated request types.
pub(crate) fn decode<T: DeserializeOwned>(body: &Map<String, Value>) -> Result<T, ApiError> {
    let body = Value::Object(body.clone());
    check_rate_limit_maxima(&body)?;
    serde_json::from_value(body).map_err(|e| ApiError::bad_request(format!("Invalid JSON: {e}")))
}

/// Checks that a required string field is present and not blank, with the
/// handler's own message, before the typed decode would fail less helpfully.
pub(crate) fn require_name(
    body: &Map<String, Value>,
    field: &str,
    message: &str,
) -> Result<(), ApiError> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(ApiError::bad_request(message)),
        Some(_) => Err(ApiError::bad_request(format!(
            "Invalid JSON: {field} must be a string"
        ))),
    }
}

/// Rejects a present-but-blank optional name on updates.
pub(crate) fn reject_blank(
    body: &Map<String, Value>,
    field: &str,
    message: &str,
) -> Result<(), ApiError> {
    match body.get(field) {
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiError::bad_request(message)),
        _ => Ok(()),
    }
}

/// How an optional field appeared in a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Presence<'a> {
    /// The key was not sent.
    Absent,
    /// The key was sent as `null` or `""`.
    Cleared,
    /// The key was sent with a value.
    Value(&'a str),
}

/// Presence-aware read of an optional string field (`OptionalJSON` upstream).
pub(crate) fn presence<'a>(body: &'a Map<String, Value>, field: &str) -> Presence<'a> {
    match body.get(field) {
        None => Presence::Absent,
        Some(Value::Null) => Presence::Cleared,
        Some(Value::String(s)) if s.is_empty() => Presence::Cleared,
        Some(Value::String(s)) => Presence::Value(s),
        // A wrong type is caught by the typed decode.
        Some(_) => Presence::Absent,
    }
}
