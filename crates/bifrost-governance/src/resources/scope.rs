//! Who a routing rule or a model config applies to.

use super::non_empty;
use crate::error::InvalidInput;

/// The requests a routing rule or model config applies to: everything, or the
/// requests of one team, customer, virtual key or user.
///
/// Sent as the `scope` / `scope_id` pair. Model configs take [`Global`](Scope::Global)
/// and [`VirtualKey`](Scope::VirtualKey); routing rules take every variant
/// ([`User`](Scope::User) on newest v2.x servers).
///
/// ```
/// use bifrost_governance::Scope;
///
/// let scope = Scope::VirtualKey("vk-uuid".into());
/// assert_eq!(scope.kind(), "virtual_key");
/// assert_eq!(scope.id(), Some("vk-uuid"));
/// assert_eq!(Scope::from_wire("global", None), Some(Scope::Global));
/// assert_eq!(Scope::from_wire("team", Some("t-1")), Some(Scope::Team("t-1".into())));
/// assert_eq!(Scope::from_wire("team", None), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// Every request.
    Global,
    /// Requests made with the virtual keys of this team (by id).
    Team(String),
    /// Requests made with the virtual keys of this customer (by id).
    Customer(String),
    /// Requests made with this virtual key (by id, not its `sk-bf-` value).
    VirtualKey(String),
    /// Requests of this user (enterprise identities; newest v2.x servers).
    User(String),
}

impl Scope {
    /// The `scope` value sent: `global`, `team`, `customer`, `virtual_key` or `user`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Team(_) => "team",
            Scope::Customer(_) => "customer",
            Scope::VirtualKey(_) => "virtual_key",
            Scope::User(_) => "user",
        }
    }

    /// The `scope_id` sent; `None` for [`Global`](Scope::Global).
    pub fn id(&self) -> Option<&str> {
        match self {
            Scope::Global => None,
            Scope::Team(id) | Scope::Customer(id) | Scope::VirtualKey(id) | Scope::User(id) => {
                Some(id)
            }
        }
    }

    /// The scope a response describes, from its `scope` and `scope_id`; `None` for a
    /// kind this SDK does not know or a missing id. An empty kind is global (older
    /// servers).
    pub fn from_wire(kind: &str, id: Option<&str>) -> Option<Self> {
        let id = id.filter(|id| !id.is_empty()).map(str::to_string);
        match (kind, id) {
            ("" | "global", _) => Some(Scope::Global),
            ("team", Some(id)) => Some(Scope::Team(id)),
            ("customer", Some(id)) => Some(Scope::Customer(id)),
            ("virtual_key", Some(id)) => Some(Scope::VirtualKey(id)),
            ("user", Some(id)) => Some(Scope::User(id)),
            _ => None,
        }
    }

    /// Refuses an empty id before anything is sent.
    pub(crate) fn check(&self) -> Result<(), InvalidInput> {
        match self.id() {
            Some(id) => non_empty("scope id", id),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips_its_wire_form() {
        for scope in [
            Scope::Global,
            Scope::Team("t".into()),
            Scope::Customer("c".into()),
            Scope::VirtualKey("v".into()),
            Scope::User("u".into()),
        ] {
            assert_eq!(Scope::from_wire(scope.kind(), scope.id()), Some(scope));
        }
        assert_eq!(Scope::from_wire("business_unit", Some("b")), None);
        assert_eq!(Scope::from_wire("virtual_key", Some("")), None);
    }

    #[test]
    fn empty_ids_are_refused() {
        assert!(Scope::Team(String::new()).check().is_err());
        assert!(Scope::User("  ".into()).check().is_err());
        assert!(Scope::Global.check().is_ok());
    }
}
