//! Fidelity of `PUT /api/governance/virtual-keys/{vk_id}` (FIDELITY.md, "Virtual keys").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, is_v1_5};
use reqwest::Method;
use serde_json::{Value, json};

const KEYS: &str = "/api/governance/virtual-keys";

async fn put(api: &Api, id: &str, body: Value) -> common::Raw {
    api.send(Method::PUT, &format!("{KEYS}/{id}"), body).await
}

async fn get(api: &Api, id: &str) -> Value {
    api.get_raw(&format!("{KEYS}/{id}")).await.expect(200)["virtual_key"].clone()
}

#[tokio::test]
async fn keys_update_without_owner_clears_it_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let team = api.team("t", None).await;
    let vk = api.vk_id(json!({"name": "k", "team_id": team})).await;
    let body = put(&api, &vk, json!({"description": "renamed nothing else"}))
        .await
        .expect(200);
    assert!(body["virtual_key"].get("team_id").is_none(), "{body}");
    let customer = api.customer("c").await;
    let vk = api
        .vk_id(json!({"name": "k2", "customer_id": customer}))
        .await;
    let body = put(&api, &vk, json!({"is_active": false, "team_id": null}))
        .await
        .expect(200);
    assert!(
        body["virtual_key"].get("customer_id").is_none(),
        "null counts as not sent"
    );
}

#[tokio::test]
async fn keys_update_owner_rules_on_v2() {
    let (_server, api) = fake(V2).await;
    let team = api.team("t", None).await;
    let customer = api.customer("c").await;
    let vk = api.vk_id(json!({"name": "k", "team_id": team})).await;
    let body = put(&api, &vk, json!({"description": "d"}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["team_id"], team, "omitted keeps");
    let body = put(&api, &vk, json!({"customer_id": customer}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["customer_id"], customer);
    assert!(
        body["virtual_key"].get("team_id").is_none(),
        "setting one clears the other"
    );
    let body = put(&api, &vk, json!({"team_id": null})).await.expect(200);
    assert!(
        body["virtual_key"].get("customer_id").is_none(),
        "null clears both"
    );
    put(&api, &vk, json!({"team_id": team})).await.expect(200);
    let body = put(&api, &vk, json!({"customer_id": ""})).await.expect(200);
    assert!(
        body["virtual_key"].get("team_id").is_none(),
        "\"\" clears both"
    );
    put(&api, &vk, json!({"team_id": team})).await.expect(200);
    let body = put(&api, &vk, json!({"customer_id": "  "}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["team_id"], team, "whitespace is absent");
}

#[tokio::test]
async fn keys_update_setting_one_owner_clears_the_other_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let team = api.team("t", None).await;
    let customer = api.customer("c").await;
    let vk = api.vk_id(json!({"name": "k", "team_id": team})).await;
    let body = put(&api, &vk, json!({"customer_id": customer}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["customer_id"], customer);
    assert!(body["virtual_key"].get("team_id").is_none());
    let body = put(&api, &vk, json!({"team_id": ""})).await.expect(200);
    assert_eq!(
        body["virtual_key"]["team_id"], "",
        "\"\" is a value on 1.5.x"
    );
}

#[tokio::test]
async fn keys_update_both_owners_is_400_before_lookup() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        put(&api, "missing", json!({"team_id": "t", "customer_id": "c"}))
            .await
            .assert_error(
                400,
                "VirtualKey cannot be attached to both Team and Customer",
            );
    }
}

#[tokio::test]
async fn keys_update_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        put(&api, "missing", json!({"name": "x"}))
            .await
            .assert_error(404, "Virtual key not found");
        put(&api, "missing", json!([]))
            .await
            .assert_error(400, "Invalid JSON");
    }
}

#[tokio::test]
async fn keys_update_does_not_store_calendar_aligned_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    let body = put(
        &api,
        &vk,
        json!({"calendar_aligned": true, "budgets": [{"max_limit": 5, "reset_duration": "1M"}]}),
    )
    .await
    .expect(200);
    assert_eq!(body["virtual_key"]["calendar_aligned"], false);
    // The flag still shaped the budget created in the same request.
    assert_eq!(
        body["virtual_key"]["budgets"][0]["last_reset"],
        "2026-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn keys_update_stores_calendar_aligned_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    let body = put(&api, &vk, json!({"calendar_aligned": true}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["calendar_aligned"], true);
}

