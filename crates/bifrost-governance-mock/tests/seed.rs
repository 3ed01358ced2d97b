//! Seeding from YAML and JSON.

mod common;

use bifrost_governance_mock::{MockError, MockServer, Seed};
use common::{Api, names};
use serde_json::json;

fn example_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed.yaml")
}

#[tokio::test]
async fn example_yaml_seed_loads_with_its_relations() {
    let seed = Seed::from_path(example_path()).expect("example seed parses");
    assert_eq!(seed.customers.len(), 2);
    let server = MockServer::builder().seed(seed).start().await;
    let api = Api::new(&server);
    let (_, customers) = api.get("/api/governance/customers").await;
    assert_eq!(
        names(&customers, "customers", "name"),
        ["Acme Corp", "Globex"]
    );
    let (_, teams) = api
        .get("/api/governance/teams?customer_id=00000000-0000-4000-8000-00000000c001")
        .await;
    assert_eq!(names(&teams, "teams", "name"), ["platform", "research"]);

    let (status, body) = api
        .get("/api/governance/virtual-keys/00000000-0000-4000-8000-00000000b001")
        .await;
    assert_eq!(status, 200);
    let vk = &body["virtual_key"];
    assert_eq!(vk["name"], "platform-prod");
    assert_eq!(vk["value"], "sk-bf-00000000-0000-4000-8000-00000000b001");
    assert_eq!(vk["team"]["name"], "platform");
    assert_eq!(
        vk["team"]["customer_id"],
        "00000000-0000-4000-8000-00000000c001"
    );
    assert_eq!(vk["budgets"].as_array().unwrap().len(), 2);
    assert_eq!(vk["provider_configs"][0]["allow_all_keys"], true);
    assert_eq!(
        vk["provider_configs"][1]["keys"][0]["name"],
        "anthropic-primary"
    );
    assert_eq!(vk["mcp_configs"][0]["mcp_client"]["name"], "github");
    assert_eq!(vk["metadata"], json!({"env": "prod"}));
    let (_, body) = api
        .get("/api/governance/virtual-keys/00000000-0000-4000-8000-00000000b003")
        .await;
    assert_eq!(body["virtual_key"]["is_active"], false);
    assert_eq!(body["virtual_key"]["customer"]["name"], "Globex");
}

#[tokio::test]
async fn json_seed_with_generated_keys() {
    let seed = Seed::from_json_str(
        r#"{
            "customers": [{"name": "Acme", "budgets": [{"max_limit": 100, "reset_duration": "1M"}]}],
            "teams": [{"name": "eng", "customer": "Acme"}],
            "virtual_keys": [{"name": "eng-key", "team": "eng", "rate_limit": {"request_max_limit": 5, "request_reset_duration": "1m"}}],
            "generated_virtual_keys": 40
        }"#,
    )
    .unwrap();
    let server = MockServer::builder().seed(seed).start().await;
    let api = Api::new(&server);
    let (_, list) = api.get("/api/governance/virtual-keys?search=eng").await;
    assert_eq!(names(&list, "virtual_keys", "name"), ["eng-key"]);
    assert_eq!(
        list["virtual_keys"][0]["rate_limit"]["request_max_limit"],
        5
    );
    let (_, all) = api.get("/api/governance/virtual-keys").await;
    assert_eq!(all["count"], 41);
    let (_, customers) = api.get("/api/governance/customers").await;
    assert_eq!(customers["customers"][0]["budgets"][0]["max_limit"], 100.0);
    assert_eq!(customers["customers"][0]["teams"][0]["name"], "eng");
}

#[tokio::test]
async fn a_seed_can_be_applied_to_a_running_server() {
    let server = MockServer::start().await;
    let seed = Seed::from_yaml_str("customers: [{name: Late}]").unwrap();
    server.apply_seed(&seed).unwrap();
    let (_, list) = Api::new(&server).get("/api/governance/customers").await;
    assert_eq!(names(&list, "customers", "name"), ["Late"]);
}

#[tokio::test]
async fn bad_seeds_are_reported() {
    let err = Seed::from_yaml_str("customers: [{nmae: typo}]").unwrap_err();
    assert!(matches!(err, MockError::Parse(_)), "{err}");
    let seed = Seed::from_yaml_str("teams: [{name: eng, customer: Nobody}]").unwrap();
    let err = MockServer::builder()
        .seed(seed)
        .try_start()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "seed refused: team \"eng\": unknown customer \"Nobody\""
    );
    let seed = Seed::from_yaml_str(
        "virtual_keys: [{name: k, budgets: [{max_limit: 0, reset_duration: 1d}]}]",
    )
    .unwrap();
    let err = MockServer::builder()
        .seed(seed)
        .try_start()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("budget max limit cannot be negative or zero"),
        "{err}"
    );
    let err = Seed::from_path("seed.toml").unwrap_err();
    assert!(matches!(err, MockError::Parse(_)), "{err}");
    let err = Seed::from_path("does-not-exist.yaml").unwrap_err();
    assert!(matches!(err, MockError::Io(_)), "{err}");
}
