//! `cargo xtask drift`: what an upstream OpenAPI description of the governance and
//! routing API has that `openapi.yaml` lacks, and the reverse.
//!
//! Both descriptions are flattened by [`model`] into operations (method and path
//! template, path parameter names ignored), query parameters, request and success
//! response fields as dotted paths (`provider_configs[].budgets[].max_limit`; `[]`
//! for array items, `{}` for map values), their types (nullability ignored) and their
//! enum values. Fields, parameters, types and enums are compared only for operations
//! both sides have; a field missing on one side is one item, its nested fields
//! counted in it, not listed; enum values are compared only where both sides declare
//! an enum (a plain string on one side is an open value set, as the SDK keeps
//! response enums). Differences listed in the [`allowlist`] are reported as allowed,
//! not as drift.

pub mod allowlist;
pub mod model;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;

use allowlist::{ALLOWLIST_PATH, Allowlist, Entry};
use model::{Field, Fields, Location, OpKey, Spec, Surface};

/// Usage text of the subcommand.
pub const USAGE: &str = "cargo xtask drift <upstream-openapi.{json,yaml}> [--allowlist FILE] \
[--ours FILE] [--format text|json]";

/// What kind of thing differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An operation (method and path).
    Operation,
    /// A query parameter of an operation.
    Query,
    /// A request body field.
    Request,
    /// A success response field.
    Response,
    /// An enum value of a parameter or field.
    Enum,
    /// The type of a parameter or field.
    Type,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 6] = [
        Kind::Operation,
        Kind::Query,
        Kind::Request,
        Kind::Response,
        Kind::Enum,
        Kind::Type,
    ];

    /// The kind's name, as the item text starts.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Operation => "operation",
            Kind::Query => "query",
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::Enum => "enum",
            Kind::Type => "type",
        }
    }
}

/// Which side has the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// Upstream has it, `openapi.yaml` lacks it.
    UpstreamOnly,
    /// `openapi.yaml` has it, upstream lacks it.
    OursOnly,
    /// Both have it, typed differently.
    Differs,
}

