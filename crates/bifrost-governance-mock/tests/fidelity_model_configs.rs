//! Fidelity of `/api/governance/model-configs` (FIDELITY.md, "Model configs and
//! provider governance").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, id, names};
use reqwest::Method;
use serde_json::{Value, json};

const CONFIGS: &str = "/api/governance/model-configs";

async fn create(api: &Api, body: Value) -> common::Raw {
    api.send(Method::POST, CONFIGS, body).await
}

async fn put(api: &Api, id: &str, body: Value) -> common::Raw {
    api.send(Method::PUT, &format!("{CONFIGS}/{id}"), body)
        .await
}

#[tokio::test]
async fn model_configs_from_memory_null_when_empty_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let raw = api.get_raw(&format!("{CONFIGS}?from_memory=true")).await;
    assert_eq!(
        raw.body,
        "{\"count\":0,\"limit\":0,\"model_configs\":null,\"offset\":0,\"total_count\":0}\n"
    );
    let unpaged = api.get_raw(CONFIGS).await;
    assert_eq!(
        unpaged.body,
        "{\"count\":0,\"limit\":0,\"model_configs\":[],\"offset\":0,\"total_count\":0}\n"
    );
}

#[tokio::test]
async fn model_configs_from_memory_filters_on_v2() {
    let (_server, api) = fake(V2).await;
    for (model, provider) in [
        ("gpt-4o", "openai"),
        ("gpt-4o-mini", "openai"),
        ("claude", "anthropic"),
    ] {
        create(&api, json!({"model_name": model, "provider": provider}))
            .await
            .expect(200);
    }
    let body = api
        .get_raw(&format!(
            "{CONFIGS}?from_memory=true&provider=openai&limit=abc"
        ))
        .await
        .expect(200);
    assert_eq!(
        names(&body, "model_configs", "model_name"),
        ["gpt-4o", "gpt-4o-mini"]
    );
    assert_eq!(body["limit"], 2, "default limit: all, no clamp");
    let body = api
        .get_raw(&format!("{CONFIGS}?from_memory=true&search=GPT&offset=9"))
        .await
        .expect(200);
    assert_eq!(
        (&body["offset"], &body["count"]),
        (&json!(2), &json!(0)),
        "offset past the end: the total"
    );
}

#[tokio::test]
async fn model_configs_list_strict_paging() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.get_raw(&format!("{CONFIGS}?limit=x"))
            .await
            .assert_error(400, "Invalid limit parameter: must be a number");
        api.get_raw(&format!("{CONFIGS}?offset=-1"))
            .await
            .assert_error(400, "Invalid offset parameter: must be non-negative");
    }
}

#[tokio::test]
async fn model_configs_pages_oldest_first_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    for model in ["a", "b", "c"] {
        create(&api, json!({"model_name": model})).await.expect(200);
    }
    let body = api.get_raw(&format!("{CONFIGS}?limit=2")).await.expect(200);
    assert_eq!(names(&body, "model_configs", "model_name"), ["a", "b"]);
}

#[tokio::test]
async fn model_configs_pages_newest_first_on_v2() {
    let (_server, api) = fake(V2).await;
    for model in ["a", "b", "c"] {
        create(&api, json!({"model_name": model})).await.expect(200);
    }
    let body = api.get_raw(&format!("{CONFIGS}?limit=2")).await.expect(200);
    assert_eq!(names(&body, "model_configs", "model_name"), ["c", "b"]);
    let body = api.get_raw(CONFIGS).await.expect(200);
    assert_eq!(
        names(&body, "model_configs", "model_name"),
        ["a", "b", "c"],
        "unpaged: id order"
    );
}

#[tokio::test]
async fn model_configs_scope_filters_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    create(&api, json!({"model_name": "gpt-4o", "provider": "openai"}))
        .await
        .expect(200);
    create(&api, json!({"model_name": "gpt-4o", "provider": "openai", "scope": "virtual_key", "scope_id": vk})).await.expect(200);
    let body = api
        .get_raw(&format!("{CONFIGS}?scope=virtual_key"))
        .await
        .expect(200);
    assert_eq!(
        (&body["count"], &body["limit"]),
        (&json!(1), &json!(25)),
        "a scope filter pages"
    );
    assert_eq!(body["model_configs"][0]["scope_name"], "k");
    let body = api
        .get_raw(&format!("{CONFIGS}?scope_id={vk}"))
        .await
        .expect(200);
    assert_eq!(body["count"], 1);
}

