//! Every seed example and every tolerance fixture, served by a spec-driven mock as
//! the response of its operation and decoded through the ergonomic crate's call
//! (not just `serde_json::from_str` into the generated type, which `decode.rs`
//! covers): envelopes, `null` lists, unknown fields and values must survive the
//! SDK's own unwrapping, paging and error mapping.
//!
//! Replies go through `Reply::json`, so each fixture is also checked against the
//! response schema of the operation it is served for.

use std::collections::BTreeSet;

use bifrost_governance::resources::pricing_overrides::{
    ModelPattern, PricingScope, parse_pricing_patch,
};
use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
use bifrost_governance::{Client, Error, SecretString};
use bifrost_governance_tests::contract::{self, Reply};
use bifrost_governance_tests::support::{
    AUTHORIZATION, client, fixture, mount_version, serve_fixture,
};
use serde_json::json;
use wiremock::MockServer;

async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    (server, c)
}

fn exposed(value: &Option<SecretString>) -> Option<&str> {
    value.as_ref().map(SecretString::expose_secret)
}

// ------------------------------------------------------------------ seeds

/// The v2 documentation example of a key, as decoded from any of the v2 seeds.
fn assert_v2_seed_key(vk: &bifrost_governance::types::VirtualKey) {
    assert_eq!((vk.id.as_str(), vk.name.as_str()), ("<string>", "<string>"));
    assert_eq!(exposed(&vk.value), Some("<string>"));
    assert_eq!(vk.is_active, Some(true));
    let pc = &vk.provider_configs.as_ref().expect("provider configs")[0];
    assert_eq!(
        (pc.id, pc.weight, pc.allow_all_keys),
        (Some(123), Some(123.0), Some(true))
    );
    assert_eq!(
        pc.blacklisted_models.as_deref(),
        Some(&["<string>".to_string()][..])
    );
    assert_eq!(
        pc.budgets.as_ref().expect("config budgets")[0].max_limit,
        Some(123.0)
    );
    let key = &pc.keys.as_ref().expect("keys")[0];
    assert_eq!(key.key_id.as_deref(), Some("<string>"));
    assert_eq!(
        key.value.as_ref().unwrap().value().expose_secret(),
        "<string>"
    );
    assert_eq!(key.value.as_ref().unwrap().from_env, Some(true));
    assert_eq!(vk.budgets.as_ref().expect("budgets").len(), 1);
    let mcp = &vk.mcp_configs.as_ref().expect("mcp configs")[0];
    assert_eq!(
        mcp.mcp_client.as_ref().and_then(|c| c.name.as_deref()),
        Some("<string>")
    );
    assert_eq!(vk.created_by_user_id.as_deref(), Some("<string>"));
}

/// The v1 documentation example: singular budget on provider configs, MCP configs
/// naming their client directly. The two v1 pages use different placeholders
/// (`"string"` and `"<string>"`).
fn assert_v1_seed_key(vk: &bifrost_governance::types::VirtualKey, placeholder: &str) {
    assert_eq!(
        (vk.id.as_str(), vk.name.as_str()),
        (placeholder, placeholder)
    );
    assert_eq!(exposed(&vk.value), Some(placeholder));
    assert_eq!(vk.description.as_deref(), Some(placeholder));
    let pc = &vk.provider_configs.as_ref().expect("provider configs")[0];
    assert_eq!(pc.budget.as_ref().map(|b| b.id.as_str()), Some(placeholder));
    assert!(pc.budgets.is_none() && pc.allow_all_keys.is_none());
    assert_eq!(
        pc.rate_limit.as_ref().map(|r| r.id.as_str()),
        Some(placeholder)
    );
    let key = &pc.keys.as_ref().expect("keys")[0];
    assert_eq!(
        key.bedrock_secret_key
            .as_ref()
            .unwrap()
            .value()
            .expose_secret(),
        placeholder
    );
    let mcp = &vk.mcp_configs.as_ref().expect("mcp configs")[0];
    assert_eq!(mcp.mcp_client_name.as_deref(), Some(placeholder));
    assert_eq!(
        mcp.tools_to_execute.as_deref(),
        Some(&[placeholder.to_string()][..])
    );
    assert!(vk.team_id.is_none() && vk.budgets.is_none());
}

