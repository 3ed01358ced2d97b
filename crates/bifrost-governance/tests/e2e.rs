//! End to end against the embedded fake server: create → list → update → (rotate) →
//! delete for every resource, through the public API only. Every scenario runs
//! against both behaviour profiles of the fake (Bifrost 1.5.2 and the newest v2), so
//! the SDK's adaptations to 1.5.x meet a server that really behaves like 1.5.x.
//! Where the two servers answer differently the expectation names the
//! `crates/bifrost-governance-mock/FIDELITY.md` row it follows.

use std::time::Duration;

use bifrost_governance::Scope;
use bifrost_governance::resources::pricing_overrides::PricingPatch;
use bifrost_governance::resources::pricing_overrides::{ModelPattern, PricingScope};
use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
use bifrost_governance::resources::virtual_keys::{
    Assignment, McpConfigSpec, ModelBudgetSpec, ProviderConfigSpec, SortOrder, VirtualKeySortBy,
};
use bifrost_governance::{
    BudgetSpec, BudgetSpecs, Client, Error, RateLimitSpec, ResetPeriod, RetryConfig,
};
use bifrost_governance_mock::{Fault, MockServer};

/// A version of each behaviour profile of the fake.
const VERSIONS: [&str; 2] = ["v1.5.2", "v2.3.1"];

fn is_v1_5(version: &str) -> bool {
    version.starts_with("v1.5")
}

