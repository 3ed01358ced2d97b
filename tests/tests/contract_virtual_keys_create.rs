//! Contract tests of creating virtual keys: the exact bodies sent, what is refused
//! before sending, and what is never retried.

mod common;

use bifrost_governance::resources::virtual_keys::{
    McpConfigSpec, ModelBudgetSpec, ProviderConfigSpec,
};
use bifrost_governance::{BudgetSpec, BudgetSpecs, Error, RateLimitSpec, ResetPeriod};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use chrono::{TimeZone, Utc};
use serde_json::json;
use wiremock::MockServer;

use common::virtual_keys::*;

// ------------------------------------------------------------------ create

#[tokio::test]
async fn create_sends_budgets_rate_limit_provider_and_mcp_configs() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Virtual key created successfully", "virtual_key": full_key() }),
        ))
        .times(1)
        .mount(&server)
        .await;

    let provider_budget = BudgetSpecs::from(BudgetSpec::new(5.0, ResetPeriod::days(1)).unwrap());
    let provider_limit = RateLimitSpec::builder()
        .tokens(1000, ResetPeriod::hours(1))
        .build()
        .unwrap();
    let expires = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
    let created = client(&server.uri())
        .virtual_keys()
        .create("checkout")
        .description("checkout service")
        .assign_team("team-1")
        .budgets(daily_and_monthly())
        .rate_limit(sixty_a_minute())
        .provider_config(
            ProviderConfigSpec::new("openai")
                .models(["gpt-4o"])
                .weight(0.7)
                .budgets(provider_budget)
                .rate_limit(provider_limit),
        )
        .provider_config(
            ProviderConfigSpec::new("anthropic")
                .block_models(["claude-2"])
                .keys(["key-a", "key-b"])
                .weight(0.3),
        )
        .mcp_config(McpConfigSpec::new("github").tools(["search"]))
        .mcp_config(McpConfigSpec::new("filesystem"))
        .enabled(true)
        .calendar_aligned(true)
        .expires_at(expires)
        .metadata("env", "prod")
        .send()
        .await
        .unwrap();

    assert_full_key(&created);
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "checkout",
            "description": "checkout service",
            "team_id": "team-1",
            "is_active": true,
            "calendar_aligned": true,
            "budgets": [
                { "max_limit": 10.0, "reset_duration": "1d", "calendar_aligned": true },
                { "max_limit": 200.0, "reset_duration": "1M", "calendar_aligned": true }
            ],
            "rate_limit": { "request_max_limit": 60, "request_reset_duration": "1m" },
            "provider_configs": [
                {
                    "provider": "openai",
                    "weight": 0.7,
                    "allowed_models": ["gpt-4o"],
                    "blacklisted_models": [],
                    "key_ids": ["*"],
                    "budgets": [{ "max_limit": 5.0, "reset_duration": "1d" }],
                    "rate_limit": { "token_max_limit": 1000, "token_reset_duration": "1h" }
                },
                {
                    "provider": "anthropic",
                    "weight": 0.3,
                    "allowed_models": ["*"],
                    "blacklisted_models": ["claude-2"],
                    "key_ids": ["key-a", "key-b"]
                }
            ],
            "mcp_configs": [
                { "mcp_client_name": "github", "tools_to_execute": ["search"] },
                { "mcp_client_name": "filesystem", "tools_to_execute": ["*"] }
            ],
            "expires_at": "2099-01-01T00:00:00Z",
            "metadata": { "env": "prod" }
        })
    );
}

#[tokio::test]
async fn create_with_a_bare_provider_allows_every_model_and_every_key() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(unassigned_key()))
        .mount(&server)
        .await;

    client(&server.uri())
        .virtual_keys()
        .create("solo")
        .assign_customer("cust-1")
        .provider_config(ProviderConfigSpec::new("openai"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({
            "name": "solo",
            "customer_id": "cust-1",
            "provider_configs": [{
                "provider": "openai",
                "allowed_models": ["*"],
                "blacklisted_models": [],
                "key_ids": ["*"]
            }]
        })
    );
}

