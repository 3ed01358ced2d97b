//! One pagination engine for every list.
//!
//! Bifrost pages only when asked and otherwise returns *every* row, so the engine
//! always sends `limit` and `offset`. It advances by the number of items the server
//! actually returned, stops at `total_count`, never yields an id twice, and reports
//! a `total_count` that changes during a scan in a [`ScanReport`] (and a `WARN`
//! trace) instead of ignoring it.
//!
//! A scan that receives fewer items than `total_count` promised is never silent:
//! when the count stayed the same the whole time, the server did not page as it
//! said (it ignored `offset`, repeated rows, or stopped early) and the stream ends
//! with [`Error::IncompleteScan`]; when the count
//! changed, rows moved during the scan and [`ScanReport::missing`] says how many
//! were not seen. [`List::allow_incomplete`] turns the error into the report entry.
//!
//! With [`List::concurrency`] up to `n` page requests are in flight at once, the
//! first `n` together, and pages are still yielded in order; memory stays bounded
//! by `2 × n` pages (requested or decoded, not yet consumed).

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};

/// Largest page the server serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Most page requests a scan keeps in flight.
pub const MAX_CONCURRENCY: usize = 64;

/// One page of a list.
///
/// Pages come from [`List::send`] and [`List::pages`]; there is no public
/// constructor (tests of code that consumes pages can serve them from
/// `bifrost-governance-mock`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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

/// Why a scan yielded fewer items than the server's `total_count` promised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Incomplete {
    /// The page requested at `offset` held only items already received while
    /// `total_count` stayed the same: the server answered the same rows again, as a
    /// server that ignores `offset` does. An error unless
    /// [`List::allow_incomplete`].
    RepeatedPage {
        /// Offset the repeated page was requested at.
        offset: u64,
    },
    /// The server sent nothing from `offset` on although `total_count`, unchanged
    /// during the whole scan, promised more. An error unless
    /// [`List::allow_incomplete`].
    EndedEarly {
        /// First offset the server returned no items for.
        offset: u64,
    },
    /// Pages repeated `skipped` items while `total_count` stayed the same, so fewer
    /// distinct items arrived than it promised (the server's order is not stable
    /// between requests). An error unless [`List::allow_incomplete`].
    Duplicates {
        /// Items dropped because their id had been yielded already.
        skipped: u64,
    },
    /// `total_count` changed during the scan: rows were inserted or deleted, and
    /// rows that moved meanwhile may have been missed ([`ScanReport::missing`]
    /// counts the shortfall against the latest `total_count`). Only reported, never
    /// an error.
    CollectionChanged,
}

impl Incomplete {
    /// Whether the server, not a change of the collection, is the cause (these
    /// end the scan with [`Error::IncompleteScan`] unless allowed).
    pub fn is_server_fault(&self) -> bool {
        !matches!(self, Incomplete::CollectionChanged)
    }
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incomplete::RepeatedPage { offset } => write!(
                f,
                "the page at offset {offset} repeated items already received while \
                 total_count stayed the same (the server appears to ignore `offset`)"
            ),
            Incomplete::EndedEarly { offset } => write!(
                f,
                "the server returned no items from offset {offset} on although \
                 total_count, unchanged during the scan, promised more"
            ),
            Incomplete::Duplicates { skipped } => write!(
                f,
                "{skipped} items were repeated across pages while total_count stayed \
                 the same (the server's order is not stable between requests)"
            ),
            Incomplete::CollectionChanged => f.write_str(
                "total_count changed during the scan; rows that moved meanwhile may \
                 have been missed",
            ),
        }
    }
}

