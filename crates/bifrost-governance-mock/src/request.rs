//! Query strings and JSON bodies, read the way Bifrost's Go handlers read them.
//!
//! Bodies are decoded like `encoding/json`'s `Unmarshal` into the handler's request
//! struct: unknown members are ignored, `null` leaves a field at its zero value
//! (`nil` for pointers and slices), a value of the wrong JSON type fails, and so does
//! anything but an object (a bare `null` decodes to the zero struct). Every failure
//! answers 400 `Invalid JSON`, the handlers' only decode error.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;

use crate::errors::ApiError;

/// The raw query parameters of a request, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Every parameter, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// `string(ctx.QueryArgs().Peek(name))`: the first value, `""` when absent.
    pub(crate) fn peek(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether `name` is exactly `"true"` (the handlers' flag test).
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.peek(name) == "true"
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|Query(pairs)| Params(pairs))
            .map_err(|_| ApiError::bad_request("Invalid query string"))
    }
}

/// `json.Unmarshal(ctx.PostBody(), &req)` (also `sonic.Unmarshal`): the request
/// struct, or 400 `Invalid JSON`.
pub(crate) fn decode<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    let invalid = || ApiError::bad_request("Invalid JSON");
    match serde_json::from_slice::<Value>(body).map_err(|_| invalid())? {
        Value::Null => Ok(T::default()),
        object @ Value::Object(_) => serde_json::from_value(object).map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

/// A non-pointer Go field: `null` leaves the zero value.
pub(crate) fn zero_if_null<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A field whose presence matters: absent, explicitly `null`, or a value
/// (`schemas.OptionalJSON` and the pricing handler's `nullableString`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Field<T> {
    /// Not in the body.
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent with a value.
    Value(T),
}

impl<T> Field<T> {
    /// The value, when one was sent.
    pub(crate) fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A Go pointer field: `null` and absent are both nil.
    pub(crate) fn as_option(&self) -> Option<&T> {
        self.value()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Field::Null,
            Some(v) => Field::Value(v),
        })
    }
}

/// `url.PathUnescape`: `%XX` sequences decoded; a malformed escape or invalid UTF-8
/// is an error.
pub(crate) fn path_unescape(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A path segment as fasthttp hands it to 1.5.x handlers: valid escapes decoded,
/// anything else kept as sent.
pub(crate) fn path_lenient(raw: &str) -> String {
    path_unescape(raw).unwrap_or_else(|| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "zero_if_null")]
        name: String,
        #[serde(default)]
        team_id: Field<String>,
        #[serde(default)]
        weight: Option<f64>,
    }

    #[test]
    fn decodes_like_go() {
        let p: Probe = decode(br#"{"name": null, "team_id": null, "unknown": [1]}"#).unwrap();
        assert_eq!(p.name, "");
        assert_eq!(p.team_id, Field::Null);
        let p: Probe = decode(b"null").unwrap();
        assert_eq!(p.team_id, Field::Absent);
        let p: Probe = decode(br#"{"weight": 1}"#).unwrap();
        assert_eq!(p.weight, Some(1.0));
        for bad in [&b"[]"[..], b"\"x\"", b"", b"{} x", br#"{"weight": "1"}"#] {
            assert_eq!(
                decode::<Probe>(bad).unwrap_err().message,
                "Invalid JSON",
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn path_unescape_follows_go() {
        assert_eq!(path_unescape("a%20b").as_deref(), Some("a b"));
        assert_eq!(path_unescape("%zz"), None);
        assert_eq!(path_unescape("%4"), None);
        assert_eq!(path_lenient("%zz"), "%zz");
    }
}
