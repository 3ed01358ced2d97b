//! Shared fixtures of the benchmarks.

use serde_json::{Value, json};

/// A fully populated virtual key (nested team and customer, budgets, rate limit,
/// provider configs with keys, MCP config), taken from the newest seed example.
pub fn full_virtual_key(i: usize) -> Value {
    let text = include_str!("../../../../tests/fixtures/seeds/vk_create_v2.json");
    let mut key = serde_json::from_str::<Value>(text).expect("seed parses")["virtual_key"].clone();
    key["id"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
    key["name"] = json!(format!("bench-key-{i:05}"));
    key["value"] = json!(format!("sk-bf-00000000-0000-4000-8000-{i:012}"));
    key
}

/// A list page of `n` fully populated keys, as the server sends it.
pub fn list_page(n: usize) -> Vec<u8> {
    let keys: Vec<Value> = (0..n).map(full_virtual_key).collect();
    serde_json::to_vec(
        &json!({"virtual_keys": keys, "count": n, "total_count": n, "limit": n, "offset": 0}),
    )
    .expect("serializes")
}
