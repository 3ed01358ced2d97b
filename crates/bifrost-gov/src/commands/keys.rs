//! `keys list|get|create|update|rotate|delete`.

use std::process::ExitCode;

use bifrost_governance::Client;
use bifrost_governance::resources::virtual_keys::{Assignment, ProviderConfigSpec};
use bifrost_governance::types::VirtualKey;

use super::{Failure, Outcome, budget_cells, pick, rate_limit_cell};
use crate::cli::{Global, KeysCommand};
use crate::output::{self, Format};

/// Finds a key by name (or id).
pub(super) async fn find(client: &Client, target: &str) -> Result<VirtualKey, Failure> {
    let candidates = client
        .virtual_keys()
        .list()
        .search(target)
        .collect_all()
        .await?;
    match pick(candidates, target, "virtual key", |k| &k.name, |k| &k.id) {
        Ok(key) => Ok(key),
        Err(not_found) => client.virtual_keys().get(target).await.map_err(|e| {
            if e.is_not_found() {
                not_found
            } else {
                e.into()
            }
        }),
    }
}

fn owner(k: &VirtualKey) -> String {
    let name = |team: bool| {
        if team {
            k.team.as_ref().map(|t| t.name.clone())
        } else {
            k.customer.as_ref().map(|c| c.name.clone())
        }
    };
    match (
        k.team_id.as_deref().filter(|t| !t.is_empty()),
        k.customer_id.as_deref().filter(|c| !c.is_empty()),
    ) {
        (Some(id), _) => format!("team {}", name(true).unwrap_or_else(|| id.to_string())),
        (None, Some(id)) => format!("customer {}", name(false).unwrap_or_else(|| id.to_string())),
        _ => String::new(),
    }
}

