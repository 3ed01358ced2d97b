//! Validation and authentication errors, all in the `BifrostError` envelope.

mod common;

use bifrost_governance_mock::MockServer;
use common::{Api, assert_error, start};
use serde_json::json;

#[tokio::test]
async fn malformed_json_and_empty_names_are_400() {
    let (_server, api) = start().await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/governance/virtual-keys", api.base))
        .body("{not json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_error(status, &response.json().await.unwrap(), 400, "Invalid JSON");
    for (collection, body, message) in [
        (
            "virtual-keys",
            json!({"name": ""}),
            "Virtual key name is required",
        ),
        ("teams", json!({"name": "  "}), "Team name is required"),
        ("customers", json!({}), "Customer name is required"),
        (
            "model-configs",
            json!({"model_name": ""}),
            "Model name is required",
        ),
        ("virtual-keys", json!({"name": 5}), "Invalid JSON"),
    ] {
        let (status, response) = api
            .post(&format!("/api/governance/{collection}"), body)
            .await;
        assert_error(status, &response, 400, message);
    }
}

#[tokio::test]
async fn budgets_need_a_positive_limit_and_a_positive_duration() {
    let (_server, api) = start().await;
    for (budget, message) in [
        (
            json!({"max_limit": 0, "reset_duration": "1d"}),
            "budget max limit cannot be negative or zero",
        ),
        (
            json!({"max_limit": -1, "reset_duration": "1d"}),
            "Budget max_limit cannot be negative: -1.00",
        ),
        (
            json!({"max_limit": 5, "reset_duration": "0s"}),
            "must be a positive duration",
        ),
        (
            json!({"max_limit": 5, "reset_duration": "-1d"}),
            "must be a positive duration",
        ),
        (
            json!({"max_limit": 5, "reset_duration": "1x"}),
            "Invalid reset duration",
        ),
        (
            json!({"max_limit": 5, "reset_duration": "1hh"}),
            "Invalid reset duration",
        ),
    ] {
        let (status, body) = api
            .post(
                "/api/governance/teams",
                json!({"name": "t", "budgets": [budget]}),
            )
            .await;
        assert_error(status, &body, 400, message);
    }
    // Go durations, compounds and the Bifrost suffixes all parse.
    for (i, duration) in ["30s", "1h30m", "250ms", "1.5d", "2w", "1M", "1Q", "1Y"]
        .iter()
        .enumerate()
    {
        let (status, body) = api
            .post("/api/governance/teams", json!({"name": format!("t{i}"), "budgets": [{"max_limit": 1, "reset_duration": duration}]}))
            .await;
        assert_eq!(status, 200, "{duration}: {body}");
    }
}

#[tokio::test]
async fn rate_limit_maxima_need_their_durations_and_must_be_positive() {
    let (_server, api) = start().await;
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys",
            json!({"name": "k", "rate_limit": {"token_max_limit": 100}}),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "token_reset_duration is required when token_max_limit is set",
    );
    let (status, body) = api
        .post("/api/governance/virtual-keys", json!({"name": "k", "rate_limit": {"request_max_limit": 0, "request_reset_duration": "1m"}}))
        .await;
    assert_error(
        status,
        &body,
        400,
        "Invalid rate limit: request_max_limit must be greater than 0",
    );
    let (status, body) = api
        .post("/api/governance/customers", json!({"name": "c", "rate_limit": {"request_max_limit": 5, "request_reset_duration": "5 minutes"}}))
        .await;
    assert_error(status, &body, 400, "Invalid rate limit");
}

#[tokio::test]
async fn not_found_messages() {
    let (_server, api) = start().await;
    for (path, message) in [
        ("/api/governance/virtual-keys/nope", "Virtual key not found"),
        ("/api/governance/teams/nope", "Team not found"),
        ("/api/governance/customers/nope", "Customer not found"),
        (
            "/api/governance/model-configs/nope",
            "Model config not found",
        ),
        (
            "/api/governance/routing-rules/nope",
            "Routing rule not found",
        ),
    ] {
        let (status, body) = api.get(path).await;
        assert_error(status, &body, 404, message);
    }
    let (status, body) = api.delete("/api/governance/pricing-overrides/nope").await;
    assert_error(status, &body, 404, "Pricing override not found");
    let (status, body) = api.put("/api/governance/providers/cohere", json!({})).await;
    assert_error(status, &body, 404, "Provider not found");
    let (status, body) = api.get("/api/governance/unknown").await;
    assert_error(
        status,
        &body,
        404,
        "Route not found: /api/governance/unknown",
    );
    let (status, body) = api
        .call(reqwest::Method::PATCH, "/api/governance/teams", None)
        .await;
    assert_error(status, &body, 405, "Method Not Allowed");
}

