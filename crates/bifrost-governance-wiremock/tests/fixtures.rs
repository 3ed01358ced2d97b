//! Every fixture matches the response schema of the operations that answer it, and
//! decodes through the generated client types.

use bifrost_governance_client::types;
use bifrost_governance_wiremock::fixtures::*;
use bifrost_governance_wiremock::spec::spec;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A key with every part the builders offer.
fn full_key() -> VirtualKey {
    virtual_key("vk-1")
        .name("checkout")
        .description("checkout service")
        .team(team("team-1").name("platform").customer("cust-1"))
        .provider_config(
            provider_config("openai")
                .weight(0.7)
                .allowed_models(["gpt-4o"])
                .budget(budget("pc-bud").max_limit(5.0).reset_duration("1d"))
                .rate_limit(rate_limit("pc-rl").tokens(1000, "1h")),
        )
        .provider_config(
            provider_config("anthropic")
                .blacklisted_models(["claude-2"])
                .key(provider_key("key-a").name("main"))
                .key(provider_key("key-b").name("backup")),
        )
        .mcp_config(mcp_config("github").client_id(9).tools(["search"]))
        .budget(
            budget("bud-q")
                .reset_duration("1Q")
                .quarter_start_month(4)
                .override_cycles(20.0, 3, 2)
                .model_config_id("mc-vk"),
        )
        .rate_limit(rate_limit("rl-1").requests(60, "1m").request_usage(4))
        .expires_at("2027-01-01T00:00:00Z")
        .rotated("2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z")
        .metadata([("env", "prod")])
}

fn assert_fits<T: DeserializeOwned>(operation: &str, status: u16, body: impl Into<Value>) {
    let body = body.into();
    if let Err(errors) = spec().validate_response_body(operation, status, &body) {
        panic!("{operation} {status}: {errors:#?}\n{body:#}");
    }
    if let Err(e) = serde_json::from_value::<T>(body.clone()) {
        panic!("{operation} {status} does not decode: {e}\n{body:#}");
    }
}

#[test]
fn virtual_key_fixtures_fit_their_operations() {
    assert_fits::<types::VirtualKeyResponse>("get_virtual_key", 200, full_key().envelope());
    assert_fits::<types::VirtualKeyResponse>(
        "create_virtual_key",
        200,
        virtual_key("vk-2")
            .customer(customer("cust-1").name("Acme"))
            .envelope_with_message("Virtual key created successfully"),
    );
    assert_fits::<types::VirtualKeyList>(
        "list_virtual_keys",
        200,
        virtual_keys_page([full_key(), virtual_key("vk-2").active(false)])
            .total_count(40)
            .limit(2)
            .offset(10),
    );
    assert_fits::<types::BudgetOverrideResponse>(
        "set_virtual_key_budget_override",
        200,
        json!({ "budget": budget("b").override_forever(25.0), "effective_max_limit": 125.0 }),
    );
}

#[test]
fn team_and_customer_fixtures_fit_their_operations() {
    let platform = team("team-1")
        .name("platform")
        .customer(customer("cust-1").name("Acme"))
        .budget(budget("bud-1").max_limit(500.0).team_id("team-1"))
        .rate_limit(rate_limit("rl-1").tokens(100_000, "1h").token_usage(250))
        .virtual_key_count(4)
        .calendar_aligned(true);
    assert_fits::<types::TeamResponse>("get_team", 200, platform.clone().envelope());
    assert_fits::<types::TeamList>(
        "list_teams",
        200,
        teams_page([platform, team("team-2")]).total_count(2),
    );
    let acme = customer("cust-1")
        .name("Acme")
        .budget(budget("bud-m").max_limit(1000.0).customer_id("cust-1"))
        .rate_limit(rate_limit("rl-2").requests(1000, "1h"))
        .team("team-1")
        .virtual_key(virtual_key("vk-1"));
    assert_fits::<types::CustomerResponse>(
        "update_customer",
        200,
        acme.clone()
            .envelope_with_message("Customer updated successfully"),
    );
    assert_fits::<types::CustomerList>("list_customers", 200, customers_page([acme]));
}

#[test]
fn governance_fixtures_fit_their_operations() {
    let config = model_config("mc-1")
        .model_name("gpt-4o")
        .provider("openai")
        .scope("virtual_key", "vk-1")
        .scope_name("checkout")
        .budget(budget("bud-d").max_limit(50.0).reset_duration("1d"))
        .rate_limit(rate_limit("rl-1").tokens(1_000_000, "1h"));
    assert_fits::<types::ModelConfigResponse>("get_model_config", 200, config.clone().envelope());
    assert_fits::<types::ModelConfigList>("list_model_configs", 200, model_configs_page([config]));
    let openai = provider_governance("openai")
        .budget(budget("bud-d").max_limit(100.0).reset_duration("1d"))
        .rate_limit(rate_limit("rl-1").requests(600, "1m"))
        .calendar_aligned(true);
    assert_fits::<types::ProviderGovernanceResponse>(
        "update_provider_governance",
        200,
        openai
            .clone()
            .envelope_with_message("Provider governance updated successfully"),
    );
    assert_fits::<types::ProviderGovernanceList>(
        "list_provider_governance",
        200,
        providers_list([openai]),
    );
    assert_fits::<types::BudgetList>(
        "list_budgets",
        200,
        budgets_list([budget("a"), budget("b")]),
    );
    assert_fits::<types::RateLimitList>(
        "list_rate_limits",
        200,
        rate_limits_list([rate_limit("r")]),
    );
}

