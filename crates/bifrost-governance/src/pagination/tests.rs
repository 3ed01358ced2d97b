//! The engine against a scripted source.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::FutureExt;

use super::*;

/// Ids `0..total`, paged; counts the requests in flight.
#[derive(Clone)]
struct Numbers {
    total: u64,
    /// Page 0 is answered only once this many requests have started.
    gate: usize,
    state: Arc<Probe>,
}

#[derive(Default)]
struct Probe {
    gate_opened: std::sync::atomic::AtomicBool,
    started: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl sealed::Sealed for Numbers {}

impl ListSource for Numbers {
    type Item = String;

    fn fetch(
        &self,
        _: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<String>>> {
        let this = self.clone();
        async move {
            let probe = &this.state;
            probe.started.fetch_add(1, Ordering::SeqCst);
            let now = probe.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            probe.max_in_flight.fetch_max(now, Ordering::SeqCst);
            if offset == 0 {
                // Bounded, so that an engine that waits for page 0 fails the
                // test instead of hanging it.
                for _ in 0..10_000 {
                    if probe.started.load(Ordering::SeqCst) >= this.gate {
                        probe.gate_opened.store(true, Ordering::SeqCst);
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
            probe.in_flight.fetch_sub(1, Ordering::SeqCst);
            let end = (offset + u64::from(limit)).min(this.total);
            Ok(Page {
                items: (offset.min(end)..end).map(|i| i.to_string()).collect(),
                total_count: this.total,
                limit: u64::from(limit),
                offset,
            })
        }
        .boxed()
    }

    fn id(item: &String) -> &str {
        item
    }
}

fn list(total: u64, gate: usize) -> (List<Numbers>, Arc<Probe>) {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("client");
    let state = Arc::new(Probe::default());
    let source = Numbers {
        total,
        gate,
        state: state.clone(),
    };
    (List::new(client, source), state)
}

async fn all(list: List<Numbers>) -> Vec<String> {
    list.collect_all().await.expect("the scan succeeds")
}

fn numbers(n: u64) -> Vec<String> {
    (0..n).map(|i| i.to_string()).collect()
}

#[tokio::test]
async fn the_first_window_is_requested_before_the_first_page_returns() {
    // Page 0 answers only after four requests have started.
    let (list, probe) = list(1000, 4);

    let items = all(list.concurrency(4)).await;

    assert_eq!(items, numbers(1000));
    assert!(
        probe.gate_opened.load(Ordering::SeqCst),
        "page 0 came first alone"
    );
    assert_eq!(probe.started.load(Ordering::SeqCst), 10);
}

#[tokio::test]
async fn requests_in_flight_reach_but_never_exceed_the_concurrency() {
    for concurrency in [1, 3, 8] {
        let (list, probe) = list(5000, 0);

        let items = all(list.page_size(10).concurrency(concurrency)).await;

        assert_eq!(items, numbers(5000));
        assert_eq!(probe.started.load(Ordering::SeqCst), 500);
        assert_eq!(
            probe.max_in_flight.load(Ordering::SeqCst),
            concurrency,
            "concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn a_small_collection_costs_at_most_the_first_window() {
    let (list, probe) = list(5, 3);

    let mut items = list.concurrency(3).items();
    let mut seen = Vec::new();
    while let Some(item) = items.try_next().await.expect("scan") {
        seen.push(item);
    }

    assert_eq!(seen, numbers(5));
    assert!(probe.gate_opened.load(Ordering::SeqCst));
    assert_eq!(probe.started.load(Ordering::SeqCst), 3);
    let report = items.report();
    assert_eq!((report.pages, report.pages_past_end), (1, 2));
    assert!(report.is_complete(), "{report:?}");
}

#[test]
fn concurrency_is_clamped() {
    let (list, _) = list(1, 0);
    assert_eq!(list.clone().concurrency(0).concurrency, 1);
    assert_eq!(list.concurrency(usize::MAX).concurrency, MAX_CONCURRENCY);
}
