//! Contract tests of the virtual-key operations, through the ergonomic crate: every
//! request is checked against openapi.yaml by the spec-driven mock, every canned
//! response is validated against the response schema, and the exact requests sent
//! (query, body, headers) are asserted.
//!
//! Updates and patches ask the server version first (once per client): v1.x servers
//! drop the assignment of a PUT that does not mention it, so the SDK then reads the
//! key and sends its `team_id`/`customer_id` again.

use std::collections::HashMap;

use bifrost_governance::resources::virtual_keys::{
    Assignment, McpConfigSpec, ProviderConfigSpec, SortOrder, VirtualKeySortBy,
};
use bifrost_governance::{
    BudgetSpec, BudgetSpecs, Error, RateLimitSpec, ResetPeriod, SecretString,
};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, bifrost_error, client, mount_version};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::MockServer;

const VALUE: &str = "sk-bf-11111111-aaaa-4bbb-8ccc-000000000001";

/// A key with every field the server fills in: in team `team-1`, an `openai` config
/// that allows every key (`allow_all_keys: true, keys: []`, as servers answer; see
/// upstream issue #7347) and an `anthropic` config limited to two keys.
fn full_key() -> Value {
    json!({
        "id": "vk-1",
        "name": "checkout",
        "value": VALUE,
        "description": "checkout service",
        "is_active": true,
        "team_id": "team-1",
        "customer_id": null,
        "team": { "id": "team-1", "name": "platform" },
        "provider_configs": [
            {
                "id": 7,
                "virtual_key_id": "vk-1",
                "provider": "openai",
                "weight": 0.7,
                "allowed_models": ["gpt-4o"],
                "blacklisted_models": [],
                "allow_all_keys": true,
                "keys": [],
                "budgets": [{ "id": "pc-bud", "max_limit": 5.0, "reset_duration": "1d", "provider_config_id": 7 }],
                "rate_limit": { "id": "pc-rl", "token_max_limit": 1000, "token_reset_duration": "1h" }
            },
            {
                "id": 8,
                "virtual_key_id": "vk-1",
                "provider": "anthropic",
                "weight": 0.3,
                "allowed_models": ["*"],
                "blacklisted_models": ["claude-2"],
                "allow_all_keys": false,
                "keys": [
                    { "id": 1, "key_id": "key-a", "name": "main", "provider": "anthropic" },
                    { "id": 2, "key_id": "key-b", "name": "backup", "provider": "anthropic" }
                ]
            }
        ],
        "mcp_configs": [{
            "id": 3,
            "virtual_key_id": "vk-1",
            "mcp_client_id": 9,
            "mcp_client": { "id": 9, "name": "github" },
            "tools_to_execute": ["search"]
        }],
        "budgets": [
            { "id": "bud-d", "max_limit": 10.0, "reset_duration": "1d", "current_usage": 2.5, "virtual_key_id": "vk-1" },
            { "id": "bud-m", "max_limit": 200.0, "reset_duration": "1M", "current_usage": 50.0, "virtual_key_id": "vk-1" }
        ],
        "rate_limit_id": "rl-1",
        "rate_limit": {
            "id": "rl-1",
            "token_max_limit": null,
            "token_reset_duration": null,
            "request_max_limit": 60,
            "request_reset_duration": "1m",
            "request_current_usage": 4
        },
        "calendar_aligned": false,
        "expires_at": "2027-01-01T00:00:00Z",
        "rotated_at": null,
        "previous_value_expires_at": null,
        "metadata": { "env": "prod" },
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-03T03:04:05Z"
    })
}

/// The same key, given to customer `cust-1` instead of a team.
fn customer_key() -> Value {
    let mut key = full_key();
    key["team_id"] = Value::Null;
    key["team"] = Value::Null;
    key["customer_id"] = json!("cust-1");
    key
}

fn unassigned_key() -> Value {
    let mut key = full_key();
    key["team_id"] = Value::Null;
    key["team"] = Value::Null;
    key
}

fn one(key: Value) -> Reply {
    Reply::ok(json!({ "virtual_key": key }))
}

fn written(key: Value) -> Reply {
    Reply::ok(json!({ "message": "Virtual key updated successfully", "virtual_key": key }))
}

