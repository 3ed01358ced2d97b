//! Fidelity of the virtual-key list, read, create and delete routes
//! (FIDELITY.md, "Virtual keys").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, id, is_v1_5, names};
use reqwest::Method;
use serde_json::{Value, json};

const KEYS: &str = "/api/governance/virtual-keys";

async fn list(api: &Api, query: &str) -> Value {
    api.get_raw(&format!("{KEYS}?{query}")).await.expect(200)
}

async fn create(api: &Api, body: Value) -> common::Raw {
    api.send(Method::POST, KEYS, body).await
}

// ---------------------------------------------------------------- list

#[tokio::test]
async fn keys_list_without_trigger_returns_all() {
    for version in BOTH {
        let (server, api) = fake(version).await;
        server.insert_virtual_keys(30);
        let body = list(&api, "").await;
        assert_eq!(body["virtual_keys"].as_array().unwrap().len(), 30);
        assert_eq!(
            (
                &body["count"],
                &body["total_count"],
                &body["limit"],
                &body["offset"]
            ),
            (&json!(30), &json!(30), &json!(30), &json!(0))
        );
        assert_eq!(body["virtual_keys"][0]["name"], "bulk-vk-0000001");
    }
}

#[tokio::test]
async fn keys_list_order_alone_is_not_paged() {
    for version in BOTH {
        let (server, api) = fake(version).await;
        server.insert_virtual_keys(30);
        let body = list(&api, "order=desc").await;
        assert_eq!(body["count"], 30);
        assert_eq!(body["limit"], 30);
        assert_eq!(body["virtual_keys"][0]["name"], "bulk-vk-0000001");
    }
}

#[tokio::test]
async fn keys_list_clamps_limit() {
    for version in BOTH {
        let (server, api) = fake(version).await;
        server.insert_virtual_keys(130);
        let body = list(&api, "limit=0").await;
        assert_eq!(
            (&body["count"], &body["limit"], &body["total_count"]),
            (&json!(25), &json!(25), &json!(130))
        );
        let body = list(&api, "limit=1000&offset=120").await;
        assert_eq!(
            (&body["count"], &body["limit"], &body["offset"]),
            (&json!(10), &json!(100), &json!(120))
        );
        let body = list(&api, "search=bulk").await;
        assert_eq!(body["limit"], 25);
    }
}

#[tokio::test]
async fn keys_list_rejects_bad_limit_and_offset() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for (query, message) in [
            ("limit=abc", "Invalid limit parameter: must be a number"),
            ("limit=-1", "Invalid limit parameter: must be non-negative"),
            ("offset=1.5", "Invalid offset parameter: must be a number"),
            (
                "offset=-2",
                "Invalid offset parameter: must be non-negative",
            ),
        ] {
            api.get_raw(&format!("{KEYS}?{query}"))
                .await
                .assert_error(400, message);
        }
    }
}

#[tokio::test]
async fn keys_list_export_is_clamped_on_1_5() {
    let (server, api) = fake(V1_5).await;
    server.insert_virtual_keys(130);
    let body = list(&api, "export=true").await;
    assert_eq!((&body["limit"], &body["count"]), (&json!(25), &json!(25)));
    let body = list(&api, "export=true&limit=5000").await;
    assert_eq!((&body["limit"], &body["count"]), (&json!(100), &json!(100)));
}

#[tokio::test]
async fn keys_list_export_echoes_the_raw_limit_on_v2() {
    let (server, api) = fake(V2).await;
    server.insert_virtual_keys(130);
    let body = list(&api, "export=true").await;
    assert_eq!((&body["limit"], &body["count"]), (&json!(0), &json!(130)));
    let body = list(&api, "export=true&limit=5000").await;
    assert_eq!(
        (&body["limit"], &body["count"]),
        (&json!(5000), &json!(130))
    );
    let body = list(&api, "export=true&limit=7").await;
    assert_eq!((&body["limit"], &body["count"]), (&json!(7), &json!(7)));
}

