//! Contract tests of reading virtual keys (list, get, quota), through the ergonomic
//! crate: requests are checked against openapi.yaml by the spec-driven mock, canned
//! responses against the response schemas. Deleting keys, and the not-found shapes
//! every resource shares, are in contract_resource_shapes.rs.

mod common;

use bifrost_governance::resources::virtual_keys::{SortOrder, VirtualKeySortBy};
use bifrost_governance::{Error, SecretString};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use serde_json::json;
use wiremock::MockServer;

use common::virtual_keys::*;

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_sends_every_filter_and_the_sort_and_decodes_the_page() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .query("limit", "25")
        .query("offset", "50")
        .query("search", "check")
        .query("customer_id", "cust-1")
        .query("team_id", "team-1")
        .query("sort_by", "budget_spent")
        .query("order", "desc")
        .no_query("export")
        .respond(Reply::ok(json!({
            "virtual_keys": [full_key()],
            "count": 1,
            "total_count": 51,
            "limit": 25,
            "offset": 50
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .virtual_keys()
        .list()
        .search("check")
        .customer_id("cust-1")
        .team_id("team-1")
        .sort_by(VirtualKeySortBy::BudgetSpent)
        .order(SortOrder::Desc)
        .page_size(25)
        .offset(50)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (51, 25, 50));
    assert_eq!(page.items.len(), 1);
    assert_full_key(&page.items[0]);
    let seen = &guard.requests()[0];
    assert_eq!(
        seen.query.len(),
        7,
        "exactly the filters that were set: {:?}",
        seen.query
    );
    assert!(seen.raw_body.is_empty());
}

#[tokio::test]
async fn list_sends_user_assignment_and_metadata_filters() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .query("user_id", "user-1")
        .query("exclude_assigned_virtual_keys", "true")
        .query("metadata_env", "prod")
        .query("metadata_cost.center", "42")
        .respond(Reply::ok(json!({
            "virtual_keys": [full_key()], "count": 1, "total_count": 1, "limit": 100, "offset": 0
        })))
        .times(1)
        .mount(&server)
        .await;

    let keys = client(&server.uri())
        .virtual_keys()
        .list()
        .user_id("user-1")
        .exclude_assigned()
        .metadata("env", "prod")
        .metadata("cost.center", "42")
        .collect_all()
        .await
        .unwrap();

    assert_eq!(keys.len(), 1);
    assert_eq!(
        guard.requests()[0].query.len(),
        6,
        "{:?}",
        guard.requests()[0].query
    );
}

#[tokio::test]
async fn list_filters_the_server_cannot_apply_are_refused_before_sending() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.6.6").await;
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "virtual_keys": [] })))
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let bad_key = keys.list().metadata("cost center", "42").send().await;
    assert!(
        matches!(bad_key, Err(Error::InvalidInput(_))),
        "{bad_key:?}"
    );
    assert_eq!(
        version.request_count(),
        0,
        "an invalid key is refused before any request"
    );

    for (what, list) in [
        ("user filter", keys.list().user_id("user-1")),
        ("metadata filter", keys.list().metadata("env", "prod")),
    ] {
        let err = list.send().await.unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{what}: {err:?}");
    }
    assert_eq!(guard.request_count(), 0);
}

#[tokio::test]
async fn list_sends_each_sort_column_and_direction_on_the_wire() {
    let cases = [
        (VirtualKeySortBy::Name, SortOrder::Asc, "name", "asc"),
        (
            VirtualKeySortBy::BudgetSpent,
            SortOrder::Desc,
            "budget_spent",
            "desc",
        ),
        (
            VirtualKeySortBy::CreatedAt,
            SortOrder::Desc,
            "created_at",
            "desc",
        ),
        (VirtualKeySortBy::Status, SortOrder::Asc, "status", "asc"),
    ];
    for (sort_by, order, wire_sort, wire_order) in cases {
        let server = MockServer::start().await;
        let guard = contract::expect("list_virtual_keys")
            .authorization(AUTHORIZATION)
            .query("sort_by", wire_sort)
            .query("order", wire_order)
            .respond(Reply::ok(json!({ "virtual_keys": [], "count": 0, "total_count": 0, "limit": 100, "offset": 0 })))
            .times(1)
            .mount(&server)
            .await;

        let page = client(&server.uri())
            .virtual_keys()
            .list()
            .sort_by(sort_by)
            .order(order)
            .send()
            .await
            .unwrap();

        assert!(page.items.is_empty());
        assert_eq!(guard.request_count(), 1);
    }
}

