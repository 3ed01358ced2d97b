//! Fidelity of `/api/governance/teams` (FIDELITY.md, "Teams and customers").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, id, names};
use reqwest::Method;
use serde_json::{Value, json};

const TEAMS: &str = "/api/governance/teams";

async fn create(api: &Api, body: Value) -> common::Raw {
    api.send(Method::POST, TEAMS, body).await
}

async fn put(api: &Api, id: &str, body: Value) -> common::Raw {
    api.send(Method::PUT, &format!("{TEAMS}/{id}"), body).await
}

#[tokio::test]
async fn teams_list_paging_is_lenient() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for i in 0..3 {
            api.team(&format!("t{i}"), None).await;
        }
        for query in ["limit=abc", "limit=-4&offset=-1", "offset=x"] {
            let body = api.get_raw(&format!("{TEAMS}?{query}")).await.expect(200);
            assert_eq!(
                (&body["limit"], &body["offset"], &body["count"]),
                (&json!(25), &json!(0), &json!(3)),
                "{query}"
            );
        }
        let body = api
            .get_raw(&format!("{TEAMS}?limit=2&offset=1"))
            .await
            .expect(200);
        assert_eq!(names(&body, "teams", "name"), ["t1", "t2"]);
        assert_eq!(body["total_count"], 3);
    }
}

#[tokio::test]
async fn teams_list_customer_filter() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = api.customer("c").await;
        api.team("mine", Some(&customer)).await;
        api.team("other", None).await;
        let body = api
            .get_raw(&format!("{TEAMS}?customer_id={customer}"))
            .await
            .expect(200);
        assert_eq!(names(&body, "teams", "name"), ["mine"]);
        let body = api
            .get_raw(&format!("{TEAMS}?customer_id={customer}&search=m"))
            .await
            .expect(200);
        assert_eq!(names(&body, "teams", "name"), ["mine"]);
    }
}

#[tokio::test]
async fn teams_from_memory_is_a_map_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let a = api.team("a", None).await;
    let b = api.team("b", None).await;
    let body = api
        .get_raw(&format!("{TEAMS}?from_memory=true"))
        .await
        .expect(200);
    let teams = body["teams"].as_object().expect("an object keyed by id");
    assert_eq!(teams.keys().cloned().collect::<Vec<_>>(), [a, b]);
    assert_eq!(body["count"], 2);
}

#[tokio::test]
async fn teams_from_memory_is_ignored_on_v2() {
    let (_server, api) = fake(V2).await;
    api.team("a", None).await;
    let body = api
        .get_raw(&format!("{TEAMS}?from_memory=true"))
        .await
        .expect(200);
    assert_eq!(names(&body, "teams", "name"), ["a"]);
}

#[tokio::test]
async fn teams_embed_customer_and_count() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let customer = api.customer("acme").await;
        let team = id(&api
            .create(
                "teams",
                "team",
                json!({"name": "t", "customer_id": customer,
                "budgets": [{"max_limit": 5, "reset_duration": "1d"}],
                "rate_limit": {"request_max_limit": 9, "request_reset_duration": "1m"}}),
            )
            .await);
        api.vk(json!({"name": "k1", "team_id": team})).await;
        api.vk(json!({"name": "k2", "team_id": team})).await;
        let body = api.get_raw(&format!("{TEAMS}/{team}")).await.expect(200);
        let t = &body["team"];
        assert_eq!(t["virtual_key_count"], 2);
        assert_eq!(t["customer"]["name"], "acme");
        assert_eq!(t["customer"]["teams"], Value::Null);
        assert_eq!(t["customer"]["virtual_keys"], Value::Null);
        assert_eq!(t["budgets"][0]["team_id"], team);
        assert_eq!(t["rate_limit"]["request_max_limit"], 9);
        assert_eq!(
            (&t["profile"], &t["config"], &t["claims"]),
            (&Value::Null, &Value::Null, &Value::Null)
        );
        assert!(t.get("virtual_keys").is_none());
    }
}

