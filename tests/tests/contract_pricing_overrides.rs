//! Contract tests of the pricing-override operations, through the ergonomic crate:
//! requests are checked against openapi.yaml, canned responses are validated, and
//! the exact query and bodies sent are asserted. Creates answer 201 on current
//! servers (200 on some); scopes, patterns, request types and prices the server
//! would refuse are refused before any request.

use bifrost_governance::Error;
use bifrost_governance::resources::pricing_overrides::PricingPatch;
use bifrost_governance::resources::pricing_overrides::{
    ModelPattern, PricingScope, parse_pricing_patch,
};
use bifrost_governance::types::PricingScopeKind;
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use serde_json::{Value, json};
use wiremock::MockServer;

fn full_override() -> Value {
    json!({
        "id": "po-1",
        "name": "vk discount",
        "scope_kind": "virtual_key_provider",
        "virtual_key_id": "vk-1",
        "provider_id": "openai",
        "provider_key_id": null,
        "match_type": "wildcard",
        "pattern": "gpt-4o*",
        "request_types": ["chat_completion", "responses"],
        "pricing_patch": "{\"input_cost_per_token\":0.000002,\"output_cost_per_token\":0.000008,\"input_cost_per_token_batch\":0.000001}",
        "config_hash": "h",
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-03T03:04:05Z"
    })
}

fn assert_full_override(o: &bifrost_governance::types::PricingOverride) {
    assert_eq!(o.id, "po-1");
    assert_eq!(o.name.as_deref(), Some("vk discount"));
    assert_eq!(o.scope_kind.as_deref(), Some("virtual_key_provider"));
    assert_eq!(o.virtual_key_id.as_deref(), Some("vk-1"));
    assert_eq!(o.provider_id.as_deref(), Some("openai"));
    assert_eq!(o.provider_key_id, None);
    assert_eq!(
        o.request_types.as_deref(),
        Some(&["chat_completion".to_string(), "responses".to_string()][..])
    );
    assert_eq!(
        PricingScope::from_existing(o),
        Some(PricingScope::VirtualKeyProvider {
            virtual_key_id: "vk-1".into(),
            provider: "openai".into()
        })
    );
    assert_eq!(
        ModelPattern::from_existing(o),
        Some(ModelPattern::Prefix("gpt-4o".into()))
    );
    let patch = parse_pricing_patch(o).expect("the patch is JSON");
    assert_eq!(patch.get("input_cost_per_token"), Some(0.000002));
    assert_eq!(patch.get("output_cost_per_token"), Some(0.000008));
    assert_eq!(patch.get("input_cost_per_image"), None);
    // Cost fields beyond the SDK's setters survive a read.
    assert_eq!(patch.get("input_cost_per_token_batch"), Some(0.000001));
    assert_eq!(o.created_at.map(|t| t.timestamp()), Some(1_767_323_045));
}

fn discount() -> PricingPatch {
    PricingPatch::new()
        .price("input_cost_per_token", 0.000002)
        .price("output_cost_per_token", 0.000008)
}

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_sends_every_filter_and_paging() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_pricing_overrides")
        .authorization(AUTHORIZATION)
        .query("limit", "50")
        .query("offset", "100")
        .query("search", "disc")
        .query("scope_kind", "virtual_key_provider_key")
        .query("virtual_key_id", "vk-1")
        .query("provider_id", "openai")
        .query("provider_key_id", "key-1")
        .respond(Reply::ok(json!({
            "pricing_overrides": [full_override()],
            "count": 1,
            "total_count": 101,
            "limit": 50,
            "offset": 100
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .pricing_overrides()
        .list()
        .search("disc")
        .scope_kind(PricingScopeKind::VirtualKeyProviderKey)
        .virtual_key_id("vk-1")
        .provider_id("openai")
        .provider_key_id("key-1")
        .page_size(50)
        .offset(100)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (101, 50, 100));
    assert_full_override(&page.items[0]);
    assert_eq!(guard.requests()[0].query.len(), 7);
}

// ------------------------------------------------------------------ create

async fn create_mock(server: &MockServer, status: u16, times: u64) -> ContractGuard {
    contract::expect("create_pricing_override")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            status,
            json!({ "message": "Pricing override created successfully", "pricing_override": full_override() }),
        ))
        .times(times)
        .mount(server)
        .await
}

