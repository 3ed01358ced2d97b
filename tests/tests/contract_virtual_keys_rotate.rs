//! Contract tests of rotating virtual keys and of overriding their budgets.

mod common;

use bifrost_governance::Error;
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::MockServer;

use common::virtual_keys::*;

// ------------------------------------------------------------------ rotate

#[tokio::test]
async fn rotate_returns_the_new_value_and_sends_no_body() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let mut rotated = full_key();
    rotated["value"] = json!("sk-bf-22222222-aaaa-4bbb-8ccc-000000000002");
    rotated["rotated_at"] = json!("2026-07-21T10:00:00Z");
    rotated["previous_value_expires_at"] = json!("2026-07-21T11:00:00Z");
    let guard = contract::expect("rotate_virtual_key")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .respond(Reply::ok(
            json!({ "message": "Virtual key rotated successfully", "virtual_key": rotated }),
        ))
        .times(1)
        .mount(&server)
        .await;

    let vk = client(&server.uri())
        .virtual_keys()
        .rotate("vk-1")
        .await
        .unwrap();

    assert_eq!(
        vk.value.as_ref().unwrap().expose_secret(),
        "sk-bf-22222222-aaaa-4bbb-8ccc-000000000002"
    );
    assert_eq!(
        vk.rotated_at,
        Some(Utc.with_ymd_and_hms(2026, 7, 21, 10, 0, 0).unwrap())
    );
    assert_eq!(
        vk.previous_value_expires_at,
        Some(Utc.with_ymd_and_hms(2026, 7, 21, 11, 0, 0).unwrap())
    );
    assert_eq!(vk.team_id.as_deref(), Some("team-1"));
    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn rotate_is_not_retried() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("rotate_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(503, bifrost_error(503, "upstream unavailable")))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .rotate("vk-1")
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(guard.request_count(), 1, "a retried rotation rotates twice");
}

fn rotated(id: &str, value: &str) -> Value {
    json!({ "id": id, "name": id, "value": value, "rotated_at": "2026-07-21T10:00:00Z" })
}

#[tokio::test]
async fn rotate_many_reports_partial_failures_answered_200() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({
            "message": "Virtual keys rotated successfully",
            "virtual_keys": [rotated("vk-1", "sk-bf-new-1"), rotated("vk-3", "sk-bf-new-3")],
            "errors": { "vk-2": "virtual key not found" }
        })))
        .times(1)
        .mount(&server)
        .await;

    let outcome = client(&server.uri())
        .virtual_keys()
        .rotate_many(["vk-1", "vk-2", "vk-3"])
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({ "ids": ["vk-1", "vk-2", "vk-3"] })
    );
    let rotated: Vec<_> = outcome
        .rotated
        .iter()
        .map(|k| (k.id.as_str(), k.value.as_ref().unwrap().expose_secret()))
        .collect();
    assert_eq!(rotated, [("vk-1", "sk-bf-new-1"), ("vk-3", "sk-bf-new-3")]);
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(outcome.failures["vk-2"], "virtual key not found");
}

#[tokio::test]
async fn rotate_many_with_every_id_failed_is_an_outcome_not_an_error() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    // The server answers 500 with the rotation body shape when nothing rotated.
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            500,
            json!({
                "message": "No virtual keys were rotated",
                "virtual_keys": [],
                "errors": { "vk-1": "virtual key not found", "vk-2": "rotation cooldown active" }
            }),
        ))
        .mount(&server)
        .await;

    let outcome = client(&server.uri())
        .virtual_keys()
        .rotate_many(["vk-1", "vk-2"])
        .await
        .unwrap();

    assert!(outcome.rotated.is_empty());
    assert_eq!(
        outcome.failures.into_iter().collect::<Vec<_>>(),
        [
            ("vk-1".to_string(), "virtual key not found".to_string()),
            ("vk-2".to_string(), "rotation cooldown active".to_string())
        ]
    );
    assert_eq!(guard.request_count(), 1, "a rotation is never retried");
}

#[tokio::test]
async fn rotate_many_with_a_plain_500_is_an_api_error() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(500, bifrost_error(500, "database is locked")))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .rotate_many(["vk-1"])
        .await
        .unwrap_err();

    match &err {
        Error::Api(api) => {
            assert_eq!(api.status.as_u16(), 500);
            assert_eq!(api.message, "database is locked");
            assert_eq!(api.operation, "rotate_virtual_keys");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn rotate_many_refuses_no_ids_and_blank_ids_before_sending() {
    let server = MockServer::start().await;
    let guard = contract::expect("rotate_virtual_keys")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "virtual_keys": [], "errors": {} })))
        .times(0)
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let none = keys.rotate_many(Vec::<String>::new()).await.unwrap_err();
    let blank = keys.rotate_many(["vk-1", " "]).await.unwrap_err();

    assert!(matches!(none, Error::InvalidInput(_)), "{none:?}");
    assert!(matches!(blank, Error::InvalidInput(_)), "{blank:?}");
    assert_eq!(guard.request_count(), 0);
}

