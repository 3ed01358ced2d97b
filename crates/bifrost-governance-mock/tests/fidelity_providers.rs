//! Fidelity of `/api/governance/providers` (FIDELITY.md, "Model configs and provider
//! governance").

mod common;

use common::{BOTH, V1_5, V2, fake};
use reqwest::Method;
use serde_json::json;

const PROVIDERS: &str = "/api/governance/providers";

#[tokio::test]
async fn providers_list_is_null_when_nothing_is_governed() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api.get_raw(PROVIDERS).await;
        assert_eq!(raw.body, "{\"count\":0,\"providers\":null}\n");
        let raw = api.get_raw(&format!("{PROVIDERS}?from_memory=true")).await;
        assert_eq!(raw.body, "{\"count\":0,\"providers\":null}\n");
    }
}

#[tokio::test]
async fn providers_list_items_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.send(
        Method::PUT,
        &format!("{PROVIDERS}/openai"),
        json!({"budget": {"max_limit": 9, "reset_duration": "1M"}}),
    )
    .await
    .expect(200);
    let body = api.get_raw(PROVIDERS).await.expect(200);
    let item = &body["providers"][0];
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["budget", "provider"]);
    assert_eq!(item["budget"]["max_limit"], 9.0);
    assert_eq!(
        api.get_raw("/api/governance/model-configs")
            .await
            .expect(200)["count"],
        0
    );
}

#[tokio::test]
async fn providers_list_items_on_v2() {
    let (_server, api) = fake(V2).await;
    api.send(
        Method::PUT,
        &format!("{PROVIDERS}/openai"),
        json!({"budgets": [
        {"max_limit": 9, "reset_duration": "1M"}, {"max_limit": 1, "reset_duration": "1d"}]}),
    )
    .await
    .expect(200);
    let body = api.get_raw(PROVIDERS).await.expect(200);
    let item = &body["providers"][0];
    assert_eq!(
        item["budget"], item["budgets"][0],
        "the deprecated `budget` is the first"
    );
    assert_eq!(item["budgets"].as_array().unwrap().len(), 2);
    assert_eq!(item["calendar_aligned"], false);
}

#[tokio::test]
async fn providers_update_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.send(Method::PUT, &format!("{PROVIDERS}/cohere"), json!({}))
            .await
            .assert_error(404, "Provider not found");
    }
}

#[tokio::test]
async fn providers_update_errors_are_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.send(
        Method::PUT,
        &format!("{PROVIDERS}/openai"),
        json!({"budget": {"max_limit": 0, "reset_duration": "1d"}}),
    )
    .await
    .assert_error(
        500,
        "Failed to update provider governance: budget max limit cannot be negative or zero: 0.00",
    );
    api.send(Method::PUT, &format!("{PROVIDERS}/openai"), json!({"budget": {"max_limit": 5}}))
        .await
        .assert_error(500, "Failed to update provider governance: both max_limit and reset_duration are required when creating a new budget");
    api.send(
        Method::PUT,
        &format!("{PROVIDERS}/openai"),
        json!({"budget": {"max_limit": 5, "reset_duration": "1Q"}}),
    )
    .await
    .assert_error(
        500,
        "Failed to update provider governance: invalid budget reset duration format: 1Q",
    );
}

#[tokio::test]
async fn providers_update_budget_and_budgets_is_400_on_v2() {
    let (_server, api) = fake(V2).await;
    api.send(
        Method::PUT,
        &format!("{PROVIDERS}/cohere"),
        json!({"budget": {}, "budgets": []}),
    )
    .await
    .assert_error(400, "only one of 'budget' or 'budgets' may be set");
}

#[tokio::test]
async fn providers_update_is_a_model_config_on_v2() {
    let (_server, api) = fake(V2).await;
    let body = api
        .send(
            Method::PUT,
            &format!("{PROVIDERS}/openai"),
            json!({"budgets": [{"max_limit": 9, "reset_duration": "1M"}],
            "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
        )
        .await
        .expect(200);
    assert_eq!(body["message"], "Provider governance updated successfully");
    let configs = api
        .get_raw("/api/governance/model-configs")
        .await
        .expect(200);
    let mc = &configs["model_configs"][0];
    assert_eq!(
        (&mc["model_name"], &mc["provider"], &mc["scope"]),
        (&json!("*"), &json!("openai"), &json!("global"))
    );
    let body = api
        .send(
            Method::PUT,
            &format!("{PROVIDERS}/openai"),
            json!({"budgets": [], "rate_limit": {}}),
        )
        .await
        .expect(200);
    assert_eq!(
        body["provider"],
        json!({"provider": "openai", "calendar_aligned": false})
    );
    assert_eq!(
        api.get_raw("/api/governance/model-configs")
            .await
            .expect(200)["count"],
        0
    );
}

#[tokio::test]
async fn providers_path_names_are_unescaped_on_v2() {
    let (_server, api) = fake(V2).await;
    api.send(
        Method::PUT,
        &format!("{PROVIDERS}/%6Fpenai"),
        json!({"budgets": [{"max_limit": 9, "reset_duration": "1M"}]}),
    )
    .await
    .expect(200);
    api.send(Method::PUT, &format!("{PROVIDERS}/%zz"), json!({}))
        .await
        .assert_error(400, "Invalid provider name encoding");
    api.raw(Method::DELETE, &format!("{PROVIDERS}/%zz"), None)
        .await
        .assert_error(400, "Invalid provider name encoding");
}

#[tokio::test]
async fn providers_delete_unknown_is_404_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.raw(Method::DELETE, &format!("{PROVIDERS}/cohere"), None)
        .await
        .assert_error(404, "Provider not found");
}

#[tokio::test]
async fn providers_delete_is_idempotent_on_v2() {
    let (_server, api) = fake(V2).await;
    let raw = api
        .raw(Method::DELETE, &format!("{PROVIDERS}/cohere"), None)
        .await;
    assert_eq!(
        (raw.status, raw.body.as_str()),
        (
            200,
            "{\"message\":\"Provider governance deleted successfully\"}\n"
        )
    );
}

#[tokio::test]
async fn providers_delete_removes_governance() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.raw(Method::DELETE, &format!("{PROVIDERS}/openai"), None)
            .await
            .expect(200);
        let budget = if version == V1_5 {
            json!({"budget": {"max_limit": 9, "reset_duration": "1M"}})
        } else {
            json!({"budgets": [{"max_limit": 9, "reset_duration": "1M"}]})
        };
        api.send(Method::PUT, &format!("{PROVIDERS}/openai"), budget)
            .await
            .expect(200);
        api.raw(Method::DELETE, &format!("{PROVIDERS}/openai"), None)
            .await
            .expect(200);
        assert_eq!(api.get_raw(PROVIDERS).await.expect(200)["count"], 0);
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0
        );
    }
}