#[tokio::test]
async fn keys_list_team_and_customer_filters_are_or_ed() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let team = api.team("t", None).await;
        let customer = api.customer("c").await;
        api.vk(json!({"name": "in-team", "team_id": team})).await;
        api.vk(json!({"name": "of-customer", "customer_id": customer}))
            .await;
        api.vk(json!({"name": "neither"})).await;
        let body = list(&api, &format!("team_id={team}&customer_id={customer}")).await;
        assert_eq!(
            names(&body, "virtual_keys", "name"),
            ["in-team", "of-customer"]
        );
        let body = list(&api, &format!("team_id={team}")).await;
        assert_eq!(names(&body, "virtual_keys", "name"), ["in-team"]);
    }
}

#[tokio::test]
async fn keys_list_search_is_like_with_wildcards() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for name in ["Alpha-Key", "alpha_2", "beta"] {
            api.vk(json!({"name": name})).await;
        }
        assert_eq!(
            names(&list(&api, "search=ALPHA").await, "virtual_keys", "name"),
            ["Alpha-Key", "alpha_2"]
        );
        // `_` is a one-character wildcard: "a_p" matches "alp".
        assert_eq!(
            names(&list(&api, "search=a_p").await, "virtual_keys", "name"),
            ["Alpha-Key", "alpha_2"]
        );
        assert_eq!(
            names(&list(&api, "search=et").await, "virtual_keys", "name"),
            ["beta"]
        );
        assert_eq!(list(&api, "search=zzz").await["virtual_keys"], json!([]));
    }
}

#[tokio::test]
async fn keys_list_sort_by_and_order() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.vk(json!({"name": "bravo"})).await;
        api.vk(json!({"name": "alpha", "is_active": false})).await;
        api.vk(json!({"name": "charlie"})).await;
        let order = |body: Value| names(&body, "virtual_keys", "name");
        assert_eq!(
            order(list(&api, "sort_by=name").await),
            ["alpha", "bravo", "charlie"]
        );
        assert_eq!(
            order(list(&api, "sort_by=name&order=DESC").await),
            ["charlie", "bravo", "alpha"]
        );
        assert_eq!(
            order(list(&api, "sort_by=created_at&order=desc").await),
            ["charlie", "alpha", "bravo"]
        );
        assert_eq!(
            order(list(&api, "sort_by=status").await),
            ["alpha", "bravo", "charlie"]
        );
        // An unknown column keeps the default order and ignores `order`.
        assert_eq!(
            order(list(&api, "sort_by=nope&order=desc").await),
            ["bravo", "alpha", "charlie"]
        );
    }
}

#[tokio::test]
async fn keys_list_budget_spent_sorts_by_highest_usage_on_1_5() {
    let (server, api) = fake(V1_5).await;
    let budget = json!([{"max_limit": 100, "reset_duration": "1M"}]);
    let mut ids = Vec::new();
    for name in ["low", "high", "mid"] {
        ids.push(api.vk_id(json!({"name": name, "budgets": budget})).await);
    }
    for (id, spent) in ids.iter().zip([1.0, 30.0, 12.5]) {
        assert!(server.record_usage(id, spent, 1));
    }
    let body = list(&api, "sort_by=budget_spent&order=desc").await;
    assert_eq!(names(&body, "virtual_keys", "name"), ["high", "mid", "low"]);
}

#[tokio::test]
async fn keys_list_budget_spent_sees_no_key_budgets_on_v2() {
    let (server, api) = fake(V2).await;
    let budget = json!([{"max_limit": 100, "reset_duration": "1M"}]);
    let mut ids = Vec::new();
    for name in ["low", "high", "mid"] {
        ids.push(api.vk_id(json!({"name": name, "budgets": budget})).await);
    }
    for (id, spent) in ids.iter().zip([1.0, 30.0, 12.5]) {
        assert!(server.record_usage(id, spent, 1));
    }
    // The usage lives on model-config budgets, the sort joins `virtual_key_id`:
    // every key counts 0 and the id decides.
    let body = list(&api, "sort_by=budget_spent&order=desc").await;
    assert_eq!(names(&body, "virtual_keys", "name"), ["low", "high", "mid"]);
}

