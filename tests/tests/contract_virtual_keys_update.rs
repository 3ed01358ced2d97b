//! Contract tests of updating virtual keys field by field and by patch.
//!
//! Updates ask the server version first (once per client): v1.5.2 drops the
//! assignment of a PUT that does not mention it, so the SDK then reads the key and
//! sends its `team_id`/`customer_id` again. Patches always repeat the assignment.

mod common;

use std::collections::HashMap;

use bifrost_governance::resources::virtual_keys::{Assignment, McpConfigSpec, ProviderConfigSpec};
use bifrost_governance::{BudgetSpecs, Error};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::MockServer;

use common::virtual_keys::*;

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
    // `team_id: ""` unassigns on v1.5.2 too (it stores the empty team and clears
    // the customer), so no generation needs its own form.
    assert_eq!(
        put.bodies(),
        [json!({ "team_id": "team-2" }), json!({ "team_id": "" })]
    );
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
    // A patch that needs no newer feature asks no version: the assignment it
    // repeats reads the same on every generation.
    assert_eq!(version.request_count(), 0);
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
async fn patch_unassigning_sends_an_empty_team_id_on_every_generation() {
    // v1.5.2 stores the empty team and clears the customer; newer servers clear both.
    for (version, expected) in [
        ("v2.3.1", json!({ "team_id": "" })),
        ("v1.5.2", json!({ "team_id": "" })),
    ] {
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
