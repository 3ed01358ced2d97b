//! `cargo bench -p bifrost-governance --bench memory`: peak RSS while streaming keys.
//!
//! The process re-executes itself as the server (`--serve N`), so the measured
//! process holds only the SDK. It streams 10 000, 50 000 and 100 000 keys with
//! `.concurrency(8)` and pages of 100, and prints the peak RSS above the baseline
//! for each; flat numbers mean memory does not grow with the collection.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use bifrost_governance::Client;
use bifrost_governance_mock::MockServer;
use futures::TryStreamExt;

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

fn reset_peak() {
    // Writing 5 resets VmHWM to the current RSS (Linux 4.0+).
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let n: usize = args[i + 1].parse().expect("count");
        let server = MockServer::start().await;
        server.insert_virtual_keys(n);
        println!("{}", server.base_url());
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        return;
    }
    if args
        .iter()
        .any(|a| a == "--list" || a.starts_with("--test"))
    {
        return; // `cargo test --benches` / libtest probing: nothing to list.
    }

    let mut child = Command::new(std::env::current_exe().expect("exe"))
        .args(["--serve", "100000"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("server url");
    let client = Client::builder()
        .base_url(line.trim())
        .build()
        .expect("client");
    // Warm up connections and allocator pools before the baseline.
    client
        .virtual_keys()
        .list()
        .max_items(1000)
        .concurrency(CONCURRENCY)
        .collect_all()
        .await
        .expect("warm-up");

    println!("| items streamed | baseline RSS (MiB) | peak above baseline (MiB) | items/s |");
    println!("| --- | --- | --- | --- |");
    for n in [10_000u64, 50_000, 100_000] {
        let baseline = status_kib("VmRSS:");
        reset_peak();
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
        assert_eq!(count, n);
        let peak = status_kib("VmHWM:");
        println!(
            "| {n} | {:.1} | {:.2} | {:.0} |",
            baseline as f64 / 1024.0,
            peak.saturating_sub(baseline) as f64 / 1024.0,
            n as f64 / elapsed.as_secs_f64()
        );
    }
    child.kill().ok();
    child.wait().ok();
}
