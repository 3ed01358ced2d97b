//! Server features: version, latency, fault injection, counters, lifecycle, binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bifrost_governance_mock::{Fault, MockServer};
use common::{Api, assert_error};
use serde_json::{Value, json};

#[tokio::test]
async fn version_is_a_bare_json_string_and_configurable() {
    let server = MockServer::builder().version("v1.5.2").start().await;
    let response = reqwest::get(format!("{}/api/version", server.base_url()))
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.text().await.unwrap(), "\"v1.5.2\"\n");
    let default = MockServer::start().await;
    assert_eq!(default.version(), "v2.3.1");
    assert!(default.base_url().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let server = MockServer::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await;
    let api = Api::new(&server);
    let started = Instant::now();
    let (status, _) = api.get("/api/governance/teams").await;
    assert_eq!(status, 200);
    let (status, _) = api.get("/api/version").await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn every_nth_fault_is_deterministic_and_counted() {
    let server = MockServer::builder()
        .fault(
            Fault::every_nth(3, 503)
                .message("overloaded")
                .retry_after(2),
        )
        .start()
        .await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let response = client
            .get(format!("{}/api/governance/teams", server.base_url()))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status == 503 {
            assert_eq!(response.headers()["retry-after"], "2");
            let body: Value = response.json().await.unwrap();
            assert_error(status, &body, 503, "overloaded");
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 503, 200, 200, 503, 200]);
    assert_eq!(server.request_count(), 7);
    server.reset_request_count();
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn first_n_fault_on_a_path_prefix() {
    let server = MockServer::builder()
        .fault(Fault::first(2, 500).path_prefix("/api/governance/virtual-keys"))
        .start()
        .await;
    let api = Api::new(&server);
    assert_eq!(
        api.get("/api/governance/teams").await.0,
        200,
        "other paths are not counted"
    );
    assert_eq!(api.get("/api/governance/virtual-keys").await.0, 500);
    assert_eq!(
        api.post("/api/governance/virtual-keys", json!({"name": "k"}))
            .await
            .0,
        500
    );
    let (status, body) = api
        .post("/api/governance/virtual-keys", json!({"name": "k"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn bulk_insert_for_benchmarks() {
    let server = MockServer::start().await;
    let ids = server.insert_virtual_keys(5_000);
    assert_eq!(ids.len(), 5_000);
    let api = Api::new(&server);
    let (_, page) = api
        .get("/api/governance/virtual-keys?limit=100&offset=4950")
        .await;
    assert_eq!(page["total_count"], 5_000);
    assert_eq!(page["count"], 50);
    assert_eq!(page["virtual_keys"][49]["id"], json!(ids[4_999]));
    let value = server.virtual_key_value(&ids[0]).unwrap();
    assert!(value.starts_with("sk-bf-"));
    assert_eq!(
        server.virtual_key_id("bulk-vk-0000001").as_deref(),
        Some(ids[0].as_str())
    );
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let server = MockServer::start().await;
    let url = format!("{}/api/version", server.base_url());
    assert!(reqwest::get(&url).await.is_ok());
    server.shutdown().await;
    assert!(reqwest::get(&url).await.is_err());

    let server = MockServer::start().await;
    let url = format!("{}/api/version", server.base_url());
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(reqwest::get(&url).await.is_err());
}

#[tokio::test]
async fn seeded_catalog_is_exposed() {
    let server = MockServer::start().await;
    assert_eq!(
        server.providers(),
        [
            "openai",
            "anthropic",
            "azure",
            "bedrock",
            "gemini",
            "mistral",
            "groq",
            "vertex"
        ]
    );
    assert_eq!(server.mcp_clients(), ["github", "filesystem", "slack"]);
    let keys = server.provider_keys();
    assert_eq!(keys.len(), 10);
    assert!(keys.iter().all(|k| k.key_id.len() == 36));
    assert_eq!(keys.iter().filter(|k| k.provider == "openai").count(), 2);
}

#[test]
fn binary_prints_its_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bifrost-governance-mock"))
        .args([
            "--port",
            "0",
            "--api-key",
            "bin-key",
            "--server-version",
            "v9.9.9",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    let result = std::panic::catch_unwind(|| {
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let version = reqwest::get(format!("{url}/api/version"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(version, "\"v9.9.9\"\n");
            let denied = reqwest::get(format!("{url}/api/governance/teams"))
                .await
                .unwrap();
            assert_eq!(denied.status().as_u16(), 401);
        });
    });
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();
}
