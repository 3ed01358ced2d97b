//! Responses of the newest v2.x servers, decoded through the SDK's public calls.
//!
//! The fixtures under `tests/fixtures/newest/` are written as Go's `encoding/json`
//! prints the upstream structs (field order, `null` for nil slices without
//! `omitempty`, absent `omitempty` fields); `tests/fixtures/newest/README.md` names
//! the struct each one follows. `Reply::ok` also checks them against our spec.

use std::time::Duration;

use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
use bifrost_governance::resources::virtual_keys::Assignee;
use bifrost_governance::{BudgetSpec, Client, ResetPeriod};
use bifrost_governance_tests::support::{client, fixture, mount_version, serve_fixture};
use wiremock::MockServer;

const NEWEST: &str = "v2.5.1";

async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    (server, c)
}

#[tokio::test]
async fn a_rule_list_with_string_and_pinned_fallbacks_decodes() {
    let (server, c) = start().await;
    let _version = mount_version(&server, NEWEST).await;
    let path = "newest/routing_rules_mixed_fallbacks.json";
    let _rules = serve_fixture(&server, "list_routing_rules", path).await;

    let rules = c.routing_rules().list().collect_all().await.unwrap();

    assert_eq!(rules.len(), 2);
    let eu = &rules[0];
    let fallbacks = eu.fallbacks();
    assert_eq!(
        fallbacks
            .iter()
            .map(|f| (f.provider(), f.model_name(), f.key_id()))
            .collect::<Vec<_>>(),
        [
            ("openai", "gpt-4o-mini", None),
            ("anthropic", "claude-sonnet-4", Some("key-anthropic-eu")),
            ("azure", "", None),
        ]
    );
    assert_eq!(
        fallbacks.iter().map(|f| f.is_pinned()).collect::<Vec<_>>(),
        [false, true, false]
    );
    // Written back in the shapes they came in: strings stay strings, the pinned
    // one stays an object.
    assert_eq!(
        serde_json::to_value(&eu.fallbacks).unwrap(),
        fixture(path)["rules"][0]["fallbacks"]
    );
    assert_eq!(
        eu.targets()
            .iter()
            .map(RoutingTargetSpec::from_existing)
            .collect::<Vec<_>>(),
        [
            RoutingTargetSpec::provider("azure")
                .model("gpt-4o")
                .key_id("key-azure-eu")
                .weight(0.7)
                .ttft_timeout(Duration::from_millis(4000)),
            RoutingTargetSpec::provider("openai").weight(0.3),
        ]
    );
    assert_eq!(
        (eu.scope.as_deref(), eu.scope_id.as_deref()),
        (Some("team"), Some("team-platform"))
    );
    assert_eq!(eu.query.as_ref().unwrap()["region"], "eu");

    let default = &rules[1];
    assert!(!default.is_enabled() && default.chain_rule == Some(true));
    assert!(default.targets().is_empty() && default.fallbacks().is_empty());
    assert_eq!(
        (default.scope_id.as_deref(), default.priority()),
        (None, 10)
    );
    // The rule-wide deadline some v2.3 builds store on the rule itself.
    assert_eq!(default.ttft_timeout_ms, Some(2500));
}

#[tokio::test]
async fn a_customer_with_budgets_and_no_singular_budget_decodes() {
    let (server, c) = start().await;
    let _customer = serve_fixture(&server, "get_customer", "newest/customer_budgets.json").await;

    let customer = c.customers().get("cust-acme").await.unwrap();

    assert!(customer.budget.is_none() && customer.budget_id.is_none());
    let budgets = customer.budgets();
    assert_eq!(
        budgets
            .iter()
            .map(|b| (b.id.as_str(), b.reset_duration(), b.effective_max_limit()))
            .collect::<Vec<_>>(),
        [
            ("b-acme-month", "1M", 500.0),
            ("b-acme-quarter", "1Q", 1500.5)
        ]
    );
    assert_eq!(budgets[0].current_usage(), 123.456789);
    assert!(
        budgets
            .iter()
            .all(|b| b.customer_id.as_deref() == Some("cust-acme"))
    );
    // The quarterly budget reads back into a spec with its quarter start.
    let quarter = BudgetSpec::from_existing(budgets[1]).unwrap();
    assert_eq!(
        (quarter.period(), quarter.quarter_start(), quarter.id()),
        (&ResetPeriod::quarters(1), Some(4), Some("b-acme-quarter"))
    );
    assert_eq!(
        customer.rate_limit.as_ref().unwrap().requests(),
        Some((17, 1000))
    );
    assert_eq!(customer.rate_limit.as_ref().unwrap().tokens(), None);
    assert!(customer.teams().is_empty() && customer.virtual_keys().is_empty());
    assert_eq!(
        (customer.virtual_key_count, customer.team_count),
        (Some(0), Some(0))
    );
    assert_eq!(customer.calendar_aligned, Some(true));
}

