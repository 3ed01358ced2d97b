//! The pagination engine against a mock that pages like Bifrost's team list
//! (`support::Paginator`): clamping, ordering, mutation during a scan, concurrency,
//! limits and errors.

use std::collections::HashSet;

use bifrost_governance::types::Team;
use bifrost_governance::{Client, ScanReport};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, Paginator, client};
use bifrost_governance_wiremock::fixtures::{bifrost_error, team};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use wiremock::MockServer;

fn id(i: usize) -> String {
    format!("team-{i:04}")
}

fn rows(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| team(&id(i)).name(&format!("name {i}")).build())
        .collect()
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(id).collect()
}

struct Fixture {
    _server: MockServer,
    guard: ContractGuard,
    client: Client,
}

async fn serve(paginator: Paginator) -> Fixture {
    let server = MockServer::start().await;
    let guard = contract::expect("list_teams")
        .authorization(AUTHORIZATION)
        .respond_with(move |request| paginator.reply(request))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    Fixture {
        _server: server,
        guard,
        client,
    }
}

/// Every item id of a scan, with the scan's report.
async fn scan(
    list: bifrost_governance::List<bifrost_governance::resources::teams::TeamQuery>,
) -> (Vec<String>, ScanReport) {
    let mut items = list.items();
    let mut seen = Vec::new();
    while let Some(team) = items.try_next().await.expect("scan") {
        seen.push(team.id);
    }
    (seen, items.report())
}

fn assert_unique(ids: &[String]) {
    let mut set = HashSet::new();
    for id in ids {
        assert!(set.insert(id), "{id} yielded twice");
    }
}

#[tokio::test]
async fn the_fake_pages_like_the_server() {
    let f = serve(Paginator::new("teams", rows(237))).await;
    let raw = f.client.raw();

    let zero = raw
        .list_teams()
        .limit(0)
        .offset(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (zero.limit, zero.count, zero.total_count),
        (Some(25), Some(25), Some(237)),
        "limit 0 → 25"
    );
    let missing = raw
        .list_teams()
        .offset(230)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (missing.limit, missing.offset, missing.count),
        (Some(25), Some(230), Some(7))
    );
    let unpaged = raw.list_teams().send().await.unwrap().into_inner();
    assert_eq!(
        unpaged.teams.unwrap().len(),
        237,
        "no paging parameter → every row"
    );
    let search = raw
        .list_teams()
        .search("NAME 23")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(search.total_count, Some(8), "name 23, 230..=236");
    assert_eq!(search.limit, Some(25), "search alone turns paging on");
}

#[tokio::test]
async fn a_page_size_above_100_yields_every_item_once_in_order() {
    let f = serve(Paginator::new("teams", rows(237))).await;

    let (seen, report) = scan(f.client.teams().list().page_size(500)).await;

    assert_eq!(seen, ids(0..237));
    let requests = f.guard.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let limit = request
            .query_i64("limit")
            .expect("every request sends limit");
        assert!((1..=100).contains(&limit), "limit {limit}");
        assert!(
            request.query_i64("offset").is_some(),
            "every request sends offset"
        );
    }
    let offsets: Vec<i64> = requests
        .iter()
        .map(|r| r.query_i64("offset").unwrap())
        .collect();
    assert_eq!(offsets, vec![0, 100, 200]);
    assert_eq!((report.pages, report.items), (3, 237));
    assert!(!report.collection_changed(), "{report:?}");
}

#[tokio::test]
async fn inserts_and_deletes_during_a_scan_never_repeat_an_id_and_are_reported() {
    // 250 rows, pages of 100. After page 1, three rows are inserted at position 10
    // (rows 97..=99 shift onto page 2); after page 2, the first two rows are deleted
    // (rows 197 and 198 shift back onto page 2's range and are missed).
    let paginator = Paginator::new("teams", rows(250)).after_page(|page, rows| match page {
        0 => {
            for k in 0..3 {
                rows.insert(10, team(&format!("new-{k}")).name("inserted").build());
            }
        }
        1 => {
            rows.drain(0..2);
        }
        _ => {}
    });
    let f = serve(paginator).await;

    let (seen, report) = scan(f.client.teams().list()).await;

    assert_unique(&seen);
    let expected: Vec<String> = ids(0..197).into_iter().chain(ids(199..250)).collect();
    assert_eq!(seen, expected);
    assert_eq!(report.duplicates_skipped, 3, "{report:?}");
    assert_eq!(report.total_count_changes, 2, "{report:?}");
    assert_eq!(
        (report.first_total_count, report.last_total_count),
        (Some(250), Some(251))
    );
    assert!(report.collection_changed());
    assert_eq!(f.guard.request_count(), 3);
}

