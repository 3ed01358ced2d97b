//! Fidelity of `/api/governance/customers` (FIDELITY.md, "Teams and customers").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, id, names};
use reqwest::Method;
use serde_json::{Value, json};

const CUSTOMERS: &str = "/api/governance/customers";

async fn create(api: &Api, body: Value) -> common::Raw {
    api.send(Method::POST, CUSTOMERS, body).await
}

async fn put(api: &Api, id: &str, body: Value) -> common::Raw {
    api.send(Method::PUT, &format!("{CUSTOMERS}/{id}"), body)
        .await
}

#[tokio::test]
async fn customers_list_paging_is_lenient() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.customer("a").await;
        api.customer("b").await;
        let body = api
            .get_raw(&format!("{CUSTOMERS}?limit=nope&search="))
            .await
            .expect(200);
        assert_eq!((&body["limit"], &body["count"]), (&json!(25), &json!(2)));
        let body = api
            .get_raw(&format!("{CUSTOMERS}?search=B"))
            .await
            .expect(200);
        assert_eq!(names(&body, "customers", "name"), ["b"]);
    }
}

#[tokio::test]
async fn customers_from_memory_is_a_map_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let a = api.customer("a").await;
    let body = api
        .get_raw(&format!("{CUSTOMERS}?from_memory=true"))
        .await
        .expect(200);
    assert_eq!(body["customers"][&a]["name"], "a");
    assert_eq!(body["customers"][&a]["teams"], json!([]));
}

#[tokio::test]
async fn customers_from_memory_is_ignored_on_v2() {
    let (_server, api) = fake(V2).await;
    api.customer("a").await;
    let body = api
        .get_raw(&format!("{CUSTOMERS}?from_memory=true"))
        .await
        .expect(200);
    assert_eq!(names(&body, "customers", "name"), ["a"]);
}

#[tokio::test]
async fn customers_embed_teams_and_keys() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = api.customer("acme").await;
        api.create(
            "teams",
            "team",
            json!({"name": "t", "customer_id": customer,
            "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
            "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
        )
        .await;
        api.vk(json!({"name": "k", "customer_id": customer, "budgets": [{"max_limit": 1, "reset_duration": "1d"}]})).await;
        let body = api
            .get_raw(&format!("{CUSTOMERS}/{customer}"))
            .await
            .expect(200);
        let c = &body["customer"];
        let team = &c["teams"][0];
        assert_eq!(
            team["budgets"][0]["max_limit"], 5.0,
            "Teams.Budgets is preloaded"
        );
        assert!(
            team.get("rate_limit").is_none(),
            "the team's rate limit is not"
        );
        assert!(team.get("customer").is_none());
        let key = &c["virtual_keys"][0];
        assert_eq!(key["provider_configs"], Value::Null, "keys come bare");
        assert!(key.get("budgets").is_none());
        assert!(key["value"].as_str().unwrap().starts_with("sk-bf-"));
        let empty = api.customer("empty").await;
        let body = api
            .get_raw(&format!("{CUSTOMERS}/{empty}"))
            .await
            .expect(200);
        assert_eq!(
            (
                &body["customer"]["teams"],
                &body["customer"]["virtual_keys"]
            ),
            (&json!([]), &json!([]))
        );
    }
}

#[tokio::test]
async fn customers_counts_on_v2() {
    let (_server, api) = fake(V2).await;
    let customer = api.customer("acme").await;
    api.team("t", Some(&customer)).await;
    api.vk(json!({"name": "k", "customer_id": customer})).await;
    let listed = api.get_raw(CUSTOMERS).await.expect(200);
    let c = &listed["customers"][0];
    assert_eq!(
        (&c["virtual_key_count"], &c["team_count"]),
        (&json!(1), &json!(1))
    );
    let one = api
        .get_raw(&format!("{CUSTOMERS}/{customer}"))
        .await
        .expect(200);
    assert_eq!(
        (
            &one["customer"]["virtual_key_count"],
            &one["customer"]["team_count"]
        ),
        (&json!(1), &json!(0))
    );
    assert_eq!(one["customer"]["calendar_aligned"], false);
}

