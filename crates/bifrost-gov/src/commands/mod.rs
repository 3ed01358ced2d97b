//! The commands: one module per group, and what they share (the client, errors,
//! flag parsing, name-or-id lookups).

mod declarative;

pub use declarative::render_file as declarative_render_file;
mod keys;
mod owners;
mod rows;

use std::process::ExitCode;

use bifrost_governance::{BudgetSpec, BudgetSpecs, Client, RateLimitSpec, ResetPeriod};
use clap::CommandFactory;

use crate::cli::{Cli, Command, Global, LimitArgs};

/// A command's failure, printed as `error: …` with exit code 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// What a command returns.
pub type Outcome = Result<ExitCode, Failure>;

/// Exit code 2: `plan` found changes.
pub const CHANGES_PENDING: u8 = 2;

fn client(global: &Global) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .base_url(&global.base_url)
        .user_agent(concat!("bifrost-gov/", env!("CARGO_PKG_VERSION")));
    if let Some(key) = global.api_key.as_deref().filter(|k| !k.is_empty()) {
        builder = builder.api_key(key);
    }
    Ok(builder.build()?)
}

/// Runs the parsed command line.
pub async fn dispatch(cli: Cli) -> Outcome {
    let g = &cli.global;
    match cli.command {
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "bifrost-gov", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => declarative::schema(),
        Command::Validate(args) => declarative::validate(g, &args),
        Command::Dump(args) => declarative::dump(&client(g)?, g, &args).await,
        Command::Plan(args) => declarative::plan(&client(g)?, g, &args).await,
        Command::Apply(args) => declarative::apply(&client(g)?, g, &args).await,
        Command::Keys(cmd) => keys::run(&client(g)?, g, cmd).await,
        Command::Teams(cmd) => owners::teams(&client(g)?, g, cmd).await,
        Command::Customers(cmd) => owners::customers(&client(g)?, g, cmd).await,
        Command::ModelConfigs(cmd) => rows::model_configs(&client(g)?, g, cmd).await,
        Command::Providers(cmd) => rows::providers(&client(g)?, g, cmd).await,
        Command::RoutingRules(cmd) => rows::routing_rules(&client(g)?, g, cmd).await,
        Command::PricingOverrides(cmd) => rows::pricing_overrides(&client(g)?, g, cmd).await,
        Command::Budgets => rows::budgets(&client(g)?, g).await,
        Command::RateLimits => rows::rate_limits(&client(g)?, g).await,
        Command::Spend(args) => rows::spend(&client(g)?, g, &args).await,
        Command::Version => rows::version(&client(g)?, g).await,
    }
}

/// `AMOUNT:PERIOD`.
fn parse_budget(text: &str) -> Result<BudgetSpec, Failure> {
    let (amount, period) = text.split_once(':').ok_or_else(|| {
        Failure(format!(
            "budget {text:?}: expected AMOUNT:PERIOD, like 10:1d"
        ))
    })?;
    let amount: f64 = amount
        .trim()
        .parse()
        .map_err(|_| Failure(format!("budget {text:?}: {amount:?} is not an amount")))?;
    Ok(BudgetSpec::new(amount, ResetPeriod::parse(period.trim())?)?)
}

/// `N/PERIOD`.
fn parse_limit(text: &str) -> Result<(u64, ResetPeriod), Failure> {
    let (max, period) = text
        .split_once('/')
        .ok_or_else(|| Failure(format!("limit {text:?}: expected N/PERIOD, like 60/1m")))?;
    let max: u64 = max
        .trim()
        .parse()
        .map_err(|_| Failure(format!("limit {text:?}: {max:?} is not a whole number")))?;
    Ok((max, ResetPeriod::parse(period.trim())?))
}