#[tokio::test]
async fn keys_list_from_memory_ignores_filters() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let team = api.team("t", None).await;
        api.vk(json!({"name": "a", "team_id": team})).await;
        api.vk(json!({"name": "b"})).await;
        let body = list(
            &api,
            &format!("from_memory=true&team_id={team}&limit=1&search=zzz"),
        )
        .await;
        assert_eq!(names(&body, "virtual_keys", "name"), ["a", "b"]);
        assert_eq!((&body["limit"], &body["offset"]), (&json!(2), &json!(0)));
    }
}

#[tokio::test]
async fn keys_list_from_memory_refuses_user_id_on_v2() {
    let (_server, api) = fake(V2).await;
    api.get_raw(&format!("{KEYS}?from_memory=true&user_id=u1"))
        .await
        .assert_error(
            400,
            "user_id filter is not supported with from_memory=true; omit from_memory to filter virtual keys by user",
        );
}

#[tokio::test]
async fn keys_list_metadata_filters_on_v2() {
    let (_server, api) = fake(V2).await;
    api.vk(json!({"name": "a", "metadata": {"cost_center": "cc-42", "env": "prod"}}))
        .await;
    api.vk(json!({"name": "b", "metadata": {"cost_center": "cc-42", "env": "dev"}}))
        .await;
    api.vk(json!({"name": "c"})).await;
    assert_eq!(
        names(
            &list(&api, "metadata_cost_center=cc-42").await,
            "virtual_keys",
            "name"
        ),
        ["a", "b"]
    );
    assert_eq!(
        names(
            &list(&api, "metadata_cost_center=cc-42&metadata_env=dev").await,
            "virtual_keys",
            "name"
        ),
        ["b"]
    );
    assert_eq!(
        names(
            &list(&api, "search=cc-42&limit=10").await,
            "virtual_keys",
            "name"
        ),
        ["a", "b"]
    );
    let raw = api.get_raw(&format!("{KEYS}?metadata_bad%20key=x")).await;
    assert_eq!(raw.status, 400, "{}", raw.body);
    assert!(raw.body.contains("invalid metadata key"), "{}", raw.body);
}

#[tokio::test]
async fn keys_list_ignores_metadata_params_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.vk(json!({"name": "a"})).await;
    api.vk(json!({"name": "b"})).await;
    let body = list(&api, "metadata_bad%20key=x&user_id=u1").await;
    assert_eq!(names(&body, "virtual_keys", "name"), ["a", "b"]);
    assert_eq!(body["limit"], 2, "not a paged answer");
}

#[tokio::test]
async fn keys_list_user_id_matches_nothing_on_v2() {
    let (_server, api) = fake(V2).await;
    api.vk(json!({"name": "a"})).await;
    let body = list(&api, "user_id=u1").await;
    assert_eq!(
        (&body["virtual_keys"], &body["limit"]),
        (&json!([]), &json!(25))
    );
}

#[tokio::test]
async fn keys_list_embeds_team_and_customer() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = api.customer("acme").await;
        let team = api.team("t", Some(&customer)).await;
        api.vk(json!({"name": "k", "team_id": team})).await;
        let body = list(&api, "").await;
        let team = &body["virtual_keys"][0]["team"];
        assert_eq!(team["name"], "t");
        assert_eq!(team["virtual_key_count"], 0, "not counted when embedded");
        if is_v1_5(version) {
            assert_eq!(team["customer"]["name"], "acme");
            assert_eq!(team["customer"]["teams"], Value::Null);
            assert_eq!(team["customer"]["virtual_keys"], Value::Null);
        } else {
            assert!(team.get("customer").is_none(), "{team}");
            assert_eq!(team["calendar_aligned"], false);
        }
    }
}

// ---------------------------------------------------------------- get

#[tokio::test]
async fn keys_get_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.get_raw(&format!("{KEYS}/nope"))
            .await
            .assert_error(404, "Virtual key not found");
        api.get_raw(&format!("{KEYS}/nope?from_memory=true"))
            .await
            .assert_error(404, "Virtual key not found");
    }
}

