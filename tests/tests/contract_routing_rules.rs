//! Contract tests of the routing-rule operations, through the ergonomic crate:
//! requests are checked against openapi.yaml, canned responses are validated, and
//! the exact query and bodies sent are asserted. Targets, fallbacks and scopes that
//! the server would refuse are refused before any request.

use bifrost_governance::Error;
use bifrost_governance::Scope;
use bifrost_governance::resources::routing_rules::{Fallback, RoutingTargetSpec};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use bifrost_governance_wiremock::fixtures::bifrost_error;
use serde_json::{Value, json};
use wiremock::MockServer;

/// A server with every routing feature.
const NEWEST: &str = "v2.3.1";

fn rule(id: &str, name: &str, cel: &str, priority: i64) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "cheaper model for simple prompts",
        "enabled": true,
        "chain_rule": false,
        "cel_expression": cel,
        "targets": [
            { "provider": "openai", "model": "gpt-4o-mini", "key_id": "key-1", "provider_key_name": "main", "weight": 0.7 },
            { "provider": "azure", "model": "", "weight": 0.3 }
        ],
        "fallbacks": [
            "anthropic/claude-3-5-haiku",
            "groq/",
            { "provider": "openai", "model": "gpt-4o", "key_id": "key-9" }
        ],
        "query": null,
        "scope": "team",
        "scope_id": "team-1",
        "priority": priority,
        "config_hash": "h",
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-03T03:04:05Z"
    })
}

fn full_rule() -> Value {
    rule("rule-1", "cheap", "model == \"gpt-4o\"", 10)
}

fn assert_full_rule(r: &bifrost_governance::types::RoutingRule) {
    assert_eq!(r.id, "rule-1");
    assert_eq!(r.name.as_deref(), Some("cheap"));
    assert_eq!(
        r.description.as_deref(),
        Some("cheaper model for simple prompts")
    );
    assert_eq!((r.enabled, r.chain_rule), (Some(true), Some(false)));
    assert_eq!(r.cel_expression.as_deref(), Some("model == \"gpt-4o\""));
    let targets = r.targets.as_ref().expect("targets");
    assert_eq!(
        targets
            .iter()
            .map(|t| (
                t.provider.as_deref(),
                t.model.as_deref(),
                t.key_id.as_deref(),
                t.weight
            ))
            .collect::<Vec<_>>(),
        [
            (
                Some("openai"),
                Some("gpt-4o-mini"),
                Some("key-1"),
                Some(0.7)
            ),
            (Some("azure"), Some(""), None, Some(0.3))
        ]
    );
    assert_eq!(targets[0].provider_key_name.as_deref(), Some("main"));
    assert_eq!(
        r.fallbacks.as_deref(),
        Some(
            &[
                Fallback::model("anthropic/claude-3-5-haiku"),
                Fallback::model("groq/"),
                Fallback::pinned("openai", "gpt-4o", "key-9"),
            ][..]
        )
    );
    assert_eq!(
        (r.scope.as_deref(), r.scope_id.as_deref()),
        (Some("team"), Some("team-1"))
    );
    assert_eq!(r.priority, Some(10));
    assert_eq!(r.created_at.map(|t| t.timestamp()), Some(1_767_323_045));
}