#[tokio::test]
async fn admin_key_is_required_except_on_version_and_quota() {
    let server = MockServer::builder().api_key("s3cret").start().await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base_url());
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("s3cret"),
        Some("Basic s3cret"),
    ] {
        let mut request = client.get(url("/api/governance/teams"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        assert_error(status, &response.json().await.unwrap(), 401, "Unauthorized");
    }
    let ok = client
        .get(url("/api/governance/teams"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let version = client.get(url("/api/version")).send().await.unwrap();
    assert_eq!(version.status().as_u16(), 200);
    // The quota route authenticates with the virtual key, not the admin key.
    let quota = client
        .get(url("/api/governance/virtual-keys/quota"))
        .send()
        .await
        .unwrap();
    let status = quota.status().as_u16();
    assert_error(
        status,
        &quota.json().await.unwrap(),
        401,
        "Missing virtual key",
    );
    let api = Api::new(&server);
    let (status, _) = api
        .post("/api/governance/customers", json!({"name": "acme"}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn duplicate_model_configs_are_409() {
    let (_server, api) = start().await;
    let body = json!({"model_name": "gpt-4o", "provider": "openai", "budget": {"max_limit": 10, "reset_duration": "1d"}});
    let (status, created) = api
        .post("/api/governance/model-configs", body.clone())
        .await;
    assert_eq!(status, 200, "{created}");
    let (status, response) = api.post("/api/governance/model-configs", body).await;
    assert_error(
        status,
        &response,
        409,
        "Model config for model 'gpt-4o' with provider 'openai' already exists",
    );
    api.post(
        "/api/governance/model-configs",
        json!({"model_name": "gpt-4o"}),
    )
    .await;
    let (status, response) = api
        .post(
            "/api/governance/model-configs",
            json!({"model_name": "gpt-4o"}),
        )
        .await;
    assert_error(
        status,
        &response,
        409,
        "Model config for model 'gpt-4o' (global) already exists",
    );
}

#[tokio::test]
async fn routing_targets_must_be_non_empty_non_negative_and_sum_to_one() {
    let (_server, api) = start().await;
    for (targets, message) in [
        (json!([]), "at least one routing target"),
        (
            json!([{"provider": "openai", "weight": 0.5}]),
            "must sum to 1",
        ),
        (
            json!([{"provider": "openai", "weight": 1.5}, {"provider": "azure", "weight": -0.5}]),
            "cannot be negative",
        ),
        (
            json!([{"key_id": "b1f05700-0000-4000-8000-000000000001", "weight": 1}]),
            "requires a provider",
        ),
        (
            json!([{"provider": "openai", "weight": 0.5}, {"provider": "openai", "weight": 0.5}]),
            "duplicate routing target",
        ),
    ] {
        let (status, body) = api
            .post(
                "/api/governance/routing-rules",
                json!({"name": "r", "targets": targets}),
            )
            .await;
        assert_error(status, &body, 400, message);
    }
    let (status, body) = api
        .post("/api/governance/routing-rules", json!({"name": "r", "targets": [{"provider": "openai", "weight": 0.7004}, {"provider": "azure", "weight": 0.3}]}))
        .await;
    assert_eq!(status, 200, "within 0.001 of 1: {body}");
    let (status, body) = api
        .post(
            "/api/governance/routing-rules",
            json!({"name": "s", "scope": "team", "targets": [{"weight": 1}]}),
        )
        .await;
    assert_error(status, &body, 400, "scope_id is required");
}

#[tokio::test]
async fn pricing_override_rules() {
    let (_server, api) = start().await;
    let base = json!({"name": "o", "scope_kind": "global", "match_type": "exact", "pattern": "gpt-4o",
        "request_types": ["chat_completion"], "patch": {"input_cost_per_token": 0.000002}});
    let with = |changes: serde_json::Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        body
    };
    for (changes, message) in [
        (
            json!({"provider_id": "openai"}),
            "provider_id is not allowed for scope_kind global",
        ),
        (
            json!({"scope_kind": "virtual_key_provider", "virtual_key_id": "x"}),
            "provider_id is required",
        ),
        (json!({"pattern": "gpt-*"}), "must not contain '*'"),
        (
            json!({"match_type": "wildcard", "pattern": "gpt-*-mini"}),
            "exactly one '*', at the end",
        ),
        (
            json!({"request_types": ["chat_completion_stream"]}),
            "streaming request type",
        ),
        (
            json!({"request_types": []}),
            "request_types must not be empty",
        ),
        (
            json!({"scope_kind": "provider", "provider_id": "not-configured"}),
            "invalid provider name",
        ),
    ] {
        let (status, body) = api
            .post("/api/governance/pricing-overrides", with(changes))
            .await;
        assert_error(status, &body, 400, message);
    }
    let (status, body) = api
        .post(
            "/api/governance/pricing-overrides",
            with(json!({"match_type": "wildcard", "pattern": "gpt-4o*"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["message"], "Pricing override created successfully");
}
