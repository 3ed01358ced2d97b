//! Contract tests of the team operations, through the ergonomic crate: every request
//! is checked against openapi.yaml by the spec-driven mock, every canned response is
//! validated against the response schema, and the exact bodies sent are asserted.
//! Deletes, and the not-found and conflict shapes every resource shares, are in
//! contract_resource_shapes.rs.

use bifrost_governance::{BudgetSpec, BudgetSpecs, Error, RateLimitSpec, ResetPeriod};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use bifrost_governance_wiremock::fixtures::team;
use serde_json::{Value, json};
use wiremock::MockServer;

/// A team with every field the server fills in.
fn full_team() -> Value {
    json!({
        "id": "team-1",
        "name": "platform",
        "customer_id": "cust-1",
        "customer": { "id": "cust-1", "name": "acme", "teams": null },
        "budgets": [{
            "id": "bud-1",
            "max_limit": 500.0,
            "reset_duration": "1M",
            "last_reset": "2026-01-01T00:00:00Z",
            "current_usage": 12.5,
            "calendar_aligned": true,
            "team_id": "team-1",
            "override_amount": null,
            "per_model_usage": null
        }],
        "rate_limit_id": "rl-1",
        "rate_limit": {
            "id": "rl-1",
            "token_max_limit": 100000,
            "token_reset_duration": "1h",
            "token_current_usage": 250,
            "request_max_limit": 60,
            "request_reset_duration": "1m",
            "request_current_usage": 3
        },
        "virtual_key_count": 4,
        "calendar_aligned": true,
        "profile": null,
        "config": null,
        "claims": null,
        "config_hash": "9f2c",
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-03T03:04:05Z"
    })
}

fn assert_full_team(team: &bifrost_governance::types::Team) {
    assert_eq!(team.id, "team-1");
    assert_eq!(team.name, "platform");
    assert_eq!(team.customer_id.as_deref(), Some("cust-1"));
    assert_eq!(
        team.customer.as_ref().map(|c| c.name.as_str()),
        Some("acme")
    );
    let budgets = team.budgets.as_ref().expect("budgets");
    assert_eq!(budgets.len(), 1);
    assert_eq!(budgets[0].id, "bud-1");
    assert_eq!(budgets[0].max_limit, Some(500.0));
    assert_eq!(budgets[0].reset_duration.as_deref(), Some("1M"));
    assert_eq!(budgets[0].current_usage, Some(12.5));
    assert_eq!(budgets[0].calendar_aligned, Some(true));
    let rate_limit = team.rate_limit.as_ref().expect("rate limit");
    assert_eq!(rate_limit.token_max_limit, Some(100_000));
    assert_eq!(rate_limit.token_reset_duration.as_deref(), Some("1h"));
    assert_eq!(rate_limit.request_max_limit, Some(60));
    assert_eq!(rate_limit.request_reset_duration.as_deref(), Some("1m"));
    assert_eq!(rate_limit.request_current_usage, Some(3));
    assert_eq!(team.virtual_key_count, Some(4));
    assert_eq!(team.calendar_aligned, Some(true));
    assert_eq!(team.created_at.map(|t| t.timestamp()), Some(1_767_323_045));
}

fn written(team: Value) -> Value {
    json!({ "message": "Team updated successfully", "team": team })
}

#[tokio::test]
async fn list_teams_sends_paging_and_filters_and_decodes_the_page() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_teams")
        .authorization(AUTHORIZATION)
        .query("limit", "10")
        .query("offset", "20")
        .query("search", "plat")
        .query("customer_id", "cust-1")
        .respond(Reply::ok(json!({
            "teams": [full_team()],
            "count": 1,
            "total_count": 21,
            "limit": 10,
            "offset": 20
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .teams()
        .list()
        .search("plat")
        .customer_id("cust-1")
        .page_size(10)
        .offset(20)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (21, 10, 20));
    assert_eq!(page.items.len(), 1);
    assert_full_team(&page.items[0]);
    assert!(guard.requests()[0].body.is_none());
}

#[tokio::test]
async fn create_team_with_only_a_name_sends_only_the_name() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_team")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Team created successfully", "team": team("team-9").name("solo") }),
        ))
        .mount(&server)
        .await;

    let created = client(&server.uri())
        .teams()
        .create("solo")
        .send()
        .await
        .unwrap();

    assert_eq!(
        (created.id.as_str(), created.name.as_str()),
        ("team-9", "solo")
    );
    assert_eq!(guard.single_body(), json!({ "name": "solo" }));
}

#[tokio::test]
async fn create_team_sends_budgets_rate_limit_customer_and_alignment() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_team")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Team created successfully", "team": full_team() }),
        ))
        .mount(&server)
        .await;

    let limit = RateLimitSpec::builder()
        .tokens(100_000, ResetPeriod::hours(1))
        .requests(60, ResetPeriod::minutes(1))
        .build()
        .unwrap();
    let created = client(&server.uri())
        .teams()
        .create("platform")
        .assign_customer("cust-1")
        .budget(BudgetSpec::new(500.0, ResetPeriod::months(1)).unwrap())
        .budget(BudgetSpec::new(25.0, ResetPeriod::days(1)).unwrap())
        .rate_limit(limit)
        .calendar_aligned(true)
        .send()
        .await
        .unwrap();

    assert_full_team(&created);
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "platform",
            "customer_id": "cust-1",
            "budgets": [
                { "max_limit": 500.0, "reset_duration": "1M", "calendar_aligned": true },
                { "max_limit": 25.0, "reset_duration": "1d", "calendar_aligned": true }
            ],
            "rate_limit": {
                "token_max_limit": 100000,
                "token_reset_duration": "1h",
                "request_max_limit": 60,
                "request_reset_duration": "1m"
            },
            "calendar_aligned": true
        })
    );
}