fn written(rule: Value) -> Reply {
    Reply::ok(json!({ "message": "Routing rule updated successfully", "rule": rule }))
}

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_sends_search_and_paging_and_decodes_the_page() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = contract::expect("list_routing_rules")
        .authorization(AUTHORIZATION)
        .query("limit", "5")
        .query("offset", "10")
        .query("search", "cheap")
        .no_query("scope")
        .no_query("scope_id")
        .respond(Reply::ok(json!({
            "rules": [full_rule()],
            "count": 1,
            "total_count": 11,
            "limit": 5,
            "offset": 10
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .routing_rules()
        .list()
        .search("cheap")
        .page_size(5)
        .offset(10)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (11, 5, 10));
    assert_full_rule(&page.items[0]);
    let seen = &guard.requests()[0];
    assert_eq!(seen.query.len(), 3, "{:?}", seen.query);
    assert!(seen.raw_body.is_empty());
}

#[tokio::test]
async fn a_scoped_list_sends_scope_and_scope_id_only_and_is_searched_and_paged_locally() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    // With a scope the server ignores paging and search and answers every rule.
    let guard = contract::expect("list_routing_rules")
        .authorization(AUTHORIZATION)
        .query("scope", "virtual_key")
        .query("scope_id", "vk-1")
        .no_query("limit")
        .no_query("offset")
        .no_query("search")
        .respond(Reply::ok(json!({
            "rules": [
                rule("r-1", "cheap", "model == \"gpt-4o\"", 1),
                rule("r-2", "EU", "region == \"eu\"", 2),
                rule("r-3", "cheap-eu", "true", 3),
                rule("r-4", "premium", "model == \"GPT-4o\"", 4)
            ],
            "count": 4
        })))
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .routing_rules()
        .list()
        .scope(Scope::VirtualKey("vk-1".into()))
        .search("CHEAP")
        .page_size(1)
        .offset(1)
        .send()
        .await
        .unwrap();

    assert_eq!(
        page.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r-3"]
    );
    assert_eq!((page.total_count, page.limit, page.offset), (2, 1, 1));
    assert_eq!(guard.requests()[0].query.len(), 2);
}

#[tokio::test]
async fn a_global_scoped_list_sends_no_scope_id() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = contract::expect("list_routing_rules")
        .authorization(AUTHORIZATION)
        .query("scope", "global")
        .no_query("scope_id")
        .respond(Reply::ok(json!({ "rules": null })))
        .mount(&server)
        .await;

    let all = client(&server.uri())
        .routing_rules()
        .list()
        .scope(Scope::Global)
        .collect_all()
        .await
        .unwrap();

    assert!(all.is_empty(), "`rules: null` is an empty list");
    assert_eq!(guard.request_count(), 1);
}

#[tokio::test]
async fn a_list_with_a_blank_scope_id_sends_nothing() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = contract::expect("list_routing_rules")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "rules": [] })))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .routing_rules()
        .list()
        .scope(Scope::Team(" ".into()))
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(guard.request_count(), 0);
}

// ------------------------------------------------------------------ get

#[tokio::test]
async fn get_decodes_every_field() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = contract::expect("get_routing_rule")
        .authorization(AUTHORIZATION)
        .path_param("rule_id", "rule-1")
        .respond(Reply::ok(json!({ "rule": full_rule() })))
        .times(1)
        .mount(&server)
        .await;

    let r = client(&server.uri())
        .routing_rules()
        .get("rule-1")
        .await
        .unwrap();

    assert_full_rule(&r);
    assert!(guard.requests()[0].raw_body.is_empty());
    let editable: Vec<_> = r
        .targets
        .iter()
        .flatten()
        .map(RoutingTargetSpec::from_existing)
        .collect();
    assert_eq!(
        editable,
        [
            RoutingTargetSpec::provider("openai")
                .model("gpt-4o-mini")
                .key_id("key-1")
                .weight(0.7),
            RoutingTargetSpec::provider("azure").weight(0.3)
        ]
    );
}

// ------------------------------------------------------------------ create

async fn create_mock(server: &MockServer, times: u64) -> ContractGuard {
    contract::expect("create_routing_rule")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Routing rule created successfully", "rule": full_rule() }),
        ))
        .times(times)
        .mount(server)
        .await
}

#[tokio::test]
async fn create_sends_every_field_that_was_set() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = create_mock(&server, 1).await;

    let r = client(&server.uri())
        .routing_rules()
        .create("cheap")
        .description("cheaper model for simple prompts")
        .cel_expression("model == \"gpt-4o\"")
        .target(
            RoutingTargetSpec::provider("openai")
                .model("gpt-4o-mini")
                .key_id("key-1")
                .weight(0.7),
        )
        .target(RoutingTargetSpec::provider("azure").weight(0.3))
        .fallback("anthropic/claude-3-5-haiku")
        .fallback("groq/")
        .scope(Scope::Team("team-1".into()))
        .priority(10)
        .enabled(true)
        .chain_rule(false)
        .send()
        .await
        .unwrap();

    assert_full_rule(&r);
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "cheap",
            "description": "cheaper model for simple prompts",
            "enabled": true,
            "chain_rule": false,
            "cel_expression": "model == \"gpt-4o\"",
            "targets": [
                { "provider": "openai", "model": "gpt-4o-mini", "key_id": "key-1", "weight": 0.7 },
                { "provider": "azure", "weight": 0.3 }
            ],
            "fallbacks": ["anthropic/claude-3-5-haiku", "groq/"],
            "scope": "team",
            "scope_id": "team-1",
            "priority": 10
        })
    );
}