#[tokio::test]
async fn customers_get_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.get_raw(&format!("{CUSTOMERS}/nope"))
            .await
            .assert_error(404, "Customer not found");
        put(&api, "nope", json!({}))
            .await
            .assert_error(404, "Customer not found");
        api.raw(Method::DELETE, &format!("{CUSTOMERS}/nope"), None)
            .await
            .assert_error(404, "Customer not found");
    }
}

#[tokio::test]
async fn customers_create_needs_a_name() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": ""}))
            .await
            .assert_error(400, "Customer name is required");
    }
}

#[tokio::test]
async fn customers_duplicate_names_are_allowed_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.customer("acme").await;
    let body = create(&api, json!({"name": "acme"})).await.expect(200);
    assert_eq!(body["message"], "Customer created successfully");
    assert_eq!(api.get_raw(CUSTOMERS).await.expect(200)["count"], 2);
}

#[tokio::test]
async fn customers_duplicate_name_is_409_on_v2() {
    let (_server, api) = fake(V2).await;
    api.customer("acme").await;
    create(&api, json!({"name": "acme"}))
        .await
        .assert_error(409, "A customer with this name already exists");
}

#[tokio::test]
async fn customers_create_budget_errors_are_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    for budget in [
        json!({"max_limit": 0, "reset_duration": "1d"}),
        json!({"max_limit": 5, "reset_duration": "1Q"}),
        json!({"max_limit": 5}),
        json!({"max_limit": -5, "reset_duration": "1d"}),
    ] {
        create(&api, json!({"name": "c", "budget": budget}))
            .await
            .assert_error(500, "failed to create customer");
    }
    let body = create(
        &api,
        json!({"name": "c", "budget": {"max_limit": 5, "reset_duration": "1M"}}),
    )
    .await
    .expect(200);
    assert_eq!(body["customer"]["budget"]["max_limit"], 5.0);
    assert_eq!(
        body["customer"]["budget_id"],
        body["customer"]["budget"]["id"]
    );
}

#[tokio::test]
async fn customers_create_budget_and_budgets_is_400_on_v2() {
    let (_server, api) = fake(V2).await;
    create(
        &api,
        json!({"name": "", "budget": {"max_limit": 5, "reset_duration": "1d"},
        "budgets": [{"max_limit": 5, "reset_duration": "1M"}]}),
    )
    .await
    .assert_error(400, "only one of 'budget' or 'budgets' may be set");
}

#[tokio::test]
async fn customers_create_budget_checks_on_v2() {
    let (_server, api) = fake(V2).await;
    create(
        &api,
        json!({"name": "c", "budgets": [{"max_limit": -1, "reset_duration": "1d"}]}),
    )
    .await
    .assert_error(400, "budget max_limit cannot be negative: -1.00");
    create(
        &api,
        json!({"name": "c", "budgets": [{"max_limit": 1, "reset_duration": "0d"}]}),
    )
    .await
    .assert_error(
        400,
        "invalid reset duration (must be a positive duration): 0d",
    );
    create(
        &api,
        json!({"name": "c", "budgets": [{"max_limit": 0, "reset_duration": "1d"}]}),
    )
    .await
    .assert_error(500, "failed to create customer");
    let body = create(
        &api,
        json!({"name": "c", "calendar_aligned": true,
        "budget": {"max_limit": 9, "reset_duration": "1M"}}),
    )
    .await
    .expect(200);
    let budget = &body["customer"]["budgets"][0];
    assert_eq!(
        (&budget["max_limit"], &budget["last_reset"]),
        (&json!(9), &json!("2026-01-01T00:00:00Z"))
    );
    assert_eq!(budget["customer_id"], body["customer"]["id"]);
    assert!(
        body["customer"].get("budget").is_none(),
        "v2 customers have no single budget"
    );
}

#[tokio::test]
async fn customers_create_ignores_budgets_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let body = create(
        &api,
        json!({"name": "c", "budgets": [{"max_limit": 5, "reset_duration": "1d"}]}),
    )
    .await
    .expect(200);
    assert!(body["customer"].get("budget").is_none());
    assert_eq!(
        api.get_raw("/api/governance/budgets").await.expect(200)["count"],
        0
    );
}

