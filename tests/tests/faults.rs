//! Fault matrix: how the SDK behaves when the server or the network misbehaves.
//! Each test asserts the outcome and how many requests the server saw. The 401, 404
//! and 409 answers, and a 404 after a retry, are run over every resource in
//! contract_resource_shapes.rs.

use std::time::{Duration, Instant};

use bifrost_governance::{Client, Error, RetryConfig};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{
    AUTHORIZATION, RawAction, RawServer, accessors, client, fast_retry, refused_url,
};
use bifrost_governance_wiremock::fixtures::{bifrost_error, team};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

fn team_ok() -> Reply {
    Reply::ok(json!({ "team": team("team-1").name("platform") }))
}

fn unavailable(status: u16) -> Reply {
    Reply::json(status, bifrost_error(status, "upstream unavailable"))
}

async fn mock(server: &MockServer, operation: &str, replies: Vec<Reply>) -> ContractGuard {
    contract::expect(operation)
        .authorization(AUTHORIZATION)
        .respond_seq(replies)
        .mount(server)
        .await
}

// ------------------------------------------------------------------ retries

#[tokio::test]
async fn rate_limited_get_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "get_team",
        vec![unavailable(429).header("Retry-After", "1"), team_ok()],
    )
    .await;
    // A backoff cap far below the server's Retry-After: the server's delay wins.
    let capped = Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(fast_retry().max_backoff(Duration::from_millis(50)))
        .build()
        .unwrap();

    let got = capped.teams().get("team-1").await.unwrap();

    assert_eq!(got.id, "team-1");
    let requests = guard.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at.duration_since(requests[0].at);
    assert!(
        waited >= Duration::from_secs(1),
        "retried after {waited:?}, before Retry-After: 1"
    );
}

#[tokio::test]
async fn get_succeeds_on_the_third_attempt_after_two_503s() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "get_team",
        vec![unavailable(503), unavailable(503), team_ok()],
    )
    .await;

    let got = client(&server.uri()).teams().get("team-1").await.unwrap();

    assert_eq!(got.name, "platform");
    assert_eq!(guard.request_count(), 3);
}

#[tokio::test]
async fn retries_stop_after_max_attempts_with_the_last_error() {
    let server = MockServer::start().await;
    let guard = mock(&server, "get_team", vec![unavailable(429)]).await;

    let err = client(&server.uri())
        .teams()
        .get("team-1")
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(guard.request_count(), 3, "default max_attempts is 3");
}

#[tokio::test]
async fn a_retry_after_beyond_max_elapsed_is_not_waited_for() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "get_team",
        vec![unavailable(503).header("Retry-After", "30"), team_ok()],
    )
    .await;
    let impatient = Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(fast_retry().max_elapsed(Duration::from_millis(500)))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = impatient.teams().get("team-1").await.unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn put_is_retried_on_502() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "update_team",
        vec![
            unavailable(502),
            Reply::ok(json!({ "team": team("team-1").name("renamed") })),
        ],
    )
    .await;

    let updated = client(&server.uri())
        .teams()
        .update("team-1")
        .set_name("renamed")
        .send()
        .await
        .unwrap();

    assert_eq!(updated.name, "renamed");
    let bodies = guard.bodies();
    assert_eq!(
        bodies,
        vec![json!({ "name": "renamed" }); 2],
        "the retry resends the same body"
    );
}

