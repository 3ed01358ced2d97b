//! Fidelity of rotation, the self-service quota and budget overrides
//! (FIDELITY.md, "Virtual keys").

mod common;

use std::time::Duration;

use bifrost_governance_mock::MockServer;
use common::{Api, BOTH, V1_5, V2, fake};
use reqwest::Method;
use serde_json::{Value, json};

const KEYS: &str = "/api/governance/virtual-keys";
const QUOTA: &str = "/api/governance/virtual-keys/quota";

/// `GET` the quota with one header.
async fn quota(api: &Api, header: &str, value: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{QUOTA}", api.base))
        .header(header, value)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn value_of(vk: &Value) -> String {
    vk["value"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn rotation_routes_do_not_exist_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    api.raw(Method::POST, &format!("{KEYS}/{vk}/rotate"), None)
        .await
        .assert_error(404, &format!("Route not found: {KEYS}/{vk}/rotate"));
    let raw = api
        .send(
            Method::POST,
            &format!("{KEYS}/rotate"),
            json!({"ids": [vk]}),
        )
        .await;
    assert_eq!((raw.status, raw.body.as_str()), (405, "Method Not Allowed"));
}

#[tokio::test]
async fn rotation_changes_the_value_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk(json!({"name": "k"})).await;
    let old = value_of(&vk);
    let body = api
        .raw(
            Method::POST,
            &format!("{KEYS}/{}/rotate", vk["id"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    assert_eq!(body["message"], "Virtual key rotated successfully");
    let new = value_of(&body["virtual_key"]);
    assert_ne!(new, old);
    assert!(body["virtual_key"]["rotated_at"].is_string());
    assert_eq!(quota(&api, "x-bf-vk", &new).await.0, 200);
    assert_eq!(quota(&api, "x-bf-vk", &old).await.0, 401);
}

#[tokio::test]
async fn rotation_of_unknown_key_is_404_on_v2() {
    let (_server, api) = fake(V2).await;
    api.raw(Method::POST, &format!("{KEYS}/nope/rotate"), None)
        .await
        .assert_error(404, "Virtual key not found");
}

#[tokio::test]
async fn rotation_bulk_validation_on_v2() {
    let (_server, api) = fake(V2).await;
    let path = format!("{KEYS}/rotate");
    api.send(Method::POST, &path, json!({"ids": []}))
        .await
        .assert_error(400, "At least one virtual key ID is required");
    api.send(Method::POST, &path, json!({}))
        .await
        .assert_error(400, "At least one virtual key ID is required");
    api.send(Method::POST, &path, json!({"ids": ["a", " "]}))
        .await
        .assert_error(400, "Virtual key ID cannot be empty");
    api.send(Method::POST, &path, json!({"ids": "a"}))
        .await
        .assert_error(400, "Invalid JSON");
}

#[tokio::test]
async fn rotation_bulk_partial_and_total_failure_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    let path = format!("{KEYS}/rotate");
    let body = api
        .send(
            Method::POST,
            &path,
            json!({"ids": [format!(" {vk} "), vk.clone(), "missing"]}),
        )
        .await
        .expect(200);
    assert_eq!(body["message"], "Virtual keys rotated successfully");
    assert_eq!(
        body["virtual_keys"].as_array().unwrap().len(),
        1,
        "trimmed and de-duplicated"
    );
    assert_eq!(body["errors"], json!({"missing": "virtual key not found"}));
    let raw = api
        .send(Method::POST, &path, json!({"ids": ["x", "y"]}))
        .await;
    let body = raw.expect(500);
    assert_eq!(body["message"], "Failed to rotate virtual keys");
    assert_eq!(body["errors"]["x"], "virtual key not found");
    assert!(
        body.get("is_bifrost_error").is_none(),
        "the success shape, not an error envelope"
    );
}

#[tokio::test]
async fn rotation_grace_keeps_the_old_value_on_v2() {
    let server = MockServer::builder()
        .version(V2)
        .rotation_grace(Duration::from_secs(3600))
        .start()
        .await;
    let api = Api::new(&server);
    let vk = api.vk(json!({"name": "k"})).await;
    let old = value_of(&vk);
    let body = api
        .raw(
            Method::POST,
            &format!("{KEYS}/{}/rotate", vk["id"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    assert!(body["virtual_key"]["previous_value_expires_at"].is_string());
    assert_eq!(
        quota(&api, "x-bf-vk", &old).await.0,
        200,
        "inside the grace window"
    );
}

#[tokio::test]
async fn quota_missing_key_is_401_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.get_raw(QUOTA).await.assert_error(
        401,
        "Missing virtual key. Provide it via x-bf-vk header, Authorization Bearer, x-api-key, or x-goog-api-key header.",
    );
    let vk = api.vk(json!({"name": "k"})).await;
    assert_eq!(
        quota(&api, "api-key", &value_of(&vk)).await.0,
        401,
        "no api-key header on 1.5.x"
    );
}

#[tokio::test]
async fn quota_missing_key_is_401_on_v2() {
    let (_server, api) = fake(V2).await;
    api.get_raw(QUOTA).await.assert_error(
        401,
        "Missing virtual key. Provide it via x-bf-vk header, Authorization Bearer, x-api-key, x-goog-api-key, or api-key header.",
    );
    let vk = api.vk(json!({"name": "k"})).await;
    assert_eq!(quota(&api, "api-key", &value_of(&vk)).await.0, 200);
}

#[tokio::test]
async fn quota_credentials() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api.vk(json!({"name": "k"})).await;
        let value = value_of(&vk);
        assert_eq!(quota(&api, "x-bf-vk", "anything").await, (401, r#"{"is_bifrost_error":false,"status_code":401,"error":{"message":"Virtual key not found"},"extra_fields":{}}"#.to_string() + "\n"));
        assert_eq!(
            quota(&api, "authorization", &format!("bearer {value}"))
                .await
                .0,
            200
        );
        assert_eq!(quota(&api, "x-api-key", "not-a-key").await.0, 401);
        assert_eq!(quota(&api, "x-goog-api-key", &value).await.0, 200);
    }
}

#[tokio::test]
async fn quota_shape_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api.vk(json!({"name": "k", "is_active": false})).await;
    let (status, body) = quota(&api, "x-bf-vk", &value_of(&vk)).await;
    assert_eq!(status, 200, "inactive keys still read their quota");
    assert_eq!(
        body,
        "{\"budgets\":[],\"is_active\":false,\"rate_limit\":null,\"virtual_key_name\":\"k\"}\n"
    );
}

#[tokio::test]
async fn quota_shape_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk(
            json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
        "provider_configs": [{"provider": "openai"}]}),
        )
        .await;
    let (status, body) = quota(&api, "x-bf-vk", &value_of(&vk)).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "budgets",
            "is_active",
            "model_configs",
            "provider_configs",
            "rate_limit",
            "rate_limits",
            "virtual_key_name"
        ]
    );
    assert_eq!(body["budgets"][0]["per_model_usage"], json!([]));
    assert_eq!(body["rate_limits"], json!([]));
    assert_eq!(
        body["provider_configs"][0]["keys"],
        Value::Null,
        "keys are not loaded"
    );
}

