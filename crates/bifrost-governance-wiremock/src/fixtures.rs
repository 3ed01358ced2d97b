//! Realistic response bodies, shaped like the newest Bifrost (v2.x) answers them.
//!
//! Each function starts a builder with the fields a server always fills in (ids,
//! timestamps, `config_hash`, empty collections, explicit `null`s where the server
//! writes them); typed setters change what a test cares about. A builder is used as a
//! body directly ([`Reply::json`](crate::Reply::json) takes any of them, and they
//! serialize inside `serde_json::json!`), or turned into a `serde_json::Value` with
//! `build()`. Every builder also has `set(field, value)` and `without(field)` for
//! fields without a setter, or to imitate an older server.
//!
//! ```
//! use bifrost_governance_wiremock::fixtures::{budget, rate_limit, team, teams_page, virtual_key};
//! use serde_json::json;
//!
//! let key = virtual_key("vk-1")
//!     .name("checkout")
//!     .team(team("team-1").name("platform"))
//!     .budget(budget("bud-1").max_limit(10.0).reset_duration("1d").current_usage(2.5))
//!     .rate_limit(rate_limit("rl-1").requests(60, "1m"))
//!     .build();
//! assert_eq!(key["team_id"], "team-1");
//! assert_eq!(key["team"]["name"], "platform");
//! assert!(key["value"].as_str().unwrap().starts_with("sk-bf-"));
//!
//! let page = teams_page([team("team-1"), team("team-2")]).total_count(12).limit(2).build();
//! assert_eq!(page["count"], 2);
//! assert_eq!(page["total_count"], 12);
//!
//! // Inside json!, too.
//! let body = json!({ "virtual_keys": [virtual_key("vk-2")] });
//! assert_eq!(body["virtual_keys"][0]["id"], "vk-2");
//! ```
//!
//! Each kind of answer:
//!
//! ```
//! use bifrost_governance_wiremock::fixtures::*;
//!
//! let key = virtual_key("vk-1")
//!     .name("checkout")
//!     .team(team("team-1").name("platform"))
//!     .provider_config(provider_config("openai").allowed_models(["gpt-4o"]))
//!     .budget(budget("bud-1").max_limit(10.0).reset_duration("1d").current_usage(2.5))
//!     .rate_limit(rate_limit("rl-1").requests(60, "1m"));
//! let read = key.clone().envelope(); // {"virtual_key": {...}}, as GET answers
//! let page = virtual_keys_page([key]).total_count(40).limit(1).offset(0); // as list answers
//! let not_found = bifrost_error(404, "Virtual key not found");
//! # assert_eq!(read["virtual_key"]["provider_configs"][0]["allowed_models"][0], "gpt-4o");
//! # assert_eq!(page.build()["total_count"], 40);
//! # assert_eq!(not_found.build()["error"]["message"], "Virtual key not found");
//! ```
//!
//! Reads of one object answer `{"<kind>": …}` ([`VirtualKey::envelope`] and the like);
//! creates and updates add a `message` ([`VirtualKey::envelope_with_message`]).
//! Lists answer a page ([`virtual_keys_page`], [`teams_page`], …: `count`,
//! `total_count`, `limit`, `offset` next to the items, as a server answers a request
//! without paging parameters until you set them). Errors answer [`bifrost_error`].

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value, json};

/// `created_at` (and `last_reset`) of every fixture: 2026-01-02 03:04:05 UTC.
pub const CREATED_AT: &str = "2026-01-02T03:04:05Z";
/// `updated_at` of every fixture: 2026-01-03 03:04:05 UTC.
pub const UPDATED_AT: &str = "2026-01-03T03:04:05Z";
/// The time Go writes for an unset `time.Time` (provider keys embedded in a key).
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

