//! The prices a pricing override sets.
//!
//! Upstream's patch has over a hundred cost fields (batch, priority, flex, long
//! context, audio, video, …) and grows with every new pricing dimension. A generated
//! struct would drop every field it does not know when a patch is read and written
//! back, so the spec's `PricingPatch` maps to this type instead: a map from field name
//! to value that keeps whatever the server sent, with named setters for the common
//! prices.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The prices of an override, in USD per unit (token, image, second, character…)
/// as each field name says.
///
/// ```
/// use bifrost_governance_client::pricing::PricingPatch;
///
/// let patch = PricingPatch::new()
///     .input_cost_per_token(0.000002)
///     .output_cost_per_token(0.000008)
///     .price("input_cost_per_token_batches", 0.000001);
/// assert_eq!(patch.get("input_cost_per_token"), Some(0.000002));
/// assert_eq!(
///     serde_json::to_string(&patch)?,
///     r#"{"input_cost_per_token":2e-6,"input_cost_per_token_batches":1e-6,"output_cost_per_token":8e-6}"#
/// );
///
/// // Fields this SDK has no setter for survive a read and a write.
/// let read: PricingPatch = serde_json::from_str(r#"{"cost_per_request": 0.01, "peak_hours": {"windows": []}}"#)?;
/// assert_eq!(read.get("cost_per_request"), Some(0.01));
/// assert!(serde_json::to_string(&read)?.contains("peak_hours"));
/// assert_eq!(read.fields().collect::<Vec<_>>(), ["cost_per_request", "peak_hours"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PricingPatch {
    fields: BTreeMap<String, Field>,
}

/// A price set through the API (kept as given, so invalid ones can be refused
/// before sending), or any other value read from the server.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    Price(f64),
    Other(Value),
}

impl Field {
    fn as_f64(&self) -> Option<f64> {
        match self {
            Field::Price(usd) => Some(*usd),
            Field::Other(value) => value.as_f64(),
        }
    }
}

macro_rules! price_setters {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("Sets `", stringify!($name), "` (USD).")]
            pub fn $name(self, usd: f64) -> Self {
                self.price(stringify!($name), usd)
            }
        )*
    };
}

impl PricingPatch {
    /// An empty patch (every price from the catalogue).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a price by field name (any of the spec's cost fields, or a newer one).
    pub fn price(mut self, field: impl Into<String>, usd: f64) -> Self {
        self.fields.insert(field.into(), Field::Price(usd));
        self
    }

    /// Sets a field that is not a plain price (such as `peak_hours`).
    pub fn value(mut self, field: impl Into<String>, value: Value) -> Self {
        self.fields.insert(field.into(), Field::Other(value));
        self
    }

    /// Removes a field.
    pub fn without(mut self, field: &str) -> Self {
        self.fields.remove(field);
        self
    }

    price_setters!(
        input_cost_per_token,
        output_cost_per_token,
        cache_read_input_token_cost,
        cache_creation_input_token_cost,
        input_cost_per_image,
        output_cost_per_image,
        input_cost_per_audio_per_second,
        output_cost_per_audio_per_second,
        input_cost_per_character,
        output_cost_per_character,
        input_cost_per_second,
        output_cost_per_second,
        cost_per_request,
    );

    /// A price, when the field is set to a number.
    pub fn get(&self, field: &str) -> Option<f64> {
        self.fields.get(field).and_then(Field::as_f64)
    }

    /// Every numeric field with its value, in name order (for validation: a price
    /// must be finite and not negative).
    pub fn prices(&self) -> impl Iterator<Item = (&str, f64)> {
        self.fields
            .iter()
            .filter_map(|(k, v)| v.as_f64().map(|usd| (k.as_str(), usd)))
    }

    /// The names of the fields set, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The number of fields set.
    pub fn len(&self) -> usize {
        self.fields.len()
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Price(usd) => serializer.serialize_f64(*usd),
            Field::Other(value) => value.serialize(serializer),
        }
    }
}

impl Serialize for PricingPatch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PricingPatch {
    /// An object of fields; `null` reads as an empty patch.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = Option::<BTreeMap<String, Value>>::deserialize(deserializer)?;
        Ok(Self {
            fields: fields
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, Field::Other(v)))
                .collect(),
        })
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for PricingPatch {
    fn schema_name() -> String {
        "PricingPatch".to_string()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(concat!(module_path!(), "::PricingPatch"))
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        BTreeMap::<String, Value>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_round_trip() {
        let wire = json!({
            "input_cost_per_token": 0.000003,
            "output_cost_per_token_flex": 0.00001,
            "off_peak_cost_multiplier": 0.5,
            "peak_hours": {"timezone": "UTC", "windows": [{"days": [1], "start": "01:00", "end": "04:00"}]}
        });
        let patch: PricingPatch = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(patch.len(), 4);
        assert_eq!(serde_json::to_value(&patch).unwrap(), wire);
    }

    #[test]
    fn null_is_an_empty_patch_and_other_shapes_are_refused() {
        let empty: PricingPatch = serde_json::from_value(json!(null)).unwrap();
        assert!(empty.is_empty());
        assert!(serde_json::from_value::<PricingPatch>(json!([1, 2])).is_err());
        assert!(serde_json::from_value::<PricingPatch>(json!("x")).is_err());
    }
}
