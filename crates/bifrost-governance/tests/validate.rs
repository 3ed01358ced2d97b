//! The builders' `validate`: the checks `send` makes before any request, offline.

use bifrost_governance::resources::pricing_overrides::PricingPatch;
use bifrost_governance::resources::pricing_overrides::{ModelPattern, PricingScope};
use bifrost_governance::resources::routing_rules::RoutingTargetSpec;
use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
use bifrost_governance::{BudgetSpec, Client, ResetPeriod, Scope};

/// A client for a port nothing listens on: `validate` must not need a server.
fn offline() -> Client {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

fn hourly() -> BudgetSpec {
    BudgetSpec::new(5.0, ResetPeriod::hours(1)).unwrap()
}

#[test]
fn owners_refuse_alignment_the_server_would_ignore_and_blank_names() {
    let client = offline();
    assert!(
        client
            .customers()
            .create("Acme")
            .budget(hourly())
            .validate()
            .is_ok()
    );
    let aligned = client
        .customers()
        .create("Acme")
        .budget(hourly())
        .calendar_aligned(true);
    assert_eq!(aligned.validate().unwrap_err().field, "calendar_aligned");
    assert_eq!(
        client.teams().create(" ").validate().unwrap_err().field,
        "team name"
    );
    let scoped = client
        .model_configs()
        .create("gpt-4o")
        .scope(Scope::Team("t".into()));
    assert_eq!(scoped.validate().unwrap_err().field, "scope");
    let provider = client.providers().update("openai").calendar_aligned(true);
    assert!(provider.validate().is_ok());
    let provider = provider.set_budgets(hourly().into());
    assert_eq!(provider.validate().unwrap_err().field, "calendar_aligned");
}

#[test]
fn keys_check_their_configs_and_metadata() {
    let client = offline();
    let key = client
        .virtual_keys()
        .create("checkout")
        .provider_config(ProviderConfigSpec::new("openai"));
    assert!(key.validate().is_ok());
    let bad_weight = client
        .virtual_keys()
        .create("checkout")
        .provider_config(ProviderConfigSpec::new("openai").weight(-1.0));
    assert_eq!(
        bad_weight.validate().unwrap_err().field,
        "provider_configs weight"
    );
    let bad_metadata = client
        .virtual_keys()
        .create("checkout")
        .metadata("a b", "x");
    assert_eq!(bad_metadata.validate().unwrap_err().field, "metadata");
    let orphan = client
        .virtual_keys()
        .create("checkout")
        .delete_after_expire(true);
    assert_eq!(orphan.validate().unwrap_err().field, "delete_after_expire");
}

#[test]
fn rules_and_overrides_check_targets_patterns_and_prices() {
    let client = offline();
    let rule = client
        .routing_rules()
        .create("r")
        .target(RoutingTargetSpec::provider("openai").weight(0.5));
    assert!(rule.validate().unwrap_err().reason.contains("sum to 0.5"));
    let rule = client
        .routing_rules()
        .create("r")
        .target(RoutingTargetSpec::provider("openai"));
    assert!(rule.validate().is_ok());
    let patch = PricingPatch::new().input_cost_per_token(-1.0);
    let create = client.pricing_overrides().create(
        "p",
        PricingScope::Global,
        ModelPattern::Any,
        ["chat_completion"],
        patch,
    );
    assert_eq!(create.validate().unwrap_err().field, "patch");
    let create = client.pricing_overrides().create(
        "p",
        PricingScope::Global,
        ModelPattern::Exact("gpt*".into()),
        ["chat_completion"],
        PricingPatch::default(),
    );
    assert_eq!(create.validate().unwrap_err().field, "pattern");
}
