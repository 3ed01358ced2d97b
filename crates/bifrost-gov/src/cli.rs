//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;

/// Manage the governance of a Bifrost LLM gateway: keys, teams, customers, budgets
/// and limits, by hand or from a file kept in git (dump, validate, plan, apply).
///
/// Exit codes: 0 success (for `plan`: no changes), 1 error, 2 `plan` found changes.
#[derive(Debug, Parser)]
#[command(name = "bifrost-gov", version, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Bifrost's address.
    #[arg(
        long,
        env = "BIFROST_BASE_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    pub base_url: String,
    /// Management API key, sent as a Bearer token.
    #[arg(long, env = "BIFROST_API_KEY", hide_env_values = true, global = true)]
    pub api_key: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table, global = true)]
    pub output: Format,
    /// Print only results and errors (no progress, no notes).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log requests to standard error (-v requests, -vv details).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Virtual keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Teams.
    #[command(subcommand)]
    Teams(OwnerCommand),
    /// Customers.
    #[command(subcommand)]
    Customers(OwnerCommand),
    /// Model configs (per-model budgets and limits).
    #[command(subcommand, name = "model-configs")]
    ModelConfigs(ReadDeleteCommand),
    /// Provider governance (budgets and limits of whole providers).
    #[command(subcommand)]
    Providers(ProvidersCommand),
    /// Routing rules.
    #[command(subcommand, name = "routing-rules")]
    RoutingRules(ReadDeleteCommand),
    /// Pricing overrides.
    #[command(subcommand, name = "pricing-overrides")]
    PricingOverrides(ListDeleteCommand),
    /// Every budget row with its usage.
    Budgets,
    /// Every rate-limit row with its usage.
    RateLimits,
    /// Keys (or teams) by budget use, highest first.
    Spend(SpendArgs),
    /// This tool's and the server's versions.
    Version,
    /// Print the JSON Schema of the declarative file.
    Schema,
    /// Check a declarative file offline; every problem with its line and column.
    Validate(FileArg),
    /// Write the server's governance as a declarative file (deterministic).
    Dump(DumpArgs),
    /// Show what `apply` would change (exit 2 when something would).
    Plan(PlanArgs),
    /// Make the server match the file.
    Apply(ApplyArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// A declarative file.
#[derive(Debug, Args)]
pub struct FileArg {
    /// The file (`.yaml`, `.yml` or `.json`; `-` reads YAML from standard input).
    pub file: PathBuf,
}

/// Options of `dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Write here instead of standard output (`.json` writes JSON).
    #[arg(long, short = 'f')]
    pub file: Option<PathBuf>,
    /// The schema the file names for editors.
    #[arg(long, default_value = "./governance.schema.json")]
    pub schema_ref: String,
    /// Pages read at a time.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// Options of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The file.
    #[command(flatten)]
    pub file: FileArg,
    /// Also delete undeclared entities inside the file's `ownership`.
    #[arg(long)]
    pub prune: bool,
    /// Pages read at a time.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// Options of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The file and pruning.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Apply without asking (required without a terminal, e.g. in CI).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Write the values of created keys to this file (created with mode 0600).
    #[arg(long, value_name = "FILE")]
    pub secrets_out: Option<PathBuf>,
}

/// Options of `spend`.
#[derive(Debug, Args)]
pub struct SpendArgs {
    /// Rank teams instead of keys.
    #[arg(long)]
    pub teams: bool,
    /// How many to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u64,
}

/// `NAME|ID`.
#[derive(Debug, Args)]
pub struct Target {
    /// Name or id.
    pub target: String,
}

/// Budget and rate-limit options of creates and updates.
#[derive(Debug, Args, Default)]
pub struct LimitArgs {
    /// A budget, `AMOUNT:PERIOD` (e.g. `10:1d`, `200:1M`); repeat for several.
    #[arg(long = "budget", value_name = "AMOUNT:PERIOD")]
    pub budgets: Vec<String>,
    /// Requests per period, `N/PERIOD` (e.g. `60/1m`).
    #[arg(long, value_name = "N/PERIOD")]
    pub requests: Option<String>,
    /// Tokens per period, `N/PERIOD` (e.g. `100000/1h`).
    #[arg(long, value_name = "N/PERIOD")]
    pub tokens: Option<String>,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List keys.
    List {
        /// Only keys of this team (name or id).
        #[arg(long)]
        team: Option<String>,
        /// Only keys of this customer (name or id).
        #[arg(long)]
        customer: Option<String>,
        /// Only keys whose name contains this.
        #[arg(long)]
        search: Option<String>,
        /// Only enabled (`true`) or disabled (`false`) keys.
        #[arg(long)]
        active: Option<bool>,
    },
    /// Show one key.
    Get(Target),
    /// Create a key.
    Create {
        /// Name.
        name: String,
        /// Team (name or id).
        #[arg(long, conflicts_with = "customer")]
        team: Option<String>,
        /// Customer (name or id).
        #[arg(long)]
        customer: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Provider access, `PROVIDER` or `PROVIDER=MODEL,MODEL`; repeatable.
        #[arg(long = "provider", value_name = "PROVIDER[=MODELS]")]
        providers: Vec<String>,
        /// Budgets and rate limit.
        #[command(flatten)]
        limits: LimitArgs,
        /// Print the new key's value.
        #[arg(long)]
        show_secret: bool,
    },
    /// Change a key (read, edit, write back: nothing else is lost).
    Update {
        /// Name or id.
        target: String,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// Enable or disable.
        #[arg(long)]
        enabled: Option<bool>,
        /// Move to a team (name or id).
        #[arg(long, conflicts_with_all = ["customer", "unassign"])]
        team: Option<String>,
        /// Move to a customer (name or id).
        #[arg(long, conflicts_with = "unassign")]
        customer: Option<String>,
        /// Take out of its team or customer.
        #[arg(long)]
        unassign: bool,
        /// Replace the budgets and/or rate limit.
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Give a key a new value.
    Rotate {
        /// Name or id.
        target: String,
        /// Print the new value.
        #[arg(long)]
        show_secret: bool,
    },
    /// Delete a key.
    Delete(Target),
}

/// `teams` and `customers` subcommands.
#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// List them.
    List {
        /// Only names containing this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show one.
    Get(Target),
    /// Create one.
    Create {
        /// Name.
        name: String,
        /// (teams) The customer (name or id).
        #[arg(long)]
        customer: Option<String>,
        /// Budgets and rate limit.
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Change budgets, rate limit or (teams) customer.
    Update {
        /// Name or id.
        target: String,
        /// (teams) Move under this customer (name or id).
        #[arg(long)]
        customer: Option<String>,
        /// Budgets and rate limit (replaced when given).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Delete one.
    Delete(Target),
}

/// `model-configs` and `routing-rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReadDeleteCommand {
    /// List them.
    List,
    /// Show one by id.
    Get(Target),
    /// Delete one by id.
    Delete(Target),
}

/// `pricing-overrides` subcommands.
#[derive(Debug, Subcommand)]
pub enum ListDeleteCommand {
    /// List them.
    List,
    /// Delete one by id.
    Delete(Target),
}

/// `providers` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// List providers with governance.
    List,
    /// Remove a provider's budgets and rate limit.
    Delete(Target),
}
