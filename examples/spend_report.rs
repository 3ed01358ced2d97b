//! Which keys spend the most: `cargo run --example spend_report`.
//!
//! Lists the ten keys with the highest budget usage, with each budget's usage
//! against its cap. The server's `sort_by=budget_spent` only sees budgets a key owns
//! directly (not those newest v2.x servers keep on the key's model configs), so the
//! keys are ranked here. On the embedded fake it first creates a few keys and
//! records some spend, so there is something to report.

mod common;

use bifrost_governance::resources::virtual_keys::{SortOrder, VirtualKeySortBy};
use bifrost_governance::{BudgetSpec, ResetPeriod};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, embedded) = common::connect().await?;
    if let Some(server) = &embedded {
        for (i, spent) in [3.5, 9.75, 0.2, 7.0].into_iter().enumerate() {
            let key = client
                .virtual_keys()
                .create(format!("service-{i}"))
                .budget(BudgetSpec::new(10.0, ResetPeriod::days(1))?)
                .send()
                .await?;
            server.record_usage(&key.id, spent, 1_000);
        }
    }

    let mut keys = client
        .virtual_keys()
        .list()
        .sort_by(VirtualKeySortBy::Name)
        .order(SortOrder::Asc)
        .page_size(100)
        .collect_all()
        .await?;
    let spent = |key: &bifrost_governance::types::VirtualKey| -> f64 {
        key.budgets()
            .iter()
            .map(|b| b.current_usage())
            .fold(0.0, f64::max)
    };
    keys.sort_by(|a, b| spent(b).total_cmp(&spent(a)));
    for key in keys.iter().take(10) {
        let usage: Vec<String> = key
            .budgets()
            .iter()
            .map(|b| {
                format!(
                    "${:.2} of ${:.2} per {}",
                    b.current_usage(),
                    b.effective_max_limit(),
                    b.reset_duration()
                )
            })
            .collect();
        println!(
            "{:<24} {}",
            key.name,
            if usage.is_empty() {
                "no budget".into()
            } else {
                usage.join(", ")
            }
        );
    }
    Ok(())
}
