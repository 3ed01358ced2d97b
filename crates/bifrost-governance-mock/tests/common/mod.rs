//! Raw-HTTP helpers shared by the integration tests.
#![allow(dead_code)]

use bifrost_governance_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

/// A thin JSON client for one mock server.
pub struct Api {
    pub base: String,
    key: Option<String>,
    client: reqwest::Client,
}

impl Api {
    pub fn new(server: &MockServer) -> Self {
        Self {
            base: server.base_url(),
            key: server.api_key().map(str::to_string),
            client: reqwest::Client::new(),
        }
    }

    /// Sends a request and returns the status with the decoded JSON body
    /// (`Value::Null` when the body is empty or not JSON).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request failed");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Creates an entity and returns its object (asserting 200).
    pub async fn create(&self, collection: &str, entity: &str, body: Value) -> Value {
        let (status, created) = self
            .post(&format!("/api/governance/{collection}"), body)
            .await;
        assert_eq!(status, 200, "creating {entity}: {created}");
        created[entity].clone()
    }

    pub async fn customer(&self, name: &str) -> String {
        id(&self
            .create("customers", "customer", json!({"name": name}))
            .await)
    }

    pub async fn team(&self, name: &str, customer_id: Option<&str>) -> String {
        let mut body = json!({"name": name});
        if let Some(c) = customer_id {
            body["customer_id"] = json!(c);
        }
        id(&self.create("teams", "team", body).await)
    }

    pub async fn vk(&self, body: Value) -> Value {
        self.create("virtual-keys", "virtual_key", body).await
    }
}

pub fn id(entity: &Value) -> String {
    entity["id"].as_str().expect("id").to_string()
}

/// The names of the items of a list response, in order.
pub fn names(list: &Value, key: &str, field: &str) -> Vec<String> {
    list[key]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Asserts a `BifrostError` envelope with the given status and message.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, message: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["is_bifrost_error"], json!(false), "body: {body}");
    assert_eq!(body["status_code"], json!(expected_status), "body: {body}");
    assert_eq!(body["extra_fields"], json!({}), "body: {body}");
    let actual = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        actual.contains(message),
        "expected message containing {message:?}, got {actual:?}"
    );
}

pub async fn start() -> (MockServer, Api) {
    let server = MockServer::start().await;
    let api = Api::new(&server);
    (server, api)
}
