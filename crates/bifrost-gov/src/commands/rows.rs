//! Read-mostly commands: model configs, providers, routing rules, pricing
//! overrides, budget and rate-limit rows, spend, version.

use std::process::ExitCode;

use bifrost_governance::resources::virtual_keys::{SortOrder, VirtualKeySortBy};
use bifrost_governance::types::{Budget, Team, VirtualKey};
use bifrost_governance::{Client, Scope};
use serde_json::json;

use super::{Outcome, budget_cells, rate_limit_cell};
use crate::cli::{Global, ListDeleteCommand, ProvidersCommand, ReadDeleteCommand, SpendArgs};
use crate::output::{self, Format};

fn scope_cell(kind: &Option<String>, id: &Option<String>) -> String {
    match Scope::from_wire(kind.as_deref().unwrap_or_default(), id.as_deref()) {
        Some(Scope::Global) => "global".into(),
        Some(s) => format!("{} {}", s.kind(), s.id().unwrap_or_default()),
        None => kind.clone().unwrap_or_default(),
    }
}

fn done(g: &Global, what: String) -> Outcome {
    if !g.quiet {
        eprintln!("{what}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `model-configs …`.
pub async fn model_configs(client: &Client, g: &Global, cmd: ReadDeleteCommand) -> Outcome {
    let header = ["MODEL", "PROVIDER", "SCOPE", "BUDGETS", "RATE LIMIT", "ID"];
    let row = |m: &bifrost_governance::types::ModelConfig| {
        vec![
            m.model_name.clone().unwrap_or_default(),
            m.provider.clone().unwrap_or_else(|| "(all)".into()),
            m.scope_name
                .clone()
                .unwrap_or_else(|| scope_cell(&m.scope, &m.scope_id)),
            budget_cells(&m.budgets, &m.budget),
            rate_limit_cell(&m.rate_limit),
            m.id.clone(),
        ]
    };
    match cmd {
        ReadDeleteCommand::List => {
            let items = client.model_configs().list().collect_all().await?;
            output::print_list(&items, g.output, &header, row);
        }
        ReadDeleteCommand::Get(t) => {
            let item = client.model_configs().get(&t.target).await?;
            output::print_list(&[item], g.output, &header, row);
        }
        ReadDeleteCommand::Delete(t) => {
            client.model_configs().delete(&t.target).await?;
            return done(g, format!("deleted model config {}", t.target));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `providers …`.
pub async fn providers(client: &Client, g: &Global, cmd: ProvidersCommand) -> Outcome {
    match cmd {
        ProvidersCommand::List => {
            let items = client.providers().list().await?;
            output::print_list(
                &items,
                g.output,
                &["PROVIDER", "BUDGETS", "RATE LIMIT"],
                |p| {
                    vec![
                        p.provider.clone(),
                        budget_cells(&p.budgets, &p.budget),
                        rate_limit_cell(&p.rate_limit),
                    ]
                },
            );
        }
        ProvidersCommand::Delete(t) => {
            client.providers().delete(&t.target).await?;
            return done(
                g,
                format!("removed the governance of provider {}", t.target),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `routing-rules …`.
pub async fn routing_rules(client: &Client, g: &Global, cmd: ReadDeleteCommand) -> Outcome {
    let header = [
        "NAME",
        "SCOPE",
        "PRIORITY",
        "ENABLED",
        "CONDITION",
        "TARGETS",
        "ID",
    ];
    let row = |r: &bifrost_governance::types::RoutingRule| {
        let targets = r
            .targets
            .iter()
            .flatten()
            .map(|t| {
                format!(
                    "{}/{} {:.2}",
                    t.provider.as_deref().unwrap_or("*"),
                    t.model.as_deref().filter(|m| !m.is_empty()).unwrap_or("*"),
                    t.weight.unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        vec![
            r.name.clone().unwrap_or_default(),
            scope_cell(&r.scope, &r.scope_id),
            r.priority.unwrap_or(0).to_string(),
            r.enabled.unwrap_or(true).to_string(),
            r.cel_expression.clone().unwrap_or_default(),
            targets,
            r.id.clone(),
        ]
    };
    match cmd {
        ReadDeleteCommand::List => {
            let items = client.routing_rules().list().collect_all().await?;
            output::print_list(&items, g.output, &header, row);
        }
        ReadDeleteCommand::Get(t) => {
            let item = client.routing_rules().get(&t.target).await?;
            output::print_list(&[item], g.output, &header, row);
        }
        ReadDeleteCommand::Delete(t) => {
            client.routing_rules().delete(&t.target).await?;
            return done(g, format!("deleted routing rule {}", t.target));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `pricing-overrides …`.
pub async fn pricing_overrides(client: &Client, g: &Global, cmd: ListDeleteCommand) -> Outcome {
    match cmd {
        ListDeleteCommand::List => {
            let items = client.pricing_overrides().list().collect_all().await?;
            output::print_list(
                &items,
                g.output,
                &["NAME", "SCOPE", "PATTERN", "REQUEST TYPES", "ID"],
                |p| {
                    vec![
                        p.name.clone().unwrap_or_default(),
                        p.scope_kind.clone().unwrap_or_default(),
                        p.pattern.clone().unwrap_or_default(),
                        p.request_types.clone().unwrap_or_default().join(", "),
                        p.id.clone(),
                    ]
                },
            );
        }
        ListDeleteCommand::Delete(t) => {
            client.pricing_overrides().delete(&t.target).await?;
            return done(g, format!("deleted pricing override {}", t.target));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn owner_of(b: &Budget) -> String {
    [
        ("key", &b.virtual_key_id),
        ("team", &b.team_id),
        ("customer", &b.customer_id),
        ("model config", &b.model_config_id),
    ]
    .into_iter()
    .find_map(|(kind, id)| id.as_ref().map(|id| format!("{kind} {id}")))
    .or_else(|| {
        b.provider_config_id
            .map(|id| format!("provider config {id}"))
    })
    .unwrap_or_default()
}

/// `budgets`.
pub async fn budgets(client: &Client, g: &Global) -> Outcome {
    let rows = client.budgets().list().await?;
    output::print_list(
        &rows,
        g.output,
        &["ID", "OWNER", "USED", "LIMIT", "PERIOD"],
        |b| {
            vec![
                b.id.clone(),
                owner_of(b),
                output::usd(b.current_usage.unwrap_or_default()),
                output::usd(b.max_limit.unwrap_or_default()),
                b.reset_duration.clone().unwrap_or_default(),
            ]
        },
    );
    Ok(ExitCode::SUCCESS)
}

/// `rate-limits`.
pub async fn rate_limits(client: &Client, g: &Global) -> Outcome {
    let rows = client.rate_limits().list().await?;
    output::print_list(&rows, g.output, &["ID", "LIMITS"], |r| {
        vec![r.id.clone(), rate_limit_cell(&Some(r.clone()))]
    });
    Ok(ExitCode::SUCCESS)
}

/// The highest share of a limit used among budgets.
/// The highest share of its cap any of the budgets has used.
fn max_share(budgets: &[&Budget]) -> f64 {
    budgets
        .iter()
        .filter_map(|b| {
            Some(b.current_usage.unwrap_or_default() / b.max_limit.filter(|m| *m > 0.0)?)
        })
        .fold(0.0, f64::max)
}

/// The `limit` entries whose budgets have used the highest share, highest first.
fn rank_by_share<T>(mut items: Vec<T>, budgets: impl Fn(&T) -> Vec<&Budget>, limit: u64) -> Vec<T> {
    items.sort_by(|a, b| max_share(&budgets(b)).total_cmp(&max_share(&budgets(a))));
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    items
}

/// `spend`: keys, or teams, by the highest share of a budget used. Ranked here: the
/// server's `sort_by=budget_spent` only sees budgets a key owns directly, which newest
/// v2.x servers keep on the key's model configs instead.
pub async fn spend(client: &Client, g: &Global, args: &SpendArgs) -> Outcome {
    let headers = |what| [what, "USED (HIGHEST SHARE)", "BUDGETS"];
    if args.teams {
        let teams = client.teams().list().collect_all().await?;
        let teams = rank_by_share(teams, Team::budgets, args.limit);
        output::print_list(&teams, g.output, &headers("TEAM"), |t| {
            vec![
                t.name.clone(),
                format!("{:.0}%", 100.0 * max_share(&t.budgets())),
                budget_cells(&t.budgets, &t.budget),
            ]
        });
        return Ok(ExitCode::SUCCESS);
    }
    let keys = client
        .virtual_keys()
        .list()
        .sort_by(VirtualKeySortBy::Name)
        .order(SortOrder::Asc)
        .collect_all()
        .await?;
    let keys = rank_by_share(keys, VirtualKey::budgets, args.limit);
    output::print_list(&keys, g.output, &headers("KEY"), |k| {
        vec![
            k.name.clone(),
            format!("{:.0}%", 100.0 * max_share(&k.budgets())),
            budget_cells(&k.budgets, &k.budget),
        ]
    });
    Ok(ExitCode::SUCCESS)
}

/// `version`.
pub async fn version(client: &Client, g: &Global) -> Outcome {
    let cli = env!("CARGO_PKG_VERSION");
    let server = client.server_version().await?.to_string();
    match g.output {
        Format::Table => {
            println!("bifrost-gov {cli}");
            println!("server      {server} ({})", client.base_url());
        }
        format => output::print_data(
            &json!({"cli": cli, "server": server, "base_url": client.base_url()}),
            format,
        ),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_puts_the_highest_share_first_and_keeps_limit() {
        let team = |name: &str, budgets: serde_json::Value| -> Team {
            serde_json::from_value(json!({ "id": name, "name": name, "budgets": budgets })).unwrap()
        };
        let teams = vec![
            team(
                "quiet",
                json!([{ "id": "b1", "max_limit": 100.0, "current_usage": 5.0 }]),
            ),
            team("none", json!([])),
            team(
                "busy",
                json!([
                    { "id": "b2", "max_limit": 10.0, "current_usage": 1.0 },
                    { "id": "b3", "max_limit": 2.0, "current_usage": 1.5 }
                ]),
            ),
            team(
                "uncapped",
                json!([{ "id": "b4", "max_limit": 0.0, "current_usage": 9.0 }]),
            ),
        ];
        let ranked: Vec<String> = rank_by_share(teams, Team::budgets, 2)
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(ranked, ["busy", "quiet"]);
    }
}
