//! Carrying out a plan: creates and updates tier by tier in dependency order
//! (customers, teams, keys, model configs and providers, routing rules, pricing
//! overrides), then deletes in reverse; within a tier up to `concurrency`
//! operations at a time. The first failure stops the run: operations in flight
//! finish, nothing new starts, and the report says what was done, what failed and
//! what did not run. Since identities are names, running again converges.

mod ops;
mod secrets;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use bifrost_governance::Client;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::file::Kind;
use crate::live::LiveState;
use crate::observe::ObservedState;
use crate::plan::{Action, Change, Plan};

pub use ops::Resolved;
pub use secrets::SecretsOut;

/// How to apply.
#[derive(Debug)]
pub struct ApplyOptions {
    /// Operations at a time within a tier (1: one at a time).
    pub concurrency: usize,
    /// Show a progress bar (on standard error).
    pub progress: bool,
    /// Where the values of created keys go; without it they are not kept.
    pub secrets: Option<SecretsOut>,
}

/// One operation of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Kind of entity.
    pub kind: Kind,
    /// Its label.
    pub label: String,
    /// What was (to be) done.
    pub action: Action,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Done.
    pub done: Vec<Step>,
    /// Failed (their effect on the server may be unknown: run `plan` to see).
    pub failed: Vec<Step>,
    /// Not started because of a failure.
    pub not_run: Vec<Step>,
    /// Keys created.
    pub keys_created: usize,
    /// Values of created keys written to the secrets file.
    pub secrets_written: usize,
}

impl Report {
    /// Whether everything was done.
    pub fn complete(&self) -> bool {
        self.failed.is_empty() && self.not_run.is_empty()
    }
}

fn step(change: &Change, error: Option<String>) -> Step {
    Step {
        kind: change.kind,
        label: change.label.clone(),
        action: change.action,
        error,
    }
}

/// The ids the server already has, by name.
fn resolved(observed: &ObservedState) -> Resolved {
    fn map<T: crate::file::Entity>(
        items: &[crate::observe::Observed<T>],
    ) -> HashMap<String, String> {
        items.iter().map(|o| (o.decl.key(), o.id.clone())).collect()
    }
    Resolved {
        customers: map(&observed.customers),
        teams: map(&observed.teams),
        keys: map(&observed.keys),
    }
}

/// The changes of one pass, grouped by tier (creates and updates in dependency
/// order, deletes in reverse).
fn tiers(plan: &Plan) -> Vec<Vec<&Change>> {
    let mut forward: Vec<Vec<&Change>> = vec![Vec::new(); 6];
    let mut backward: Vec<Vec<&Change>> = vec![Vec::new(); 6];
    for change in &plan.changes {
        let tier = usize::from(change.kind.tier());
        match change.action {
            Action::Create | Action::Update => forward[tier].push(change),
            Action::Delete => backward[tier].push(change),
            Action::Unchanged | Action::Unmanaged => {}
        }
    }
    backward.reverse();
    forward
        .into_iter()
        .chain(backward)
        .filter(|t| !t.is_empty())
        .collect()
}

fn progress_bar(total: usize, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

struct Outcome {
    result: Result<ops::Done, String>,
    written: bool,
}

/// Applies `plan` (made from `live`, as `observed`) to the server.
pub async fn apply(
    client: &Client,
    live: &LiveState,
    observed: &ObservedState,
    plan: &Plan,
    options: &ApplyOptions,
) -> Report {
    let mut ids = resolved(observed);
    let keys = live.keys.iter().map(|k| (k.id.as_str(), k)).collect();
    let tiers = tiers(plan);
    let total = tiers.iter().map(Vec::len).sum();
    let bar = progress_bar(total, options.progress);
    let stop = AtomicBool::new(false);
    let mut report = Report::default();
    for (t, tier) in tiers.iter().enumerate() {
        let ctx = ops::Context {
            client,
            desired: &plan.desired,
            observed,
            keys: &keys,
            ids: &ids,
        };
        let outcomes: Vec<(&Change, Option<Outcome>)> = futures::stream::iter(tier)
            .map(|change| {
                let (ctx, stop, bar) = (&ctx, &stop, &bar);
                async move {
                    if stop.load(Ordering::SeqCst) {
                        return (*change, None);
                    }
                    bar.set_message(format!("{} {}", change.kind.noun(), change.label));
                    let result = ops::run(ctx, change).await;
                    if result.is_err() {
                        stop.store(true, Ordering::SeqCst);
                    }
                    // A new key's value is kept at once: a later failure or an
                    // interruption must not lose it.
                    let written = match (&result, &options.secrets) {
                        (
                            Ok(ops::Done {
                                secret: Some(value),
                                ..
                            }),
                            Some(out),
                        ) => out.write(&change.label, value).is_ok(),
                        _ => false,
                    };
                    bar.inc(1);
                    (*change, Some(Outcome { result, written }))
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        let mut created = Vec::new();
        for (change, outcome) in outcomes {
            match outcome {
                None => report.not_run.push(step(change, None)),
                Some(Outcome { result: Err(e), .. }) => report.failed.push(step(change, Some(e))),
                Some(Outcome {
                    result: Ok(done),
                    written,
                }) => {
                    if let Some(id) = done.created_id {
                        created.push((change.kind, change.label.clone(), id));
                    }
                    report.keys_created += usize::from(done.secret.is_some());
                    report.secrets_written += usize::from(written);
                    report.done.push(step(change, None));
                }
            }
        }
        for (kind, name, id) in created {
            let map = match kind {
                Kind::Customer => &mut ids.customers,
                Kind::Team => &mut ids.teams,
                Kind::VirtualKey => &mut ids.keys,
                _ => continue,
            };
            map.insert(name, id);
        }
        if stop.load(Ordering::SeqCst) {
            // Later tiers never start after a failure.
            let rest = tiers[t + 1..].iter().flatten();
            report.not_run.extend(rest.map(|c| step(c, None)));
            break;
        }
    }
    bar.finish_and_clear();
    report
}
