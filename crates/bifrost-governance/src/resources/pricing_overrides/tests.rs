//! Unit tests of the pricing-override builders and rules.

use super::rules::{check_patch, check_request_types};
use super::*;
use bifrost_governance_client::types::PricingMatchType;
use serde_json::json;

fn handle() -> PricingOverrides {
    PricingOverrides::new(Client::builder().build().unwrap())
}

fn create(
    scope: PricingScope,
    pattern: ModelPattern,
    request_types: &[&str],
) -> CreatePricingOverride {
    handle().create(
        "po",
        scope,
        pattern,
        request_types.iter().copied(),
        PricingPatch::default(),
    )
}

fn create_json(scope: PricingScope) -> serde_json::Value {
    let body = create(
        scope,
        ModelPattern::Exact("gpt-4o".into()),
        &["chat_completion"],
    )
    .body()
    .unwrap();
    serde_json::to_value(body).unwrap()
}

#[test]
fn each_scope_sends_exactly_its_ids() {
    let ids = |v: &serde_json::Value| {
        (
            v["scope_kind"].clone(),
            v.get("virtual_key_id").cloned(),
            v.get("provider_id").cloned(),
            v.get("provider_key_id").cloned(),
        )
    };
    let s = |x: &str| Some(json!(x));
    assert_eq!(
        ids(&create_json(PricingScope::Global)),
        (json!("global"), None, None, None)
    );
    assert_eq!(
        ids(&create_json(PricingScope::Provider {
            provider: "openai".into()
        })),
        (json!("provider"), None, s("openai"), None)
    );
    assert_eq!(
        ids(&create_json(PricingScope::ProviderKey {
            provider_key_id: "k".into()
        })),
        (json!("provider_key"), None, None, s("k"))
    );
    assert_eq!(
        ids(&create_json(PricingScope::VirtualKey {
            virtual_key_id: "vk".into()
        })),
        (json!("virtual_key"), s("vk"), None, None)
    );
    assert_eq!(
        ids(&create_json(PricingScope::VirtualKeyProvider {
            virtual_key_id: "vk".into(),
            provider: "openai".into()
        })),
        (json!("virtual_key_provider"), s("vk"), s("openai"), None)
    );
    assert_eq!(
        ids(&create_json(PricingScope::VirtualKeyProviderKey {
            virtual_key_id: "vk".into(),
            provider: "openai".into(),
            provider_key_id: "k".into()
        })),
        (
            json!("virtual_key_provider_key"),
            s("vk"),
            s("openai"),
            s("k")
        )
    );
}

#[test]
fn blank_scope_ids_are_refused() {
    let scope = PricingScope::VirtualKeyProvider {
        virtual_key_id: "vk".into(),
        provider: " ".into(),
    };
    let err = create(scope, ModelPattern::Any, &["chat_completion"])
        .body()
        .unwrap_err();
    assert_eq!(err.field, "provider_id");
    let scope = PricingScope::ProviderKey {
        provider_key_id: String::new(),
    };
    assert_eq!(
        create(scope, ModelPattern::Any, &["embedding"])
            .body()
            .unwrap_err()
            .field,
        "provider_key_id"
    );
}

#[test]
fn patterns_map_to_match_type_and_pattern() {
    assert_eq!(
        ModelPattern::Exact("gpt-4o".into()).wire().unwrap(),
        (PricingMatchType::Exact, "gpt-4o".into())
    );
    assert_eq!(
        ModelPattern::Prefix("gpt-4".into()).wire().unwrap(),
        (PricingMatchType::Wildcard, "gpt-4*".into())
    );
    assert_eq!(
        ModelPattern::Any.wire().unwrap(),
        (PricingMatchType::Wildcard, "*".into())
    );
}

#[test]
fn patterns_with_stars_blanks_or_padding_are_refused() {
    for bad in [
        ModelPattern::Exact("gpt-*".into()),
        ModelPattern::Exact(String::new()),
        ModelPattern::Exact(" gpt-4o".into()),
        ModelPattern::Prefix("gpt-4*".into()),
        ModelPattern::Prefix("g*pt".into()),
        ModelPattern::Prefix("  ".into()),
        ModelPattern::Prefix("gpt ".into()),
    ] {
        assert_eq!(bad.wire().unwrap_err().field, "pattern", "{bad:?} accepted");
    }
}

#[test]
fn request_types_must_be_non_empty_base_types() {
    assert!(check_request_types(&["chat_completion".into(), "responses".into()]).is_ok());
    assert!(
        check_request_types(&[])
            .unwrap_err()
            .reason
            .contains("at least one")
    );
    let stream = check_request_types(&["chat_completion".into(), "chat_completion_stream".into()])
        .unwrap_err();
    assert!(
        stream.reason.contains("\"chat_completion\""),
        "{}",
        stream.reason
    );
    assert!(check_request_types(&["".into()]).is_err());
    assert!(check_request_types(&[" embedding".into()]).is_err());
    let err = create(PricingScope::Global, ModelPattern::Any, &[])
        .body()
        .unwrap_err();
    assert_eq!(err.field, "request_types");
}