#[tokio::test]
async fn keys_get_embeds_the_detailed_customer_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let customer = id(&api
        .create(
            "customers",
            "customer",
            json!({"name": "acme", "budget": {"max_limit": 10, "reset_duration": "1M"}}),
        )
        .await);
    api.create("teams", "team", json!({"name": "t", "customer_id": customer, "budgets": [{"max_limit": 5, "reset_duration": "1d"}]})).await;
    let vk = api
        .vk_id(json!({"name": "k", "customer_id": customer}))
        .await;
    let got = api.get_raw(&format!("{KEYS}/{vk}")).await.expect(200);
    let embedded = &got["virtual_key"]["customer"];
    assert_eq!(embedded["budget"]["max_limit"], 10.0);
    assert_eq!(embedded["teams"][0]["name"], "t");
    assert_eq!(embedded["teams"][0]["budgets"][0]["max_limit"], 5.0);
    assert_eq!(embedded["virtual_keys"][0]["name"], "k");
    assert_eq!(embedded["virtual_keys"][0]["provider_configs"], Value::Null);
    // The list embeds the customer row only.
    let listed = list(&api, "").await;
    let bare = &listed["virtual_keys"][0]["customer"];
    assert!(bare.get("budget").is_none());
    assert_eq!(bare["teams"], Value::Null);
}

#[tokio::test]
async fn keys_get_customer_has_null_teams_and_keys_on_v2() {
    let (_server, api) = fake(V2).await;
    let customer = id(&api
        .create(
            "customers",
            "customer",
            json!({"name": "acme", "budgets": [{"max_limit": 10, "reset_duration": "1M"}]}),
        )
        .await);
    api.team("t", Some(&customer)).await;
    let vk = api
        .vk_id(json!({"name": "k", "customer_id": customer}))
        .await;
    let raw = api.get_raw(&format!("{KEYS}/{vk}")).await;
    let got = raw.expect(200);
    let embedded = &got["virtual_key"]["customer"];
    assert_eq!(embedded["teams"], Value::Null);
    assert_eq!(embedded["virtual_keys"], Value::Null);
    assert_eq!(embedded["budgets"][0]["max_limit"], 10.0);
    assert!(
        raw.body.contains("\"teams\":null,\"virtual_keys\":null"),
        "{}",
        raw.body
    );
}

#[tokio::test]
async fn keys_get_writes_assigned_user_and_value_last_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    let raw = api.get_raw(&format!("{KEYS}/{vk}")).await;
    assert_eq!(raw.status, 200);
    assert!(raw.body.contains("\"assigned_user\":null"), "{}", raw.body);
    let value = raw.json()["virtual_key"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        raw.body.ends_with(&format!("\"value\":\"{value}\"}}}}\n")),
        "{}",
        raw.body
    );
}

#[tokio::test]
async fn keys_get_provider_config_shape() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api
            .vk_id(json!({"name": "k", "provider_configs": [{"provider": "openai", "key_ids": ["b1f05700-0000-4000-8000-000000000001"]}]}))
            .await;
        let got = api.get_raw(&format!("{KEYS}/{vk}")).await.expect(200);
        let pc = &got["virtual_key"]["provider_configs"][0];
        assert_eq!(pc["allowed_models"], json!([]), "never null");
        assert_eq!(pc["weight"], Value::Null);
        let key = &pc["keys"][0];
        assert_eq!(key["name"], "openai-primary");
        assert_eq!(
            key["value"],
            json!({"value": "", "env_var": "", "from_env": false})
        );
        assert_eq!(key["provider_id"], 0);
        assert_eq!(key["created_at"], "0001-01-01T00:00:00Z");
        assert_eq!(key["models"], json!(["gpt-4o", "gpt-4o-mini"]));
    }
}

// ---------------------------------------------------------------- create

#[tokio::test]
async fn keys_create_needs_a_name() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": ""}))
            .await
            .assert_error(400, "Virtual key name is required");
        create(&api, json!({}))
            .await
            .assert_error(400, "Virtual key name is required");
        assert_eq!(
            create(&api, json!({"name": " "})).await.status,
            200,
            "no trimming"
        );
    }
}

#[tokio::test]
async fn keys_create_refuses_team_and_customer_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(
        &api,
        json!({"name": "k", "team_id": "t", "customer_id": ""}),
    )
    .await
    .assert_error(
        400,
        "VirtualKey cannot be attached to both Team and Customer",
    );
    let ok = create(
        &api,
        json!({"name": "k", "team_id": "t", "customer_id": null}),
    )
    .await;
    assert_eq!(ok.expect(200)["virtual_key"]["team_id"], "t");
}