#[tokio::test]
async fn keys_update_budgets_are_a_full_set() {
    for version in BOTH {
        let (server, api) = fake(version).await;
        let vk = api.vk_id(json!({"name": "k", "budgets": [
            {"max_limit": 10, "reset_duration": "1d"}, {"max_limit": 100, "reset_duration": "1M"}]})).await;
        server.record_usage(&vk, 2.5, 1);
        let day = get(&api, &vk).await["budgets"][0]["id"].clone();
        let body = put(
            &api,
            &vk,
            json!({"budgets": [{"max_limit": 20, "reset_duration": "1d"}]}),
        )
        .await
        .expect(200);
        let budgets = body["virtual_key"]["budgets"].as_array().unwrap().clone();
        assert_eq!(budgets.len(), 1);
        assert_eq!(
            (
                &budgets[0]["id"],
                &budgets[0]["max_limit"],
                &budgets[0]["current_usage"]
            ),
            (&day, &json!(20), &json!(2.5))
        );
        let body = put(&api, &vk, json!({"budgets": []})).await.expect(200);
        assert!(body["virtual_key"].get("budgets").is_none());
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0
        );
    }
}

#[tokio::test]
async fn keys_update_budgets_match_by_id_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk_id(json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "1d"}]}))
        .await;
    let budget = get(&api, &vk).await["budgets"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = put(
        &api,
        &vk,
        json!({"budgets": [{"id": budget, "max_limit": 70, "reset_duration": "1w"}]}),
    )
    .await
    .expect(200);
    let kept = &body["virtual_key"]["budgets"][0];
    assert_eq!(
        (&kept["id"], &kept["reset_duration"]),
        (&json!(budget), &json!("1w"))
    );
    put(
        &api,
        &vk,
        json!({"budgets": [{"id": "other", "max_limit": 1, "reset_duration": "1d"}]}),
    )
    .await
    .assert_error(
        400,
        "Failed to update virtual key: budget other does not belong to this entity",
    );
}

#[tokio::test]
async fn keys_update_new_budget_inherits_shorter_usage_on_v2() {
    let (server, api) = fake(V2).await;
    let vk = api
        .vk_id(json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "1d"}]}))
        .await;
    server.record_usage(&vk, 4.0, 1);
    let body = put(
        &api,
        &vk,
        json!({"budgets": [
        {"max_limit": 10, "reset_duration": "1d"}, {"max_limit": 100, "reset_duration": "1M"}]}),
    )
    .await
    .expect(200);
    assert_eq!(body["virtual_key"]["budgets"][1]["current_usage"], 4.0);
}