#[tokio::test]
async fn customers_create_bad_rate_limit_is_400() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": "c", "rate_limit": {"request_max_limit": -2, "request_reset_duration": "1m"}}))
            .await
            .assert_error(400, "Invalid rate limit: rate limit request max limit cannot be negative or zero: -2");
    }
}

#[tokio::test]
async fn customers_update_errors_are_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let c = api.customer("c").await;
    put(&api, &c, json!({"budget": {"max_limit": 5}}))
        .await
        .assert_error(500, "Failed to update customer");
    put(&api, &c, json!({"rate_limit": {"request_max_limit": 5}}))
        .await
        .assert_error(500, "Failed to update customer");
}

#[tokio::test]
async fn customers_update_legacy_budget_patch() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let c = id(&api
            .create(
                "customers",
                "customer",
                json!({"name": "c", "budget": {"max_limit": 5, "reset_duration": "1M"}}),
            )
            .await);
        let body = put(&api, &c, json!({"budget": {"max_limit": 8}}))
            .await
            .expect(200);
        assert_eq!(body["message"], "Customer updated successfully");
        let budgets = api.get_raw("/api/governance/budgets").await.expect(200);
        assert_eq!(
            (
                &budgets["count"],
                &budgets["budgets"][0]["max_limit"],
                &budgets["budgets"][0]["reset_duration"]
            ),
            (&json!(1), &json!(8), &json!("1M"))
        );
        let body = put(&api, &c, json!({"budget": {"calendar_aligned": true}}))
            .await
            .expect(200);
        assert!(
            body["customer"].get("budget").is_none() && body["customer"].get("budgets").is_none(),
            "{body}"
        );
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0,
            "{{}}-like budget removes it"
        );
    }
}

#[tokio::test]
async fn customers_update_new_budget_needs_both_fields_on_v2() {
    let (_server, api) = fake(V2).await;
    let c = api.customer("c").await;
    put(&api, &c, json!({"budget": {"max_limit": 5}}))
        .await
        .assert_error(
            400,
            "both max_limit and reset_duration are required when creating a new budget",
        );
}

#[tokio::test]
async fn customers_update_budgets_on_v2() {
    let (_server, api) = fake(V2).await;
    let c = api.customer("c").await;
    let body = put(&api, &c, json!({"budgets": [{"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 9, "reset_duration": "1M"}]})).await.expect(200);
    assert_eq!(body["customer"]["budgets"].as_array().unwrap().len(), 2);
    put(&api, &c, json!({"budget": {"max_limit": 5, "reset_duration": "1d"}}))
        .await
        .assert_error(400, "deprecated 'budget' field cannot be used when multiple budgets already exist; use 'budgets'");
    put(&api, &c, json!({"budget": {"max_limit": 5}, "budgets": []}))
        .await
        .assert_error(400, "only one of 'budget' or 'budgets' may be set");
    let body = put(&api, &c, json!({"budgets": []})).await.expect(200);
    assert!(body["customer"].get("budgets").is_none());
}

#[tokio::test]
async fn customers_update_duplicate_name_is_500_on_v2() {
    let (_server, api) = fake(V2).await;
    api.customer("a").await;
    let b = api.customer("b").await;
    put(&api, &b, json!({"name": "a"}))
        .await
        .assert_error(500, "Failed to update customer");
}

#[tokio::test]
async fn customers_delete_detaches_teams_and_keys() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let c = id(&api
            .create(
                "customers",
                "customer",
                json!({"name": "c", "budget": {"max_limit": 5, "reset_duration": "1M"},
            "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}),
            )
            .await);
        let team = api.team("t", Some(&c)).await;
        let vk = api.vk_id(json!({"name": "k", "customer_id": c})).await;
        let raw = api
            .raw(Method::DELETE, &format!("{CUSTOMERS}/{c}"), None)
            .await;
        assert_eq!(
            raw.body,
            "{\"message\":\"Customer deleted successfully\"}\n"
        );
        let t = api
            .get_raw(&format!("/api/governance/teams/{team}"))
            .await
            .expect(200);
        assert!(t["team"].get("customer_id").is_none());
        let k = api
            .get_raw(&format!("/api/governance/virtual-keys/{vk}"))
            .await
            .expect(200);
        assert!(k["virtual_key"].get("customer_id").is_none());
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
