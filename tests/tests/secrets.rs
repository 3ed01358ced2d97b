//! No secret ever reaches a log line or a formatted value.
//!
//! A full flow (create, get, list, customer read, rotate, quota, rotate_many, a 4xx,
//! a decode error, a timeout and a transport error) runs against spec-driven mocks
//! whose canned responses carry distinctive secrets: the admin API key, a secret
//! default header and a header a request hook adds, virtual-key
//! values (`sk-bf-…`), provider key values (object and plain forms), an MCP header
//! and an MCP connection string. Everything the process logs at TRACE level — the
//! SDK's `bifrost.request` spans, reqwest/hyper/wiremock events bridged from `log` —
//! is captured by a global subscriber into a buffer, and every returned value and
//! error is formatted with `{:?}`, `{:#?}` and `{}` (where Display exists, including
//! each error's source chain). None of the secrets may appear anywhere; the log must
//! be non-empty and carry the span fields, so the check cannot pass vacuously.
//!
//! The second test does the same for errors of the raw (generated) client, whose
//! `Display` prints response bodies: masked there by the SDK's executor.
//!
//! The subscriber is process-global: both tests write into the one buffer, and
//! each checks that no secret of either reached it.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bifrost_governance::hook::{HeaderMap, HeaderValue};
use bifrost_governance::{Attempt, Client, ClientBuilder, Error, HookFuture, RequestHook};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{fast_retry, refused_url};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use serde_json::{Value, json};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::util::SubscriberInitExt;
use wiremock::{MockServer, ResponseTemplate};

const ADMIN_KEY: &str = "bf-admin-SECRET-123";
const ADMIN_AUTHORIZATION: &str = "Bearer bf-admin-SECRET-123";
const VK_CREATED: &str = "sk-bf-CREATED-0001-SECRET";
const VK_ROTATED: &str = "sk-bf-ROTATED-0002-SECRET";
const VK_MANY: &str = "sk-bf-MANY-0003-SECRET";
const VK_CUSTOMER: &str = "sk-bf-CUSTOMER-0004-SECRET";
const VK_DECODE: &str = "sk-bf-DECODE-0005-SECRET";
const PROVIDER_KEY: &str = "sk-proj-PROVIDER-SECRET-42";
const AZURE_SECRET: &str = "azure-CLIENT-SECRET-77";
const MCP_HEADER: &str = "Bearer mcp-HEADER-SECRET-9";
const MCP_CONNECTION: &str = "postgres://svc:CONN-SECRET-5@db.internal/mcp";
const DEFAULT_HEADER: &str = "gateway-DEFAULT-SECRET-6";
const HOOK_HEADER: &str = "hook-TOKEN-SECRET-8";

/// Every secret the canned responses (and the client) carry.
const SECRETS: &[&str] = &[
    ADMIN_KEY,
    VK_CREATED,
    VK_ROTATED,
    VK_MANY,
    VK_CUSTOMER,
    VK_DECODE,
    PROVIDER_KEY,
    AZURE_SECRET,
    MCP_HEADER,
    MCP_CONNECTION,
    DEFAULT_HEADER,
    HOOK_HEADER,
];

/// The buffer a process-global TRACE subscriber writes every event and span into
/// (`log` records included, through the `tracing-log` bridge `try_init` installs).
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_writer(move || Sink(sink.clone()))
            .finish()
            .try_init()
            .expect("the only global subscriber of this test binary");
        buffer
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A key as the server returns it, with a provider key (object form, plus a plain
/// Azure secret) and an MCP client with a header and a connection string.
fn key(id: &str, value: &str) -> Value {
    json!({
        "id": id,
        "name": "checkout",
        "value": value,
        "team_id": "team-1",
        "is_active": true,
        "provider_configs": [{
            "id": 7,
            "provider": "openai",
            "allowed_models": ["*"],
            "allow_all_keys": false,
            "keys": [{
                "id": 1,
                "key_id": "key-a",
                "name": "main",
                "value": { "value": PROVIDER_KEY, "env_var": "", "from_env": false },
                "azure_client_secret": AZURE_SECRET
            }]
        }],
        "mcp_configs": [{
            "id": 3,
            "mcp_client": {
                "id": 9,
                "name": "github",
                "headers": { "Authorization": MCP_HEADER },
                "connection_string": { "value": MCP_CONNECTION, "from_env": false }
            },
            "tools_to_execute": ["*"]
        }]
    })
}

/// Adds a secret header of its own on every attempt.
struct GatewayToken;

impl RequestHook for GatewayToken {
    fn on_request<'a>(&'a self, _: &'a Attempt, headers: &'a mut HeaderMap) -> HookFuture<'a> {
        headers.insert("x-gateway-token", HeaderValue::from_static(HOOK_HEADER));
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The client of the flow: admin key, a secret default header and a hook adding
/// another secret header.
fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .api_key(ADMIN_KEY)
        .default_header("x-api-key", DEFAULT_HEADER)
        .hook(GatewayToken)
        .retry(fast_retry())
        .timeout(Duration::from_millis(500))
}