#[tokio::test]
async fn keys_update_zero_budget_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api.vk_id(json!({"name": "k"})).await;
        put(
            &api,
            &vk,
            json!({"budgets": [{"max_limit": 0, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(
            500,
            "Failed to update virtual key: budget max limit cannot be negative or zero: 0.00",
        );
        put(
            &api,
            &vk,
            json!({"budgets": [{"max_limit": -3, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(
            400,
            "Failed to update virtual key: budget max_limit cannot be negative: -3.00",
        );
    }
}

#[tokio::test]
async fn keys_update_quarter_is_refused_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    put(
        &api,
        &vk,
        json!({"budgets": [{"max_limit": 5, "reset_duration": "1Q"}]}),
    )
    .await
    .assert_error(
        400,
        "Failed to update virtual key: invalid reset duration format: 1Q",
    );
}

#[tokio::test]
async fn keys_update_rate_limit_merges() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api.vk_id(json!({"name": "k", "rate_limit": {"token_max_limit": 100, "token_reset_duration": "1h",
            "request_max_limit": 10, "request_reset_duration": "1m"}})).await;
        let body = put(&api, &vk, json!({"rate_limit": {"request_max_limit": 20}}))
            .await
            .expect(200);
        let rl = &body["virtual_key"]["rate_limit"];
        assert_eq!(
            (&rl["token_max_limit"], &rl["request_max_limit"]),
            (&json!(100), &json!(20))
        );
        let body = put(
            &api,
            &vk,
            json!({"rate_limit": {"token_reset_duration": "2h"}}),
        )
        .await
        .expect(200);
        assert_eq!(
            body["virtual_key"]["rate_limit"]["token_reset_duration"], "2h",
            "durations only: not a removal"
        );
        let body = put(&api, &vk, json!({"rate_limit": {}})).await.expect(200);
        assert!(body["virtual_key"].get("rate_limit").is_none());
        assert_eq!(
            api.get_raw("/api/governance/rate-limits").await.expect(200)["count"],
            0
        );
    }
}

#[tokio::test]
async fn keys_update_rename_collision_is_400_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let older = api.vk_id(json!({"name": "older"})).await;
    let newer = api.vk_id(json!({"name": "newer"})).await;
    // The row is looked up by `id OR name`, lowest id first: the older key's row is
    // targeted and its `value` collides.
    put(&api, &newer, json!({"name": "older"}))
        .await
        .assert_error(400, "Failed to update virtual key: a record with this value already exists. Please use a different value");
    put(&api, &older, json!({"name": "newer"}))
        .await
        .assert_error(400, "Failed to update virtual key: a record with this name already exists. Please use a different value");
}

#[tokio::test]
async fn keys_update_rename_collision_is_409_on_v2() {
    let (_server, api) = fake(V2).await;
    api.vk_id(json!({"name": "older"})).await;
    let newer = api.vk_id(json!({"name": "newer"})).await;
    put(&api, &newer, json!({"name": "older"}))
        .await
        .assert_error(409, "A virtual key with this name already exists");
}

#[tokio::test]
async fn keys_update_provider_configs_are_replaced() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api
            .vk(json!({"name": "k", "provider_configs": [
            {"provider": "openai", "weight": 0.7, "allowed_models": ["gpt-4o"], "key_ids": ["*"]},
            {"provider": "anthropic", "weight": 0.3, "allowed_models": ["*"], "key_ids": ["*"]}]}))
            .await;
        let vk_id = vk["id"].as_str().unwrap().to_string();
        let openai = vk["provider_configs"][0]["id"].as_i64().unwrap();
        let body = put(
            &api,
            &vk_id,
            json!({"provider_configs": [
            {"id": openai, "provider": "openai"}, {"provider": "groq", "key_ids": ["*"]}]}),
        )
        .await
        .expect(200);
        let configs = body["virtual_key"]["provider_configs"]
            .as_array()
            .unwrap()
            .clone();
        let providers: Vec<&str> = configs
            .iter()
            .map(|c| c["provider"].as_str().unwrap())
            .collect();
        assert_eq!(
            providers,
            ["openai", "groq"],
            "anthropic, not listed, is deleted"
        );
        assert_eq!(configs[0]["id"], openai);
        assert_eq!(
            configs[0]["allowed_models"],
            json!([]),
            "an omitted list blocks every model"
        );
        assert_eq!(configs[0]["weight"], Value::Null);
        let body = put(&api, &vk_id, json!({"provider_configs": []}))
            .await
            .expect(200);
        assert_eq!(body["virtual_key"]["provider_configs"], json!([]));
    }
}

#[tokio::test]
async fn keys_update_omitted_key_ids_drop_keys_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk(json!({"name": "k", "provider_configs": [{"provider": "openai", "key_ids": ["*"]}]}))
        .await;
    let pc = vk["provider_configs"][0]["id"].clone();
    let body = put(
        &api,
        vk["id"].as_str().unwrap(),
        json!({"provider_configs": [{"id": pc, "provider": "openai"}]}),
    )
    .await
    .expect(200);
    assert_eq!(
        body["virtual_key"]["provider_configs"][0]["allow_all_keys"],
        false
    );
}

#[tokio::test]
async fn keys_update_omitted_key_ids_keep_keys_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk(json!({"name": "k", "provider_configs": [{"provider": "openai", "key_ids": ["*"]}]}))
        .await;
    let id = vk["id"].as_str().unwrap().to_string();
    let pc = vk["provider_configs"][0]["id"].clone();
    let body = put(
        &api,
        &id,
        json!({"provider_configs": [{"id": pc, "provider": "openai"}]}),
    )
    .await
    .expect(200);
    assert_eq!(
        body["virtual_key"]["provider_configs"][0]["allow_all_keys"],
        true
    );
    let body = put(
        &api,
        &id,
        json!({"provider_configs": [{"id": pc, "provider": "openai", "key_ids": []}]}),
    )
    .await
    .expect(200);
    assert_eq!(
        body["virtual_key"]["provider_configs"][0]["allow_all_keys"], false,
        "[] denies all"
    );
}