#[tokio::test]
async fn quota_expired_key_is_403_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk(json!({"name": "k", "expires_at": "2026-01-01T00:00:05Z"}))
        .await;
    for i in 0..6 {
        api.team(&format!("t{i}"), None).await;
    }
    let (status, body) = quota(&api, "x-bf-vk", &value_of(&vk)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Virtual key has expired"), "{body}");
}

#[tokio::test]
async fn overrides_do_not_exist_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk(json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}]}))
        .await;
    let path = format!(
        "{KEYS}/{}/budgets/{}/override",
        vk["id"].as_str().unwrap(),
        vk["budgets"][0]["id"].as_str().unwrap()
    );
    api.send(Method::PUT, &path, json!({"amount": 5, "mode": "forever"}))
        .await
        .assert_error(404, &format!("Route not found: {path}"));
}

#[tokio::test]
async fn overrides_lifecycle_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk(json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "1d"}]}))
        .await;
    let path = format!(
        "{KEYS}/{}/budgets/{}/override",
        vk["id"].as_str().unwrap(),
        vk["budgets"][0]["id"].as_str().unwrap()
    );
    let body = api
        .send(
            Method::PUT,
            &path,
            json!({"amount": 25, "mode": "cycles", "cycles": 4}),
        )
        .await
        .expect(200);
    assert_eq!(body["effective_max_limit"], 35.0);
    let budget = &body["budget"];
    assert_eq!(
        (
            &budget["max_limit"],
            &budget["override_amount"],
            &budget["override_mode"]
        ),
        (&json!(10), &json!(25), &json!("cycles"))
    );
    assert_eq!(
        (
            &budget["override_cycles_remaining"],
            &budget["override_cycles_total"]
        ),
        (&json!(4), &json!(4))
    );
    assert!(budget["override_anchor_reset"].is_string());
    let body = api
        .send(Method::PUT, &path, json!({"amount": 50, "mode": "forever"}))
        .await
        .expect(200);
    assert_eq!(body["effective_max_limit"], 60.0);
    assert!(body["budget"].get("override_anchor_reset").is_none());
    let body = api.raw(Method::DELETE, &path, None).await.expect(200);
    assert_eq!(body["effective_max_limit"], 10.0);
    assert!(body["budget"].get("override_mode").is_none());
    let raw = api.raw(Method::DELETE, &path, None).await;
    assert_eq!(raw.status, 200, "clearing twice is fine");
}

