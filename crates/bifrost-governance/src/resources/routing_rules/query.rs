//! Filters of a routing-rule list, and the local paging of scoped lists.

use bifrost_governance_client::types::RoutingRule;
use futures::FutureExt;
use futures::future::BoxFuture;

use super::at_routing_path;
use crate::Scope;
use crate::capability::Capability;
use crate::client::Client;
use crate::error::Result;
use crate::pagination::{List, ListSource, Page};
use crate::resources::page;
use crate::transport::call;

/// Filters of a routing-rule list.
#[derive(Debug, Clone, Default)]
pub struct RoutingRuleQuery {
    search: Option<String>,
    scope: Option<Scope>,
}

impl ListSource for RoutingRuleQuery {
    type Item = RoutingRule;

    fn fetch(
        &self,
        client: Client,
        limit: u32,
        offset: u64,
    ) -> BoxFuture<'static, Result<Page<RoutingRule>>> {
        let query = self.clone();
        async move {
            let Some(scope) = &query.scope else {
                let list = at_routing_path!(
                    &client,
                    call,
                    list_routing_rules | list_routing_rules_legacy,
                    |b| {
                        let mut request = b.limit(i64::from(limit)).offset(offset as i64);
                        if let Some(search) = &query.search {
                            request = request.search(search);
                        }
                        request.send()
                    }
                )?;
                return Ok(page(list.rules, list.total_count, list.limit, list.offset));
            };
            // With a scope filter the server ignores paging and search and answers
            // every rule of the scope: search and page here.
            scope.check()?;
            if matches!(scope, Scope::User(_)) {
                client.require(Capability::UserScopes).await?;
            }
            let list = at_routing_path!(
                &client,
                call,
                list_routing_rules | list_routing_rules_legacy,
                |b| {
                    let mut request = b.scope(scope.kind());
                    if let Some(id) = scope.id() {
                        request = request.scope_id(id);
                    }
                    request.send()
                }
            )?;
            Ok(local_page(
                list.rules.unwrap_or_default(),
                query.search.as_deref(),
                limit,
                offset,
            ))
        }
        .boxed()
    }

    fn id(item: &RoutingRule) -> &str {
        &item.id
    }
}

/// One page cut from a complete, unpaged answer, after the server's `search`
/// (name or CEL expression, case-insensitive).
fn local_page(
    rules: Vec<RoutingRule>,
    search: Option<&str>,
    limit: u32,
    offset: u64,
) -> Page<RoutingRule> {
    let needle = search.map(str::to_lowercase);
    let matching: Vec<RoutingRule> = rules
        .into_iter()
        .filter(|rule| {
            needle.as_deref().is_none_or(|n| {
                [&rule.name, &rule.cel_expression].into_iter().any(|text| {
                    text.as_deref()
                        .is_some_and(|t| t.to_lowercase().contains(n))
                })
            })
        })
        .collect();
    let total_count = matching.len() as u64;
    let items = matching
        .into_iter()
        .skip(offset.min(total_count) as usize)
        .take(limit as usize)
        .collect();
    Page {
        items,
        total_count,
        limit: u64::from(limit),
        offset,
    }
}

impl List<RoutingRuleQuery> {
    /// Only rules whose name or CEL expression contains `text` (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.source.search = Some(text.into());
        self
    }

    /// Only rules of this scope. The server cannot page (nor search) a scoped list:
    /// it answers every rule of the scope at once. The SDK then searches and pages
    /// that answer itself, so the list behaves as usual, but each page request
    /// downloads every rule of the scope: keep the default page size of 100.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.source.scope = Some(scope);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, name: &str, cel: &str) -> RoutingRule {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "cel_expression": cel}))
            .unwrap()
    }

    #[test]
    fn scoped_lists_are_searched_and_paged_locally() {
        let rules = vec![
            rule("1", "cheap", "model == \"gpt-4o\""),
            rule("2", "Cheap-eu", "region == \"eu\""),
            rule("3", "premium", "model == \"GPT-4o\""),
        ];
        let all = local_page(rules.clone(), None, 2, 0);
        assert_eq!(
            (all.items.len(), all.total_count, all.limit, all.offset),
            (2, 3, 2, 0)
        );
        let rest = local_page(rules.clone(), None, 2, 2);
        assert_eq!(
            rest.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["3"]
        );
        let by_name = local_page(rules.clone(), Some("CHEAP"), 100, 0);
        assert_eq!(
            by_name
                .items
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        let by_cel = local_page(rules.clone(), Some("gpt-4o"), 100, 0);
        assert_eq!(
            by_cel
                .items
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "3"]
        );
        let past_the_end = local_page(rules, None, 10, 50);
        assert!(past_the_end.items.is_empty());
        assert_eq!(past_the_end.total_count, 3);
    }
}
