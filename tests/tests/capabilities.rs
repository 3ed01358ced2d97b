//! Version gating through the capability table: when the SDK asks `GET /api/version`,
//! what it remembers, how an unknown version is read, and that an unsupported
//! feature is refused with a typed error before any request.

use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
use bifrost_governance::{BudgetSpec, BudgetSpecs, Capability, Client, Error, ResetPeriod, Scope};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, fast_retry, mount_version};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use serde_json::{Value, json};
use wiremock::MockServer;

fn monthly() -> BudgetSpec {
    BudgetSpec::new(1000.0, ResetPeriod::months(1)).unwrap()
}

fn daily() -> BudgetSpec {
    BudgetSpec::new(50.0, ResetPeriod::days(1)).unwrap()
}

fn customer() -> Value {
    json!({ "id": "cust-1", "name": "Acme" })
}

async fn create_customer(server: &MockServer) -> ContractGuard {
    contract::expect("create_customer")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "customer": customer() })))
        .mount(server)
        .await
}

async fn create_model_config(server: &MockServer) -> ContractGuard {
    contract::expect("create_model_config")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "model_config": { "id": "mc-1", "model_name": "gpt-4o" } }),
        ))
        .mount(server)
        .await
}

#[tokio::test]
async fn a_failed_version_fetch_is_not_remembered_and_a_success_is() {
    let server = MockServer::start().await;
    // 500 is not retried: one failed fetch, then the server answers.
    let failing = contract::expect("get_version")
        .no_authorization()
        .respond(Reply::json(500, bifrost_error(500, "starting up")))
        .up_to_n_times(1)
        .priority(1)
        .mount(&server)
        .await;
    let version = contract::expect("get_version")
        .no_authorization()
        .respond(Reply::ok(json!("v1.5.2")))
        .mount(&server)
        .await;
    let create = create_customer(&server).await;
    let c = client(&server.uri());
    let send = || c.customers().create("Acme").budget(monthly()).send();

    let err = send().await.unwrap_err();
    match &err {
        Error::Api(api) => {
            assert_eq!(api.operation, "get_version");
            assert_eq!(api.status.as_u16(), 500);
        }
        other => panic!("expected the version's error, got {other:?}"),
    }
    assert_eq!(create.request_count(), 0, "nothing is sent on a guess");

    send().await.unwrap();
    send().await.unwrap();

    assert_eq!(failing.request_count(), 1);
    assert_eq!(version.request_count(), 1, "a success is asked once");
    // v1.5.2 keeps one `budget`: the version that was finally read is the one used.
    assert_eq!(
        create.bodies(),
        vec![
            json!({ "name": "Acme", "budget": { "max_limit": 1000.0, "reset_duration": "1M" } });
            2
        ]
    );
}

