//! Fidelity of `GET /api/governance/budgets`, `GET /api/governance/rate-limits`
//! and the budget rules every owner shares (FIDELITY.md, "Budgets and rate limits").

mod common;

use common::{BOTH, V1_5, V2, fake};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn limits_budgets_lists_every_row() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let empty = api.get_raw("/api/governance/budgets").await;
        assert_eq!(empty.body, "{\"budgets\":[],\"count\":0}\n");
        api.vk(json!({"name": "k", "budgets": [{"max_limit": 1, "reset_duration": "1d"}]}))
            .await;
        api.create(
            "teams",
            "team",
            json!({"name": "t", "budgets": [{"max_limit": 2, "reset_duration": "1w"}]}),
        )
        .await;
        let body = api
            .get_raw("/api/governance/budgets?limit=1&from_memory=false")
            .await
            .expect(200);
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["budgets", "count"], "never paged");
        let limits: Vec<f64> = body["budgets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["max_limit"].as_f64().unwrap())
            .collect();
        assert_eq!(limits, [1.0, 2.0], "created order");
    }
}

#[tokio::test]
async fn limits_rate_limits_lists_every_row() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.vk(json!({"name": "k", "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}})).await;
        api.create("customers", "customer", json!({"name": "c", "rate_limit": {"token_max_limit": 9, "token_reset_duration": "1h"}})).await;
        let body = api.get_raw("/api/governance/rate-limits").await.expect(200);
        assert_eq!(body["count"], 2);
        assert_eq!(body["rate_limits"][0]["request_max_limit"], 5);
        assert_eq!(body["rate_limits"][1]["token_max_limit"], 9);
        assert!(
            body["rate_limits"][1].get("request_max_limit").is_none(),
            "omitempty"
        );
    }
}

#[tokio::test]
async fn limits_from_memory_is_a_map_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk(
            json!({"name": "k", "budgets": [{"max_limit": 1, "reset_duration": "1d"}],
        "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
        )
        .await;
    let budget_id = vk["budgets"][0]["id"].as_str().unwrap();
    let body = api
        .get_raw("/api/governance/budgets?from_memory=true")
        .await
        .expect(200);
    assert_eq!(body["budgets"][budget_id]["max_limit"], 1.0);
    assert_eq!(body["count"], 1);
    let rl_id = vk["rate_limit_id"].as_str().unwrap();
    let body = api
        .get_raw("/api/governance/rate-limits?from_memory=true")
        .await
        .expect(200);
    assert_eq!(body["rate_limits"][rl_id]["request_max_limit"], 5);
}

#[tokio::test]
async fn limits_from_memory_is_ignored_on_v2() {
    let (_server, api) = fake(V2).await;
    api.vk(
        json!({"name": "k", "budgets": [{"max_limit": 1, "reset_duration": "1d"}],
        "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
    )
    .await;
    let body = api
        .get_raw("/api/governance/budgets?from_memory=true")
        .await
        .expect(200);
    assert!(body["budgets"].is_array());
    let body = api
        .get_raw("/api/governance/rate-limits?from_memory=true")
        .await
        .expect(200);
    assert!(body["rate_limits"].is_array());
}

#[tokio::test]
async fn limits_reset_config_rules_on_v2() {
    let (_server, api) = fake(V2).await;
    api.send(
        Method::POST,
        "/api/governance/virtual-keys",
        json!({"name": "k", "budgets": [
        {"max_limit": 1, "reset_duration": "1M", "reset_config": {"quarter_start_month": 4}}]}),
    )
    .await
    .assert_error(
        500,
        "reset_config is only valid on a quarterly reset duration, got: 1M",
    );
    api.send(
        Method::POST,
        "/api/governance/virtual-keys",
        json!({"name": "k", "budgets": [
        {"max_limit": 1, "reset_duration": "1Q", "reset_config": {"quarter_start_month": 13}}]}),
    )
    .await
    .assert_error(500, "quarter_start_month must be between 1 and 12, got: 13");
    let body = api
        .send(
            Method::POST,
            "/api/governance/virtual-keys",
            json!({"name": "k", "calendar_aligned": true,
        "budgets": [{"max_limit": 1, "reset_duration": "1Q", "reset_config": {}}]}),
        )
        .await
        .expect(200);
    // `{}` is a config whose month is unset (January); it prints as `{}`.
    assert_eq!(body["virtual_key"]["budgets"][0]["reset_config"], json!({}));
    assert_eq!(
        body["virtual_key"]["budgets"][0]["last_reset"],
        "2026-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn limits_durations_follow_go() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for duration in ["1.5d", "+1d", "1h30m", "1h30d", "2w", "1Y"] {
            let raw = api
                .send(
                    Method::POST,
                    "/api/governance/virtual-keys",
                    json!({"name": format!("k{duration}"),
                    "budgets": [{"max_limit": 1, "reset_duration": duration}]}),
                )
                .await;
            assert_eq!(raw.status, 200, "{duration}: {}", raw.body);
        }
        for duration in ["1D", "1y", "d", " 1d", "1 d", "1dd"] {
            let raw = api
                .send(
                    Method::POST,
                    "/api/governance/virtual-keys",
                    json!({"name": "bad",
                    "budgets": [{"max_limit": 1, "reset_duration": duration}]}),
                )
                .await;
            assert_eq!(raw.status, 400, "{duration}: {}", raw.body);
        }
    }
}
