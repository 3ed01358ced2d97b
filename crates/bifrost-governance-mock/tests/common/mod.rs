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

/// A server version of each profile, as the fidelity tests name them.
pub const V1_5: &str = "v1.5.2";
/// The newest-v2 profile's version.
pub const V2: &str = "v2.3.1";

/// A deterministic fake reporting `version`, and a client for it.
pub async fn fake(version: &str) -> (MockServer, Api) {
    let server = MockServer::builder()
        .version(version)
        .deterministic()
        .start()
        .await;
    let api = Api::new(&server);
    (server, api)
}

/// A response as received: status, content type and the exact body bytes.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Raw {
    /// The body decoded as JSON (panics when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// Asserts the `BifrostError` envelope with exactly this status and message,
    /// byte for byte as Go's encoder writes it.
    pub fn assert_error(&self, status: u16, message: &str) {
        let expected = format!(
            "{{\"is_bifrost_error\":false,\"status_code\":{status},\"error\":{{\"message\":{}}},\"extra_fields\":{{}}}}\n",
            go_string(message)
        );
        assert_eq!(
            (self.status, self.body.as_str()),
            (status, expected.as_str())
        );
    }
}

/// A string as Go's encoder quotes it (HTML-escaped).
pub fn go_string(text: &str) -> String {
    serde_json::to_string(text)
        .expect("string")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

impl Api {
    /// Sends a request with a raw body (or none) and returns the exact response.
    pub async fn raw(&self, method: Method, path: &str, body: Option<&str>) -> Raw {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request failed");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = response.text().await.expect("body");
        Raw {
            status,
            content_type,
            body,
        }
    }
}

/// Compares a response body with `tests/golden/<dir>/<name>.json` byte for byte.
/// The fixture is written by hand from the upstream struct tags (see FIDELITY.md),
/// never from the fake's output.
pub fn assert_golden(dir: &str, name: &str, body: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(dir)
        .join(format!("{name}.json"));
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Fixtures are pretty-printed for review; Go writes compact JSON plus a newline.
    let compact = format!("{}\n", minify(&expected));
    assert_eq!(body, compact, "{} differs", path.display());
}

/// Drops the whitespace between JSON tokens, keeping key order and string
/// contents exactly as written.
pub fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Both profiles, for tests of `both` rows.
pub const BOTH: [&str; 2] = [V1_5, V2];

/// Whether a version is the 1.5.x profile.
pub fn is_v1_5(version: &str) -> bool {
    version.starts_with("v1.5")
}

impl Api {
    /// Sends JSON and returns the exact response.
    pub async fn send(&self, method: Method, path: &str, body: Value) -> Raw {
        self.raw(method, path, Some(&body.to_string())).await
    }

    /// `GET` as a raw response.
    pub async fn get_raw(&self, path: &str) -> Raw {
        self.raw(Method::GET, path, None).await
    }

    /// Creates a key and returns its id (asserting 200).
    pub async fn vk_id(&self, body: Value) -> String {
        id(&self.vk(body).await)
    }

    /// A call that must succeed with 200; returns the body.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.call(method, path, body).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

impl Raw {
    /// Asserts the status and returns the decoded body.
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.json()
    }
}