#[test]
fn negative_or_non_finite_prices_are_refused() {
    assert!(check_patch(&PricingPatch::new().price("input_cost_per_token", 0.0)).is_ok());
    let negative = PricingPatch::new().price("output_cost_per_second", -1.0);
    assert!(
        check_patch(&negative)
            .unwrap_err()
            .reason
            .contains("output_cost_per_second")
    );
    assert!(check_patch(&PricingPatch::new().price("input_cost_per_image", f64::NAN)).is_err());
}

#[test]
fn a_full_create_body_matches_the_wire_format() {
    let body = handle()
        .create(
            "vk discount",
            PricingScope::VirtualKeyProvider {
                virtual_key_id: "vk".into(),
                provider: "openai".into(),
            },
            ModelPattern::Prefix("gpt-4o".into()),
            ["chat_completion", "responses"],
            PricingPatch::new().price("input_cost_per_token", 0.000002),
        )
        .body()
        .unwrap();
    assert_eq!(
        serde_json::to_value(body).unwrap(),
        json!({
            "name": "vk discount", "scope_kind": "virtual_key_provider", "virtual_key_id": "vk",
            "provider_id": "openai", "match_type": "wildcard", "pattern": "gpt-4o*",
            "request_types": ["chat_completion", "responses"], "patch": {"input_cost_per_token": 0.000002}
        })
    );
}

#[test]
fn updates_send_only_what_was_set() {
    let update = handle().update("po-1");
    assert_eq!(
        serde_json::to_value(update.body().unwrap()).unwrap(),
        json!({})
    );
    let update = handle()
        .update("po-1")
        .set_scope(PricingScope::Provider {
            provider: "azure".into(),
        })
        .set_pattern(ModelPattern::Exact("gpt-4o".into()));
    assert_eq!(
        serde_json::to_value(update.body().unwrap()).unwrap(),
        json!({"scope_kind": "provider", "provider_id": "azure", "match_type": "exact", "pattern": "gpt-4o"})
    );
}

#[test]
fn updates_are_validated_like_creates() {
    let err = handle()
        .update("po-1")
        .set_request_types(["embedding_stream"])
        .body()
        .unwrap_err();
    assert_eq!(err.field, "request_types");
    let err = handle()
        .update("po-1")
        .set_request_types(Vec::<String>::new())
        .body()
        .unwrap_err();
    assert_eq!(err.field, "request_types");
    let err = handle()
        .update("po-1")
        .set_pattern(ModelPattern::Exact("a*".into()))
        .body()
        .unwrap_err();
    assert_eq!(err.field, "pattern");
    let err = handle().update("po-1").set_name("  ").body().unwrap_err();
    assert_eq!(err.field, "pricing override name");
}

fn stored(value: serde_json::Value) -> PricingOverride {
    serde_json::from_value(value).unwrap()
}

#[test]
fn stored_patches_parse_from_their_string() {
    let o = stored(
        json!({"id": "1", "pricing_patch": "{\"output_cost_per_token\":0.5,\"input_cost_per_token_flex\":1}"}),
    );
    let patch = parse_pricing_patch(&o).unwrap();
    assert_eq!(patch.get("output_cost_per_token"), Some(0.5));
    // A field this SDK has no setter for is kept for the write back.
    assert_eq!(patch.get("input_cost_per_token_flex"), Some(1.0));
    assert_eq!(
        parse_pricing_patch(&stored(json!({"id": "1"}))).unwrap(),
        PricingPatch::default()
    );
    assert_eq!(
        parse_pricing_patch(&stored(json!({"id": "1", "pricing_patch": ""}))).unwrap(),
        PricingPatch::default()
    );
    assert!(parse_pricing_patch(&stored(json!({"id": "1", "pricing_patch": "{oops"}))).is_err());
}

#[test]
fn stored_scopes_and_patterns_are_read_back() {
    let o = stored(json!({
        "id": "1", "scope_kind": "virtual_key_provider_key", "virtual_key_id": "vk",
        "provider_id": "openai", "provider_key_id": "k", "match_type": "wildcard", "pattern": "gpt-4*"
    }));
    assert_eq!(
        PricingScope::from_existing(&o),
        Some(PricingScope::VirtualKeyProviderKey {
            virtual_key_id: "vk".into(),
            provider: "openai".into(),
            provider_key_id: "k".into()
        })
    );
    assert_eq!(
        ModelPattern::from_existing(&o),
        Some(ModelPattern::Prefix("gpt-4".into()))
    );
    let any = stored(
        json!({"id": "1", "scope_kind": "global", "match_type": "wildcard", "pattern": "*"}),
    );
    assert_eq!(
        PricingScope::from_existing(&any),
        Some(PricingScope::Global)
    );
    assert_eq!(ModelPattern::from_existing(&any), Some(ModelPattern::Any));
    let odd = stored(
        json!({"id": "1", "scope_kind": "global", "provider_id": "openai", "match_type": "regex"}),
    );
    assert_eq!(PricingScope::from_existing(&odd), None);
    assert_eq!(ModelPattern::from_existing(&odd), None);
}