#[test]
fn routing_and_pricing_fixtures_fit_their_operations() {
    let rule = routing_rule("rule-1")
        .name("cheap")
        .description("cheaper model for simple prompts")
        .cel_expression("model == \"gpt-4o\"")
        .target("openai", "gpt-4o-mini", 0.7)
        .target("azure", "gpt-4o-mini", 0.3)
        .fallback("anthropic/claude-3-5-haiku")
        .fallback(json!({ "provider": "openai", "model": "gpt-4o", "key_id": "key-9" }))
        .scope("team", "team-1")
        .priority(10)
        .chain_rule(true)
        .enabled(false);
    for operation in ["get_routing_rule", "get_routing_rule_legacy"] {
        assert_fits::<types::RoutingRuleResponse>(operation, 200, rule.clone().envelope());
    }
    assert_fits::<types::RoutingRuleList>("list_routing_rules", 200, routing_rules_page([rule]));
    let discount = pricing_override("po-1")
        .name("vk discount")
        .scope_kind("virtual_key_provider")
        .set("virtual_key_id", "vk-1")
        .set("provider_id", "openai")
        .pattern("wildcard", "gpt-4o*")
        .request_types(["chat_completion", "responses"])
        .patch(json!({ "input_cost_per_token": 0.000002 }));
    assert_fits::<types::PricingOverrideResponse>(
        "create_pricing_override",
        200,
        discount
            .clone()
            .envelope_with_message("Pricing override created successfully"),
    );
    assert_fits::<types::PricingOverrideList>(
        "list_pricing_overrides",
        200,
        pricing_overrides_page([discount]),
    );
}

#[test]
fn errors_fit_every_error_status() {
    for (operation, status) in [
        ("get_virtual_key", 404),
        ("create_team", 409),
        ("list_teams", 503),
    ] {
        assert_fits::<types::BifrostError>(
            operation,
            status,
            bifrost_error(status, "nope")
                .error_type("not_found")
                .code("E1")
                .param("id")
                .event_id("ev-1"),
        );
    }
    let body = bifrost_error(404, "Virtual key not found").build();
    assert_eq!(
        body,
        json!({
            "is_bifrost_error": false,
            "status_code": 404,
            "error": { "message": "Virtual key not found" },
            "extra_fields": {}
        })
    );
}

#[test]
fn parents_fill_in_ids_and_owners_of_their_parts() {
    let key = full_key().build();
    assert_eq!(key["provider_configs"][0]["id"], 1);
    assert_eq!(key["provider_configs"][1]["id"], 2);
    assert_eq!(key["provider_configs"][1]["virtual_key_id"], "vk-1");
    assert_eq!(key["provider_configs"][0]["allow_all_keys"], true);
    assert_eq!(key["provider_configs"][1]["allow_all_keys"], false);
    let keys = &key["provider_configs"][1]["keys"];
    assert_eq!(
        (
            keys[0]["id"].clone(),
            keys[1]["id"].clone(),
            keys[1]["provider"].clone()
        ),
        (json!(1), json!(2), json!("anthropic"))
    );
    assert_eq!(key["mcp_configs"][0]["mcp_client_id"], 9);
    assert_eq!(key["mcp_configs"][0]["mcp_client"]["id"], 9);
    assert_eq!(key["rate_limit_id"], "rl-1");
    // A key embeds its team without the team's customer and keys.
    assert_eq!(key["team"]["id"], "team-1");
    assert!(key["team"].get("customer").is_none(), "{:#}", key["team"]);
    let budget = &key["budgets"][0];
    assert_eq!(budget["override_anchor_reset"], budget["last_reset"]);
    let with_customer = virtual_key("vk-2").customer("cust-1").build();
    assert_eq!(with_customer["customer_id"], "cust-1");
    assert_eq!(with_customer["customer"]["teams"], Value::Null);
    assert_eq!(with_customer["customer"]["virtual_keys"], Value::Null);
}

#[test]
fn secret_values_are_distinct_per_id_and_kept_out_of_debug() {
    let (a, b) = (secret_value("vk-1"), secret_value("vk-2"));
    assert_ne!(a, b);
    assert_eq!(a, secret_value("vk-1"));
    assert_eq!(a.len(), "sk-bf-".len() + 36, "{a}");
    assert!(a.starts_with("sk-bf-"), "{a}");
    let shown = format!("{:?}", virtual_key("vk-1"));
    assert!(!shown.contains("sk-bf-"), "{shown}");
    assert!(shown.contains("vk-1"), "{shown}");
    let overridden = virtual_key("vk-1")
        .value("sk-bf-mine")
        .without("assigned_user")
        .build();
    assert_eq!(overridden["value"], "sk-bf-mine");
    assert!(overridden.get("assigned_user").is_none());
}