fn assert_full_key(vk: &bifrost_governance::types::VirtualKey) {
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

fn daily_and_monthly() -> BudgetSpecs {
    BudgetSpecs::try_from([
        BudgetSpec::new(10.0, ResetPeriod::days(1)).unwrap(),
        BudgetSpec::new(200.0, ResetPeriod::months(1)).unwrap(),
    ])
    .unwrap()
}

fn sixty_a_minute() -> RateLimitSpec {
    RateLimitSpec::builder()
        .requests(60, ResetPeriod::minutes(1))
        .build()
        .unwrap()
}

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_sends_every_filter_and_the_sort_and_decodes_the_page() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .query("limit", "25")
        .query("offset", "50")
        .query("search", "check")
        .query("customer_id", "cust-1")
        .query("team_id", "team-1")
        .query("sort_by", "budget_spent")
        .query("order", "desc")
        .no_query("export")
        .respond(Reply::ok(json!({
            "virtual_keys": [full_key()],
            "count": 1,
            "total_count": 51,
            "limit": 25,
            "offset": 50
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .virtual_keys()
        .list()
        .search("check")
        .customer_id("cust-1")
        .team_id("team-1")
        .sort_by(VirtualKeySortBy::BudgetSpent)
        .order(SortOrder::Desc)
        .page_size(25)
        .offset(50)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (51, 25, 50));
    assert_eq!(page.items.len(), 1);
    assert_full_key(&page.items[0]);
    let seen = &guard.requests()[0];
    assert_eq!(
        seen.query.len(),
        7,
        "exactly the filters that were set: {:?}",
        seen.query
    );
    assert!(seen.raw_body.is_empty());
}

#[tokio::test]
async fn list_sends_each_sort_column_and_direction_on_the_wire() {
    let cases = [
        (VirtualKeySortBy::Name, SortOrder::Asc, "name", "asc"),
        (
            VirtualKeySortBy::BudgetSpent,
            SortOrder::Desc,
            "budget_spent",
            "desc",
        ),
        (
            VirtualKeySortBy::CreatedAt,
            SortOrder::Desc,
            "created_at",
            "desc",
        ),
        (VirtualKeySortBy::Status, SortOrder::Asc, "status", "asc"),
    ];
    for (sort_by, order, wire_sort, wire_order) in cases {
        let server = MockServer::start().await;
        let guard = contract::expect("list_virtual_keys")
            .authorization(AUTHORIZATION)
            .query("sort_by", wire_sort)
            .query("order", wire_order)
            .respond(Reply::ok(json!({ "virtual_keys": [], "count": 0, "total_count": 0, "limit": 100, "offset": 0 })))
            .times(1)
            .mount(&server)
            .await;

        let page = client(&server.uri())
            .virtual_keys()
            .list()
            .sort_by(sort_by)
            .order(order)
            .send()
            .await
            .unwrap();

        assert!(page.items.is_empty());
        assert_eq!(guard.request_count(), 1);
    }
}

#[tokio::test]
async fn list_without_filters_sends_only_limit_and_offset() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .query("limit", "100")
        .query("offset", "0")
        .no_query("search")
        .no_query("customer_id")
        .no_query("team_id")
        .no_query("sort_by")
        .no_query("order")
        .respond(Reply::ok(
            json!({ "virtual_keys": null, "count": 0, "total_count": 0, "limit": 100, "offset": 0 }),
        ))
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .virtual_keys()
        .list()
        .send()
        .await
        .unwrap();

    assert!(
        page.items.is_empty(),
        "`virtual_keys: null` is an empty page"
    );
    assert_eq!(page.total_count, 0);
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn list_collect_all_keeps_the_filters_on_every_page() {
    let server = MockServer::start().await;
    let mut second = full_key();
    second["id"] = json!("vk-2");
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .query("team_id", "team-1")
        .query("limit", "1")
        .respond_with(move |seen| {
            let (key, offset) = match seen.query("offset") {
                Some("0") => (full_key(), 0),
                _ => (second.clone(), 1),
            };
            Reply::ok(json!({ "virtual_keys": [key], "count": 1, "total_count": 2, "limit": 1, "offset": offset }))
        })
        .mount(&server)
        .await;

    let all = client(&server.uri())
        .virtual_keys()
        .list()
        .team_id("team-1")
        .page_size(1)
        .collect_all()
        .await
        .unwrap();

    assert_eq!(
        all.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["vk-1", "vk-2"]
    );
    let offsets: Vec<_> = guard
        .requests()
        .iter()
        .map(|r| r.query("offset").unwrap().to_string())
        .collect();
    assert_eq!(offsets, ["0", "1"]);
}

// ------------------------------------------------------------------ get

#[tokio::test]
async fn get_decodes_every_field_and_sends_no_body() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(one(full_key()))
        .times(1)
        .mount(&server)
        .await;

    let vk = client(&server.uri())
        .virtual_keys()
        .get("vk-1")
        .await
        .unwrap();

    assert_full_key(&vk);
    let seen = &guard.requests()[0];
    assert!(seen.raw_body.is_empty() && seen.query.is_empty());
}

#[tokio::test]
async fn get_not_found_is_one_request_and_an_empty_id_is_none() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            404,
            bifrost_error(404, "Virtual key not found"),
        ))
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let err = keys.get("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.as_api().unwrap().message, "Virtual key not found");
    assert_eq!(guard.request_count(), 1);

    let err = keys.get(" ").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(
        guard.request_count(),
        1,
        "an empty id is refused before sending"
    );
}

// ------------------------------------------------------------------ create