#[tokio::test]
async fn list_collect_all_keeps_the_filters_on_every_page() {
    let server = MockServer::start().await;
    let mut second = full_key();
    second["id"] = json!("vk-2");
    let guard = contract::expect("list_virtual_keys")
        .authorization(AUTHORIZATION)
        .query("team_id", "team-1")
        .query("limit", "1")
        .respond_with(move |seen| {
            let (key, offset) = match seen.query("offset") {
                Some("0") => (full_key(), 0),
                _ => (second.clone(), 1),
            };
            Reply::ok(json!({ "virtual_keys": [key], "count": 1, "total_count": 2, "limit": 1, "offset": offset }))
        })
        .mount(&server)
        .await;

    let all = client(&server.uri())
        .virtual_keys()
        .list()
        .team_id("team-1")
        .page_size(1)
        .collect_all()
        .await
        .unwrap();

    assert_eq!(
        all.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["vk-1", "vk-2"]
    );
    let offsets: Vec<_> = guard
        .requests()
        .iter()
        .map(|r| r.query("offset").unwrap().to_string())
        .collect();
    assert_eq!(offsets, ["0", "1"]);
}

// ------------------------------------------------------------------ get

#[tokio::test]
async fn get_decodes_every_field_and_sends_no_body() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(one(full_key()))
        .times(1)
        .mount(&server)
        .await;

    let vk = client(&server.uri())
        .virtual_keys()
        .get("vk-1")
        .await
        .unwrap();

    assert_full_key(&vk);
    let seen = &guard.requests()[0];
    assert!(seen.raw_body.is_empty() && seen.query.is_empty());
}

// ------------------------------------------------------------------ quota

#[tokio::test]
async fn quota_sends_the_key_value_in_x_bf_vk_and_decodes_usage() {
    let server = MockServer::start().await;
    // The route takes no admin credentials (`security: []`): the key is the
    // credential, and the admin key must not travel with it.
    let guard = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .and(wiremock::matchers::header("x-bf-vk", VALUE))
        .respond(Reply::ok(json!({
            "virtual_key_name": "checkout",
            "is_active": true,
            "budgets": [{
                "id": "bud-d",
                "max_limit": 10.0,
                "reset_duration": "1d",
                "current_usage": 2.5,
                "last_reset": "2026-07-21T00:00:00Z",
                "per_model_usage": [
                    { "model": "gpt-4o", "provider": "openai", "total_requests": 12, "total_tokens": 3400, "total_cost": 2.5 }
                ]
            }],
            "rate_limit": { "id": "rl-1", "request_max_limit": 60, "request_reset_duration": "1m", "request_current_usage": 4 },
            "provider_configs": [{ "id": 7, "provider": "openai", "allow_all_keys": true, "keys": [] }],
            "model_configs": [{ "model_name": "gpt-4o", "provider": null, "budgets": null }]
        })))
        .times(1)
        .mount(&server)
        .await;

    let quota = client(&server.uri())
        .virtual_keys()
        .quota(&SecretString::from(VALUE))
        .await
        .unwrap();

    assert_eq!(quota.virtual_key_name.as_deref(), Some("checkout"));
    assert_eq!(quota.is_active, Some(true));
    let budget = &quota.budgets.as_ref().unwrap()[0];
    assert_eq!(
        (budget.max_limit, budget.current_usage),
        (Some(10.0), Some(2.5))
    );
    let usage = &budget.per_model_usage.as_ref().unwrap()[0];
    assert_eq!(usage.model.as_deref(), Some("gpt-4o"));
    assert_eq!(
        (usage.total_requests, usage.total_tokens, usage.total_cost),
        (Some(12), Some(3400), Some(2.5))
    );
    assert_eq!(
        quota.rate_limit.as_ref().unwrap().request_current_usage,
        Some(4)
    );
    assert_eq!(
        quota.provider_configs.as_ref().unwrap()[0].allow_all_keys,
        Some(true)
    );
    assert_eq!(
        quota.model_configs.as_ref().unwrap()[0]
            .model_name
            .as_deref(),
        Some("gpt-4o")
    );

    let seen = &guard.requests()[0];
    assert!(seen.query.is_empty() && seen.raw_body.is_empty());
    assert_eq!(seen.authorization, None);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let headers = &received[0].headers;
    assert_eq!(
        headers.get("x-bf-vk").map(|v| v.as_bytes()),
        Some(VALUE.as_bytes())
    );
    assert_eq!(headers.get_all("x-bf-vk").iter().count(), 1);
}

#[tokio::test]
async fn quota_of_a_rotated_value_is_unauthorized_and_an_empty_value_is_refused() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .respond(Reply::json(
            401,
            bifrost_error(401, "virtual key is not valid"),
        ))
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let err = keys
        .quota(&SecretString::from("sk-bf-old"))
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(guard.request_count(), 1);

    let err = keys.quota(&SecretString::from("")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(guard.request_count(), 1);
}