impl LimitArgs {
    /// The budgets given, if any.
    fn budget_specs(&self) -> Result<Option<BudgetSpecs>, Failure> {
        if self.budgets.is_empty() {
            return Ok(None);
        }
        let specs = self
            .budgets
            .iter()
            .map(|b| parse_budget(b))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(BudgetSpecs::try_from(specs)?))
    }

    /// The rate limit given, if any.
    fn rate_limit(&self) -> Result<Option<RateLimitSpec>, Failure> {
        if self.requests.is_none() && self.tokens.is_none() {
            return Ok(None);
        }
        let mut builder = RateLimitSpec::builder();
        if let Some(r) = &self.requests {
            let (max, period) = parse_limit(r)?;
            builder = builder.requests(max, period);
        }
        if let Some(t) = &self.tokens {
            let (max, period) = parse_limit(t)?;
            builder = builder.tokens(max, period);
        }
        Ok(Some(builder.build()?))
    }
}

/// Picks the one item whose name is `target`, or the one whose id is.
fn pick<T>(
    items: Vec<T>,
    target: &str,
    noun: &str,
    name: impl Fn(&T) -> &str,
    id: impl Fn(&T) -> &str,
) -> Result<T, Failure> {
    let (by_name, rest): (Vec<T>, Vec<T>) = items.into_iter().partition(|i| name(i) == target);
    match by_name.len() {
        1 => Ok(by_name.into_iter().next().expect("one")),
        0 => rest
            .into_iter()
            .find(|i| id(i) == target)
            .ok_or_else(|| Failure(format!("no {noun} named {target:?} (nor with that id)"))),
        n => Err(Failure(format!(
            "{n} {noun}s are named {target:?}; use the id of the one you mean"
        ))),
    }
}

/// A one-line summary of budgets: `$used/$max per period`.
fn budget_cells(
    budgets: &Option<Vec<bifrost_governance::types::Budget>>,
    single: &Option<bifrost_governance::types::Budget>,
) -> String {
    let list: Vec<&bifrost_governance::types::Budget> = match budgets.as_deref() {
        Some(list) if !list.is_empty() => list.iter().collect(),
        _ => single.iter().collect(),
    };
    list.iter()
        .map(|b| {
            format!(
                "{}/{} per {}",
                crate::output::usd(b.current_usage.unwrap_or_default()),
                crate::output::usd(b.max_limit.unwrap_or_default()),
                b.reset_duration.as_deref().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A one-line summary of a rate limit.
fn rate_limit_cell(limit: &Option<bifrost_governance::types::RateLimit>) -> String {
    let Some(r) = limit else { return String::new() };
    let mut parts = Vec::new();
    if let (Some(max), Some(period)) = (r.request_max_limit, &r.request_reset_duration) {
        parts.push(format!(
            "{}/{max} req per {period}",
            r.request_current_usage.unwrap_or(0)
        ));
    }
    if let (Some(max), Some(period)) = (r.token_max_limit, &r.token_reset_duration) {
        parts.push(format!(
            "{}/{max} tok per {period}",
            r.token_current_usage.unwrap_or(0)
        ));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_and_limit_flags_parse_through_the_sdk() {
        let b = parse_budget("10:1d").unwrap();
        assert_eq!((b.max_limit_usd(), b.period().as_str()), (10.0, "1d"));
        assert!(parse_budget("10").is_err());
        assert!(parse_budget("0:1d").is_err());
        assert!(parse_budget("5:1D").is_err());
        assert_eq!(parse_limit("60/1m").unwrap().0, 60);
        assert!(parse_limit("60").is_err());
    }

    #[test]
    fn names_win_over_ids_and_ambiguity_is_refused() {
        let items = vec![("a", "1"), ("b", "2"), ("b", "3")];
        let pick = |t: &str| pick(items.clone(), t, "team", |i| i.0, |i| i.1);
        assert_eq!(pick("a").unwrap(), ("a", "1"));
        assert_eq!(pick("2").unwrap(), ("b", "2"));
        assert!(pick("b").unwrap_err().0.contains("2 teams"));
        assert!(pick("zz").is_err());
    }
}