#[tokio::test]
async fn model_configs_get_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.get_raw(&format!("{CONFIGS}/nope"))
            .await
            .assert_error(404, "Model config not found");
        put(&api, "nope", json!({}))
            .await
            .assert_error(404, "Model config not found");
        api.raw(Method::DELETE, &format!("{CONFIGS}/nope"), None)
            .await
            .assert_error(404, "Model config not found");
    }
}

#[tokio::test]
async fn model_configs_create_needs_a_name() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"provider": "openai"}))
            .await
            .assert_error(400, "Model name is required");
    }
}

#[tokio::test]
async fn model_configs_duplicate_is_409_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(&api, json!({"model_name": "gpt-4o", "provider": "openai"}))
        .await
        .expect(200);
    create(&api, json!({"model_name": "gpt-4o", "provider": "openai"}))
        .await
        .assert_error(
            409,
            "Model config for model 'gpt-4o' with provider 'openai' already exists",
        );
    create(&api, json!({"model_name": "gpt-4o"}))
        .await
        .expect(200);
    create(&api, json!({"model_name": "gpt-4o"}))
        .await
        .assert_error(
            409,
            "Model config for model 'gpt-4o' (global) already exists",
        );
}

#[tokio::test]
async fn model_configs_duplicate_is_409_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    create(&api, json!({"model_name": "gpt-4o", "provider": "openai"}))
        .await
        .expect(200);
    create(&api, json!({"model_name": "gpt-4o", "provider": "openai"}))
        .await
        .assert_error(
            409,
            "Model config for model 'gpt-4o' with provider 'openai' (global) already exists",
        );
    let scoped = json!({"model_name": "gpt-4o", "scope": "virtual_key", "scope_id": vk});
    create(&api, scoped.clone()).await.expect(200);
    create(&api, scoped).await.assert_error(
        409,
        &format!("Model config for model 'gpt-4o' (virtual_key '{vk}') already exists"),
    );
}

#[tokio::test]
async fn model_configs_canonical_collision_on_v2() {
    let (_server, api) = fake(V2).await;
    let existing = id(
        &create(&api, json!({"model_name": "gpt-4o", "provider": "openai"}))
            .await
            .expect(200)["model_config"],
    );
    for name in ["GPT-4O", " gpt-4o ", "openai/gpt-4o"] {
        let raw = create(&api, json!({"model_name": name, "provider": "openai"})).await;
        assert_eq!(raw.status, 409, "{name}: {}", raw.body);
        assert!(raw.body.contains(&existing), "{}", raw.body);
    }
    create(&api, json!({"model_name": "gpt-4o", "provider": "azure"}))
        .await
        .expect(200);
    create(&api, json!({"model_name": "gpt-4o"}))
        .await
        .expect(200);
    let raw = create(&api, json!({"model_name": "gpt-4o-2024-08-06"})).await;
    assert_eq!(
        raw.status, 409,
        "a dated alias of a provider-less config: {}",
        raw.body
    );
}

#[tokio::test]
async fn model_configs_create_budget_prechecks_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(
        &api,
        json!({"model_name": "m", "budget": {"max_limit": 1, "reset_duration": "1Q"}}),
    )
    .await
    .assert_error(400, "Invalid reset duration format: 1Q");
    create(
        &api,
        json!({"model_name": "m", "budget": {"max_limit": -1, "reset_duration": "1d"}}),
    )
    .await
    .assert_error(400, "Budget max_limit cannot be negative: -1.00");
    let body = create(
        &api,
        json!({"model_name": "m", "budget": {"max_limit": 3, "reset_duration": "1d"}}),
    )
    .await
    .expect(200);
    assert_eq!(body["model_config"]["budget"]["max_limit"], 3.0);
    assert_eq!(
        body["model_config"]["budget_id"],
        body["model_config"]["budget"]["id"]
    );
}

#[tokio::test]
async fn model_configs_create_zero_budget_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"model_name": "m", "budget": {"max_limit": 0, "reset_duration": "1d"}}),
        )
        .await
        .assert_error(
            500,
            "Failed to create model config: budget max limit cannot be negative or zero: 0.00",
        );
    }
}

