//! Plans and apply reports as text for people (JSON for machines is their
//! `Serialize` form).

use std::fmt::Write;

use serde_json::Value;

use crate::apply::{Report, Step};
use crate::file::Kind;
use crate::plan::{Action, Plan, Summary};

fn sign(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Unchanged => "=",
        Action::Unmanaged => "?",
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

/// The summary line.
pub fn summary(s: &Summary) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged, {} unmanaged (left alone).",
        s.create, s.update, s.delete, s.unchanged, s.unmanaged
    )
}

/// The plan: changes per kind with their fields, unmanaged entities, the summary.
pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    for kind in Kind::ALL {
        let changes: Vec<_> = plan
            .changes
            .iter()
            .filter(|c| c.kind == kind)
            .filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Delete))
            .collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", kind.section());
        for change in changes {
            let _ = writeln!(out, "  {} {}", sign(change.action), change.label);
            for f in &change.fields {
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    f.path,
                    value(&f.before),
                    value(&f.after)
                );
            }
        }
    }
    let unmanaged: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Unmanaged)
        .collect();
    if !unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "unmanaged (on the server, not in the file; left alone):"
        );
        for c in unmanaged {
            let _ = writeln!(out, "  ? {} {}", c.kind.noun(), c.label);
        }
    }
    let _ = writeln!(out, "{}", summary(&plan.summary));
    out
}

fn steps(out: &mut String, title: &str, steps: &[Step]) {
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}");
    for s in steps {
        let verb = match s.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Unchanged | Action::Unmanaged => "none",
        };
        match &s.error {
            Some(e) => {
                let _ = writeln!(out, "  {verb} {} {}: {e}", s.kind.noun(), s.label);
            }
            None => {
                let _ = writeln!(out, "  {verb} {} {}", s.kind.noun(), s.label);
            }
        }
    }
}

/// The apply report: done, failed, not run.
pub fn report(report: &Report, verbose_done: bool) -> String {
    let mut out = String::new();
    let count = |a: Action| report.done.iter().filter(|s| s.action == a).count();
    if verbose_done || !report.complete() {
        steps(&mut out, "done:", &report.done);
    }
    steps(&mut out, "FAILED:", &report.failed);
    steps(
        &mut out,
        "not run (stopped after the failure):",
        &report.not_run,
    );
    let _ = writeln!(
        out,
        "Applied: {} created, {} updated, {} deleted{}.",
        count(Action::Create),
        count(Action::Update),
        count(Action::Delete),
        if report.complete() {
            String::new()
        } else {
            format!(
                "; {} failed, {} not run — fix the cause and run apply again: it continues from where the server is",
                report.failed.len(),
                report.not_run.len()
            )
        }
    );
    out
}
