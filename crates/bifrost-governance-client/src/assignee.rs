//! Who a virtual key is assigned to, in the three states servers distinguish.
//!
//! Since v2.2.1 a key's `assigned_user` is an object when a user holds the key and
//! `null` when nobody does; it is left out when the server could not resolve the
//! assignee (and by every older server). `Option<AssignedUser>` would merge the last
//! two, so the spec maps the field to [`Assignee`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::AssignedUser;

/// The `assigned_user` of a virtual key.
///
/// ```
/// use bifrost_governance_client::assignee::Assignee;
/// use bifrost_governance_client::types::VirtualKey;
///
/// let read = |json: &str| serde_json::from_str::<VirtualKey>(json).map(|k| k.assigned_user);
/// assert_eq!(read(r#"{"id": "vk", "name": "n"}"#)?, Assignee::Unknown);
/// assert_eq!(read(r#"{"id": "vk", "name": "n", "assigned_user": null}"#)?, Assignee::Nobody);
/// let user = read(r#"{"id": "vk", "name": "n",
///     "assigned_user": {"id": "u1", "name": "Ada", "email": "ada@example.com"}}"#)?;
/// assert_eq!(user.user().and_then(|u| u.id.as_deref()), Some("u1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Assignee {
    /// The server did not say (field absent): a server older than v2.2.1, or one
    /// whose user directory could not be reached.
    #[default]
    Unknown,
    /// Nobody holds the key (`"assigned_user": null`).
    Nobody,
    /// This user holds the key.
    User(AssignedUser),
}

impl Assignee {
    /// The user holding the key, if the server named one.
    pub fn user(&self) -> Option<&AssignedUser> {
        match self {
            Self::User(user) => Some(user),
            Self::Unknown | Self::Nobody => None,
        }
    }

    /// Whether the server reported the assignment (a user or nobody).
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown)
    }
}

impl fmt::Display for Assignee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown => f.write_str("unknown"),
            Self::Nobody => f.write_str("nobody"),
            Self::User(user) => {
                let id = user.id.as_deref().unwrap_or_default();
                match user.name.as_deref().filter(|n| !n.is_empty()) {
                    Some(name) => write!(f, "{name} ({id})"),
                    None => f.write_str(id),
                }
            }
        }
    }
}

impl<'de> Deserialize<'de> for Assignee {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The marker object `{"$unresolved": true}`, the spec's default for the
        /// field, which the generated code decodes when the field is missing
        /// (servers never send it); told apart from a user by its only key.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Marker {
            #[serde(rename = "$unresolved")]
            _marker: bool,
        }

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Marker(#[allow(dead_code)] Marker),
            User(AssignedUser),
        }

        Ok(match Option::<Wire>::deserialize(deserializer)? {
            None => Self::Nobody,
            Some(Wire::Marker(_)) => Self::Unknown,
            Some(Wire::User(user)) => Self::User(user),
        })
    }
}

/// Writes what the server wrote, except that an unknown assignee is written as
/// `null`: a field cannot remove itself from its parent object.
impl Serialize for Assignee {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.user().serialize(serializer)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Assignee {
    fn schema_name() -> String {
        "Assignee".to_owned()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        <Option<AssignedUser>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABSENT_MARKER: &str = "$unresolved";

    #[test]
    fn the_marker_is_the_spec_default_and_only_the_marker_is_unknown() {
        let marker = format!(r#"{{"{ABSENT_MARKER}": true}}"#);
        assert_eq!(
            serde_json::from_str::<Assignee>(&marker).unwrap(),
            Assignee::Unknown
        );
        let spec = include_str!("../../../openapi.yaml");
        assert!(spec.contains(&format!(r#"default: {{ "{ABSENT_MARKER}": true }}"#)));

        // A user object without fields is a user, not the marker.
        let empty = serde_json::from_str::<Assignee>("{}").unwrap();
        assert!(matches!(empty, Assignee::User(_)));
        // The marker next to user fields is a user too (unknown keys are ignored).
        let mixed: Assignee = serde_json::from_str(r#"{"$unresolved": true, "id": "u"}"#).unwrap();
        assert_eq!(mixed.user().and_then(|u| u.id.as_deref()), Some("u"));
    }

    #[test]
    fn a_wrong_shape_is_an_error_not_a_panic() {
        for text in ["1", r#""u1""#, "[]", "true"] {
            assert!(serde_json::from_str::<Assignee>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn serializes_user_or_null() {
        assert_eq!(serde_json::to_string(&Assignee::Nobody).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Assignee::Unknown).unwrap(), "null");
        let user: Assignee = serde_json::from_str(r#"{"id": "u", "name": "Ada"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&user).unwrap(),
            r#"{"id":"u","name":"Ada"}"#
        );
        assert_eq!(user.to_string(), "Ada (u)");
    }
}
