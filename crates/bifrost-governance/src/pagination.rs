//! One pagination engine for every list.
//!
//! Bifrost pages only when asked and otherwise returns *every* row, so the engine
//! always sends `limit` and `offset`. It advances by the number of items the server
//! actually returned, stops at `total_count`, never yields an id twice, and reports
//! a `total_count` that changes during a scan in a [`ScanReport`] (and a `WARN`
//! trace) instead of ignoring it. With [`List::concurrency`] the pages after the
//! first are fetched up to `n` at a time and still yielded in order; memory stays
//! bounded by the pages in flight.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, FuturesOrdered, Stream, StreamExt};

use crate::client::Client;
use crate::error::Result;

/// Largest page the server serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page (ids already yielded by the same scan are removed).
    pub items: Vec<T>,
    /// Rows matching the query on the server when this page was read.
    pub total_count: u64,
    /// Page size the server applied (after clamping to 1..=100).
    pub limit: u64,
    /// Offset of the first item.
    pub offset: u64,
}

/// What a scan observed; read it from [`Items::report`] or [`Pages::report`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanReport {
    /// Pages received.
    pub pages: u64,
    /// Items yielded.
    pub items: u64,
    /// `total_count` of the first page.
    pub first_total_count: Option<u64>,
    /// `total_count` of the latest page.
    pub last_total_count: Option<u64>,
    /// How many times `total_count` changed between pages (rows were inserted or
    /// deleted during the scan, so rows may have been missed or shifted).
    pub total_count_changes: u64,
    /// Items dropped because their id was already yielded (rows shifted forward by
    /// inserts).
    pub duplicates_skipped: u64,
    /// Pages shorter than the page size before the end (rows were deleted).
    pub short_pages: u64,
}

impl ScanReport {
    /// Whether the collection changed while it was being read.
    pub fn collection_changed(&self) -> bool {
        self.total_count_changes > 0 || self.duplicates_skipped > 0 || self.short_pages > 0
    }
}

/// A list operation the engine can page through. Implemented by each resource's
/// query type; not meant to be implemented outside this crate.
pub trait ListSource: Clone + Send + Sync + 'static {
    /// The listed entity.
    type Item: Send + 'static;

    /// Fetches the page at `offset` with page size `limit`.
    #[doc(hidden)]
    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<Self::Item>>>;

    /// The unique id of an item.
    #[doc(hidden)]
    fn id(item: &Self::Item) -> &str;
}

/// A list request: filters come from the resource (`.team_id(…)`, `.search(…)`),
/// paging from here.
///
/// ```no_run
/// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
/// use futures::TryStreamExt;
///
/// let mut keys = client.virtual_keys().list().search("prod").page_size(100).concurrency(4).items();
/// while let Some(key) = keys.try_next().await? {
///     println!("{}", key.name);
/// }
/// if keys.report().collection_changed() {
///     eprintln!("keys changed during the scan: {:?}", keys.report());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a list does nothing until sent or streamed"]
pub struct List<S> {
    pub(crate) client: Client,
    pub(crate) source: S,
    page_size: u32,
    offset: u64,
    max_items: Option<u64>,
    concurrency: usize,
}

impl<S: ListSource> List<S> {
    pub(crate) fn new(client: Client, source: S) -> Self {
        Self {
            client,
            source,
            page_size: MAX_PAGE_SIZE,
            offset: 0,
            max_items: None,
            concurrency: 1,
        }
    }

    /// Items per request, clamped to 1..=100 (default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Starts at this offset (default 0).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Stops after this many items.
    pub fn max_items(mut self, max: u64) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Fetches up to `n` pages at once after the first (default 1); items keep
    /// their order. Offsets are then planned from the first page's size, so a
    /// collection that shrinks during the scan can lose rows; the change shows in
    /// the [`ScanReport`].
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Fetches one page at the configured offset.
    pub async fn send(self) -> Result<Page<S::Item>> {
        let limit = self.first_limit();
        self.source.fetch(self.client, limit, self.offset).await
    }

    /// A stream of pages.
    pub fn pages(self) -> Pages<S::Item> {
        let report = Arc::new(Mutex::new(ScanReport::default()));
        let engine = Engine::new(self, report.clone());
        let inner = stream::unfold(engine, |mut engine| async move {
            engine.next_page().await.map(|page| (page, engine))
        })
        .boxed();
        Pages { inner, report }
    }

    /// A stream of items, across pages.
    pub fn items(self) -> Items<S::Item> {
        let Pages { inner, report } = self.pages();
        let inner = inner
            .flat_map(|page| match page {
                Ok(page) => stream::iter(page.items.into_iter().map(Ok)).left_stream(),
                Err(e) => stream::once(async { Err(e) }).right_stream(),
            })
            .boxed();
        Items { inner, report }
    }

    /// Every item, collected.
    pub async fn collect_all(self) -> Result<Vec<S::Item>> {
        let mut items = self.items();
        let mut all = Vec::new();
        while let Some(item) = items.next().await {
            all.push(item?);
        }
        Ok(all)
    }

    fn first_limit(&self) -> u32 {
        match self.max_items {
            Some(max) => self
                .page_size
                .min(max.clamp(1, u64::from(MAX_PAGE_SIZE)) as u32),
            None => self.page_size,
        }
    }
}

/// Stream of pages returned by [`List::pages`].
pub struct Pages<T> {
    inner: BoxStream<'static, Result<Page<T>>>,
    report: Arc<Mutex<ScanReport>>,
}

/// Stream of items returned by [`List::items`].
pub struct Items<T> {
    inner: BoxStream<'static, Result<T>>,
    report: Arc<Mutex<ScanReport>>,
}