#[tokio::test]
async fn a_key_whose_budgets_belong_to_its_model_configs_decodes() {
    let (server, c) = start().await;
    let path = "newest/vk_model_config_budgets.json";
    let _key = serve_fixture(&server, "get_virtual_key", path).await;

    let vk = c.virtual_keys().get("vk-7f3a").await.unwrap();

    let budgets = vk.budgets();
    assert_eq!(budgets.len(), 2);
    // Owned by the key's `*` model config, not by the key.
    assert!(budgets.iter().all(|b| {
        b.model_config_id.as_deref() == Some("mc-vk-7f3a") && b.virtual_key_id.is_none()
    }));
    let month = budgets[0];
    assert_eq!(
        (
            month.override_mode.as_deref(),
            month.override_cycles_remaining
        ),
        (Some("cycles"), Some(1))
    );
    assert!(month.has_active_override());
    assert_eq!(month.effective_max_limit(), 125.0);
    assert_eq!(
        month.override_anchor_reset.unwrap().to_rfc3339(),
        "2026-10-01T00:00:00+00:00"
    );
    let quarter = budgets[1];
    assert_eq!(
        quarter
            .reset_config
            .as_ref()
            .and_then(|r| r.quarter_start_month),
        Some(4)
    );
    assert!(!quarter.has_active_override());

    let openai = &vk.provider_configs()[0];
    assert_eq!((openai.provider(), openai.weight), ("openai", None));
    assert!(openai.allows_all_keys() && openai.key_ids() == ["*"]);
    assert_eq!(
        openai.budgets()[0].model_config_id.as_deref(),
        Some("mc-vk-7f3a-openai")
    );
    let per_model = &openai.model_budgets.as_ref().unwrap()[0];
    assert_eq!(per_model.model_name, "gpt-4o");
    assert_eq!(per_model.budgets.as_ref().unwrap()[0].max_limit(), 20.0);
    assert_eq!(
        per_model.rate_limit.as_ref().unwrap().tokens(),
        Some((5120, 200000))
    );

    assert_eq!(vk.team_id(), Some("team-payments"));
    let team = vk.team.as_ref().unwrap();
    assert!(team.customer.is_none() && team.virtual_keys.is_none());
    assert_eq!(team.customer_id(), Some("cust-acme"));
    assert_eq!(vk.assigned_user, Assignee::Nobody);
    assert_eq!(
        (
            vk.rotated_at.unwrap().to_rfc3339(),
            vk.previous_value_expires_at.unwrap().to_rfc3339()
        ),
        (
            "2026-11-30T00:00:00+00:00".to_owned(),
            "2026-12-01T00:00:00+00:00".to_owned()
        )
    );
    // The value is a secret: present, but not in the key's Debug output.
    let value = vk.value.as_ref().unwrap();
    assert!(value.expose_secret().starts_with("sk-bf-6b1d"));
    assert!(!format!("{vk:?}").contains("6b1d0f0e"));
}

#[tokio::test]
async fn a_key_list_with_a_null_embedded_customer_decodes() {
    let (server, c) = start().await;
    let path = "newest/vk_list_null_customer.json";
    let _keys = serve_fixture(&server, "list_virtual_keys", path).await;

    let keys = c.virtual_keys().list().collect_all().await.unwrap();

    assert_eq!(keys.len(), 2);
    let batch = &keys[0];
    let customer = batch.customer.as_ref().unwrap();
    assert!(customer.teams.is_none() && customer.virtual_keys.is_none());
    assert!(customer.teams().is_empty() && customer.budgets().is_empty());
    assert_eq!(batch.customer_id(), Some("cust-acme"));
    assert!(!batch.is_enabled() && batch.allow_all_providers == Some(true));
    assert!(batch.provider_configs().is_empty() && batch.mcp_configs().is_empty());
    assert_eq!(batch.assigned_user, Assignee::Nobody);

    let ui = &keys[1];
    assert!(ui.provider_configs.is_none() && ui.mcp_configs.is_none());
    assert!(ui.is_enabled() && ui.customer.is_none() && ui.team.is_none());
    let user = ui.assigned_user.user().unwrap();
    assert_eq!(
        (user.id.as_deref(), user.email.as_deref()),
        (Some("u-42"), Some("ada@example.com"))
    );
    assert_eq!(ui.created_by_user_id.as_deref(), Some("u-1"));
}