#[tokio::test]
async fn seed_vk_create_v2_through_create() {
    let (server, c) = start().await;
    let guard = serve_fixture(&server, "create_virtual_key", "seeds/vk_create_v2.json").await;

    let vk = c.virtual_keys().create("seed").send().await.unwrap();

    assert_v2_seed_key(&vk);
    assert_eq!(
        vk.team
            .as_ref()
            .and_then(|t| t.customer.as_ref())
            .and_then(|c| c.teams.clone()),
        Some(vec![])
    );
    assert_eq!(guard.single_body(), json!({ "name": "seed" }));
}

#[tokio::test]
async fn seed_vk_create_v1_through_create() {
    let (server, c) = start().await;
    let _guard = serve_fixture(&server, "create_virtual_key", "seeds/vk_create_v1.json").await;

    let vk = c.virtual_keys().create("seed").send().await.unwrap();

    assert_v1_seed_key(&vk, "string");
}

#[tokio::test]
async fn seed_vk_update_v2_through_update() {
    let (server, c) = start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let put = serve_fixture(&server, "update_virtual_key", "seeds/vk_update_v2.json").await;

    let vk = c
        .virtual_keys()
        .update("<string>")
        .set_description("seeded")
        .send()
        .await
        .unwrap();

    assert_v2_seed_key(&vk);
    assert_eq!(put.single_body(), json!({ "description": "seeded" }));
}

#[tokio::test]
async fn seed_vk_update_v1_through_get_and_update() {
    let (server, c) = start().await;
    let _version = mount_version(&server, "v1.5.2").await;
    // The v1 server path reads the key first: serve the v1 seed for both calls.
    let get = serve_fixture(&server, "get_virtual_key", "seeds/vk_update_v1.json").await;
    let put = serve_fixture(&server, "update_virtual_key", "seeds/vk_update_v1.json").await;

    let vk = c
        .virtual_keys()
        .update("<string>")
        .set_enabled(false)
        .send()
        .await
        .unwrap();

    assert_v1_seed_key(&vk, "<string>");
    assert_eq!(get.request_count(), 1);
    // The seed key has no team or customer: nothing to send again.
    assert_eq!(put.single_body(), json!({ "is_active": false }));
}

#[tokio::test]
async fn seed_vk_list_v2_through_list() {
    let (server, c) = start().await;
    let _guard = serve_fixture(&server, "list_virtual_keys", "seeds/vk_list_v2.json").await;

    let page = c.virtual_keys().list().send().await.unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (123, 123, 123));
    assert_eq!(page.items.len(), 1);
    assert_v2_seed_key(&page.items[0]);
}

#[tokio::test]
async fn seed_customer_update_v2_through_update() {
    let (server, c) = start().await;
    let put = serve_fixture(&server, "update_customer", "seeds/customer_update_v2.json").await;

    let customer = c
        .customers()
        .update("<string>")
        .set_name("seeded")
        .send()
        .await
        .unwrap();

    assert_eq!(
        (customer.id.as_str(), customer.name.as_str()),
        ("<string>", "<string>")
    );
    assert_eq!(
        customer.budget.as_ref().map(|b| b.max_limit),
        Some(Some(123.0))
    );
    assert_eq!(customer.budget_id.as_deref(), Some("<string>"));
    let team = &customer.teams.as_ref().expect("teams")[0];
    assert_eq!(
        team.budget.as_ref().map(|b| b.provider_config_id),
        Some(Some(123))
    );
    let key = &team.virtual_keys.as_ref().expect("team keys")[0];
    assert_eq!(exposed(&key.value), Some("<string>"));
    assert!(
        !customer
            .virtual_keys
            .as_ref()
            .expect("customer keys")
            .is_empty()
    );
    assert_eq!(put.single_body(), json!({ "name": "seeded" }));
}

