//! Default headers and request hooks, as the server sees them: per-attempt headers,
//! token refresh, metrics of every attempt, typed hook failures, and operations that
//! must not carry credentials.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use bifrost_governance::hook::{AUTHORIZATION, HeaderMap, HeaderValue, Method};
use bifrost_governance::{
    Attempt, AttemptErrorKind, AttemptOutcome, Client, Error, HookError, HookFuture, RequestHook,
    SecretString,
};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION as ADMIN, fast_retry, refused_url};
use bifrost_governance_wiremock::fixtures::{bifrost_error, team};
use serde_json::json;
use wiremock::MockServer;

fn team_ok() -> Reply {
    Reply::ok(json!({ "team": team("team-1").name("platform") }))
}

fn unavailable() -> Reply {
    Reply::json(503, bifrost_error(503, "upstream unavailable"))
}

fn builder(base_url: &str) -> bifrost_governance::ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .api_key("test-key")
        .retry(fast_retry())
}

/// Sets `x-request-id: <operation>-<attempt>` on every attempt.
struct RequestId;

impl RequestHook for RequestId {
    fn on_request<'a>(
        &'a self,
        attempt: &'a Attempt,
        headers: &'a mut HeaderMap,
    ) -> HookFuture<'a> {
        Box::pin(async move {
            let id = format!("{}-{}", attempt.operation, attempt.attempt);
            headers.insert("x-request-id", HeaderValue::from_str(&id).unwrap());
            Ok(())
        })
    }
}

/// Hands out `Bearer token-1`, `token-2`, … one per attempt, fetched asynchronously.
#[derive(Default)]
struct FreshToken(AtomicU32);

impl RequestHook for FreshToken {
    fn on_request<'a>(&'a self, _: &'a Attempt, headers: &'a mut HeaderMap) -> HookFuture<'a> {
        Box::pin(async move {
            tokio::task::yield_now().await; // a token service would be awaited here
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            let value = HeaderValue::from_str(&format!("Bearer token-{n}"))
                .map_err(|e| HookError::with_source("bad token", e))?;
            headers.insert(AUTHORIZATION, value);
            Ok(())
        })
    }
}

/// Keeps every outcome, as a metrics exporter would count them.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<AttemptOutcome>>>);

impl RequestHook for Recorder {
    fn on_outcome(&self, outcome: &AttemptOutcome) {
        self.0.lock().unwrap().push(outcome.clone());
    }
}

/// Fails every attempt.
struct Vault;

impl RequestHook for Vault {
    fn on_request<'a>(&'a self, _: &'a Attempt, _: &'a mut HeaderMap) -> HookFuture<'a> {
        Box::pin(async {
            Err(HookError::with_source(
                "vault unreachable",
                std::io::Error::other("connection refused"),
            ))
        })
    }
}

fn header_values(requests: &[wiremock::Request], name: &str) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            r.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn each_attempt_carries_its_own_request_id_and_the_default_headers() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_team")
        .authorization(ADMIN)
        .respond_seq([unavailable(), team_ok()])
        .mount(&server)
        .await;
    let mut more = HeaderMap::new();
    more.append("x-feature", HeaderValue::from_static("a"));
    more.append("x-feature", HeaderValue::from_static("b"));
    let c = builder(&server.uri())
        .default_header("x-tenant", "acme")
        .default_header("x-feature", "replaced")
        .default_headers(more)
        .default_header("authorization", "Bearer overridden-by-api-key")
        .hook(RequestId)
        .build()
        .unwrap();

    c.teams().get("team-1").await.unwrap();

    assert_eq!(guard.request_count(), 2);
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        header_values(&received, "x-request-id"),
        ["get_team-1", "get_team-2"]
    );
    assert_eq!(header_values(&received, "x-tenant"), ["acme", "acme"]);
    for request in &received {
        let features: Vec<_> = request.headers.get_all("x-feature").iter().collect();
        assert_eq!(features, ["a", "b"]);
    }
    assert_eq!(
        header_values(&received, "authorization"),
        [ADMIN, ADMIN],
        "the configured credentials win over a default Authorization"
    );
}

#[tokio::test]
async fn a_hook_sets_a_fresh_token_on_every_attempt_but_a_401_is_not_retried() {
    let server = MockServer::start().await;
    let bearer = |token: &str| wiremock::matchers::header("authorization", token);
    // token-1 is refused (expired), token-2 meets a passing outage, token-3 works.
    let expired = contract::expect("get_team")
        .any_authorization()
        .and(bearer("Bearer token-1"))
        .respond(Reply::json(401, bifrost_error(401, "token expired")))
        .mount(&server)
        .await;
    let outage = contract::expect("get_team")
        .any_authorization()
        .and(bearer("Bearer token-2"))
        .respond(unavailable())
        .mount(&server)
        .await;
    let fresh = contract::expect("get_team")
        .any_authorization()
        .and(bearer("Bearer token-3"))
        .respond(team_ok())
        .mount(&server)
        .await;
    let c = builder(&server.uri())
        .hook(FreshToken::default())
        .build()
        .unwrap();

    // A 401 ends the call: the SDK does not retry it, hence refreshes nothing itself.
    let err = c.teams().get("team-1").await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(expired.request_count(), 1);

    // The next call gets a new token per attempt, the retry included.
    c.teams().get("team-1").await.unwrap();
    assert_eq!(outage.request_count(), 1);
    assert_eq!(fresh.request_count(), 1);
}