#[tokio::test]
async fn create_with_one_target_sends_only_the_name_and_target() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = create_mock(&server, 1).await;

    client(&server.uri())
        .routing_rules()
        .create("all-to-azure")
        .target(RoutingTargetSpec::any_provider().model("gpt-4o-mini"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({ "name": "all-to-azure", "targets": [{ "model": "gpt-4o-mini", "weight": 1.0 }] })
    );
}

#[tokio::test]
async fn create_with_a_global_scope_sends_no_scope_id() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = create_mock(&server, 1).await;

    client(&server.uri())
        .routing_rules()
        .create("g")
        .target(RoutingTargetSpec::provider("openai"))
        .scope(Scope::Global)
        .send()
        .await
        .unwrap();

    let body = guard.single_body();
    assert_eq!(body["scope"], "global");
    assert!(body.get("scope_id").is_none(), "{body}");
}

#[tokio::test]
async fn invalid_creates_produce_zero_requests() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = create_mock(&server, 0).await;
    let rules = client(&server.uri()).routing_rules();
    let openai = || RoutingTargetSpec::provider("openai");

    let cases = [
        ("no target", rules.create("r").send().await),
        (
            "weights sum to 0.9",
            rules
                .create("r")
                .target(openai().weight(0.6))
                .target(RoutingTargetSpec::provider("azure").weight(0.3))
                .send()
                .await,
        ),
        (
            "negative weight",
            rules
                .create("r")
                .target(openai().weight(1.5))
                .target(RoutingTargetSpec::provider("azure").weight(-0.5))
                .send()
                .await,
        ),
        (
            "key_id without provider",
            rules
                .create("r")
                .target(RoutingTargetSpec::any_provider().key_id("key-1"))
                .send()
                .await,
        ),
        (
            "repeated target",
            rules
                .create("r")
                .target(
                    RoutingTargetSpec::provider("OpenAI")
                        .model("gpt-4o")
                        .weight(0.5),
                )
                .target(openai().model("GPT-4o").weight(0.5))
                .send()
                .await,
        ),
        (
            "fallback without provider",
            rules
                .create("r")
                .target(openai())
                .fallback("gpt-4o")
                .send()
                .await,
        ),
        (
            "blank scope id",
            rules
                .create("r")
                .target(openai())
                .scope(Scope::Customer(String::new()))
                .send()
                .await,
        ),
        (
            "blank name",
            rules.create(" ").target(openai()).send().await,
        ),
        (
            "blank model",
            rules.create("r").target(openai().model(" ")).send().await,
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
    let _version = mount_version(&server, NEWEST).await;
    let guard = contract::expect("create_routing_rule")
        .authorization(AUTHORIZATION)
        .respond(Reply::json(
            400,
            bifrost_error(400, "invalid CEL expression: undeclared reference"),
        ))
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .routing_rules()
        .create("r")
        .cel_expression("nonsense ==")
        .target(RoutingTargetSpec::provider("openai"))
        .send()
        .await
        .unwrap_err();

    assert!(err.is_bad_request(), "{err:?}");
    assert!(err.to_string().contains("invalid CEL expression"), "{err}");
    assert_eq!(guard.request_count(), 1);
}

// ------------------------------------------------------------------ update

async fn update_mock(server: &MockServer, times: u64) -> ContractGuard {
    contract::expect("update_routing_rule")
        .authorization(AUTHORIZATION)
        .path_param("rule_id", "rule-1")
        .respond(written(full_rule()))
        .times(times)
        .mount(server)
        .await
}

#[tokio::test]
async fn update_sends_every_field_that_was_set() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = update_mock(&server, 1).await;

    let r = client(&server.uri())
        .routing_rules()
        .update("rule-1")
        .set_name("cheap-2")
        .set_description("d")
        .set_cel_expression("true")
        .set_targets(vec![
            RoutingTargetSpec::provider("openai").weight(0.5),
            RoutingTargetSpec::provider("anthropic")
                .model("claude-3-5-haiku")
                .weight(0.5),
        ])
        .set_fallbacks(["azure/"])
        .set_scope(Scope::Customer("cust-1".into()))
        .set_priority(3)
        .set_enabled(false)
        .set_chain_rule(true)
        .send()
        .await
        .unwrap();

    assert_full_rule(&r);
    assert_eq!(
        guard.single_body(),
        json!({
            "name": "cheap-2",
            "description": "d",
            "cel_expression": "true",
            "targets": [
                { "provider": "openai", "weight": 0.5 },
                { "provider": "anthropic", "model": "claude-3-5-haiku", "weight": 0.5 }
            ],
            "fallbacks": ["azure/"],
            "scope": "customer",
            "scope_id": "cust-1",
            "priority": 3,
            "enabled": false,
            "chain_rule": true
        })
    );
}

