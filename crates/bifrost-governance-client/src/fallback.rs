//! A routing rule's fallback, which the server writes in two shapes.
//!
//! Until v2.2.3 a fallback was the string `"provider/model"`. Since then it may also be
//! an object that pins a provider key, `{"provider", "model", "key_id"}`; the server
//! still answers unpinned fallbacks as strings. The spec declares the `oneOf`, and the
//! generator maps it to [`Fallback`], one type for both requests and responses.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One entry of a routing rule's fallback chain.
///
/// ```
/// use bifrost_governance_client::fallback::Fallback;
///
/// let plain = Fallback::model("anthropic/claude-3-5-haiku");
/// assert_eq!(plain.provider(), "anthropic");
/// assert_eq!(serde_json::to_string(&plain)?, r#""anthropic/claude-3-5-haiku""#);
///
/// let pinned = Fallback::pinned("openai", "gpt-4o", "key-uuid");
/// assert_eq!(pinned.key_id(), Some("key-uuid"));
/// assert_eq!(
///     serde_json::to_string(&pinned)?,
///     r#"{"provider":"openai","model":"gpt-4o","key_id":"key-uuid"}"#
/// );
///
/// // Both shapes decode.
/// let read: Vec<Fallback> = serde_json::from_str(
///     r#"["azure/", {"provider": "openai", "model": "gpt-4o", "key_id": "k"}]"#,
/// )?;
/// assert_eq!(read[0].model_name(), "");
/// assert!(read[1].is_pinned());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fallback {
    provider: String,
    model: String,
    key_id: Option<String>,
    provider_key_name: Option<String>,
}

impl Fallback {
    /// A fallback written as the server's string form: `"provider/model"`, or
    /// `"provider/"` to keep the requested model. The provider is what precedes the
    /// first `/`; without a `/` the whole text is the model and the provider is empty
    /// (which servers refuse, and the SDK checks before sending).
    pub fn model(text: impl AsRef<str>) -> Self {
        let text = text.as_ref();
        let (provider, model) = match text.split_once('/') {
            Some((provider, model)) => (provider, model),
            None => ("", text),
        };
        Self {
            provider: provider.to_string(),
            model: model.to_string(),
            key_id: None,
            provider_key_name: None,
        }
    }

    /// A fallback pinned to one provider key (its `key_id` UUID); v2.2.3+ servers.
    pub fn pinned(
        provider: impl Into<String>,
        model: impl Into<String>,
        key_id: impl Into<String>,
    ) -> Self {
        Self {
            provider: provider.into(),
            model: model.into(),
            key_id: Some(key_id.into()),
            provider_key_name: None,
        }
    }

    /// The provider (empty when the server could not tell one).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The model; empty means the requested model is kept.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// The pinned provider key, if any.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref().filter(|k| !k.trim().is_empty())
    }

    /// The provider key name a config file pinned (servers resolve it to a `key_id`).
    pub fn provider_key_name(&self) -> Option<&str> {
        self.provider_key_name
            .as_deref()
            .filter(|k| !k.trim().is_empty())
    }

    /// Whether the fallback is pinned to a provider key (and so needs a v2.2.3+ server).
    pub fn is_pinned(&self) -> bool {
        self.key_id().is_some() || self.provider_key_name().is_some()
    }

    /// The string form, `"provider/model"` (`"model"` without a provider).
    pub fn as_model_string(&self) -> String {
        if self.provider.is_empty() {
            self.model.clone()
        } else {
            format!("{}/{}", self.provider, self.model)
        }
    }
}

impl From<&str> for Fallback {
    /// Reads the string form, as [`Fallback::model`].
    fn from(text: &str) -> Self {
        Fallback::model(text)
    }
}

impl From<String> for Fallback {
    /// Reads the string form, as [`Fallback::model`].
    fn from(text: String) -> Self {
        Fallback::model(text)
    }
}

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_model_string())?;
        if let Some(key) = self.key_id() {
            write!(f, " (key {key})")?;
        }
        Ok(())
    }
}