#[tokio::test]
async fn create_sends_budgets_rate_limit_provider_and_mcp_configs() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Virtual key created successfully", "virtual_key": full_key() }),
        ))
        .times(1)
        .mount(&server)
        .await;

    let provider_budget = BudgetSpecs::from(BudgetSpec::new(5.0, ResetPeriod::days(1)).unwrap());
    let provider_limit = RateLimitSpec::builder()
        .tokens(1000, ResetPeriod::hours(1))
        .build()
        .unwrap();
    let expires = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
    let created = client(&server.uri())
        .virtual_keys()
        .create("checkout")
        .description("checkout service")
        .assign_team("team-1")
        .budgets(daily_and_monthly())
        .rate_limit(sixty_a_minute())
        .provider_config(
            ProviderConfigSpec::new("openai")
                .models(["gpt-4o"])
                .weight(0.7)
                .budgets(provider_budget)
                .rate_limit(provider_limit),
        )
        .provider_config(
            ProviderConfigSpec::new("anthropic")
                .block_models(["claude-2"])
                .keys(["key-a", "key-b"])
                .weight(0.3),
        )
        .mcp_config(McpConfigSpec::new("github").tools(["search"]))
        .mcp_config(McpConfigSpec::new("filesystem"))
        .enabled(true)
        .calendar_aligned(true)
        .expires_at(expires)
        .metadata("env", "prod")
        .send()
        .await
        .unwrap();

    assert_full_key(&created);
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "checkout",
            "description": "checkout service",
            "team_id": "team-1",
            "is_active": true,
            "calendar_aligned": true,
            "budgets": [
                { "max_limit": 10.0, "reset_duration": "1d", "calendar_aligned": true },
                { "max_limit": 200.0, "reset_duration": "1M", "calendar_aligned": true }
            ],
            "rate_limit": { "request_max_limit": 60, "request_reset_duration": "1m" },
            "provider_configs": [
                {
                    "provider": "openai",
                    "weight": 0.7,
                    "allowed_models": ["gpt-4o"],
                    "blacklisted_models": [],
                    "key_ids": ["*"],
                    "budgets": [{ "max_limit": 5.0, "reset_duration": "1d" }],
                    "rate_limit": { "token_max_limit": 1000, "token_reset_duration": "1h" }
                },
                {
                    "provider": "anthropic",
                    "weight": 0.3,
                    "allowed_models": ["*"],
                    "blacklisted_models": ["claude-2"],
                    "key_ids": ["key-a", "key-b"]
                }
            ],
            "mcp_configs": [
                { "mcp_client_name": "github", "tools_to_execute": ["search"] },
                { "mcp_client_name": "filesystem", "tools_to_execute": ["*"] }
            ],
            "expires_at": "2099-01-01T00:00:00Z",
            "metadata": { "env": "prod" }
        })
    );
}

#[tokio::test]
async fn create_with_a_bare_provider_allows_every_model_and_every_key() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(unassigned_key()))
        .mount(&server)
        .await;

    client(&server.uri())
        .virtual_keys()
        .create("solo")
        .assign_customer("cust-1")
        .provider_config(ProviderConfigSpec::new("openai"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({
            "name": "solo",
            "customer_id": "cust-1",
            "provider_configs": [{
                "provider": "openai",
                "allowed_models": ["*"],
                "blacklisted_models": [],
                "key_ids": ["*"]
            }]
        })
    );
}

#[tokio::test]
async fn create_with_only_a_name_sends_only_the_name() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(
            json!({ "id": "vk-9", "name": "bare", "value": "sk-bf-9" }),
        ))
        .mount(&server)
        .await;

    let created = client(&server.uri())
        .virtual_keys()
        .create("bare")
        .send()
        .await
        .unwrap();

    assert_eq!(created.id, "vk-9");
    assert_eq!(created.value.unwrap().expose_secret(), "sk-bf-9");
    assert_eq!(guard.single_body(), json!({ "name": "bare" }));
}

#[tokio::test]
async fn invalid_creates_send_nothing() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .times(0)
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let both = keys
        .create("x")
        .assign_team("team-1")
        .assign_customer("cust-1")
        .send()
        .await;
    let past = keys
        .create("x")
        .expires_at(Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap())
        .send()
        .await;
    let no_name = keys.create(" ").send().await;
    let bad_weight = keys
        .create("x")
        .provider_config(ProviderConfigSpec::new("openai").weight(-1.0))
        .send()
        .await;
    let empty_provider = keys
        .create("x")
        .provider_config(ProviderConfigSpec::new(" "))
        .send()
        .await;
    let hourly_aligned = keys
        .create("x")
        .budget(BudgetSpec::new(1.0, ResetPeriod::hours(1)).unwrap())
        .calendar_aligned(true)
        .send()
        .await;
    let repeated_period = keys
        .create("x")
        .budget(BudgetSpec::new(1.0, ResetPeriod::days(1)).unwrap())
        .budget(BudgetSpec::new(2.0, ResetPeriod::hours(24)).unwrap())
        .send()
        .await;

    for (what, result) in [
        ("team and customer", both),
        ("expiry in the past", past),
        ("blank name", no_name),
        ("negative weight", bad_weight),
        ("blank provider", empty_provider),
        ("hourly budget, calendar aligned", hourly_aligned),
        ("repeated budget period", repeated_period),
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{what}: {err:?}");
    }
    assert_eq!(guard.request_count(), 0);
}

