//! Every seed example and every tolerance fixture decodes into its generated type.

use bifrost_governance_client::types::{
    BifrostError, CustomerResponse, ModelConfigList, PricingOverrideList, ProviderGovernanceList,
    RotateVirtualKeysResponse, RoutingRuleList, VirtualKeyList, VirtualKeyQuota,
    VirtualKeyResponse,
};
use serde::de::DeserializeOwned;

fn fixture<T: DeserializeOwned>(path: &str) -> T {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} does not decode: {e}"))
}

#[test]
fn seed_virtual_key_v2_responses_decode() {
    for path in ["seeds/vk_create_v2.json", "seeds/vk_update_v2.json"] {
        let r: VirtualKeyResponse = fixture(path);
        let vk = r.virtual_key;
        assert_eq!(vk.id, "<string>");
        let pc = &vk.provider_configs.as_ref().unwrap()[0];
        assert_eq!(pc.allow_all_keys, Some(true));
        assert_eq!(
            pc.blacklisted_models.as_deref(),
            Some(&["<string>".to_string()][..])
        );
        assert_eq!(pc.budgets.as_ref().unwrap()[0].max_limit, Some(123.0));
        let key = &pc.keys.as_ref().unwrap()[0];
        assert_eq!(
            key.value.as_ref().unwrap().value().expose_secret(),
            "<string>"
        );
        assert_eq!(vk.budgets.as_ref().unwrap().len(), 1);
        let mcp = &vk.mcp_configs.as_ref().unwrap()[0];
        assert_eq!(
            mcp.mcp_client.as_ref().unwrap().name.as_deref(),
            Some("<string>")
        );
    }
    let created: VirtualKeyResponse = fixture("seeds/vk_create_v2.json");
    let team = created.virtual_key.team.unwrap();
    assert_eq!(team.customer.unwrap().teams, Some(vec![]));
    assert_eq!(
        created.virtual_key.created_by_user_id.as_deref(),
        Some("<string>")
    );
}

#[test]
fn seed_virtual_key_v1_responses_decode() {
    for path in ["seeds/vk_update_v1.json", "seeds/vk_create_v1.json"] {
        let r: VirtualKeyResponse = fixture(path);
        let pc = &r.virtual_key.provider_configs.unwrap()[0];
        // v1 servers carry a singular budget on provider configs.
        assert!(pc.budget.is_some(), "{path}: legacy singular budget lost");
        assert!(pc.budgets.is_none());
    }
    let v1: VirtualKeyResponse = fixture("seeds/vk_create_v1.json");
    let mcp = &v1.virtual_key.mcp_configs.unwrap()[0];
    assert_eq!(mcp.mcp_client_name.as_deref(), Some("string"));
}

#[test]
fn seed_list_response_decodes_with_envelope() {
    let list: VirtualKeyList = fixture("seeds/vk_list_v2.json");
    assert_eq!(list.virtual_keys.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        (list.count, list.total_count, list.limit, list.offset),
        (Some(123), Some(123), Some(123), Some(123))
    );
}

#[test]
fn seed_customer_response_decodes() {
    let r: CustomerResponse = fixture("seeds/customer_update_v2.json");
    assert_eq!(r.customer.id, "<string>");
    assert_eq!(r.message.as_deref(), Some("<string>"));
}

#[test]
fn seed_error_body_decodes() {
    let e: BifrostError = fixture("seeds/error_v1.json");
    let detail = e.error.unwrap();
    assert_eq!(detail.message.as_deref(), Some("string"));
    assert_eq!(e.is_bifrost_error, Some(true));
}

#[test]
fn response_with_every_optional_field_absent_decodes() {
    let r: VirtualKeyResponse = fixture("tolerance/vk_minimal.json");
    assert_eq!(
        (r.virtual_key.id.as_str(), r.virtual_key.name.as_str()),
        ("vk-1", "bare")
    );
    assert!(r.virtual_key.value.is_none() && r.virtual_key.budgets.is_none());
    let q: VirtualKeyQuota = fixture("tolerance/quota_v1.json");
    assert_eq!(q.virtual_key_name.as_deref(), Some("team-a-prod"));
    assert!(q.budgets.is_none() && q.rate_limit.is_none());
}

#[test]
fn explicit_nulls_decode_as_absent() {
    let r: VirtualKeyResponse = fixture("tolerance/vk_nulls.json");
    assert!(r.message.is_none());
    assert!(r.virtual_key.provider_configs.is_none() && r.virtual_key.team.is_none());
    let c: CustomerResponse = fixture("tolerance/customer_null_lists.json");
    assert!(c.customer.virtual_keys.is_none() && c.customer.teams.is_none());
    assert_eq!(
        c.customer.created_at.unwrap().to_rfc3339(),
        "0001-01-01T00:00:00+00:00"
    );
    let p: ProviderGovernanceList = fixture("tolerance/providers_null.json");
    assert!(p.providers.is_none());
    assert_eq!(p.count, Some(0));
}

#[test]
fn unknown_fields_and_values_decode() {
    let list: VirtualKeyList = fixture("tolerance/vk_list_unknowns.json");
    let vk = &list.virtual_keys.as_ref().unwrap()[0];
    let pc = &vk.provider_configs.as_ref().unwrap()[0];
    assert_eq!(pc.provider.as_deref(), Some("some-custom-provider-2027"));
    assert_eq!(
        pc.budgets.as_ref().unwrap()[0].reset_duration.as_deref(),
        Some("1Q")
    );
    let client = vk.mcp_configs.as_ref().unwrap()[0]
        .mcp_client
        .as_ref()
        .unwrap();
    assert_eq!(client.connection_type.as_deref(), Some("websocket-v9"));
    let header = &client.headers.as_ref().unwrap()["Authorization"];
    assert_eq!(header.value().expose_secret(), "Bearer mcp-secret-token");

    let rules: RoutingRuleList = fixture("tolerance/routing_rules_unknowns.json");
    assert_eq!(rules.rules.unwrap()[0].scope.as_deref(), Some("user"));
    let overrides: PricingOverrideList = fixture("tolerance/pricing_overrides_unknowns.json");
    let o = &overrides.pricing_overrides.unwrap()[0];
    assert_eq!(
        (o.scope_kind.as_deref(), o.match_type.as_deref()),
        (Some("organization"), Some("regex"))
    );
    let configs: ModelConfigList = fixture("tolerance/model_configs_unknowns.json");
    assert_eq!(
        configs.model_configs.unwrap()[0].scope.as_deref(),
        Some("business_unit")
    );
}

#[test]
fn empty_list_and_partial_rotation_decode() {
    let list: VirtualKeyList = fixture("tolerance/list_empty.json");
    assert_eq!(list.virtual_keys, Some(vec![]));
    let rotated: RotateVirtualKeysResponse = fixture("tolerance/rotate_partial.json");
    assert_eq!(rotated.errors.unwrap()["b"], "virtual key not found");
    assert_eq!(rotated.virtual_keys.unwrap().len(), 1);
}

#[test]
fn decoded_secrets_are_redacted_in_debug() {
    let list: VirtualKeyList = fixture("tolerance/vk_list_unknowns.json");
    let printed = format!("{list:?}");
    assert!(
        !printed.contains("sk-bf-1111"),
        "virtual-key value leaked: {printed}"
    );
    assert!(!printed.contains("mcp-secret-token"), "MCP header leaked");
    let vk = &list.virtual_keys.unwrap()[0];
    assert_eq!(
        vk.value.as_ref().unwrap().expose_secret(),
        "sk-bf-11111111-1111-4111-8111-111111111111"
    );
}
