//! Golden bodies: for each entity and profile, the fake's bytes against a fixture
//! written by hand from the upstream struct tags (FIDELITY.md, "Golden bodies").
//!
//! The fake runs in deterministic mode, so ids are `00000000-0000-4000-8000-<n>`
//! and times one second apart from 2026-01-01T00:00:00Z; the fixtures carry those
//! values, their shape (field order, `null` against absent, number format) comes
//! from the Go tags.

mod common;

use common::{Api, BOTH, V1_5, assert_golden, fake, id};
use reqwest::Method;
use serde_json::{Value, json};

const GOV: &str = "/api/governance";

fn dir(version: &str) -> &'static str {
    if version == V1_5 { "v1_5" } else { "v2" }
}

/// A customer with a 100 $ monthly budget (one `budget` on 1.5, `budgets` on v2).
async fn customer_with_budget(api: &Api, version: &str) -> String {
    let budget = json!({"max_limit": 100, "reset_duration": "1M"});
    let body = if version == V1_5 {
        json!({"name": "acme", "budget": budget})
    } else {
        json!({"name": "acme", "budgets": [budget]})
    };
    let created = api
        .send(Method::POST, &format!("{GOV}/customers"), body)
        .await
        .expect(200);
    id(&created["customer"])
}

/// A key with a budget, a rate limit and one provider config, owned as `owner`.
async fn governed_key(api: &Api, owner: Value) -> String {
    let mut body = json!({
        "name": "svc",
        "description": "svc key",
        "budgets": [{"max_limit": 10, "reset_duration": "1M"}],
        "rate_limit": {"token_max_limit": 1000, "token_reset_duration": "1h"},
        "provider_configs": [{"provider": "openai", "weight": 0.5, "allowed_models": ["gpt-4o"]}]
    });
    for (k, v) in owner.as_object().unwrap() {
        body[k] = v.clone();
    }
    api.vk_id(body).await
}

#[tokio::test]
async fn golden_virtual_key_with_team() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = api.customer("acme").await;
        let team = api.team("core", Some(&customer)).await;
        let key = governed_key(&api, json!({"team_id": team})).await;
        let raw = api.get_raw(&format!("{GOV}/virtual-keys/{key}")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "virtual_key_with_team", &raw.body);
    }
}

#[tokio::test]
async fn golden_virtual_key_with_customer() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = customer_with_budget(&api, version).await;
        let key = api
            .vk_id(json!({"name": "svc", "customer_id": customer}))
            .await;
        let raw = api.get_raw(&format!("{GOV}/virtual-keys/{key}")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "virtual_key_with_customer", &raw.body);
    }
}

#[tokio::test]
async fn golden_team() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = api.customer("acme").await;
        let body = json!({
            "name": "core",
            "customer_id": customer,
            "budgets": [{"max_limit": 50, "reset_duration": "1w"}],
            "rate_limit": {"request_max_limit": 60, "request_reset_duration": "1m"}
        });
        let team = id(&api
            .send(Method::POST, &format!("{GOV}/teams"), body)
            .await
            .expect(200)["team"]);
        api.vk_id(json!({"name": "svc", "team_id": team})).await;
        let raw = api.get_raw(&format!("{GOV}/teams/{team}")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "team", &raw.body);
    }
}

#[tokio::test]
async fn golden_customer() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = customer_with_budget(&api, version).await;
        api.team("core", Some(&customer)).await;
        api.vk_id(json!({"name": "svc", "customer_id": customer}))
            .await;
        let raw = api.get_raw(&format!("{GOV}/customers/{customer}")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "customer", &raw.body);
    }
}

#[tokio::test]
async fn golden_budgets_list() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        customer_with_budget(&api, version).await;
        let raw = api.get_raw(&format!("{GOV}/budgets")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "budgets", &raw.body);
    }
}