macro_rules! fixture {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq)]
        #[must_use = "a fixture does nothing until it is built or used as a body"]
        pub struct $name(Map<String, Value>);

        impl $name {
            /// Sets `field` to `value` as given: a field without a typed setter, or a
            /// value another server version writes.
            pub fn set(mut self, field: &str, value: impl Into<Value>) -> Self {
                self.0.insert(field.to_string(), value.into());
                self
            }

            /// Removes `field`, as a server that omits it answers.
            pub fn without(mut self, field: &str) -> Self {
                self.0.remove(field);
                self
            }

            /// The JSON object.
            pub fn build(self) -> Value {
                Value::Object(self.0)
            }
        }

        impl From<$name> for Value {
            fn from(fixture: $name) -> Value {
                fixture.build()
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        /// Only the id: fixtures carry secret-shaped values (`sk-bf-…`).
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("id", &self.0.get("id"))
                    .finish_non_exhaustive()
            }
        }
    };
    ($(#[$doc:meta])* $name:ident, envelope = $key:literal) => {
        fixture!($(#[$doc])* $name);

        impl $name {
            #[doc = concat!("`{\"", $key, "\": …}`: how the server answers a read of one.")]
            pub fn envelope(self) -> Value {
                json!({ $key: self.build() })
            }

            #[doc = concat!("`{\"message\": …, \"", $key, "\": …}`: how the server answers a create or update.")]
            pub fn envelope_with_message(self, message: &str) -> Value {
                json!({ "message": message, $key: self.build() })
            }
        }
    };
}

/// Appends `item` to the array `field` (created when absent or `null`).
fn push(map: &mut Map<String, Value>, field: &str, item: Value) {
    let slot = map.entry(field.to_string()).or_insert(Value::Null);
    match slot {
        Value::Array(items) => items.push(item),
        other => *other = Value::Array(vec![item]),
    }
}

/// Sets `field` of `item` when it has none (ids and owners filled in by a parent).
fn default_field(item: &mut Value, field: &str, value: Value) {
    if let Value::Object(map) = item {
        map.entry(field.to_string()).or_insert(value);
    }
}

/// Length of the array `field`, 0 when absent.
fn len_of(map: &Map<String, Value>, field: &str) -> usize {
    map.get(field).and_then(Value::as_array).map_or(0, Vec::len)
}

fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.into())).collect())
}

fn values<V: Into<Value>>(items: impl IntoIterator<Item = V>) -> Vec<Value> {
    items.into_iter().map(Into::into).collect()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("fixture defaults are objects"),
    }
}