impl Side {
    /// `upstream-only`, `ours-only` or `differs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::UpstreamOnly => "upstream-only",
            Side::OursOnly => "ours-only",
            Side::Differs => "differs",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Item {
    /// What differs.
    pub kind: Kind,
    /// Which side has it.
    pub side: Side,
    /// The item text, e.g. `request POST /api/governance/teams budget.max_limit`;
    /// allowlist patterns match it.
    pub item: String,
    /// Extra facts (the two types of a type difference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Compares two flattened descriptions.
pub fn compare(upstream: &Surface, ours: &Surface) -> Vec<Item> {
    let mut items = Vec::new();
    for (key, op) in upstream {
        if !ours.contains_key(key) {
            items.push(operation_item(Side::UpstreamOnly, key, &op.template));
        }
    }
    for (key, ours_op) in ours {
        let Some(up_op) = upstream.get(key) else {
            items.push(operation_item(Side::OursOnly, key, &ours_op.template));
            continue;
        };
        let op = format!("{} {}", key.method, ours_op.template);
        for location in [Location::Query, Location::Request, Location::Response] {
            compare_fields(
                &op,
                location,
                up_op.fields(location),
                ours_op.fields(location),
                &mut items,
            );
        }
    }
    items.sort();
    items
}

fn operation_item(side: Side, key: &OpKey, template: &str) -> Item {
    Item {
        kind: Kind::Operation,
        side,
        item: format!("operation {} {template}", key.method),
        detail: None,
    }
}

fn compare_fields(op: &str, location: Location, up: &Fields, ours: &Fields, out: &mut Vec<Item>) {
    let presence = match location {
        Location::Query => Kind::Query,
        Location::Request => Kind::Request,
        Location::Response => Kind::Response,
    };
    let loc = location.as_str();
    // Array items (`[]`) and map values (`{}`) exist when their container does: they
    // carry types and enums, not presence. Query parameters are compared by name.
    let reported = |path: &str| {
        !path.ends_with([']', '}'])
            && (location != Location::Query || !path.contains(['[', '{', '.']))
    };
    for (side, have, lack) in [(Side::UpstreamOnly, up, ours), (Side::OursOnly, ours, up)] {
        let missing: BTreeSet<&str> = have
            .keys()
            .filter(|p| !lack.contains_key(*p))
            .map(String::as_str)
            .collect();
        for &path in &missing {
            // A field under a missing field is part of that one difference.
            if !reported(path) || ancestors(path).any(|a| missing.contains(a) && reported(a)) {
                continue;
            }
            let nested = missing
                .range(path..)
                .skip(1)
                .take_while(|q| q.starts_with(path))
                .filter(|q| reported(q) && ancestors(q).any(|a| a == path))
                .count();
            out.push(Item {
                kind: presence,
                side,
                item: format!("{} {op} {}", presence.as_str(), display_path(path)),
                detail: match nested {
                    0 => None,
                    1 => Some("with 1 nested field".to_string()),
                    n => Some(format!("with {n} nested fields")),
                },
            });
        }
    }
    for (path, up_field) in up {
        let Some(ours_field) = ours.get(path) else {
            continue;
        };
        let at = format!("{op} {loc}:{}", display_path(path));
        if up_field.types != ours_field.types {
            out.push(Item {
                kind: Kind::Type,
                side: Side::Differs,
                item: format!("type {at}"),
                detail: Some(format!(
                    "upstream {}, ours {}",
                    up_field.type_label(),
                    ours_field.type_label()
                )),
            });
        }
        compare_enums(&at, up_field, ours_field, out);
    }
}

/// The enclosing field paths of a path: `a.b[].c` has `a`, `a.b`, `a.b[]` and the
/// body itself (`""`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let cuts = path.match_indices(['.', '[', '{']).map(|(i, _)| i);
    let body = (!path.is_empty()).then_some(0);
    cuts.filter(|&i| i > 0).chain(body).map(move |i| &path[..i])
}

fn compare_enums(at: &str, up: &Field, ours: &Field, out: &mut Vec<Item>) {
    let (Some(up_values), Some(ours_values)) = (&up.enums, &ours.enums) else {
        return;
    };
    for (side, have, lack) in [
        (Side::UpstreamOnly, up_values, ours_values),
        (Side::OursOnly, ours_values, up_values),
    ] {
        for value in have.difference(lack) {
            out.push(Item {
                kind: Kind::Enum,
                side,
                item: format!("enum {at} {}", serde_json::Value::from(value.as_str())),
                detail: None,
            });
        }
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(body)" } else { path }
}

/// The outcome of a comparison after the allowlist.
#[derive(Debug, Clone)]
pub struct Report {
    /// Differences not covered by the allowlist.
    pub drift: Vec<Item>,
    /// Differences covered by the allowlist, with the entry that covers each.
    pub allowed: Vec<(Item, Entry)>,
    /// Allowlist entries that covered nothing.
    pub unused: Vec<Entry>,
}

impl Report {
    /// Splits the differences by the allowlist.
    pub fn new(items: Vec<Item>, allowlist: &Allowlist) -> Report {
        let mut used = BTreeSet::new();
        let mut drift = Vec::new();
        let mut allowed = Vec::new();
        for item in items {
            match allowlist.find(item.side, &item.item) {
                Some(i) => {
                    used.insert(i);
                    allowed.push((item, allowlist.allow[i].clone()));
                }
                None => drift.push(item),
            }
        }
        let unused = (0..allowlist.allow.len())
            .filter(|i| !used.contains(i))
            .map(|i| allowlist.allow[i].clone())
            .collect();
        Report {
            drift,
            allowed,
            unused,
        }
    }

    /// Drift counts per kind and side.
    pub fn counts(&self) -> BTreeMap<(Kind, Side), usize> {
        let mut counts = BTreeMap::new();
        for item in &self.drift {
            *counts.entry((item.kind, item.side)).or_insert(0) += 1;
        }
        counts
    }

    /// The one-line summary: counts per kind and direction.
    pub fn summary_line(&self) -> String {
        let counts = self.counts();
        let count = |kind, side| counts.get(&(kind, side)).copied().unwrap_or(0);
        let per_side = |side| {
            Kind::ALL
                .iter()
                .filter(|&&kind| kind != Kind::Type)
                .map(|&kind| format!("{} {}", kind.as_str(), count(kind, side)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "summary: upstream-only: {}; ours-only: {}; type differences {}; allowed {}; unused allowlist entries {}",
            per_side(Side::UpstreamOnly),
            per_side(Side::OursOnly),
            count(Kind::Type, Side::Differs),
            self.allowed.len(),
            self.unused.len()
        )
    }
}

/// Everything a rendering needs besides the report.
struct Sources<'a> {
    upstream: &'a Spec,
    ours: &'a Spec,
    upstream_ops: usize,
    ours_ops: usize,
    allowlist: Option<&'a Path>,
}

fn render_text(cx: &Sources, report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "drift: upstream {} (OpenAPI {}, {} operations) vs ours {} (OpenAPI {}, {} operations), paths under {}",
        cx.upstream.name,
        cx.upstream.version,
        cx.upstream_ops,
        cx.ours.name,
        cx.ours.version,
        cx.ours_ops,
        model::SCOPES.join(" and ")
    );
    for (side, heading) in [
        (Side::UpstreamOnly, "upstream has, ours lacks"),
        (Side::OursOnly, "ours has, upstream lacks"),
        (Side::Differs, "typed differently"),
    ] {
        let items: Vec<&Item> = report.drift.iter().filter(|i| i.side == side).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading} ({}):", items.len());
        for item in items {
            let _ = match &item.detail {
                Some(detail) => writeln!(out, "  {}  ({detail})", item.item),
                None => writeln!(out, "  {}", item.item),
            };
        }
    }
    if !report.allowed.is_empty() {
        let source = cx.allowlist.map(|p| p.display().to_string());
        let _ = writeln!(
            out,
            "\nallowed by {} ({}):",
            source.as_deref().unwrap_or("the allowlist"),
            report.allowed.len()
        );
        for (item, entry) in &report.allowed {
            let _ = writeln!(
                out,
                "  {} [{}]: {}",
                item.item,
                item.side.as_str(),
                entry.reason
            );
        }
    }
    let _ = writeln!(out, "\n{}", report.summary_line());
    out
}

fn render_json(cx: &Sources, report: &Report) -> String {
    let counts = report.counts();
    let mut summary = serde_json::Map::new();
    for kind in Kind::ALL {
        let sides: &[Side] = if kind == Kind::Type {
            &[Side::Differs]
        } else {
            &[Side::UpstreamOnly, Side::OursOnly]
        };
        let per_side: serde_json::Map<_, _> = sides
            .iter()
            .map(|&side| {
                let n = counts.get(&(kind, side)).copied().unwrap_or(0);
                (side.as_str().to_string(), json!(n))
            })
            .collect();
        summary.insert(kind.as_str().to_string(), per_side.into());
    }
    summary.insert("allowed".into(), json!(report.allowed.len()));
    summary.insert("unused_allowlist".into(), json!(report.unused.len()));
    let allowed: Vec<_> = report
        .allowed
        .iter()
        .map(|(item, entry)| {
            json!({"kind": item.kind, "side": item.side, "item": item.item, "reason": entry.reason})
        })
        .collect();
    let unused: Vec<_> = report
        .unused
        .iter()
        .map(|e| json!({"item": e.item, "side": e.side, "reason": e.reason}))
        .collect();
    let value = json!({
        "upstream": {"file": cx.upstream.name, "openapi": cx.upstream.version, "operations": cx.upstream_ops},
        "ours": {"file": cx.ours.name, "openapi": cx.ours.version, "operations": cx.ours_ops},
        "summary": summary,
        "drift": report.drift,
        "allowed": allowed,
        "unused_allowlist": unused,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Debug)]
struct Args {
    upstream: PathBuf,
    ours: PathBuf,
    allowlist: Option<PathBuf>,
    format: Format,
}

fn parse_args(args: &[&str], root: &Path) -> Result<Args> {
    let mut upstream = None;
    let mut ours = None;
    let mut allowlist = None;
    let mut format = Format::Text;
    let mut it = args.iter();
    while let Some(&arg) = it.next() {
        let mut value = |flag: &str| match it.next() {
            Some(v) => Ok(*v),
            None => bail!("{flag} needs a value"),
        };
        match arg {
            "--allowlist" => allowlist = Some(PathBuf::from(value(arg)?)),
            "--ours" => ours = Some(PathBuf::from(value(arg)?)),
            "--format" => {
                format = match value(arg)? {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    other => bail!("unknown format {other:?} (text or json)"),
                }
            }
            flag if flag.starts_with("--") => bail!("unknown option {flag}"),
            path if upstream.is_none() => upstream = Some(PathBuf::from(path)),
            extra => bail!("unexpected argument {extra:?}"),
        }
    }
    let Some(upstream) = upstream else {
        bail!("missing the upstream OpenAPI file");
    };
    // The committed allowlist applies unless another one is named.
    let allowlist = allowlist.or_else(|| {
        let default = root.join(ALLOWLIST_PATH);
        default.exists().then_some(default)
    });
    Ok(Args {
        upstream,
        ours: ours.unwrap_or_else(|| root.join(crate::SPEC_PATH)),
        allowlist,
        format,
    })
}

/// Runs the subcommand: 0 without drift outside the allowlist, 1 on drift, 2 on
/// usage and parse errors.
pub fn main(args: &[&str]) -> ExitCode {
    let root = crate::workspace_root();
    let args = match parse_args(args, &root) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\nusage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(clean) if clean => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<bool> {
    let upstream = Spec::read(&args.upstream)?;
    let ours = Spec::read(&args.ours)?;
    let allowlist = match &args.allowlist {
        Some(path) => Allowlist::read(path)?,
        None => Allowlist::default(),
    };
    let (up_surface, ours_surface) = (upstream.surface()?, ours.surface()?);
    let report = Report::new(compare(&up_surface, &ours_surface), &allowlist);
    let cx = Sources {
        upstream: &upstream,
        ours: &ours,
        upstream_ops: up_surface.len(),
        ours_ops: ours_surface.len(),
        allowlist: args.allowlist.as_deref(),
    };
    for entry in &report.unused {
        let side = entry.side.map(|s| format!(" [{}]", s.as_str()));
        eprintln!(
            "warning: unused allowlist entry {:?}{}: {}",
            entry.item,
            side.unwrap_or_default(),
            entry.reason
        );
    }
    print!(
        "{}",
        match args.format {
            Format::Text => render_text(&cx, &report),
            Format::Json => render_json(&cx, &report),
        }
    );
    Ok(report.drift.is_empty())
}