#[tokio::test]
async fn an_unparsable_version_is_the_newest_generation_everywhere() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "dev-build").await;
    let create = create_customer(&server).await;
    let config = create_model_config(&server).await;
    // The v1 path would read the key first to repeat its assignment.
    let get = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "virtual_key": { "id": "vk-1", "name": "k" } }),
        ))
        .times(0)
        .mount(&server)
        .await;
    let put = contract::expect("update_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "virtual_key": { "id": "vk-1", "name": "x" } }),
        ))
        .mount(&server)
        .await;
    let c = client(&server.uri());

    for &capability in Capability::ALL {
        assert!(c.supports(capability).await.unwrap(), "{capability:?}");
        c.require(capability).await.unwrap();
    }
    c.customers()
        .create("Acme")
        .budgets(BudgetSpecs::try_from([monthly(), daily()]).unwrap())
        .send()
        .await
        .unwrap();
    c.model_configs()
        .create("gpt-4o")
        .scope(Scope::VirtualKey("vk-1".into()))
        .send()
        .await
        .unwrap();
    c.virtual_keys()
        .update("vk-1")
        .set_name("x")
        .send()
        .await
        .unwrap();

    assert_eq!(version.request_count(), 1);
    assert_eq!(
        create.single_body()["budgets"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(config.single_body()["scope"], "virtual_key");
    assert_eq!(get.request_count(), 0);
    assert_eq!(put.single_body(), json!({ "name": "x" }));
}

#[tokio::test]
async fn an_unsupported_capability_is_a_typed_error_and_sends_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.5.2").await;
    let create = create_customer(&server).await;
    let config = create_model_config(&server).await;
    let c = client(&server.uri());

    let err = c
        .model_configs()
        .create("gpt-4o")
        .scope(Scope::VirtualKey("vk-1".into()))
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Unsupported {
            capability,
            server_version,
            since,
        } => {
            assert_eq!(*capability, Capability::ModelConfigScopes);
            assert_eq!(server_version.as_str(), "v1.5.2");
            assert_eq!(*since, (1, 5, 9));
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "this server (v1.5.2) does not support model configs scoped to a virtual key \
         (needs v1.5.9 or newer)"
    );

    let err = c
        .customers()
        .create("Acme")
        .budgets(BudgetSpecs::try_from([monthly(), daily()]).unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unsupported {
                capability: Capability::MultiBudgetOwners,
                ..
            }
        ),
        "{err:?}"
    );

    assert!(!c.supports(Capability::KeyMetadata).await.unwrap());
    assert!(
        c.supports(Capability::ModelConfigScopes)
            .await
            .is_ok_and(|s| !s)
    );
    let err = c.require(Capability::KeyRotation).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unsupported {
                since: (1, 5, 4),
                ..
            }
        ),
        "{err:?}"
    );

    assert_eq!(create.request_count(), 0);
    assert_eq!(config.request_count(), 0);
    assert_eq!(version.request_count(), 1);
}

#[tokio::test]
async fn an_assumed_version_is_used_without_asking() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_customer(&server).await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_key("test-key")
        .retry(fast_retry())
        .assume_server_version("v1.5.2")
        .build()
        .unwrap();

    assert!(!c.supports(Capability::MultiBudgetOwners).await.unwrap());
    c.customers()
        .create("Acme")
        .budget(monthly())
        .send()
        .await
        .unwrap();

    assert_eq!(version.request_count(), 0);
    assert!(create.single_body().get("budget").is_some());
}

/// Fields a 1.5.2 server would drop without a word (tables/virtualkey.go has no
/// `blacklisted_models`, customers read no `calendar_aligned`) are refused; the
/// same calls pass the gate on a server that has them.
#[tokio::test]
async fn fields_an_older_server_would_drop_are_refused_before_sending() {
    for (version, supported) in [("v1.5.2", false), ("v1.5.9", true)] {
        let server = MockServer::start().await;
        let _version = mount_version(&server, version).await;
        let create = create_customer(&server).await;
        let key = contract::expect("create_virtual_key")
            .authorization(AUTHORIZATION)
            .respond(Reply::ok(
                json!({ "virtual_key": { "id": "vk-1", "name": "k" } }),
            ))
            .mount(&server)
            .await;
        let c = client(&server.uri());

        let blocked = c
            .virtual_keys()
            .create("k")
            .provider_config(ProviderConfigSpec::new("openai").block_models(["gpt-3.5-turbo"]))
            .send()
            .await;
        let aligned = c
            .customers()
            .create("Acme")
            .calendar_aligned(true)
            .send()
            .await;

        if supported {
            assert!(blocked.is_ok() && aligned.is_ok(), "{version}");
            assert_eq!((key.request_count(), create.request_count()), (1, 1));
        } else {
            for (outcome, expected) in [
                (blocked.map(drop), Capability::BlockedModels),
                (aligned.map(drop), Capability::CustomerCalendarAlignment),
            ] {
                match outcome {
                    Err(Error::Unsupported { capability, .. }) => {
                        assert_eq!(capability, expected)
                    }
                    other => panic!("{version}: expected Unsupported, got {other:?}"),
                }
            }
            assert_eq!((key.request_count(), create.request_count()), (0, 0));
        }
    }
}
