//! The contract mock's own behaviour: what it reports, and how.

use std::sync::{Arc, Mutex};

use bifrost_governance_wiremock::contract::{self, Reply, VIOLATION_STATUS};
use bifrost_governance_wiremock::fixtures::team;
use serde_json::json;
use wiremock::MockServer;

const AUTHORIZATION: &str = "Bearer test-key";

#[test]
#[should_panic(expected = "/team/name")]
fn a_canned_reply_that_breaks_the_response_schema_fails_the_test() {
    let _ = contract::expect("get_team")
        .respond(Reply::ok(json!({ "team": { "id": "t", "name": 7 } })));
}

#[test]
#[should_panic(expected = "status 201 is not declared")]
fn a_canned_reply_with_an_undeclared_status_fails_the_test() {
    let _ = contract::expect("get_team")
        .respond(Reply::json(201, json!({ "team": team("t").name("n") })));
}

#[test]
#[should_panic(expected = "no operation")]
fn an_unknown_operation_fails_the_test() {
    let _ = contract::expect("get_teams");
}

#[tokio::test]
async fn off_spec_requests_are_answered_599_and_recorded() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_team")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "team": team("t").name("n") })))
        .mount(&server)
        .await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/governance/teams?page=2", server.uri());
    let response = http
        .post(&url)
        .header("authorization", "Bearer wrong")
        .json(&json!({ "name": "", "budgets": [{ "max_limit": 0, "reset_duration": "1d" }], "colour": "red" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), VIOLATION_STATUS);
    let body: serde_json::Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("CONTRACT VIOLATION create_team"),
        "{message}"
    );
    let violations = guard.take_violations().join("\n");
    for needle in [
        "Authorization: expected \"Bearer test-key\", got Some(\"Bearer wrong\")",
        "query parameter `page` is not declared",
        "/name",
        "/budgets/0/max_limit",
        "colour",
    ] {
        assert!(
            violations.contains(needle),
            "missing {needle:?} in:\n{violations}"
        );
    }
    // A request without a body where one is required, and a GET with an invalid limit.
    http.post(format!("{}/api/governance/teams", server.uri()))
        .header("authorization", AUTHORIZATION)
        .send()
        .await
        .unwrap();
    let violations = guard.take_violations().join("\n");
    assert!(violations.contains("requires a JSON body"), "{violations}");
    assert_eq!(guard.request_count(), 2);
}

#[tokio::test]
async fn query_parameters_are_checked_against_their_schema() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_teams")
        .any_authorization()
        .respond(Reply::ok(json!({ "teams": [] })))
        .mount(&server)
        .await;
    let url = format!("{}/api/governance/teams?limit=-1&offset=x", server.uri());
    let status = reqwest::get(&url).await.unwrap().status().as_u16();
    assert_eq!(status, VIOLATION_STATUS);
    let violations = guard.take_violations().join("\n");
    assert!(
        violations.contains("query parameter `limit`=\"-1\""),
        "{violations}"
    );
    assert!(
        violations.contains("query parameter `offset`=\"x\""),
        "{violations}"
    );
}

#[tokio::test]
async fn dynamic_replies_are_validated_as_they_are_produced() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_version")
        .no_authorization()
        .respond_with(|_| Reply::ok(json!({ "version": "v2" })))
        .mount(&server)
        .await;
    let status = reqwest::get(format!("{}/api/version", server.uri()))
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, VIOLATION_STATUS);
    let violations = guard.take_violations().join("\n");
    assert!(
        violations.contains("the test's responder: get_version 200 response"),
        "{violations}"
    );
}

#[tokio::test]
#[should_panic(expected = "contract get_version: 1 violation(s)")]
async fn a_guard_holding_violations_panics_on_drop() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_version")
        .no_authorization()
        .respond(Reply::ok(json!("v2.3.1")))
        .mount(&server)
        .await;
    let http = reqwest::Client::new();
    http.get(format!("{}/api/version", server.uri()))
        .bearer_auth("x")
        .send()
        .await
        .unwrap();
    drop(guard);
}

