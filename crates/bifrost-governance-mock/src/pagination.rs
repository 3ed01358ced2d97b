//! Opt-in pagination shared by every paged list (`ClampPaginationParams` upstream).
//!
//! A list is paged only when one of its trigger parameters is present with a
//! non-empty value; otherwise every row comes back with `limit = count`,
//! `offset = 0`. Page size defaults to 25 and is clamped to 1..=100.

use crate::errors::ApiError;
use crate::request::Params;

/// Default page size.
pub(crate) const DEFAULT_LIMIT: i64 = 25;
/// Largest page size.
pub(crate) const MAX_LIMIT: i64 = 100;

/// How `limit`/`offset` values that are not non-negative integers are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// 400 "Invalid limit parameter: …" (VKs, model configs, routing rules, pricing overrides).
    Strict,
    /// Silently read as 0, hence a page of 25 (teams, customers).
    Lenient,
}

/// A clamped page window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) limit: i64,
    pub(crate) offset: i64,
}

/// One page of items with the counters every paged list reports.
#[derive(Debug, Clone)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) count: i64,
    pub(crate) total_count: i64,
    pub(crate) limit: i64,
    pub(crate) offset: i64,
}

impl<T> Page<T> {
    /// Converts the items, keeping the counters.
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            count: self.count,
            total_count: self.total_count,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// Decides whether a list request is paged and with which clamped window.
///
/// `triggers` are the parameters (besides `limit`, `offset` and `search`, which
/// always trigger) that turn paging on for this list.
pub(crate) fn window(
    params: &Params,
    extra_triggers: &[&str],
    strictness: Strictness,
) -> Result<Option<Window>, ApiError> {
    let limit = parse_param(params, "limit", strictness)?;
    let offset = parse_param(params, "offset", strictness)?;
    let triggered = ["limit", "offset", "search"]
        .iter()
        .chain(extra_triggers)
        .any(|name| params.non_empty(name).is_some());
    if !triggered {
        return Ok(None);
    }
    let limit = limit.unwrap_or(0);
    let limit = if limit <= 0 {
        DEFAULT_LIMIT
    } else {
        limit.min(MAX_LIMIT)
    };
    Ok(Some(Window {
        limit,
        offset: offset.unwrap_or(0).max(0),
    }))
}

fn parse_param(
    params: &Params,
    name: &str,
    strictness: Strictness,
) -> Result<Option<i64>, ApiError> {
    let Some(raw) = params.non_empty(name) else {
        return Ok(None);
    };
    match (raw.parse::<i64>(), strictness) {
        (Ok(v), Strictness::Strict) if v < 0 => Err(ApiError::bad_request(format!(
            "Invalid {name} parameter: must be non-negative"
        ))),
        (Ok(v), _) => Ok(Some(v)),
        (Err(_), Strictness::Strict) => Err(ApiError::bad_request(format!(
            "Invalid {name} parameter: must be a number"
        ))),
        (Err(_), Strictness::Lenient) => Ok(Some(0)),
    }
}

/// The one paging function every list uses: slices `rows` (already filtered and
/// sorted) by `window`, or returns them all when the list is not paged.
pub(crate) fn paginate<T>(rows: Vec<T>, window: Option<Window>) -> Page<T> {
    let total = rows.len() as i64;
    match window {
        None => Page {
            items: rows,
            count: total,
            total_count: total,
            limit: total,
            offset: 0,
        },
        Some(Window { limit, offset }) => {
            let items: Vec<T> = rows
                .into_iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(usize::try_from(limit).unwrap_or(0))
                .collect();
            Page {
                count: items.len() as i64,
                items,
                total_count: total,
                limit,
                offset,
            }
        }
    }
}

/// Case-insensitive substring match used by every `search` parameter.
pub(crate) fn matches_search(haystack: &str, needle: Option<&str>) -> bool {
    needle.is_none_or(|n| haystack.to_lowercase().contains(&n.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let query = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let uri: axum::http::Uri = format!("/x?{query}").parse().unwrap();
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri).unwrap();
        Params::from_pairs(pairs)
    }

    #[test]
    fn unpaged_without_trigger() {
        let page = paginate(
            (0..30).collect(),
            window(&params(&[]), &[], Strictness::Strict).unwrap(),
        );
        assert_eq!(
            (page.count, page.total_count, page.limit, page.offset),
            (30, 30, 30, 0)
        );
    }

    #[test]
    fn clamps() {
        let w = window(&params(&[("limit", "0")]), &[], Strictness::Strict).unwrap();
        assert_eq!(
            w,
            Some(Window {
                limit: 25,
                offset: 0
            })
        );
        let w = window(&params(&[("limit", "1000")]), &[], Strictness::Strict).unwrap();
        assert_eq!(
            w,
            Some(Window {
                limit: 100,
                offset: 0
            })
        );
        let w = window(&params(&[("search", "x")]), &[], Strictness::Strict).unwrap();
        assert_eq!(
            w,
            Some(Window {
                limit: 25,
                offset: 0
            })
        );
        assert!(window(&params(&[("limit", "abc")]), &[], Strictness::Strict).is_err());
        assert!(window(&params(&[("offset", "-1")]), &[], Strictness::Strict).is_err());
        let w = window(&params(&[("limit", "abc")]), &[], Strictness::Lenient).unwrap();
        assert_eq!(
            w,
            Some(Window {
                limit: 25,
                offset: 0
            })
        );
        let w = window(
            &params(&[("team_id", "t")]),
            &["team_id"],
            Strictness::Strict,
        )
        .unwrap();
        assert_eq!(
            w,
            Some(Window {
                limit: 25,
                offset: 0
            })
        );
    }

    #[test]
    fn slices() {
        let page = paginate(
            (0..30).collect::<Vec<_>>(),
            Some(Window {
                limit: 25,
                offset: 25,
            }),
        );
        assert_eq!(page.items, vec![25, 26, 27, 28, 29]);
        assert_eq!((page.count, page.total_count), (5, 30));
    }
}