#[tokio::test]
async fn create_is_not_retried_after_a_503() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(503, bifrost_error(503, "upstream unavailable")))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .create("once")
        .send()
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        guard.request_count(),
        1,
        "a retried create may make a second key"
    );
}

// ------------------------------------------------------------------ update (v2.x)

/// The body of one update against a v2.x server, which needs no read of the key.
async fn v2_update_body(
    update: impl AsyncFnOnce(&bifrost_governance::Client) -> bifrost_governance::Result<()>,
) -> Value {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .times(0)
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(written(full_key()))
        .mount(&server)
        .await;
    update(&client(&server.uri())).await.unwrap();
    assert_eq!(version.request_count(), 1);
    assert_eq!(
        get.request_count(),
        0,
        "v2.x keeps an assignment a PUT omits"
    );
    put.single_body()
}

#[tokio::test]
async fn update_clear_budgets_sends_an_empty_list() {
    let body = v2_update_body(async |c| {
        c.virtual_keys()
            .update("vk-1")
            .clear_budgets()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "budgets": [] }));
}

#[tokio::test]
async fn update_clear_rate_limit_sends_an_empty_object() {
    let body = v2_update_body(async |c| {
        c.virtual_keys()
            .update("vk-1")
            .clear_rate_limit()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "rate_limit": {} }));
}

#[tokio::test]
async fn update_unassign_sends_an_empty_team_id_on_v2() {
    let body = v2_update_body(async |c| {
        c.virtual_keys()
            .update("vk-1")
            .unassign()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "team_id": "" }));
}

#[tokio::test]
async fn update_with_nothing_set_sends_an_empty_object() {
    let body =
        v2_update_body(async |c| c.virtual_keys().update("vk-1").send().await.map(drop)).await;
    assert_eq!(body, json!({}));
}