#[tokio::test]
async fn the_observer_sees_every_attempt_of_503_503_200() {
    let server = MockServer::start().await;
    let _guard = contract::expect("get_team")
        .authorization(ADMIN)
        .respond_seq([unavailable(), unavailable(), team_ok()])
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let c = builder(&server.uri())
        .hook(recorder.clone())
        .build()
        .unwrap();

    c.teams().get("team-1").await.unwrap();

    let outcomes = recorder.0.lock().unwrap().clone();
    let seen: Vec<_> = outcomes
        .iter()
        .map(|o| {
            (
                o.attempt.attempt,
                o.status().map(|s| s.as_u16()),
                o.will_retry,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, Some(503), true),
            (2, Some(503), true),
            (3, Some(200), false)
        ]
    );
    for o in &outcomes {
        assert_eq!(o.attempt.operation, "get_team");
        assert_eq!(o.attempt.method, Method::GET);
        assert_eq!(o.attempt.path, "/api/governance/teams/{team_id}");
        assert!(o.attempt.authenticated);
    }
}

#[tokio::test]
async fn the_observer_sees_connection_failures_by_kind() {
    let recorder = Recorder::default();
    let c = builder(&refused_url().await)
        .hook(recorder.clone())
        .build()
        .unwrap();

    let err = c.teams().get("team-1").await.unwrap_err();

    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let outcomes = recorder.0.lock().unwrap().clone();
    let kinds: Vec<_> = outcomes.iter().map(|o| (o.result, o.will_retry)).collect();
    assert_eq!(
        kinds,
        [
            (Err(AttemptErrorKind::Connect), true),
            (Err(AttemptErrorKind::Connect), true),
            (Err(AttemptErrorKind::Connect), false)
        ]
    );
}

#[tokio::test]
async fn a_failing_hook_is_a_typed_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_team")
        .authorization(ADMIN)
        .respond(team_ok())
        .times(0)
        .mount(&server)
        .await;
    let c = builder(&server.uri()).hook(Vault).build().unwrap();

    let err = c.teams().get("team-1").await.unwrap_err();
    match &err {
        Error::Hook { operation, source } => {
            assert_eq!(*operation, "get_team");
            assert_eq!(source.message(), "vault unreachable");
        }
        other => panic!("expected Error::Hook, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "get_team: request hook failed: vault unreachable"
    );

    // Through the raw client the hook's error is the source of progenitor's error.
    let raw = c
        .raw()
        .get_team()
        .team_id("team-1")
        .send()
        .await
        .unwrap_err();
    let mut source = std::error::Error::source(&raw);
    let mut found = None;
    while let Some(inner) = source {
        if let Some(hook) = inner.downcast_ref::<HookError>() {
            found = Some(hook.message().to_string());
        }
        source = inner.source();
    }
    assert_eq!(found.as_deref(), Some("vault unreachable"), "{raw:#}");
    assert_eq!(guard.request_count(), 0);
}

#[tokio::test]
async fn quota_and_version_never_carry_authorization() {
    let server = MockServer::start().await;
    let quota = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .and(wiremock::matchers::header("x-bf-vk", "sk-bf-quota-value"))
        .respond(Reply::ok(json!({ "virtual_key_name": "checkout" })))
        .mount(&server)
        .await;
    let version = contract::expect("get_version")
        .no_authorization()
        .respond(Reply::ok(json!("v2.3.1")))
        .mount(&server)
        .await;
    let team = contract::expect("get_team")
        .authorization("Bearer token-3")
        .respond(team_ok())
        .mount(&server)
        .await;
    // Credentials from every source: the client's, a default header and a hook.
    let c = builder(&server.uri())
        .default_header("authorization", "Bearer default")
        .hook(FreshToken::default())
        .build()
        .unwrap();

    let usage = c
        .virtual_keys()
        .quota(&SecretString::from("sk-bf-quota-value"))
        .await
        .unwrap();
    c.server_version().await.unwrap();
    c.teams().get("team-1").await.unwrap();

    assert_eq!(usage.virtual_key_name.as_deref(), Some("checkout"));
    for guard in [&quota, &version, &team] {
        assert_eq!(guard.request_count(), 1);
        guard.assert_clean();
    }
}

#[tokio::test]
async fn an_invalid_default_header_fails_build_without_echoing_the_value() {
    let err = Client::builder()
        .default_header("x-api-key", "line\nbreak-SECRET")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        shown.contains("x-api-key") && !shown.contains("SECRET"),
        "{shown}"
    );

    let err = Client::builder()
        .default_header("bad header", "v")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