#[tokio::test]
async fn get_team_decodes_every_field() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_team")
        .authorization(AUTHORIZATION)
        .path_param("team_id", "team-1")
        .respond(Reply::ok(json!({ "team": full_team() })))
        .mount(&server)
        .await;

    let got = client(&server.uri()).teams().get("team-1").await.unwrap();

    assert_full_team(&got);
    assert_eq!(guard.request_count(), 1);
    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn get_team_percent_encodes_the_id() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_team")
        .authorization(AUTHORIZATION)
        .path_param("team_id", "a/b c?d")
        .respond(Reply::ok(json!({ "team": team("a/b c?d").name("odd") })))
        .mount(&server)
        .await;

    let got = client(&server.uri()).teams().get("a/b c?d").await.unwrap();

    assert_eq!(got.id, "a/b c?d");
    let seen = &guard.requests()[0];
    assert!(
        seen.query.is_empty(),
        "`?` must not start a query: {seen:?}"
    );
}

async fn update_body(
    update: impl AsyncFnOnce(&bifrost_governance::Client) -> bifrost_governance::Result<()>,
) -> Value {
    let (body, outcome) = update_answered_with(full_team(), update).await;
    outcome.unwrap();
    body
}

/// The body of one update answered with `team`, and the call's outcome.
async fn update_answered_with(
    team: Value,
    update: impl AsyncFnOnce(&bifrost_governance::Client) -> bifrost_governance::Result<()>,
) -> (Value, bifrost_governance::Result<()>) {
    let server = MockServer::start().await;
    // `reset_budget_usage` needs a v1.6.10+ server.
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("update_team")
        .authorization(AUTHORIZATION)
        .path_param("team_id", "team-1")
        .respond(Reply::ok(written(team)))
        .mount(&server)
        .await;
    let outcome = update(&client(&server.uri())).await;
    (guard.single_body(), outcome)
}

#[tokio::test]
async fn update_team_clear_budgets_sends_an_empty_list() {
    let body = update_body(async |c| {
        c.teams()
            .update("team-1")
            .clear_budgets()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "budgets": [] }));
}

#[tokio::test]
async fn update_team_clear_rate_limit_sends_an_empty_object() {
    let body = update_body(async |c| {
        c.teams()
            .update("team-1")
            .clear_rate_limit()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "rate_limit": {} }));
}

#[tokio::test]
async fn update_team_detach_customer_sends_an_empty_string() {
    let mut detached = full_team();
    let team = detached.as_object_mut().unwrap();
    team.remove("customer_id");
    team.remove("customer");
    let (body, outcome) = update_answered_with(detached, async |c| {
        c.teams().update("team-1").unassign().send().await.map(drop)
    })
    .await;
    outcome.unwrap();
    assert_eq!(body, json!({ "customer_id": "" }));
}

/// v1.5.x answers 200 but keeps a team's customer (rdb.go UpdateTeam saves the
/// preloaded customer back): the SDK reports the change as not applied.
#[tokio::test]
async fn a_customer_change_the_server_kept_out_is_not_applied() {
    for (change, sent) in [("unassign", ""), ("assign", "cust-2")] {
        let (body, outcome) = update_answered_with(full_team(), async |c| {
            let update = c.teams().update("team-1").set_name("platform");
            let update = match change {
                "unassign" => update.unassign(),
                _ => update.assign_customer("cust-2"),
            };
            update.send().await.map(drop)
        })
        .await;
        assert_eq!(body, json!({ "name": "platform", "customer_id": sent }));
        match outcome {
            Err(Error::NotApplied {
                operation,
                field,
                sent: s,
                kept,
            }) => assert_eq!(
                (operation, field, s.as_str(), kept.as_str()),
                ("update_team", "customer_id", sent, "cust-1")
            ),
            other => panic!("{change}: expected NotApplied, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn update_team_with_nothing_set_sends_an_empty_object() {
    let body = update_body(async |c| c.teams().update("team-1").send().await.map(drop)).await;
    assert_eq!(body, json!({}));
}

#[tokio::test]
async fn update_team_sends_every_field_that_was_set() {
    let body = update_body(async |c| {
        let budgets = BudgetSpecs::new()
            .with(BudgetSpec::new(10.0, ResetPeriod::days(1)).unwrap())
            .unwrap()
            .with(BudgetSpec::new(200.5, ResetPeriod::weeks(2)).unwrap())
            .unwrap();
        let limit = RateLimitSpec::builder()
            .requests(30, ResetPeriod::seconds(30))
            .build()
            .unwrap();
        let team = c
            .teams()
            .update("team-1")
            .set_name("platform-2")
            .assign_customer("cust-1")
            .set_budgets(budgets)
            .set_rate_limit(limit)
            .calendar_aligned(false)
            .reset_budget_usage()
            .send()
            .await?;
        assert_full_team(&team);
        Ok(())
    })
    .await;
    assert_eq!(
        body,
        json!({
            "name": "platform-2",
            "customer_id": "cust-1",
            "budgets": [
                { "max_limit": 10.0, "reset_duration": "1d", "calendar_aligned": false },
                { "max_limit": 200.5, "reset_duration": "2w", "calendar_aligned": false }
            ],
            "rate_limit": { "request_max_limit": 30, "request_reset_duration": "30s" },
            "calendar_aligned": false,
            "reset_budget_usage": true
        })
    );
}

#[tokio::test]
async fn update_team_rejects_an_empty_customer_id_before_sending() {
    let server = MockServer::start().await;
    let guard = contract::expect("update_team")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(written(full_team())))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .teams()
        .update("team-1")
        .assign_customer("")
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(guard.request_count(), 0);
}
