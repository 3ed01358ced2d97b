//! Teams and customers: embedding, rate-limit overwrite, legacy budgets, cascades.

mod common;

use common::{assert_error, id, start};
use serde_json::json;

#[tokio::test]
async fn deleting_a_team_clears_team_id_of_its_keys() {
    let (_server, api) = start().await;
    let team = api.team("platform", None).await;
    let vk = api.vk(json!({"name": "k", "team_id": team})).await;
    let (status, body) = api.delete(&format!("/api/governance/teams/{team}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "Team deleted successfully");
    let (status, body) = api
        .get(&format!("/api/governance/virtual-keys/{}", id(&vk)))
        .await;
    assert_eq!(status, 200, "the key survives");
    assert!(body["virtual_key"].get("team_id").is_none(), "{body}");
    assert!(body["virtual_key"].get("team").is_none());
    let (status, body) = api.get(&format!("/api/governance/teams/{team}")).await;
    assert_error(status, &body, 404, "Team not found");
}

#[tokio::test]
async fn deleting_a_customer_clears_customer_id_of_its_teams_and_keys() {
    let (_server, api) = start().await;
    let customer = api.customer("acme").await;
    let team = api.team("platform", Some(&customer)).await;
    let vk = api.vk(json!({"name": "k", "customer_id": customer})).await;
    let (status, _) = api
        .delete(&format!("/api/governance/customers/{customer}"))
        .await;
    assert_eq!(status, 200);
    let (_, body) = api.get(&format!("/api/governance/teams/{team}")).await;
    assert!(body["team"].get("customer_id").is_none(), "{body}");
    let (_, body) = api
        .get(&format!("/api/governance/virtual-keys/{}", id(&vk)))
        .await;
    assert!(body["virtual_key"].get("customer_id").is_none(), "{body}");
    let (status, body) = api
        .delete(&format!("/api/governance/customers/{customer}"))
        .await;
    assert_error(status, &body, 404, "Customer not found");
}

#[tokio::test]
async fn a_customer_embeds_its_teams_and_keys_and_a_team_its_customer() {
    let (_server, api) = start().await;
    let customer = api.customer("acme").await;
    let team = api.team("platform", Some(&customer)).await;
    api.vk(json!({"name": "direct", "customer_id": customer}))
        .await;
    api.vk(json!({"name": "via-team", "team_id": team})).await;
    let (_, body) = api
        .get(&format!("/api/governance/customers/{customer}"))
        .await;
    let c = &body["customer"];
    assert_eq!(c["teams"][0]["name"], "platform");
    assert!(c["teams"][0].get("customer").is_none());
    assert_eq!(c["virtual_keys"].as_array().unwrap().len(), 1);
    assert_eq!(c["virtual_keys"][0]["name"], "direct");
    assert!(
        c["virtual_keys"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("sk-bf-")
    );
    let (_, body) = api.get(&format!("/api/governance/teams/{team}")).await;
    assert_eq!(body["team"]["customer"]["name"], "acme");
    assert_eq!(body["team"]["virtual_key_count"], 1);

    // customer_id "" detaches, omitted keeps.
    let (_, body) = api
        .put(
            &format!("/api/governance/teams/{team}"),
            json!({"name": "platform-2"}),
        )
        .await;
    assert_eq!(body["team"]["customer_id"], customer);
    let (_, body) = api
        .put(
            &format!("/api/governance/teams/{team}"),
            json!({"customer_id": ""}),
        )
        .await;
    assert!(body["team"].get("customer_id").is_none(), "{body}");
}

#[tokio::test]
async fn team_rate_limit_updates_overwrite_all_four_fields() {
    let (_server, api) = start().await;
    let team = api
        .create("teams", "team", json!({"name": "t", "rate_limit": {"token_max_limit": 1000, "token_reset_duration": "1h",
            "request_max_limit": 10, "request_reset_duration": "1m"}}))
        .await;
    let path = format!("/api/governance/teams/{}", id(&team));
    let (_, body) = api
        .put(
            &path,
            json!({"rate_limit": {"request_max_limit": 20, "request_reset_duration": "1h"}}),
        )
        .await;
    let rl = &body["team"]["rate_limit"];
    assert_eq!(rl["request_max_limit"], 20);
    assert!(
        rl.get("token_max_limit").is_none(),
        "unsent fields are cleared: {rl}"
    );
    assert_eq!(rl["id"], team["rate_limit"]["id"]);
    // Both maxima absent removes it, whatever the durations say.
    let (_, body) = api
        .put(&path, json!({"rate_limit": {"token_reset_duration": "1h"}}))
        .await;
    assert!(body["team"].get("rate_limit").is_none(), "{body}");
}

#[tokio::test]
async fn legacy_budget_object_sets_and_empty_object_removes_it() {
    let (_server, api) = start().await;
    let customer = api
        .create(
            "customers",
            "customer",
            json!({"name": "acme", "budget": {"max_limit": 1000, "reset_duration": "1M"}}),
        )
        .await;
    assert_eq!(customer["budget"]["max_limit"], 1000.0);
    assert_eq!(customer["budgets"][0]["id"], customer["budget_id"]);
    let path = format!("/api/governance/customers/{}", id(&customer));
    let (_, body) = api.put(&path, json!({"budget": {"max_limit": 1500}})).await;
    assert_eq!(body["customer"]["budget"]["max_limit"], 1500.0);
    assert_eq!(
        body["customer"]["budget"]["reset_duration"], "1M",
        "only sent fields change"
    );
    let (_, body) = api.put(&path, json!({"budget": {}})).await;
    assert!(body["customer"].get("budget").is_none(), "{body}");
    assert!(body["customer"].get("budgets").is_none());
    let (status, body) = api.put(&path, json!({"budget": {"max_limit": 5}})).await;
    assert_error(
        status,
        &body,
        400,
        "both max_limit and reset_duration are required",
    );
    let (status, body) = api.put(&path, json!({"budget": {}, "budgets": []})).await;
    assert_error(status, &body, 400, "only one of 'budget' or 'budgets'");
    let (_, body) = api
        .put(&path, json!({"budgets": [{"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 9, "reset_duration": "1M"}]}))
        .await;
    assert_eq!(body["customer"]["budgets"].as_array().unwrap().len(), 2);
    let (_, body) = api.put(&path, json!({"budgets": []})).await;
    assert!(body["customer"].get("budgets").is_none());
}

#[tokio::test]
async fn duplicate_names_are_409() {
    let (_server, api) = start().await;
    api.team("platform", None).await;
    api.customer("acme").await;
    api.vk(json!({"name": "k"})).await;
    for (collection, body, message) in [
        (
            "teams",
            json!({"name": "platform"}),
            "A team with this name already exists",
        ),
        (
            "customers",
            json!({"name": "acme"}),
            "A customer with this name already exists",
        ),
        (
            "virtual-keys",
            json!({"name": "k"}),
            "A virtual key with this name already exists",
        ),
    ] {
        let (status, response) = api
            .post(&format!("/api/governance/{collection}"), body)
            .await;
        assert_error(status, &response, 409, message);
    }
    // Renaming onto another entity's name clashes too.
    let other = api.vk(json!({"name": "other"})).await;
    let (status, body) = api
        .put(
            &format!("/api/governance/virtual-keys/{}", id(&other)),
            json!({"name": "k"}),
        )
        .await;
    assert_error(
        status,
        &body,
        409,
        "A virtual key with this name already exists",
    );
}