#[tokio::test]
async fn golden_rate_limits_list() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = json!({"name": "acme", "rate_limit": {
            "token_max_limit": 5000, "token_reset_duration": "1d",
            "request_max_limit": 100, "request_reset_duration": "1h"}});
        api.send(Method::POST, &format!("{GOV}/customers"), body)
            .await
            .expect(200);
        let raw = api.get_raw(&format!("{GOV}/rate-limits")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "rate_limits", &raw.body);
    }
}

#[tokio::test]
async fn golden_model_config() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let budget = json!({"max_limit": 2.5, "reset_duration": "1d"});
        let mut body = json!({"model_name": "gpt-4o", "provider": "openai",
            "rate_limit": {"request_max_limit": 10, "request_reset_duration": "1m"}});
        if version == V1_5 {
            body["budget"] = budget;
        } else {
            body["budgets"] = json!([budget]);
        }
        let created = api
            .send(Method::POST, &format!("{GOV}/model-configs"), body)
            .await
            .expect(200);
        let raw = api
            .get_raw(&format!(
                "{GOV}/model-configs/{}",
                id(&created["model_config"])
            ))
            .await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "model_config", &raw.body);
    }
}

#[tokio::test]
async fn golden_provider_governance() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = json!({"budget": {"max_limit": 500, "reset_duration": "1M"},
            "rate_limit": {"token_max_limit": 100000, "token_reset_duration": "1h"}});
        api.send(Method::PUT, &format!("{GOV}/providers/openai"), body)
            .await
            .expect(200);
        let raw = api.get_raw(&format!("{GOV}/providers")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "providers", &raw.body);
    }
}

#[tokio::test]
async fn golden_routing_rule() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = json!({
            "name": "prefer-anthropic",
            "cel_expression": "model == 'gpt-4o'",
            "targets": [
                {"provider": "openai", "model": "gpt-4o", "weight": 0.3},
                {"provider": "anthropic", "model": "claude-sonnet", "weight": 0.7}
            ],
            "fallbacks": ["openai/gpt-4o-mini"],
            "query": {"tier": "gold"},
            "priority": 2
        });
        let created = api
            .send(Method::POST, &format!("{GOV}/routing-rules"), body)
            .await
            .expect(200);
        let raw = api
            .get_raw(&format!("{GOV}/routing-rules/{}", id(&created["rule"])))
            .await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "routing_rule", &raw.body);
    }
}

#[tokio::test]
async fn golden_pricing_overrides_list() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = json!({
            "name": "cheap-4o",
            "scope_kind": "provider",
            "provider_id": "openai",
            "match_type": "wildcard",
            "pattern": "gpt-4o*",
            "request_types": ["chat_completion", "responses"],
            "patch": {"output_cost_per_token": 0.00001, "input_cost_per_token": 0.000002}
        });
        api.send(Method::POST, &format!("{GOV}/pricing-overrides"), body)
            .await
            .expect(201);
        let raw = api.get_raw(&format!("{GOV}/pricing-overrides")).await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "pricing_overrides", &raw.body);
    }
}

#[tokio::test]
async fn golden_virtual_keys_page() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.vk_id(json!({"name": "a"})).await;
        api.vk_id(json!({"name": "b"})).await;
        let raw = api
            .get_raw(&format!("{GOV}/virtual-keys?limit=1&offset=1"))
            .await;
        assert_eq!(raw.status, 200);
        assert_golden(dir(version), "virtual_keys_page", &raw.body);
    }
}

#[tokio::test]
async fn golden_error_envelope() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api.get_raw(&format!("{GOV}/teams/nope")).await;
        assert_eq!(raw.status, 404);
        assert_golden(dir(version), "error", &raw.body);
    }
}

#[tokio::test]
async fn golden_quota() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let key = governed_key(&api, json!({})).await;
        let value = api.get(&format!("{GOV}/virtual-keys/{key}")).await.1["virtual_key"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let raw = quota(&api, &value).await;
        assert_eq!(raw.0, 200);
        assert_golden(dir(version), "quota", &raw.1);
    }
}

async fn quota(api: &Api, value: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{GOV}/virtual-keys/quota", api.base))
        .header("x-bf-vk", value)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