#[tokio::test]
async fn keys_create_blank_owner_is_absent_on_v2() {
    let (_server, api) = fake(V2).await;
    create(
        &api,
        json!({"name": "k", "team_id": "t", "customer_id": "c"}),
    )
    .await
    .assert_error(
        400,
        "VirtualKey cannot be attached to both Team and Customer",
    );
    let body = create(
        &api,
        json!({"name": "k", "team_id": "t", "customer_id": " "}),
    )
    .await
    .expect(200);
    assert_eq!(body["virtual_key"]["team_id"], "t");
    assert!(body["virtual_key"].get("customer_id").is_none());
}

#[tokio::test]
async fn keys_create_does_not_check_owners() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(&api, json!({"name": "k", "team_id": "no-such-team"}))
            .await
            .expect(200);
        assert_eq!(body["virtual_key"]["team_id"], "no-such-team");
        assert!(body["virtual_key"].get("team").is_none());
    }
}

#[tokio::test]
async fn keys_create_negative_budget_is_400() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "budgets": [{"max_limit": -1, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(400, "Budget max_limit cannot be negative: -1.00");
    }
}

#[tokio::test]
async fn keys_create_zero_budget_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "budgets": [{"max_limit": 0, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(500, "budget max limit cannot be negative or zero: 0.00");
    }
}

#[tokio::test]
async fn keys_create_quarter_is_refused_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(
        &api,
        json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "1Q"}]}),
    )
    .await
    .assert_error(400, "Invalid reset duration format: 1Q");
}

#[tokio::test]
async fn keys_create_quarter_is_accepted_on_v2() {
    let (_server, api) = fake(V2).await;
    let body = create(&api, json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "1Q", "reset_config": {"quarter_start_month": 4}}]}))
        .await
        .expect(200);
    let budget = &body["virtual_key"]["budgets"][0];
    assert_eq!(budget["reset_duration"], "1Q");
    assert_eq!(budget["reset_config"], json!({"quarter_start_month": 4}));
}

#[tokio::test]
async fn keys_create_zero_duration_is_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(
        &api,
        json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "0d"}]}),
    )
    .await
    .assert_error(500, "reset duration must be > 0: 0d");
}

#[tokio::test]
async fn keys_create_zero_duration_is_400_on_v2() {
    let (_server, api) = fake(V2).await;
    create(
        &api,
        json!({"name": "k", "budgets": [{"max_limit": 10, "reset_duration": "0d"}]}),
    )
    .await
    .assert_error(
        400,
        "Invalid reset duration (must be a positive duration): 0d",
    );
}

#[tokio::test]
async fn keys_create_duplicate_durations() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "budgets": [
            {"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 2, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(400, "Duplicate reset_duration in budgets: 1d");
    }
}

#[tokio::test]
async fn keys_create_duplicate_name_is_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.vk(json!({"name": "k"})).await;
    create(&api, json!({"name": "k"})).await.assert_error(
        500,
        "a record with this name already exists. Please use a different value",
    );
}

#[tokio::test]
async fn keys_create_duplicate_name_is_409_on_v2() {
    let (_server, api) = fake(V2).await;
    api.vk(json!({"name": "k"})).await;
    create(&api, json!({"name": "k"}))
        .await
        .assert_error(409, "A virtual key with this name already exists");
}

#[tokio::test]
async fn keys_create_bad_rate_limit_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": "k", "rate_limit": {"token_max_limit": 0, "token_reset_duration": "1h"}}))
            .await
            .assert_error(500, "rate limit token max limit cannot be negative or zero: 0");
        create(
            &api,
            json!({"name": "k", "rate_limit": {"request_max_limit": 5}}),
        )
        .await
        .assert_error(500, "rate limit request reset duration is required");
    }
}

#[tokio::test]
async fn keys_create_rate_limit_duration_checked_by_the_row() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "rate_limit": {"token_reset_duration": "bogus"}}),
        )
        .await
        .assert_error(500, "invalid token reset duration format: bogus");
    }
}

#[tokio::test]
async fn keys_create_provider_name_required() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "provider_configs": [{"provider": "  "}]}),
        )
        .await
        .assert_error(400, "provider name is required");
    }
}

