//! Contract tests of provider governance, through the ergonomic crate: requests are
//! checked against openapi.yaml, canned responses are validated, and the exact
//! bodies sent are asserted. Budgets are version-gated like customers' (`budget` on
//! v1.x, `budgets` on v2.x).

use bifrost_governance::{BudgetSpec, BudgetSpecs, Error, RateLimitSpec, ResetPeriod};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use serde_json::{Value, json};
use wiremock::MockServer;

fn openai() -> Value {
    json!({
        "provider": "openai",
        "budgets": [
            { "id": "bud-d", "max_limit": 100.0, "reset_duration": "1d", "current_usage": 42.5 },
            { "id": "bud-m", "max_limit": 2000.0, "reset_duration": "1M", "current_usage": 900.0 }
        ],
        "rate_limit": {
            "id": "rl-1",
            "request_max_limit": 600,
            "request_reset_duration": "1m",
            "request_current_usage": 12,
            "token_max_limit": null,
            "token_reset_duration": null
        },
        "calendar_aligned": true
    })
}

fn assert_openai(p: &bifrost_governance::types::ProviderGovernance) {
    assert_eq!(p.provider, "openai");
    let budgets = p.budgets.as_ref().expect("budgets");
    assert_eq!(
        budgets
            .iter()
            .map(|b| (
                b.id.as_str(),
                b.max_limit,
                b.reset_duration.as_deref(),
                b.current_usage
            ))
            .collect::<Vec<_>>(),
        [
            ("bud-d", Some(100.0), Some("1d"), Some(42.5)),
            ("bud-m", Some(2000.0), Some("1M"), Some(900.0))
        ]
    );
    let rate_limit = p.rate_limit.as_ref().expect("rate limit");
    assert_eq!(
        (
            rate_limit.request_max_limit,
            rate_limit.request_reset_duration.as_deref()
        ),
        (Some(600), Some("1m"))
    );
    assert_eq!(rate_limit.request_current_usage, Some(12));
    assert_eq!(p.calendar_aligned, Some(true));
}

fn written(provider: Value) -> Reply {
    Reply::ok(
        json!({ "message": "Provider governance updated successfully", "provider": provider }),
    )
}

fn daily() -> BudgetSpec {
    BudgetSpec::new(100.0, ResetPeriod::days(1)).unwrap()
}

fn monthly() -> BudgetSpec {
    BudgetSpec::new(2000.0, ResetPeriod::months(1)).unwrap()
}

fn six_hundred_a_minute() -> RateLimitSpec {
    RateLimitSpec::builder()
        .requests(600, ResetPeriod::minutes(1))
        .build()
        .unwrap()
}

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_decodes_every_governed_provider_and_sends_no_query() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_provider_governance")
        .authorization(AUTHORIZATION)
        .no_query("limit")
        .no_query("offset")
        .respond(Reply::ok(json!({
            "providers": [
                openai(),
                {
                    "provider": "my-custom-llm",
                    "budget": { "id": "bud-1", "max_limit": 10.0, "reset_duration": "1w" },
                    "budgets": null,
                    "rate_limit": null
                }
            ],
            "count": 2
        })))
        .times(1)
        .mount(&server)
        .await;

    let providers = client(&server.uri()).providers().list().await.unwrap();

    assert_eq!(providers.len(), 2);
    assert_openai(&providers[0]);
    let legacy = &providers[1];
    assert_eq!(legacy.provider, "my-custom-llm");
    assert_eq!(legacy.budget.as_ref().map(|b| b.id.as_str()), Some("bud-1"));
    assert!(legacy.budgets.is_none() && legacy.rate_limit.is_none());
    let seen = &guard.requests()[0];
    assert!(
        seen.query.is_empty() && seen.raw_body.is_empty(),
        "{seen:?}"
    );
}

#[tokio::test]
async fn list_with_providers_null_is_an_empty_vec() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_provider_governance")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "providers": null, "count": 0 })))
        .mount(&server)
        .await;

    let providers = client(&server.uri()).providers().list().await.unwrap();

    assert!(providers.is_empty());
    assert_eq!(guard.request_count(), 1);
}

// ------------------------------------------------------------------ update

async fn update_body(
    version: &str,
    update: impl AsyncFnOnce(&bifrost_governance::Client) -> bifrost_governance::Result<()>,
) -> Value {
    let server = MockServer::start().await;
    let _version = mount_version(&server, version).await;
    let put = contract::expect("update_provider_governance")
        .authorization(AUTHORIZATION)
        .path_param("provider_name", "openai")
        .respond(written(openai()))
        .mount(&server)
        .await;
    update(&client(&server.uri())).await.unwrap();
    put.single_body()
}

