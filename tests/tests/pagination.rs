//! The pagination engine against a mock that pages like Bifrost's team list
//! (`support::Paginator`): clamping, ordering, mutation during a scan, concurrency,
//! limits, errors, and scans that cannot be complete (servers that ignore `offset`,
//! stop early or repeat rows).

use std::collections::HashSet;

use bifrost_governance::resources::teams::TeamQuery;
use bifrost_governance::types::Team;
use bifrost_governance::{Client, Error, Incomplete, List, ScanReport};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply, Seen};
use bifrost_governance_tests::support::{AUTHORIZATION, Paginator, clamp_limit, client};
use bifrost_governance_wiremock::fixtures::{bifrost_error, team};
use futures::StreamExt;
use serde_json::{Value, json};
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
    serve_with(move |request| paginator.reply(request)).await
}

async fn serve_with(reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Fixture {
    // A server of its own, not one from wiremock's pool: a concurrent scan's
    // speculative page requests may still be on the wire when a test ends, and a
    // pooled server handed to the next test would count them there.
    let server = MockServer::builder().start().await;
    let guard = contract::expect("list_teams")
        .authorization(AUTHORIZATION)
        .respond_with(reply)
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
async fn scan(list: List<TeamQuery>) -> (Vec<String>, ScanReport) {
    let (seen, error, report) = scan_to_end(list).await;
    if let Some(e) = error {
        panic!("scan failed: {e}");
    }
    (seen, report)
}

/// The ids a scan yields up to its end or its error, the error, and the report;
/// checks that nothing follows an error.
async fn scan_to_end(list: List<TeamQuery>) -> (Vec<String>, Option<Error>, ScanReport) {
    let mut items = list.items();
    let mut seen = Vec::new();
    let error = loop {
        match items.try_next().await {
            Ok(Some(team)) => seen.push(team.id),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    if error.is_some() {
        assert!(items.next().await.is_none(), "nothing after the error");
    }
    (seen, error, items.report())
}

/// A page of `rows` as the team list sends it.
fn page_body(rows: &[Value], total: usize, limit: i64, offset: i64) -> Value {
    json!({
        "teams": rows,
        "count": rows.len(),
        "total_count": total,
        "limit": limit,
        "offset": offset,
    })
}

fn limit_offset(request: &Seen) -> (i64, i64) {
    (
        clamp_limit(request.query_i64("limit")),
        request.query_i64("offset").unwrap_or(0).max(0),
    )
}

/// A server that pages by `limit` but ignores `offset`: every page starts at the
/// first row. It echoes the offset asked, or 0.
fn ignores_offset(rows: Vec<Value>, echo_offset: bool) -> impl Fn(&Seen) -> Reply {
    move |request| {
        let (limit, offset) = limit_offset(request);
        let page: Vec<Value> = rows.iter().take(limit as usize).cloned().collect();
        let echoed = if echo_offset { offset } else { 0 };
        Reply::ok(page_body(&page, rows.len(), limit, echoed))
    }
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
    assert_eq!(
        requests.len(),
        3,
        "{:?}",
        requests
            .iter()
            .map(|r| (r.index, r.query.clone()))
            .collect::<Vec<_>>()
    );
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
    assert!(report.is_complete(), "{report:?}");
    assert_eq!((report.expected, report.missing), (Some(237), 0));
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
    // Five rows were missed (three inserted behind the scan, two shifted back by the
    // deletes): the counts show three, and the change is reported, not an error.
    assert_eq!(report.missing, 3, "{report:?}");
    assert_eq!(report.incomplete, Some(Incomplete::CollectionChanged));
    assert!(report.finished && !report.is_complete(), "{report:?}");
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
    // The first window asked for pages of 100 at 0, 100 and 200 before the server
    // said it serves 40; the rest of the first two is filled in before moving on.
    assert_eq!(report.pages, 7);
    assert!(!report.collection_changed(), "{report:?}");
    assert!(report.is_complete(), "{report:?}");
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

/// The error a scan must end with, checked field by field.
fn assert_incomplete(error: Option<Error>, expected: u64, received: u64, cause: Incomplete) {
    match error {
        Some(Error::IncompleteScan {
            expected: e,
            received: r,
            cause: c,
        }) => assert_eq!((e, r, c), (expected, received, cause)),
        other => panic!("expected IncompleteScan, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_ignores_offset_ends_the_scan_with_an_error() {
    for concurrency in [1, 4] {
        for echo_offset in [true, false] {
            let f = serve_with(ignores_offset(rows(250), echo_offset)).await;

            let (seen, error, report) =
                scan_to_end(f.client.teams().list().concurrency(concurrency)).await;

            let case = format!("concurrency {concurrency}, offset echoed: {echo_offset}");
            assert_eq!(seen, ids(0..100), "{case}");
            let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
            assert_incomplete(error, 250, 100, Incomplete::RepeatedPage { offset: 100 });
            assert!(
                message.contains("100 of 250") && message.contains("ignore `offset`"),
                "{message}"
            );
            assert!(
                !report.is_complete() && !report.finished,
                "{case}: {report:?}"
            );
            assert_eq!(report.missing, 150, "{case}");
            if concurrency == 1 {
                assert_eq!(f.guard.request_count(), 2, "{case}");
            } else {
                assert!(
                    f.guard.request_count() <= 4,
                    "{case}: at most the first window"
                );
            }
        }
    }
}

#[tokio::test]
async fn allow_incomplete_reports_what_the_error_would_have_said() {
    for concurrency in [1, 4] {
        let f = serve_with(ignores_offset(rows(250), true)).await;

        let (seen, error, report) = scan_to_end(
            f.client
                .teams()
                .list()
                .concurrency(concurrency)
                .allow_incomplete(),
        )
        .await;

        assert!(error.is_none(), "{error:?}");
        assert_eq!(seen, ids(0..100));
        assert!(report.finished, "{report:?}");
        assert!(!report.is_complete(), "{report:?}");
        assert_eq!(
            (report.expected, report.missing, report.incomplete),
            (
                Some(250),
                150,
                Some(Incomplete::RepeatedPage { offset: 100 })
            )
        );
    }
}

/// Rows up to 230 of 250 exist; pages past that come back short or empty while
/// `total_count` keeps saying 250.
fn stops_at_230(request: &Seen) -> Reply {
    let all = rows(250);
    let (limit, offset) = limit_offset(request);
    let end = (offset + limit).min(230).max(offset);
    let page = &all[offset.min(230) as usize..end as usize];
    Reply::ok(page_body(page, 250, limit, offset))
}

#[tokio::test]
async fn a_short_final_page_below_total_count_is_an_error() {
    for concurrency in [1, 4] {
        let f = serve_with(stops_at_230).await;

        let (seen, error, report) =
            scan_to_end(f.client.teams().list().concurrency(concurrency)).await;

        assert_eq!(seen, ids(0..230), "concurrency {concurrency}");
        assert_incomplete(error, 250, 230, Incomplete::EndedEarly { offset: 230 });
        assert_eq!(report.missing, 20);
        let offsets: HashSet<i64> = f
            .guard
            .requests()
            .iter()
            .map(|r| r.query_i64("offset").unwrap())
            .collect();
        assert!(offsets.contains(&230), "asked for the rest: {offsets:?}");

        let f = serve_with(stops_at_230).await;
        let (seen, error, report) = scan_to_end(
            f.client
                .teams()
                .list()
                .concurrency(concurrency)
                .allow_incomplete(),
        )
        .await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(seen.len(), 230);
        assert_eq!(
            (report.missing, report.incomplete),
            (20, Some(Incomplete::EndedEarly { offset: 230 }))
        );
        assert!(report.finished && !report.is_complete());
    }
}

#[tokio::test]
async fn a_page_of_only_repeated_ids_is_an_error() {
    for concurrency in [1, 4] {
        // The page at 100 repeats the first page; total_count does not move.
        let paginator = Paginator::new("teams", rows(250)).fail_when(|request| {
            let (limit, offset) = limit_offset(request);
            (offset == 100).then(|| Reply::ok(page_body(&rows(100), 250, limit, offset)))
        });
        let f = serve(paginator).await;

        let (seen, error, report) =
            scan_to_end(f.client.teams().list().concurrency(concurrency)).await;

        assert_eq!(seen, ids(0..100), "concurrency {concurrency}");
        assert_incomplete(error, 250, 100, Incomplete::RepeatedPage { offset: 100 });
        assert_eq!(report.duplicates_skipped, 100);
    }
}

#[tokio::test]
async fn a_page_repeated_because_rows_were_inserted_is_a_change_not_an_error() {
    for concurrency in [1, 4] {
        // From the second request on, 100 new rows sit in front of the old ones:
        // the page at 100 repeats the first page, but total_count grew.
        let reply = |request: &Seen| {
            let (limit, offset) = limit_offset(request);
            let old = rows(250);
            let now: Vec<Value> = if offset == 0 {
                old
            } else {
                (0..100)
                    .map(|i| team(&format!("new-{i:03}")).name("inserted").build())
                    .chain(old)
                    .collect()
            };
            let start = (offset as usize).min(now.len());
            let end = (start + limit as usize).min(now.len());
            Reply::ok(page_body(&now[start..end], now.len(), limit, offset))
        };
        let f = serve_with(reply).await;

        let (seen, error, report) =
            scan_to_end(f.client.teams().list().concurrency(concurrency)).await;

        assert!(error.is_none(), "concurrency {concurrency}: {error:?}");
        assert_eq!(seen, ids(0..250), "every old row once, in order");
        assert_eq!(report.duplicates_skipped, 100);
        assert_eq!(report.total_count_changes, 1);
        assert_eq!(
            (report.missing, report.incomplete),
            (100, Some(Incomplete::CollectionChanged)),
            "the inserted rows were missed and that is said"
        );
        assert!(report.finished && !report.is_complete());
    }
}

#[tokio::test]
async fn a_collection_shrinking_during_the_scan_is_reported_not_an_error() {
    for concurrency in [1, 4] {
        // From the second request on, the last 30 rows are gone.
        let reply = |request: &Seen| {
            let (limit, offset) = limit_offset(request);
            let now = if offset == 0 { rows(250) } else { rows(220) };
            let start = (offset as usize).min(now.len());
            let end = (start + limit as usize).min(now.len());
            Reply::ok(page_body(&now[start..end], now.len(), limit, offset))
        };
        let f = serve_with(reply).await;

        let (seen, error, report) =
            scan_to_end(f.client.teams().list().concurrency(concurrency)).await;

        assert!(error.is_none(), "concurrency {concurrency}: {error:?}");
        assert_eq!(seen, ids(0..220));
        assert_eq!(
            (report.first_total_count, report.last_total_count),
            (Some(250), Some(220))
        );
        assert_eq!(report.missing, 0, "{report:?}");
        assert_eq!(report.incomplete, Some(Incomplete::CollectionChanged));
        assert!(report.finished && !report.is_complete());
    }
}

#[tokio::test]
async fn a_collection_smaller_than_the_first_window_costs_at_most_the_window() {
    let f = serve(Paginator::new("teams", rows(30))).await;

    let (seen, report) = scan(f.client.teams().list().concurrency(8)).await;

    assert_eq!(seen, ids(0..30));
    assert_eq!((report.pages, report.pages_past_end), (1, 7), "{report:?}");
    assert!(report.is_complete(), "{report:?}");
    assert!(f.guard.request_count() <= 8);
}

#[tokio::test]
async fn an_empty_collection_is_one_request_and_complete() {
    let f = serve(Paginator::new("teams", Vec::new())).await;

    let (seen, report) = scan(f.client.teams().list()).await;

    assert!(seen.is_empty());
    assert_eq!(f.guard.request_count(), 1, "{:#?}", f.guard.requests());
    assert!(report.is_complete(), "{report:?}");
    assert_eq!((report.expected, report.pages_past_end), (Some(0), 0));
}

#[tokio::test]
async fn streams_show_their_report_not_their_items() {
    let f = serve(Paginator::new("teams", rows(3))).await;

    let mut items = f.client.teams().list().items();
    let first = items.try_next().await.unwrap().unwrap();
    let shown = format!("{items:?}");

    assert_eq!(first.id, id(0));
    assert!(
        shown.contains("report") && shown.contains("items: 3"),
        "{shown}"
    );
    assert!(!shown.contains(&id(1)), "no item in Debug: {shown}");
    assert_eq!(items.try_collect().await.unwrap().len(), 2, "the rest");
}