#[tokio::test]
async fn keys_create_unknown_provider_is_400() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "provider_configs": [{"provider": "cohere"}]}),
        )
        .await
        .assert_error(400, "invalid provider name: cohere");
        // Trimmed for the lookup, reported as sent.
        let ok = create(
            &api,
            json!({"name": "k", "provider_configs": [{"provider": " openai "}]}),
        )
        .await;
        assert_eq!(
            ok.expect(200)["virtual_key"]["provider_configs"][0]["provider"],
            "openai"
        );
    }
}

#[tokio::test]
async fn keys_create_model_lists_are_whitelists() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": "k", "provider_configs": [{"provider": "openai", "allowed_models": ["*", "gpt-4o"]}]}))
            .await
            .assert_error(400, "invalid allowed_models for provider openai: wildcard '*' cannot be used with other values in the whitelist");
        create(&api, json!({"name": "k", "provider_configs": [{"provider": "openai", "allowed_models": ["gpt-4o", "GPT-4o"]}]}))
            .await
            .assert_error(400, "invalid allowed_models for provider openai: duplicate value 'GPT-4o' in whitelist");
        create(&api, json!({"name": "k", "provider_configs": [{"provider": "openai", "key_ids": ["*", "x"]}]}))
            .await
            .assert_error(400, "invalid key_ids for provider openai: wildcard '*' cannot be used with other values in the whitelist");
    }
}

#[tokio::test]
async fn keys_create_unknown_key_ids_are_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": "k", "provider_configs": [{"provider": "openai", "key_ids": ["no-such-key"]}]}))
            .await
            .assert_error(500, "some keys not found for provider openai: expected 1, found 0");
    }
}

#[tokio::test]
async fn keys_create_key_ids_star_and_cross_provider() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(
            &api,
            json!({"name": "k", "provider_configs": [
            {"provider": "openai", "key_ids": ["*"]},
            {"provider": "groq", "key_ids": ["b1f05700-0000-4000-8000-000000000003"]}]}),
        )
        .await
        .expect(200);
        let configs = &body["virtual_key"]["provider_configs"];
        assert_eq!(
            (&configs[0]["allow_all_keys"], &configs[0]["keys"]),
            (&json!(true), &json!([]))
        );
        // Keys are looked up in every provider: an anthropic key on a groq config.
        assert_eq!(configs[1]["keys"][0]["provider"], "anthropic");
        assert_eq!(configs[1]["allow_all_keys"], false);
    }
}

#[tokio::test]
async fn keys_create_provider_budget_duplicates() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "provider_configs": [{"provider": "openai", "budgets": [
            {"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 2, "reset_duration": "1d"}]}]}),
        )
        .await
        .assert_error(
            400,
            "duplicate reset_duration in provider config budgets: 1d",
        );
    }
}

#[tokio::test]
async fn keys_create_duplicate_mcp_clients() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": "k", "mcp_configs": [{"mcp_client_name": "github"}, {"mcp_client_name": "github"}]}))
            .await
            .assert_error(400, "duplicate mcp_client_name: github");
        create(&api, json!({"name": "k", "mcp_configs": [{"mcp_client_name": "github", "tools_to_execute": ["a", "A"]}]}))
            .await
            .assert_error(400, "invalid tools_to_execute for mcp client github: duplicate value 'A' in whitelist");
    }
}

#[tokio::test]
async fn keys_create_unknown_mcp_client_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "mcp_configs": [{"mcp_client_name": "jira"}]}),
        )
        .await
        .assert_error(500, "failed to get MCP client: not found");
    }
}

#[tokio::test]
async fn keys_create_failure_rolls_back() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
            "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"},
            "mcp_configs": [{"mcp_client_name": "jira"}]}),
        )
        .await
        .assert_error(500, "failed to get MCP client: not found");
        assert_eq!(list(&api, "").await["count"], 0);
        let budgets = api.get_raw("/api/governance/budgets").await.expect(200);
        assert_eq!(budgets["count"], 0);
        let limits = api.get_raw("/api/governance/rate-limits").await.expect(200);
        assert_eq!(limits["count"], 0);
        assert_eq!(
            create(&api, json!({"name": "k"})).await.status,
            200,
            "the name is free"
        );
    }
}