#[tokio::test]
async fn update_on_v2_sends_budgets_and_rate_limit_and_decodes_the_provider() {
    let body = update_body("v2.3.1", async |c| {
        let p = c
            .providers()
            .update("openai")
            .set_budgets(BudgetSpecs::try_from([daily(), monthly()]).unwrap())
            .set_rate_limit(six_hundred_a_minute())
            .calendar_aligned(true)
            .reset_budget_usage()
            .send()
            .await?;
        assert_openai(&p);
        Ok(())
    })
    .await;
    assert_eq!(
        body,
        json!({
            "budgets": [
                { "max_limit": 100.0, "reset_duration": "1d", "calendar_aligned": true },
                { "max_limit": 2000.0, "reset_duration": "1M", "calendar_aligned": true }
            ],
            "rate_limit": { "request_max_limit": 600, "request_reset_duration": "1m" },
            "calendar_aligned": true,
            "reset_budget_usage": true
        })
    );
}

#[tokio::test]
async fn update_on_v1_sends_the_single_budget() {
    let body = update_body("v1.5.2", async |c| {
        c.providers()
            .update("openai")
            .set_budgets(BudgetSpecs::from(daily()))
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(
        body,
        json!({ "budget": { "max_limit": 100.0, "reset_duration": "1d" } })
    );
}

#[tokio::test]
async fn update_clear_budgets_and_clear_rate_limit_differ_by_generation() {
    let v2 = update_body("v2.3.1", async |c| {
        c.providers()
            .update("openai")
            .clear_budgets()
            .clear_rate_limit()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(v2, json!({ "budgets": [], "rate_limit": {} }));
    let v1 = update_body("v1.5.2", async |c| {
        c.providers()
            .update("openai")
            .clear_budgets()
            .clear_rate_limit()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(v1, json!({ "budget": {}, "rate_limit": {} }));
}

#[tokio::test]
async fn update_of_only_the_rate_limit_asks_no_version() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let put = contract::expect("update_provider_governance")
        .authorization(AUTHORIZATION)
        .path_param("provider_name", "anthropic")
        .respond(written(json!({ "provider": "anthropic" })))
        .mount(&server)
        .await;

    let p = client(&server.uri())
        .providers()
        .update("anthropic")
        .set_rate_limit(six_hundred_a_minute())
        .send()
        .await
        .unwrap();

    assert_eq!(p.provider, "anthropic");
    assert!(p.budgets.is_none() && p.rate_limit.is_none());
    assert_eq!(
        put.single_body(),
        json!({ "rate_limit": { "request_max_limit": 600, "request_reset_duration": "1m" } })
    );
    assert_eq!(version.request_count(), 0);
}

#[tokio::test]
async fn update_percent_encodes_a_custom_provider_name() {
    let server = MockServer::start().await;
    let put = contract::expect("update_provider_governance")
        .authorization(AUTHORIZATION)
        .path_param("provider_name", "team a/llm?x")
        .respond(written(json!({ "provider": "team a/llm?x" })))
        .mount(&server)
        .await;

    let p = client(&server.uri())
        .providers()
        .update("team a/llm?x")
        .clear_rate_limit()
        .send()
        .await
        .unwrap();

    assert_eq!(p.provider, "team a/llm?x");
    let seen = &put.requests()[0];
    assert!(
        seen.query.is_empty(),
        "`?` must not start a query: {seen:?}"
    );
}

#[tokio::test]
async fn update_answer_without_the_provider_object_is_a_decode_error() {
    let server = MockServer::start().await;
    let _put = contract::expect("update_provider_governance")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Provider governance updated successfully" }),
        ))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .providers()
        .update("openai")
        .clear_rate_limit()
        .send()
        .await
        .unwrap_err();

    match &err {
        Error::Decode {
            operation,
            status,
            message,
            ..
        } => {
            assert_eq!(*operation, "update_provider_governance");
            assert_eq!(status.as_u16(), 200);
            assert!(message.contains("provider"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_updates_send_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.5.2").await;
    let put = contract::expect("update_provider_governance")
        .authorization(AUTHORIZATION)
        .respond(written(openai()))
        .times(0)
        .mount(&server)
        .await;
    let providers = client(&server.uri()).providers();

    let blank = providers
        .update(" ")
        .clear_rate_limit()
        .send()
        .await
        .unwrap_err();
    let hourly_aligned = providers
        .update("openai")
        .set_budgets(BudgetSpecs::from(
            BudgetSpec::new(1.0, ResetPeriod::hours(1)).unwrap(),
        ))
        .calendar_aligned(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(version.request_count(), 0);
    let too_many = providers
        .update("openai")
        .set_budgets(BudgetSpecs::try_from([daily(), monthly()]).unwrap())
        .send()
        .await
        .unwrap_err();

    for err in [blank, hourly_aligned] {
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert!(
        matches!(too_many, Error::Unsupported { .. }),
        "{too_many:?}"
    );
    assert_eq!(put.request_count(), 0);
}

// Deletes, and the not-found and conflict shapes every resource shares, are in
// contract_resource_shapes.rs.