/// A deterministic, distinct `sk-bf-<uuid>` value for a key id (FNV-1a).
pub fn secret_value(id: &str) -> String {
    let hash = |seed: u64| {
        id.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    format!(
        "sk-bf-{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

// ------------------------------------------------------------------ errors

fixture! {
    /// A `BifrostError` envelope; see [`bifrost_error`].
    BifrostError
}

/// The error envelope every failing governance call answers, as the server writes it:
/// `{"is_bifrost_error": false, "status_code": status, "error": {"message": …}, "extra_fields": {}}`.
pub fn bifrost_error(status: u16, message: &str) -> BifrostError {
    BifrostError(object(json!({
        "is_bifrost_error": false,
        "status_code": status,
        "error": { "message": message },
        "extra_fields": {}
    })))
}

impl BifrostError {
    fn detail(mut self, field: &str, value: &str) -> Self {
        if let Some(Value::Object(error)) = self.0.get_mut("error") {
            error.insert(field.to_string(), Value::String(value.to_string()));
        }
        self
    }

    /// `error.type`.
    pub fn error_type(self, kind: &str) -> Self {
        self.detail("type", kind)
    }

    /// `error.code`.
    pub fn code(self, code: &str) -> Self {
        self.detail("code", code)
    }

    /// `error.param`.
    pub fn param(self, param: &str) -> Self {
        self.detail("param", param)
    }

    /// `event_id` (top level).
    pub fn event_id(self, id: &str) -> Self {
        self.set("event_id", id)
    }
}

// ------------------------------------------------------------------ budgets and rate limits

fixture! {
    /// A budget; see [`budget`].
    Budget
}

/// A budget of $100 a month with nothing spent.
pub fn budget(id: &str) -> Budget {
    Budget(object(json!({
        "id": id,
        "max_limit": 100.0,
        "reset_duration": "1M",
        "last_reset": CREATED_AT,
        "current_usage": 0.0,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl Budget {
    /// `max_limit` in USD.
    pub fn max_limit(self, usd: f64) -> Self {
        self.set("max_limit", usd)
    }

    /// `reset_duration` (`1d`, `1w`, `1M`, `1Q`, `1Y`, or a Go duration such as `1h`).
    pub fn reset_duration(self, duration: &str) -> Self {
        self.set("reset_duration", duration)
    }

    /// `current_usage` in USD.
    pub fn current_usage(self, usd: f64) -> Self {
        self.set("current_usage", usd)
    }

    /// `last_reset` (RFC 3339).
    pub fn last_reset(self, at: &str) -> Self {
        self.set("last_reset", at)
    }

    /// A quarterly budget's first month of Q1 (`reset_config`).
    pub fn quarter_start_month(self, month: u8) -> Self {
        self.set("reset_config", json!({ "quarter_start_month": month }))
    }

    /// An override adding `usd` to `max_limit` until removed.
    pub fn override_forever(self, usd: f64) -> Self {
        self.set("override_amount", usd)
            .set("override_mode", "forever")
    }

    /// An override adding `usd` for `total` reset windows, `remaining` of them left,
    /// anchored at `last_reset`.
    pub fn override_cycles(self, usd: f64, total: i64, remaining: i64) -> Self {
        let anchor = self.0.get("last_reset").cloned().unwrap_or(Value::Null);
        self.set("override_amount", usd)
            .set("override_mode", "cycles")
            .set("override_cycles_total", total)
            .set("override_cycles_remaining", remaining)
            .set("override_anchor_reset", anchor)
    }

    /// Owner: `team_id`.
    pub fn team_id(self, id: &str) -> Self {
        self.set("team_id", id)
    }

    /// Owner: `customer_id`.
    pub fn customer_id(self, id: &str) -> Self {
        self.set("customer_id", id)
    }

    /// Owner: `virtual_key_id` (newest servers hang a key's own budgets on its
    /// key-scoped model config instead: [`Budget::model_config_id`]).
    pub fn virtual_key_id(self, id: &str) -> Self {
        self.set("virtual_key_id", id)
    }

    /// Owner: `model_config_id`.
    pub fn model_config_id(self, id: &str) -> Self {
        self.set("model_config_id", id)
    }

    /// Owner: `provider_config_id`.
    pub fn provider_config_id(self, id: i64) -> Self {
        self.set("provider_config_id", id)
    }
}

fixture! {
    /// A rate limit; see [`rate_limit`].
    RateLimit
}

/// A rate limit with no maximum set yet and nothing used.
pub fn rate_limit(id: &str) -> RateLimit {
    RateLimit(object(json!({
        "id": id,
        "token_current_usage": 0,
        "token_last_reset": CREATED_AT,
        "request_current_usage": 0,
        "request_last_reset": CREATED_AT,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl RateLimit {
    /// At most `max` tokens per `reset_duration`.
    pub fn tokens(self, max: i64, reset_duration: &str) -> Self {
        self.set("token_max_limit", max)
            .set("token_reset_duration", reset_duration)
    }

    /// At most `max` requests per `reset_duration`.
    pub fn requests(self, max: i64, reset_duration: &str) -> Self {
        self.set("request_max_limit", max)
            .set("request_reset_duration", reset_duration)
    }

    /// `token_current_usage`.
    pub fn token_usage(self, tokens: i64) -> Self {
        self.set("token_current_usage", tokens)
    }

    /// `request_current_usage`.
    pub fn request_usage(self, requests: i64) -> Self {
        self.set("request_current_usage", requests)
    }
}

// ------------------------------------------------------------------ virtual keys

fixture! {
    /// A virtual key; see [`virtual_key`].
    VirtualKey, envelope = "virtual_key"
}

/// An active virtual key named after its id, with a [`secret_value`], no providers
/// (deny by default), no MCP tools, no team or customer.
pub fn virtual_key(id: &str) -> VirtualKey {
    VirtualKey(object(json!({
        "id": id,
        "name": id,
        "value": secret_value(id),
        "is_active": true,
        "provider_configs": [],
        "mcp_configs": [],
        "calendar_aligned": false,
        "allow_all_providers": false,
        "assigned_user": null,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl VirtualKey {
    /// `name`.
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }

    /// `value`, the `sk-bf-…` secret.
    pub fn value(self, value: &str) -> Self {
        self.set("value", value)
    }

    /// `description`.
    pub fn description(self, text: &str) -> Self {
        self.set("description", text)
    }

    /// `is_active`.
    pub fn active(self, active: bool) -> Self {
        self.set("is_active", active)
    }

    /// Assigns the key to a team: `team_id` and the embedded `team` (without its
    /// `customer` and `virtual_keys`, as keys embed it). A `&str` is a team id.
    pub fn team(self, team: impl Into<Team>) -> Self {
        let team = team.into().without("customer").without("virtual_keys");
        let id = team.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("team_id", id).set("team", team)
    }

    /// Assigns the key to a customer: `customer_id` and the embedded `customer` (with
    /// `teams` and `virtual_keys` set to `null`, as keys embed it). A `&str` is a
    /// customer id.
    pub fn customer(self, customer: impl Into<Customer>) -> Self {
        let customer = customer
            .into()
            .set("teams", Value::Null)
            .set("virtual_keys", Value::Null);
        let id = customer.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("customer_id", id).set("customer", customer)
    }

    /// Adds a provider config; it gets this key's id as `virtual_key_id`, and an `id`
    /// (its position, from 1) unless it has one.
    pub fn provider_config(mut self, config: ProviderConfig) -> Self {
        let mut config = config.build();
        let position = len_of(&self.0, "provider_configs") + 1;
        default_field(&mut config, "id", json!(position));
        default_field(&mut config, "virtual_key_id", self.0["id"].clone());
        push(&mut self.0, "provider_configs", config);
        self
    }

    /// Lets the key use every provider without a config (`allow_all_providers`).
    pub fn allow_all_providers(self, allow: bool) -> Self {
        self.set("allow_all_providers", allow)
    }

    /// Adds an MCP config; it gets this key's id as `virtual_key_id`, and an `id`
    /// (its position, from 1) unless it has one.
    pub fn mcp_config(mut self, config: McpConfig) -> Self {
        let mut config = config.build();
        let position = len_of(&self.0, "mcp_configs") + 1;
        default_field(&mut config, "id", json!(position));
        default_field(&mut config, "virtual_key_id", self.0["id"].clone());
        push(&mut self.0, "mcp_configs", config);
        self
    }

    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        push(&mut self.0, "budgets", budget.build());
        self
    }

    /// The rate limit, and its `rate_limit_id`.
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        let id = limit.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("rate_limit_id", id).set("rate_limit", limit)
    }

    /// `calendar_aligned`: budgets reset at calendar boundaries.
    pub fn calendar_aligned(self, aligned: bool) -> Self {
        self.set("calendar_aligned", aligned)
    }

    /// `expires_at` (RFC 3339).
    pub fn expires_at(self, at: &str) -> Self {
        self.set("expires_at", at)
    }

    /// A rotation at `at` whose previous value keeps working until `previous_valid_until`.
    pub fn rotated(self, at: &str, previous_valid_until: &str) -> Self {
        self.set("rotated_at", at)
            .set("previous_value_expires_at", previous_valid_until)
    }

    /// `metadata` entries.
    pub fn metadata<K: Into<String>, V: Into<String>>(
        self,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map: Map<String, Value> = entries
            .into_iter()
            .map(|(k, v)| (k.into(), Value::String(v.into())))
            .collect();
        self.set("metadata", map)
    }
}

fixture! {
    /// What a virtual key may do with one provider; see [`provider_config`].
    ProviderConfig
}

/// A provider config allowing every model (`["*"]`) and every key of `provider`.
pub fn provider_config(provider: &str) -> ProviderConfig {
    ProviderConfig(object(json!({
        "provider": provider,
        "weight": 1.0,
        "allowed_models": ["*"],
        "blacklisted_models": [],
        "allow_all_keys": true,
        "keys": []
    })))
}

impl ProviderConfig {
    /// `id`.
    pub fn id(self, id: i64) -> Self {
        self.set("id", id)
    }

    /// `weight` for load balancing.
    pub fn weight(self, weight: f64) -> Self {
        self.set("weight", weight)
    }

    /// `allowed_models` (`["*"]` = all).
    pub fn allowed_models<S: Into<String>>(self, models: impl IntoIterator<Item = S>) -> Self {
        self.set("allowed_models", strings(models))
    }

    /// `blacklisted_models`.
    pub fn blacklisted_models<S: Into<String>>(self, models: impl IntoIterator<Item = S>) -> Self {
        self.set("blacklisted_models", strings(models))
    }

    /// Limits the config to listed keys and adds `key` (its `provider` is this one's,
    /// its `id` its position from 1, unless set).
    pub fn key(mut self, key: ProviderKey) -> Self {
        let mut key = key.build();
        let position = len_of(&self.0, "keys") + 1;
        default_field(&mut key, "id", json!(position));
        default_field(&mut key, "provider", self.0["provider"].clone());
        push(&mut self.0, "keys", key);
        self.set("allow_all_keys", false)
    }

    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        push(&mut self.0, "budgets", budget.build());
        self
    }

    /// The rate limit, and its `rate_limit_id`.
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        let id = limit.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("rate_limit_id", id).set("rate_limit", limit)
    }
}

fixture! {
    /// A provider key as embedded in a provider config; see [`provider_key`].
    ProviderKey
}

/// A provider key as a virtual key embeds it: only `id`, `name`, `key_id`, `models`
/// and `provider` are loaded, the rest keeps Go's zero values, credentials are absent.
pub fn provider_key(key_id: &str) -> ProviderKey {
    ProviderKey(object(json!({
        "name": key_id,
        "provider_id": 0,
        "key_id": key_id,
        "weight": null,
        "models": [],
        "status": "",
        "config_hash": "",
        "created_at": ZERO_TIME,
        "updated_at": ZERO_TIME
    })))
}

impl ProviderKey {
    /// `id` (the row id, not `key_id`).
    pub fn id(self, id: i64) -> Self {
        self.set("id", id)
    }

    /// `name`.
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }

    /// `provider`.
    pub fn provider(self, provider: &str) -> Self {
        self.set("provider", provider)
    }
}

fixture! {
    /// Which tools of one MCP client a virtual key may run; see [`mcp_config`].
    McpConfig
}

/// Access to every tool (`["*"]`) of the MCP client `client_name` (client id 1).
pub fn mcp_config(client_name: &str) -> McpConfig {
    McpConfig(object(json!({
        "mcp_client_id": 1,
        "mcp_client": {
            "id": 1,
            "client_id": client_name,
            "name": client_name,
            "is_code_mode_client": false,
            "connection_type": "http",
            "tool_sync_interval": 0,
            "tool_execution_timeout": 0,
            "auth_type": "headers",
            "oauth_config_id": null,
            "allow_on_all_virtual_keys": false,
            "disabled": false,
            "tools_to_execute": [],
            "tools_to_auto_execute": [],
            "headers": {},
            "allowed_extra_headers": [],
            "tool_pricing": {},
            "per_user_header_keys": null,
            "config_hash": "",
            "created_at": CREATED_AT,
            "updated_at": UPDATED_AT
        },
        "tools_to_execute": ["*"]
    })))
}

impl McpConfig {
    /// `id`.
    pub fn id(self, id: i64) -> Self {
        self.set("id", id)
    }

    /// The MCP client's row id (`mcp_client_id` and `mcp_client.id`).
    pub fn client_id(mut self, id: i64) -> Self {
        if let Some(Value::Object(client)) = self.0.get_mut("mcp_client") {
            client.insert("id".into(), json!(id));
        }
        self.set("mcp_client_id", id)
    }

    /// `tools_to_execute`.
    pub fn tools<S: Into<String>>(self, tools: impl IntoIterator<Item = S>) -> Self {
        self.set("tools_to_execute", strings(tools))
    }
}

// ------------------------------------------------------------------ teams and customers

fixture! {
    /// A team; see [`team`].
    Team, envelope = "team"
}

/// A team named after its id, with no customer, budgets, rate limit or keys.
pub fn team(id: &str) -> Team {
    Team(object(json!({
        "id": id,
        "name": id,
        "virtual_key_count": 0,
        "profile": null,
        "config": null,
        "claims": null,
        "calendar_aligned": false,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl From<&str> for Team {
    fn from(id: &str) -> Self {
        team(id)
    }
}

impl Team {
    /// `name`.
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }

    /// The team's customer: `customer_id` and the embedded `customer`. A `&str` is a
    /// customer id.
    pub fn customer(self, customer: impl Into<Customer>) -> Self {
        let customer = customer.into();
        let id = customer.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("customer_id", id).set("customer", customer)
    }

    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        push(&mut self.0, "budgets", budget.build());
        self
    }

    /// The rate limit, and its `rate_limit_id`.
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        let id = limit.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("rate_limit_id", id).set("rate_limit", limit)
    }

    /// `virtual_key_count`.
    pub fn virtual_key_count(self, count: i64) -> Self {
        self.set("virtual_key_count", count)
    }

    /// `calendar_aligned`.
    pub fn calendar_aligned(self, aligned: bool) -> Self {
        self.set("calendar_aligned", aligned)
    }
}

fixture! {
    /// A customer; see [`customer`].
    Customer, envelope = "customer"
}

/// A customer named after its id, with no teams, keys, budgets or rate limit.
pub fn customer(id: &str) -> Customer {
    Customer(object(json!({
        "id": id,
        "name": id,
        "teams": [],
        "virtual_keys": [],
        "virtual_key_count": 0,
        "team_count": 0,
        "calendar_aligned": false,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl From<&str> for Customer {
    fn from(id: &str) -> Self {
        customer(id)
    }
}

impl Customer {
    /// `name`.
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }

    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        push(&mut self.0, "budgets", budget.build());
        self
    }

    /// The rate limit, and its `rate_limit_id`.
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        let id = limit.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("rate_limit_id", id).set("rate_limit", limit)
    }

    /// Adds a team (and counts it in `team_count`).
    pub fn team(mut self, team: impl Into<Team>) -> Self {
        push(&mut self.0, "teams", team.into().build());
        let count = len_of(&self.0, "teams");
        self.set("team_count", count)
    }

    /// Adds a virtual key (and counts it in `virtual_key_count`).
    pub fn virtual_key(mut self, key: VirtualKey) -> Self {
        push(&mut self.0, "virtual_keys", key.build());
        let count = len_of(&self.0, "virtual_keys");
        self.set("virtual_key_count", count)
    }

    /// `calendar_aligned`.
    pub fn calendar_aligned(self, aligned: bool) -> Self {
        self.set("calendar_aligned", aligned)
    }
}

// ------------------------------------------------------------------ model configs and providers

fixture! {
    /// A model config; see [`model_config`].
    ModelConfig, envelope = "model_config"
}

/// A global model config for every model (`model_name: "*"`), without limits.
pub fn model_config(id: &str) -> ModelConfig {
    ModelConfig(object(json!({
        "id": id,
        "model_name": "*",
        "scope": "global",
        "calendar_aligned": false,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl ModelConfig {
    /// `model_name` (`*` = every model).
    pub fn model_name(self, model: &str) -> Self {
        self.set("model_name", model)
    }

    /// `provider`.
    pub fn provider(self, provider: &str) -> Self {
        self.set("provider", provider)
    }

    /// `scope` (`global`, `virtual_key`, `user`) and its `scope_id`.
    pub fn scope(self, scope: &str, scope_id: &str) -> Self {
        self.set("scope", scope).set("scope_id", scope_id)
    }

    /// `scope_name` (the scoped key's name, filled in by the server on reads).
    pub fn scope_name(self, name: &str) -> Self {
        self.set("scope_name", name)
    }

    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        push(&mut self.0, "budgets", budget.build());
        self
    }

    /// The rate limit, and its `rate_limit_id`.
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        let id = limit.0.get("id").cloned().unwrap_or(Value::Null);
        self.set("rate_limit_id", id).set("rate_limit", limit)
    }

    /// `calendar_aligned`.
    pub fn calendar_aligned(self, aligned: bool) -> Self {
        self.set("calendar_aligned", aligned)
    }
}

fixture! {
    /// The governance of one provider; see [`provider_governance`].
    ProviderGovernance, envelope = "provider"
}

/// A provider without budgets or rate limit.
pub fn provider_governance(provider: &str) -> ProviderGovernance {
    ProviderGovernance(object(json!({
        "provider": provider,
        "calendar_aligned": false
    })))
}

impl ProviderGovernance {
    /// Adds a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        push(&mut self.0, "budgets", budget.build());
        self
    }

    /// The rate limit.
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        self.set("rate_limit", limit)
    }

    /// `calendar_aligned`.
    pub fn calendar_aligned(self, aligned: bool) -> Self {
        self.set("calendar_aligned", aligned)
    }
}

// ------------------------------------------------------------------ routing rules and pricing

fixture! {
    /// A routing rule; see [`routing_rule`].
    RoutingRule, envelope = "rule"
}

/// An enabled global rule named after its id, matching everything (empty CEL), with
/// no targets yet.
pub fn routing_rule(id: &str) -> RoutingRule {
    RoutingRule(object(json!({
        "id": id,
        "name": id,
        "description": "",
        "enabled": true,
        "cel_expression": "",
        "targets": [],
        "scope": "global",
        "scope_id": null,
        "chain_rule": false,
        "priority": 0,
        "config_hash": "",
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl RoutingRule {
    /// `name`.
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }

    /// `description`.
    pub fn description(self, text: &str) -> Self {
        self.set("description", text)
    }

    /// `enabled`.
    pub fn enabled(self, enabled: bool) -> Self {
        self.set("enabled", enabled)
    }

    /// `cel_expression`.
    pub fn cel_expression(self, cel: &str) -> Self {
        self.set("cel_expression", cel)
    }

    /// Adds a target.
    pub fn target(mut self, provider: &str, model: &str, weight: f64) -> Self {
        let target = json!({ "provider": provider, "model": model, "weight": weight });
        push(&mut self.0, "targets", target);
        self
    }

    /// Adds a fallback; unpinned fallbacks are answered as `"provider/model"` strings.
    pub fn fallback(mut self, fallback: impl Into<Value>) -> Self {
        push(&mut self.0, "fallbacks", fallback.into());
        self
    }

    /// `scope` (`global`, `team`, `customer`, `virtual_key`, …) and its `scope_id`.
    pub fn scope(self, scope: &str, scope_id: &str) -> Self {
        self.set("scope", scope).set("scope_id", scope_id)
    }

    /// `priority` (lower runs first).
    pub fn priority(self, priority: i64) -> Self {
        self.set("priority", priority)
    }

    /// `chain_rule`.
    pub fn chain_rule(self, chain: bool) -> Self {
        self.set("chain_rule", chain)
    }
}

fixture! {
    /// A pricing override; see [`pricing_override`].
    PricingOverride, envelope = "pricing_override"
}

/// A global override named after its id for chat completions of `gpt-4o`, with an
/// empty patch.
pub fn pricing_override(id: &str) -> PricingOverride {
    PricingOverride(object(json!({
        "id": id,
        "name": id,
        "scope_kind": "global",
        "match_type": "exact",
        "pattern": "gpt-4o",
        "request_types": ["chat_completion"],
        "patch": {},
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT
    })))
}

impl PricingOverride {
    /// `name`.
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }

    /// `scope_kind` (`global`, `provider`, `virtual_key_provider`, …); set the ids it
    /// needs with [`PricingOverride::set`] (`virtual_key_id`, `provider_id`, …).
    pub fn scope_kind(self, kind: &str) -> Self {
        self.set("scope_kind", kind)
    }

    /// `match_type` (`exact` or `wildcard`) and `pattern`.
    pub fn pattern(self, match_type: &str, pattern: &str) -> Self {
        self.set("match_type", match_type).set("pattern", pattern)
    }

    /// `request_types`.
    pub fn request_types<S: Into<String>>(self, kinds: impl IntoIterator<Item = S>) -> Self {
        self.set("request_types", strings(kinds))
    }

    /// The `patch` object (prices per token, image, second, …).
    pub fn patch(self, patch: Value) -> Self {
        self.set("patch", patch)
    }
}

// ------------------------------------------------------------------ lists

fixture! {
    /// A list response; see [`page`].
    Page
}

/// A page of `items` under `items_key`, as a server answers a request without paging
/// parameters: `count` and `total_count` are the number of items, `limit` too, and
/// `offset` is 0. Set the paging the request asked for with [`Page::limit`],
/// [`Page::offset`] and [`Page::total_count`].
pub fn page<V: Into<Value>>(items_key: &str, items: impl IntoIterator<Item = V>) -> Page {
    let items = values(items);
    let n = items.len();
    Page(object(json!({
        items_key: items,
        "count": n,
        "total_count": n,
        "limit": n,
        "offset": 0
    })))
}

/// A list response without paging: the items and their `count` (budgets, rate
/// limits, providers).
fn list<V: Into<Value>>(items_key: &str, items: impl IntoIterator<Item = V>) -> Page {
    let items = values(items);
    let n = items.len();
    Page(object(json!({ items_key: items, "count": n })))
}

impl Page {
    /// `total_count`: rows matching the filters across all pages.
    pub fn total_count(self, total: i64) -> Self {
        self.set("total_count", total)
    }

    /// `limit`: the page size the server applied.
    pub fn limit(self, limit: i64) -> Self {
        self.set("limit", limit)
    }

    /// `offset`: rows skipped.
    pub fn offset(self, offset: i64) -> Self {
        self.set("offset", offset)
    }
}

/// `list_virtual_keys`: a [`page`] under `virtual_keys`.
pub fn virtual_keys_page<V: Into<Value>>(keys: impl IntoIterator<Item = V>) -> Page {
    page("virtual_keys", keys)
}

/// `list_teams`: a [`page`] under `teams`.
pub fn teams_page<V: Into<Value>>(teams: impl IntoIterator<Item = V>) -> Page {
    page("teams", teams)
}

/// `list_customers`: a [`page`] under `customers`.
pub fn customers_page<V: Into<Value>>(customers: impl IntoIterator<Item = V>) -> Page {
    page("customers", customers)
}

/// `list_model_configs`: a [`page`] under `model_configs`.
pub fn model_configs_page<V: Into<Value>>(configs: impl IntoIterator<Item = V>) -> Page {
    page("model_configs", configs)
}

/// `list_routing_rules`: a [`page`] under `rules`.
pub fn routing_rules_page<V: Into<Value>>(rules: impl IntoIterator<Item = V>) -> Page {
    page("rules", rules)
}

/// `list_pricing_overrides`: a [`page`] under `pricing_overrides`.
pub fn pricing_overrides_page<V: Into<Value>>(overrides: impl IntoIterator<Item = V>) -> Page {
    page("pricing_overrides", overrides)
}

/// `list_budgets`: every budget and their `count` (no paging).
pub fn budgets_list<V: Into<Value>>(budgets: impl IntoIterator<Item = V>) -> Page {
    list("budgets", budgets)
}

/// `list_rate_limits`: every rate limit and their `count` (no paging).
pub fn rate_limits_list<V: Into<Value>>(limits: impl IntoIterator<Item = V>) -> Page {
    list("rate_limits", limits)
}

/// `list_provider_governance`: every provider and their `count` (no paging).
pub fn providers_list<V: Into<Value>>(providers: impl IntoIterator<Item = V>) -> Page {
    list("providers", providers)
}
