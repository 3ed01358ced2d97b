//! Test support for the workspace: contract tests driven by `openapi.yaml`.
//!
//! * [`spec`]: the spec loaded once ([`spec::spec`]), its operations
//!   ([`spec::operation_ids`] is the list contract coverage is measured against), and
//!   OpenAPI 3.0 → draft-7 JSON Schema conversion with cached `jsonschema` validators.
//! * [`contract`]: [`contract::expect`]`("operationId")` builds a wiremock mock that
//!   matches the operation's method and path template, checks the `Authorization`
//!   header, query and path parameters and the JSON request body against the spec,
//!   validates the canned response against the response schema, and reports every
//!   violation to the test (599 answer + a panicking [`contract::ContractGuard`]).
//! * [`support`]: a client wired to a mock, JSON builders, a [`support::Paginator`]
//!   that pages like Bifrost, and a scripted [`support::RawServer`] for broken
//!   connections and truncated bodies.
//!
//! * [`hits`]: the operations the mocks answered, written per test binary for the
//!   coverage gate.
//!
//! Contract tests live in `tests/tests/contract_*.rs`; `tests/tests/coverage.rs`
//! lists the operations none of them exercised in the run.
#![deny(missing_docs)]

pub mod contract;
pub mod hits;
pub mod spec;
pub mod support;

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wiremock::MockServer;

    use crate::contract::{self, Reply, VIOLATION_STATUS};
    use crate::support::{AUTHORIZATION, team};

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
            .respond(Reply::json(201, json!({ "team": team("t", "n") })));
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
            .respond(Reply::ok(json!({ "team": team("t", "n") })))
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
}