impl Serialize for Fallback {
    /// Unpinned fallbacks are sent as strings, which every server version reads.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.is_pinned() {
            return serializer.serialize_str(&self.as_model_string());
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("provider", &self.provider)?;
        map.serialize_entry("model", &self.model)?;
        if let Some(key) = self.key_id() {
            map.serialize_entry("key_id", key)?;
        }
        if let Some(name) = self.provider_key_name() {
            map.serialize_entry("provider_key_name", name)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Fallback {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FallbackVisitor)
    }
}

struct FallbackVisitor;

impl<'de> Visitor<'de> for FallbackVisitor {
    type Value = Fallback;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a \"provider/model\" string or a {provider, model, key_id} object")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Fallback, E> {
        Ok(Fallback::model(text))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fallback, A::Error> {
        let mut fallback = Fallback {
            provider: String::new(),
            model: String::new(),
            key_id: None,
            provider_key_name: None,
        };
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            // `null` members count as absent; unknown members are ignored, as Go does.
            match key.as_ref() {
                "provider" => fallback.provider = trimmed(map.next_value()?),
                "model" => fallback.model = trimmed(map.next_value()?),
                "key_id" => fallback.key_id = map.next_value::<Option<String>>()?,
                "provider_key_name" => {
                    fallback.provider_key_name = map.next_value::<Option<String>>()?
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(fallback)
    }
}

/// The server trims the members of the object form.
fn trimmed(value: Option<String>) -> String {
    value.map(|v| v.trim().to_string()).unwrap_or_default()
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Fallback {
    fn schema_name() -> String {
        "RoutingFallback".to_string()
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed(concat!(module_path!(), "::Fallback"))
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, ObjectValidation, SchemaObject, SubschemaValidation};
        let mut object = ObjectValidation::default();
        for member in ["provider", "model", "key_id", "provider_key_name"] {
            object
                .properties
                .insert(member.to_string(), String::json_schema(generator));
        }
        object.required.insert("provider".to_string());
        let object = SchemaObject {
            instance_type: Some(InstanceType::Object.into()),
            object: Some(Box::new(object)),
            ..Default::default()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                one_of: Some(vec![String::json_schema(generator), object.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_round_trip_byte_for_byte() {
        for text in ["openai/gpt-4o", "azure/", "gpt-4o", "vertex/gemini-1.5/pro"] {
            let fallback: Fallback = serde_json::from_value(json!(text)).unwrap();
            assert_eq!(serde_json::to_value(&fallback).unwrap(), json!(text));
        }
    }

    #[test]
    fn an_unpinned_object_is_written_back_as_a_string() {
        let fallback: Fallback =
            serde_json::from_value(json!({"provider": " openai ", "model": "gpt-4o"})).unwrap();
        assert!(!fallback.is_pinned());
        assert_eq!(
            serde_json::to_value(&fallback).unwrap(),
            json!("openai/gpt-4o")
        );
    }

    #[test]
    fn pinned_objects_keep_their_key() {
        let wire = json!({"provider": "openai", "model": "gpt-4o", "key_id": "k-1"});
        let fallback: Fallback = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(fallback, Fallback::pinned("openai", "gpt-4o", "k-1"));
        assert_eq!(serde_json::to_value(&fallback).unwrap(), wire);
    }

    #[test]
    fn nulls_blank_keys_and_unknown_members_are_tolerated() {
        let fallback: Fallback = serde_json::from_value(
            json!({"provider": "openai", "model": null, "key_id": "  ", "extra": [1]}),
        )
        .unwrap();
        assert_eq!(fallback.model_name(), "");
        assert!(!fallback.is_pinned());
    }

    #[test]
    fn other_json_types_are_refused() {
        for wire in [json!(7), json!(["openai/gpt-4o"]), json!(true), json!(null)] {
            assert!(
                serde_json::from_value::<Fallback>(wire.clone()).is_err(),
                "{wire}"
            );
        }
    }
}