#[tokio::test]
async fn teams_get_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.get_raw(&format!("{TEAMS}/nope"))
            .await
            .assert_error(404, "Team not found");
        api.raw(Method::DELETE, &format!("{TEAMS}/nope"), None)
            .await
            .assert_error(404, "Team not found");
    }
}

#[tokio::test]
async fn teams_path_ids_are_unescaped_on_v2() {
    let (_server, api) = fake(V2).await;
    let team = api.team("t", None).await;
    let encoded = team.replace('-', "%2D");
    let body = api.get_raw(&format!("{TEAMS}/{encoded}")).await.expect(200);
    assert_eq!(body["team"]["id"], team);
    api.get_raw(&format!("{TEAMS}/%zz"))
        .await
        .assert_error(400, "Invalid team ID encoding");
    put(&api, "%zz", json!({}))
        .await
        .assert_error(400, "Invalid team ID encoding");
}

#[tokio::test]
async fn teams_path_ids_are_not_unescaped_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.get_raw(&format!("{TEAMS}/%zz"))
        .await
        .assert_error(404, "Team not found");
}

#[tokio::test]
async fn teams_create_needs_a_name() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": ""}))
            .await
            .assert_error(400, "Team name is required");
    }
}

#[tokio::test]
async fn teams_create_bad_rate_limit_is_400() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"name": "t", "rate_limit": {"token_max_limit": 0, "token_reset_duration": "1h"}}))
            .await
            .assert_error(400, "Invalid rate limit: rate limit token max limit cannot be negative or zero: 0");
    }
}

#[tokio::test]
async fn teams_create_budget_checks() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "t", "budgets": [{"max_limit": -1, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(400, "budget max_limit cannot be negative: -1.00");
        create(&api, json!({"name": "t2", "budgets": [{"max_limit": 1, "reset_duration": "1d"}, {"max_limit": 2, "reset_duration": "1d"}]}))
            .await
            .assert_error(400, "duplicate reset_duration in budgets: 1d");
    }
}

#[tokio::test]
async fn teams_create_zero_budget_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(
            &api,
            json!({"name": "t", "budgets": [{"max_limit": 0, "reset_duration": "1d"}]}),
        )
        .await
        .assert_error(500, "failed to create team");
        assert_eq!(
            api.get_raw(TEAMS).await.expect(200)["count"],
            0,
            "rolled back"
        );
    }
}

#[tokio::test]
async fn teams_create_duplicate_is_500_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.team("dup", None).await;
    create(&api, json!({"name": "dup"}))
        .await
        .assert_error(500, "failed to create team");
}

#[tokio::test]
async fn teams_create_duplicate_is_409_on_v2() {
    let (_server, api) = fake(V2).await;
    api.team("dup", None).await;
    create(&api, json!({"name": "dup"}))
        .await
        .assert_error(409, "A team with this name already exists");
}

#[tokio::test]
async fn teams_create_quarter_is_refused_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(
        &api,
        json!({"name": "t", "budgets": [{"max_limit": 5, "reset_duration": "1Q"}]}),
    )
    .await
    .assert_error(400, "invalid reset duration format: 1Q");
}

#[tokio::test]
async fn teams_create_budget_calendar_flag_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let body = create(
        &api,
        json!({"name": "t", "budgets": [
        {"max_limit": 5, "reset_duration": "1M", "calendar_aligned": true},
        {"max_limit": 5, "reset_duration": "1w"}]}),
    )
    .await
    .expect(200);
    let budgets = &body["team"]["budgets"];
    assert_eq!(
        (&budgets[0]["calendar_aligned"], &budgets[0]["last_reset"]),
        (&json!(true), &json!("2026-01-01T00:00:00Z"))
    );
    assert_eq!(budgets[1]["calendar_aligned"], false);
    assert!(
        body["team"].get("calendar_aligned").is_none(),
        "no team-level flag on 1.5.x"
    );
}