#[tokio::test]
async fn create_with_only_a_name_sends_only_the_name() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(
            json!({ "id": "vk-9", "name": "bare", "value": "sk-bf-9" }),
        ))
        .mount(&server)
        .await;

    let created = client(&server.uri())
        .virtual_keys()
        .create("bare")
        .send()
        .await
        .unwrap();

    assert_eq!(created.id, "vk-9");
    assert_eq!(created.value.unwrap().expose_secret(), "sk-bf-9");
    assert_eq!(guard.single_body(), json!({ "name": "bare" }));
}

#[tokio::test]
async fn invalid_creates_send_nothing() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .times(0)
        .mount(&server)
        .await;
    let keys = client(&server.uri()).virtual_keys();

    let both = keys
        .create("x")
        .assign_team("team-1")
        .assign_customer("cust-1")
        .send()
        .await;
    let past = keys
        .create("x")
        .expires_at(Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap())
        .send()
        .await;
    let no_name = keys.create(" ").send().await;
    let bad_weight = keys
        .create("x")
        .provider_config(ProviderConfigSpec::new("openai").weight(-1.0))
        .send()
        .await;
    let empty_provider = keys
        .create("x")
        .provider_config(ProviderConfigSpec::new(" "))
        .send()
        .await;
    let hourly_aligned = keys
        .create("x")
        .budget(BudgetSpec::new(1.0, ResetPeriod::hours(1)).unwrap())
        .calendar_aligned(true)
        .send()
        .await;
    let repeated_period = keys
        .create("x")
        .budget(BudgetSpec::new(1.0, ResetPeriod::days(1)).unwrap())
        .budget(BudgetSpec::new(2.0, ResetPeriod::hours(24)).unwrap())
        .send()
        .await;
    let cleanup_without_expiry = keys.create("x").delete_after_expire(true).send().await;
    let bad_metadata_key = keys.create("x").metadata("cost center", "42").send().await;
    let reserved_metadata_key = keys
        .create("x")
        .metadata("bifrost_alb_provider", "openai")
        .send()
        .await;
    let long_metadata_value = keys
        .create("x")
        .metadata("note", "x".repeat(513))
        .send()
        .await;

    for (what, result) in [
        ("team and customer", both),
        ("expiry in the past", past),
        ("blank name", no_name),
        ("negative weight", bad_weight),
        ("blank provider", empty_provider),
        ("hourly budget, calendar aligned", hourly_aligned),
        ("repeated budget period", repeated_period),
        ("delete_after_expire without expiry", cleanup_without_expiry),
        ("metadata key with a space", bad_metadata_key),
        ("reserved metadata key", reserved_metadata_key),
        ("metadata value over 512 characters", long_metadata_value),
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{what}: {err:?}");
    }
    assert_eq!(guard.request_count(), 0);
}

#[tokio::test]
async fn create_is_not_retried_after_a_503() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(503, bifrost_error(503, "upstream unavailable")))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .virtual_keys()
        .create("once")
        .send()
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        guard.request_count(),
        1,
        "a retried create may make a second key"
    );
}

#[tokio::test]
async fn create_sends_expiry_metadata_and_the_newer_key_settings() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .mount(&server)
        .await;
    let expiry = Utc::now() + chrono::Duration::days(30);

    client(&server.uri())
        .virtual_keys()
        .create("batch-jobs")
        .expires_at(expiry)
        .delete_after_expire(true)
        .allow_all_providers(true)
        .disable_content_logging(true)
        .metadata("env", "prod")
        .send()
        .await
        .unwrap();

    let body = guard.single_body();
    assert_eq!(
        body,
        json!({
            "name": "batch-jobs",
            "expires_at": body["expires_at"],
            "delete_after_expire": true,
            "allow_all_providers": true,
            "disable_content_logging": true,
            "metadata": { "env": "prod" }
        })
    );
    let sent: chrono::DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(sent, expiry);
}