#[tokio::test]
async fn keys_create_answers_200_with_the_value() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(&api, json!({"name": "k"})).await.expect(200);
        assert_eq!(body["message"], "Virtual key created successfully");
        let vk = &body["virtual_key"];
        let value = vk["value"].as_str().unwrap();
        assert!(
            value.starts_with("sk-bf-00000000-0000-4000-8000-"),
            "{value}"
        );
        assert_ne!(value, format!("sk-bf-{}", id(vk)), "a uuid of its own");
        assert_eq!(vk["is_active"], true);
        assert_eq!(vk["provider_configs"], json!([]));
        assert_eq!(vk["mcp_configs"], json!([]));
        assert!(vk.get("budgets").is_none(), "omitempty");
    }
}

#[tokio::test]
async fn keys_budgets_belong_to_the_key_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let vk = api
        .vk_id(
            json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
        "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
        )
        .await;
    let budgets = api.get_raw("/api/governance/budgets").await.expect(200);
    assert_eq!(budgets["budgets"][0]["virtual_key_id"], vk);
    let configs = api
        .get_raw("/api/governance/model-configs")
        .await
        .expect(200);
    assert_eq!(configs["count"], 0);
}

#[tokio::test]
async fn keys_budgets_live_in_a_key_model_config_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api
        .vk_id(
            json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
        "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
        )
        .await;
    let configs = api
        .get_raw("/api/governance/model-configs")
        .await
        .expect(200);
    let mc = &configs["model_configs"][0];
    assert_eq!(
        (
            &mc["model_name"],
            &mc["scope"],
            &mc["scope_id"],
            &mc["scope_name"]
        ),
        (&json!("*"), &json!("virtual_key"), &json!(vk), &json!("k"))
    );
    let budgets = api.get_raw("/api/governance/budgets").await.expect(200);
    let budget = &budgets["budgets"][0];
    assert_eq!(budget["model_config_id"], mc["id"]);
    assert!(budget.get("virtual_key_id").is_none());
    let got = api.get_raw(&format!("{KEYS}/{vk}")).await.expect(200);
    assert_eq!(got["virtual_key"]["budgets"][0]["id"], budget["id"]);
    assert_eq!(got["virtual_key"]["rate_limit_id"], mc["rate_limit_id"]);
}

#[tokio::test]
async fn keys_create_expiry_checks_on_v2() {
    let (_server, api) = fake(V2).await;
    create(
        &api,
        json!({"name": "k", "expires_at": "2020-01-01T00:00:00Z"}),
    )
    .await
    .assert_error(400, "expires_at must be a future timestamp");
    create(&api, json!({"name": "k", "expires_at": "tomorrow"}))
        .await
        .assert_error(400, "Invalid JSON");
    let body = create(
        &api,
        json!({"name": "k", "expires_at": "2030-01-01T00:00:00Z"}),
    )
    .await
    .expect(200);
    assert_eq!(body["virtual_key"]["expires_at"], "2030-01-01T00:00:00Z");
}

#[tokio::test]
async fn keys_create_delete_after_expire_needs_expiry_on_v2() {
    let (_server, api) = fake(V2).await;
    create(&api, json!({"name": "k", "delete_after_expire": true}))
        .await
        .assert_error(400, "delete_after_expire requires expires_at");
}

#[tokio::test]
async fn keys_create_metadata_is_validated_on_v2() {
    let (_server, api) = fake(V2).await;
    create(
        &api,
        json!({"name": "k", "metadata": {"bifrost_alb_provider": "x"}}),
    )
    .await
    .assert_error(
        400,
        "invalid metadata key \"bifrost_alb_provider\": the key is reserved for system metadata",
    );
    create(&api, json!({"name": "k", "metadata": {"a/b": "x"}}))
        .await
        .assert_error(400, "invalid metadata key \"a/b\": keys must be 1-256 characters of letters, digits, '.', '_' or '-'");
    let body = create(&api, json!({"name": "k", "metadata": {"team": "core"}}))
        .await
        .expect(200);
    assert_eq!(body["virtual_key"]["metadata"], json!({"team": "core"}));
}

