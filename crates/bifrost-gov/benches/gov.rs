//! `cargo bench -p bifrost-gov --bench gov`
//!
//! - `apply_1000_keys`: a file of 1,000 keys in 20 teams applied to an empty fake
//!   with 5 ms latency per request, 8 operations at a time vs one at a time.
//! - `plan_10k_keys`: `plan` (read and check the file, read the server, compare)
//!   of a file declaring the server's 10,000 keys vs listing those keys alone, and
//!   the comparison alone (server state as declarations, then the diff).
//!
//! Ratios are read from one run; nothing here asserts a time. Before timing, each
//! group checks that its two sides do the same work (same plan afterwards, same
//! keys read).

use std::time::{Duration, Instant};

use bifrost_gov::apply::{ApplyOptions, apply};
use bifrost_gov::file::{
    BudgetDecl, GovernanceFile, ProviderConfigDecl, Source, TeamDecl, VirtualKeyDecl,
};
use bifrost_gov::live::LiveState;
use bifrost_gov::observe::observe;
use bifrost_gov::plan::Plan;
use bifrost_governance::Client;
use bifrost_governance_mock::MockServer;
use criterion::{Criterion, criterion_group, criterion_main};

const LATENCY: Duration = Duration::from_millis(5);

fn file_of_1000_keys() -> GovernanceFile {
    let budget = |amount: f64, period: &str| BudgetDecl {
        max_limit: amount,
        reset_duration: period.into(),
        quarter_start_month: None,
    };
    GovernanceFile {
        version: 1,
        teams: (0..20)
            .map(|t| TeamDecl {
                name: format!("team-{t:02}"),
                customer: None,
                budgets: vec![budget(1000.0, "1M")],
                rate_limit: None,
                calendar_aligned: false,
            })
            .collect(),
        virtual_keys: (0..1000)
            .map(|k| VirtualKeyDecl {
                name: format!("key-{k:04}"),
                description: Some("benchmark".into()),
                team: Some(format!("team-{:02}", k % 20)),
                customer: None,
                enabled: true,
                budgets: vec![budget(10.0, "1d")],
                rate_limit: None,
                calendar_aligned: false,
                provider_configs: vec![ProviderConfigDecl {
                    provider: "openai".into(),
                    weight: None,
                    models: vec!["gpt-4o-mini".into()],
                    blocked_models: Vec::new(),
                    keys: vec!["*".into()],
                    budgets: Vec::new(),
                    rate_limit: None,
                }],
                mcp_configs: Vec::new(),
                metadata: Default::default(),
                expires_at: None,
                delete_after_expire: false,
                allow_all_providers: false,
                disable_content_logging: None,
            })
            .collect(),
        ..GovernanceFile::default()
    }
}

/// Plans and applies `file` on a fresh fake; returns the time of plan + apply
/// and the plan that follows.
async fn apply_fresh(file: &GovernanceFile, concurrency: usize) -> (Duration, Plan) {
    let server = MockServer::builder().latency(LATENCY).start().await;
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    let start = Instant::now();
    let live = LiveState::fetch(&client, 8).await.unwrap();
    let observed = observe(&live).unwrap();
    let plan = Plan::compute(file, &observed, false).unwrap();
    let options = ApplyOptions {
        concurrency,
        progress: false,
        secrets: None,
    };
    let report = apply(&client, &live, &observed, &plan, &options).await;
    let elapsed = start.elapsed();
    assert!(report.complete(), "{report:?}");
    let live = LiveState::fetch(&client, 8).await.unwrap();
    let after = Plan::compute(file, &observe(&live).unwrap(), false).unwrap();
    (elapsed, after)
}

fn apply_1000_keys(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let file = file_of_1000_keys();
    // Both ways reach the same state: nothing left to change.
    for concurrency in [8, 1] {
        let (_, after) = rt.block_on(apply_fresh(&file, concurrency));
        assert!(!after.summary.has_changes(), "concurrency {concurrency}");
        assert_eq!(after.summary.unchanged, 1020);
    }
    let mut group = c.benchmark_group("apply_1000_keys");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for (name, concurrency) in [("concurrency_8", 8), ("one_at_a_time", 1)] {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let file = file.clone();
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += apply_fresh(&file, concurrency).await.0;
                    }
                    total
                }
            })
        });
    }
    group.finish();
}

fn plan_10k_keys(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    server.insert_virtual_keys(10_000);
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    // The file declares every key as it is (a dump), so the plan compares 10,000
    // pairs and finds nothing to change.
    let text = rt.block_on(async {
        let live = LiveState::fetch(&client, 8).await.unwrap();
        let file = observe(&live).unwrap().to_file(None);
        serde_norway::to_string(&file).unwrap()
    });
    let plan = || async {
        let source = Source::from_text("bench.yaml", text.as_str(), false);
        let file = bifrost_gov::validate::validate(&source).unwrap();
        let live = LiveState::fetch(&client, 8).await.unwrap();
        Plan::compute(&file, &observe(&live).unwrap(), false).unwrap()
    };
    let list = || async {
        client
            .virtual_keys()
            .list()
            .concurrency(8)
            .collect_all()
            .await
            .unwrap()
    };
    let (planned, listed) = rt.block_on(async { (plan().await, list().await) });
    assert_eq!(planned.summary.unchanged, 10_000);
    assert!(!planned.summary.has_changes());
    assert_eq!(listed.len(), 10_000);
    // The comparison alone, on a file and a server state already read.
    let file = bifrost_gov::validate::validate(&Source::from_text("b.yaml", text.as_str(), false))
        .unwrap();
    let live = rt.block_on(LiveState::fetch(&client, 8)).unwrap();
    let diff = || Plan::compute(&file, &observe(&live).unwrap(), false).unwrap();
    assert_eq!(diff().summary.unchanged, 10_000);
    let mut group = c.benchmark_group("plan_10k_keys");
    group.sample_size(10);
    group.bench_function("list_keys", |b| b.to_async(&rt).iter(list));
    group.bench_function("plan", |b| b.to_async(&rt).iter(plan));
    group.bench_function("compare_only", |b| b.iter(diff));
    group.finish();
}

criterion_group!(benches, apply_1000_keys, plan_10k_keys);
criterion_main!(benches);
