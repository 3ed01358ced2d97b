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

use std::fmt;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};

use crate::client::Client;
use crate::error::{Error, Result};

mod engine;
mod streams;
#[cfg(test)]
mod tests;

use engine::Engine;
pub use streams::{Items, Pages};

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