async fn setup(version: &str) -> (MockServer, Client) {
    let server = MockServer::builder()
        .api_key("admin-key")
        .version(version)
        .start()
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key("admin-key")
        .retry(RetryConfig::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    (server, client)
}

fn budget(usd: f64, period: ResetPeriod) -> BudgetSpec {
    BudgetSpec::new(usd, period).unwrap()
}

#[tokio::test]
async fn virtual_key_lifecycle() {
    for version in VERSIONS {
        virtual_key_lifecycle_on(version).await;
    }
}

async fn virtual_key_lifecycle_on(version: &str) {
    let (server, client) = setup(version).await;
    let keys = client.virtual_keys();
    let team = client.teams().create("eng").send().await.unwrap();
    let anthropic_key = server
        .provider_keys()
        .into_iter()
        .find(|k| k.provider == "anthropic")
        .unwrap();

    let created = keys
        .create("svc")
        .assign_team(&team.id)
        .budgets(
            BudgetSpecs::try_from([
                budget(10.0, ResetPeriod::days(1)),
                budget(200.0, ResetPeriod::months(1)),
            ])
            .unwrap(),
        )
        .rate_limit(
            RateLimitSpec::builder()
                .requests(60, ResetPeriod::minutes(1))
                .build()
                .unwrap(),
        )
        .provider_config(ProviderConfigSpec::new("openai").models(["gpt-4o"]))
        .provider_config(ProviderConfigSpec::new("anthropic").keys([anthropic_key.key_id.clone()]))
        .mcp_config(McpConfigSpec::new("github").tools(["search"]))
        .send()
        .await
        .unwrap();
    let value = created.value.clone().unwrap();
    assert!(value.expose_secret().starts_with("sk-bf-"));
    assert_eq!(created.team_id.as_deref(), Some(team.id.as_str()));
    assert_eq!(created.budgets.as_ref().unwrap().len(), 2);

    let got = keys.get(&created.id).await.unwrap();
    assert_eq!(got.name, "svc");
    let listed = keys.list().team_id(&team.id).collect_all().await.unwrap();
    assert_eq!(
        listed.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        [created.id.as_str()]
    );

    // A patch that only renames keeps the team, both provider configs (with their
    // key selections) and both budgets.
    let patched = keys
        .patch(&created.id, |vk| vk.name = "svc-renamed".into())
        .await
        .unwrap();
    assert_eq!(patched.name, "svc-renamed");
    assert_eq!(patched.team_id.as_deref(), Some(team.id.as_str()));
    let configs = patched.provider_configs.clone().unwrap();
    assert_eq!(configs.len(), 2);
    let openai = configs
        .iter()
        .find(|c| c.provider.as_deref() == Some("openai"))
        .unwrap();
    assert_eq!(openai.allow_all_keys, Some(true));
    let anthropic = configs
        .iter()
        .find(|c| c.provider.as_deref() == Some("anthropic"))
        .unwrap();
    assert_eq!(
        anthropic.keys.as_ref().unwrap()[0].key_id.as_deref(),
        Some(anthropic_key.key_id.as_str())
    );
    assert_eq!(patched.budgets.as_ref().unwrap().len(), 2);

    // A patch of one provider config keeps the row ids.
    let before_ids: Vec<_> = configs.iter().map(|c| c.id).collect();
    let reweighted = keys
        .patch(&created.id, |vk| {
            let openai = vk
                .provider_configs
                .iter_mut()
                .find(|p| p.provider() == "openai")
                .unwrap();
            *openai = openai.clone().weight(0.25);
        })
        .await
        .unwrap();
    let after = reweighted.provider_configs.unwrap();
    assert_eq!(after.iter().map(|c| c.id).collect::<Vec<_>>(), before_ids);
    assert_eq!(
        after
            .iter()
            .find(|c| c.provider.as_deref() == Some("openai"))
            .unwrap()
            .weight,
        Some(0.25)
    );

    // Update builder: replace budgets, drop the rate limit, disable.
    let updated = keys
        .update(&created.id)
        .set_budgets(BudgetSpecs::from(budget(5.0, ResetPeriod::weeks(1))))
        .clear_rate_limit()
        .set_enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.budgets.as_ref().unwrap().len(), 1);
    assert!(updated.rate_limit.is_none());
    assert_eq!(updated.is_active, Some(false));
    assert_eq!(
        updated.team_id.as_deref(),
        Some(team.id.as_str()),
        "an update that does not mention the team keeps it"
    );

    // 1.5.2 has no rotation (FIDELITY VK-ROT-01): the SDK refuses before sending.
    if is_v1_5(version) {
        let before = server.request_count();
        let refused = keys.rotate(&created.id).await.unwrap_err();
        assert!(matches!(refused, Error::Unsupported { .. }), "{refused:?}");
        let refused = keys.rotate_many([created.id.clone()]).await.unwrap_err();
        assert!(matches!(refused, Error::Unsupported { .. }), "{refused:?}");
        assert_eq!(server.request_count(), before);
        let quota = keys.quota(&value).await.unwrap();
        assert_eq!(quota.virtual_key_name.as_deref(), Some("svc-renamed"));
        keys.delete(&created.id).await.unwrap();
        assert!(keys.get(&created.id).await.unwrap_err().is_not_found());
        return;
    }

    // Rotation: the new value works for quota, the old one no longer does.
    let rotated = keys.rotate(&created.id).await.unwrap();
    let new_value = rotated.value.clone().unwrap();
    assert_ne!(new_value.expose_secret(), value.expose_secret());
    let quota = keys.quota(&new_value).await.unwrap();
    assert_eq!(quota.virtual_key_name.as_deref(), Some("svc-renamed"));
    assert!(keys.quota(&value).await.unwrap_err().is_unauthorized());

    // Bulk rotation reports per-id failures.
    let outcome = keys
        .rotate_many([created.id.clone(), "no-such-key".into()])
        .await
        .unwrap();
    assert_eq!(outcome.rotated.len(), 1);
    assert!(outcome.failures.contains_key("no-such-key"));
    let all_failed = keys.rotate_many(["missing-1", "missing-2"]).await.unwrap();
    assert!(all_failed.rotated.is_empty());
    assert_eq!(all_failed.failures.len(), 2);

    keys.delete(&created.id).await.unwrap();
    assert!(keys.get(&created.id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn per_model_budgets_round_trip_or_are_refused() {
    for version in VERSIONS {
        per_model_budgets_on(version).await;
    }
}

async fn per_model_budgets_on(version: &str) {
    let (_server, client) = setup(version).await;
    let openai = |model: &str, usd: f64| {
        ProviderConfigSpec::new("openai").model_budget(
            ModelBudgetSpec::new(model).budgets(budget(usd, ResetPeriod::days(1)).into()),
        )
    };
    let created = client
        .virtual_keys()
        .create("per-model")
        .provider_config(openai("gpt-4o", 20.0))
        .send()
        .await;
    if is_v1_5(version) {
        // Refused before sending: 1.5.x would drop the member (FIDELITY VK-UPD-30).
        assert!(
            matches!(created, Err(Error::Unsupported { .. })),
            "{version}: {created:?}"
        );
        return;
    }
    let key = created.unwrap();
    let per_model = |key: &bifrost_governance::types::VirtualKey| -> Vec<(String, f64)> {
        key.provider_configs()
            .iter()
            .flat_map(|pc| pc.model_budgets.iter().flatten())
            .flat_map(|mb| {
                mb.budgets
                    .iter()
                    .flatten()
                    .map(|b| (mb.model_name.clone(), b.max_limit.unwrap_or_default()))
            })
            .collect()
    };
    let read = client.virtual_keys().get(&key.id).await.unwrap();
    assert_eq!(per_model(&read), [("gpt-4o".to_string(), 20.0)]);
    // Replacing the provider configs replaces the per-model set (FIDELITY VK-UPD-29).
    let updated = client
        .virtual_keys()
        .update(&key.id)
        .set_provider_configs(vec![openai("o3", 5.0)])
        .send()
        .await
        .unwrap();
    assert_eq!(per_model(&updated), [("o3".to_string(), 5.0)]);
}

#[tokio::test]
async fn virtual_key_list_filters_sort_and_paging() {
    for version in VERSIONS {
        virtual_key_list_filters_sort_and_paging_on(version).await;
    }
}

async fn virtual_key_list_filters_sort_and_paging_on(version: &str) {
    let (_server, client) = setup(version).await;
    let keys = client.virtual_keys();
    let team = client.teams().create("t").send().await.unwrap();
    for i in 0..30 {
        let mut create = keys
            .create(format!("key-{i:02}"))
            .budget(budget(1.0 + f64::from(i), ResetPeriod::days(1)));
        if i % 3 == 0 {
            create = create.assign_team(&team.id);
        }
        create.send().await.unwrap();
    }
    let page = keys.list().page_size(7).send().await.unwrap();
    assert_eq!(
        (page.items.len(), page.total_count, page.limit, page.offset),
        (7, 30, 7, 0)
    );
    let all = keys
        .list()
        .page_size(7)
        .concurrency(3)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 30);
    assert_eq!(all[0].name, "key-00");
    let in_team = keys.list().team_id(&team.id).collect_all().await.unwrap();
    assert_eq!(in_team.len(), 10);
    let searched = keys.list().search("KEY-2").collect_all().await.unwrap();
    assert_eq!(searched.len(), 10);
    let by_name_desc = keys
        .list()
        .sort_by(VirtualKeySortBy::Name)
        .order(SortOrder::Desc)
        .max_items(3)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        by_name_desc
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>(),
        ["key-29", "key-28", "key-27"]
    );
    let mut stream = keys.list().page_size(4).items();
    let mut n = 0;
    while stream.try_next().await.unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 30);
    assert_eq!(stream.report().pages, 8);
    assert!(!stream.report().collection_changed());
}