#[tokio::test]
async fn update_set_provider_configs_sends_the_full_list() {
    let body = v2_update_body(async |c| {
        let stored: bifrost_governance::types::VirtualKey =
            serde_json::from_value(full_key()).unwrap();
        let kept = ProviderConfigSpec::from_existing(&stored.provider_configs.unwrap()[1]);
        c.virtual_keys()
            .update("vk-1")
            .set_provider_configs(vec![
                kept,
                ProviderConfigSpec::new("azure")
                    .models(["gpt-4o"])
                    .keys(["key-z"]),
            ])
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(
        body,
        json!({
            "provider_configs": [
                {
                    "id": 8,
                    "provider": "anthropic",
                    "weight": 0.3,
                    "allowed_models": ["*"],
                    "blacklisted_models": ["claude-2"],
                    "key_ids": ["key-a", "key-b"]
                },
                {
                    "provider": "azure",
                    "allowed_models": ["gpt-4o"],
                    "blacklisted_models": [],
                    "key_ids": ["key-z"]
                }
            ]
        })
    );
}

#[tokio::test]
async fn update_clear_provider_and_mcp_configs_send_empty_lists() {
    let body = v2_update_body(async |c| {
        c.virtual_keys()
            .update("vk-1")
            .clear_provider_configs()
            .clear_mcp_configs()
            .clear_expires_at()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(
        body,
        json!({ "provider_configs": [], "mcp_configs": [], "expires_at": "" })
    );
}

#[tokio::test]
async fn update_sends_every_field_that_was_set() {
    let body = v2_update_body(async |c| {
        let vk = c
            .virtual_keys()
            .update("vk-1")
            .set_name("checkout-2")
            .set_description("moved")
            .set_enabled(false)
            .assign_customer("cust-2")
            .set_budgets(daily_and_monthly())
            .set_rate_limit(sixty_a_minute())
            .set_mcp_configs(vec![McpConfigSpec::new("github").tools(["search", "read"])])
            .set_expires_at(Utc.with_ymd_and_hms(2030, 6, 1, 12, 0, 0).unwrap())
            .set_metadata(HashMap::from([("env".to_string(), "staging".to_string())]))
            .calendar_aligned(false)
            .reset_budget_usage()
            .send()
            .await?;
        assert_full_key(&vk);
        Ok(())
    })
    .await;
    assert_eq!(
        body,
        json!({
            "name": "checkout-2",
            "description": "moved",
            "is_active": false,
            "customer_id": "cust-2",
            "budgets": [
                { "max_limit": 10.0, "reset_duration": "1d", "calendar_aligned": false },
                { "max_limit": 200.0, "reset_duration": "1M", "calendar_aligned": false }
            ],
            "rate_limit": { "request_max_limit": 60, "request_reset_duration": "1m" },
            "mcp_configs": [{ "mcp_client_name": "github", "tools_to_execute": ["search", "read"] }],
            "expires_at": "2030-06-01T12:00:00+00:00",
            "metadata": { "env": "staging" },
            "calendar_aligned": false,
            "reset_budget_usage": true
        })
    );
}

#[tokio::test]
async fn the_version_is_asked_once_per_client() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(written(full_key()))
        .mount(&server)
        .await;
    let c = client(&server.uri());

    for name in ["a", "b", "c"] {
        c.virtual_keys()
            .update("vk-1")
            .set_name(name)
            .send()
            .await
            .unwrap();
    }

    assert_eq!(version.request_count(), 1);
    assert_eq!(
        put.bodies(),
        [
            json!({ "name": "a" }),
            json!({ "name": "b" }),
            json!({ "name": "c" })
        ]
    );
}

// ------------------------------------------------------------------ update (v1.x)

/// Mounts a v1.5.2 server whose key is `stored`; returns (version, get, put) guards.
async fn v1_server(
    server: &MockServer,
    stored: Value,
) -> (
    contract::ContractGuard,
    contract::ContractGuard,
    contract::ContractGuard,
) {
    let version = mount_version(server, "v1.5.2").await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(one(stored.clone()))
        .mount(server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(written(stored))
        .mount(server)
        .await;
    (version, get, put)
}

#[tokio::test]
async fn update_on_v1_reads_the_key_first_and_sends_its_team_again() {
    let server = MockServer::start().await;
    let (version, get, put) = v1_server(&server, full_key()).await;

    let vk = client(&server.uri())
        .virtual_keys()
        .update("vk-1")
        .set_description("still in the team")
        .send()
        .await
        .unwrap();

    assert_full_key(&vk);
    assert_eq!(version.request_count(), 1);
    assert_eq!(get.request_count(), 1);
    assert_eq!(
        put.single_body(),
        json!({ "description": "still in the team", "team_id": "team-1" })
    );
    assert!(
        get.requests()[0].at <= put.requests()[0].at,
        "the key is read before it is written"
    );
}

#[tokio::test]
async fn update_on_v1_sends_the_customer_again() {
    let server = MockServer::start().await;
    let (_version, get, put) = v1_server(&server, customer_key()).await;

    client(&server.uri())
        .virtual_keys()
        .update("vk-1")
        .clear_budgets()
        .send()
        .await
        .unwrap();

    assert_eq!(get.request_count(), 1);
    assert_eq!(
        put.single_body(),
        json!({ "budgets": [], "customer_id": "cust-1" })
    );
}

#[tokio::test]
async fn update_on_v1_of_an_unassigned_key_sends_no_assignment() {
    let server = MockServer::start().await;
    let (_version, get, put) = v1_server(&server, unassigned_key()).await;

    client(&server.uri())
        .virtual_keys()
        .update("vk-1")
        .set_enabled(false)
        .send()
        .await
        .unwrap();

    assert_eq!(get.request_count(), 1);
    assert_eq!(put.single_body(), json!({ "is_active": false }));
}

#[tokio::test]
async fn update_on_v1_that_sets_the_assignment_does_not_read_the_key() {
    let server = MockServer::start().await;
    let (_version, get, put) = v1_server(&server, full_key()).await;
    let c = client(&server.uri());

    c.virtual_keys()
        .update("vk-1")
        .assign_team("team-2")
        .send()
        .await
        .unwrap();
    c.virtual_keys()
        .update("vk-1")
        .unassign()
        .send()
        .await
        .unwrap();

    assert_eq!(get.request_count(), 0);
    // v1.x clears the assignment when both ids are omitted: that is how to unassign.
    assert_eq!(put.bodies(), [json!({ "team_id": "team-2" }), json!({})]);
}

#[tokio::test]
async fn update_when_the_version_cannot_be_read_sends_nothing_and_asks_again() {
    let server = MockServer::start().await;
    let version = contract::expect("get_version")
        .any_authorization()
        .respond(Reply::json(404, bifrost_error(404, "not found")))
        .mount(&server)
        .await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .times(0)
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(written(full_key()))
        .times(0)
        .mount(&server)
        .await;
    let c = client(&server.uri());

    for _ in 0..2 {
        let err = c
            .virtual_keys()
            .update("vk-1")
            .set_name("x")
            .send()
            .await
            .unwrap_err();
        // Guessing could clear the key's team (v1.x) or re-send a stale one.
        assert_eq!(
            err.as_api().map(|e| e.operation),
            Some("get_version"),
            "{err:?}"
        );
    }

    assert_eq!(version.request_count(), 2, "a failure is not remembered");
    assert_eq!((get.request_count(), put.request_count()), (0, 0));
}

#[tokio::test]
async fn update_on_v1_stops_when_the_key_cannot_be_read() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.2").await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            404,
            bifrost_error(404, "Virtual key not found"),
        ))
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(written(full_key()))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .update("vk-1")
        .set_name("x")
        .send()
        .await
        .unwrap_err();

    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(get.request_count(), 1);
    assert_eq!(put.request_count(), 0);
}

#[tokio::test]
async fn update_with_an_empty_team_id_sends_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.5.2").await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(written(full_key()))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .update("vk-1")
        .assign_team("")
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!((version.request_count(), put.request_count()), (0, 0));
}

