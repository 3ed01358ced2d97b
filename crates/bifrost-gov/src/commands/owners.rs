//! `teams …` and `customers …`.

use std::process::ExitCode;

use bifrost_governance::Client;
use bifrost_governance::types::{Customer, Team};

use super::{Failure, Outcome, budget_cells, pick, rate_limit_cell};
use crate::cli::{Global, OwnerCommand};
use crate::output;

/// Finds a team by name (or id).
pub(super) async fn find_team(client: &Client, target: &str) -> Result<Team, Failure> {
    let teams = client.teams().list().search(target).collect_all().await?;
    match pick(teams, target, "team", |t| &t.name, |t| &t.id) {
        Ok(team) => Ok(team),
        Err(not_found) => client.teams().get(target).await.map_err(|e| {
            if e.is_not_found() {
                not_found
            } else {
                e.into()
            }
        }),
    }
}

/// Finds a customer by name (or id); equal names (v1.5.x) are refused.
pub(super) async fn find_customer(client: &Client, target: &str) -> Result<Customer, Failure> {
    let customers = client
        .customers()
        .list()
        .search(target)
        .collect_all()
        .await?;
    match pick(customers, target, "customer", |c| &c.name, |c| &c.id) {
        Ok(customer) => Ok(customer),
        Err(not_found) => client.customers().get(target).await.map_err(|e| {
            if e.is_not_found() {
                not_found
            } else {
                e.into()
            }
        }),
    }
}

fn team_fields(t: &Team) -> Vec<(&'static str, String)> {
    vec![
        ("name", t.name.clone()),
        ("id", t.id.clone()),
        (
            "customer",
            t.customer
                .as_ref()
                .map(|c| c.name.clone())
                .or_else(|| t.customer_id.clone())
                .unwrap_or_default(),
        ),
        (
            "keys",
            t.virtual_key_count
                .or(t.virtual_keys.as_ref().map(|k| k.len() as i64))
                .unwrap_or(0)
                .to_string(),
        ),
        ("budgets", budget_cells(&t.budgets, &t.budget)),
        ("rate limit", rate_limit_cell(&t.rate_limit)),
    ]
}

fn customer_fields(c: &Customer) -> Vec<(&'static str, String)> {
    vec![
        ("name", c.name.clone()),
        ("id", c.id.clone()),
        ("teams", c.teams.as_ref().map_or(0, Vec::len).to_string()),
        (
            "keys",
            c.virtual_key_count
                .or(c.virtual_keys.as_ref().map(|k| k.len() as i64))
                .unwrap_or(0)
                .to_string(),
        ),
        ("budgets", budget_cells(&c.budgets, &c.budget)),
        ("rate limit", rate_limit_cell(&c.rate_limit)),
    ]
}

fn as_row(fields: Vec<(&'static str, String)>) -> Vec<String> {
    fields.into_iter().map(|(_, v)| v).collect()
}

/// Runs a `teams` command.
pub async fn teams(client: &Client, g: &Global, cmd: OwnerCommand) -> Outcome {
    match cmd {
        OwnerCommand::List { search } => {
            let mut list = client.teams().list();
            if let Some(s) = search {
                list = list.search(s);
            }
            let teams = list.collect_all().await?;
            output::print_list(
                &teams,
                g.output,
                &["NAME", "ID", "CUSTOMER", "KEYS", "BUDGETS", "RATE LIMIT"],
                |t| as_row(team_fields(t)),
            );
        }
        OwnerCommand::Get(t) => output::print_one(
            &find_team(client, &t.target).await?,
            g.output,
            false,
            team_fields,
        ),
        OwnerCommand::Create {
            name,
            customer,
            limits,
        } => {
            let mut b = client.teams().create(name);
            if let Some(c) = customer {
                b = b.assign_customer(find_customer(client, &c).await?.id);
            }
            if let Some(budgets) = limits.budget_specs()? {
                b = b.budgets(budgets);
            }
            if let Some(limit) = limits.rate_limit()? {
                b = b.rate_limit(limit);
            }
            output::print_one(&b.send().await?, g.output, false, team_fields);
        }
        OwnerCommand::Update {
            target,
            customer,
            limits,
        } => {
            let team = find_team(client, &target).await?;
            let mut b = client.teams().update(&team.id);
            if let Some(c) = customer {
                b = b.assign_customer(find_customer(client, &c).await?.id);
            }
            if let Some(budgets) = limits.budget_specs()? {
                b = b.set_budgets(budgets);
            }
            if let Some(limit) = limits.rate_limit()? {
                b = b.set_rate_limit(limit);
            }
            output::print_one(&b.send().await?, g.output, false, team_fields);
        }
        OwnerCommand::Delete(t) => {
            let team = find_team(client, &t.target).await?;
            client.teams().delete(&team.id).await?;
            if !g.quiet {
                eprintln!(
                    "deleted team {} ({}); its keys stay, without a team",
                    team.name, team.id
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `customers` command.
pub async fn customers(client: &Client, g: &Global, cmd: OwnerCommand) -> Outcome {
    match cmd {
        OwnerCommand::List { search } => {
            let mut list = client.customers().list();
            if let Some(s) = search {
                list = list.search(s);
            }
            let customers = list.collect_all().await?;
            output::print_list(
                &customers,
                g.output,
                &["NAME", "ID", "TEAMS", "KEYS", "BUDGETS", "RATE LIMIT"],
                |c| as_row(customer_fields(c)),
            );
        }
        OwnerCommand::Get(t) => output::print_one(
            &find_customer(client, &t.target).await?,
            g.output,
            false,
            customer_fields,
        ),
        OwnerCommand::Create {
            name,
            customer,
            limits,
        } => {
            if customer.is_some() {
                return Err(Failure("--customer applies to teams only".into()));
            }
            let mut b = client.customers().create(name);
            if let Some(budgets) = limits.budget_specs()? {
                b = b.budgets(budgets);
            }
            if let Some(limit) = limits.rate_limit()? {
                b = b.rate_limit(limit);
            }
            output::print_one(&b.send().await?, g.output, false, customer_fields);
        }
        OwnerCommand::Update {
            target,
            customer,
            limits,
        } => {
            if customer.is_some() {
                return Err(Failure("--customer applies to teams only".into()));
            }
            let found = find_customer(client, &target).await?;
            let mut b = client.customers().update(&found.id);
            if let Some(budgets) = limits.budget_specs()? {
                b = b.set_budgets(budgets);
            }
            if let Some(limit) = limits.rate_limit()? {
                b = b.set_rate_limit(limit);
            }
            output::print_one(&b.send().await?, g.output, false, customer_fields);
        }
        OwnerCommand::Delete(t) => {
            let found = find_customer(client, &t.target).await?;
            client.customers().delete(&found.id).await?;
            if !g.quiet {
                eprintln!(
                    "deleted customer {} ({}); its teams and keys stay",
                    found.name, found.id
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
