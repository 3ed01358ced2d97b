//! The streams a [`List`] turns into: pages, and items across pages.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::stream::{BoxStream, Stream, StreamExt};

#[cfg(doc)]
use super::List;
use super::{Page, ScanReport};
use crate::error::Result;

/// Stream of pages returned by [`List::pages`].
///
/// [`try_next`](Self::try_next) and [`try_collect`](Self::try_collect) cover the
/// common uses without importing `futures`; it is also a
/// [`Stream`] for everything else.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    pub(super) inner: BoxStream<'static, Result<Page<T>>>,
    pub(super) report: Arc<Mutex<ScanReport>>,
}

/// Stream of items returned by [`List::items`].
///
/// [`try_next`](Self::try_next) and [`try_collect`](Self::try_collect) cover the
/// common uses without importing `futures`; it is also a
/// [`Stream`] for everything else.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    pub(super) pages: Pages<T>,
    /// The rest of the current page.
    pub(super) buffer: std::vec::IntoIter<T>,
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
