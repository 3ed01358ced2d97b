//! Lists: opt-in pagination, clamping, echo, search, filters and sorting.

mod common;

use common::{Api, assert_error, names, start};
use serde_json::json;

#[tokio::test]
async fn without_a_trigger_every_row_comes_back() {
    let (_server, api) = start().await;
    for i in 0..30 {
        api.customer(&format!("customer-{i:02}")).await;
    }
    let (status, list) = api.get("/api/governance/customers").await;
    assert_eq!(status, 200);
    assert_eq!(list["customers"].as_array().unwrap().len(), 30);
    assert_eq!(list["count"], 30);
    assert_eq!(list["total_count"], 30);
    assert_eq!(list["limit"], 30);
    assert_eq!(list["offset"], 0);
    // An empty trigger value does not turn paging on either.
    let (_, list) = api.get("/api/governance/customers?limit=").await;
    assert_eq!(list["count"], 30);
}

#[tokio::test]
async fn paging_defaults_clamps_and_echoes() {
    let (server, api) = start().await;
    let ids = server.insert_virtual_keys(130);
    assert_eq!(ids.len(), 130);
    let page = |q: &'static str| {
        let api = &api;
        async move {
            api.get(&format!("/api/governance/virtual-keys?{q}"))
                .await
                .1
        }
    };
    let p = page("offset=0").await;
    assert_eq!(
        (
            p["limit"].as_i64(),
            p["count"].as_i64(),
            p["total_count"].as_i64()
        ),
        (Some(25), Some(25), Some(130))
    );
    assert_eq!(p["virtual_keys"][0]["id"], json!(ids[0]));
    let p = page("limit=0").await;
    assert_eq!(p["limit"], 25);
    let p = page("limit=1000").await;
    assert_eq!(
        (p["limit"].as_i64(), p["count"].as_i64()),
        (Some(100), Some(100))
    );
    let p = page("limit=50&offset=100").await;
    assert_eq!(
        (
            p["limit"].as_i64(),
            p["offset"].as_i64(),
            p["count"].as_i64()
        ),
        (Some(50), Some(100), Some(30))
    );
    assert_eq!(p["virtual_keys"][0]["id"], json!(ids[100]));
    assert_eq!(p["virtual_keys"][29]["id"], json!(ids[129]));
    let p = page("offset=500").await;
    assert_eq!(
        (
            p["count"].as_i64(),
            p["total_count"].as_i64(),
            p["offset"].as_i64()
        ),
        (Some(0), Some(130), Some(500))
    );
    // `search` alone also pages, with the default size.
    let p = page("search=BULK").await;
    assert_eq!(
        (
            p["limit"].as_i64(),
            p["count"].as_i64(),
            p["total_count"].as_i64()
        ),
        (Some(25), Some(25), Some(130))
    );
    // `export=true` pages up to 10 000 rows.
    let p = page("export=true").await;
    assert_eq!(
        (p["limit"].as_i64(), p["count"].as_i64()),
        (Some(10_000), Some(130))
    );
}

