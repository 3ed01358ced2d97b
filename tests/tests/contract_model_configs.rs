//! Contract tests of the model-config operations, through the ergonomic crate:
//! requests are checked against openapi.yaml, canned responses are validated, and
//! the exact query and bodies sent are asserted.
//!
//! Gates: budgets go as `budget` (one) on v1.x and `budgets` on v2.x; a
//! virtual-key scope is refused before sending to v1.5.2 and older, which would
//! silently create a global config.

use bifrost_governance::{
    BudgetSpec, BudgetSpecs, Capability, Error, RateLimitSpec, ResetPeriod, Scope,
};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use serde_json::{Value, json};
use wiremock::MockServer;

fn full_config() -> Value {
    json!({
        "id": "mc-1",
        "model_name": "gpt-4o",
        "provider": "openai",
        "scope": "virtual_key",
        "scope_id": "vk-1",
        "scope_name": "checkout",
        "budget_id": null,
        "budgets": [
            { "id": "bud-d", "max_limit": 50.0, "reset_duration": "1d", "current_usage": 12.0, "model_config_id": "mc-1" }
        ],
        "rate_limit_id": "rl-1",
        "rate_limit": {
            "id": "rl-1",
            "token_max_limit": 1000000,
            "token_reset_duration": "1h",
            "token_current_usage": 5000,
            "request_max_limit": null,
            "request_reset_duration": null
        },
        "calendar_aligned": false,
        "config_hash": "h",
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-03T03:04:05Z"
    })
}

fn assert_full_config(config: &bifrost_governance::types::ModelConfig) {
    assert_eq!(config.id, "mc-1");
    assert_eq!(config.model_name.as_deref(), Some("gpt-4o"));
    assert_eq!(config.provider.as_deref(), Some("openai"));
    assert_eq!(config.scope.as_deref(), Some("virtual_key"));
    assert_eq!(config.scope_id.as_deref(), Some("vk-1"));
    assert_eq!(config.scope_name.as_deref(), Some("checkout"));
    let budget = &config.budgets.as_ref().expect("budgets")[0];
    assert_eq!(
        (
            budget.id.as_str(),
            budget.max_limit,
            budget.reset_duration.as_deref(),
            budget.current_usage
        ),
        ("bud-d", Some(50.0), Some("1d"), Some(12.0))
    );
    assert_eq!(budget.model_config_id.as_deref(), Some("mc-1"));
    let rate_limit = config.rate_limit.as_ref().expect("rate limit");
    assert_eq!(
        (
            rate_limit.token_max_limit,
            rate_limit.token_reset_duration.as_deref()
        ),
        (Some(1_000_000), Some("1h"))
    );
    assert_eq!(rate_limit.request_max_limit, None);
    assert_eq!(
        config.created_at.map(|t| t.timestamp()),
        Some(1_767_323_045)
    );
}

fn written(config: Value) -> Reply {
    Reply::ok(json!({ "message": "Model config updated successfully", "model_config": config }))
}

fn daily() -> BudgetSpec {
    BudgetSpec::new(50.0, ResetPeriod::days(1)).unwrap()
}

fn monthly() -> BudgetSpec {
    BudgetSpec::new(900.0, ResetPeriod::months(1)).unwrap()
}

fn a_million_tokens_an_hour() -> RateLimitSpec {
    RateLimitSpec::builder()
        .tokens(1_000_000, ResetPeriod::hours(1))
        .build()
        .unwrap()
}

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_sends_search_scope_scope_id_provider_and_paging() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_model_configs")
        .authorization(AUTHORIZATION)
        .query("limit", "20")
        .query("offset", "40")
        .query("search", "gpt")
        .query("scope", "virtual_key")
        .query("scope_id", "vk-1")
        .query("provider", "openai")
        .respond(Reply::ok(json!({
            "model_configs": [full_config()],
            "count": 1,
            "total_count": 41,
            "limit": 20,
            "offset": 40
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .model_configs()
        .list()
        .search("gpt")
        .scope(Scope::VirtualKey("vk-1".into()))
        .provider("openai")
        .page_size(20)
        .offset(40)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (41, 20, 40));
    assert_full_config(&page.items[0]);
    assert_eq!(guard.requests()[0].query.len(), 6);
}

// ------------------------------------------------------------------ get

#[tokio::test]
async fn get_decodes_every_field() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_model_config")
        .authorization(AUTHORIZATION)
        .path_param("mc_id", "mc-1")
        .respond(Reply::ok(json!({ "model_config": full_config() })))
        .times(1)
        .mount(&server)
        .await;

    let config = client(&server.uri())
        .model_configs()
        .get("mc-1")
        .await
        .unwrap();

    assert_full_config(&config);
    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn get_of_a_v1_config_keeps_its_single_budget_and_every_provider() {
    let server = MockServer::start().await;
    let _guard = contract::expect("get_model_config")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "model_config": {
            "id": "mc-2",
            "model_name": "claude-3-5-haiku",
            "provider": null,
            "budget_id": "bud-1",
            "budget": { "id": "bud-1", "max_limit": 20.0, "reset_duration": "1w" },
            "budgets": null,
            "rate_limit_id": null
        }})))
        .mount(&server)
        .await;

    let config = client(&server.uri())
        .model_configs()
        .get("mc-2")
        .await
        .unwrap();

    assert_eq!(config.provider, None, "no provider: every provider");
    assert_eq!(
        config.budget.as_ref().map(|b| b.max_limit),
        Some(Some(20.0))
    );
    assert!(config.budgets.is_none() && config.scope.is_none());
}