#[tokio::test]
async fn update_with_nothing_set_sends_an_empty_object_and_empty_fallbacks_clear_them() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = update_mock(&server, 2).await;
    let rules = client(&server.uri()).routing_rules();

    rules.update("rule-1").send().await.unwrap();
    rules
        .update("rule-1")
        .set_fallbacks(Vec::<Fallback>::new())
        .send()
        .await
        .unwrap();

    assert_eq!(guard.bodies(), [json!({}), json!({ "fallbacks": [] })]);
}

#[tokio::test]
async fn invalid_updates_produce_zero_requests() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = update_mock(&server, 0).await;
    let rules = client(&server.uri()).routing_rules();

    let cases = [
        (
            "blank name",
            rules.update("rule-1").set_name("").send().await,
        ),
        (
            "no targets",
            rules.update("rule-1").set_targets(vec![]).send().await,
        ),
        (
            "weights sum to 2",
            rules
                .update("rule-1")
                .set_targets(vec![
                    RoutingTargetSpec::provider("openai"),
                    RoutingTargetSpec::provider("azure"),
                ])
                .send()
                .await,
        ),
        (
            "fallback without provider",
            rules
                .update("rule-1")
                .set_fallbacks(["/gpt-4o"])
                .send()
                .await,
        ),
        (
            "blank scope id",
            rules
                .update("rule-1")
                .set_scope(Scope::VirtualKey(" ".into()))
                .send()
                .await,
        ),
        ("blank id", rules.update(" ").set_priority(1).send().await),
    ];

    for (what, result) in cases {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{what}: {err:?}");
    }
    assert_eq!(guard.request_count(), 0);
}

// ------------------------------------------------------------------ routes by server version

// Deletes, and the not-found and conflict shapes every resource shares, are in
// contract_resource_shapes.rs.

/// Mounts one operation answering `reply`, expecting exactly `times` requests.
async fn expect_op(server: &MockServer, op: &str, reply: Reply, times: u64) -> ContractGuard {
    contract::expect(op)
        .authorization(AUTHORIZATION)
        .respond(reply)
        .times(times)
        .mount(server)
        .await
}

/// Runs every routing operation once against `version` and checks that each went
/// to the operations named with the `used` suffix ("" for `/api/routing/rules`,
/// "_legacy" for `/api/governance/routing-rules`) and none to the `unused` ones.
async fn run_every_operation(version: &str, used: &str, unused: &str) {
    let server = MockServer::start().await;
    let _version = mount_version(&server, version).await;
    let page = Reply::ok(
        json!({ "rules": [full_rule()], "count": 1, "total_count": 1, "limit": 100, "offset": 0 }),
    );
    let one = Reply::ok(json!({ "rule": full_rule() }));
    let gone = Reply::ok(json!({ "message": "Routing rule deleted successfully" }));
    let mut guards = Vec::new();
    for (suffix, times) in [(used, 1u64), (unused, 0)] {
        for (op, reply) in [
            ("list_routing_rules", page.clone()),
            ("get_routing_rule", one.clone()),
            ("create_routing_rule", one.clone()),
            ("update_routing_rule", one.clone()),
            ("delete_routing_rule", gone.clone()),
        ] {
            let name = format!("{op}{suffix}");
            guards.push((expect_op(&server, &name, reply, times).await, name, times));
        }
    }
    let rules = client(&server.uri()).routing_rules();
    assert_eq!(rules.list().collect_all().await.unwrap().len(), 1);
    assert_full_rule(&rules.get("rule-1").await.unwrap());
    rules
        .create("cheap")
        .target(RoutingTargetSpec::provider("openai"))
        .send()
        .await
        .unwrap();
    rules.update("rule-1").set_priority(3).send().await.unwrap();
    rules.delete("rule-1").await.unwrap();
    for (guard, name, times) in &guards {
        assert_eq!(guard.request_count() as u64, *times, "{version}: {name}");
    }
}

