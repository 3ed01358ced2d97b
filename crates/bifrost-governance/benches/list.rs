//! `cargo bench -p bifrost-governance --bench list`: listing 10 000 keys from the fake
//! server with 5 ms injected latency per request, pages of 100 (N = 100 pages).
//!
//! - `one_page_round_trip`: one `list().send()` of the first page of 100: the
//!   per-request latency L the scan actually meets (injected sleep, the fake's work
//!   and the client's decode), measured in the same run as the scans;
//! - `one_window_round_trip`: c = 8 such requests at once (pages 0..8, each on its
//!   own task), until the last answers: W, what one window costs when the fake
//!   serves c requests together (its store is one lock, and its sleeps end on the
//!   same timer tick);
//! - `items_concurrency_8`: `.concurrency(8).items()`, every key;
//! - `sequential_page_loop`: a hand-written loop of `send()` calls, one page at a time;
//! - `cpu_floor_no_latency_concurrency_8`: the concurrent scan against a fake without
//!   injected latency, the CPU cost of client and fake together on this machine.
//!
//! After criterion's own output the bench prints the latency bounds computed from the
//! median L of this run and the ratio of the median scan time to them:
//! `L·(1+⌈(N−1)/c⌉)` (first page alone, then windows of c) and `L·⌈N/c⌉` (the first
//! window fetched together), and `W·⌈N/c⌉`, the same with the measured cost of a
//! window instead of c times a lone request.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bifrost_governance::types::VirtualKey;
use bifrost_governance::{Client, Page};
use bifrost_governance_mock::MockServer;
use criterion::{Criterion, criterion_group};

const KEYS: usize = 10_000;
const PAGE: usize = 100;
const CONCURRENCY: usize = 8;
const LATENCY: Duration = Duration::from_millis(5);

/// Per-iteration times of each sample, by bench name, for the summary.
static SAMPLES: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Times `iters` runs of `f`, recording the mean per run for the summary.
async fn timed<F, Fut>(name: &'static str, iters: u64, f: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future,
{
    let started = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(f().await);
    }
    let elapsed = started.elapsed();
    SAMPLES
        .lock()
        .expect("samples")
        .push((name, elapsed.as_secs_f64() / iters as f64));
    elapsed
}

fn list_10k(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(MockServer::builder().latency(LATENCY).start());
    server.insert_virtual_keys(KEYS);
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .expect("client");
    let floor_server = rt.block_on(MockServer::start());
    floor_server.insert_virtual_keys(KEYS);
    let floor_client = Client::builder()
        .base_url(floor_server.base_url())
        .build()
        .expect("client");

    let sequential = || async {
        let mut all: Vec<VirtualKey> = Vec::new();
        loop {
            let page: Page<VirtualKey> = client
                .virtual_keys()
                .list()
                .offset(all.len() as u64)
                .send()
                .await
                .expect("page");
            let done =
                page.items.is_empty() || all.len() + page.items.len() >= page.total_count as usize;
            all.extend(page.items);
            if done {
                return all;
            }
        }
    };
    let concurrent = |client: &Client| {
        let list = client.virtual_keys().list().concurrency(CONCURRENCY);
        async move {
            let mut items = list.items();
            let mut all = Vec::with_capacity(KEYS);
            // Through the `Stream` trait, as the measurements before `Items::try_next`
            // existed did; the inherent method runs the same code.
            while let Some(key) = futures::TryStreamExt::try_next(&mut items)
                .await
                .expect("scan")
            {
                all.push(key);
            }
            all
        }
    };
    let one_page = || async {
        client
            .virtual_keys()
            .list()
            .page_size(PAGE as u32)
            .send()
            .await
            .expect("page")
    };

    let one_window = || async {
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|i| {
                let list = client
                    .virtual_keys()
                    .list()
                    .page_size(PAGE as u32)
                    .offset((i * PAGE) as u64);
                tokio::spawn(list.send())
            })
            .collect();
        let mut keys = 0;
        for task in tasks {
            keys += task.await.expect("task").expect("page").items.len();
        }
        keys
    };

    // Same items in the same order, checked once before timing.
    let (a, b) = rt.block_on(async { (sequential().await, concurrent(&client).await) });
    assert_eq!(a.len(), KEYS);
    assert!(
        a.iter().map(|k| &k.id).eq(b.iter().map(|k| &k.id)),
        "concurrent scan changed the sequence"
    );

    let mut group = c.benchmark_group("list_10k_keys_5ms_latency");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("one_page_round_trip", |bench| {
        bench
            .to_async(&rt)
            .iter_custom(|iters| timed("one_page_round_trip", iters, one_page))
    });
    group.bench_function("one_window_round_trip", |bench| {
        bench
            .to_async(&rt)
            .iter_custom(|iters| timed("one_window_round_trip", iters, one_window))
    });
    group.bench_function("items_concurrency_8", |bench| {
        bench
            .to_async(&rt)
            .iter_custom(|iters| timed("items_concurrency_8", iters, || concurrent(&client)))
    });
    group.sample_size(10);
    group.bench_function("sequential_page_loop", |bench| {
        bench
            .to_async(&rt)
            .iter_custom(|iters| timed("sequential_page_loop", iters, sequential))
    });
    group.bench_function("cpu_floor_no_latency_concurrency_8", |bench| {
        bench.to_async(&rt).iter_custom(|iters| {
            timed("cpu_floor_no_latency_concurrency_8", iters, || {
                concurrent(&floor_client)
            })
        })
    });
    group.finish();
}

fn median(name: &str) -> Option<f64> {
    let mut values: Vec<f64> = SAMPLES
        .lock()
        .expect("samples")
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

/// The bounds and ratios of this run, from the medians of the recorded samples.
fn summary() {
    let ms = |s: f64| s * 1e3;
    let (Some(l), Some(scan)) = (median("one_page_round_trip"), median("items_concurrency_8"))
    else {
        return;
    };
    let n = KEYS.div_ceil(PAGE);
    let serial_first = l * (1 + (n - 1).div_ceil(CONCURRENCY)) as f64;
    let windowed = l * n.div_ceil(CONCURRENCY) as f64;
    println!("\nlist summary (medians of this run; N = {n} pages, c = {CONCURRENCY}):");
    println!("  L (one page round trip)        {:8.2} ms", ms(l));
    println!("  items_concurrency_8            {:8.2} ms", ms(scan));
    println!(
        "  bound L·(1+⌈(N−1)/c⌉)          {:8.2} ms   ratio {:.3}",
        ms(serial_first),
        scan / serial_first
    );
    println!(
        "  bound L·⌈N/c⌉                  {:8.2} ms   ratio {:.3}",
        ms(windowed),
        scan / windowed
    );
    if let Some(w) = median("one_window_round_trip") {
        let by_window = w * n.div_ceil(CONCURRENCY) as f64;
        println!(
            "  W (one window of c requests)   {:8.2} ms   = {:.2} L",
            ms(w),
            w / l
        );
        println!(
            "  bound W·⌈N/c⌉                  {:8.2} ms   ratio {:.3}",
            ms(by_window),
            scan / by_window
        );
    }
    if let Some(seq) = median("sequential_page_loop") {
        println!(
            "  sequential_page_loop           {:8.2} ms   {:.2}× the concurrent scan",
            ms(seq),
            seq / scan
        );
    }
    if let Some(floor) = median("cpu_floor_no_latency_concurrency_8") {
        println!("  cpu floor (no latency)         {:8.2} ms", ms(floor));
    }
}

criterion_group!(benches, list_10k);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