#[tokio::test]
async fn create_answered_201_decodes_the_override_and_sends_the_wire_form() {
    let server = MockServer::start().await;
    let guard = create_mock(&server, 201, 1).await;

    let created = client(&server.uri())
        .pricing_overrides()
        .create(
            "vk discount",
            PricingScope::VirtualKeyProvider {
                virtual_key_id: "vk-1".into(),
                provider: "openai".into(),
            },
            ModelPattern::Prefix("gpt-4o".into()),
            ["chat_completion", "responses"],
            discount(),
        )
        .send()
        .await
        .unwrap();

    assert_full_override(&created);
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "vk discount",
            "scope_kind": "virtual_key_provider",
            "virtual_key_id": "vk-1",
            "provider_id": "openai",
            "match_type": "wildcard",
            "pattern": "gpt-4o*",
            "request_types": ["chat_completion", "responses"],
            "patch": { "input_cost_per_token": 0.000002, "output_cost_per_token": 0.000008 }
        })
    );
}

#[tokio::test]
async fn create_answered_200_is_accepted_too() {
    let server = MockServer::start().await;
    let guard = create_mock(&server, 200, 1).await;

    let created = client(&server.uri())
        .pricing_overrides()
        .create(
            "global images",
            PricingScope::Global,
            ModelPattern::Any,
            ["image_generation"],
            PricingPatch::new().price("output_cost_per_image", 0.04),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(created.id, "po-1");
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "global images",
            "scope_kind": "global",
            "match_type": "wildcard",
            "pattern": "*",
            "request_types": ["image_generation"],
            "patch": { "output_cost_per_image": 0.04 }
        })
    );
}

#[tokio::test]
async fn create_sends_exactly_the_ids_of_each_scope() {
    let server = MockServer::start().await;
    let guard = create_mock(&server, 201, 3).await;
    let overrides = client(&server.uri()).pricing_overrides();

    for scope in [
        PricingScope::Provider {
            provider: "azure".into(),
        },
        PricingScope::ProviderKey {
            provider_key_id: "key-1".into(),
        },
        PricingScope::VirtualKeyProviderKey {
            virtual_key_id: "vk-1".into(),
            provider: "openai".into(),
            provider_key_id: "key-1".into(),
        },
    ] {
        overrides
            .create(
                "po",
                scope,
                ModelPattern::Exact("gpt-4o".into()),
                ["embedding"],
                PricingPatch::default(),
            )
            .send()
            .await
            .unwrap();
    }

    let ids: Vec<Value> = guard
        .bodies()
        .into_iter()
        .map(|b| {
            json!([
                b["scope_kind"],
                b.get("virtual_key_id"),
                b.get("provider_id"),
                b.get("provider_key_id"),
                b["match_type"],
                b["pattern"],
                b["patch"]
            ])
        })
        .collect();
    assert_eq!(
        ids,
        [
            json!(["provider", null, "azure", null, "exact", "gpt-4o", {}]),
            json!(["provider_key", null, null, "key-1", "exact", "gpt-4o", {}]),
            json!([
                "virtual_key_provider_key",
                "vk-1",
                "openai",
                "key-1",
                "exact",
                "gpt-4o",
                {}
            ])
        ]
    );
}

#[tokio::test]
async fn invalid_creates_produce_zero_requests() {
    let server = MockServer::start().await;
    let guard = create_mock(&server, 201, 0).await;
    let overrides = client(&server.uri()).pricing_overrides();
    let create = |name: &str,
                  scope: PricingScope,
                  pattern: ModelPattern,
                  types: &[&str],
                  patch: PricingPatch| {
        overrides.create(name, scope, pattern, types.iter().copied(), patch)
    };
    let vk = || PricingScope::VirtualKey {
        virtual_key_id: "vk-1".into(),
    };

    let cases = [
        (
            "blank name",
            create(
                " ",
                vk(),
                ModelPattern::Any,
                &["chat_completion"],
                discount(),
            )
            .send()
            .await,
        ),
        (
            "blank provider",
            create(
                "p",
                PricingScope::Provider {
                    provider: " ".into(),
                },
                ModelPattern::Any,
                &["chat_completion"],
                discount(),
            )
            .send()
            .await,
        ),
        (
            "star in exact",
            create(
                "p",
                vk(),
                ModelPattern::Exact("gpt-*".into()),
                &["chat_completion"],
                discount(),
            )
            .send()
            .await,
        ),
        (
            "star in prefix",
            create(
                "p",
                vk(),
                ModelPattern::Prefix("gpt*".into()),
                &["chat_completion"],
                discount(),
            )
            .send()
            .await,
        ),
        (
            "no request types",
            create("p", vk(), ModelPattern::Any, &[], discount())
                .send()
                .await,
        ),
        (
            "stream variant",
            create(
                "p",
                vk(),
                ModelPattern::Any,
                &["chat_completion_stream"],
                discount(),
            )
            .send()
            .await,
        ),
        (
            "negative price",
            create(
                "p",
                vk(),
                ModelPattern::Any,
                &["chat_completion"],
                PricingPatch::new().price("input_cost_per_token", -1.0),
            )
            .send()
            .await,
        ),
        (
            "NaN price",
            create(
                "p",
                vk(),
                ModelPattern::Any,
                &["speech"],
                PricingPatch::new().price("output_cost_per_second", f64::NAN),
            )
            .send()
            .await,
        ),
    ];

    for (what, result) in cases {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{what}: {err:?}");
    }
    assert_eq!(guard.request_count(), 0);
}