#[tokio::test]
async fn keys_update_foreign_provider_config_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api.vk_id(json!({"name": "k"})).await;
        put(
            &api,
            &vk,
            json!({"provider_configs": [{"id": 999, "provider": "openai"}]}),
        )
        .await
        .assert_error(
            500,
            "Failed to update virtual key: provider config 999 does not belong to this virtual key",
        );
        put(
            &api,
            &vk,
            json!({"provider_configs": [{"provider": "cohere"}]}),
        )
        .await
        .assert_error(
            400,
            "Failed to update virtual key: invalid provider name: cohere",
        );
    }
}

#[tokio::test]
async fn keys_update_foreign_mcp_config_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api.vk_id(json!({"name": "k"})).await;
        put(
            &api,
            &vk,
            json!({"mcp_configs": [{"id": 77, "mcp_client_name": "github"}]}),
        )
        .await
        .assert_error(
            500,
            "Failed to update virtual key: MCP config 77 does not belong to this virtual key",
        );
        put(
            &api,
            &vk,
            json!({"mcp_configs": [{"mcp_client_name": "jira"}]}),
        )
        .await
        .assert_error(
            500,
            "Failed to update virtual key: failed to get MCP client: not found",
        );
    }
}

#[tokio::test]
async fn keys_update_readding_an_mcp_client_is_400_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk_id(json!({"name": "k", "mcp_configs": [{"mcp_client_name": "github"}]}))
        .await;
    put(&api, &vk, json!({"mcp_configs": [{"mcp_client_name": "github", "tools_to_execute": ["*"]}]}))
        .await
        .assert_error(400, "Failed to update virtual key: a record with this mcp client id already exists. Please use a different value");
}

#[tokio::test]
async fn keys_update_readding_an_mcp_client_is_409_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk_id(json!({"name": "k", "mcp_configs": [{"mcp_client_name": "github"}]}))
        .await;
    put(
        &api,
        &vk,
        json!({"mcp_configs": [{"mcp_client_name": "github"}]}),
    )
    .await
    .assert_error(409, "A virtual key with this name already exists");
}

#[tokio::test]
async fn keys_update_provider_budget_duration_texts_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk(json!({"name": "k", "provider_configs": [{"provider": "openai"}]}))
        .await;
    let id = vk["id"].as_str().unwrap().to_string();
    let pc = vk["provider_configs"][0]["id"].clone();
    put(&api, &id, json!({"provider_configs": [{"id": pc, "provider": "openai", "budgets": [{"max_limit": 1, "reset_duration": "1x"}]}]}))
        .await
        .assert_error(400, "Failed to update virtual key: invalid provider config budget reset duration format: 1x");
    put(&api, &id, json!({"provider_configs": [{"id": pc, "provider": "openai", "budgets": [{"max_limit": -1, "reset_duration": "1d"}]}]}))
        .await
        .assert_error(400, "Failed to update virtual key: provider config budget max_limit cannot be negative: -1.00");
    // A new provider config's budgets are not pre-checked: `validateBudget` answers 500.
    put(&api, &id, json!({"provider_configs": [{"provider": "groq", "budgets": [{"max_limit": 1, "reset_duration": "1x"}]}]}))
        .await
        .assert_error(500, "Failed to update virtual key: invalid budget reset duration format: 1x");
}