#[tokio::test]
async fn team_and_customer_lifecycle_with_cascades() {
    for version in VERSIONS {
        team_and_customer_lifecycle_with_cascades_on(version).await;
    }
}

async fn team_and_customer_lifecycle_with_cascades_on(version: &str) {
    let (_server, client) = setup(version).await;
    let customer = client
        .customers()
        .create("Acme")
        .budget(budget(1000.0, ResetPeriod::months(1)))
        .rate_limit(
            RateLimitSpec::builder()
                .requests(1000, ResetPeriod::hours(1))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(customer.name, "Acme");
    let team = client
        .teams()
        .create("platform")
        .assign_customer(&customer.id)
        .budget(budget(500.0, ResetPeriod::months(1)))
        .calendar_aligned(true)
        .send()
        .await
        .unwrap();
    assert_eq!(team.customer_id.as_deref(), Some(customer.id.as_str()));
    let key = client
        .virtual_keys()
        .create("k")
        .assign_team(&team.id)
        .send()
        .await
        .unwrap();
    let direct = client
        .virtual_keys()
        .create("k2")
        .assign_customer(&customer.id)
        .send()
        .await
        .unwrap();

    assert_eq!(
        client
            .teams()
            .list()
            .customer_id(&customer.id)
            .collect_all()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .customers()
            .list()
            .search("acm")
            .collect_all()
            .await
            .unwrap()
            .len(),
        1
    );

    let renamed = client
        .teams()
        .update(&team.id)
        .set_name("platform-eu")
        .clear_budgets()
        .clear_rate_limit()
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name, "platform-eu");
    assert!(renamed.budgets.unwrap_or_default().is_empty());
    let detached = client.teams().update(&team.id).unassign().send().await;
    if is_v1_5(version) {
        // 1.5.2 ignores a team's customer change once it has one (FIDELITY
        // TEAM-UPD-03): the SDK says so instead of reporting success.
        match detached {
            Err(Error::NotApplied {
                field, sent, kept, ..
            }) => {
                assert_eq!(
                    (field, sent.as_str(), kept.as_str()),
                    ("customer_id", "", customer.id.as_str())
                );
            }
            other => panic!("expected NotApplied, got {other:?}"),
        }
    } else {
        assert!(detached.unwrap().customer_id.unwrap_or_default().is_empty());
    }

    let two = BudgetSpecs::try_from([
        budget(50.0, ResetPeriod::days(1)),
        budget(900.0, ResetPeriod::months(1)),
    ])
    .unwrap();
    if is_v1_5(version) {
        // One budget per customer on 1.5.x: the SDK refuses two before sending.
        let refused = client
            .customers()
            .update(&customer.id)
            .set_budgets(two)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::Unsupported { .. }), "{refused:?}");
        let cust = client
            .customers()
            .update(&customer.id)
            .set_budgets(BudgetSpecs::from(budget(900.0, ResetPeriod::months(1))))
            .send()
            .await
            .unwrap();
        assert_eq!(cust.budget.unwrap().max_limit, Some(900.0));
    } else {
        let cust = client
            .customers()
            .update(&customer.id)
            .set_budgets(two)
            .send()
            .await
            .unwrap();
        assert_eq!(cust.budgets.unwrap().len(), 2);
    }

    // Deleting the team clears its keys' team; deleting the customer clears its keys' customer.
    client.teams().delete(&team.id).await.unwrap();
    assert!(
        client
            .virtual_keys()
            .get(&key.id)
            .await
            .unwrap()
            .team_id
            .unwrap_or_default()
            .is_empty()
    );
    client.customers().delete(&customer.id).await.unwrap();
    assert!(
        client
            .virtual_keys()
            .get(&direct.id)
            .await
            .unwrap()
            .customer_id
            .unwrap_or_default()
            .is_empty()
    );
    assert!(
        client
            .customers()
            .get(&customer.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn model_config_provider_and_read_only_lists() {
    for version in VERSIONS {
        model_config_provider_and_read_only_lists_on(version).await;
    }
}

async fn model_config_provider_and_read_only_lists_on(version: &str) {
    let (_server, client) = setup(version).await;
    let config = client
        .model_configs()
        .create("gpt-4o")
        .provider("openai")
        .budget(budget(100.0, ResetPeriod::months(1)))
        .rate_limit(
            RateLimitSpec::builder()
                .tokens(1_000_000, ResetPeriod::days(1))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(config.model_name.as_deref(), Some("gpt-4o"));
    let duplicate = client
        .model_configs()
        .create("gpt-4o")
        .provider("openai")
        .send()
        .await
        .unwrap_err();
    assert!(duplicate.is_conflict(), "{duplicate}");
    assert_eq!(
        client
            .model_configs()
            .list()
            .search("GPT")
            .collect_all()
            .await
            .unwrap()
            .len(),
        1
    );
    let updated = client
        .model_configs()
        .update(&config.id)
        .clear_rate_limit()
        .send()
        .await
        .unwrap();
    assert!(updated.rate_limit.is_none());

    let provider = client
        .providers()
        .update("openai")
        .set_budgets(BudgetSpecs::from(budget(2000.0, ResetPeriod::months(1))))
        .send()
        .await
        .unwrap();
    assert_eq!(provider.provider, "openai");
    assert!(
        client
            .providers()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|p| p.provider == "openai")
    );
    assert!(
        client
            .providers()
            .update("not-configured")
            .set_budgets(BudgetSpecs::from(budget(1.0, ResetPeriod::days(1))))
            .send()
            .await
            .unwrap_err()
            .is_not_found()
    );

    let budgets = client.budgets().list().await.unwrap();
    assert!(
        budgets.len() >= 2,
        "model config and provider budgets: {}",
        budgets.len()
    );
    let limits = client.rate_limits().list().await.unwrap();
    assert!(limits.is_empty(), "the only rate limit was removed");

    client.providers().delete("openai").await.unwrap();
    assert!(
        !client
            .providers()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|p| p.provider == "openai")
    );
    client.model_configs().delete(&config.id).await.unwrap();
    assert!(
        client
            .model_configs()
            .get(&config.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn routing_rule_and_pricing_override_lifecycle() {
    for version in VERSIONS {
        routing_rule_and_pricing_override_lifecycle_on(version).await;
    }
}

async fn routing_rule_and_pricing_override_lifecycle_on(version: &str) {
    let (_server, client) = setup(version).await;
    let key = client.virtual_keys().create("routed").send().await.unwrap();
    let rule = client
        .routing_rules()
        .create("cheap")
        .cel_expression("model == \"gpt-4o\"")
        .target(
            RoutingTargetSpec::provider("openai")
                .model("gpt-4o-mini")
                .weight(0.7),
        )
        .target(RoutingTargetSpec::provider("anthropic").weight(0.3))
        .scope(Scope::VirtualKey(key.id.clone()))
        .priority(10)
        .send()
        .await
        .unwrap();
    assert_eq!(rule.targets.as_ref().unwrap().len(), 2);
    assert_eq!(
        client
            .routing_rules()
            .get(&rule.id)
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("cheap")
    );
    let updated = client
        .routing_rules()
        .update(&rule.id)
        .set_targets(vec![RoutingTargetSpec::provider("openai")])
        .send()
        .await
        .unwrap();
    assert_eq!(updated.targets.unwrap().len(), 1);
    assert_eq!(
        client
            .routing_rules()
            .list()
            .collect_all()
            .await
            .unwrap()
            .len(),
        1
    );
    client.routing_rules().delete(&rule.id).await.unwrap();

    let patch = PricingPatch::new().price("input_cost_per_token", 0.000002);
    let over = client
        .pricing_overrides()
        .create(
            "discount",
            PricingScope::VirtualKeyProvider {
                virtual_key_id: key.id.clone(),
                provider: "openai".into(),
            },
            ModelPattern::Prefix("gpt-4o".into()),
            ["chat_completion"],
            patch,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(over.pattern.as_deref(), Some("gpt-4o*"));
    let parsed =
        bifrost_governance::resources::pricing_overrides::parse_pricing_patch(&over).unwrap();
    assert_eq!(parsed.get("input_cost_per_token"), Some(0.000002));
    let renamed = client
        .pricing_overrides()
        .update(&over.id)
        .set_name("discount-2")
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("discount-2"));
    assert_eq!(
        client
            .pricing_overrides()
            .list()
            .virtual_key_id(&key.id)
            .collect_all()
            .await
            .unwrap()
            .len(),
        1
    );
    client.pricing_overrides().delete(&over.id).await.unwrap();
    assert!(
        client
            .pricing_overrides()
            .list()
            .collect_all()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn errors_from_the_fake_keep_their_meaning() {
    for version in VERSIONS {
        errors_from_the_fake_keep_their_meaning_on(version).await;
    }
}

async fn errors_from_the_fake_keep_their_meaning_on(version: &str) {
    let (server, client) = setup(version).await;
    client.teams().create("dup").send().await.unwrap();
    let conflict = client.teams().create("dup").send().await.unwrap_err();
    if is_v1_5(version) {
        // 1.5.2 answers a duplicate team name with 500 (FIDELITY TEAM-CRT-05).
        assert_eq!(
            conflict.status().map(|s| s.as_u16()),
            Some(500),
            "{conflict}"
        );
        assert!(
            conflict.to_string().contains("failed to create team"),
            "{conflict}"
        );
    } else {
        assert!(conflict.is_conflict());
        assert!(
            conflict.to_string().contains("already exists"),
            "{conflict}"
        );
    }

    let anonymous = Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    assert!(
        anonymous
            .teams()
            .list()
            .send()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    // Version needs no credentials.
    assert!(anonymous.server_version().await.is_ok());

    // Validation happens before any request.
    let before = server.request_count();
    let invalid = client
        .virtual_keys()
        .create("x")
        .assign_team("t")
        .assign_customer("c")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(invalid, Error::InvalidInput(_)), "{invalid:?}");
    assert_eq!(server.request_count(), before);
}

#[tokio::test]
async fn injected_faults_are_retried_only_when_safe() {
    let server = MockServer::builder()
        .fault(Fault::first(2, 503).path_prefix("/api/governance/teams"))
        .start()
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .retry(RetryConfig::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    server.reset_request_count();
    let page = client.teams().list().send().await.unwrap();
    assert_eq!(page.total_count, 0);
    assert_eq!(server.request_count(), 3, "two 503s then success");

    let server = MockServer::builder()
        .fault(Fault::first(1, 503).path_prefix("/api/governance/teams"))
        .start()
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    server.reset_request_count();
    let err = client.teams().create("once").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        server.request_count(),
        1,
        "a create is never retried once sent"
    );
}

#[tokio::test]
async fn assignment_round_trips_through_patch() {
    for version in VERSIONS {
        assignment_round_trips_through_patch_on(version).await;
    }
}

async fn assignment_round_trips_through_patch_on(version: &str) {
    let (_server, client) = setup(version).await;
    let customer = client.customers().create("c").send().await.unwrap();
    let key = client
        .virtual_keys()
        .create("k")
        .assign_customer(&customer.id)
        .send()
        .await
        .unwrap();
    let moved = client
        .virtual_keys()
        .patch(&key.id, |vk| vk.enabled = false)
        .await
        .unwrap();
    assert_eq!(moved.customer_id.as_deref(), Some(customer.id.as_str()));
    let unassigned = client
        .virtual_keys()
        .patch(&key.id, |vk| vk.assignment = Assignment::Unassigned)
        .await
        .unwrap();
    assert!(unassigned.customer_id.unwrap_or_default().is_empty());
}
