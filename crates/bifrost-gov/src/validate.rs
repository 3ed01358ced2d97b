//! Offline checks of a file: types and syntax (by the parser), then the format
//! version, duplicate identities, references by name, ownership, and every
//! entity through the SDK's specs and builders. Each problem names its file, line
//! and column.

use std::collections::{BTreeSet, HashMap};

use bifrost_governance::Client;

use crate::file::*;
use crate::spec::{self, Placeholders, SpecError};

/// Reads and checks a file; every problem found (not only the first) is returned,
/// in file order.
pub fn validate(source: &Source) -> Result<GovernanceFile, Vec<Diagnostic>> {
    let file = source.parse().map_err(|d| vec![d])?;
    let mut problems = Problems::default();
    check_version(&file, &mut problems);
    check_duplicates(&file, &mut problems);
    check_references(&file, &mut problems);
    check_specs(&file, &mut problems);
    if problems.0.is_empty() {
        return Ok(file);
    }
    let mut diagnostics: Vec<Diagnostic> = problems
        .0
        .into_iter()
        .map(|(path, message)| source.at(&path, message))
        .collect();
    diagnostics.sort_by(|a, b| (a.line, a.column, &a.message).cmp(&(b.line, b.column, &b.message)));
    diagnostics.dedup();
    Err(diagnostics)
}

#[derive(Default)]
struct Problems(Vec<(Path, String)>);

impl Problems {
    fn add(&mut self, path: Path, message: impl Into<String>) {
        self.0.push((path, message.into()));
    }
}

fn check_version(file: &GovernanceFile, problems: &mut Problems) {
    if file.version != FORMAT_VERSION {
        problems.add(
            Path::root().key("version"),
            format!(
                "format version {} is not supported (this tool reads version {FORMAT_VERSION})",
                file.version
            ),
        );
    }
}

fn duplicates<T: Entity>(items: &[T], problems: &mut Problems) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(earlier) = first.insert(item.key(), i) {
            first.insert(item.key(), earlier);
            problems.add(
                Path::item(T::KIND.section(), i),
                format!(
                    "{} {:?} is declared twice (first as {}[{earlier}])",
                    T::KIND.noun(),
                    item.label(),
                    T::KIND.section()
                ),
            );
        }
    }
}

fn check_duplicates(file: &GovernanceFile, problems: &mut Problems) {
    duplicates(&file.customers, problems);
    duplicates(&file.teams, problems);
    duplicates(&file.virtual_keys, problems);
    duplicates(&file.model_configs, problems);
    duplicates(&file.providers, problems);
    duplicates(&file.routing_rules, problems);
    duplicates(&file.pricing_overrides, problems);
    for (i, key) in file.virtual_keys.iter().enumerate() {
        let path = Path::item("virtual_keys", i);
        repeated(
            key.provider_configs.iter().map(|p| p.provider.as_str()),
            &path.key("provider_configs"),
            "provider",
            problems,
        );
        repeated(
            key.mcp_configs.iter().map(|m| m.client.as_str()),
            &path.key("mcp_configs"),
            "MCP client",
            problems,
        );
    }
}

fn repeated<'a>(
    names: impl Iterator<Item = &'a str>,
    path: &Path,
    noun: &str,
    problems: &mut Problems,
) {
    let mut seen = BTreeSet::new();
    for (i, name) in names.enumerate() {
        if !seen.insert(name) {
            problems.add(path.index(i), format!("{noun} {name:?} is listed twice"));
        }
    }
}

/// The names a file may refer to: declared or external.
struct Known<'a> {
    customers: BTreeSet<&'a str>,
    teams: BTreeSet<&'a str>,
    keys: BTreeSet<&'a str>,
}

impl<'a> Known<'a> {
    fn of(file: &'a GovernanceFile) -> Self {
        let names = |declared: Vec<&'a str>, external: &'a [String]| {
            declared
                .into_iter()
                .chain(external.iter().map(String::as_str))
                .collect()
        };
        Self {
            customers: names(
                file.customers.iter().map(|c| c.name.as_str()).collect(),
                &file.external.customers,
            ),
            teams: names(
                file.teams.iter().map(|t| t.name.as_str()).collect(),
                &file.external.teams,
            ),
            keys: names(
                file.virtual_keys.iter().map(|k| k.name.as_str()).collect(),
                &file.external.virtual_keys,
            ),
        }
    }

    fn check(&self, noun: &str, name: &str, path: Path, problems: &mut Problems) {
        let known = match noun {
            "customer" => &self.customers,
            "team" => &self.teams,
            _ => &self.keys,
        };
        if !known.contains(name) {
            problems.add(
                path,
                format!(
                    "{noun} {name:?} is neither declared in this file nor listed under external.{}",
                    match noun {
                        "customer" => "customers",
                        "team" => "teams",
                        _ => "virtual_keys",
                    }
                ),
            );
        }
    }
}

