//! Fidelity of the mechanics every route shares: the version route, unknown
//! routes and the error envelope (FIDELITY.md, "Common mechanics").

mod common;

use common::{V1_5, V2, fake, go_string};
use reqwest::Method;

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