#[tokio::test]
async fn rotation_is_refused_by_servers_older_than_v1_5_4() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.2").await;
    let mut guards = Vec::new();
    for op in ["rotate_virtual_key", "rotate_virtual_keys"] {
        guards.push(
            contract::expect(op)
                .authorization(AUTHORIZATION)
                .respond(Reply::ok(json!({ "virtual_key": full_key() })))
                .mount(&server)
                .await,
        );
    }
    let keys = client(&server.uri()).virtual_keys();

    for err in [
        keys.rotate("vk-1").await.unwrap_err(),
        keys.rotate_many(["vk-1"]).await.unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                Error::Unsupported {
                    capability: bifrost_governance::Capability::KeyRotation,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert!(guards.iter().all(|g| g.request_count() == 0));
}

// ------------------------------------------------------------------ budget overrides

/// The budget of `full_key()` with an override, as the server answers it.
fn overridden_budget(amount: f64, mode: &str, cycles: Option<i64>) -> Value {
    let mut budget = json!({
        "id": "budget-1", "max_limit": 10.0, "reset_duration": "1d",
        "last_reset": "2026-07-21T00:00:00Z", "current_usage": 9.5,
        "model_config_id": "mc-vk-1", "config_hash": "",
        "override_amount": amount, "override_mode": mode,
        "created_at": "2026-07-01T00:00:00Z", "updated_at": "2026-07-21T10:00:00Z"
    });
    if let Some(cycles) = cycles {
        budget["override_cycles_total"] = json!(cycles);
        budget["override_cycles_remaining"] = json!(cycles);
        budget["override_anchor_reset"] = json!("2026-07-21T00:00:00Z");
    }
    budget
}

#[tokio::test]
async fn set_budget_override_sends_each_mode_and_reads_the_effective_limit() {
    use bifrost_governance::resources::virtual_keys::BudgetOverrideSpec;
    let cases = [
        (
            BudgetOverrideSpec::for_cycles(50.0, 2).unwrap(),
            json!({ "amount": 50.0, "mode": "cycles", "cycles": 2 }),
            overridden_budget(50.0, "cycles", Some(2)),
        ),
        (
            BudgetOverrideSpec::until_removed(5.0).unwrap(),
            json!({ "amount": 5.0, "mode": "forever" }),
            overridden_budget(5.0, "forever", None),
        ),
    ];
    for (spec, expected_body, budget) in cases {
        let server = MockServer::start().await;
        let _version = mount_version(&server, "v2.3.1").await;
        let effective = 10.0 + spec.amount_usd();
        let guard = contract::expect("set_virtual_key_budget_override")
            .authorization(AUTHORIZATION)
            .path_param("vk_id", "vk-1")
            .path_param("budget_id", "budget-1")
            .respond(Reply::ok(
                json!({ "budget": budget, "effective_max_limit": effective }),
            ))
            .times(1)
            .mount(&server)
            .await;

        let raised = client(&server.uri())
            .virtual_keys()
            .set_budget_override("vk-1", "budget-1", spec)
            .await
            .unwrap();

        assert_eq!(guard.single_body(), expected_body);
        assert_eq!(raised.effective_max_limit, Some(effective));
        assert_eq!(raised.budget.override_amount, Some(spec.amount_usd()));
        assert_eq!(
            raised.budget.override_cycles_remaining,
            spec.cycles().map(i64::from)
        );
        // A VK's budgets belong to its model config on v1.5.9+.
        assert_eq!(raised.budget.model_config_id.as_deref(), Some("mc-vk-1"));
        assert_eq!(raised.budget.virtual_key_id, None);
    }
}

#[tokio::test]
async fn clear_budget_override_sends_no_body_and_reads_the_base_limit() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let mut budget = overridden_budget(0.0, "", None);
    budget.as_object_mut().unwrap().remove("override_amount");
    budget.as_object_mut().unwrap().remove("override_mode");
    let guard = contract::expect("delete_virtual_key_budget_override")
        .authorization(AUTHORIZATION)
        .path_param("vk_id", "vk-1")
        .path_param("budget_id", "budget-1")
        .respond(Reply::ok(
            json!({ "budget": budget, "effective_max_limit": 10.0 }),
        ))
        .times(1)
        .mount(&server)
        .await;

    let cleared = client(&server.uri())
        .virtual_keys()
        .clear_budget_override("vk-1", "budget-1")
        .await
        .unwrap();

    assert!(guard.requests()[0].raw_body.is_empty());
    assert_eq!(cleared.effective_max_limit, Some(10.0));
    assert_eq!(cleared.budget.override_amount, None);
}

#[tokio::test]
async fn budget_overrides_of_a_missing_budget_are_not_found() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let _guard = contract::expect("delete_virtual_key_budget_override")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            404,
            bifrost_error(404, "virtual key or budget not found"),
        ))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .clear_budget_override("vk-1", "nope")
        .await
        .unwrap_err();

    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("virtual key or budget not found"));
}

#[tokio::test]
async fn budget_overrides_are_refused_before_v1_6_7_and_for_blank_ids() {
    use bifrost_governance::resources::virtual_keys::BudgetOverrideSpec;
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.6.6").await;
    let mut guards = Vec::new();
    for op in [
        "set_virtual_key_budget_override",
        "delete_virtual_key_budget_override",
    ] {
        guards.push(
            contract::expect(op)
                .authorization(AUTHORIZATION)
                .respond(Reply::ok(json!({ "budget": { "id": "budget-1" } })))
                .mount(&server)
                .await,
        );
    }
    let keys = client(&server.uri()).virtual_keys();
    let spec = BudgetOverrideSpec::until_removed(1.0).unwrap();

    let old = keys.set_budget_override("vk-1", "budget-1", spec).await;
    assert!(matches!(old, Err(Error::Unsupported { .. })), "{old:?}");
    let old = keys.clear_budget_override("vk-1", "budget-1").await;
    assert!(matches!(old, Err(Error::Unsupported { .. })), "{old:?}");
    for blank in [
        keys.set_budget_override(" ", "budget-1", spec).await,
        keys.set_budget_override("vk-1", "", spec).await,
    ] {
        assert!(matches!(blank, Err(Error::InvalidInput(_))), "{blank:?}");
    }
    assert!(guards.iter().all(|g| g.request_count() == 0));
}