#[tokio::test]
async fn concurrent_paging_yields_exactly_the_sequential_sequence() {
    let f = serve(Paginator::new("teams", rows(1000))).await;

    let (sequential, _) = scan(f.client.teams().list().page_size(64)).await;
    let sequential_requests = f.guard.request_count();
    let (concurrent, report) = scan(f.client.teams().list().page_size(64).concurrency(4)).await;

    assert_eq!(sequential, ids(0..1000));
    assert_eq!(concurrent, sequential);
    assert_eq!(sequential_requests, 16);
    assert_eq!(f.guard.request_count(), 32, "both scans read 16 pages");
    assert_eq!((report.pages, report.items), (16, 1000));
    assert!(!report.collection_changed(), "{report:?}");
}

#[tokio::test]
async fn a_server_that_serves_smaller_pages_still_yields_everything() {
    let f = serve(Paginator::new("teams", rows(237)).max_limit(40)).await;

    let (sequential, _) = scan(f.client.teams().list()).await;
    let (concurrent, report) = scan(f.client.teams().list().concurrency(3)).await;

    assert_eq!(sequential, ids(0..237));
    assert_eq!(concurrent, sequential);
    assert_eq!(report.pages, 6);
    assert!(!report.collection_changed(), "{report:?}");
}

#[tokio::test]
async fn max_items_stops_at_the_limit() {
    let f = serve(Paginator::new("teams", rows(237))).await;

    let (seen, report) = scan(f.client.teams().list().max_items(30)).await;

    assert_eq!(seen, ids(0..30));
    assert_eq!(report.items, 30);
    let requests = f.guard.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].query_i64("limit"),
        Some(30),
        "asks only for what it needs"
    );
}

#[tokio::test]
async fn max_items_across_pages_with_concurrency() {
    let f = serve(Paginator::new("teams", rows(237))).await;

    let all: Vec<Team> = f
        .client
        .teams()
        .list()
        .page_size(50)
        .max_items(120)
        .concurrency(4)
        .collect_all()
        .await
        .unwrap();

    assert_eq!(
        all.into_iter().map(|t| t.id).collect::<Vec<_>>(),
        ids(0..120)
    );
    let offsets: Vec<i64> = f
        .guard
        .requests()
        .iter()
        .map(|r| r.query_i64("offset").unwrap())
        .collect();
    assert!(
        offsets.iter().all(|&o| o < 120),
        "no page past max_items is requested: {offsets:?}"
    );
}

#[tokio::test]
async fn send_returns_one_page_with_total_count() {
    let f = serve(Paginator::new("teams", rows(237))).await;

    let page = f.client.teams().list().send().await.unwrap();

    assert_eq!(
        page.items.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        ids(0..100)
    );
    assert_eq!((page.total_count, page.limit, page.offset), (237, 100, 0));
    assert_eq!(f.guard.request_count(), 1);
}

#[tokio::test]
async fn pages_stream_reports_each_page() {
    let f = serve(Paginator::new("teams", rows(237))).await;

    let pages: Vec<_> = f.client.teams().list().pages().try_collect().await.unwrap();

    let shape: Vec<(usize, u64, u64)> = pages
        .iter()
        .map(|p| (p.items.len(), p.offset, p.total_count))
        .collect();
    assert_eq!(shape, vec![(100, 0, 237), (100, 100, 237), (37, 200, 237)]);
}

#[tokio::test]
async fn an_error_mid_scan_is_yielded_and_ends_the_stream() {
    let paginator = Paginator::new("teams", rows(237)).fail_when(|request| {
        (request.query_i64("offset") == Some(100))
            .then(|| Reply::json(500, bifrost_error(500, "database is locked")))
    });
    let f = serve(paginator).await;

    let mut items = f.client.teams().list().items();
    let mut ok = 0;
    let error = loop {
        match items
            .next()
            .await
            .expect("the stream ends only after the error")
        {
            Ok(_) => ok += 1,
            Err(e) => break e,
        }
    };

    assert_eq!(ok, 100);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.as_api().unwrap().message, "database is locked");
    assert!(items.next().await.is_none(), "nothing after the error");
    assert_eq!(
        f.guard.request_count(),
        2,
        "no page after the failed one is requested"
    );
    assert_eq!(items.report().items, 100);
}

#[tokio::test]
async fn an_error_mid_concurrent_scan_is_yielded_and_ends_the_stream() {
    let paginator = Paginator::new("teams", rows(1000)).fail_when(|request| {
        (request.query_i64("offset") == Some(300))
            .then(|| Reply::json(500, bifrost_error(500, "boom")))
    });
    let f = serve(paginator).await;

    let results: Vec<_> = f
        .client
        .teams()
        .list()
        .concurrency(4)
        .items()
        .collect()
        .await;

    let ok: Vec<String> = results
        .iter()
        .take_while(|r| r.is_ok())
        .map(|r| r.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(
        ok,
        ids(0..300),
        "every item before the failed page, in order"
    );
    assert_eq!(results.len(), 301, "the error is the last item");
    assert!(results[300].is_err());
}