// ------------------------------------------------------------------ create

async fn create_mock(server: &MockServer) -> ContractGuard {
    contract::expect("create_model_config")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Model config created successfully", "model_config": full_config() }),
        ))
        .mount(server)
        .await
}

#[tokio::test]
async fn create_with_only_a_model_sends_only_the_model_and_asks_no_version() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_mock(&server).await;

    let config = client(&server.uri())
        .model_configs()
        .create("gpt-4o")
        .send()
        .await
        .unwrap();

    assert_full_config(&config);
    assert_eq!(create.single_body(), json!({ "model_name": "gpt-4o" }));
    assert_eq!(version.request_count(), 0);
}

#[tokio::test]
async fn create_global_sends_scope_provider_budgets_and_rate_limit_on_v2() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_mock(&server).await;

    client(&server.uri())
        .model_configs()
        .create("gpt-4o")
        .provider("openai")
        .scope(Scope::Global)
        .budgets(BudgetSpecs::try_from([daily(), monthly()]).unwrap())
        .rate_limit(a_million_tokens_an_hour())
        .calendar_aligned(true)
        .send()
        .await
        .unwrap();

    assert_eq!(version.request_count(), 1);
    assert_eq!(
        create.single_body(),
        json!({
            "model_name": "gpt-4o",
            "provider": "openai",
            "scope": "global",
            "budgets": [
                { "max_limit": 50.0, "reset_duration": "1d", "calendar_aligned": true },
                { "max_limit": 900.0, "reset_duration": "1M", "calendar_aligned": true }
            ],
            "rate_limit": { "token_max_limit": 1000000, "token_reset_duration": "1h" },
            "calendar_aligned": true
        })
    );
}

#[tokio::test]
async fn create_scoped_to_a_virtual_key_sends_scope_and_scope_id() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_mock(&server).await;

    client(&server.uri())
        .model_configs()
        .create("gpt-4o")
        .scope(Scope::VirtualKey("vk-1".into()))
        .budget(daily())
        .send()
        .await
        .unwrap();

    assert_eq!(version.request_count(), 1, "asked once for both gates");
    assert_eq!(
        create.single_body(),
        json!({
            "model_name": "gpt-4o",
            "scope": "virtual_key",
            "scope_id": "vk-1",
            "budgets": [{ "max_limit": 50.0, "reset_duration": "1d" }]
        })
    );
}

#[tokio::test]
async fn create_scoped_to_a_virtual_key_is_refused_by_v1_5_8_and_sent_to_v1_5_9() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.8").await;
    let create = create_mock(&server).await;

    let err = client(&server.uri())
        .model_configs()
        .create("gpt-4o")
        .scope(Scope::VirtualKey("vk-1".into()))
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            Error::Unsupported {
                capability: Capability::ModelConfigScopes,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("v1.5.8"), "{err}");
    assert_eq!(create.request_count(), 0);

    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.9").await;
    let create = create_mock(&server).await;

    client(&server.uri())
        .model_configs()
        .create("gpt-4o")
        .scope(Scope::VirtualKey("vk-1".into()))
        .budget(daily())
        .send()
        .await
        .unwrap();

    // v1.5.9 brought scopes and budget lists together.
    assert_eq!(
        create.single_body(),
        json!({
            "model_name": "gpt-4o",
            "scope": "virtual_key",
            "scope_id": "vk-1",
            "budgets": [{ "max_limit": 50.0, "reset_duration": "1d" }]
        })
    );
}

