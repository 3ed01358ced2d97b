//! Contract tests of the read-only budget and rate-limit lists, through the
//! ergonomic crate. The server never pages these lists (`x-unpaginated`), so the SDK
//! sends no query at all, and a `null` list is an empty one.

use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use serde_json::json;
use wiremock::MockServer;

#[tokio::test]
async fn list_budgets_decodes_rows_of_every_owner_and_sends_no_query() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_budgets")
        .authorization(AUTHORIZATION)
        .no_query("limit")
        .no_query("offset")
        .respond(Reply::ok(json!({
            "budgets": [
                {
                    "id": "bud-vk",
                    "max_limit": 10.0,
                    "reset_duration": "1d",
                    "current_usage": 2.5,
                    "last_reset": "2026-07-21T00:00:00Z",
                    "calendar_aligned": true,
                    "virtual_key_id": "vk-1",
                    "per_model_usage": [
                        { "model": "gpt-4o", "provider": "openai", "total_requests": 3, "total_tokens": 900, "total_cost": 2.5 }
                    ]
                },
                { "id": "bud-team", "max_limit": 500.0, "reset_duration": "1M", "current_usage": 0, "team_id": "team-1" },
                { "id": "bud-pc", "max_limit": 5.0, "reset_duration": "1w", "provider_config_id": 7 },
                {
                    "id": "bud-q",
                    "max_limit": 3000.0,
                    "reset_duration": "1Q",
                    "customer_id": "cust-1",
                    "reset_config": { "quarter_start_month": 2 },
                    "override_amount": 4000.0,
                    "override_mode": "one_cycle",
                    "override_cycles_total": 1,
                    "override_cycles_remaining": 1
                },
                { "id": "bud-legacy", "max_limit": 1.0, "reset_duration": "1Y" }
            ],
            "count": 5
        })))
        .times(1)
        .mount(&server)
        .await;

    let budgets = client(&server.uri()).budgets().list().await.unwrap();

    assert_eq!(
        budgets
            .iter()
            .map(|b| (b.id.as_str(), b.max_limit, b.reset_duration.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("bud-vk", Some(10.0), Some("1d")),
            ("bud-team", Some(500.0), Some("1M")),
            ("bud-pc", Some(5.0), Some("1w")),
            ("bud-q", Some(3000.0), Some("1Q")),
            ("bud-legacy", Some(1.0), Some("1Y"))
        ]
    );
    let vk = &budgets[0];
    assert_eq!(vk.virtual_key_id.as_deref(), Some("vk-1"));
    assert_eq!(
        (vk.current_usage, vk.calendar_aligned),
        (Some(2.5), Some(true))
    );
    assert_eq!(vk.last_reset.map(|t| t.timestamp()), Some(1_784_592_000));
    let usage = &vk.per_model_usage.as_ref().unwrap()[0];
    assert_eq!(
        (usage.model.as_deref(), usage.total_tokens),
        (Some("gpt-4o"), Some(900))
    );
    assert_eq!(budgets[1].team_id.as_deref(), Some("team-1"));
    assert_eq!(budgets[2].provider_config_id, Some(7));
    let quarterly = &budgets[3];
    assert_eq!(quarterly.customer_id.as_deref(), Some("cust-1"));
    assert_eq!(
        quarterly.reset_config.as_ref().unwrap().quarter_start_month,
        Some(2)
    );
    assert_eq!(quarterly.override_amount, Some(4000.0));
    assert_eq!(quarterly.override_mode.as_deref(), Some("one_cycle"));
    assert_eq!(quarterly.override_cycles_remaining, Some(1));
    let legacy = &budgets[4];
    assert!(
        legacy.virtual_key_id.is_none()
            && legacy.team_id.is_none()
            && legacy.customer_id.is_none()
            && legacy.provider_config_id.is_none(),
        "a v1.x owner points at its budget, not the other way round"
    );
    let seen = &guard.requests()[0];
    assert!(
        seen.query.is_empty() && seen.raw_body.is_empty(),
        "{seen:?}"
    );
}

#[tokio::test]
async fn list_budgets_null_is_an_empty_list() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_budgets")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "budgets": null, "count": 0 })))
        .mount(&server)
        .await;

    let budgets = client(&server.uri()).budgets().list().await.unwrap();

    assert!(budgets.is_empty());
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn list_budgets_server_error_is_an_api_error_after_retries() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_budgets")
        .authorization(AUTHORIZATION)
        .respond_seq([
            Reply::json(503, bifrost_error(503, "warming up")),
            Reply::json(500, bifrost_error(500, "failed to load budgets")),
        ])
        .mount(&server)
        .await;

    let err = client(&server.uri()).budgets().list().await.unwrap_err();

    let api = err.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 500);
    assert_eq!(api.message, "failed to load budgets");
    assert_eq!(api.operation, "list_budgets");
    assert_eq!(
        guard.request_count(),
        2,
        "the 503 is retried, the 500 is not"
    );
}

#[tokio::test]
async fn list_rate_limits_decodes_rows_and_sends_no_query() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_rate_limits")
        .authorization(AUTHORIZATION)
        .no_query("limit")
        .no_query("offset")
        .respond(Reply::ok(json!({
            "rate_limits": [
                {
                    "id": "rl-1",
                    "token_max_limit": 100000,
                    "token_reset_duration": "1h",
                    "token_current_usage": 250,
                    "token_last_reset": "2026-07-21T10:00:00Z",
                    "request_max_limit": 60,
                    "request_reset_duration": "1m",
                    "request_current_usage": 3,
                    "request_last_reset": "2026-07-21T10:59:00Z",
                    "calendar_aligned": false,
                    "config_hash": "h1"
                },
                {
                    "id": "rl-2",
                    "token_max_limit": null,
                    "token_reset_duration": null,
                    "request_max_limit": 10,
                    "request_reset_duration": "30s"
                }
            ],
            "count": 2
        })))
        .times(1)
        .mount(&server)
        .await;

    let limits = client(&server.uri()).rate_limits().list().await.unwrap();

    assert_eq!(limits.len(), 2);
    let first = &limits[0];
    assert_eq!(first.id, "rl-1");
    assert_eq!(
        (
            first.token_max_limit,
            first.token_reset_duration.as_deref(),
            first.token_current_usage
        ),
        (Some(100_000), Some("1h"), Some(250))
    );
    assert_eq!(
        (
            first.request_max_limit,
            first.request_reset_duration.as_deref(),
            first.request_current_usage
        ),
        (Some(60), Some("1m"), Some(3))
    );
    assert_eq!(first.calendar_aligned, Some(false));
    assert_eq!(first.config_hash.as_deref(), Some("h1"));
    let second = &limits[1];
    assert_eq!(
        (
            second.token_max_limit,
            second.token_reset_duration.as_deref()
        ),
        (None, None)
    );
    assert_eq!(
        (
            second.request_max_limit,
            second.request_reset_duration.as_deref()
        ),
        (Some(10), Some("30s"))
    );
    let seen = &guard.requests()[0];
    assert!(
        seen.query.is_empty() && seen.raw_body.is_empty(),
        "{seen:?}"
    );
}

#[tokio::test]
async fn list_rate_limits_null_is_an_empty_list() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_rate_limits")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "rate_limits": null })))
        .mount(&server)
        .await;

    let limits = client(&server.uri()).rate_limits().list().await.unwrap();

    assert!(limits.is_empty());
    assert_eq!(guard.request_count(), 1);
}
