//! Model configs, provider governance, routing rules and pricing overrides.

mod common;

use common::{assert_error, id, start};
use serde_json::{Value, json};

#[tokio::test]
async fn model_config_lifecycle_with_legacy_budget_and_overwriting_rate_limit() {
    let (_server, api) = start().await;
    let (status, body) = api
        .post(
            "/api/governance/model-configs",
            json!({"model_name": "gpt-4o", "provider": "openai",
            "budget": {"max_limit": 10, "reset_duration": "1d"},
            "rate_limit": {"token_max_limit": 1000, "token_reset_duration": "1h"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "Model config created successfully");
    let mc = &body["model_config"];
    assert_eq!(mc["scope"], "global");
    assert_eq!(mc["budget"]["model_config_id"], mc["id"]);
    let path = format!("/api/governance/model-configs/{}", id(mc));
    let (_, body) = api
        .put(&path, json!({"rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}, "budget": {}}))
        .await;
    let mc = &body["model_config"];
    assert!(mc.get("budget").is_none(), "budget {{}} removes it: {mc}");
    assert!(
        mc["rate_limit"].get("token_max_limit").is_none(),
        "rate limit overwritten"
    );
    assert_eq!(mc["rate_limit"]["request_max_limit"], 5);
    let (_, body) = api.put(&path, json!({"rate_limit": {}})).await;
    assert!(body["model_config"].get("rate_limit").is_none());
    let (status, body) = api.delete(&path).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("Model config deleted successfully"))
    );
}

#[tokio::test]
async fn virtual_key_scoped_model_configs_show_in_quota_and_go_with_the_key() {
    let (_server, api) = start().await;
    let vk = api.vk(json!({"name": "k"})).await;
    let (status, body) = api
        .post(
            "/api/governance/model-configs",
            json!({"model_name": "gpt-4o", "scope": "virtual_key", "scope_id": id(&vk),
            "budgets": [{"max_limit": 3, "reset_duration": "1d"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let quota: Value = reqwest::Client::new()
        .get(format!("{}/api/governance/virtual-keys/quota", api.base))
        .header("x-bf-vk", vk["value"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(quota["model_configs"][0]["model_name"], "gpt-4o");
    assert_eq!(quota["model_configs"][0]["budgets"][0]["max_limit"], 3.0);
    let (status, body) = api
        .post(
            "/api/governance/model-configs",
            json!({"model_name": "x", "scope": "virtual_key", "scope_id": "ghost"}),
        )
        .await;
    assert_error(status, &body, 400, "virtual key 'ghost' not found");
    api.delete(&format!("/api/governance/virtual-keys/{}", id(&vk)))
        .await;
    let (_, list) = api.get("/api/governance/model-configs").await;
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn provider_governance_put_list_delete() {
    let (_server, api) = start().await;
    let (status, body) = api
        .put(
            "/api/governance/providers/anthropic",
            json!({"budget": {"max_limit": 100, "reset_duration": "1d"},
            "rate_limit": {"request_max_limit": 10, "request_reset_duration": "1m"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["provider"]["provider"], "anthropic");
    assert_eq!(body["provider"]["budgets"][0]["max_limit"], 100.0);
    assert_eq!(body["provider"]["budget"], body["provider"]["budgets"][0]);
    let (_, body) = api
        .put(
            "/api/governance/providers/anthropic",
            json!({"rate_limit": {}}),
        )
        .await;
    assert!(body["provider"].get("rate_limit").is_none());
    let (_, list) = api.get("/api/governance/providers").await;
    assert_eq!(list["count"], 1);
    for _ in 0..2 {
        let (status, body) = api.delete("/api/governance/providers/anthropic").await;
        assert_eq!(status, 200, "idempotent delete: {body}");
    }
    let (_, list) = api.get("/api/governance/providers").await;
    assert_eq!(
        (list["count"].as_i64(), list["providers"].clone()),
        (Some(0), json!([]))
    );
}

#[tokio::test]
async fn routing_rule_targets_sorted_and_replaced_on_update() {
    let (_server, api) = start().await;
    let (status, body) = api
        .post("/api/governance/routing-rules", json!({"name": "cheap-fallback", "cel_expression": "model == \"gpt-4o\"",
            "targets": [{"provider": "azure", "weight": 0.3}, {"provider": "openai", "model": "gpt-4o-mini", "weight": 0.7,
                         "key_id": "b1f05700-0000-4000-8000-000000000001"}],
            "fallbacks": ["anthropic/claude-3-5-haiku"], "priority": 10}))
        .await;
    assert_eq!(status, 200, "{body}");
    let rule = &body["rule"];
    assert_eq!(rule["enabled"], true);
    assert_eq!(rule["scope"], "global");
    assert!(rule["scope_id"].is_null());
    assert_eq!(
        rule["targets"][0]["provider"], "openai",
        "targets sorted by weight desc"
    );
    assert_eq!(rule["targets"][0]["provider_key_name"], "openai-primary");
    let path = format!("/api/governance/routing-rules/{}", id(rule));
    let (_, body) = api
        .put(
            &path,
            json!({"name": "", "enabled": false, "targets": [{"provider": "groq", "weight": 1}]}),
        )
        .await;
    assert_eq!(body["rule"]["name"], "cheap-fallback", "empty name ignored");
    assert_eq!(body["rule"]["enabled"], false);
    assert_eq!(
        body["rule"]["targets"],
        json!([{"provider": "groq", "weight": 1.0}])
    );
    assert_eq!(body["rule"]["priority"], 10);
    let (status, body) = api.put(&path, json!({"targets": []})).await;
    assert_error(status, &body, 400, "at least one routing target");
    let (status, body) = api.put(&path, json!({"fallbacks": ["nowhere/x"]})).await;
    assert_error(status, &body, 400, "invalid fallback");
}

#[tokio::test]
async fn pricing_override_update_merges_and_scope_change_clears_ids() {
    let (_server, api) = start().await;
    let vk = api.vk(json!({"name": "k"})).await;
    let (status, body) = api
        .post("/api/governance/pricing-overrides", json!({"name": "vk discount", "scope_kind": "virtual_key_provider",
            "virtual_key_id": id(&vk), "provider_id": "openai", "match_type": "wildcard", "pattern": "gpt-4o*",
            "request_types": ["chat_completion", "responses"],
            "patch": {"input_cost_per_token": 0.000002, "output_cost_per_token": 0.000008}}))
        .await;
    assert_eq!(status, 201, "{body}");
    let po = &body["pricing_override"];
    let patch: Value = serde_json::from_str(
        po["pricing_patch"]
            .as_str()
            .expect("pricing_patch is a string"),
    )
    .unwrap();
    assert_eq!(
        patch,
        json!({"input_cost_per_token": 0.000002, "output_cost_per_token": 0.000008})
    );
    let path = format!("/api/governance/pricing-overrides/{}", id(po));

    let (status, body) = api
        .put(
            &path,
            json!({"name": "renamed", "patch": {"output_cost_per_token": 0.1}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let po = &body["pricing_override"];
    assert_eq!(po["name"], "renamed");
    assert_eq!(po["virtual_key_id"], id(&vk), "merge keeps unsent fields");
    assert_eq!(
        po["pricing_patch"], "{\"output_cost_per_token\":0.1}",
        "patch replaced whole"
    );

    // Changing the scope clears every id that is not sent again.
    let (status, body) = api
        .put(
            &path,
            json!({"scope_kind": "provider", "provider_id": "openai"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["pricing_override"].get("virtual_key_id").is_none(),
        "{body}"
    );
    assert_eq!(body["pricing_override"]["provider_id"], "openai");
    // An explicit null clears an id (here making the override invalid).
    let (status, body) = api.put(&path, json!({"provider_id": null})).await;
    assert_error(
        status,
        &body,
        400,
        "provider_id is required for scope_kind provider",
    );
    let (status, body) = api.delete(&path).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("Pricing override deleted successfully"))
    );
}
