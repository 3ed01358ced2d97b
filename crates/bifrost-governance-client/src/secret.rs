//! Secret-bearing values of the API, redacted in `Debug` and `Display`.
//!
//! The spec marks the virtual-key value (`SecretString`) and provider credentials,
//! MCP headers and connection strings (`EnvVar`) as secrets; the generator maps those
//! schemas to the types below, so no generated type can print a secret by accident.
//! Reading one takes an explicit [`SecretString::expose_secret`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const REDACTED: &str = "[REDACTED]";

/// A secret string, such as a virtual-key value (`sk-bf-…`).
///
/// ```
/// use bifrost_governance_client::secret::SecretString;
///
/// let key = SecretString::from("sk-bf-1234");
/// assert_eq!(format!("{key:?}"), "SecretString([REDACTED])");
/// assert_eq!(key.to_string(), "[REDACTED]");
/// assert_eq!(key.expose_secret(), "sk-bf-1234");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself; the only way to read it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (servers may send `""` for a redacted value).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for SecretString {
    fn from(secret: &str) -> Self {
        Self(secret.to_string())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretString({REDACTED})")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SecretString {
    fn schema_name() -> String {
        "SecretString".to_string()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(concat!(module_path!(), "::SecretString"))
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = String::json_schema(generator).into_object();
        schema.format = Some("password".to_string());
        schema.into()
    }
}

/// A secret that the server sends either as a plain string or as an object naming
/// its source (`{"value": "…", "env_var": "…", "from_env": false}`).
///
/// Only the secret `value` is redacted; where it comes from (`env_var`, …) is not.
///
/// ```
/// use bifrost_governance_client::secret::EnvVar;
///
/// let v: EnvVar = serde_json::from_str(r#"{"value":"sk-live","env_var":"OPENAI_KEY","from_env":true}"#).unwrap();
/// assert!(!format!("{v:?}").contains("sk-live"));
/// assert_eq!(v.value().expose_secret(), "sk-live");
/// assert_eq!(v.env_var.as_deref(), Some("OPENAI_KEY"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct EnvVar {
    /// The secret value (empty or masked when the server redacts it).
    pub value: SecretString,
    /// Name of the environment variable the value is read from, if any.
    pub env_var: Option<String>,
    /// Whether the value comes from the environment.
    pub from_env: Option<bool>,
    /// Secret-manager reference, on newer servers.
    pub secret_ref: Option<String>,
    /// Whether the value comes from a secret manager.
    pub from_secret: Option<bool>,
    /// Vault variable, on newer servers.
    pub vault_var: Option<String>,
    /// Whether the value comes from a vault.
    pub from_vault: Option<bool>,
    /// Whether the server sent the bare-string form.
    pub plain: bool,
}

impl EnvVar {
    /// The secret value.
    pub fn value(&self) -> &SecretString {
        &self.value
    }
}

#[derive(Serialize, Deserialize)]
struct EnvVarObject {
    #[serde(default)]
    value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    env_var: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_env: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_secret: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vault_var: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_vault: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EnvVarWire {
    Plain(String),
    Object(EnvVarObject),
}

impl<'de> Deserialize<'de> for EnvVar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match EnvVarWire::deserialize(deserializer)? {
            EnvVarWire::Plain(value) => EnvVar {
                value: value.into(),
                plain: true,
                ..EnvVar::default()
            },
            EnvVarWire::Object(o) => EnvVar {
                value: o.value.unwrap_or_default().into(),
                env_var: o.env_var,
                from_env: o.from_env,
                secret_ref: o.secret_ref,
                from_secret: o.from_secret,
                vault_var: o.vault_var,
                from_vault: o.from_vault,
                plain: false,
            },
        })
    }
}

impl Serialize for EnvVar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.plain {
            return serializer.serialize_str(self.value.expose_secret());
        }
        EnvVarObject {
            value: Some(self.value.expose_secret().to_string()),
            env_var: self.env_var.clone(),
            from_env: self.from_env,
            secret_ref: self.secret_ref.clone(),
            from_secret: self.from_secret,
            vault_var: self.vault_var.clone(),
            from_vault: self.from_vault,
        }
        .serialize(serializer)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for EnvVar {
    fn schema_name() -> String {
        "EnvVar".to_string()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(concat!(module_path!(), "::EnvVar"))
    }

    fn json_schema(_generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        // Either form is accepted; callers only ever receive it.
        schemars::schema::Schema::Bool(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_round_trips_both_wire_forms() {
        for wire in [
            r#""sk-plain""#,
            r#"{"value":"sk-obj","env_var":"","from_env":false}"#,
        ] {
            let v: EnvVar = serde_json::from_str(wire).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), wire);
            assert!(!format!("{v:?}").contains("sk-"));
        }
    }

    #[test]
    fn env_var_rejects_other_json_types() {
        assert!(serde_json::from_str::<EnvVar>("42").is_err());
    }
}