#[tokio::test]
async fn create_features_newer_than_the_server_are_refused_before_sending() {
    use bifrost_governance::Capability;
    use bifrost_governance::resources::virtual_keys::CreateVirtualKey;
    type Build = fn(CreateVirtualKey) -> CreateVirtualKey;
    let cases: [(&str, Capability, &str, Build); 7] = [
        ("expiry", Capability::KeyExpiry, "v1.6.2", |c| {
            c.expires_at(Utc::now() + chrono::Duration::days(1))
        }),
        ("metadata", Capability::KeyMetadata, "v2.3.0", |c| {
            c.metadata("env", "prod")
        }),
        ("every provider", Capability::AllProviders, "v2.0.0", |c| {
            c.allow_all_providers(true)
        }),
        (
            "content logging",
            Capability::KeyLoggingAndCleanup,
            "v2.2.5",
            |c| c.disable_content_logging(false),
        ),
        (
            "quarterly budget",
            Capability::QuarterlyBudgets,
            "v1.6.9",
            |c| c.budget(BudgetSpec::new(900.0, ResetPeriod::quarters(1)).unwrap()),
        ),
        ("blocked models", Capability::BlockedModels, "v1.5.3", |c| {
            c.provider_config(ProviderConfigSpec::new("openai").block_models(["gpt-3.5-turbo"]))
        }),
        (
            "model budgets",
            Capability::PerModelBudgets,
            "v1.6.9",
            |c| {
                c.provider_config(
                    ProviderConfigSpec::new("openai")
                        .model_budget(ModelBudgetSpec::new("gpt-4o").rate_limit(sixty_a_minute())),
                )
            },
        ),
    ];
    for (what, capability, too_old, build) in cases {
        let server = MockServer::start().await;
        let _version = mount_version(&server, too_old).await;
        let guard = contract::expect("create_virtual_key")
            .authorization(AUTHORIZATION)
            .respond(one(full_key()))
            .mount(&server)
            .await;
        let err = build(client(&server.uri()).virtual_keys().create("x"))
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::Unsupported {
                capability: refused,
                server_version,
                ..
            } => {
                assert_eq!(*refused, capability, "{what}");
                assert_eq!(server_version.as_str(), too_old);
            }
            other => panic!("{what}: expected Unsupported, got {other:?}"),
        }
        assert!(err.to_string().contains(too_old), "{what}: {err}");
        assert_eq!(guard.request_count(), 0, "{what}");
    }
}

#[tokio::test]
async fn a_quarterly_budget_carries_its_quarter_start() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .mount(&server)
        .await;

    client(&server.uri())
        .virtual_keys()
        .create("fiscal")
        .budget(
            BudgetSpec::new(5_000.0, ResetPeriod::quarters(1))
                .unwrap()
                .quarter_start_month(4)
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({
            "name": "fiscal",
            "budgets": [{
                "max_limit": 5000.0,
                "reset_duration": "1Q",
                "reset_config": { "quarter_start_month": 4 }
            }]
        })
    );
}

#[tokio::test]
async fn per_model_limits_go_under_their_provider_config() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = contract::expect("create_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(one(full_key()))
        .mount(&server)
        .await;

    client(&server.uri())
        .virtual_keys()
        .create("checkout")
        .provider_config(
            ProviderConfigSpec::new("openai")
                .model_budget(ModelBudgetSpec::new("gpt-4o").budgets(BudgetSpecs::from(
                    BudgetSpec::new(20.0, ResetPeriod::days(1)).unwrap(),
                )))
                .model_budget(ModelBudgetSpec::new("gpt-4o-mini").rate_limit(sixty_a_minute())),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.single_body()["provider_configs"][0]["model_budgets"],
        json!([
            { "model_name": "gpt-4o", "budgets": [{ "max_limit": 20.0, "reset_duration": "1d" }] },
            { "model_name": "gpt-4o-mini", "rate_limit": { "request_max_limit": 60, "request_reset_duration": "1m" } }
        ])
    );
}