fn check_references(file: &GovernanceFile, problems: &mut Problems) {
    let known = Known::of(file);
    for (i, team) in file.teams.iter().enumerate() {
        if let Some(c) = &team.customer {
            known.check(
                "customer",
                c,
                Path::item("teams", i).key("customer"),
                problems,
            );
        }
    }
    for (i, key) in file.virtual_keys.iter().enumerate() {
        let path = Path::item("virtual_keys", i);
        if let Some(t) = &key.team {
            known.check("team", t, path.key("team"), problems);
        }
        if let Some(c) = &key.customer {
            known.check("customer", c, path.key("customer"), problems);
        }
        if key.team.is_some() && key.customer.is_some() {
            problems.add(
                path.key("customer"),
                "a key belongs to a team or a customer, not both",
            );
        }
    }
    for (i, mc) in file.model_configs.iter().enumerate() {
        if let (None, Some(provider), "*") = (&mc.virtual_key, &mc.provider, mc.model.as_str()) {
            // v2 servers keep provider governance in exactly this config.
            problems.add(
                Path::item("model_configs", i).key("model"),
                format!(
                    "a global `*` config on {provider:?} is the provider's governance: \
                     declare it under providers"
                ),
            );
        }
        if let Some(k) = &mc.virtual_key {
            let path = Path::item("model_configs", i).key("virtual_key");
            known.check("virtual key", k, path, problems);
            if mc.model == "*" {
                // Servers hold a key's own limits in exactly this config, so it is
                // declared on the key, where every server version reads it.
                problems.add(
                    Path::item("model_configs", i).key("model"),
                    format!(
                        "a `*` config for key {k:?} is the key's own budgets and rate limit: \
                         declare them on the key (its budgets, or its provider_configs' for one provider)"
                    ),
                );
            }
        }
    }
    for (i, rule) in file.routing_rules.iter().enumerate() {
        let path = Path::item("routing_rules", i).key("scope");
        match rule.scope.target() {
            Ok(ScopeTarget::Team(n)) => known.check("team", n, path.key("team"), problems),
            Ok(ScopeTarget::Customer(n)) => {
                known.check("customer", n, path.key("customer"), problems)
            }
            Ok(ScopeTarget::VirtualKey(n)) => {
                known.check("virtual key", n, path.key("virtual_key"), problems)
            }
            Ok(ScopeTarget::Global | ScopeTarget::User(_)) => {}
            Err(e) => problems.add(path, e),
        }
    }
    for (i, po) in file.pricing_overrides.iter().enumerate() {
        if let Some(k) = po.scope.virtual_key() {
            let path = Path::item("pricing_overrides", i)
                .key("scope")
                .key("virtual_key");
            known.check("virtual key", k, path, problems);
        }
    }
    check_ownership(file, problems);
}

fn check_ownership(file: &GovernanceFile, problems: &mut Problems) {
    let declared = |names: &[String], items: Vec<&str>, section: &str, problems: &mut Problems| {
        for (i, name) in names.iter().enumerate() {
            if !items.contains(&name.as_str()) {
                problems.add(
                    Path::root().key("ownership").key(section).index(i),
                    format!("owned {section} must be declared in this file: {name:?} is not"),
                );
            }
        }
    };
    if let Some(own) = &file.ownership {
        let customers = file.customers.iter().map(|c| c.name.as_str()).collect();
        declared(&own.customers, customers, "customers", problems);
        let teams = file.teams.iter().map(|t| t.name.as_str()).collect();
        declared(&own.teams, teams, "teams", problems);
        for (i, prefix) in own.name_prefixes.iter().enumerate() {
            if prefix.is_empty() {
                problems.add(
                    Path::root().key("ownership").key("name_prefixes").index(i),
                    "an empty prefix would own every name",
                );
            }
        }
    }
    let external = &file.external;
    let both = |listed: &[String], declared: Vec<&str>, section: &str, problems: &mut Problems| {
        for (i, name) in listed.iter().enumerate() {
            if declared.contains(&name.as_str()) {
                problems.add(
                    Path::root().key("external").key(section).index(i),
                    format!("{name:?} is both declared and listed as external"),
                );
            }
        }
    };
    both(
        &external.customers,
        file.customers.iter().map(|c| c.name.as_str()).collect(),
        "customers",
        problems,
    );
    both(
        &external.teams,
        file.teams.iter().map(|t| t.name.as_str()).collect(),
        "teams",
        problems,
    );
    both(
        &external.virtual_keys,
        file.virtual_keys.iter().map(|k| k.name.as_str()).collect(),
        "virtual_keys",
        problems,
    );
}

fn ok<T>(result: Result<T, SpecError>) -> Result<(), SpecError> {
    result.map(|_| ())
}

/// The budget and rate-limit problems of one owner, each on its own (the builders
/// stop at the first).
fn limit_problems(
    budgets: &[BudgetDecl],
    rate_limit: &Option<RateLimitDecl>,
    base: &Path,
    problems: &mut Problems,
) -> bool {
    let mut found = false;
    let mut add = |e: SpecError| {
        let mut path = base.clone();
        path.0.extend(e.path.0);
        problems.add(path, e.message);
        found = true;
    };
    if let Err(e) = spec::budget_specs(budgets, &Path::root().key("budgets")) {
        add(e);
    }
    if let Some(limit) = rate_limit
        && let Err(e) = spec::rate_limit_spec(limit, &Path::root().key("rate_limit"))
    {
        add(e);
    }
    found
}

