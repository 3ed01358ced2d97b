//! The README's main job: a realistic governance flow end to end.
//!
//! ```text
//! cargo run --example quickstart                       # against an embedded fake Bifrost
//! BIFROST_BASE_URL=http://localhost:8080 \
//!   BIFROST_API_KEY=… cargo run --example quickstart   # against a real server
//! ```
//!
//! Creates a customer with a monthly budget, a team with a calendar-aligned budget,
//! a key with budgets, a rate limit and a provider config, a few hundred more keys;
//! lists them through the pagination stream; makes a safe update and a rotation;
//! cleans everything up and prints a summary.

use std::time::{Duration, Instant};

use bifrost_governance::resources::virtual_keys::ProviderConfigSpec;
use bifrost_governance::{BudgetSpec, BudgetSpecs, Capability, RateLimitSpec, ResetPeriod};
use comfy_table::Table;
use futures::{StreamExt, TryStreamExt, stream};
use indicatif::{ProgressBar, ProgressStyle};

mod common;

const EXTRA_KEYS: usize = 300;

struct Step {
    name: &'static str,
    detail: String,
    took: Duration,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _embedded) = common::connect().await?;
    let provider = std::env::var("BIFROST_QUICKSTART_PROVIDER").unwrap_or_else(|_| "openai".into());
    // Unique names, so repeated runs against a real server do not collide.
    let run = format!("qs-{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let mut steps = Vec::new();
    let mut timer = Instant::now();
    let mut done = |steps: &mut Vec<Step>, name, detail: String| {
        steps.push(Step {
            name,
            detail,
            took: timer.elapsed(),
        });
        timer = Instant::now();
    };

    let version = client.server_version().await?;
    done(&mut steps, "server version", version.to_string());

    let customer = client
        .customers()
        .create(format!("{run}-acme"))
        .budget(BudgetSpec::new(1_000.0, ResetPeriod::months(1))?)
        .send()
        .await?;
    done(
        &mut steps,
        "customer",
        format!("{} with a $1000/month budget", customer.name),
    );

    let team = client
        .teams()
        .create(format!("{run}-platform"))
        .assign_customer(&customer.id)
        .budget(BudgetSpec::new(500.0, ResetPeriod::months(1))?)
        .calendar_aligned(true)
        .send()
        .await?;
    done(
        &mut steps,
        "team",
        format!("{} with a calendar-aligned $500/month budget", team.name),
    );

    let checkout = client
        .virtual_keys()
        .create(format!("{run}-checkout"))
        .description("checkout service")
        .assign_team(&team.id)
        .budgets(BudgetSpecs::try_from([
            BudgetSpec::new(10.0, ResetPeriod::days(1))?,
            BudgetSpec::new(200.0, ResetPeriod::months(1))?,
        ])?)
        .rate_limit(
            RateLimitSpec::builder()
                .tokens(100_000, ResetPeriod::hours(1))
                .requests(60, ResetPeriod::minutes(1))
                .build()?,
        )
        .provider_config(ProviderConfigSpec::new(&provider).models(["gpt-4o", "gpt-4o-mini"]))
        .send()
        .await?;
    let first_value = checkout
        .value
        .clone()
        .ok_or("a created key carries its value")?;
    done(
        &mut steps,
        "virtual key",
        format!(
            "{} (value {first_value}), 2 budgets, rate limit, {provider}",
            checkout.name
        ),
    );

    // Creates are never retried by the SDK, so a bounded fan-out is safe.
    let keys = client.virtual_keys();
    let created: Vec<String> = stream::iter(0..EXTRA_KEYS)
        .map(|i| {
            let keys = keys.clone();
            let (team_id, name) = (team.id.clone(), format!("{run}-load-{i:04}"));
            async move {
                let budget = BudgetSpec::new(1.0 + i as f64 / 100.0, ResetPeriod::days(1))?;
                let key = keys
                    .create(name)
                    .assign_team(team_id)
                    .budget(budget)
                    .send()
                    .await?;
                Ok::<_, bifrost_governance::Error>(key.id)
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    done(
        &mut steps,
        "bulk create",
        format!("{} more keys in the team", created.len()),
    );

    let mut pages = client
        .virtual_keys()
        .list()
        .team_id(&team.id)
        .page_size(50)
        .concurrency(4)
        .pages();
    let bar =
        ProgressBar::new(0).with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} keys")?);
    let mut listed = 0u64;
    while let Some(page) = pages.try_next().await? {
        bar.set_length(page.total_count);
        listed += page.items.len() as u64;
        bar.inc(page.items.len() as u64);
    }
    bar.finish_and_clear();
    let report = pages.report();
    done(
        &mut steps,
        "list (paged)",
        format!(
            "{listed} keys in {} pages, collection changed: {}",
            report.pages,
            report.collection_changed()
        ),
    );

    let patched = client
        .virtual_keys()
        .patch(&checkout.id, |vk| {
            vk.description = "checkout service, EU region".into()
        })
        .await?;
    let kept = patched.team_id() == Some(team.id.as_str()) && patched.provider_configs().len() == 1;
    done(
        &mut steps,
        "safe update",
        format!("description changed; team and provider config kept: {kept}"),
    );

    if client.supports(Capability::KeyRotation).await? {
        let rotated = client.virtual_keys().rotate(&checkout.id).await?;
        let new_value = rotated
            .value
            .clone()
            .ok_or("a rotated key carries its value")?;
        let quota = client.virtual_keys().quota(&new_value).await?;
        let changed = new_value.expose_secret() != first_value.expose_secret();
        let old_refused = client
            .virtual_keys()
            .quota(&first_value)
            .await
            .is_err_and(|e| e.is_unauthorized());
        done(
            &mut steps,
            "rotation",
            format!(
                "new value differs: {changed}; quota for {:?} readable with it; old value refused: {old_refused}",
                quota.virtual_key_name.unwrap_or_default()
            ),
        );
    } else {
        let quota = client.virtual_keys().quota(&first_value).await?;
        done(
            &mut steps,
            "quota",
            format!(
                "{} budget(s) readable with the key itself; this server cannot rotate keys",
                quota.budgets.map_or(0, |b| b.len())
            ),
        );
    }

    let deleted = stream::iter(created.iter().chain([&checkout.id]))
        .map(|id| keys.delete(id))
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?
        .len();
    client.teams().delete(&team.id).await?;
    client.customers().delete(&customer.id).await?;
    done(
        &mut steps,
        "cleanup",
        format!("{deleted} keys, the team and the customer deleted"),
    );

    let mut table = Table::new();
    table.set_header(["step", "result", "took"]);
    for step in &steps {
        table.add_row([
            step.name.to_string(),
            step.detail.clone(),
            format!("{:.0?}", step.took),
        ]);
    }
    println!("{table}");
    Ok(())
}