#[tokio::test]
async fn update_with_an_invalid_name_or_config_sends_no_request_at_all() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.5.2").await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(written(full_key()))
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let blank_name = keys.update("vk-1").set_name(" ").send().await.unwrap_err();
    let bad_weight = keys
        .update("vk-1")
        .set_provider_configs(vec![ProviderConfigSpec::new("openai").weight(f64::NAN)])
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(blank_name, Error::InvalidInput(_)),
        "{blank_name:?}"
    );
    assert!(
        matches!(bad_weight, Error::InvalidInput(_)),
        "{bad_weight:?}"
    );
    assert_eq!(put.request_count(), 0);
    assert_eq!(
        (version.request_count(), get.request_count()),
        (0, 0),
        "invalid input must be refused before any request"
    );
}

// ------------------------------------------------------------------ patch

/// Mounts a server of `version` holding `stored`; returns (get, put) guards.
async fn patch_server(
    server: &MockServer,
    version: &str,
    stored: Value,
) -> (
    contract::ContractGuard,
    contract::ContractGuard,
    contract::ContractGuard,
) {
    let version = mount_version(server, version).await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(one(stored.clone()))
        .times(1)
        .mount(server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(written(stored))
        .mount(server)
        .await;
    (version, get, put)
}

#[tokio::test]
async fn patch_reads_then_writes_back_ids_team_and_key_selections() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(one(full_key()))
        .times(1)
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(written(full_key()))
        .times(1)
        .mount(&server)
        .await;

    let mut seen_current = None;
    let vk = client(&server.uri())
        .virtual_keys()
        .patch("vk-1", |edit| {
            seen_current = Some(edit.current().id.clone());
            assert_eq!(edit.assignment, Assignment::Team("team-1".into()));
            let openai = edit
                .provider_configs
                .iter_mut()
                .find(|p| p.provider() == "openai")
                .expect("openai config");
            assert_eq!(openai.id(), Some(7));
            *openai = openai.clone().weight(0.5);
        })
        .await
        .unwrap();

    assert_full_key(&vk);
    assert_eq!(seen_current.as_deref(), Some("vk-1"));
    assert_eq!(version.request_count(), 1);
    assert!(get.requests()[0].at <= put.requests()[0].at);
    assert_eq!(
        put.single_body(),
        json!({
            "team_id": "team-1",
            "provider_configs": [
                {
                    "id": 7,
                    "provider": "openai",
                    "weight": 0.5,
                    "allowed_models": ["gpt-4o"],
                    "blacklisted_models": [],
                    // `allow_all_keys: true, keys: []` is written back as every key
                    // (upstream issue #7347), not as `[]`, which would allow none.
                    "key_ids": ["*"]
                },
                {
                    "id": 8,
                    "provider": "anthropic",
                    "weight": 0.3,
                    "allowed_models": ["*"],
                    "blacklisted_models": ["claude-2"],
                    "key_ids": ["key-a", "key-b"]
                }
            ]
        })
    );
}

#[tokio::test]
async fn patch_without_changes_only_repeats_the_assignment() {
    for (version, stored, expected) in [
        ("v2.3.1", full_key(), json!({ "team_id": "team-1" })),
        ("v1.5.2", full_key(), json!({ "team_id": "team-1" })),
        ("v1.5.2", customer_key(), json!({ "customer_id": "cust-1" })),
        ("v2.3.1", unassigned_key(), json!({})),
    ] {
        let server = MockServer::start().await;
        let (_version, _get, put) = patch_server(&server, version, stored).await;

        client(&server.uri())
            .virtual_keys()
            .patch("vk-1", |_| {})
            .await
            .unwrap();

        assert_eq!(put.single_body(), expected, "{version}");
    }
}

#[tokio::test]
async fn patch_unassigning_differs_by_server_generation() {
    for (version, expected) in [("v2.3.1", json!({ "team_id": "" })), ("v1.5.2", json!({}))] {
        let server = MockServer::start().await;
        let (_version, _get, put) = patch_server(&server, version, customer_key()).await;

        client(&server.uri())
            .virtual_keys()
            .patch("vk-1", |edit| edit.assignment = Assignment::Unassigned)
            .await
            .unwrap();

        assert_eq!(put.single_body(), expected, "{version}");
    }
}

#[tokio::test]
async fn patch_sends_budgets_rate_limit_mcp_and_metadata_only_when_changed() {
    let server = MockServer::start().await;
    let (_version, _get, put) = patch_server(&server, "v2.3.1", full_key()).await;

    client(&server.uri())
        .virtual_keys()
        .patch("vk-1", |edit| {
            edit.name = "renamed".into();
            edit.enabled = false;
            edit.budgets = Some(BudgetSpecs::new());
            edit.rate_limit = Some(None);
            edit.mcp_configs
                .push(McpConfigSpec::new("filesystem").tools(["read"]));
            edit.metadata.insert("env".into(), "staging".into());
        })
        .await
        .unwrap();

    assert_eq!(
        put.single_body(),
        json!({
            "name": "renamed",
            "is_active": false,
            "team_id": "team-1",
            "budgets": [],
            "rate_limit": {},
            "mcp_configs": [
                { "id": 3, "mcp_client_name": "github", "tools_to_execute": ["search"] },
                { "mcp_client_name": "filesystem", "tools_to_execute": ["read"] }
            ],
            "metadata": { "env": "staging" }
        })
    );
}