#[tokio::test]
async fn seed_error_v1_through_a_failing_call() {
    let (server, c) = start().await;
    let _guard = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(400, fixture("seeds/error_v1.json")))
        .mount(&server)
        .await;

    let err = c.virtual_keys().get("vk-1").await.unwrap_err();

    let api = err.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.message, "string");
    assert_eq!(api.error_type.as_deref(), Some("string"));
    assert_eq!(api.code.as_deref(), Some("string"));
    assert_eq!(api.event_id.as_deref(), Some("string"));
    assert_eq!(api.body_json(), Some(fixture("seeds/error_v1.json")));
    assert!(err.is_bad_request());
    assert_eq!(
        err.to_string(),
        "get_virtual_key: server answered 400 Bad Request: string (event string)"
    );
}

// ------------------------------------------------------------------ tolerance

#[tokio::test]
async fn tolerance_vk_list_unknowns_through_list() {
    let (server, c) = start().await;
    let _guard = serve_fixture(
        &server,
        "list_virtual_keys",
        "tolerance/vk_list_unknowns.json",
    )
    .await;

    let keys = c.virtual_keys().list().collect_all().await.unwrap();

    assert_eq!(keys.len(), 1);
    let vk = &keys[0];
    assert_eq!(vk.id, "vk-3");
    assert_eq!(
        exposed(&vk.value),
        Some("sk-bf-11111111-1111-4111-8111-111111111111")
    );
    let pc = &vk.provider_configs.as_ref().unwrap()[0];
    assert_eq!(pc.provider.as_deref(), Some("some-custom-provider-2027"));
    assert_eq!(pc.weight, None);
    let budget = &pc.budgets.as_ref().unwrap()[0];
    assert_eq!(budget.reset_duration.as_deref(), Some("1Q"));
    assert_eq!(
        budget.reset_config.as_ref().unwrap().quarter_start_month,
        Some(2)
    );
    assert_eq!(budget.override_mode.as_deref(), Some("replace_forever"));
    let client = vk.mcp_configs.as_ref().unwrap()[0]
        .mcp_client
        .as_ref()
        .unwrap();
    assert_eq!(client.connection_type.as_deref(), Some("websocket-v9"));
    assert_eq!(client.auth_type.as_deref(), Some("mtls"));
    assert_eq!(
        client.headers.as_ref().unwrap()["Authorization"]
            .value()
            .expose_secret(),
        "Bearer mcp-secret-token"
    );
    assert_eq!(
        vk.team.as_ref().unwrap().profile.as_ref().unwrap()["scim"],
        true
    );
    assert_eq!(
        vk.assigned_user.user().unwrap().email.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(vk.metadata.as_ref().unwrap()["env"], "prod");
    // An editable copy keeps the "every key" selection of `allow_all_keys: true, keys: []`.
    let editable =
        bifrost_governance::resources::virtual_keys::ProviderConfigSpec::from_existing(pc);
    assert_eq!(editable.id(), Some(7));
    assert_eq!(editable.provider(), "some-custom-provider-2027");
}

#[tokio::test]
async fn tolerance_vk_minimal_through_get() {
    let (server, c) = start().await;
    let _guard = serve_fixture(&server, "get_virtual_key", "tolerance/vk_minimal.json").await;

    let vk = c.virtual_keys().get("vk-1").await.unwrap();

    assert_eq!((vk.id.as_str(), vk.name.as_str()), ("vk-1", "bare"));
    assert!(vk.value.is_none() && vk.budgets.is_none() && vk.provider_configs.is_none());
    assert!(
        vk.is_active.is_none(),
        "missing means active; the SDK keeps it absent"
    );
}

#[tokio::test]
async fn tolerance_vk_nulls_through_get() {
    let (server, c) = start().await;
    // Deliberately off-spec, hence raw: servers send explicit `null` for fields the
    // spec declares as plain (non-nullable) strings (`message`, `description`), and
    // the SDK must read them as absent.
    let _guard = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::raw(
            wiremock::ResponseTemplate::new(200).set_body_json(fixture("tolerance/vk_nulls.json")),
        ))
        .mount(&server)
        .await;

    let vk = c.virtual_keys().get("vk-2").await.unwrap();

    assert_eq!(vk.id, "vk-2");
    assert_eq!(
        exposed(&vk.value),
        Some("sk-bf-00000000-0000-4000-8000-000000000000")
    );
    assert!(vk.description.is_none() && vk.is_active.is_none());
    assert!(vk.provider_configs.is_none() && vk.mcp_configs.is_none());
    assert!(vk.team.is_none() && vk.customer.is_none() && vk.team_id.is_none());
    assert!(vk.budgets.is_none() && vk.budget.is_none() && vk.rate_limit.is_none());
    assert!(vk.expires_at.is_none() && vk.rotated_at.is_none() && vk.metadata.is_none());
}