#[tokio::test]
async fn create_refused_by_the_server_is_a_bad_request() {
    let server = MockServer::start().await;
    let guard = contract::expect("create_pricing_override")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            400,
            bifrost_error(400, "unknown request type: hologram"),
        ))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .pricing_overrides()
        .create(
            "p",
            PricingScope::Global,
            ModelPattern::Any,
            ["hologram"],
            discount(),
        )
        .send()
        .await
        .unwrap_err();

    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(
        err.as_api().unwrap().message,
        "unknown request type: hologram"
    );
    assert_eq!(guard.request_count(), 1, "creates are never retried");
}

// ------------------------------------------------------------------ update

async fn update_mock(server: &MockServer, times: u64) -> ContractGuard {
    contract::expect("update_pricing_override")
        .authorization(AUTHORIZATION)
        .path_param("override_id", "po-1")
        .respond(Reply::ok(json!({
            "message": "Pricing override updated successfully",
            "pricing_override": full_override()
        })))
        .times(times)
        .mount(server)
        .await
}

#[tokio::test]
async fn update_sends_only_what_was_set() {
    let server = MockServer::start().await;
    let guard = update_mock(&server, 3).await;
    let overrides = client(&server.uri()).pricing_overrides();

    let updated = overrides.update("po-1").send().await.unwrap();
    assert_full_override(&updated);
    overrides
        .update("po-1")
        .set_scope(PricingScope::Provider {
            provider: "azure".into(),
        })
        .set_pattern(ModelPattern::Exact("gpt-4o".into()))
        .send()
        .await
        .unwrap();
    overrides
        .update("po-1")
        .set_name("renamed")
        .set_request_types(["embedding", "responses"])
        .set_patch(PricingPatch::new().price("cache_read_input_token_cost", 0.0))
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.bodies(),
        [
            json!({}),
            json!({ "scope_kind": "provider", "provider_id": "azure", "match_type": "exact", "pattern": "gpt-4o" }),
            json!({
                "name": "renamed",
                "request_types": ["embedding", "responses"],
                "patch": { "cache_read_input_token_cost": 0.0 }
            })
        ]
    );
}

#[tokio::test]
async fn invalid_updates_produce_zero_requests() {
    let server = MockServer::start().await;
    let guard = update_mock(&server, 0).await;
    let overrides = client(&server.uri()).pricing_overrides();

    let cases = [
        ("blank id", overrides.update("").set_name("x").send().await),
        (
            "blank name",
            overrides.update("po-1").set_name(" ").send().await,
        ),
        (
            "blank scope id",
            overrides
                .update("po-1")
                .set_scope(PricingScope::ProviderKey {
                    provider_key_id: String::new(),
                })
                .send()
                .await,
        ),
        (
            "padded pattern",
            overrides
                .update("po-1")
                .set_pattern(ModelPattern::Exact(" gpt-4o".into()))
                .send()
                .await,
        ),
        (
            "stream variant",
            overrides
                .update("po-1")
                .set_request_types(["embedding_stream"])
                .send()
                .await,
        ),
        (
            "no request types",
            overrides
                .update("po-1")
                .set_request_types(Vec::<String>::new())
                .send()
                .await,
        ),
        (
            "infinite price",
            overrides
                .update("po-1")
                .set_patch(PricingPatch::new().price("input_cost_per_character", f64::INFINITY))
                .send()
                .await,
        ),
    ];

    for (what, result) in cases {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{what}: {err:?}");
    }
    assert_eq!(guard.request_count(), 0);
}

// Deletes, and the not-found and conflict shapes every resource shares, are in
// contract_resource_shapes.rs.
