//! `schema`, `validate`, `dump`, `plan`, `apply`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use bifrost_governance::Client;
use serde_json::json;

use super::{CHANGES_PENDING, Failure, Outcome};
use crate::apply::{ApplyOptions, SecretsOut};
use crate::cli::{ApplyArgs, DumpArgs, FileArg, Global, PlanArgs};
use crate::file::{GovernanceFile, Source};
use crate::live::LiveState;
use crate::observe::{ObservedState, observe};
use crate::output::{self, Format};
use crate::plan::Plan;
use crate::{render, schema};

/// `schema`.
pub fn schema() -> Outcome {
    print!("{}", schema::schema_json());
    Ok(ExitCode::SUCCESS)
}

/// Reads and checks a file; problems are printed (JSON with `-o json`).
fn load(g: &Global, args: &FileArg) -> Result<GovernanceFile, Failure> {
    let source = Source::read(&args.file).map_err(|d| Failure(d.to_string()))?;
    crate::validate::validate(&source).map_err(|problems| {
        if g.output == Format::Json {
            let list: Vec<_> = problems
                .iter()
                .map(|d| json!({"file": d.file, "line": d.line, "column": d.column, "message": d.message}))
                .collect();
            output::print_data(&json!({"valid": false, "problems": list}), Format::Json);
        }
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Failure(format!(
            "{} problem(s) in {}:\n{}",
            problems.len(),
            args.file.display(),
            text.join("\n")
        ))
    })
}

/// `validate FILE`.
pub fn validate(g: &Global, args: &FileArg) -> Outcome {
    let file = load(g, args)?;
    match g.output {
        Format::Table if !g.quiet => println!(
            "{}: valid ({} customers, {} teams, {} keys, {} model configs, {} providers, {} routing rules, {} pricing overrides)",
            args.file.display(),
            file.customers.len(),
            file.teams.len(),
            file.virtual_keys.len(),
            file.model_configs.len(),
            file.providers.len(),
            file.routing_rules.len(),
            file.pricing_overrides.len()
        ),
        Format::Table => {}
        format => output::print_data(&json!({"valid": true, "problems": []}), format),
    }
    Ok(ExitCode::SUCCESS)
}

async fn observed(
    client: &Client,
    concurrency: usize,
) -> Result<(LiveState, ObservedState), Failure> {
    let live = LiveState::fetch(client, concurrency).await?;
    let observed = observe(&live)?;
    Ok((live, observed))
}

/// The file as text: YAML with the editor's schema line, or JSON with `$schema`.
pub fn render_file(
    observed: &ObservedState,
    json: bool,
    schema_ref: &str,
) -> Result<String, Failure> {
    if json {
        let file = observed.to_file(Some(schema_ref.to_string()));
        Ok(serde_json::to_string_pretty(&file)? + "\n")
    } else {
        let file = observed.to_file(None);
        let body = serde_norway::to_string(&file)?;
        Ok(format!(
            "# yaml-language-server: $schema={schema_ref}\n{body}"
        ))
    }
}

/// `dump`.
pub async fn dump(client: &Client, g: &Global, args: &DumpArgs) -> Outcome {
    let (_, observed) = observed(client, args.concurrency).await?;
    let json = g.output == Format::Json
        || args
            .file
            .as_ref()
            .and_then(|f| f.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = render_file(&observed, json, &args.schema_ref)?;
    match &args.file {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            if !g.quiet {
                eprintln!("wrote {}", path.display());
            }
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn make_plan(
    client: &Client,
    g: &Global,
    args: &PlanArgs,
) -> Result<(LiveState, ObservedState, Plan), Failure> {
    let file = load(g, &args.file)?;
    let (live, observed) = observed(client, args.concurrency).await?;
    let plan = Plan::compute(&file, &observed, args.prune)?;
    Ok((live, observed, plan))
}

fn print_plan(plan: &Plan, g: &Global) {
    match g.output {
        Format::Table if g.quiet => println!("{}", render::summary(&plan.summary)),
        Format::Table => print!("{}", render::plan(plan)),
        format => output::print_data(&serde_json::to_value(plan).unwrap_or_default(), format),
    }
}

/// `plan FILE`: exit 2 when there are changes.
pub async fn plan(client: &Client, g: &Global, args: &PlanArgs) -> Outcome {
    let (_, _, plan) = make_plan(client, g, args).await?;
    print_plan(&plan, g);
    Ok(if plan.summary.has_changes() {
        ExitCode::from(CHANGES_PENDING)
    } else {
        ExitCode::SUCCESS
    })
}

/// Asks on the terminal; refuses when there is none (use `--yes`).
fn confirm(client: &Client, plan: &Plan) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure(
            "refusing to apply without confirmation: there is no terminal to ask on; \
             review the plan and pass --yes (e.g. in CI)"
                .into(),
        ));
    }
    let s = &plan.summary;
    eprint!(
        "Apply {} create(s), {} update(s), {} delete(s) to {}? [y/N] ",
        s.create,
        s.update,
        s.delete,
        client.base_url()
    );
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// `apply FILE`.
pub async fn apply(client: &Client, g: &Global, args: &ApplyArgs) -> Outcome {
    let (live, observed, plan) = make_plan(client, g, &args.plan).await?;
    if !plan.summary.has_changes() {
        if g.output == Format::Table && !g.quiet {
            println!("No changes. {}", render::summary(&plan.summary));
        } else if g.output != Format::Table {
            output::print_data(
                &json!({"plan": plan, "report": crate::apply::Report::default()}),
                g.output,
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if g.output == Format::Table {
        print_plan(&plan, g);
    }
    if !args.yes && !confirm(client, &plan)? {
        eprintln!("Nothing applied.");
        return Ok(ExitCode::FAILURE);
    }
    let secrets = args
        .secrets_out
        .as_deref()
        .map(SecretsOut::create)
        .transpose()
        .map_err(|e| Failure(format!("secrets file: {e}")))?;
    let options = ApplyOptions {
        concurrency: args.plan.concurrency,
        progress: !g.quiet && std::io::stderr().is_terminal(),
        secrets,
    };
    let report = crate::apply::apply(client, &live, &observed, &plan, &options).await;
    match g.output {
        Format::Table => print!("{}", render::report(&report, g.verbose > 0)),
        format => output::print_data(&json!({"plan": plan, "report": report}), format),
    }
    if !g.quiet && report.keys_created > 0 {
        match &options.secrets {
            Some(out) => eprintln!(
                "note: the values of {} new key(s) are in {} (mode 0600)",
                report.secrets_written,
                out.path().display()
            ),
            None => eprintln!(
                "note: {} key(s) were created; their values were not kept (pass --secrets-out FILE, \
                 or rotate a key with `bifrost-gov keys rotate NAME --show-secret`)",
                report.keys_created
            ),
        }
    }
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