#[tokio::test]
async fn a_missing_required_field_is_named_by_its_pointer() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_team")
        .any_authorization()
        .respond(Reply::ok(team("t").envelope()))
        .mount(&server)
        .await;
    let status = reqwest::Client::new()
        .post(format!("{}/api/governance/teams", server.uri()))
        .json(&json!({ "budgets": [{ "max_limit": 5 }] }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, VIOLATION_STATUS);
    let violations = guard.take_violations().join("\n");
    for needle in [
        "body /name: a required field is missing",
        "body /budgets/0/reset_duration: a required field is missing",
    ] {
        assert!(
            violations.contains(needle),
            "missing {needle:?} in:\n{violations}"
        );
    }
}

#[tokio::test]
async fn observers_hear_of_answered_requests_only() {
    let server = MockServer::start().await;
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = heard.clone();
    let guard = contract::expect("get_team")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(team("t").envelope()))
        .on_answered(move |op| sink.lock().unwrap().push(op.to_string()))
        .mount(&server)
        .await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/governance/teams/t", server.uri());
    let ok = http
        .get(&url)
        .header("authorization", AUTHORIZATION)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let off = http.get(&url).send().await.unwrap();
    assert_eq!(off.status().as_u16(), VIOLATION_STATUS);
    assert_eq!(guard.take_violations().len(), 1);
    assert_eq!(*heard.lock().unwrap(), ["get_team"]);
    assert_eq!(guard.request_count(), 2);
}

#[tokio::test]
async fn reply_error_is_bifrosts_envelope() {
    let server = MockServer::start().await;
    let _guard = contract::expect("get_virtual_key")
        .no_authorization()
        .respond(Reply::error(404, "Virtual key not found"))
        .mount(&server)
        .await;
    let response = reqwest::get(format!("{}/api/governance/virtual-keys/vk-9", server.uri()))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Virtual key not found");
    assert_eq!(body["status_code"], 404);
    assert_eq!(body["is_bifrost_error"], false);
}

#[tokio::test]
async fn sequences_repeat_their_last_reply_and_requests_are_recorded_in_order() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_teams")
        .any_authorization()
        .respond_seq([
            Reply::error(503, "warming up"),
            Reply::ok(json!({ "teams": [team("a")] })),
        ])
        .mount(&server)
        .await;
    let mut statuses = Vec::new();
    for offset in 0..3 {
        let url = format!("{}/api/governance/teams?offset={offset}", server.uri());
        statuses.push(reqwest::get(&url).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [503, 200, 200]);
    let offsets: Vec<Option<i64>> = guard
        .requests()
        .iter()
        .map(|r| r.query_i64("offset"))
        .collect();
    assert_eq!(offsets, [Some(0), Some(1), Some(2)]);
    assert_eq!(guard.requests()[2].index, 2);
}

#[test]
#[should_panic(expected = "get_team has no path parameter \"vk_id\"")]
fn pinning_an_undeclared_path_parameter_fails_the_test() {
    let _ = contract::expect("get_team").path_param("vk_id", "x");
}

/// Test logs end up in CI: neither a reply nor a recorded request prints a key
/// value or the credential in `Debug`.
#[tokio::test]
async fn debug_output_masks_key_values_and_credentials() {
    let value = "sk-bf-0a9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
    let server = MockServer::start().await;
    let reply = Reply::ok(json!({ "virtual_key": { "id": "vk-1", "name": "k", "value": value } }));
    let reply_debug = format!("{reply:?}");
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(reply)
        .mount(&server)
        .await;
    reqwest::Client::new()
        .post(format!("{}/api/governance/virtual-keys", server.uri()))
        .header("authorization", AUTHORIZATION)
        .json(&json!({ "name": "k", "description": value }))
        .send()
        .await
        .unwrap();
    let seen_debug = format!("{:?}", guard.requests());

    for (what, text) in [("reply", &reply_debug), ("request", &seen_debug)] {
        assert!(!text.contains("0a9e8d7c"), "{what}: {text}");
        assert!(!text.contains("test-key"), "{what}: {text}");
        assert!(text.contains("<redacted>"), "{what}: {text}");
    }
    assert!(
        seen_debug.contains("/api/governance/virtual-keys"),
        "{seen_debug}"
    );
}
