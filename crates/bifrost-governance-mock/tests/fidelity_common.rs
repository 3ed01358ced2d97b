//! Fidelity of the mechanics every route shares: the version route, unknown
//! routes and the error envelope (FIDELITY.md, "Common mechanics").

mod common;

use bifrost_governance_mock::MockServer;
use common::{BOTH, V1_5, V2, fake, go_string};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn com_version_is_a_bare_json_string() {
    for version in [V1_5, V2] {
        let (_server, api) = fake(version).await;
        let raw = api.raw(Method::GET, "/api/version", None).await;
        assert_eq!(raw.status, 200);
        assert!(raw.content_type.starts_with("application/json"));
        assert_eq!(raw.body, format!("{}\n", go_string(version)));
    }
}

#[tokio::test]
async fn com_unknown_routes_are_404_with_the_path() {
    for version in [V1_5, V2] {
        let (_server, api) = fake(version).await;
        let raw = api
            .raw(Method::GET, "/api/governance/no-such-thing", None)
            .await;
        raw.assert_error(404, "Route not found: /api/governance/no-such-thing");
    }
}

#[tokio::test]
async fn com_unregistered_method_is_405_plain_text() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api.raw(Method::PATCH, "/api/governance/teams", None).await;
        assert_eq!(raw.status, 405);
        assert!(
            raw.content_type.starts_with("text/plain"),
            "{}",
            raw.content_type
        );
        assert_eq!(raw.body, "Method Not Allowed");
    }
}

#[tokio::test]
async fn com_malformed_bodies_are_invalid_json() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for body in ["{", "[]", "\"text\"", "{} {}", ""] {
            let raw = api
                .raw(Method::POST, "/api/governance/teams", Some(body))
                .await;
            raw.assert_error(400, "Invalid JSON");
        }
    }
}

#[tokio::test]
async fn com_null_body_is_the_zero_request() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api
            .raw(Method::POST, "/api/governance/teams", Some("null"))
            .await;
        raw.assert_error(400, "Team name is required");
    }
}

#[tokio::test]
async fn com_wrong_field_types_are_invalid_json() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api
            .send(
                Method::POST,
                "/api/governance/virtual-keys",
                json!({"name": "k", "budgets": [{"max_limit": "10", "reset_duration": "1d"}]}),
            )
            .await;
        raw.assert_error(400, "Invalid JSON");
        let raw = api
            .send(Method::POST, "/api/governance/teams", json!({"name": 5}))
            .await;
        raw.assert_error(400, "Invalid JSON");
    }
}

#[tokio::test]
async fn com_unknown_members_are_ignored_and_null_is_zero() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api
            .send(
                Method::POST,
                "/api/governance/teams",
                json!({"name": null, "no_such_field": [1, 2]}),
            )
            .await;
        raw.assert_error(400, "Team name is required");
        let raw = api
            .send(
                Method::POST,
                "/api/governance/teams",
                json!({"name": "t", "no_such_field": {"a": 1}}),
            )
            .await;
        assert_eq!(raw.expect(200)["team"]["name"], "t");
    }
}

#[tokio::test]
async fn com_admin_key_guards_all_but_version_and_quota() {
    for version in BOTH {
        let server = MockServer::builder()
            .version(version)
            .api_key("s3cret")
            .start()
            .await;
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{}{path}", server.base_url());
        let response = client
            .get(url("/api/governance/teams"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let body = response.text().await.unwrap();
        assert!(body.contains("\"message\":\"Unauthorized\""), "{body}");
        let response = client
            .get(url("/api/governance/teams"))
            .bearer_auth("s3cret")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let response = client.get(url("/api/version")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let response = client
            .get(url("/api/governance/virtual-keys/quota"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "the quota answers for itself");
        let body = response.text().await.unwrap();
        assert!(body.contains("Missing virtual key"), "{body}");
    }
}

#[tokio::test]
async fn com_version_with_a_query_needs_the_key() {
    for version in BOTH {
        let server = MockServer::builder()
            .version(version)
            .api_key("s3cret")
            .start()
            .await;
        let response = reqwest::get(format!("{}/api/version?x=1", server.base_url()))
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
}

#[tokio::test]
async fn com_bodies_are_html_escaped_with_a_newline() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api
            .send(
                Method::POST,
                "/api/governance/teams",
                json!({"name": "R&D <eu>"}),
            )
            .await;
        assert_eq!(raw.status, 200);
        assert!(
            raw.body.contains(r#""name":"R\u0026D \u003ceu\u003e""#),
            "{}",
            raw.body
        );
        assert!(raw.body.ends_with("}\n"));
    }
}
