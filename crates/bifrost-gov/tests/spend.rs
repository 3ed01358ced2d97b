//! `spend` ranks keys by the highest share of a budget used, on every server generation
//! (the server's `budget_spent` sort does not see the budgets newest v2.x keeps on a
//! key's model configs).

mod common;

use common::{Fake, VERSIONS};
use serde_json::Value;

fn names(json: &str) -> Vec<String> {
    let rows: Value = serde_json::from_str(json).expect("spend -o json prints JSON");
    rows.as_array()
        .expect("a list")
        .iter()
        .map(|row| row["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn keys_are_ranked_by_share_used() {
    for version in VERSIONS {
        let fake = Fake::start(version);
        // (key, budget cap, spent): shares 10 %, 90 %, 50 %, none.
        let keys = [
            ("k-low", "10", 1.0),
            ("k-high", "20", 18.0),
            ("k-mid", "4", 2.0),
        ];
        for (name, cap, _) in keys {
            fake.expect(
                0,
                &["keys", "create", name, "--budget", &format!("{cap}:1d")],
            );
        }
        fake.expect(0, &["keys", "create", "k-unbudgeted"]);
        let listed: Value =
            serde_json::from_str(&fake.expect(0, &["keys", "list", "-o", "json"])).unwrap();
        for (name, _, spent) in keys {
            let id = listed
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["name"] == name)
                .and_then(|k| k["id"].as_str())
                .expect("listed");
            fake.server.record_usage(id, spent, 100);
        }
        assert_eq!(
            names(&fake.expect(0, &["spend", "--limit", "3", "-o", "json"])),
            ["k-high", "k-mid", "k-low"],
            "{version}"
        );
    }
}