#[tokio::test]
async fn teams_create_calendar_aligned_on_v2() {
    let (_server, api) = fake(V2).await;
    let body = create(
        &api,
        json!({"name": "t", "calendar_aligned": true,
        "budgets": [{"max_limit": 5, "reset_duration": "1M"}]}),
    )
    .await
    .expect(200);
    assert_eq!(body["team"]["calendar_aligned"], true);
    assert_eq!(
        body["team"]["budgets"][0]["last_reset"],
        "2026-01-01T00:00:00Z"
    );
    assert!(body["team"]["budgets"][0].get("calendar_aligned").is_none());
}

#[tokio::test]
async fn teams_create_does_not_check_customer() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(&api, json!({"name": "t", "customer_id": "ghost"}))
            .await
            .expect(200);
        assert_eq!(body["team"]["customer_id"], "ghost");
        assert!(body["team"].get("customer").is_none());
        assert_eq!(body["message"], "Team created successfully");
    }
}

#[tokio::test]
async fn teams_update_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        put(&api, "nope", json!({"name": "x"}))
            .await
            .assert_error(404, "Team not found");
    }
}

#[tokio::test]
async fn teams_update_budgets_are_a_full_set() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let team = id(&api
            .create("teams", "team", json!({"name": "t", "budgets": [
                {"max_limit": 5, "reset_duration": "1d"}, {"max_limit": 50, "reset_duration": "1M"}]}))
            .await);
        let before = api.get_raw(&format!("{TEAMS}/{team}")).await.expect(200)["team"]["budgets"]
            [0]["id"]
            .clone();
        let body = put(
            &api,
            &team,
            json!({"budgets": [{"max_limit": 7, "reset_duration": "1d"}]}),
        )
        .await
        .expect(200);
        assert_eq!(body["message"], "Team updated successfully");
        let budgets = body["team"]["budgets"].as_array().unwrap().clone();
        assert_eq!(
            (budgets.len(), &budgets[0]["id"], &budgets[0]["max_limit"]),
            (1, &before, &json!(7))
        );
        let body = put(&api, &team, json!({"budgets": []})).await.expect(200);
        assert!(body["team"].get("budgets").is_none());
    }
}

#[tokio::test]
async fn teams_update_customer_sticks_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let first = api.customer("first").await;
    let second = api.customer("second").await;
    let lone = api.team("lone", None).await;
    let body = put(&api, &lone, json!({"customer_id": first}))
        .await
        .expect(200);
    assert_eq!(
        body["team"]["customer_id"], first,
        "a team without a customer takes one"
    );
    let body = put(&api, &lone, json!({"customer_id": second}))
        .await
        .expect(200);
    assert_eq!(body["team"]["customer_id"], first, "then keeps it");
    let body = put(&api, &lone, json!({"customer_id": ""}))
        .await
        .expect(200);
    assert_eq!(body["team"]["customer_id"], first);
}

#[tokio::test]
async fn teams_update_customer_on_v2() {
    let (_server, api) = fake(V2).await;
    let first = api.customer("first").await;
    let second = api.customer("second").await;
    let team = api.team("t", Some(&first)).await;
    let body = put(&api, &team, json!({"customer_id": second}))
        .await
        .expect(200);
    assert_eq!(body["team"]["customer_id"], second);
    let body = put(&api, &team, json!({"customer_id": null}))
        .await
        .expect(200);
    assert_eq!(body["team"]["customer_id"], second, "null keeps");
    let body = put(&api, &team, json!({"customer_id": ""}))
        .await
        .expect(200);
    assert!(body["team"].get("customer_id").is_none(), "\"\" detaches");
}

#[tokio::test]
async fn teams_update_rate_limit_overwrites() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let team = id(&api
            .create("teams", "team", json!({"name": "t", "rate_limit": {"token_max_limit": 100, "token_reset_duration": "1h",
                "request_max_limit": 10, "request_reset_duration": "1m"}}))
            .await);
        let body = put(
            &api,
            &team,
            json!({"rate_limit": {"request_max_limit": 20, "request_reset_duration": "1m"}}),
        )
        .await
        .expect(200);
        let rl = &body["team"]["rate_limit"];
        assert_eq!(rl["request_max_limit"], 20);
        assert!(
            rl.get("token_max_limit").is_none(),
            "all four fields are overwritten"
        );
        put(&api, &team, json!({"rate_limit": {"token_max_limit": 5}}))
            .await
            .assert_error(500, "Failed to update team");
        let body = put(
            &api,
            &team,
            json!({"rate_limit": {"token_reset_duration": "1h"}}),
        )
        .await
        .expect(200);
        assert!(
            body["team"].get("rate_limit").is_none(),
            "no maxima: removed, durations ignored"
        );
    }
}