#[tokio::test]
async fn server_error_on_create_is_one_request_and_keeps_status_message_and_body() {
    let server = MockServer::start().await;
    let body = json!({
        "event_id": "evt-500",
        "is_bifrost_error": false,
        "status_code": 500,
        "error": { "message": "failed to create team" },
        "extra_fields": {}
    });
    let guard = mock(&server, "create_team", vec![Reply::json(500, body.clone())]).await;

    let err = client(&server.uri())
        .teams()
        .create("platform")
        .send()
        .await
        .unwrap_err();

    let api = err
        .as_api()
        .unwrap_or_else(|| panic!("expected Error::Api, got {err:?}"));
    assert_eq!(api.status.as_u16(), 500);
    assert_eq!(api.message, "failed to create team");
    assert_eq!(api.event_id.as_deref(), Some("evt-500"));
    assert_eq!(api.operation, "create_team");
    assert_eq!(
        api.body.as_ref(),
        serde_json::to_vec(&body).unwrap().as_slice()
    );
    assert!(!err.is_retryable());
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn service_unavailable_on_create_is_not_retried() {
    let server = MockServer::start().await;
    let guard = mock(&server, "create_team", vec![unavailable(503), team_ok()]).await;

    let err = client(&server.uri())
        .teams()
        .create("platform")
        .send()
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(
        err.is_retryable(),
        "retryable by the caller, but not by the SDK for a POST"
    );
    assert_eq!(guard.request_count(), 1);
}

// ------------------------------------------------------------------ connections

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let url = refused_url().await;

    let err = client(&url).teams().get("team-1").await.unwrap_err();

    match &err {
        Error::Transport {
            operation, message, ..
        } => {
            assert_eq!(*operation, "get_team");
            assert!(message.to_lowercase().contains("refused"), "{message}");
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn a_create_whose_connection_was_refused_is_retried() {
    // Nothing listens at first; a server appears on the same port 250 ms later, well
    // inside the backoff before the second attempt (500..=1000 ms).
    let url = refused_url().await;
    let address: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let patient = Client::builder()
        .base_url(&url)
        .api_key("test-key")
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_secs(1))
                .max_attempts(2),
        )
        .build()
        .unwrap();

    let started = Instant::now();
    let (created, guard) = tokio::join!(patient.teams().create("platform").send(), async {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let listener = std::net::TcpListener::bind(address).expect("re-bind the freed port");
        let server = MockServer::builder().listener(listener).start().await;
        let guard = mock(&server, "create_team", vec![team_ok()]).await;
        (server, guard)
    });

    assert_eq!(created.unwrap().id, "team-1");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "the success came from a retry"
    );
    assert_eq!(
        guard.1.request_count(),
        1,
        "the refused attempt never reached a server"
    );
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_error_timeout() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "get_team",
        vec![team_ok().delay(Duration::from_secs(3))],
    )
    .await;
    let hasty = Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(fast_retry())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = hasty.teams().get("team-1").await.unwrap_err();

    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "get_team",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(accessors(&err), ["timeout", "retryable"]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        guard.request_count(),
        1,
        "a timed-out attempt is not retried"
    );
}

/// The start of a team answer, cut off inside a string.
const CUT_OFF_JSON: &str = r#"{"team":{"id":"team-1","na"#;

/// A response head with `Content-Type: application/json` and `Connection: close`.
fn head(status: &str, framing: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{framing}Connection: close\r\n\r\n"
    )
}

/// Responses whose framing promises more body than arrives before the connection
/// closes. The client knows the body is incomplete, so this is the connection's
/// failure, whatever the status: reading the body fails (hyper's "end of file
/// before message length reached") before any JSON is decoded.
#[tokio::test]
async fn a_body_cut_off_mid_json_is_a_transport_error() {
    for (what, response) in [
        (
            "a Content-Length beyond what arrives",
            format!(
                "{}{CUT_OFF_JSON}",
                head("200 OK", "Content-Length: 400\r\n")
            ),
        ),
        (
            "a chunk cut short",
            format!(
                "{}40\r\n{CUT_OFF_JSON}",
                head("200 OK", "Transfer-Encoding: chunked\r\n")
            ),
        ),
        (
            "an error body cut short",
            format!(
                "{}{CUT_OFF_JSON}",
                head("500 Internal Server Error", "Content-Length: 400\r\n")
            ),
        ),
    ] {
        let server = RawServer::start(vec![RawAction::Write(response.into_bytes())]).await;

        let err = client(server.url())
            .teams()
            .get("team-1")
            .await
            .unwrap_err();

        match &err {
            Error::Transport {
                operation, message, ..
            } => {
                assert_eq!(*operation, "get_team", "{what}");
                // The cause is kept; reqwest's "error decoding response body" is not.
                let cause = message.strip_prefix("reading the response body failed: ");
                assert!(
                    cause.is_some_and(|c| !c.is_empty() && !c.contains("decoding")),
                    "{what}: {message}"
                );
            }
            other => panic!("{what}: expected Error::Transport, got {other:?}"),
        }
        assert_eq!(accessors(&err), ["retryable"], "{what}");
        assert_eq!(err.status(), None, "{what}");
        assert_eq!(
            server.requests(),
            vec!["GET /api/governance/teams/team-1 HTTP/1.1"],
            "{what}"
        );
    }
}