#[tokio::test]
async fn keys_create_ignores_v2_fields_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let body = create(
        &api,
        json!({"name": "k", "expires_at": "2020-01-01T00:00:00Z",
        "metadata": {"a/b": "x"}, "delete_after_expire": true}),
    )
    .await
    .expect(200);
    let vk = &body["virtual_key"];
    for field in [
        "expires_at",
        "metadata",
        "delete_after_expire",
        "allow_all_providers",
        "assigned_user",
    ] {
        assert!(vk.get(field).is_none(), "{field}: {vk}");
    }
}

#[tokio::test]
async fn keys_create_calendar_aligned_snaps_last_reset() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(&api, json!({"name": "k", "calendar_aligned": true,
            "budgets": [{"max_limit": 5, "reset_duration": "1M"}, {"max_limit": 5, "reset_duration": "1h"}]}))
            .await
            .expect(200);
        let budgets = &body["virtual_key"]["budgets"];
        assert_eq!(budgets[0]["last_reset"], "2026-01-01T00:00:00Z");
        assert_ne!(
            budgets[1]["last_reset"], "2026-01-01T00:00:00Z",
            "1h has no calendar period"
        );
        assert_eq!(body["virtual_key"]["calendar_aligned"], true);
    }
}

// ---------------------------------------------------------------- delete

#[tokio::test]
async fn keys_delete_cascades() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.raw(Method::DELETE, &format!("{KEYS}/nope"), None)
            .await
            .assert_error(404, "Virtual key not found");
        let vk = api.vk_id(json!({"name": "k", "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
            "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"},
            "provider_configs": [{"provider": "openai", "budgets": [{"max_limit": 1, "reset_duration": "1d"}],
                "rate_limit": {"token_max_limit": 5, "token_reset_duration": "1h"}}]})).await;
        let raw = api.raw(Method::DELETE, &format!("{KEYS}/{vk}"), None).await;
        assert_eq!(
            raw.body,
            "{\"message\":\"Virtual key deleted successfully\"}\n"
        );
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0
        );
        assert_eq!(
            api.get_raw("/api/governance/rate-limits").await.expect(200)["count"],
            0
        );
        api.get_raw(&format!("{KEYS}/{vk}"))
            .await
            .assert_error(404, "Virtual key not found");
    }
}

#[tokio::test]
async fn keys_delete_leaves_rules_and_overrides() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let vk = api.vk_id(json!({"name": "k"})).await;
        api.send(
            Method::POST,
            "/api/governance/routing-rules",
            json!({"name": "r", "scope": "virtual_key", "scope_id": vk,
            "targets": [{"provider": "openai", "weight": 1}]}),
        )
        .await
        .expect(200);
        api.send(Method::POST, "/api/governance/pricing-overrides", json!({"name": "p", "scope_kind": "virtual_key",
            "virtual_key_id": vk, "match_type": "exact", "pattern": "gpt-4o", "request_types": ["chat_completion"]}))
            .await
            .expect(201);
        api.raw(Method::DELETE, &format!("{KEYS}/{vk}"), None)
            .await
            .expect(200);
        let rules = api
            .get_raw("/api/governance/routing-rules")
            .await
            .expect(200);
        assert_eq!(rules["rules"][0]["scope_id"], vk);
        let overrides = api
            .get_raw("/api/governance/pricing-overrides")
            .await
            .expect(200);
        assert_eq!(overrides["pricing_overrides"][0]["virtual_key_id"], vk);
    }
}

#[tokio::test]
async fn keys_delete_removes_key_model_configs_on_v2() {
    let (_server, api) = fake(V2).await;
    let vk = api.vk_id(json!({"name": "k"})).await;
    api.send(Method::POST, "/api/governance/model-configs", json!({"model_name": "gpt-4o", "provider": "openai",
        "scope": "virtual_key", "scope_id": vk, "budgets": [{"max_limit": 1, "reset_duration": "1d"}]}))
        .await
        .expect(200);
    api.raw(Method::DELETE, &format!("{KEYS}/{vk}"), None)
        .await
        .expect(200);
    assert_eq!(
        api.get_raw("/api/governance/model-configs")
            .await
            .expect(200)["count"],
        0
    );
    assert_eq!(
        api.get_raw("/api/governance/budgets").await.expect(200)["count"],
        0
    );
}