#[tokio::test]
async fn teams_update_duplicate_name_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.team("a", None).await;
        let b = api.team("b", None).await;
        put(&api, &b, json!({"name": "a"}))
            .await
            .assert_error(500, "Failed to update team");
    }
}

#[tokio::test]
async fn teams_update_calendar_switch_zeroes_usage_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let team = id(&api
        .create(
            "teams",
            "team",
            json!({"name": "t", "budgets": [{"max_limit": 50, "reset_duration": "1M"}]}),
        )
        .await);
    let budget =
        api.get_raw(&format!("{TEAMS}/{team}")).await.expect(200)["team"]["budgets"][0]["id"]
            .clone();
    let body = put(
        &api,
        &team,
        json!({"budgets": [{"max_limit": 50, "reset_duration": "1M", "calendar_aligned": true}]}),
    )
    .await
    .expect(200);
    let b = &body["team"]["budgets"][0];
    assert_eq!(
        (
            &b["id"],
            &b["calendar_aligned"],
            &b["last_reset"],
            &b["current_usage"]
        ),
        (
            &budget,
            &json!(true),
            &json!("2026-01-01T00:00:00Z"),
            &json!(0)
        )
    );
    let body = put(
        &api,
        &team,
        json!({"budgets": [{"max_limit": 50, "reset_duration": "1M"}]}),
    )
    .await
    .expect(200);
    assert_eq!(
        body["team"]["budgets"][0]["calendar_aligned"], false,
        "omitted means false"
    );
}

#[tokio::test]
async fn teams_update_calendar_switch_keeps_usage_on_v2() {
    let (_server, api) = fake(V2).await;
    let team = id(&api
        .create(
            "teams",
            "team",
            json!({"name": "t", "budgets": [{"max_limit": 50, "reset_duration": "1M"}]}),
        )
        .await);
    let before =
        api.get_raw(&format!("{TEAMS}/{team}")).await.expect(200)["team"]["budgets"][0].clone();
    let body = put(&api, &team, json!({"calendar_aligned": true}))
        .await
        .expect(200);
    let b = &body["team"]["budgets"][0];
    assert_eq!(body["team"]["calendar_aligned"], true);
    // The open window started after this month's boundary: nothing moves, usage stays.
    assert_eq!(
        (&b["last_reset"], &b["current_usage"]),
        (&before["last_reset"], &before["current_usage"])
    );
}

#[tokio::test]
async fn teams_delete_detaches_keys() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let team = id(&api
            .create(
                "teams",
                "team",
                json!({"name": "t", "budgets": [{"max_limit": 5, "reset_duration": "1d"}]}),
            )
            .await);
        let customer = api.customer("c").await;
        let vk = api.vk_id(json!({"name": "k", "team_id": team})).await;
        let other = api
            .vk_id(json!({"name": "k2", "customer_id": customer}))
            .await;
        let raw = api
            .raw(Method::DELETE, &format!("{TEAMS}/{team}"), None)
            .await;
        assert_eq!(raw.body, "{\"message\":\"Team deleted successfully\"}\n");
        let key = api
            .get_raw(&format!("/api/governance/virtual-keys/{vk}"))
            .await
            .expect(200);
        assert!(key["virtual_key"].get("team_id").is_none());
        let key = api
            .get_raw(&format!("/api/governance/virtual-keys/{other}"))
            .await
            .expect(200);
        assert_eq!(key["virtual_key"]["customer_id"], customer);
        assert_eq!(
            api.get_raw("/api/governance/budgets").await.expect(200)["count"],
            0
        );
    }
}
