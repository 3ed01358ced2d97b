//! The smallest honest client of the Bifrost governance API: one typed request and
//! its error, with the dependencies every client needs (reqwest with the SDK's
//! features, serde, serde_json, tokio). `cargo xtask build-cost` compares the cold
//! build of `bifrost-governance` with this crate's.
#![deny(missing_docs)]

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One virtual key, as far as this client cares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualKey {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether requests with it are accepted.
    #[serde(default)]
    pub is_active: bool,
}

/// A page of virtual keys.
#[derive(Debug, Clone, Deserialize)]
pub struct VirtualKeyPage {
    /// The keys of this page.
    pub virtual_keys: Vec<VirtualKey>,
    /// How many keys match in all.
    #[serde(default)]
    pub total_count: u64,
}

/// What can go wrong.
#[derive(Debug)]
pub enum Error {
    /// Transport or decoding failure.
    Http(reqwest::Error),
    /// A non-success status with the server's message.
    Status(u16, String),
}

/// Lists one page of virtual keys, retrying once after a 503.
pub async fn list_virtual_keys(
    http: &reqwest::Client,
    base_url: &str,
    limit: u32,
    offset: u32,
) -> Result<VirtualKeyPage, Error> {
    let url = format!("{base_url}/api/governance/virtual-keys");
    let mut retried = false;
    loop {
        let response = http
            .get(&url)
            .query(&[("limit", limit), ("offset", offset)])
            .send()
            .await
            .map_err(Error::Http)?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(Error::Http);
        }
        if status.as_u16() == 503 && !retried {
            retried = true;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        return Err(Error::Status(status.as_u16(), message.to_string()));
    }
}