impl<T> Pages<T> {
    /// What the scan observed so far.
    pub fn report(&self) -> ScanReport {
        self.report.lock().expect("report lock").clone()
    }
}

impl<T> Items<T> {
    /// What the scan observed so far.
    pub fn report(&self) -> ScanReport {
        self.report.lock().expect("report lock").clone()
    }
}

impl<T> Stream for Pages<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<T> Stream for Items<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

struct Engine<S: ListSource> {
    list: List<S>,
    /// Offset of the next page to request.
    next_offset: u64,
    /// Page size the server applies, learned from the first page.
    step: u64,
    /// Latest `total_count`; `None` until the first page (or from servers without it).
    total: Option<u64>,
    in_flight: FuturesOrdered<BoxFuture<'static, Result<Page<S::Item>>>>,
    started: bool,
    done: bool,
    /// End of the latest page received.
    covered: Option<u64>,
    yielded: u64,
    /// Hashes of yielded ids: 8 bytes per item instead of the whole id.
    seen: HashSet<u64>,
    hasher: RandomState,
    report: Arc<Mutex<ScanReport>>,
}

impl<S: ListSource> Engine<S> {
    fn new(list: List<S>, report: Arc<Mutex<ScanReport>>) -> Self {
        Self {
            next_offset: list.offset,
            step: u64::from(list.page_size),
            list,
            total: None,
            in_flight: FuturesOrdered::new(),
            started: false,
            done: false,
            covered: None,
            yielded: 0,
            seen: HashSet::new(),
            hasher: RandomState::new(),
            report,
        }
    }

    fn schedule(&mut self, limit: u32) {
        let fetch = self
            .list
            .source
            .fetch(self.list.client.clone(), limit, self.next_offset);
        self.in_flight.push_back(fetch);
        self.next_offset += self.step;
    }

    /// Offsets at or past this are not requested.
    fn end(&self) -> u64 {
        let by_total = self.total.unwrap_or(u64::MAX);
        let by_max = self
            .list
            .max_items
            .map_or(u64::MAX, |m| self.list.offset.saturating_add(m));
        by_total.min(by_max)
    }

    async fn next_page(&mut self) -> Option<Result<Page<S::Item>>> {
        loop {
            if self.done {
                return None;
            }
            if !self.started {
                self.started = true;
                let limit = self.list.first_limit();
                self.schedule(limit);
            } else {
                // Without a known total only one page can be planned at a time.
                let width = if self.total.is_some() {
                    self.list.concurrency
                } else {
                    1
                };
                while self.in_flight.len() < width && self.next_offset < self.end() {
                    self.schedule(self.step as u32);
                }
            }
            let page = match self.in_flight.next().await {
                None => return None,
                Some(Err(e)) => {
                    self.stop();
                    return Some(Err(e));
                }
                Some(Ok(page)) => page,
            };
            if let Some(page) = self.accept(page) {
                return Some(Ok(page));
            }
        }
    }

    /// Updates the scan state with a received page; `None` when nothing in it is
    /// left to yield.
    fn accept(&mut self, mut page: Page<S::Item>) -> Option<Page<S::Item>> {
        let received = page.items.len() as u64;
        let covered = page.offset + received;
        let mut report = self.report.lock().expect("report lock");
        report.pages += 1;
        if report.first_total_count.is_none() {
            report.first_total_count = Some(page.total_count);
            // Sized once: growing a hash set doubles it and briefly holds both copies.
            let expected = page.total_count.saturating_sub(page.offset);
            let expected = self
                .list
                .max_items
                .map_or(expected, |max| expected.min(max));
            self.seen.reserve(expected.min(10_000_000) as usize);
            self.step = if page.limit > 0 {
                page.limit.min(u64::from(MAX_PAGE_SIZE))
            } else {
                self.step
            };
        } else if report.last_total_count != Some(page.total_count) {
            report.total_count_changes += 1;
            tracing::warn!(
                before = report.last_total_count,
                now = page.total_count,
                "total_count changed during a list scan; rows were added or removed"
            );
        }
        report.last_total_count = Some(page.total_count);
        self.total = Some(page.total_count);
        if received < page.limit && covered < page.total_count {
            report.short_pages += 1;
        }
        // Sequential scans advance by what the server returned, not by the size asked;
        // concurrent scans plan from the end of the first page.
        if self.list.concurrency == 1 || report.pages == 1 {
            self.next_offset = covered;
        }
        // A server that does not move forward (ignores `offset`) would loop forever.
        let stalled =
            self.covered.is_some_and(|previous| covered <= previous) && self.list.concurrency == 1;
        self.covered = Some(covered);
        if received == 0 || stalled {
            drop(report);
            self.stop();
            return None;
        }
        let before = page.items.len();
        page.items
            .retain(|item| self.seen.insert(self.hasher.hash_one(S::id(item))));
        report.duplicates_skipped += (before - page.items.len()) as u64;
        if let Some(max) = self.list.max_items {
            let room = max.saturating_sub(self.yielded) as usize;
            page.items.truncate(room);
        }
        self.yielded += page.items.len() as u64;
        report.items = self.yielded;
        let reached_max = self.list.max_items.is_some_and(|max| self.yielded >= max);
        drop(report);
        if reached_max {
            self.stop();
        }
        if page.items.is_empty() && !self.done {
            // Every item was a duplicate; keep going with the next page.
            return None;
        }
        Some(page)
    }

    fn stop(&mut self) {
        self.done = true;
        self.in_flight = FuturesOrdered::new();
    }
}
