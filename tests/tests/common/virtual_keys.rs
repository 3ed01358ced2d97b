//! Fixtures shared by the virtual-key contract tests: realistic keys as servers
//! answer them, the replies that carry them, and the specs the tests send.
#![allow(dead_code)]

use bifrost_governance::{BudgetSpec, BudgetSpecs, RateLimitSpec, ResetPeriod, SecretString};
use bifrost_governance_tests::contract::Reply;
use bifrost_governance_wiremock::fixtures::{
    budget, mcp_config, provider_config, provider_key, rate_limit, team, virtual_key,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

pub const VALUE: &str = "sk-bf-11111111-aaaa-4bbb-8ccc-000000000001";

/// A key with every field the server fills in (built with the kit's fixtures): in
/// team `team-1`, an `openai` config that allows every key (`allow_all_keys: true,
/// keys: []`, as servers answer; see upstream issue #7347) and an `anthropic` config
/// limited to two keys.
pub fn full_key() -> Value {
    virtual_key("vk-1")
        .name("checkout")
        .value(VALUE)
        .description("checkout service")
        .team(team("team-1").name("platform"))
        .provider_config(
            provider_config("openai")
                .id(7)
                .weight(0.7)
                .allowed_models(["gpt-4o"])
                .budget(
                    budget("pc-bud")
                        .max_limit(5.0)
                        .reset_duration("1d")
                        .provider_config_id(7),
                )
                .rate_limit(rate_limit("pc-rl").tokens(1000, "1h")),
        )
        .provider_config(
            provider_config("anthropic")
                .id(8)
                .weight(0.3)
                .blacklisted_models(["claude-2"])
                .key(provider_key("key-a").name("main"))
                .key(provider_key("key-b").name("backup")),
        )
        .mcp_config(mcp_config("github").id(3).client_id(9).tools(["search"]))
        .budget(
            budget("bud-d")
                .max_limit(10.0)
                .reset_duration("1d")
                .current_usage(2.5)
                .virtual_key_id("vk-1"),
        )
        .budget(
            budget("bud-m")
                .max_limit(200.0)
                .reset_duration("1M")
                .current_usage(50.0)
                .virtual_key_id("vk-1"),
        )
        .rate_limit(rate_limit("rl-1").requests(60, "1m").request_usage(4))
        .expires_at("2027-01-01T00:00:00Z")
        .metadata([("env", "prod")])
        .build()
}

/// The same key, given to customer `cust-1` instead of a team.
pub fn customer_key() -> Value {
    let mut key = full_key();
    key["team_id"] = Value::Null;
    key["team"] = Value::Null;
    key["customer_id"] = json!("cust-1");
    key
}

pub fn unassigned_key() -> Value {
    let mut key = full_key();
    key["team_id"] = Value::Null;
    key["team"] = Value::Null;
    key
}

pub fn one(key: Value) -> Reply {
    Reply::ok(json!({ "virtual_key": key }))
}

pub fn written(key: Value) -> Reply {
    Reply::ok(json!({ "message": "Virtual key updated successfully", "virtual_key": key }))
}

pub fn assert_full_key(vk: &bifrost_governance::types::VirtualKey) {
    assert_eq!((vk.id.as_str(), vk.name.as_str()), ("vk-1", "checkout"));
    assert_eq!(
        vk.value.as_ref().map(SecretString::expose_secret),
        Some(VALUE)
    );
    assert_eq!(vk.description.as_deref(), Some("checkout service"));
    assert_eq!(vk.is_active, Some(true));
    assert_eq!(vk.team_id.as_deref(), Some("team-1"));
    assert_eq!(vk.customer_id, None);
    assert_eq!(vk.team.as_ref().map(|t| t.name.as_str()), Some("platform"));
    let configs = vk.provider_configs.as_ref().expect("provider configs");
    assert_eq!(configs.len(), 2);
    assert_eq!(configs[0].id, Some(7));
    assert_eq!(configs[0].provider.as_deref(), Some("openai"));
    assert_eq!(configs[0].weight, Some(0.7));
    assert_eq!(
        configs[0].allowed_models.as_deref(),
        Some(&["gpt-4o".to_string()][..])
    );
    assert_eq!(configs[0].allow_all_keys, Some(true));
    assert_eq!(configs[0].keys.as_deref().map(<[_]>::len), Some(0));
    assert_eq!(
        configs[0].budgets.as_ref().unwrap()[0].provider_config_id,
        Some(7)
    );
    assert_eq!(
        configs[0].rate_limit.as_ref().unwrap().token_max_limit,
        Some(1000)
    );
    assert_eq!(configs[1].allow_all_keys, Some(false));
    let key_ids: Vec<_> = configs[1]
        .keys
        .iter()
        .flatten()
        .filter_map(|k| k.key_id.as_deref())
        .collect();
    assert_eq!(key_ids, ["key-a", "key-b"]);
    assert_eq!(
        configs[1].blacklisted_models.as_deref(),
        Some(&["claude-2".to_string()][..])
    );
    let mcp = &vk.mcp_configs.as_ref().expect("mcp configs")[0];
    assert_eq!(mcp.id, Some(3));
    assert_eq!(
        mcp.mcp_client.as_ref().and_then(|c| c.name.as_deref()),
        Some("github")
    );
    assert_eq!(
        mcp.tools_to_execute.as_deref(),
        Some(&["search".to_string()][..])
    );
    let budgets = vk.budgets.as_ref().expect("budgets");
    assert_eq!(
        budgets
            .iter()
            .map(|b| (
                b.id.as_str(),
                b.max_limit,
                b.reset_duration.as_deref(),
                b.current_usage
            ))
            .collect::<Vec<_>>(),
        [
            ("bud-d", Some(10.0), Some("1d"), Some(2.5)),
            ("bud-m", Some(200.0), Some("1M"), Some(50.0))
        ]
    );
    let rate_limit = vk.rate_limit.as_ref().expect("rate limit");
    assert_eq!(rate_limit.token_max_limit, None);
    assert_eq!(rate_limit.request_max_limit, Some(60));
    assert_eq!(rate_limit.request_reset_duration.as_deref(), Some("1m"));
    assert_eq!(rate_limit.request_current_usage, Some(4));
    assert_eq!(vk.calendar_aligned, Some(false));
    assert_eq!(
        vk.expires_at,
        Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
    );
    assert_eq!(vk.rotated_at, None);
    assert_eq!(
        vk.metadata
            .as_ref()
            .and_then(|m| m.get("env"))
            .map(String::as_str),
        Some("prod")
    );
    assert_eq!(vk.created_at.map(|t| t.timestamp()), Some(1_767_323_045));
}

pub fn daily_and_monthly() -> BudgetSpecs {
    BudgetSpecs::try_from([
        BudgetSpec::new(10.0, ResetPeriod::days(1)).unwrap(),
        BudgetSpec::new(200.0, ResetPeriod::months(1)).unwrap(),
    ])
    .unwrap()
}

pub fn sixty_a_minute() -> RateLimitSpec {
    RateLimitSpec::builder()
        .requests(60, ResetPeriod::minutes(1))
        .build()
        .unwrap()
}
