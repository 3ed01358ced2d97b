//! `cargo bench -p bifrost-governance --bench sdk`: the SDK against its floors.
//!
//! - decode: a page of 100 fully populated keys, typed vs `serde_json::Value`;
//! - per_call: `virtual_keys().get(id)` vs a hand-written reqwest GET + decode into the
//!   same type, against an in-process server returning a canned body.
//!
//! Listing (10 000 keys with injected latency) is in `benches/list.rs`.

mod common;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use bifrost_governance::Client;
use bifrost_governance::types::{VirtualKeyList, VirtualKeyResponse};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
    // The SDK's default per-attempt timeout is a timer per request (reqwest's total
    // timeout, which also wraps the body); these two isolate its cost.
    let sdk_untimed = Client::builder()
        .base_url(&base)
        .no_timeout()
        .build()
        .expect("client");
    let http = reqwest::Client::new();
    let url = format!("{base}/api/governance/virtual-keys/vk-1");
    let raw = |timeout: Option<Duration>| {
        let (http, url) = (&http, &url);
        async move {
            let mut request = http.get(url);
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            let bytes = request
                .send()
                .await
                .expect("send")
                .bytes()
                .await
                .expect("body");
            serde_json::from_slice::<VirtualKeyResponse>(&bytes)
                .expect("decodes")
                .virtual_key
        }
    };

    let mut group = c.benchmark_group("get_virtual_key");
    group.bench_function("sdk", |b| {
        b.to_async(&rt)
            .iter(|| async { sdk.virtual_keys().get("vk-1").await.expect("get") })
    });
    group.bench_function("raw_reqwest", |b| b.to_async(&rt).iter(|| raw(None)));
    group.bench_function("sdk_no_timeout", |b| {
        b.to_async(&rt)
            .iter(|| async { sdk_untimed.virtual_keys().get("vk-1").await.expect("get") })
    });
    group.bench_function("raw_reqwest_timeout_60s", |b| {
        b.to_async(&rt).iter(|| raw(Some(Duration::from_secs(60))))
    });
    group.finish();

    // Criterion measures each function in its own stretch of time, and this shared
    // machine drifts between stretches by more than the difference measured. Short
    // alternating batches (order swapped every round) and the median of the
    // per-round ratios cancel that drift.
    const ROUNDS: usize = 21;
    const BATCH: usize = 300;
    let timed = |sdk: &Client, timeout: Option<Duration>| {
        rt.block_on(async {
            let mut ratios = Vec::with_capacity(ROUNDS);
            for round in 0..ROUNDS {
                let mut sdk_time = Duration::ZERO;
                let mut raw_time = Duration::ZERO;
                for sdk_turn in [round % 2 == 0, round % 2 == 1] {
                    let started = Instant::now();
                    for _ in 0..BATCH {
                        if sdk_turn {
                            sdk.virtual_keys().get("vk-1").await.expect("get");
                        } else {
                            raw(timeout).await;
                        }
                    }
                    *(if sdk_turn {
                        &mut sdk_time
                    } else {
                        &mut raw_time
                    }) += started.elapsed();
                }
                ratios.push(sdk_time.as_secs_f64() / raw_time.as_secs_f64());
            }
            ratios.sort_by(f64::total_cmp);
            ratios
        })
    };
    for (what, client, timeout) in [
        ("sdk (60 s timeout) / raw_reqwest (none)", &sdk, None),
        (
            "sdk (60 s timeout) / raw_reqwest (60 s)",
            &sdk,
            Some(Duration::from_secs(60)),
        ),
        ("sdk (no timeout) / raw_reqwest (none)", &sdk_untimed, None),
    ] {
        let ratios = timed(client, timeout);
        println!(
            "paired {what}: median ratio {:.3} (quartiles {:.3}..{:.3}; {ROUNDS} rounds of {BATCH} calls each)",
            ratios[ROUNDS / 2],
            ratios[ROUNDS / 4],
            ratios[3 * ROUNDS / 4],
        );
    }
}

criterion_group!(benches, decode, per_call);
criterion_main!(benches);