/// What a scan observed; read it from [`Items::report`] or [`Pages::report`].
///
/// Once the stream has ended, [`is_complete`](Self::is_complete) says whether every
/// item `total_count` promised was yielded.
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
    /// Pages requested at or past the end of the collection and dropped: the first
    /// window of a concurrent scan is requested before `total_count` is known, so a
    /// collection smaller than that window leaves some pages empty.
    pub pages_past_end: u64,
    /// Items this scan should yield according to the latest `total_count` (after
    /// [`List::offset`] and [`List::max_items`]); `None` before the first page.
    pub expected: Option<u64>,
    /// Items `expected` promised that the scan did not yield; set when it ends.
    /// When the collection changed during the scan, rows can have been missed even
    /// when this is 0 (deleted rows make room for rows that moved past the scan).
    pub missing: u64,
    /// Why the scan may not hold every row; set when it ends.
    pub incomplete: Option<Incomplete>,
    /// The stream ended without an error: every page was read, or
    /// [`List::max_items`] was reached.
    pub finished: bool,
}

impl ScanReport {
    /// Whether the collection changed while it was being read.
    pub fn collection_changed(&self) -> bool {
        self.total_count_changes > 0 || self.duplicates_skipped > 0 || self.short_pages > 0
    }

    /// Whether the scan ended without an error and certainly yielded every item:
    /// as many as `total_count` promised, and `total_count` never changed. `false`
    /// while the scan is running, after an error, and whenever
    /// [`incomplete`](Self::incomplete) says why not.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.finished && self.incomplete.is_none()
    }
}

mod sealed {
    /// Keeps [`ListSource`](super::ListSource) implementable only in this crate.
    pub trait Sealed {}
}

/// A list operation the engine can page through. Implemented by each resource's
/// query type; sealed, so it cannot be implemented outside this crate.
pub trait ListSource: sealed::Sealed + Clone + Send + Sync + 'static {
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

/// The query types of the resources, the only [`ListSource`]s.
macro_rules! sealed_list_sources {
    ($($source:ty),* $(,)?) => {
        $(impl sealed::Sealed for $source {})*
    };
}

sealed_list_sources!(
    crate::resources::customers::CustomerQuery,
    crate::resources::model_configs::ModelConfigQuery,
    crate::resources::pricing_overrides::PricingOverrideQuery,
    crate::resources::routing_rules::RoutingRuleQuery,
    crate::resources::teams::TeamQuery,
    crate::resources::virtual_keys::VirtualKeyQuery,
);

/// A list request: filters come from the resource (`.team_id(…)`, `.search(…)`),
/// paging from here.
///
/// ```no_run
/// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
/// let mut keys = client.virtual_keys().list().search("prod").page_size(100).concurrency(4).items();
/// while let Some(key) = keys.try_next().await? {
///     println!("{}", key.name);
/// }
/// if keys.report().collection_changed() {
///     eprintln!("keys changed during the scan: {:?}", keys.report());
/// }
/// # Ok(()) }
/// ```
///
/// A scan that cannot be complete ends with [`Error::IncompleteScan`];
/// to take what the server gives instead, allow it and check the report:
///
/// ```no_run
/// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
/// let mut teams = client.teams().list().allow_incomplete().items();
/// let mut names = Vec::new();
/// while let Some(team) = teams.try_next().await? {
///     names.push(team.name);
/// }
/// let report = teams.report();
/// if !report.is_complete() {
///     eprintln!("{} teams not listed: {:?}", report.missing, report.incomplete);
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
    allow_incomplete: bool,
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
            allow_incomplete: false,
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

    /// Keeps up to `n` page requests in flight (default 1, at most
    /// [`MAX_CONCURRENCY`]); items keep their order.
    ///
    /// With `n > 1` the first `n` pages are requested together, before
    /// `total_count` is known: pages past the end of a smaller collection are
    /// dropped and counted in [`ScanReport::pages_past_end`]. Later offsets are
    /// planned from the page size, so a collection that shrinks during the scan can
    /// lose rows; the change shows in the [`ScanReport`]. Pages are downloaded and
    /// decoded on the Tokio runtime while earlier ones are consumed; a request
    /// starts as soon as another one finishes, whichever page it was, with at most
    /// `2 × n` pages held (requested or decoded, not yet consumed).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.clamp(1, MAX_CONCURRENCY);
        self
    }

    /// Ends a scan that cannot be complete normally instead of with
    /// [`Error::IncompleteScan`]: the stream yields
    /// what the server sent, and [`ScanReport::is_complete`] is `false` with
    /// [`ScanReport::missing`] and [`ScanReport::incomplete`] saying what is
    /// missing and why (a `WARN` trace says it too).
    pub fn allow_incomplete(mut self) -> Self {
        self.allow_incomplete = true;
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
        Items {
            pages: self.pages(),
            buffer: Vec::new().into_iter(),
        }
    }

    /// Every item, collected.
    pub async fn collect_all(self) -> Result<Vec<S::Item>> {
        self.items().try_collect().await
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
///
/// [`try_next`](Self::try_next) and [`try_collect`](Self::try_collect) cover the
/// common uses without importing `futures`; it is also a
/// [`Stream`] for everything else.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    inner: BoxStream<'static, Result<Page<T>>>,
    report: Arc<Mutex<ScanReport>>,
}