#[tokio::test]
async fn tolerance_list_empty_through_list() {
    let (server, c) = start().await;
    let guard = serve_fixture(&server, "list_virtual_keys", "tolerance/list_empty.json").await;

    let all = c.virtual_keys().list().collect_all().await.unwrap();
    let page = c.virtual_keys().list().send().await.unwrap();

    assert!(all.is_empty() && page.items.is_empty());
    assert_eq!((page.total_count, page.limit, page.offset), (0, 25, 0));
    assert_eq!(
        guard.request_count(),
        2,
        "an empty first page ends the scan"
    );
}

#[tokio::test]
async fn tolerance_customer_null_lists_through_get() {
    let (server, c) = start().await;
    let _guard = serve_fixture(
        &server,
        "get_customer",
        "tolerance/customer_null_lists.json",
    )
    .await;

    let customer = c.customers().get("c-1").await.unwrap();

    assert_eq!(
        (customer.id.as_str(), customer.name.as_str()),
        ("c-1", "Acme")
    );
    assert!(customer.teams.is_none() && customer.virtual_keys.is_none());
    assert!(customer.budgets.is_none() && customer.budget.is_none());
    assert!(customer.rate_limit.is_none() && customer.budget_id.is_none());
    assert_eq!(
        customer.created_at.unwrap().to_rfc3339(),
        "0001-01-01T00:00:00+00:00"
    );
    assert_eq!(
        customer.updated_at.unwrap().to_rfc3339(),
        "2026-05-16T08:11:12.123456789+00:00"
    );
}

#[tokio::test]
async fn tolerance_model_configs_unknowns_through_list() {
    let (server, c) = start().await;
    let _guard = serve_fixture(
        &server,
        "list_model_configs",
        "tolerance/model_configs_unknowns.json",
    )
    .await;

    let configs = c.model_configs().list().collect_all().await.unwrap();

    assert_eq!(configs.len(), 1);
    let config = &configs[0];
    assert_eq!(config.scope.as_deref(), Some("business_unit"));
    assert_eq!(config.scope_id.as_deref(), Some("bu-9"));
    assert_eq!(config.provider, None);
    assert_eq!(config.budgets.as_ref().unwrap()[0].max_limit, Some(10.0));
    assert_eq!(
        config.rate_limit.as_ref().unwrap().request_max_limit,
        Some(5)
    );
}

#[tokio::test]
async fn tolerance_pricing_overrides_unknowns_through_list() {
    let (server, c) = start().await;
    let _guard = serve_fixture(
        &server,
        "list_pricing_overrides",
        "tolerance/pricing_overrides_unknowns.json",
    )
    .await;

    let overrides = c.pricing_overrides().list().collect_all().await.unwrap();

    let o = &overrides[0];
    assert_eq!(
        (o.scope_kind.as_deref(), o.match_type.as_deref()),
        (Some("organization"), Some("regex"))
    );
    assert_eq!(
        o.request_types.as_deref(),
        Some(
            &[
                "chat_completion".to_string(),
                "hologram_generation".to_string()
            ][..]
        )
    );
    assert_eq!(o.virtual_key_id, None);
    // Kinds and match types this SDK does not know are read as "no typed view".
    assert_eq!(PricingScope::from_existing(o), None);
    assert_eq!(ModelPattern::from_existing(o), None);
    assert_eq!(
        parse_pricing_patch(o).unwrap().get("input_cost_per_token"),
        Some(0.000002)
    );
}

#[tokio::test]
async fn tolerance_providers_null_through_list() {
    let (server, c) = start().await;
    let _guard = serve_fixture(
        &server,
        "list_provider_governance",
        "tolerance/providers_null.json",
    )
    .await;

    let providers = c.providers().list().await.unwrap();

    assert!(providers.is_empty());
}

