//! `cargo bench -p bifrost-governance --bench memory`: peak RSS while streaming keys.
//!
//! The bench re-executes itself: one process serves 100 000 keys from the fake
//! (`--serve`), and each measurement runs in a fresh process (`--scan URL N`) that
//! holds only the SDK, warms up, records its RSS, streams `N` keys with
//! `.concurrency(8)` and pages of 100, and reports its peak RSS above that baseline.
//! Equal numbers for 10 000 and 100 000 keys mean memory does not grow with the
//! collection.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use bifrost_governance::Client;
use bifrost_governance_mock::MockServer;

const CONCURRENCY: usize = 8;
const PAGE: u32 = 100;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("field in /proc/self/status")
}

async fn serve(n: usize) {
    let server = MockServer::start().await;
    server.insert_virtual_keys(n);
    println!("{}", server.base_url());
    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
}

async fn scan(url: &str, n: u64) {
    let client = Client::builder().base_url(url).build().expect("client");
    // Warm up connections and allocator pools before the baseline.
    client
        .virtual_keys()
        .list()
        .max_items(1000)
        .concurrency(CONCURRENCY)
        .collect_all()
        .await
        .expect("warm-up");
    let baseline = status_kib("VmRSS:");
    // Writing 5 resets VmHWM (peak RSS) to the current RSS.
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
    let started = std::time::Instant::now();
    let mut items = client
        .virtual_keys()
        .list()
        .page_size(PAGE)
        .concurrency(CONCURRENCY)
        .max_items(n)
        .items();
    let mut count = 0u64;
    while let Some(key) = items.try_next().await.expect("scan") {
        std::hint::black_box(&key);
        count += 1;
    }
    let elapsed = started.elapsed();
    assert_eq!(count, n, "every key streamed once");
    let peak = status_kib("VmHWM:");
    println!(
        "| {n} | {:.1} | {:.2} | {:.0} |",
        baseline as f64 / 1024.0,
        peak.saturating_sub(baseline) as f64 / 1024.0,
        n as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--serve") => return serve(args[2].parse().expect("count")).await,
        Some("--scan") => return scan(&args[2], args[3].parse().expect("count")).await,
        _ => {}
    }
    if args
        .iter()
        .any(|a| a == "--list" || a.starts_with("--test"))
    {
        return; // libtest-style probing (`cargo test --benches`): nothing to run.
    }
    let exe = std::env::current_exe().expect("exe");
    let mut server = Command::new(&exe)
        .args(["--serve", "100000"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let mut url = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("server url");

    println!("| items streamed | baseline RSS (MiB) | peak above baseline (MiB) | items/s |");
    println!("| --- | --- | --- | --- |");
    for n in ["10000", "50000", "100000"] {
        let status = Command::new(&exe)
            .args(["--scan", url.trim(), n])
            .status()
            .expect("scan process");
        assert!(status.success(), "scan of {n} failed");
    }
    server.kill().ok();
    server.wait().ok();
}