/// Stream of items returned by [`List::items`].
///
/// [`try_next`](Self::try_next) and [`try_collect`](Self::try_collect) cover the
/// common uses without importing `futures`; it is also a
/// [`Stream`] for everything else.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    pages: Pages<T>,
    /// The rest of the current page.
    buffer: std::vec::IntoIter<T>,
}

fn snapshot(report: &Mutex<ScanReport>) -> ScanReport {
    // The engine never panics while holding the lock; a poisoned report is still whole.
    report
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

impl<T> Pages<T> {
    /// What the scan observed so far.
    pub fn report(&self) -> ScanReport {
        snapshot(&self.report)
    }

    /// The next page; `Ok(None)` at the end.
    pub async fn try_next(&mut self) -> Result<Option<Page<T>>> {
        self.inner.next().await.transpose()
    }

    /// Every remaining page, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<Page<T>>> {
        let mut pages = Vec::new();
        while let Some(page) = self.try_next().await? {
            pages.push(page);
        }
        Ok(pages)
    }
}

impl<T> Items<T> {
    /// What the scan observed so far.
    pub fn report(&self) -> ScanReport {
        self.pages.report()
    }

    /// The next item; `Ok(None)` at the end.
    pub async fn try_next(&mut self) -> Result<Option<T>> {
        std::future::poll_fn(|cx| self.poll_item(cx))
            .await
            .transpose()
    }

    /// Every remaining item, or the first error.
    ///
    /// (`futures::TryStreamExt::try_collect` still collects into other containers.)
    pub async fn try_collect(mut self) -> Result<Vec<T>> {
        let mut all: Vec<T> = self.buffer.by_ref().collect();
        while let Some(page) = self.pages.try_next().await? {
            if all.is_empty() {
                // Sized from the first page's total_count, capped so that a wrong
                // count cannot reserve much.
                let report = self.report();
                let expected = report.expected.unwrap_or(0).min(1 << 14) as usize;
                all.reserve(expected.max(page.items.len()));
            }
            all.extend(page.items);
        }
        Ok(all)
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(page))) => self.buffer = page.items.into_iter(),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("buffered", &self.buffer.len())
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

impl<T> Stream for Pages<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

// Nothing in `Items` is pinned structurally: the buffer only moves items out.
impl<T> Unpin for Items<T> {}

impl<T> Stream for Items<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.buffer.len(), None)
    }
}

/// A page with the hash of each item's id, computed where the page was decoded.
struct Fetched<T> {
    page: Page<T>,
    hashes: Vec<u64>,
}

type FetchFuture<T> = BoxFuture<'static, Result<Fetched<T>>>;

/// One requested page.
struct Pending<T> {
    offset: u64,
    limit: u32,
    task: Task<T>,
}

enum Task<T> {
    /// Running on the runtime: downloads and decodes while earlier pages are used.
    Spawned(Spawned<Result<Fetched<T>>>),
    /// Polled when it is the next page (sequential scans, or no runtime to spawn on).
    Inline(FetchFuture<T>),
}

