//! Paging as the list handlers do it (`handlers/utils.go ClampPaginationParams`),
//! and the list envelope they answer with.

use crate::errors::ApiError;
use crate::gojson::Go;
use crate::request::Params;

/// Default page size of `ClampPaginationParams`.
pub(crate) const DEFAULT_LIMIT: i64 = 25;
/// Largest page size of `ClampPaginationParams`.
pub(crate) const MAX_LIMIT: i64 = 100;

/// The strict parse of the key, model-config, routing-rule and pricing-override
/// lists: `strconv.Atoi`, 400 `Invalid <name> parameter: must be a number` / `must be
/// non-negative`; `0` when the parameter is empty.
pub(crate) fn strict(params: &Params, name: &str) -> Result<i64, ApiError> {
    let raw = params.peek(name);
    if raw.is_empty() {
        return Ok(0);
    }
    match raw.parse::<i64>() {
        Ok(n) if n < 0 => Err(ApiError::bad_request(format!(
            "Invalid {name} parameter: must be non-negative"
        ))),
        Ok(n) => Ok(n),
        Err(_) => Err(ApiError::bad_request(format!(
            "Invalid {name} parameter: must be a number"
        ))),
    }
}

/// The lenient parse of the team and customer lists: `n, _ := strconv.Atoi(…)`.
pub(crate) fn lenient(params: &Params, name: &str) -> i64 {
    params.peek(name).parse::<i64>().unwrap_or(0)
}

/// `ClampPaginationParams`: `limit <= 0` → 25, `limit > 100` → 100, `offset < 0` → 0.
pub(crate) fn clamp(limit: i64, offset: i64) -> (i64, i64) {
    let limit = if limit <= 0 {
        DEFAULT_LIMIT
    } else {
        limit.min(MAX_LIMIT)
    };
    (limit, offset.max(0))
}

/// `LIMIT limit OFFSET offset` over rows already filtered and sorted.
pub(crate) fn slice<T>(rows: Vec<T>, limit: i64, offset: i64) -> Vec<T> {
    rows.into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

/// Whether any of `names` has a non-empty value (the handlers' "paginated path" test).
pub(crate) fn any_set(params: &Params, names: &[&str]) -> bool {
    names.iter().any(|n| !params.peek(n).is_empty())
}

/// `map[string]interface{}{key: items, "count", "total_count", "limit", "offset"}`
/// (a Go map: keys come out sorted).
pub(crate) fn envelope(
    key: &str,
    items: Go,
    count: usize,
    total: i64,
    limit: i64,
    offset: i64,
) -> Go {
    Go::Map(
        [
            (key.to_string(), items),
            ("count".to_string(), Go::from(count)),
            ("total_count".to_string(), Go::Int(total)),
            ("limit".to_string(), Go::Int(limit)),
            ("offset".to_string(), Go::Int(offset)),
        ]
        .into_iter()
        .collect(),
    )
}

/// The envelope of one page of `items` (`count` is their number).
pub(crate) fn page(key: &str, items: Vec<Go>, total: i64, limit: i64, offset: i64) -> Go {
    let count = items.len();
    envelope(key, Go::Array(items), count, total, limit, offset)
}

/// The envelope of an unpaged list: `limit` = `count` = `total_count`, `offset` 0.
pub(crate) fn envelope_all(key: &str, items: Vec<Go>) -> Go {
    let n = items.len();
    envelope(key, Go::Array(items), n, n as i64, n as i64, 0)
}

/// `LOWER(col) LIKE '%<lowercased search>%'`: a case-insensitive substring match in
/// which the caller's own `%` and `_` are wildcards too (upstream does not escape them).
pub(crate) fn matches(haystack: &str, search: &str) -> bool {
    if search.is_empty() {
        return true;
    }
    let text: Vec<char> = haystack.to_lowercase().chars().collect();
    let mut pattern = vec!['%'];
    pattern.extend(search.to_lowercase().chars());
    pattern.push('%');
    like(&text, &pattern)
}

/// SQL `LIKE` with `%` (any run) and `_` (any one character).
fn like(text: &[char], pattern: &[char]) -> bool {
    // Classic two-pointer wildcard match with backtracking to the last `%`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '_' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == '%' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == '%' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_like_upstream() {
        assert_eq!(clamp(0, -3), (25, 0));
        assert_eq!(clamp(1000, 5), (100, 5));
        assert_eq!(clamp(7, 0), (7, 0));
        assert_eq!(slice((0..30).collect(), 25, 25), vec![25, 26, 27, 28, 29]);
    }

    #[test]
    fn search_is_like_with_wildcards() {
        assert!(matches("Key-20", "key-2"));
        assert!(matches("abc", "a_c"));
        assert!(matches("a-long-name", "a%name"));
        assert!(!matches("abc", "abd"));
        assert!(matches("anything", ""));
    }
}
