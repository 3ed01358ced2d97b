//! Virtual keys: full-set replacement, `{}` removals, key_ids, assignments,
//! rotation and quota.

mod common;

use common::{assert_error, id, start};
use serde_json::{Value, json};

const OPENAI_PRIMARY: &str = "b1f05700-0000-4000-8000-000000000001";
const OPENAI_SECONDARY: &str = "b1f05700-0000-4000-8000-000000000002";

fn budget_of<'a>(vk: &'a Value, duration: &str) -> &'a Value {
    vk["budgets"]
        .as_array()
        .expect("budgets")
        .iter()
        .find(|b| b["reset_duration"] == duration)
        .unwrap_or_else(|| panic!("no {duration} budget in {vk}"))
}

#[tokio::test]
async fn create_generates_value_ids_and_timestamps() {
    let (_server, api) = start().await;
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys",
            json!({"name": "team-a-prod", "description": "prod key"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "Virtual key created successfully");
    let vk = &body["virtual_key"];
    let value = vk["value"].as_str().unwrap();
    let uuid = value.strip_prefix("sk-bf-").expect("sk-bf- prefix");
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "uuid v4 in {value}");
    assert_eq!(vk["id"].as_str().unwrap().len(), 36);
    assert_eq!(vk["is_active"], true);
    assert_eq!(vk["provider_configs"], json!([]));
    assert!(vk["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(vk["created_at"], vk["updated_at"]);
    let (status, got) = api
        .get(&format!("/api/governance/virtual-keys/{}", id(vk)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["virtual_key"]["value"], value);
    assert!(got.get("message").is_none());
}

#[tokio::test]
async fn budgets_are_replaced_as_a_full_set_matching_on_duration() {
    let (server, api) = start().await;
    let vk = api
        .vk(json!({"name": "k", "budgets": [
            {"max_limit": 10, "reset_duration": "1d"},
            {"max_limit": 200, "reset_duration": "1M"}]}))
        .await;
    let vk_id = id(&vk);
    let day_id = budget_of(&vk, "1d")["id"].clone();
    assert!(server.record_usage(&vk_id, 4.0, 0));
    let (status, body) = api
        .put(
            &format!("/api/governance/virtual-keys/{vk_id}"),
            json!({"budgets": [{"max_limit": 20, "reset_duration": "1d"}, {"max_limit": 50, "reset_duration": "1w"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let vk = &body["virtual_key"];
    assert_eq!(vk["budgets"].as_array().unwrap().len(), 2);
    let day = budget_of(vk, "1d");
    assert_eq!(day["id"], day_id, "matched budget keeps its row");
    assert_eq!(day["current_usage"], 4.0, "matched budget keeps its usage");
    assert_eq!(day["max_limit"], 20.0);
    assert_eq!(budget_of(vk, "1w")["current_usage"], 0.0);
    assert!(
        vk["budgets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["reset_duration"] != "1M")
    );

    // `budgets: []` removes them all; the row is gone from /budgets too.
    let (_, body) = api
        .put(
            &format!("/api/governance/virtual-keys/{vk_id}"),
            json!({"budgets": []}),
        )
        .await;
    assert!(body["virtual_key"].get("budgets").is_none(), "{body}");
    let (_, all) = api.get("/api/governance/budgets").await;
    assert_eq!(all["count"], 0);
}

#[tokio::test]
async fn duplicate_durations_in_one_budget_list_are_refused() {
    let (_server, api) = start().await;
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys",
            json!({"name": "k", "budgets": [{"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 2, "reset_duration": "1d"}]}),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "Duplicate reset_duration in budgets: 1d",
    );
}

#[tokio::test]
async fn rate_limit_merges_and_empty_object_removes_it() {
    let (_server, api) = start().await;
    let vk = api
        .vk(json!({"name": "k", "rate_limit": {"token_max_limit": 1000, "token_reset_duration": "1h",
            "request_max_limit": 10, "request_reset_duration": "1m"}}))
        .await;
    let path = format!("/api/governance/virtual-keys/{}", id(&vk));
    let rl_id = vk["rate_limit"]["id"].clone();
    assert_eq!(vk["rate_limit_id"], rl_id);
    let (_, body) = api
        .put(&path, json!({"rate_limit": {"request_max_limit": 99}}))
        .await;
    let rl = &body["virtual_key"]["rate_limit"];
    assert_eq!(rl["id"], rl_id);
    assert_eq!(rl["request_max_limit"], 99);
    assert_eq!(rl["token_max_limit"], 1000, "VK rate limits merge");
    assert_eq!(rl["request_reset_duration"], "1m");
    let (_, body) = api.put(&path, json!({"rate_limit": {}})).await;
    assert!(body["virtual_key"].get("rate_limit").is_none(), "{body}");
    assert!(body["virtual_key"].get("rate_limit_id").is_none());
    let (_, all) = api.get("/api/governance/rate-limits").await;
    assert_eq!(all["count"], 0);
}

#[tokio::test]
async fn provider_configs_are_a_full_set_and_updated_entries_are_overwritten() {
    let (_server, api) = start().await;
    let vk = api
        .vk(json!({"name": "k", "provider_configs": [
            {"provider": "openai", "weight": 0.7, "allowed_models": ["gpt-4o"], "key_ids": ["*"],
             "budgets": [{"max_limit": 5, "reset_duration": "1d"}]},
            {"provider": "anthropic", "weight": 0.3, "allowed_models": ["*"], "key_ids": ["*"]}]}))
        .await;
    let path = format!("/api/governance/virtual-keys/{}", id(&vk));
    let configs = vk["provider_configs"].as_array().unwrap();
    let openai = configs.iter().find(|c| c["provider"] == "openai").unwrap();
    let openai_id = openai["id"].as_i64().unwrap();
    assert_eq!(openai["budgets"][0]["provider_config_id"], openai_id);

    // Keep openai by id without lists, add groq; anthropic is not listed any more.
    let (status, body) = api
        .put(&path, json!({"provider_configs": [{"id": openai_id, "provider": "openai"}, {"provider": "groq", "key_ids": ["*"]}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let configs = body["virtual_key"]["provider_configs"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(configs.len(), 2);
    let openai = configs.iter().find(|c| c["provider"] == "openai").unwrap();
    assert_eq!(openai["id"], openai_id, "entry with id updates that row");
    assert_eq!(
        openai["allowed_models"],
        json!([]),
        "omitted allowed_models is overwritten with []"
    );
    assert_eq!(
        openai["allow_all_keys"], false,
        "omitted key_ids blocks every key"
    );
    assert!(
        openai["weight"].is_null(),
        "omitted weight is overwritten with null"
    );
    assert_eq!(
        openai["budgets"][0]["max_limit"], 5.0,
        "omitted budgets are kept"
    );
    let groq = configs.iter().find(|c| c["provider"] == "groq").unwrap();
    assert!(
        groq["id"].as_i64().unwrap() > openai_id,
        "entry without id creates a row"
    );
    assert!(
        configs.iter().all(|c| c["provider"] != "anthropic"),
        "unlisted row deleted"
    );

    // An id of another key's config is refused; unknown providers too.
    let (status, body) = api
        .put(
            &path,
            json!({"provider_configs": [{"id": 999, "provider": "openai"}]}),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "provider config 999 does not belong to this virtual key",
    );
    let (status, body) = api
        .put(&path, json!({"provider_configs": [{"provider": "nope"}]}))
        .await;
    assert_error(status, &body, 400, "invalid provider name: nope");
}

#[tokio::test]
async fn key_ids_star_means_allow_all_keys_and_specific_ids_resolve_keys() {
    let (server, api) = start().await;
    let keys = server.provider_keys();
    assert_eq!(keys[0].key_id, OPENAI_PRIMARY);
    assert_eq!(keys[0].name, "openai-primary");
    let vk = api
        .vk(json!({"name": "k", "provider_configs": [
            {"provider": "openai", "key_ids": ["*"]},
            {"provider": "anthropic", "key_ids": ["b1f05700-0000-4000-8000-000000000003"]}]}))
        .await;
    let configs = vk["provider_configs"].as_array().unwrap();
    assert_eq!(configs[0]["allow_all_keys"], true);
    assert_eq!(configs[0]["keys"], json!([]));
    assert_eq!(configs[1]["allow_all_keys"], false);
    assert_eq!(
        configs[1]["keys"][0]["key_id"],
        "b1f05700-0000-4000-8000-000000000003"
    );
    assert_eq!(configs[1]["keys"][0]["name"], "anthropic-primary");
    assert_eq!(
        configs[1]["keys"][0]["value"]["value"], "",
        "credentials are blanked"
    );
    assert!(
        !vk.to_string().contains("key_ids"),
        "responses never carry key_ids"
    );

    let path = format!("/api/governance/virtual-keys/{}", id(&vk));
    let (_, body) = api
        .put(
            &path,
            json!({"provider_configs": [{"id": configs[0]["id"], "provider": "openai",
            "key_ids": [OPENAI_SECONDARY, OPENAI_PRIMARY]}]}),
        )
        .await;
    let config = &body["virtual_key"]["provider_configs"][0];
    assert_eq!(config["allow_all_keys"], false);
    let resolved: Vec<&str> = config["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key_id"].as_str().unwrap())
        .collect();
    assert_eq!(resolved, [OPENAI_SECONDARY, OPENAI_PRIMARY]);

    // A key of another provider (or an unknown one) is refused.
    let (status, body) = api
        .put(&path, json!({"provider_configs": [{"provider": "openai", "key_ids": ["b1f05700-0000-4000-8000-000000000003"]}]}))
        .await;
    assert_error(
        status,
        &body,
        400,
        "some keys not found for provider openai",
    );
}

#[tokio::test]
async fn mcp_configs_are_a_full_set_by_client_name() {
    let (_server, api) = start().await;
    let vk = api
        .vk(json!({"name": "k", "mcp_configs": [
            {"mcp_client_name": "github", "tools_to_execute": ["*"]},
            {"mcp_client_name": "filesystem", "tools_to_execute": ["read_file"]}]}))
        .await;
    let mcp = vk["mcp_configs"].as_array().unwrap();
    assert_eq!(mcp[0]["mcp_client"]["name"], "github");
    assert_eq!(mcp[1]["tools_to_execute"], json!(["read_file"]));
    let github_id = mcp[0]["id"].clone();
    let path = format!("/api/governance/virtual-keys/{}", id(&vk));
    let (_, body) = api
        .put(&path, json!({"mcp_configs": [{"id": github_id, "mcp_client_name": "github", "tools_to_execute": ["create_issue"]}]}))
        .await;
    let mcp = body["virtual_key"]["mcp_configs"].as_array().unwrap();
    assert_eq!(mcp.len(), 1);
    assert_eq!(mcp[0]["id"], github_id);
    assert_eq!(mcp[0]["tools_to_execute"], json!(["create_issue"]));
    let (status, body) = api
        .put(&path, json!({"mcp_configs": [{"mcp_client_name": "jira"}]}))
        .await;
    assert_error(status, &body, 400, "MCP client");
}

#[tokio::test]
async fn assignment_is_exclusive_preserved_when_omitted_and_cleared_by_empty_string() {
    let (_server, api) = start().await;
    let customer = api.customer("acme").await;
    let team = api.team("platform", Some(&customer)).await;
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys",
            json!({"name": "both", "team_id": team, "customer_id": customer}),
        )
        .await;
    assert_error(status, &body, 400, "not both");
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys",
            json!({"name": "ghost", "team_id": "nope"}),
        )
        .await;
    assert_error(status, &body, 400, "team not found");

    let vk = api.vk(json!({"name": "k", "team_id": team})).await;
    assert_eq!(vk["team"]["name"], "platform");
    assert_eq!(
        vk["team"]["customer"]["name"], "acme",
        "a team embeds its customer"
    );
    assert!(
        vk["team"]["customer"].get("virtual_keys").is_none(),
        "nested customers embed no keys"
    );
    let path = format!("/api/governance/virtual-keys/{}", id(&vk));

    let (_, body) = api.put(&path, json!({"description": "only this"})).await;
    assert_eq!(
        body["virtual_key"]["team_id"], team,
        "omitted team_id keeps the team"
    );
    let (_, body) = api.put(&path, json!({"customer_id": customer})).await;
    assert_eq!(body["virtual_key"]["customer_id"], customer);
    assert!(
        body["virtual_key"].get("team_id").is_none(),
        "setting the customer clears the team"
    );
    assert_eq!(body["virtual_key"]["customer"]["name"], "acme");
    let (_, body) = api.put(&path, json!({"team_id": team})).await;
    assert_eq!(body["virtual_key"]["team_id"], team);
    assert!(
        body["virtual_key"].get("customer_id").is_none(),
        "setting the team clears the customer"
    );
    let (_, body) = api.put(&path, json!({"team_id": ""})).await;
    assert!(
        body["virtual_key"].get("team_id").is_none(),
        "\"\" clears the assignment"
    );
    assert!(body["virtual_key"].get("team").is_none());
}

#[tokio::test]
async fn rotation_changes_the_value_and_the_old_one_stops_working_for_quota() {
    let (server, api) = start().await;
    let vk = api
        .vk(
            json!({"name": "team-a-prod", "budgets": [{"max_limit": 10, "reset_duration": "1d"}],
            "rate_limit": {"request_max_limit": 60, "request_reset_duration": "1m"}}),
        )
        .await;
    let vk_id = id(&vk);
    let old = vk["value"].as_str().unwrap().to_string();
    server.record_usage(&vk_id, 0.42, 1234);
    let client = reqwest::Client::new();
    let quota = |header: &'static str, value: String| {
        let client = client.clone();
        let url = format!("{}/api/governance/virtual-keys/quota", api.base);
        async move {
            let response = client.get(url).header(header, value).send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = quota("x-bf-vk", old.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["virtual_key_name"], "team-a-prod");
    assert_eq!(body["budgets"][0]["current_usage"], 0.42);
    assert_eq!(body["rate_limit"]["token_current_usage"], 1234);
    assert_eq!(body["rate_limit"]["request_current_usage"], 1);
    let (status, _) = quota("authorization", format!("Bearer {old}")).await;
    assert_eq!(status, 200, "Bearer sk-bf-… is accepted too");

    let (status, body) = api
        .post(
            &format!("/api/governance/virtual-keys/{vk_id}/rotate"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "Virtual key rotated successfully");
    let new = body["virtual_key"]["value"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(new.starts_with("sk-bf-"));
    assert!(body["virtual_key"]["rotated_at"].is_string());
    assert_eq!(
        body["virtual_key"]["budgets"][0]["current_usage"], 0.42,
        "config and usage kept"
    );
    assert_eq!(
        server.virtual_key_value(&vk_id).as_deref(),
        Some(new.as_str())
    );

    let (status, body) = quota("x-bf-vk", old).await;
    assert_error(status, &body, 401, "Virtual key not found");
    let (status, _) = quota("x-bf-vk", new).await;
    assert_eq!(status, 200);
    let response = client
        .get(format!("{}/api/governance/virtual-keys/quota", api.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_error(
        status,
        &response.json().await.unwrap(),
        401,
        "Missing virtual key",
    );

    let (status, body) = api
        .post("/api/governance/virtual-keys/nope/rotate", json!({}))
        .await;
    assert_error(status, &body, 404, "Virtual key not found");
}

#[tokio::test]
async fn bulk_rotate_reports_per_id_errors() {
    let (_server, api) = start().await;
    let a = api.vk(json!({"name": "a"})).await;
    let b = api.vk(json!({"name": "b"})).await;
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys/rotate",
            json!({"ids": [id(&a), "missing", id(&a), id(&b)]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["virtual_keys"].as_array().unwrap();
    assert_eq!(rotated.len(), 2, "repeated ids are rotated once");
    assert_ne!(rotated[0]["value"], a["value"]);
    assert_eq!(body["errors"], json!({"missing": "virtual key not found"}));

    let (status, body) = api
        .post(
            "/api/governance/virtual-keys/rotate",
            json!({"ids": ["x", "y"]}),
        )
        .await;
    assert_eq!(status, 500, "nothing rotated");
    assert_eq!(body["virtual_keys"], json!([]));
    assert_eq!(body["errors"]["x"], "virtual key not found");
    let (status, body) = api
        .post("/api/governance/virtual-keys/rotate", json!({"ids": []}))
        .await;
    assert_error(status, &body, 400, "ids is required");
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys/rotate",
            json!({"ids": [id(&a), "  "]}),
        )
        .await;
    assert_error(status, &body, 400, "blank");
}

#[tokio::test]
async fn delete_answers_message_then_404() {
    let (_server, api) = start().await;
    let vk = api.vk(json!({"name": "k"})).await;
    let path = format!("/api/governance/virtual-keys/{}", id(&vk));
    let (status, body) = api.delete(&path).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"message": "Virtual key deleted successfully"}));
    let (status, body) = api.delete(&path).await;
    assert_error(status, &body, 404, "Virtual key not found");
    let (status, body) = api.get(&path).await;
    assert_error(status, &body, 404, "Virtual key not found");
}

#[tokio::test]
async fn rotation_grace_keeps_the_previous_value_until_it_expires() {
    let server = bifrost_governance_mock::MockServer::builder()
        .rotation_grace(std::time::Duration::from_millis(300))
        .start()
        .await;
    let api = common::Api::new(&server);
    let vk = api.vk(json!({"name": "k"})).await;
    let old = vk["value"].as_str().unwrap().to_string();
    let (_, body) = api
        .post(
            &format!("/api/governance/virtual-keys/{}/rotate", id(&vk)),
            json!({}),
        )
        .await;
    assert!(
        body["virtual_key"]["previous_value_expires_at"].is_string(),
        "{body}"
    );
    let quota = |value: String| {
        let url = format!("{}/api/governance/virtual-keys/quota", api.base);
        async move {
            reqwest::Client::new()
                .get(url)
                .header("x-bf-vk", value)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        quota(old.clone()).await,
        200,
        "old value works during the grace period"
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(quota(old).await, 401, "and stops afterwards");
    assert_eq!(
        quota(body["virtual_key"]["value"].as_str().unwrap().to_string()).await,
        200
    );
}
