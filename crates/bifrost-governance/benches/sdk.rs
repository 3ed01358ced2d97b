//! `cargo bench -p bifrost-governance --bench sdk`: the SDK against its floors.
//!
//! - decode: a page of 100 fully populated keys, typed vs `serde_json::Value`;
//! - per_call: `virtual_keys().get(id)` vs a hand-written reqwest GET + decode into the
//!   same type, against an in-process server returning a canned body;
//! - list_10k: 10 000 keys from the fake with 5 ms latency per request, a sequential
//!   page loop vs `.items()` with `.concurrency(8)`.

mod common;

use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use bifrost_governance::types::{VirtualKeyList, VirtualKeyResponse};
use bifrost_governance::{Client, Page, types::VirtualKey};
use bifrost_governance_mock::MockServer;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::TryStreamExt;

fn decode(c: &mut Criterion) {
    let body = common::list_page(100);
    let mut group = c.benchmark_group("decode_page_100_keys");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("typed_sdk", |b| {
        b.iter(|| {
            serde_json::from_slice::<VirtualKeyList>(std::hint::black_box(&body)).expect("decodes")
        })
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&body))
                .expect("decodes")
        })
    });
    group.finish();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn per_call(c: &mut Criterion) {
    let rt = runtime();
    let body = serde_json::to_vec(&serde_json::json!({"virtual_key": common::full_virtual_key(1)}))
        .expect("body");
    let base = rt.block_on(async move {
        let app = Router::new().route(
            "/api/governance/virtual-keys/{vk_id}",
            get(move || {
                let body = body.clone();
                async move { ([(CONTENT_TYPE, "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        format!("http://{addr}")
    });
    let sdk = Client::builder().base_url(&base).build().expect("client");
    let http = reqwest::Client::new();
    let url = format!("{base}/api/governance/virtual-keys/vk-1");

    let mut group = c.benchmark_group("get_virtual_key");
    group.bench_function("sdk", |b| {
        b.to_async(&rt)
            .iter(|| async { sdk.virtual_keys().get("vk-1").await.expect("get") })
    });
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let bytes = http
                .get(&url)
                .send()
                .await
                .expect("send")
                .bytes()
                .await
                .expect("body");
            serde_json::from_slice::<VirtualKeyResponse>(&bytes)
                .expect("decodes")
                .virtual_key
        })
    });
    group.finish();
}

fn list_10k(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(
        MockServer::builder()
            .latency(Duration::from_millis(5))
            .start(),
    );
    server.insert_virtual_keys(10_000);
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .expect("client");
    // The same scan without injected latency: the CPU floor of client and fake
    // server together on this machine, which bounds any concurrency gain.
    let floor_server = rt.block_on(MockServer::start());
    floor_server.insert_virtual_keys(10_000);
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
    let concurrent = || async {
        client
            .virtual_keys()
            .list()
            .concurrency(8)
            .items()
            .try_collect::<Vec<_>>()
            .await
            .expect("scan")
    };

    // Same items in the same order, checked once before timing.
    let (a, b) = rt.block_on(async { (sequential().await, concurrent().await) });
    assert_eq!(a.len(), 10_000);
    assert!(
        a.iter().map(|k| &k.id).eq(b.iter().map(|k| &k.id)),
        "concurrent scan changed the sequence"
    );

    let mut group = c.benchmark_group("list_10k_keys_5ms_latency");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("sequential_page_loop", |bench| {
        bench.to_async(&rt).iter(sequential)
    });
    group.bench_function("items_concurrency_8", |bench| {
        bench.to_async(&rt).iter(concurrent)
    });
    group.bench_function("cpu_floor_no_latency_concurrency_8", |bench| {
        bench.to_async(&rt).iter(|| async {
            floor_client
                .virtual_keys()
                .list()
                .concurrency(8)
                .items()
                .try_collect::<Vec<_>>()
                .await
                .expect("scan")
        })
    });
    group.finish();
}

criterion_group!(benches, decode, per_call, list_10k);
criterion_main!(benches);