#[tokio::test]
async fn patch_of_a_missing_key_writes_nothing() {
    let server = MockServer::start().await;
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            404,
            bifrost_error(404, "Virtual key not found"),
        ))
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(written(full_key()))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .patch("vk-1", |edit| edit.description = "x".into())
        .await
        .unwrap_err();

    assert!(err.is_not_found(), "{err:?}");
    assert_eq!((get.request_count(), put.request_count()), (1, 0));
}

// ------------------------------------------------------------------ delete

#[tokio::test]
async fn delete_sends_no_body_and_succeeds() {
    let server = MockServer::start().await;
    let guard = contract::expect("delete_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(Reply::ok(
            json!({ "message": "Virtual key deleted successfully" }),
        ))
        .times(1)
        .mount(&server)
        .await;

    client(&server.uri())
        .virtual_keys()
        .delete("vk-1")
        .await
        .unwrap();

    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn delete_of_a_missing_key_is_not_found() {
    let server = MockServer::start().await;
    let guard = contract::expect("delete_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            404,
            bifrost_error(404, "Virtual key not found"),
        ))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .delete("gone")
        .await
        .unwrap_err();

    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(guard.request_count(), 1);
}

// ------------------------------------------------------------------ rotate

#[tokio::test]
async fn rotate_returns_the_new_value_and_sends_no_body() {
    let server = MockServer::start().await;
    let mut rotated = full_key();
    rotated["value"] = json!("sk-bf-22222222-aaaa-4bbb-8ccc-000000000002");
    rotated["rotated_at"] = json!("2026-07-21T10:00:00Z");
    rotated["previous_value_expires_at"] = json!("2026-07-21T11:00:00Z");
    let guard = contract::expect("rotate_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(Reply::ok(
            json!({ "message": "Virtual key rotated successfully", "virtual_key": rotated }),
        ))
        .times(1)
        .mount(&server)
        .await;

    let vk = client(&server.uri())
        .virtual_keys()
        .rotate("vk-1")
        .await
        .unwrap();

    assert_eq!(
        vk.value.as_ref().unwrap().expose_secret(),
        "sk-bf-22222222-aaaa-4bbb-8ccc-000000000002"
    );
    assert_eq!(
        vk.rotated_at,
        Some(Utc.with_ymd_and_hms(2026, 7, 21, 10, 0, 0).unwrap())
    );
    assert_eq!(
        vk.previous_value_expires_at,
        Some(Utc.with_ymd_and_hms(2026, 7, 21, 11, 0, 0).unwrap())
    );
    assert_eq!(vk.team_id.as_deref(), Some("team-1"));
    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn rotate_is_not_retried() {
    let server = MockServer::start().await;
    let guard = contract::expect("rotate_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(503, bifrost_error(503, "upstream unavailable")))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .rotate("vk-1")
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(guard.request_count(), 1, "a retried rotation rotates twice");
}

fn rotated(id: &str, value: &str) -> Value {
    json!({ "id": id, "name": id, "value": value, "rotated_at": "2026-07-21T10:00:00Z" })
}

#[tokio::test]
async fn rotate_many_reports_partial_failures_answered_200() {
    let server = MockServer::start().await;
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({
            "message": "Virtual keys rotated successfully",
            "virtual_keys": [rotated("vk-1", "sk-bf-new-1"), rotated("vk-3", "sk-bf-new-3")],
            "errors": { "vk-2": "virtual key not found" }
        })))
        .times(1)
        .mount(&server)
        .await;

    let outcome = client(&server.uri())
        .virtual_keys()
        .rotate_many(["vk-1", "vk-2", "vk-3"])
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({ "ids": ["vk-1", "vk-2", "vk-3"] })
    );
    let rotated: Vec<_> = outcome
        .rotated
        .iter()
        .map(|k| (k.id.as_str(), k.value.as_ref().unwrap().expose_secret()))
        .collect();
    assert_eq!(rotated, [("vk-1", "sk-bf-new-1"), ("vk-3", "sk-bf-new-3")]);
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(outcome.failures["vk-2"], "virtual key not found");
}