#[tokio::test]
async fn model_configs_create_empty_provider_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"model_name": "m", "provider": ""}))
            .await
            .assert_error(
                500,
                "Failed to create model config: provider cannot be an empty string",
            );
        create(&api, json!({"model_name": "  "}))
            .await
            .assert_error(
                500,
                "Failed to create model config: model_name cannot be empty",
            );
    }
}

#[tokio::test]
async fn model_configs_scope_checks_on_v2() {
    let (_server, api) = fake(V2).await;
    create(&api, json!({"model_name": "m", "scope": "team"}))
        .await
        .assert_error(400, "Invalid scope \"team\"");
    create(&api, json!({"model_name": "m", "scope": "virtual_key"}))
        .await
        .assert_error(400, "scope_id is required when scope is not global");
    create(
        &api,
        json!({"model_name": "m", "scope": "virtual_key", "scope_id": "ghost"}),
    )
    .await
    .assert_error(400, "Virtual key 'ghost' not found");
    let body = create(&api, json!({"model_name": "m", "scope_id": "ignored"}))
        .await
        .expect(200);
    assert_eq!(body["model_config"]["scope"], "global");
    assert!(
        body["model_config"].get("scope_id").is_none(),
        "dropped for global"
    );
}

#[tokio::test]
async fn model_configs_ignore_scope_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let body = create(
        &api,
        json!({"model_name": "m", "scope": "virtual_key", "scope_id": "ghost"}),
    )
    .await
    .expect(200);
    assert!(body["model_config"].get("scope").is_none(), "{body}");
}

#[tokio::test]
async fn model_configs_update_collision_is_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(&api, json!({"model_name": "a", "provider": "openai"}))
        .await
        .expect(200);
    let b = id(
        &create(&api, json!({"model_name": "b", "provider": "openai"}))
            .await
            .expect(200)["model_config"],
    );
    put(&api, &b, json!({"model_name": "a"}))
        .await
        .assert_error(500, "Failed to update model config: a record with this provider already exists. Please use a different value");
}

#[tokio::test]
async fn model_configs_update_rate_limit_and_budget() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let mc = id(&create(
            &api,
            json!({"model_name": "m", "budget": {"max_limit": 3, "reset_duration": "1d"},
            "rate_limit": {"token_max_limit": 10, "token_reset_duration": "1h"}}),
        )
        .await
        .expect(200)["model_config"]);
        let body = put(
            &api,
            &mc,
            json!({"rate_limit": {"request_max_limit": 2, "request_reset_duration": "1m"}}),
        )
        .await
        .expect(200);
        assert_eq!(body["message"], "Model config updated successfully");
        assert!(
            body["model_config"]["rate_limit"]
                .get("token_max_limit")
                .is_none(),
            "overwritten"
        );
        let body = put(&api, &mc, json!({"budget": {}, "rate_limit": {}}))
            .await
            .expect(200);
        assert!(body["model_config"].get("rate_limit").is_none());
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0
        );
    }
}

#[tokio::test]
async fn model_configs_update_errors_are_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let mc = id(&create(&api, json!({"model_name": "m"})).await.expect(200)["model_config"]);
    put(&api, &mc, json!({"budget": {"max_limit": 3}}))
        .await
        .assert_error(500, "Failed to update model config: both max_limit and reset_duration are required when creating a new budget");
    put(
        &api,
        &mc,
        json!({"budget": {"max_limit": 3, "reset_duration": "1Q"}}),
    )
    .await
    .assert_error(
        500,
        "Failed to update model config: invalid reset duration format: 1Q",
    );
    put(&api, &mc, json!({"provider": ""})).await.assert_error(
        500,
        "Failed to update model config: provider cannot be an empty string",
    );
}

#[tokio::test]
async fn model_configs_delete_cascades() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let mc = id(&create(
            &api,
            json!({"model_name": "m", "budget": {"max_limit": 3, "reset_duration": "1d"},
            "rate_limit": {"token_max_limit": 10, "token_reset_duration": "1h"}}),
        )
        .await
        .expect(200)["model_config"]);
        let raw = api
            .raw(Method::DELETE, &format!("{CONFIGS}/{mc}"), None)
            .await;
        assert_eq!(
            raw.body,
            "{\"message\":\"Model config deleted successfully\"}\n"
        );
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0
        );
        assert_eq!(
            api.get_raw("/api/governance/rate-limits").await.expect(200)["count"],
            0
        );
    }
}