#[tokio::test]
async fn bad_limits_are_400_on_strict_lists_and_25_on_teams_and_customers() {
    let (_server, api) = start().await;
    for path in [
        "virtual-keys",
        "model-configs",
        "routing-rules",
        "pricing-overrides",
    ] {
        let (status, body) = api.get(&format!("/api/governance/{path}?limit=abc")).await;
        assert_error(
            status,
            &body,
            400,
            "Invalid limit parameter: must be a number",
        );
        let (status, body) = api.get(&format!("/api/governance/{path}?offset=-1")).await;
        assert_error(
            status,
            &body,
            400,
            "Invalid offset parameter: must be non-negative",
        );
    }
    api.team("t1", None).await;
    for path in ["teams", "customers"] {
        let (status, list) = api
            .get(&format!("/api/governance/{path}?limit=abc&offset=-4"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            (list["limit"].as_i64(), list["offset"].as_i64()),
            (Some(25), Some(0))
        );
    }
}

#[tokio::test]
async fn search_is_a_case_insensitive_substring_match() {
    let (_server, api) = start().await;
    for name in ["Prod-Alpha", "staging-beta", "PRODUCTION-gamma"] {
        api.vk(json!({"name": name})).await;
        api.team(name, None).await;
        api.customer(name).await;
    }
    for (path, key) in [
        ("virtual-keys", "virtual_keys"),
        ("teams", "teams"),
        ("customers", "customers"),
    ] {
        let (_, list) = api
            .get(&format!("/api/governance/{path}?search=pRoD"))
            .await;
        assert_eq!(
            names(&list, key, "name"),
            ["Prod-Alpha", "PRODUCTION-gamma"],
            "{path}"
        );
        assert_eq!(list["total_count"], 2);
    }
    // Routing rules match the name or the CEL expression.
    for (name, cel) in [
        ("cheap", "model == \"GPT-4o\""),
        ("gpt-route", "true"),
        ("other", "false"),
    ] {
        let (status, body) = api
            .post(
                "/api/governance/routing-rules",
                json!({"name": name, "cel_expression": cel, "targets": [{"provider": "openai", "weight": 1}]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, list) = api.get("/api/governance/routing-rules?search=gpt").await;
    let mut found = names(&list, "rules", "name");
    found.sort();
    assert_eq!(found, ["cheap", "gpt-route"]);
}

#[tokio::test]
async fn team_and_customer_filters_are_or_ed_for_virtual_keys() {
    let (_server, api) = start().await;
    let customer = api.customer("acme").await;
    let other_customer = api.customer("globex").await;
    let team = api.team("platform", Some(&customer)).await;
    let other_team = api.team("research", Some(&other_customer)).await;
    api.vk(json!({"name": "a-team-key", "team_id": team})).await;
    api.vk(json!({"name": "b-customer-key", "customer_id": customer}))
        .await;
    api.vk(json!({"name": "c-other-team", "team_id": other_team}))
        .await;
    api.vk(json!({"name": "d-unassigned"})).await;

    let (_, list) = api
        .get(&format!("/api/governance/virtual-keys?team_id={team}"))
        .await;
    assert_eq!(names(&list, "virtual_keys", "name"), ["a-team-key"]);
    let (_, list) = api
        .get(&format!(
            "/api/governance/virtual-keys?team_id={team}&customer_id={customer}"
        ))
        .await;
    assert_eq!(
        names(&list, "virtual_keys", "name"),
        ["a-team-key", "b-customer-key"]
    );
    assert_eq!(
        (list["total_count"].as_i64(), list["limit"].as_i64()),
        (Some(2), Some(25))
    );

    // The team list filters by customer in unpaged mode too.
    let (_, list) = api
        .get(&format!("/api/governance/teams?customer_id={customer}"))
        .await;
    assert_eq!(names(&list, "teams", "name"), ["platform"]);
    assert_eq!(
        (list["limit"].as_i64(), list["count"].as_i64()),
        (Some(1), Some(1))
    );
}

async fn vk_order(api: &Api, query: &str) -> Vec<String> {
    let (status, list) = api
        .get(&format!("/api/governance/virtual-keys?{query}"))
        .await;
    assert_eq!(status, 200);
    names(&list, "virtual_keys", "name")
}

#[tokio::test]
async fn sort_by_and_order() {
    let (server, api) = start().await;
    let budget = json!([{"max_limit": 100, "reset_duration": "1M"}]);
    let b = api.vk(json!({"name": "bravo", "budgets": budget})).await;
    let a = api
        .vk(json!({"name": "alpha", "budgets": budget, "is_active": false}))
        .await;
    let c = api.vk(json!({"name": "charlie", "budgets": budget})).await;
    assert!(server.record_usage(a["id"].as_str().unwrap(), 30.0, 10));
    assert!(server.record_usage(b["id"].as_str().unwrap(), 5.0, 10));
    assert!(server.record_usage(c["id"].as_str().unwrap(), 12.5, 10));

    assert_eq!(vk_order(&api, "").await, ["bravo", "alpha", "charlie"]);
    assert_eq!(
        vk_order(&api, "sort_by=name").await,
        ["alpha", "bravo", "charlie"]
    );
    assert_eq!(
        vk_order(&api, "sort_by=name&order=desc").await,
        ["charlie", "bravo", "alpha"]
    );
    assert_eq!(
        vk_order(&api, "sort_by=budget_spent&order=desc").await,
        ["alpha", "charlie", "bravo"]
    );
    assert_eq!(
        vk_order(&api, "sort_by=budget_spent").await,
        ["bravo", "charlie", "alpha"]
    );
    assert_eq!(
        vk_order(&api, "sort_by=status").await,
        ["alpha", "bravo", "charlie"]
    );
    assert_eq!(
        vk_order(&api, "sort_by=created_at&order=desc").await,
        ["charlie", "alpha", "bravo"]
    );
    // An unknown column is ignored: default order (created_at, then id).
    assert_eq!(
        vk_order(&api, "sort_by=colour&order=desc").await,
        ["bravo", "alpha", "charlie"]
    );
}

#[tokio::test]
async fn model_config_pricing_and_routing_filters() {
    let (server, api) = start().await;
    let vk = api.vk(json!({"name": "scoped"})).await;
    let vk_id = vk["id"].as_str().unwrap();
    for body in [
        json!({"model_name": "gpt-4o", "provider": "openai"}),
        json!({"model_name": "gpt-4o-mini", "provider": "openai"}),
        json!({"model_name": "claude-3-5-sonnet", "provider": "anthropic"}),
        json!({"model_name": "gpt-4o", "scope": "virtual_key", "scope_id": vk_id}),
    ] {
        let (status, created) = api.post("/api/governance/model-configs", body).await;
        assert_eq!(status, 200, "{created}");
    }
    let (_, list) = api
        .get("/api/governance/model-configs?provider=openai")
        .await;
    assert_eq!(
        names(&list, "model_configs", "model_name"),
        ["gpt-4o", "gpt-4o-mini"]
    );
    let (_, list) = api
        .get("/api/governance/model-configs?scope=virtual_key")
        .await;
    assert_eq!(list["model_configs"][0]["scope_name"], "scoped");
    assert_eq!(list["total_count"], 1);
    let (_, list) = api.get("/api/governance/model-configs?search=GPT").await;
    assert_eq!(list["total_count"], 3);

    let key_id = &server.provider_keys()[0].key_id;
    for (name, kind, extra) in [
        ("everyone", "global", json!({})),
        ("openai", "provider", json!({"provider_id": "openai"})),
        ("vk", "virtual_key", json!({"virtual_key_id": vk_id})),
        ("key", "provider_key", json!({"provider_key_id": key_id})),
    ] {
        let mut body = json!({"name": name, "scope_kind": kind, "match_type": "exact", "pattern": "gpt-4o",
            "request_types": ["chat_completion"], "patch": {"input_cost_per_token": 0.000001}});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, created) = api.post("/api/governance/pricing-overrides", body).await;
        assert_eq!(status, 201, "{created}");
    }
    let (_, list) = api
        .get("/api/governance/pricing-overrides?scope_kind=provider")
        .await;
    assert_eq!(names(&list, "pricing_overrides", "name"), ["openai"]);
    let (_, list) = api
        .get(&format!(
            "/api/governance/pricing-overrides?virtual_key_id={vk_id}"
        ))
        .await;
    assert_eq!(names(&list, "pricing_overrides", "name"), ["vk"]);
    let (_, list) = api
        .get(&format!(
            "/api/governance/pricing-overrides?provider_key_id={key_id}"
        ))
        .await;
    assert_eq!(
        list["pricing_overrides"][0]["provider_key_name"],
        "openai-primary"
    );

    for i in 0..3 {
        let (status, _) = api
            .post(
                "/api/governance/routing-rules",
                json!({"name": format!("vk-rule-{i}"), "scope": "virtual_key", "scope_id": vk_id, "priority": 3 - i,
                       "targets": [{"provider": "openai", "weight": 1}]}),
            )
            .await;
        assert_eq!(status, 200);
    }
    // A scope filter takes the unpaged path and ignores `limit`; rules are ordered by priority.
    let (_, list) = api
        .get("/api/governance/routing-rules?scope=virtual_key&limit=1")
        .await;
    assert_eq!(
        names(&list, "rules", "name"),
        ["vk-rule-2", "vk-rule-1", "vk-rule-0"]
    );
    assert_eq!(
        (list["limit"].as_i64(), list["offset"].as_i64()),
        (Some(3), Some(0))
    );
    let (_, list) = api.get("/api/governance/routing-rules?limit=1").await;
    assert_eq!(
        (list["count"].as_i64(), list["total_count"].as_i64()),
        (Some(1), Some(3))
    );
}

#[tokio::test]
async fn budgets_rate_limits_and_providers_are_never_paged() {
    let (_server, api) = start().await;
    api.vk(json!({"name": "k", "budgets": [{"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 2, "reset_duration": "1w"}],
        "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}))
        .await;
    api.create(
        "teams",
        "team",
        json!({"name": "t", "budgets": [{"max_limit": 3, "reset_duration": "1M"}]}),
    )
    .await;
    let (status, _) = api
        .put(
            "/api/governance/providers/openai",
            json!({"budgets": [{"max_limit": 9, "reset_duration": "1d"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, budgets) = api.get("/api/governance/budgets?limit=1").await;
    assert_eq!(budgets["count"], 4);
    assert_eq!(budgets["budgets"].as_array().unwrap().len(), 4);
    assert!(budgets.get("total_count").is_none());
    let max_limits: Vec<f64> = budgets["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["max_limit"].as_f64().unwrap())
        .collect();
    assert_eq!(max_limits, [1.0, 2.0, 3.0, 9.0]);
    let (_, rate_limits) = api.get("/api/governance/rate-limits").await;
    assert_eq!(rate_limits["count"], 1);
    assert_eq!(rate_limits["rate_limits"][0]["request_max_limit"], 5);
    let (_, providers) = api.get("/api/governance/providers").await;
    assert_eq!(providers["count"], 1);
    assert_eq!(providers["providers"][0]["provider"], "openai");
    assert!(providers.get("limit").is_none());
}

#[tokio::test]
async fn metadata_filters_are_and_ed_and_search_covers_metadata_values() {
    let (_server, api) = start().await;
    api.vk(json!({"name": "a", "metadata": {"env": "prod", "team": "core"}}))
        .await;
    api.vk(json!({"name": "b", "metadata": {"env": "prod", "team": "ml"}}))
        .await;
    api.vk(json!({"name": "c", "metadata": {"env": "dev"}}))
        .await;
    assert_eq!(vk_order(&api, "metadata_env=prod").await, ["a", "b"]);
    assert_eq!(
        vk_order(&api, "metadata_env=prod&metadata_team=ml").await,
        ["b"]
    );
    assert_eq!(vk_order(&api, "search=DEV").await, ["c"]);
    let (status, body) = api
        .get("/api/governance/virtual-keys?metadata_bad%20key=x")
        .await;
    assert_error(status, &body, 400, "invalid metadata key");
    let (status, body) = api
        .post(
            "/api/governance/virtual-keys",
            json!({"name": "d", "metadata": {"bifrost_internal": "x"}}),
        )
        .await;
    assert_error(status, &body, 400, "invalid metadata key");
}