#[tokio::test]
async fn keys_update_expiry_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    put(&api, &vk, json!({"expires_at": "soon"}))
        .await
        .assert_error(400, "expires_at must be an RFC3339 timestamp");
    put(&api, &vk, json!({"expires_at": "2020-01-01T00:00:00Z"}))
        .await
        .assert_error(400, "expires_at must be a future timestamp");
    put(&api, &vk, json!({"delete_after_expire": true}))
        .await
        .assert_error(400, "delete_after_expire requires expires_at");
    let body = put(
        &api,
        &vk,
        json!({"expires_at": "2030-01-01T00:00:00Z", "delete_after_expire": true}),
    )
    .await
    .expect(200);
    assert_eq!(body["virtual_key"]["delete_after_expire"], true);
    let body = put(&api, &vk, json!({"expires_at": ""})).await.expect(200);
    assert!(body["virtual_key"].get("expires_at").is_none());
    assert!(
        body["virtual_key"].get("delete_after_expire").is_none(),
        "cleared with the expiry"
    );
}

#[tokio::test]
async fn keys_update_metadata_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk_id(json!({"name": "k", "metadata": {"a": "1", "b": "2"}}))
        .await;
    let body = put(&api, &vk, json!({"description": "d"}))
        .await
        .expect(200);
    assert_eq!(
        body["virtual_key"]["metadata"],
        json!({"a": "1", "b": "2"}),
        "omitted keeps"
    );
    let body = put(&api, &vk, json!({"metadata": {"c": "3"}}))
        .await
        .expect(200);
    assert_eq!(
        body["virtual_key"]["metadata"],
        json!({"c": "3"}),
        "replaced whole"
    );
    put(&api, &vk, json!({"metadata": {"bad key": "x"}}))
        .await
        .assert_error(400, "invalid metadata key \"bad key\": keys must be 1-256 characters of letters, digits, '.', '_' or '-'");
    let body = put(&api, &vk, json!({"metadata": {}})).await.expect(200);
    assert!(body["virtual_key"].get("metadata").is_none(), "{{}} clears");
}

#[tokio::test]
async fn keys_update_content_logging_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk_id(json!({"name": "k", "disable_content_logging": true}))
        .await;
    let body = put(&api, &vk, json!({"description": "d"}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["disable_content_logging"], true);
    let body = put(&api, &vk, json!({"disable_content_logging": null}))
        .await
        .expect(200);
    assert!(
        body["virtual_key"].get("disable_content_logging").is_none(),
        "null inherits"
    );
}

#[tokio::test]
async fn keys_update_failure_rolls_back() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api
            .vk_id(json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}]}))
            .await;
        let before = get(&api, &vk).await;
        put(
            &api,
            &vk,
            json!({"name": "renamed", "budgets": [{"max_limit": 9, "reset_duration": "1w"}],
            "provider_configs": [{"id": 404, "provider": "openai"}]}),
        )
        .await
        .assert_error(
            500,
            "Failed to update virtual key: provider config 404 does not belong to this virtual key",
        );
        let after = get(&api, &vk).await;
        assert_eq!(after, before);
        if is_v1_5(version) {
            assert_eq!(after["budgets"][0]["reset_duration"], "1d");
        }
    }
}