#[tokio::test]
async fn overrides_validation_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk(json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "1d"}]}))
        .await;
    let path = format!(
        "{KEYS}/{}/budgets/{}/override",
        vk["id"].as_str().unwrap(),
        vk["budgets"][0]["id"].as_str().unwrap()
    );
    for (body, message) in [
        (
            json!({"amount": 0, "mode": "cycles", "cycles": 2}),
            "budget override_amount must be > 0 for cycles mode",
        ),
        (
            json!({"amount": 5, "mode": "cycles"}),
            "budget override_cycles_remaining must be > 0 for cycles mode",
        ),
        (
            json!({"amount": 5, "mode": "forever", "cycles": 3}),
            "budget override_cycles_remaining must be 0 for forever mode",
        ),
        (
            json!({"amount": 5, "mode": ""}),
            "budget override fields require override_mode",
        ),
        (
            json!({"amount": 5, "mode": "weekly"}),
            "invalid budget override_mode: weekly",
        ),
    ] {
        api.send(Method::PUT, &path, body)
            .await
            .assert_error(400, message);
    }
}

#[tokio::test]
async fn overrides_unknown_budget_is_404_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    api.send(
        Method::PUT,
        &format!("{KEYS}/{vk}/budgets/nope/override"),
        json!({"amount": 5, "mode": "forever"}),
    )
    .await
    .assert_error(404, "virtual key or budget not found");
    api.send(
        Method::PUT,
        &format!("{KEYS}/nope/budgets/nope/override"),
        json!({}),
    )
    .await
    .assert_error(404, "virtual key or budget not found");
    let vk = api
        .vk(json!({"name": "k2", "budgets": [{"max_limit": 10, "reset_duration": "1d"}]}))
        .await;
    let path = format!(
        "{KEYS}/{}/budgets/{}/override",
        vk["id"].as_str().unwrap(),
        vk["budgets"][0]["id"].as_str().unwrap()
    );
    api.raw(Method::PUT, &path, Some("{"))
        .await
        .assert_error(400, "invalid request body");
}

#[tokio::test]
async fn keys_static_paths_fall_through_to_ids() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.send(Method::PUT, &format!("{KEYS}/quota"), json!({"name": "x"}))
            .await
            .assert_error(404, "Virtual key not found");
    }
}
