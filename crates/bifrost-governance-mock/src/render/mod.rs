//! Responses as Go's `encoding/json` writes Bifrost's structs, per profile.
//!
//! Each function renders one upstream struct from a record, in its field order, with
//! its tags (`omitempty`, pointers, nil slices) and custom `MarshalJSON`. What a
//! response embeds is what upstream preloads, given as a view
//! ([`TeamView`], [`CustomerView`], [`KeyView`]).

mod config;
mod entities;

pub(crate) use config::{
    TargetOrder, model_config, pricing_override, provider_governance, provider_governance_v2,
    routing_rule,
};
pub(crate) use entities::{
    CustomerView, KeyView, TeamView, customer, key, quota_provider_config, team,
};

use chrono::{DateTime, TimeZone, Utc};

use crate::gojson::{Go, Obj};
use crate::profile::{Profile, Tables};
use crate::store::Store;
use crate::store::catalog::{Key, McpClient};
use crate::store::records::{Budget, BudgetOwner, RateLimit};

/// What every renderer needs.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) store: &'a Store,
    pub(crate) profile: Profile,
    /// Key-scoped model configs by key (v2 hydration), when a list is rendered.
    pub(crate) gov: Option<&'a crate::governance::Index<'a>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(store: &'a Store, profile: Profile) -> Self {
        Self {
            store,
            profile,
            gov: None,
        }
    }

    fn v2(self) -> bool {
        self.profile.tables() == Tables::V2
    }
}

/// Go's zero `time.Time`.
fn zero_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0)
        .single()
        .expect("year 1")
}

/// A nil-or-not string slice.
fn strings(items: Option<&Vec<String>>) -> Go {
    Go::slice(items.map(|v| v.iter().map(|s| Go::from(s.as_str())).collect::<Vec<_>>()))
}

/// `schemas.EnvVar` / `SecretVar` as stored: `{"value", "env_var", "from_env"}`.
fn env_var(value: &str) -> Go {
    Obj::new()
        .field("value", value)
        .field("env_var", "")
        .field("from_env", false)
        .into()
}

/// `TableBudget` (`tables/budget.go`).
pub(crate) fn budget(ctx: Ctx<'_>, b: &Budget) -> Go {
    let (team, vk, pc, mc, customer) = match &b.owner {
        BudgetOwner::Team(id) => (Some(id), None, None, None, None),
        BudgetOwner::VirtualKey(id) => (None, Some(id), None, None, None),
        BudgetOwner::ProviderConfig(id) => (None, None, Some(*id), None, None),
        BudgetOwner::ModelConfig(id) => (None, None, None, Some(id), None),
        BudgetOwner::Customer(id) => (None, None, None, None, Some(id)),
        BudgetOwner::Detached => (None, None, None, None, None),
    };
    let obj = Obj::new()
        .field("id", b.id.as_str())
        .field("max_limit", b.max_limit)
        .field("reset_duration", b.reset_duration.as_str())
        .field("last_reset", b.last_reset)
        .field("current_usage", b.current_usage);
    if !ctx.v2() {
        return obj
            .omit_nil("team_id", team)
            .omit_nil("virtual_key_id", vk)
            .omit_nil("provider_config_id", pc.map(|id| id as i64))
            .field("calendar_aligned", b.calendar_aligned)
            .field("config_hash", "")
            .field("created_at", b.created_at)
            .field("updated_at", b.updated_at)
            .into();
    }
    let grant = b.grant.as_ref();
    obj.omitempty("override_amount", grant.map_or(0.0, |g| g.amount))
        .omitempty("override_mode", grant.map_or("", |g| g.mode.as_str()))
        .omitempty(
            "override_cycles_remaining",
            grant.map_or(0, |g| g.cycles_remaining),
        )
        .omitempty("override_cycles_total", grant.map_or(0, |g| g.cycles_total))
        .omit_nil("override_anchor_reset", grant.and_then(|g| g.anchor))
        .omit_nil(
            "reset_config",
            b.reset_config
                .map(|m| Obj::new().omitempty("quarter_start_month", m)),
        )
        .omit_nil("team_id", team)
        .omit_nil("virtual_key_id", vk)
        .omit_nil("provider_config_id", pc.map(|id| id as i64))
        .omit_nil("model_config_id", mc)
        .omit_nil("customer_id", customer)
        .field("config_hash", "")
        .field("created_at", b.created_at)
        .field("updated_at", b.updated_at)
        .into()
}