/// The per-model configs of a key, as `GET /model-configs` lists them: model → (budget
/// limits, rate-limit request maximum).
async fn per_model_configs(api: &Api, vk: &str) -> Vec<(String, Vec<f64>, Option<i64>)> {
    let list = api
        .get_raw("/api/governance/model-configs?scope=virtual_key&limit=100")
        .await
        .expect(200);
    let mut out: Vec<_> = list["model_configs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|mc| mc["scope_id"] == vk && mc["model_name"] != "*")
        .map(|mc| {
            let limits = mc["budgets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["max_limit"].as_f64())
                .collect();
            (
                mc["model_name"].as_str().unwrap_or_default().to_string(),
                limits,
                mc["rate_limit"]["request_max_limit"].as_i64(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test]
async fn keys_model_budgets_are_key_scoped_model_configs_on_v2() {
    let (_server, api) = fake(V2).await;
    let day = |limit: f64| json!([{"max_limit": limit, "reset_duration": "1d"}]);
    let vk = api
        .vk_id(json!({"name": "k", "provider_configs": [{
            "provider": "openai",
            "budgets": day(100.0),
            "model_budgets": [
                {"model_name": "gpt-4o", "budgets": day(20.0)},
                {"model_name": "gpt-4o-mini", "rate_limit": {"request_max_limit": 60, "request_reset_duration": "1m"}}
            ]
        }]}))
        .await;
    assert_eq!(
        per_model_configs(&api, &vk).await,
        [
            ("gpt-4o".to_string(), vec![20.0], None),
            ("gpt-4o-mini".to_string(), vec![], Some(60)),
        ]
    );
    let read = get(&api, &vk).await;
    let pc = &read["provider_configs"][0];
    assert_eq!(pc["model_budgets"][0]["model_name"], "gpt-4o", "{pc}");
    assert_eq!(pc["model_budgets"][0]["budgets"][0]["max_limit"], 20.0);
    assert!(
        pc["model_budgets"][0].get("rate_limit").is_none(),
        "omitempty: {pc}"
    );
    assert_eq!(
        pc["budgets"][0]["max_limit"], 100.0,
        "the * tier stays the config's own"
    );
    let pc_id = pc["id"].clone();

    // An update without `model_budgets` leaves them.
    put(
        &api,
        &vk,
        json!({"provider_configs": [{"id": pc_id, "provider": "openai", "weight": 1.0}]}),
    )
    .await
    .expect(200);
    assert_eq!(per_model_configs(&api, &vk).await.len(), 2);

    // A list sent is the whole set: gpt-4o changes, gpt-4o-mini goes, o3 comes.
    put(
        &api,
        &vk,
        json!({"provider_configs": [{"id": pc_id, "provider": "openai", "model_budgets": [
            {"model_name": "gpt-4o", "budgets": day(25.0)},
            {"model_name": "o3", "budgets": day(5.0)}
        ]}]}),
    )
    .await
    .expect(200);
    assert_eq!(
        per_model_configs(&api, &vk).await,
        [
            ("gpt-4o".to_string(), vec![25.0], None),
            ("o3".to_string(), vec![5.0], None),
        ]
    );

    // An empty list removes every per-model config of the provider, with its budgets.
    put(
        &api,
        &vk,
        json!({"provider_configs": [{"id": pc_id, "provider": "openai", "model_budgets": []}]}),
    )
    .await
    .expect(200);
    assert!(per_model_configs(&api, &vk).await.is_empty());
    let budgets = api
        .get_raw("/api/governance/budgets?limit=100")
        .await
        .expect(200);
    let limits: Vec<f64> = budgets["budgets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["max_limit"].as_f64())
        .collect();
    assert!(
        !limits.contains(&25.0) && !limits.contains(&5.0),
        "{limits:?}"
    );

    // The key's deletion takes them with it.
    put(
        &api,
        &vk,
        json!({"provider_configs": [{"id": pc_id, "provider": "openai", "model_budgets": [
            {"model_name": "gpt-4o", "budgets": day(7.0)}
        ]}]}),
    )
    .await
    .expect(200);
    api.send(Method::DELETE, &format!("{KEYS}/{vk}"), Value::Null)
        .await
        .expect(200);
    assert!(per_model_configs(&api, &vk).await.is_empty());
}

#[tokio::test]
async fn keys_model_budgets_are_ignored_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk_id(json!({"name": "k", "provider_configs": [{
            "provider": "openai",
            "model_budgets": [{"model_name": "gpt-4o", "budgets": [{"max_limit": 20.0, "reset_duration": "1d"}]}]
        }]}))
        .await;
    let read = get(&api, &vk).await;
    assert!(
        read["provider_configs"][0].get("model_budgets").is_none(),
        "{read}"
    );
    let configs = api
        .get_raw("/api/governance/model-configs?limit=100")
        .await
        .expect(200);
    assert!(
        configs["model_configs"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{configs}"
    );
}