fn providers(k: &VirtualKey) -> String {
    k.provider_configs
        .iter()
        .flatten()
        .filter_map(|p| p.provider.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn fields(k: &VirtualKey) -> Vec<(&'static str, String)> {
    vec![
        ("name", k.name.clone()),
        ("id", k.id.clone()),
        ("description", k.description.clone().unwrap_or_default()),
        ("owner", owner(k)),
        ("enabled", k.is_active.unwrap_or(true).to_string()),
        ("budgets", budget_cells(&k.budgets, &k.budget)),
        ("rate limit", rate_limit_cell(&k.rate_limit)),
        ("providers", providers(k)),
        (
            "mcp clients",
            k.mcp_configs
                .iter()
                .flatten()
                .filter_map(|m| m.mcp_client.as_ref().and_then(|c| c.name.clone()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "expires",
            k.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ),
    ]
}

fn print_key(key: &VirtualKey, format: Format, show_secret: bool, quiet: bool) {
    output::print_one(key, format, show_secret, fields);
    if format == Format::Table && show_secret {
        if let Some(value) = &key.value {
            println!("value: {}", value.expose_secret());
        }
    } else if format == Format::Table && !quiet {
        eprintln!("note: the key's value is not shown; add --show-secret to print it once");
    }
}

/// `PROVIDER` or `PROVIDER=MODEL,MODEL`.
fn provider_spec(text: &str) -> ProviderConfigSpec {
    match text.split_once('=') {
        Some((provider, models)) => ProviderConfigSpec::new(provider.trim())
            .models(models.split(',').map(str::trim).filter(|m| !m.is_empty())),
        None => ProviderConfigSpec::new(text.trim()),
    }
}

/// Runs a `keys` command.
pub async fn run(client: &Client, g: &Global, cmd: KeysCommand) -> Outcome {
    match cmd {
        KeysCommand::List {
            team,
            customer,
            search,
            active,
        } => {
            let mut list = client.virtual_keys().list().concurrency(4);
            if let Some(team) = team {
                list = list.team_id(super::owners::find_team(client, &team).await?.id);
            }
            if let Some(customer) = customer {
                list = list.customer_id(super::owners::find_customer(client, &customer).await?.id);
            }
            if let Some(search) = search {
                list = list.search(search);
            }
            let keys: Vec<VirtualKey> = list
                .collect_all()
                .await?
                .into_iter()
                .filter(|k| active.is_none_or(|a| k.is_active.unwrap_or(true) == a))
                .collect();
            output::print_list(
                &keys,
                g.output,
                &[
                    "NAME",
                    "OWNER",
                    "ENABLED",
                    "BUDGETS",
                    "RATE LIMIT",
                    "PROVIDERS",
                    "ID",
                ],
                |k| {
                    vec![
                        k.name.clone(),
                        owner(k),
                        k.is_active.unwrap_or(true).to_string(),
                        budget_cells(&k.budgets, &k.budget),
                        rate_limit_cell(&k.rate_limit),
                        providers(k),
                        k.id.clone(),
                    ]
                },
            );
        }
        KeysCommand::Get(t) => print_key(&find(client, &t.target).await?, g.output, false, true),
        KeysCommand::Create {
            name,
            team,
            customer,
            description,
            providers,
            limits,
            show_secret,
        } => {
            let mut b = client.virtual_keys().create(name);
            if let Some(team) = team {
                b = b.assign_team(super::owners::find_team(client, &team).await?.id);
            }
            if let Some(customer) = customer {
                b = b.assign_customer(super::owners::find_customer(client, &customer).await?.id);
            }
            if let Some(d) = description {
                b = b.description(d);
            }
            for p in &providers {
                b = b.provider_config(provider_spec(p));
            }
            if let Some(budgets) = limits.budget_specs()? {
                b = b.budgets(budgets);
            }
            if let Some(limit) = limits.rate_limit()? {
                b = b.rate_limit(limit);
            }
            print_key(&b.send().await?, g.output, show_secret, g.quiet);
        }
        KeysCommand::Update {
            target,
            description,
            enabled,
            team,
            customer,
            unassign,
            limits,
        } => {
            let key = find(client, &target).await?;
            let assignment = match (team, customer, unassign) {
                (Some(t), _, _) => Some(Assignment::Team(
                    super::owners::find_team(client, &t).await?.id,
                )),
                (_, Some(c), _) => Some(Assignment::Customer(
                    super::owners::find_customer(client, &c).await?.id,
                )),
                (_, _, true) => Some(Assignment::Unassigned),
                _ => None,
            };
            let budgets = limits.budget_specs()?;
            let rate_limit = limits.rate_limit()?;
            let updated = client
                .virtual_keys()
                .patch(&key.id, |vk| {
                    if let Some(d) = description {
                        vk.description = d;
                    }
                    if let Some(e) = enabled {
                        vk.enabled = e;
                    }
                    if let Some(a) = assignment {
                        vk.assignment = a;
                    }
                    if budgets.is_some() {
                        vk.budgets = budgets;
                    }
                    if let Some(limit) = rate_limit {
                        vk.rate_limit = Some(Some(limit));
                    }
                })
                .await?;
            print_key(&updated, g.output, false, true);
        }
        KeysCommand::Rotate {
            target,
            show_secret,
        } => {
            let key = find(client, &target).await?;
            let rotated = client.virtual_keys().rotate(&key.id).await?;
            print_key(&rotated, g.output, show_secret, g.quiet);
        }
        KeysCommand::Delete(t) => {
            let key = find(client, &t.target).await?;
            client.virtual_keys().delete(&key.id).await?;
            if !g.quiet {
                eprintln!("deleted virtual key {} ({})", key.name, key.id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_flags_name_models_after_an_equals_sign() {
        assert_eq!(provider_spec("openai"), ProviderConfigSpec::new("openai"));
        assert_eq!(
            provider_spec("openai=gpt-4o, gpt-4o-mini"),
            ProviderConfigSpec::new("openai").models(["gpt-4o", "gpt-4o-mini"])
        );
    }
}
