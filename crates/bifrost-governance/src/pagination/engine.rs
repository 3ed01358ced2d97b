//! The scan itself: plans page requests, keeps up to `concurrency` in flight (the
//! first window together), yields pages in order, drops ids already yielded and
//! keeps the [`ScanReport`].

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt};
use tracing::Instrument;

use super::*;

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

pub(super) struct Engine<S: ListSource> {
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
    pub(super) fn new(list: List<S>, shared: Arc<Mutex<ScanReport>>) -> Self {
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

    pub(super) async fn next_page(&mut self) -> Option<Result<Page<S::Item>>> {
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