#[tokio::test]
async fn tolerance_quota_v1_through_quota() {
    let (server, c) = start().await;
    // The quota takes the key, not the admin credentials.
    let guard = contract::expect("get_virtual_key_quota")
        .no_authorization()
        .respond(Reply::ok(fixture("tolerance/quota_v1.json")))
        .mount(&server)
        .await;

    let quota = c
        .virtual_keys()
        .quota(&SecretString::from("sk-bf-quota"))
        .await
        .unwrap();

    assert_eq!(quota.virtual_key_name.as_deref(), Some("team-a-prod"));
    assert_eq!(quota.is_active, Some(true));
    assert!(quota.budgets.is_none() && quota.rate_limit.is_none());
    assert!(quota.provider_configs.is_none() && quota.model_configs.is_none());
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn tolerance_rotate_partial_through_rotate_many() {
    let (server, c) = start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let guard = serve_fixture(
        &server,
        "rotate_virtual_keys",
        "tolerance/rotate_partial.json",
    )
    .await;

    let outcome = c.virtual_keys().rotate_many(["a", "b"]).await.unwrap();

    assert_eq!(outcome.rotated.len(), 1);
    assert_eq!(outcome.rotated[0].id, "a");
    assert_eq!(
        exposed(&outcome.rotated[0].value),
        Some("sk-bf-22222222-2222-4222-8222-222222222222")
    );
    assert_eq!(
        outcome.rotated[0]
            .rotated_at
            .map(|t| t.to_rfc3339())
            .as_deref(),
        Some("2026-07-21T10:00:00+00:00")
    );
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(outcome.failures["b"], "virtual key not found");
    assert_eq!(guard.single_body(), json!({ "ids": ["a", "b"] }));
}

#[tokio::test]
async fn tolerance_routing_rules_unknowns_through_list() {
    let (server, c) = start().await;
    let _version = mount_version(&server, "v2.3.1").await;
    let _guard = serve_fixture(
        &server,
        "list_routing_rules",
        "tolerance/routing_rules_unknowns.json",
    )
    .await;

    let rules = c.routing_rules().list().collect_all().await.unwrap();

    let rule = &rules[0];
    assert_eq!(rule.scope.as_deref(), Some("user"));
    assert_eq!(rule.scope_id, None);
    assert_eq!(
        (rule.enabled, rule.chain_rule, rule.priority),
        (Some(true), Some(false), Some(3))
    );
    assert!(rule.fallbacks.is_none() && rule.query.is_none());
    let target = &rule.targets.as_ref().unwrap()[0];
    assert_eq!(
        (target.provider.as_deref(), target.weight),
        (Some("azure"), Some(1.0))
    );
    assert_eq!(
        RoutingTargetSpec::from_existing(target),
        RoutingTargetSpec::provider("azure").weight(1.0)
    );
}

// ------------------------------------------------------------------ completeness

/// Every fixture file is served by a test of this file or `decode_newest.rs`: adding a fixture without a
/// decoding test through the SDK fails here.
#[test]
fn every_fixture_is_decoded_through_the_sdk() {
    let source = [
        include_str!("decode_through_sdk.rs"),
        include_str!("decode_newest.rs"),
    ]
    .concat();
    let mut missing = BTreeSet::new();
    for dir in ["seeds", "tolerance", "newest"] {
        let path = format!("{}/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(&path).unwrap_or_else(|e| panic!("{path}: {e}")) {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && !source.contains(&format!("\"{dir}/{name}\"")) {
                missing.insert(format!("{dir}/{name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures not decoded through the SDK: {missing:?}"
    );
}

/// A body that is not what the operation returns is a decode error naming the
/// operation, not a panic or a half-filled value.
#[tokio::test]
async fn a_fixture_served_for_the_wrong_operation_is_a_decode_error() {
    let (server, c) = start().await;
    // Deliberately off-spec: a list envelope where one key is expected.
    let _guard = contract::expect("get_virtual_key")
        .authorization(AUTHORIZATION)
        .respond(Reply::raw(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(fixture("tolerance/list_empty.json")),
        ))
        .mount(&server)
        .await;

    let err = c.virtual_keys().get("vk-1").await.unwrap_err();

    match &err {
        Error::Decode {
            operation, status, ..
        } => {
            assert_eq!(*operation, "get_virtual_key");
            assert_eq!(status.as_u16(), 200);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}