#[tokio::test]
async fn rotate_many_with_every_id_failed_is_an_outcome_not_an_error() {
    let server = MockServer::start().await;
    // The server answers 500 with the rotation body shape when nothing rotated.
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            500,
            json!({
                "message": "No virtual keys were rotated",
                "virtual_keys": [],
                "errors": { "vk-1": "virtual key not found", "vk-2": "rotation cooldown active" }
            }),
        ))
        .mount(&server)
        .await;

    let outcome = client(&server.uri())
        .virtual_keys()
        .rotate_many(["vk-1", "vk-2"])
        .await
        .unwrap();

    assert!(outcome.rotated.is_empty());
    assert_eq!(
        outcome.failures.into_iter().collect::<Vec<_>>(),
        [
            ("vk-1".to_string(), "virtual key not found".to_string()),
            ("vk-2".to_string(), "rotation cooldown active".to_string())
        ]
    );
    assert_eq!(guard.request_count(), 1, "a rotation is never retried");
}

#[tokio::test]
async fn rotate_many_with_a_plain_500_is_an_api_error() {
    let server = MockServer::start().await;
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(500, bifrost_error(500, "database is locked")))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .rotate_many(["vk-1"])
        .await
        .unwrap_err();

    match &err {
        Error::Api(api) => {
            assert_eq!(api.status.as_u16(), 500);
            assert_eq!(api.message, "database is locked");
            assert_eq!(api.operation, "rotate_virtual_keys");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn rotate_many_refuses_no_ids_and_blank_ids_before_sending() {
    let server = MockServer::start().await;
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "virtual_keys": [], "errors": {} })))
        .times(0)
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let none = keys.rotate_many(Vec::<String>::new()).await.unwrap_err();
    let blank = keys.rotate_many(["vk-1", " "]).await.unwrap_err();

    assert!(matches!(none, Error::InvalidInput(_)), "{none:?}");
    assert!(matches!(blank, Error::InvalidInput(_)), "{blank:?}");
    assert_eq!(guard.request_count(), 0);
}

// ------------------------------------------------------------------ quota

#[tokio::test]
async fn quota_sends_the_key_value_in_x_bf_vk_and_decodes_usage() {
    let server = MockServer::start().await;
    // The route takes no admin credentials (`security: []`): the key is the
    // credential, and the admin key must not travel with it.
    let guard = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .and(wiremock::matchers::header("x-bf-vk", VALUE))
        .respond(Reply::ok(json!({
            "virtual_key_name": "checkout",
            "is_active": true,
            "budgets": [{
                "id": "bud-d",
                "max_limit": 10.0,
                "reset_duration": "1d",
                "current_usage": 2.5,
                "last_reset": "2026-07-21T00:00:00Z",
                "per_model_usage": [
                    { "model": "gpt-4o", "provider": "openai", "total_requests": 12, "total_tokens": 3400, "total_cost": 2.5 }
                ]
            }],
            "rate_limit": { "id": "rl-1", "request_max_limit": 60, "request_reset_duration": "1m", "request_current_usage": 4 },
            "provider_configs": [{ "id": 7, "provider": "openai", "allow_all_keys": true, "keys": [] }],
            "model_configs": [{ "model_name": "gpt-4o", "provider": null, "budgets": null }]
        })))
        .times(1)
        .mount(&server)
        .await;

    let quota = client(&server.uri())
        .virtual_keys()
        .quota(&SecretString::from(VALUE))
        .await
        .unwrap();

    assert_eq!(quota.virtual_key_name.as_deref(), Some("checkout"));
    assert_eq!(quota.is_active, Some(true));
    let budget = &quota.budgets.as_ref().unwrap()[0];
    assert_eq!(
        (budget.max_limit, budget.current_usage),
        (Some(10.0), Some(2.5))
    );
    let usage = &budget.per_model_usage.as_ref().unwrap()[0];
    assert_eq!(usage.model.as_deref(), Some("gpt-4o"));
    assert_eq!(
        (usage.total_requests, usage.total_tokens, usage.total_cost),
        (Some(12), Some(3400), Some(2.5))
    );
    assert_eq!(
        quota.rate_limit.as_ref().unwrap().request_current_usage,
        Some(4)
    );
    assert_eq!(
        quota.provider_configs.as_ref().unwrap()[0].allow_all_keys,
        Some(true)
    );
    assert_eq!(
        quota.model_configs.as_ref().unwrap()[0]
            .model_name
            .as_deref(),
        Some("gpt-4o")
    );

    let seen = &guard.requests()[0];
    assert!(seen.query.is_empty() && seen.raw_body.is_empty());
    assert_eq!(seen.authorization, None);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let headers = &received[0].headers;
    assert_eq!(
        headers.get("x-bf-vk").map(|v| v.as_bytes()),
        Some(VALUE.as_bytes())
    );
    assert_eq!(headers.get_all("x-bf-vk").iter().count(), 1);
}

#[tokio::test]
async fn quota_of_a_rotated_value_is_unauthorized_and_an_empty_value_is_refused() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .respond(Reply::json(
            401,
            bifrost_error(401, "virtual key is not valid"),
        ))
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let err = keys
        .quota(&SecretString::from("sk-bf-old"))
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(guard.request_count(), 1);

    let err = keys.quota(&SecretString::from("")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(guard.request_count(), 1);
}