/// Without a length or chunks, HTTP/1.1 ends a body where the connection ends: the
/// body is complete as far as the client can know, so JSON that stops short there
/// is the server's bad answer, an `Error::Decode`.
#[tokio::test]
async fn a_body_without_a_length_ends_with_the_connection_and_short_json_is_a_decode_error() {
    let server = RawServer::start(vec![RawAction::Write(
        format!("{}{CUT_OFF_JSON}", head("200 OK", "")).into_bytes(),
    )])
    .await;

    let err = client(server.url())
        .teams()
        .get("team-1")
        .await
        .unwrap_err();

    match &err {
        Error::Decode {
            operation,
            status,
            message,
            ..
        } => {
            assert_eq!((*operation, status.as_u16()), ("get_team", 200));
            assert!(message.contains("EOF"), "{message}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(
        server.requests(),
        vec!["GET /api/governance/teams/team-1 HTTP/1.1"]
    );
}

#[tokio::test]
async fn a_dropped_delete_is_retried_and_a_404_then_counts_as_success() {
    let server = RawServer::start(vec![
        RawAction::Close,
        RawAction::json(
            404,
            "Not Found",
            &bifrost_error(404, "Team not found").build(),
        ),
    ])
    .await;

    client(server.url()).teams().delete("team-1").await.unwrap();

    assert_eq!(
        server.requests(),
        vec!["DELETE /api/governance/teams/team-1 HTTP/1.1"; 2]
    );
}

#[tokio::test]
async fn a_dropped_create_is_not_retried() {
    let server = RawServer::start(vec![
        RawAction::Close,
        RawAction::json(
            200,
            "OK",
            &json!({ "team": team("team-1").name("platform") }),
        ),
    ])
    .await;

    let err = client(server.url())
        .teams()
        .create("platform")
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                operation: "create_team",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        server.requests(),
        vec!["POST /api/governance/teams HTTP/1.1"],
        "the POST may have been applied"
    );
}

// ------------------------------------------------------------------ bodies that are not the happy path

#[tokio::test]
async fn an_html_page_with_200_is_unexpected_content_type() {
    let server = MockServer::start().await;
    let page = "<!doctype html><html><head><title>Bifrost</title></head><body></body></html>";
    let guard = mock(
        &server,
        "get_team",
        vec![Reply::raw(
            ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"),
        )],
    )
    .await;

    let err = client(&server.uri())
        .teams()
        .get("team-1")
        .await
        .unwrap_err();

    match &err {
        Error::UnexpectedContentType {
            operation,
            status,
            content_type,
            excerpt,
        } => {
            assert_eq!(*operation, "get_team");
            assert_eq!(status.as_u16(), 200);
            assert!(content_type.starts_with("text/html"), "{content_type}");
            assert!(excerpt.contains("doctype"), "{excerpt}");
        }
        other => panic!("expected Error::UnexpectedContentType, got {other:?}"),
    }
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn plain_text_405_is_an_api_error_with_the_text_as_message() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "update_team",
        vec![Reply::raw(ResponseTemplate::new(405).set_body_raw(
            "Method Not Allowed",
            "text/plain; charset=utf-8",
        ))],
    )
    .await;

    let err = client(&server.uri())
        .teams()
        .update("team-1")
        .set_name("x")
        .send()
        .await
        .unwrap_err();

    let api = err
        .as_api()
        .unwrap_or_else(|| panic!("expected Error::Api, got {err:?}"));
    assert_eq!(api.status.as_u16(), 405);
    assert_eq!(api.message, "Method Not Allowed");
    assert_eq!(api.body.as_ref(), b"Method Not Allowed");
    assert!(!err.is_retryable());
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn a_429_keeps_retry_after_and_the_response_headers_but_not_set_cookie() {
    let server = MockServer::start().await;
    let guard = mock(
        &server,
        "get_team",
        vec![
            unavailable(429)
                .header("Retry-After", "7")
                .header("X-Request-Id", "req-9")
                .header("Set-Cookie", "session=COOKIE-SECRET"),
        ],
    )
    .await;
    let once = Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();

    let err = once.teams().get("team-1").await.unwrap_err();

    assert_eq!(accessors(&err), ["rate_limited", "retryable"], "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    let api = err.as_api().unwrap();
    assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
    assert_eq!(
        api.headers.get("x-request-id").map(|v| v.as_bytes()),
        Some(&b"req-9"[..])
    );
    assert!(api.headers.get("set-cookie").is_none());
    assert!(!format!("{err:?} {err:#?}").contains("COOKIE-SECRET"));
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_becomes_a_duration() {
    let server = MockServer::start().await;
    let at = httpdate_in(120);
    let _guard = mock(
        &server,
        "get_team",
        vec![unavailable(503).header("Retry-After", &at)],
    )
    .await;
    let once = Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();

    let err = once.teams().get("team-1").await.unwrap_err();

    assert_eq!(accessors(&err), ["server_error", "retryable"], "{err:?}");
    let wait = err.retry_after().expect("a Retry-After");
    assert!(
        wait > Duration::from_secs(60) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
}

/// An HTTP date `seconds` from now, as a server writes `Retry-After`.
fn httpdate_in(seconds: u64) -> String {
    let at = chrono::Utc::now() + chrono::Duration::seconds(seconds as i64);
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[tokio::test]
async fn a_500_is_a_server_error_that_is_not_retried() {
    let server = MockServer::start().await;
    let guard = mock(&server, "get_team", vec![unavailable(500)]).await;

    let err = client(&server.uri())
        .teams()
        .get("team-1")
        .await
        .unwrap_err();

    assert_eq!(accessors(&err), ["server_error"], "{err:?}");
    assert_eq!(err.retry_after(), None);
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn a_400_keeps_the_message_of_every_error_body_form() {
    for body in [
        json!({ "error": "bad" }),
        json!({ "message": "bad" }),
        json!({ "error": { "message": "bad" } }),
        json!({ "error": { "error": "bad" } }),
        json!("bad"),
    ] {
        let server = MockServer::start().await;
        // Deliberately off-spec (hence raw): bodies of proxies and older servers.
        let _guard = mock(
            &server,
            "create_team",
            vec![Reply::raw(ResponseTemplate::new(400).set_body_json(&body))],
        )
        .await;

        let err = client(&server.uri())
            .teams()
            .create("platform")
            .send()
            .await
            .unwrap_err();

        assert_eq!(accessors(&err), ["bad_request"], "{body}: {err:?}");
        assert_eq!(err.as_api().unwrap().message, "bad", "{body}");
        assert_eq!(
            err.to_string(),
            "create_team: server answered 400 Bad Request: bad"
        );
    }
}

#[tokio::test]
async fn bifrost_error_400_is_bad_request_with_every_envelope_field() {
    let server = MockServer::start().await;
    let body = json!({
        "event_id": "evt-400",
        "type": "outer",
        "is_bifrost_error": false,
        "status_code": 400,
        "error": { "message": "Invalid rate limit: request_max_limit needs request_reset_duration", "type": "validation", "code": "E_RATE" },
        "extra_fields": {}
    });
    let guard = mock(&server, "create_team", vec![Reply::json(400, body)]).await;

    let err = client(&server.uri())
        .teams()
        .create("platform")
        .send()
        .await
        .unwrap_err();

    assert_eq!(accessors(&err), ["bad_request"], "{err:?}");
    let api = err.as_api().unwrap();
    assert_eq!(
        api.message,
        "Invalid rate limit: request_max_limit needs request_reset_duration"
    );
    assert_eq!(api.error_type.as_deref(), Some("validation"));
    assert_eq!(api.code.as_deref(), Some("E_RATE"));
    assert_eq!(api.event_id.as_deref(), Some("evt-400"));
    assert_eq!(guard.request_count(), 1);
}