fn client(base_url: &str) -> Client {
    builder(base_url).build().expect("client")
}

/// Formats a value every way a caller might print it.
macro_rules! show {
    ($shown:expr, debug $value:expr) => {{
        $shown.push(format!("{:?}", $value));
        $shown.push(format!("{:#?}", $value));
    }};
    ($shown:expr, both $value:expr) => {{
        $shown.push(format!("{}", $value));
        $shown.push(format!("{:#}", $value));
        show!($shown, debug $value);
    }};
}

/// An error with its whole source chain, as `anyhow` or a log line would print it.
fn show_error(shown: &mut Vec<String>, err: &Error) {
    show!(shown, both err);
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        show!(shown, both inner);
        source = inner.source();
    }
}

#[tokio::test]
async fn a_full_flow_leaks_no_secret_into_logs_or_formatted_values() {
    let log = captured_log();
    let server = MockServer::start().await;
    let mut shown: Vec<String> = Vec::new();
    let mut mocks = Vec::new();

    mocks.push(
        contract::expect("get_version")
            .no_authorization()
            .respond(Reply::ok(json!("v2.3.1")))
            .mount(&server)
            .await,
    );
    let create = contract::expect("create_virtual_key")
        .authorization(ADMIN_AUTHORIZATION)
        .respond(Reply::ok(json!({ "message": "Virtual key created successfully", "virtual_key": key("vk-1", VK_CREATED) })))
        .mount(&server)
        .await;
    mocks.push(
        contract::expect("get_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .path_param("vk_id", "vk-1")
            .respond(Reply::ok(json!({ "virtual_key": key("vk-1", VK_CREATED) })))
            .mount(&server)
            .await,
    );
    mocks.push(
        contract::expect("get_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .path_param("vk_id", "vk-gone")
            .and(wiremock::matchers::path(
                "/api/governance/virtual-keys/vk-gone",
            ))
            .respond(Reply::json(
                404,
                bifrost_error(404, &format!("virtual key {VK_CREATED} not found")),
            ))
            .priority(1)
            .mount(&server)
            .await,
    );
    // Deliberately off-spec (hence raw): a secret in a field of the wrong type, so
    // the decoder's message would quote it.
    mocks.push(
        contract::expect("get_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .path_param("vk_id", "vk-bad")
            .and(wiremock::matchers::path("/api/governance/virtual-keys/vk-bad"))
            .respond(Reply::raw(ResponseTemplate::new(200).set_body_json(json!({
                "virtual_key": {
                    "id": "vk-bad",
                    "name": "bad",
                    "value": VK_DECODE,
                    "is_active": VK_DECODE,
                    "provider_configs": [{ "keys": [{ "value": PROVIDER_KEY, "weight": PROVIDER_KEY }] }]
                }
            }))))
            .priority(1)
            .mount(&server)
            .await,
    );
    mocks.push(
        contract::expect("get_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .path_param("vk_id", "vk-slow")
            .and(wiremock::matchers::path(
                "/api/governance/virtual-keys/vk-slow",
            ))
            .respond(
                Reply::ok(json!({ "virtual_key": key("vk-slow", VK_CREATED) }))
                    .delay(Duration::from_secs(2)),
            )
            .priority(1)
            .mount(&server)
            .await,
    );
    mocks.push(
        contract::expect("list_virtual_keys")
            .authorization(ADMIN_AUTHORIZATION)
            .respond(Reply::ok(json!({
                "virtual_keys": [key("vk-1", VK_CREATED)],
                "count": 1, "total_count": 1, "limit": 100, "offset": 0
            })))
            .mount(&server)
            .await,
    );
    mocks.push(
        contract::expect("get_customer")
            .authorization(ADMIN_AUTHORIZATION)
            .respond(Reply::ok(json!({ "customer": {
                "id": "cust-1",
                "name": "Acme",
                "virtual_keys": [key("vk-9", VK_CUSTOMER)],
                "teams": [{ "id": "team-1", "name": "platform", "virtual_keys": [key("vk-9", VK_CUSTOMER)] }]
            }})))
            .mount(&server)
            .await,
    );
    mocks.push(
        contract::expect("update_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .respond(Reply::ok(json!({ "virtual_key": key("vk-1", VK_CREATED) })))
            .mount(&server)
            .await,
    );
    mocks.push(
        contract::expect("rotate_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .respond(Reply::ok(json!({ "virtual_key": key("vk-1", VK_ROTATED) })))
            .mount(&server)
            .await,
    );
    let quota = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .and(wiremock::matchers::header("x-bf-vk", VK_ROTATED))
        .respond(Reply::ok(json!({
            "virtual_key_name": "checkout",
            "is_active": true,
            "budgets": [{ "id": "b", "max_limit": 10.0, "reset_duration": "1d", "current_usage": 1.0 }],
            "provider_configs": [key("vk-1", VK_ROTATED)["provider_configs"][0].clone()]
        })))
        .mount(&server)
        .await;
    mocks.push(
        contract::expect("rotate_virtual_keys")
            .authorization(ADMIN_AUTHORIZATION)
            .respond(Reply::ok(json!({
                "message": "Virtual keys rotated successfully",
                "virtual_keys": [key("vk-1", VK_MANY)],
                "errors": { "vk-2": "virtual key not found" }
            })))
            .mount(&server)
            .await,
    );

    show!(shown, debug builder(&server.uri()));
    let c = client(&server.uri());
    show!(shown, debug c);
    let keys = c.virtual_keys();

    // Create: the secret is there, readable only explicitly.
    let created = keys
        .create("checkout")
        .assign_team("team-1")
        .provider_config(
            bifrost_governance::resources::virtual_keys::ProviderConfigSpec::new("openai"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.value.as_ref().unwrap().expose_secret(), VK_CREATED);
    let provider_key = &created.provider_configs.as_ref().unwrap()[0]
        .keys
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        provider_key.value.as_ref().unwrap().value().expose_secret(),
        PROVIDER_KEY
    );
    assert_eq!(
        provider_key
            .azure_client_secret
            .as_ref()
            .unwrap()
            .value()
            .expose_secret(),
        AZURE_SECRET
    );
    let mcp_client = created.mcp_configs.as_ref().unwrap()[0]
        .mcp_client
        .as_ref()
        .unwrap();
    assert_eq!(
        mcp_client.headers.as_ref().unwrap()["Authorization"]
            .value()
            .expose_secret(),
        MCP_HEADER
    );
    assert_eq!(
        mcp_client
            .connection_string
            .as_ref()
            .unwrap()
            .value()
            .expose_secret(),
        MCP_CONNECTION
    );
    show!(shown, debug created);
    show!(shown, both created.value.as_ref().unwrap());
    assert_eq!(create.request_count(), 1);

    // Get, list (page and stream), patch, a customer embedding keys.
    let got = keys.get("vk-1").await.unwrap();
    show!(shown, debug got);
    let page = keys.list().send().await.unwrap();
    show!(shown, debug page.items);
    let all = keys.list().collect_all().await.unwrap();
    show!(shown, debug all);
    let patched = keys
        .patch("vk-1", |edit| {
            edit.description = "edited".into();
            let shown_edit = format!("{edit:?}");
            for secret in SECRETS {
                assert!(
                    !shown_edit.contains(secret),
                    "the patch draft shows {secret}"
                );
            }
        })
        .await
        .unwrap();
    show!(shown, debug patched);
    let customer = c.customers().get("cust-1").await.unwrap();
    assert_eq!(
        customer.virtual_keys.as_ref().unwrap()[0]
            .value
            .as_ref()
            .unwrap()
            .expose_secret(),
        VK_CUSTOMER
    );
    show!(shown, debug customer);

    // Rotate, then ask the quota with the new value.
    let rotated = keys.rotate("vk-1").await.unwrap();
    let new_value = rotated.value.clone().unwrap();
    assert_eq!(new_value.expose_secret(), VK_ROTATED);
    show!(shown, debug rotated);
    show!(shown, both new_value);
    let usage = keys.quota(&new_value).await.unwrap();
    show!(shown, debug usage);
    assert_eq!(
        quota.request_count(),
        1,
        "the quota carried the rotated value"
    );

    let outcome = keys.rotate_many(["vk-1", "vk-2"]).await.unwrap();
    assert_eq!(
        outcome.rotated[0].value.as_ref().unwrap().expose_secret(),
        VK_MANY
    );
    show!(shown, debug outcome);

    // A 4xx whose message quotes a key value.
    let not_found = keys.get("vk-gone").await.unwrap_err();
    assert!(not_found.is_not_found(), "{not_found:?}");
    assert!(
        String::from_utf8_lossy(&not_found.as_api().unwrap().body).contains(VK_CREATED),
        "the raw body is kept for the caller, as received"
    );
    show_error(&mut shown, &not_found);
    show!(shown, both not_found.as_api().unwrap());

    // A decode error on a body holding secrets in wrongly typed fields.
    let decode = keys.get("vk-bad").await.unwrap_err();
    assert!(matches!(decode, Error::Decode { .. }), "{decode:?}");
    show_error(&mut shown, &decode);

    // A timeout, and a transport error (retried, then reported) carrying the quota header.
    let timeout = keys.get("vk-slow").await.unwrap_err();
    assert!(matches!(timeout, Error::Timeout { .. }), "{timeout:?}");
    show_error(&mut shown, &timeout);
    let unreachable = client(&refused_url().await);
    let transport = unreachable
        .virtual_keys()
        .quota(&new_value)
        .await
        .unwrap_err();
    assert!(
        matches!(transport, Error::Transport { .. }),
        "{transport:?}"
    );
    show_error(&mut shown, &transport);
    let transport = unreachable.virtual_keys().get("vk-1").await.unwrap_err();
    show_error(&mut shown, &transport);

    for mock in &mocks {
        mock.assert_clean();
    }
    // Not vacuous: the secret headers did go out.
    let received = server.received_requests().await.unwrap();
    assert!(received.iter().all(|r| {
        r.headers.get("x-gateway-token").map(|v| v.as_bytes()) == Some(HOOK_HEADER.as_bytes())
            && r.headers.get("x-api-key").map(|v| v.as_bytes()) == Some(DEFAULT_HEADER.as_bytes())
    }));
    drop(mocks);
    drop(server);

    // Nothing formatted shows a secret; the redaction marker shows where they were.
    for text in &shown {
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "formatted value shows {secret:?}:\n{text}"
            );
        }
    }
    let all_shown = shown.join("\n");
    assert!(all_shown.contains("[REDACTED]"), "{all_shown}");
    assert!(
        all_shown.contains("sk-bf-***"),
        "the 4xx message is masked: {all_shown}"
    );

    let log = String::from_utf8(log.lock().unwrap().clone()).expect("UTF-8 log");
    if std::env::var_os("SECRETS_TEST_PRINT").is_some() {
        eprintln!("{log}\n----\n{all_shown}");
    }
    for secret in SECRETS {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
    // Not vacuous: the SDK's spans are there with their fields.
    assert!(!log.is_empty());
    for needle in [
        "bifrost.request",
        "operation=\"create_virtual_key\"",
        "operation=\"get_virtual_key_quota\"",
        "operation=\"rotate_virtual_keys\"",
        "method=POST",
        "method=GET",
        "method=PUT",
        "path=\"/api/governance/virtual-keys\"",
        "path=\"/api/governance/virtual-keys/{vk_id}\"",
        "path=\"/api/governance/virtual-keys/quota\"",
        "attempt=1",
        "attempt=2",
        "status=200",
        "status=404",
        "latency_ms=",
        "retrying",
    ] {
        assert!(log.contains(needle), "the log lacks {needle:?}:\n{log}");
    }
}

const RAW_SECRETS: &[&str] = &[
    "sk-bf-RAW-BAD-TYPE-SECRET",
    "sk-bf-RAW-NAME-SECRET",
    "sk-bf-RAW-STRING-SECRET",
    "sk-bf-RAW-HTML-SECRET",
    "sk-bf-RAW-404-SECRET",
    "sk-bf-RAW-500-SECRET",
    "sk-bf-RAW-LIST-SECRET",
    "sk-proj-RAW-PROVIDER-SECRET",
];

#[tokio::test]
async fn raw_client_errors_print_no_secret_and_good_bodies_still_decode() {
    let log = captured_log();
    let server = MockServer::start().await;
    let get = |id: &'static str, reply: Reply| {
        contract::expect("get_virtual_key")
            .authorization(ADMIN_AUTHORIZATION)
            .path_param("vk_id", id)
            .and(wiremock::matchers::path(format!(
                "/api/governance/virtual-keys/{id}"
            )))
            .respond(reply)
    };
    let raw_json =
        |status: u16, body: Value| Reply::raw(ResponseTemplate::new(status).set_body_json(body));
    // Deliberately off-spec (hence raw): what a broken server or proxy may send.
    let mocks = [
        get(
            "vk-good",
            Reply::ok(json!({ "virtual_key": key("vk-good", VK_CREATED) })),
        ),
        get(
            "vk-type",
            raw_json(
                200,
                json!({ "virtual_key": {
                    "id": "vk-type", "name": "k",
                    "value": "sk-bf-RAW-BAD-TYPE-SECRET",
                    "is_active": "sk-bf-RAW-BAD-TYPE-SECRET",
                    "provider_configs": [{ "keys": [{ "value": "sk-proj-RAW-PROVIDER-SECRET", "weight": "x" }] }]
                }}),
            ),
        ),
        get(
            "vk-name",
            raw_json(
                200,
                json!({ "virtual_key": { "id": 7, "name": "sk-bf-RAW-NAME-SECRET" } }),
            ),
        ),
        get("vk-string", raw_json(200, json!("sk-bf-RAW-STRING-SECRET"))),
        get(
            "vk-html",
            Reply::raw(
                ResponseTemplate::new(200)
                    .set_body_raw("<html>key sk-bf-RAW-HTML-SECRET</html>", "text/html"),
            ),
        ),
        get(
            "vk-404",
            Reply::json(
                404,
                bifrost_error(404, "virtual key sk-bf-RAW-404-SECRET not found"),
            ),
        ),
        get(
            "vk-500",
            Reply::raw(
                ResponseTemplate::new(500)
                    .set_body_raw("rotation of sk-bf-RAW-500-SECRET failed", "text/plain"),
            ),
        ),
    ];
    let mut guards = Vec::new();
    for mock in mocks {
        guards.push(mock.priority(1).mount(&server).await);
    }
    guards.push(
        contract::expect("list_virtual_keys")
            .authorization(ADMIN_AUTHORIZATION)
            .respond(raw_json(200, json!({
                "virtual_keys": [{ "id": "vk-1", "name": "k", "value": "sk-bf-RAW-LIST-SECRET", "budgets": "none" }]
            })))
            .mount(&server)
            .await,
    );
    let raw = client(&server.uri());
    let raw = raw.raw();

    // A well-formed body decodes as before, secret included (behind SecretString).
    let good = raw.get_virtual_key().vk_id("vk-good").send().await.unwrap();
    let value = good.into_inner().virtual_key.value.unwrap();
    assert_eq!(value.expose_secret(), VK_CREATED);

    let mut shown = Vec::new();
    let mut show_raw = |err: &dyn std::error::Error| {
        shown.push(format!("{err}"));
        shown.push(format!("{err:#}"));
        shown.push(format!("{err:?}"));
        shown.push(format!("{err:#?}"));
        let mut source = err.source();
        while let Some(inner) = source {
            shown.push(format!("{inner} {inner:#} {inner:?} {inner:#?}"));
            source = inner.source();
        }
    };
    for id in [
        "vk-type",
        "vk-name",
        "vk-string",
        "vk-html",
        "vk-404",
        "vk-500",
    ] {
        let err = raw.get_virtual_key().vk_id(id).send().await.unwrap_err();
        show_raw(&err);
    }
    let err = raw.list_virtual_keys().send().await.unwrap_err();
    show_raw(&err);
    for guard in &guards {
        guard.assert_clean();
    }

    let all = shown.join("\n");
    for secret in RAW_SECRETS.iter().chain(SECRETS) {
        assert!(
            !all.contains(secret),
            "a raw error shows {secret:?}:\n{all}"
        );
    }
    // Not vacuous: the errors say what happened, with the masked shape.
    for needle in [
        "did not decode",
        r#"\"value\":\"***\""#, // as `Bytes` prints it
        "status: 404",
        "sk-bf-***",
    ] {
        assert!(
            all.contains(needle),
            "the raw errors lack {needle:?}:\n{all}"
        );
    }
    let log = String::from_utf8(log.lock().unwrap().clone()).expect("UTF-8 log");
    for secret in RAW_SECRETS.iter().chain(SECRETS) {
        assert!(!log.contains(secret), "the log shows {secret:?}");
    }
}