#[tokio::test]
async fn v1_servers_get_every_operation_at_the_governance_path() {
    run_every_operation("v1.5.2", "_legacy", "").await;
    run_every_operation("v1.6.11", "_legacy", "").await;
}

#[tokio::test]
async fn v2_servers_get_every_operation_at_the_routing_path() {
    run_every_operation("v2.0.0", "", "_legacy").await;
    run_every_operation(NEWEST, "", "_legacy").await;
}

/// Creates a rule needing one feature against `version`; returns the outcome and
/// how many creates reached the server.
async fn create_needing(
    version: &str,
    build: impl FnOnce(
        bifrost_governance::resources::routing_rules::CreateRoutingRule,
    ) -> bifrost_governance::resources::routing_rules::CreateRoutingRule,
) -> (Result<(), Error>, usize) {
    let server = MockServer::start().await;
    let _version = mount_version(&server, version).await;
    let mut guards = Vec::new();
    for op in ["create_routing_rule", "create_routing_rule_legacy"] {
        guards.push(
            contract::expect(op)
                .authorization(AUTHORIZATION)
                .respond(Reply::ok(json!({ "rule": full_rule() })))
                .mount(&server)
                .await,
        );
    }
    let create = client(&server.uri())
        .routing_rules()
        .create("feature")
        .target(RoutingTargetSpec::provider("openai"));
    let outcome = build(create).send().await.map(|_| ());
    (
        outcome,
        guards.iter().map(ContractGuard::request_count).sum(),
    )
}

#[tokio::test]
async fn features_newer_than_the_server_are_refused_before_sending() {
    use bifrost_governance::Capability;
    use std::time::Duration;
    type Build = fn(
        bifrost_governance::resources::routing_rules::CreateRoutingRule,
    ) -> bifrost_governance::resources::routing_rules::CreateRoutingRule;
    let cases: [(&str, Capability, &str, Build); 3] = [
        (
            "pinned fallback",
            Capability::PinnedFallbacks,
            "v2.2.2",
            |c| c.fallback(Fallback::pinned("openai", "gpt-4o", "key-1")),
        ),
        ("ttft deadline", Capability::TtftTimeout, "v2.2.5", |c| {
            c.target(
                RoutingTargetSpec::provider("azure")
                    .weight(0.0)
                    .ttft_timeout(Duration::from_secs(2)),
            )
        }),
        ("user scope", Capability::UserScopes, "v1.6.6", |c| {
            c.scope(Scope::User("user-1".into()))
        }),
    ];
    for (what, capability, too_old, build) in cases {
        let (outcome, sent) = create_needing(too_old, build).await;
        match outcome {
            Err(Error::Unsupported {
                capability: refused,
                ..
            }) => assert_eq!(refused, capability, "{what}"),
            other => panic!("{what} on {too_old}: expected Unsupported, got {other:?}"),
        }
        assert_eq!(sent, 0, "{what}: nothing may reach {too_old}");
        let (outcome, sent) = create_needing(NEWEST, build).await;
        assert!(outcome.is_ok(), "{what} on {NEWEST}: {outcome:?}");
        assert_eq!(sent, 1, "{what}");
    }
}

#[tokio::test]
async fn pinned_fallbacks_user_scopes_and_deadlines_are_sent_as_the_server_reads_them() {
    use std::time::Duration;
    let server = MockServer::start().await;
    let _version = mount_version(&server, NEWEST).await;
    let guard = create_mock(&server, 1).await;

    client(&server.uri())
        .routing_rules()
        .create("pinned")
        .target(
            RoutingTargetSpec::provider("openai")
                .model("gpt-4o")
                .ttft_timeout(Duration::from_millis(1500)),
        )
        .fallback("anthropic/claude-3-5-haiku")
        .fallback(Fallback::pinned("openai", "gpt-4o-mini", "key-2"))
        .scope(Scope::User("user-7".into()))
        .send()
        .await
        .unwrap();

    assert_eq!(
        guard.single_body(),
        json!({
            "name": "pinned",
            "targets": [{ "provider": "openai", "model": "gpt-4o", "weight": 1.0, "ttft_timeout_ms": 1500 }],
            "fallbacks": [
                "anthropic/claude-3-5-haiku",
                { "provider": "openai", "model": "gpt-4o-mini", "key_id": "key-2" }
            ],
            "scope": "user",
            "scope_id": "user-7"
        })
    );
}