/// A spawned task, aborted when dropped (the scan ended or was dropped).
struct Spawned<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Spawned<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Hashes of ids are already uniformly distributed (keyed SipHash): the set uses
/// them as they are instead of hashing them again.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

struct Engine<S: ListSource> {
    list: List<S>,
    /// Offset of the next page to plan.
    next_offset: u64,
    /// Page size to plan with: the size asked, lowered to what the server serves.
    step: u64,
    /// Latest `total_count`; `None` until the first page.
    total: Option<u64>,
    /// Requested pages, in offset order.
    pending: VecDeque<Pending<S::Item>>,
    /// The first request was planned.
    started: bool,
    /// Nothing more is planned (the server stopped sending items).
    exhausted: bool,
    done: bool,
    /// End of the furthest page received (offset asked + items returned).
    reached: u64,
    yielded: u64,
    /// Hashes of yielded ids: 8 bytes per item instead of the whole id.
    seen: HashSet<u64, BuildHasherDefault<Prehashed>>,
    hasher: RandomState,
    /// Requests that may be in flight at once.
    permits: Arc<tokio::sync::Semaphore>,
    report: ScanReport,
    shared: Arc<Mutex<ScanReport>>,
}

impl<S: ListSource> Engine<S> {
    fn new(list: List<S>, shared: Arc<Mutex<ScanReport>>) -> Self {
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(list.concurrency)),
            next_offset: list.offset,
            step: u64::from(list.page_size),
            reached: list.offset,
            list,
            total: None,
            pending: VecDeque::new(),
            started: false,
            exhausted: false,
            done: false,
            yielded: 0,
            seen: HashSet::default(),
            hasher: RandomState::new(),
            report: ScanReport::default(),
            shared,
        }
    }

    /// Offsets at or past this are not requested.
    fn end(&self) -> u64 {
        self.total.unwrap_or(u64::MAX).min(self.max_end())
    }

    fn max_end(&self) -> u64 {
        self.list
            .max_items
            .map_or(u64::MAX, |m| self.list.offset.saturating_add(m))
    }

    /// Items the scan should yield, by the latest `total_count`.
    fn expected(&self) -> Option<u64> {
        let total = self.total?;
        let expected = total.saturating_sub(self.list.offset);
        Some(self.list.max_items.map_or(expected, |m| expected.min(m)))
    }

    /// The request of one page, with the id hashes of its items.
    fn fetch(&self, offset: u64, limit: u32) -> FetchFuture<S::Item> {
        let fetch = self
            .list
            .source
            .fetch(self.list.client.clone(), limit, offset);
        let hasher = self.hasher.clone();
        async move {
            let page = fetch.await?;
            let hashes = page
                .items
                .iter()
                .map(|item| hasher.hash_one(S::id(item)))
                .collect();
            Ok(Fetched { page, hashes })
        }
        .boxed()
    }

    /// Starts the request of one page: on the runtime when pages are fetched
    /// concurrently, so it downloads and decodes while earlier pages are consumed.
    fn request(&self, offset: u64, limit: u32) -> Pending<S::Item> {
        let fetch = self.fetch(offset, limit);
        let task = match tokio::runtime::Handle::try_current() {
            Ok(runtime) if self.list.concurrency > 1 => {
                // At most `concurrency` requests at once, whichever pages they are.
                let permits = self.permits.clone();
                let fetch = async move {
                    let _permit = permits.acquire().await;
                    fetch.await
                };
                Task::Spawned(Spawned(runtime.spawn(fetch.in_current_span())))
            }
            _ => Task::Inline(fetch),
        };
        Pending {
            offset,
            limit,
            task,
        }
    }

    /// Limit of a page at `offset`: the step, but no further than `max_items`.
    fn limit_at(&self, offset: u64) -> u32 {
        self.step
            .min(self.max_end().saturating_sub(offset))
            .clamp(1, u64::from(MAX_PAGE_SIZE)) as u32
    }

    /// Fills the window of requests in flight. Before the first page arrives
    /// `total_count` is unknown and the whole first window is planned from the page
    /// size (bounded by `max_items` only).
    fn plan(&mut self) {
        if self.exhausted {
            return;
        }
        if !self.started {
            self.started = true;
            if self.next_offset < self.max_end() {
                let first = self.list.first_limit();
                self.pending
                    .push_back(self.request(self.next_offset, first));
                self.next_offset += u64::from(first);
            }
        }
        // Once total_count is known, pages are requested ahead of the one the
        // consumer waits for, so that a page finished early frees its request for
        // the next one: up to `concurrency` requests in flight, twice that many
        // pages planned.
        let window = if self.total.is_some() && self.list.concurrency > 1 {
            2 * self.list.concurrency
        } else {
            self.list.concurrency
        };
        while self.pending.len() < window && self.next_offset < self.end() {
            let limit = self.limit_at(self.next_offset);
            self.pending
                .push_back(self.request(self.next_offset, limit));
            self.next_offset += u64::from(limit);
        }
    }

    async fn next_page(&mut self) -> Option<Result<Page<S::Item>>> {
        while !self.done {
            self.plan();
            let Some(pending) = self.pending.pop_front() else {
                let error = self.finish();
                self.publish();
                return error.map(Err);
            };
            let (offset, limit) = (pending.offset, pending.limit);
            let outcome = match self.wait(pending).await {
                Ok(fetched) => self.accept(offset, limit, fetched),
                Err(e) => Err(e),
            };
            self.publish();
            match outcome {
                Ok(Some(page)) => return Some(Ok(page)),
                Ok(None) => {}
                Err(e) => {
                    self.stop();
                    return Some(Err(e));
                }
            }
        }
        None
    }

    /// The outcome of a requested page.
    async fn wait(&mut self, pending: Pending<S::Item>) -> Result<Fetched<S::Item>> {
        match pending.task {
            Task::Inline(fetch) => fetch.await,
            Task::Spawned(mut task) => match (&mut task.0).await {
                Ok(outcome) => outcome,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Cancelled by a runtime shutting down: ask again, in this task.
                Err(_) => self.fetch(pending.offset, pending.limit).await,
            },
        }
    }

    /// Updates the scan with the page requested at `offset` with `limit`; `Ok(None)`
    /// when nothing in it is left to yield.
    fn accept(
        &mut self,
        offset: u64,
        limit: u32,
        fetched: Fetched<S::Item>,
    ) -> Result<Option<Page<S::Item>>> {
        let Fetched { mut page, hashes } = fetched;
        let received = page.items.len() as u64;
        let asked = u64::from(limit);
        let total = page.total_count;
        let previous_total = self.report.last_total_count;
        match previous_total {
            None => {
                self.report.first_total_count = Some(total);
                // Sized once: growing a hash set doubles it and briefly holds both copies.
                let expected = total.saturating_sub(self.list.offset);
                let expected = self.list.max_items.map_or(expected, |m| expected.min(m));
                self.seen.reserve(expected.min(10_000_000) as usize);
            }
            Some(before) if before != total => {
                self.report.total_count_changes += 1;
                tracing::warn!(
                    before,
                    now = total,
                    "total_count changed during a list scan; rows were added or removed"
                );
            }
            Some(_) => {}
        }
        self.report.last_total_count = Some(total);
        self.total = Some(total);
        self.report.expected = self.expected();

        if received == 0 {
            if offset >= total && offset > self.list.offset {
                // A page of the first window past a small collection's end.
                self.report.pages_past_end += 1;
            } else {
                self.report.pages += 1;
            }
            if offset >= total {
                // So is every page requested after it; they are planned again if
                // total_count grows.
                self.next_offset = self.next_offset.min(offset);
                self.drop_past_end(offset);
            } else {
                // Rows promised here never came: nothing further can be read.
                self.exhausted = true;
                self.pending.clear();
            }
            return Ok(None);
        }
        self.report.pages += 1;
        let end_of_page = offset + received;
        self.reached = self.reached.max(end_of_page);
        if page.limit > 0 && page.limit < asked {
            // The server serves smaller pages than asked: plan with its size.
            self.step = self.step.min(page.limit);
        }
        if received < asked {
            if received < page.limit && end_of_page < total {
                self.report.short_pages += 1;
            }
            self.fill_gap(end_of_page, (offset + asked).min(self.end()));
        }

        let mut index = 0;
        page.items.retain(|_| {
            let fresh = hashes.get(index).is_none_or(|h| self.seen.insert(*h));
            index += 1;
            fresh
        });
        let kept = page.items.len() as u64;
        self.report.duplicates_skipped += received - kept;
        if kept == 0 && previous_total == Some(total) {
            return self
                .incomplete(Incomplete::RepeatedPage { offset })
                .map(|()| None);
        }
        if let Some(max) = self.list.max_items {
            page.items
                .truncate(max.saturating_sub(self.yielded) as usize);
        }
        self.yielded += page.items.len() as u64;
        self.report.items = self.yielded;
        self.drop_past_end(self.end());
        if self.list.max_items.is_some_and(|max| self.yielded >= max)
            && let Some(e) = self.finish()
        {
            return Err(e);
        }
        Ok((!page.items.is_empty()).then_some(page))
    }

    /// Requests `[from, to)`, the part of a page the server did not send: by moving
    /// the plan back when nothing else is in flight, or ahead of the pages in
    /// flight.
    fn fill_gap(&mut self, from: u64, to: u64) {
        if from >= to {
            return;
        }
        if self.pending.is_empty() {
            self.next_offset = from;
            return;
        }
        let mut starts = Vec::new();
        let mut offset = from;
        while offset < to {
            let limit = self.step.min(to - offset);
            starts.push((offset, limit as u32));
            offset += limit;
        }
        for (offset, limit) in starts.into_iter().rev() {
            let pending = self.request(offset, limit);
            self.pending.push_front(pending);
        }
    }

    /// Drops requested pages at or past `end`; they are planned again if
    /// `total_count` grows.
    fn drop_past_end(&mut self, end: u64) {
        while let Some(last) = self.pending.pop_back() {
            if last.offset < end {
                self.pending.push_back(last);
                break;
            }
            self.next_offset = self.next_offset.min(last.offset);
            self.report.pages_past_end += 1;
        }
    }

    /// The scan has read everything it could: checks it against `total_count`.
    fn finish(&mut self) -> Option<Error> {
        let Some(expected) = self.expected() else {
            self.finish_complete();
            return None;
        };
        if self.yielded >= expected && self.report.total_count_changes == 0 {
            self.finish_complete();
            return None;
        }
        let cause = if self.report.total_count_changes > 0 {
            Incomplete::CollectionChanged
        } else if self.reached < self.total.unwrap_or(0) {
            Incomplete::EndedEarly {
                offset: self.reached,
            }
        } else {
            Incomplete::Duplicates {
                skipped: self.report.duplicates_skipped,
            }
        };
        self.incomplete(cause).err()
    }

    fn finish_complete(&mut self) {
        self.stop();
        self.report.expected = self.expected();
        self.report.finished = true;
    }

    /// Ends the scan short of `total_count`: an error when the server is at fault
    /// and that is not allowed, otherwise a report entry.
    fn incomplete(&mut self, cause: Incomplete) -> Result<()> {
        self.stop();
        let expected = self.expected().unwrap_or(self.yielded);
        let missing = expected.saturating_sub(self.yielded);
        self.report.expected = Some(expected);
        self.report.missing = missing;
        self.report.incomplete = Some(cause);
        if cause.is_server_fault() && !self.list.allow_incomplete {
            return Err(Error::IncompleteScan {
                expected,
                received: self.yielded,
                cause,
            });
        }
        self.report.finished = true;
        tracing::warn!(
            expected,
            received = self.yielded,
            missing,
            %cause,
            "list scan incomplete"
        );
        Ok(())
    }

    fn stop(&mut self) {
        self.done = true;
        self.pending.clear();
    }

    fn publish(&self) {
        let mut shared = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        shared.clone_from(&self.report);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

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
}