/// An owner's budgets, in creation order (`[]TableBudget`, nil when there are none).
pub(crate) fn budgets(ctx: Ctx<'_>, ids: &[String]) -> Go {
    let rows: Vec<Go> = ctx
        .store
        .budgets_of(ids)
        .into_iter()
        .map(|b| budget(ctx, b))
        .collect();
    if rows.is_empty() {
        Go::Null
    } else {
        Go::Array(rows)
    }
}

/// `TableRateLimit` (`tables/ratelimit.go`).
pub(crate) fn rate_limit(ctx: Ctx<'_>, rl: &RateLimit) -> Go {
    let obj = Obj::new()
        .field("id", rl.id.as_str())
        .omit_nil("token_max_limit", rl.token_max_limit)
        .omit_nil("token_reset_duration", rl.token_reset_duration.as_deref())
        .field("token_current_usage", rl.token_current_usage)
        .field("token_last_reset", rl.token_last_reset)
        .omit_nil("request_max_limit", rl.request_max_limit)
        .omit_nil(
            "request_reset_duration",
            rl.request_reset_duration.as_deref(),
        )
        .field("request_current_usage", rl.request_current_usage)
        .field("request_last_reset", rl.request_last_reset);
    let obj = if ctx.v2() {
        obj
    } else {
        obj.field("calendar_aligned", false)
    };
    obj.field("config_hash", "")
        .field("created_at", rl.created_at)
        .field("updated_at", rl.updated_at)
        .into()
}

/// A rate limit by optional id (`*TableRateLimit`).
pub(crate) fn rate_limit_of(ctx: Ctx<'_>, id: Option<&String>) -> Option<Go> {
    ctx.store.rate_limit(id).map(|rl| rate_limit(ctx, rl))
}

/// `TableKey` as a key's provider config embeds it: only `id, name, key_id,
/// models_json, provider` are loaded and `AfterFind` blanks the secrets
/// (`rdb.go preloadVirtualKeyBaseRelations`, `tables/virtualkey.go AfterFind`).
pub(crate) fn embedded_key(key: &Key) -> Go {
    Obj::new()
        .field("id", key.id as i64)
        .field("name", key.name.as_str())
        .field("provider_id", 0i64)
        .field("provider", key.provider.as_str())
        .field("key_id", key.key_id.as_str())
        .field("value", env_var(""))
        .field("weight", Go::Null)
        .field("enabled", true)
        .field("created_at", zero_time())
        .field("updated_at", zero_time())
        .field("config_hash", "")
        .field("use_for_batch_api", false)
        .field("status", "")
        .field("models", strings(Some(&key.models)))
        .field("blacklisted_models", Go::Null)
        .into()
}

/// `TableMCPClient` (`tables/mcp.go`), decrypted as `AfterFind` leaves it.
pub(crate) fn mcp_client(ctx: Ctx<'_>, c: &McpClient) -> Go {
    let stdio = c.stdio.as_ref().map(|(command, args)| {
        Obj::new()
            .field("command", command.as_str())
            .field("args", strings(Some(args)))
            .field("envs", Go::Array(Vec::new()))
    });
    let headers = Go::Map(
        c.headers
            .iter()
            .map(|(k, v)| (k.clone(), env_var(v)))
            .collect(),
    );
    let obj = Obj::new()
        .field("id", c.id as i64)
        .field("client_id", c.client_id.as_str())
        .field("name", c.name.as_str())
        .field("is_code_mode_client", false)
        .field("connection_type", c.connection_type.as_str())
        .omit_nil(
            "connection_string",
            c.connection_string.as_deref().map(env_var),
        )
        .field("is_ping_available", true);
    let obj = if ctx.v2() {
        obj.field("tool_sync_interval", 0i64)
            .field("tool_execution_timeout", 0i64)
    } else {
        obj.field("tool_sync_interval", 0i64)
    };
    let obj = obj
        .field("auth_type", c.auth_type.as_str())
        .field("oauth_config_id", Go::Null)
        .field("allow_on_all_virtual_keys", false)
        .field("disabled", false)
        .field("config_hash", "")
        .field("created_at", c.created_at)
        .field("updated_at", c.created_at)
        .omit_nil("stdio_config", stdio)
        .field("tools_to_execute", strings(Some(&c.tools_to_execute)))
        .field("tools_to_auto_execute", Go::Array(Vec::new()))
        .field("headers", headers)
        .field("allowed_extra_headers", Go::Array(Vec::new()))
        .field("tool_pricing", Go::Map(Default::default()));
    if ctx.v2() {
        obj.field("per_user_header_keys", Go::Null).into()
    } else {
        obj.into()
    }
}