#[tokio::test]
async fn create_on_v1_with_two_budgets_is_refused_before_sending() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.2").await;
    let create = create_mock(&server).await;

    let err = client(&server.uri())
        .model_configs()
        .create("gpt-4o")
        .budgets(BudgetSpecs::try_from([daily(), monthly()]).unwrap())
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    assert_eq!(create.request_count(), 0);
}

#[tokio::test]
async fn invalid_creates_send_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_mock(&server).await;
    let configs = client(&server.uri()).model_configs();

    let errors = [
        configs.create(" ").send().await.unwrap_err(),
        configs
            .create("gpt-4o")
            .provider("")
            .send()
            .await
            .unwrap_err(),
        configs
            .create("gpt-4o")
            .scope(Scope::VirtualKey(" ".into()))
            .send()
            .await
            .unwrap_err(),
        configs
            .create("gpt-4o")
            .budget(BudgetSpec::new(1.0, ResetPeriod::minutes(30)).unwrap())
            .calendar_aligned(true)
            .send()
            .await
            .unwrap_err(),
    ];

    for err in errors {
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert_eq!((version.request_count(), create.request_count()), (0, 0));
}

// ------------------------------------------------------------------ update

async fn update_body(
    version: &str,
    update: impl AsyncFnOnce(&bifrost_governance::Client) -> bifrost_governance::Result<()>,
) -> Value {
    let server = MockServer::start().await;
    let _version = mount_version(&server, version).await;
    let put = contract::expect("update_model_config")
        .authorization(AUTHORIZATION)
        .path_param("mc_id", "mc-1")
        .respond(written(full_config()))
        .mount(&server)
        .await;
    update(&client(&server.uri())).await.unwrap();
    put.single_body()
}

#[tokio::test]
async fn update_sends_every_field_that_was_set_on_v2() {
    let body = update_body("v2.3.1", async |c| {
        let config = c
            .model_configs()
            .update("mc-1")
            .set_model_name("gpt-4o-mini")
            .set_provider("azure")
            .set_budgets(BudgetSpecs::from(monthly()))
            .set_rate_limit(a_million_tokens_an_hour())
            .calendar_aligned(true)
            .reset_budget_usage()
            .send()
            .await?;
        assert_full_config(&config);
        Ok(())
    })
    .await;
    assert_eq!(
        body,
        json!({
            "model_name": "gpt-4o-mini",
            "provider": "azure",
            "budgets": [{ "max_limit": 900.0, "reset_duration": "1M", "calendar_aligned": true }],
            "rate_limit": { "token_max_limit": 1000000, "token_reset_duration": "1h" },
            "calendar_aligned": true,
            "reset_budget_usage": true
        })
    );
}

#[tokio::test]
async fn update_clear_budgets_differs_by_server_generation() {
    let v2 = update_body("v2.3.1", async |c| {
        c.model_configs()
            .update("mc-1")
            .clear_budgets()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(v2, json!({ "budgets": [] }));
    let v1 = update_body("v1.5.2", async |c| {
        c.model_configs()
            .update("mc-1")
            .clear_budgets()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(v1, json!({ "budget": {} }));
}

#[tokio::test]
async fn update_set_budgets_on_v1_sends_the_single_budget() {
    let body = update_body("v1.5.2", async |c| {
        c.model_configs()
            .update("mc-1")
            .set_budgets(BudgetSpecs::from(daily()))
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(
        body,
        json!({ "budget": { "max_limit": 50.0, "reset_duration": "1d" } })
    );
}

#[tokio::test]
async fn update_clear_rate_limit_sends_an_empty_object() {
    let body = update_body("v2.3.1", async |c| {
        c.model_configs()
            .update("mc-1")
            .clear_rate_limit()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "rate_limit": {} }));
}

#[tokio::test]
async fn invalid_updates_send_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.5.2").await;
    let put = contract::expect("update_model_config")
        .authorization(AUTHORIZATION)
        .respond(written(full_config()))
        .times(0)
        .mount(&server)
        .await;
    let configs = client(&server.uri()).model_configs();

    let errors = [
        configs
            .update("mc-1")
            .set_provider(" ")
            .send()
            .await
            .unwrap_err(),
        configs
            .update("mc-1")
            .set_model_name("")
            .send()
            .await
            .unwrap_err(),
        configs.update("").send().await.unwrap_err(),
    ];
    for err in errors {
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert_eq!(version.request_count(), 0);

    let too_many = configs
        .update("mc-1")
        .set_budgets(BudgetSpecs::try_from([daily(), monthly()]).unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(too_many, Error::Unsupported { .. }),
        "{too_many:?}"
    );
    assert_eq!(put.request_count(), 0);
}

// Deletes, and the not-found and conflict shapes every resource shares, are in
// contract_resource_shapes.rs.