/// Every budget and rate limit of the file, each problem on its own; returns the
/// entities (by section and index) that had one.
fn all_limit_problems(
    file: &GovernanceFile,
    problems: &mut Problems,
) -> BTreeSet<(&'static str, usize)> {
    let mut failed = BTreeSet::new();
    let mut check = |section: &'static str,
                     i: usize,
                     b: &[BudgetDecl],
                     r: &Option<RateLimitDecl>,
                     sub: Option<Path>| {
        let base = Path::item(section, i);
        let base = match sub {
            Some(sub) => Path(base.0.into_iter().chain(sub.0).collect()),
            None => base,
        };
        if limit_problems(b, r, &base, problems) {
            failed.insert((section, i));
        }
    };
    for (i, d) in file.customers.iter().enumerate() {
        check("customers", i, &d.budgets, &d.rate_limit, None);
    }
    for (i, d) in file.teams.iter().enumerate() {
        check("teams", i, &d.budgets, &d.rate_limit, None);
    }
    for (i, d) in file.virtual_keys.iter().enumerate() {
        check("virtual_keys", i, &d.budgets, &d.rate_limit, None);
        for (j, pc) in d.provider_configs.iter().enumerate() {
            let sub = Path::root().key("provider_configs").index(j);
            check("virtual_keys", i, &pc.budgets, &pc.rate_limit, Some(sub));
        }
    }
    for (i, d) in file.model_configs.iter().enumerate() {
        check("model_configs", i, &d.budgets, &d.rate_limit, None);
    }
    for (i, d) in file.providers.iter().enumerate() {
        check("providers", i, &d.budgets, &d.rate_limit, None);
    }
    failed
}

fn check_specs(file: &GovernanceFile, problems: &mut Problems) {
    let client = match Client::builder().build() {
        Ok(client) => client,
        Err(e) => {
            problems.add(Path::root(), format!("cannot build the SDK client: {e}"));
            return;
        }
    };
    let ids = Placeholders;
    let reported = all_limit_problems(file, problems);
    let mut each = |section: &'static str, results: Vec<Result<(), SpecError>>| {
        for (i, result) in results.into_iter().enumerate() {
            if reported.contains(&(section, i)) {
                continue;
            }
            if let Err(e) = result {
                let mut path = Path::item(section, i);
                path.0.extend(e.path.0);
                problems.add(path, e.message);
            }
        }
    };
    each(
        "customers",
        file.customers
            .iter()
            .map(|d| ok(spec::create_customer(&client, d)))
            .collect(),
    );
    each(
        "teams",
        file.teams
            .iter()
            .map(|d| ok(spec::create_team(&client, d, &ids)))
            .collect(),
    );
    each(
        "virtual_keys",
        file.virtual_keys
            .iter()
            .map(|d| {
                // An expiry in the past is refused only when it is sent (it may be
                // unchanged on the server); here a stand-in in the future is checked.
                let mut d = d.clone();
                d.expires_at = d
                    .expires_at
                    .map(|_| chrono::Utc::now() + chrono::Duration::days(1));
                ok(spec::create_key(&client, &d, &ids))
            })
            .collect(),
    );
    each(
        "model_configs",
        file.model_configs
            .iter()
            .map(|d| ok(spec::create_model_config(&client, d, &ids)))
            .collect(),
    );
    each(
        "providers",
        file.providers
            .iter()
            .map(|d| ok(spec::provider_update(&client, d)))
            .collect(),
    );
    each(
        "routing_rules",
        file.routing_rules
            .iter()
            .map(|d| ok(spec::create_routing_rule(&client, d, &ids)))
            .collect(),
    );
    each(
        "pricing_overrides",
        file.pricing_overrides
            .iter()
            .map(|d| ok(spec::create_pricing_override(&client, d, &ids)))
            .collect(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match validate(&Source::from_text("g.yaml", text, false)) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_valid_file_passes() {
        let text = "version: 1\ncustomers:\n  - name: Acme\nteams:\n  - name: platform\n    customer: Acme\nvirtual_keys:\n  - name: checkout\n    team: platform\n    budgets:\n      - {max_limit: 10, reset_duration: 1d}\n    provider_configs:\n      - provider: openai\n";
        assert_eq!(problems(text), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = "version: 1\nteams:\n  - name: platform\n    customer: Nobody\n  - name: platform\nvirtual_keys:\n  - name: checkout\n    team: platform\n    budgets:\n      - {max_limit: 10, reset_duration: 1d}\n      - {max_limit: 20, reset_duration: 24h}\n";
        let found = problems(text);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0].starts_with("g.yaml:4:15: customer \"Nobody\""),
            "{found:#?}"
        );
        assert!(
            found[1].starts_with("g.yaml:5:5: team \"platform\" is declared twice"),
            "{found:#?}"
        );
        assert!(found[2].starts_with("g.yaml:11:41: "), "{found:#?}");
        assert!(found[2].contains("same period"), "{found:#?}");
    }
}
