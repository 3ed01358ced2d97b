//! Contract tests of `get_version` through `Client::server_version`.

use bifrost_governance::Client;
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{client, fast_retry};
use serde_json::json;
use wiremock::MockServer;

#[tokio::test]
async fn server_version_decodes_the_bare_json_string() {
    let server = MockServer::start().await;
    // The route needs no credentials (`security: []`): the client's stay home.
    let guard = contract::expect("get_version")
        .no_authorization()
        .no_query("limit")
        .respond(Reply::ok(json!("v2.3.1")))
        .mount(&server)
        .await;

    let version = client(&server.uri()).server_version().await.unwrap();

    assert_eq!(version.as_str(), "v2.3.1");
    assert_eq!(version.numbers(), Some((2, 3, 1)));
    assert!(version.is_at_least(2, 0, 0));
    assert_eq!(guard.request_count(), 1);
    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn server_version_without_credentials_sends_no_authorization() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_version")
        .no_authorization()
        .respond(Reply::ok(json!("v1.5.2")))
        .mount(&server)
        .await;

    let anonymous = Client::builder()
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .unwrap();
    let version = anonymous.server_version().await.unwrap();

    assert_eq!(version.numbers(), Some((1, 5, 2)));
    assert!(!version.is_at_least(2, 0, 0));
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn server_version_keeps_an_unparsable_development_build() {
    let server = MockServer::start().await;
    let _guard = contract::expect("get_version")
        .no_authorization()
        .respond(Reply::ok(json!("dev-build")))
        .mount(&server)
        .await;

    let version = client(&server.uri()).server_version().await.unwrap();

    assert_eq!(version.as_str(), "dev-build");
    assert_eq!(version.numbers(), None);
    assert!(
        version.is_at_least(2, 0, 0),
        "a development build counts as the newest"
    );
}
