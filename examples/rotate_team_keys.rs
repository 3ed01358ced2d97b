//! Rotate every key of a team at once: `cargo run --example rotate_team_keys [TEAM_ID]`.
//!
//! Uses the bulk rotation endpoint and reports per-key failures instead of stopping
//! at the first one. On the embedded fake it creates a team with three keys first.

mod common;

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, embedded) = common::connect().await?;
    let team_id = match (std::env::args().nth(1), &embedded) {
        (Some(id), _) => id,
        (None, Some(_)) => {
            let team = client.teams().create("rotation-demo").send().await?;
            for name in ["api", "worker", "cron"] {
                client
                    .virtual_keys()
                    .create(format!("rotation-demo-{name}"))
                    .assign_team(&team.id)
                    .send()
                    .await?;
            }
            team.id
        }
        (None, None) => return Err("pass the id of the team whose keys to rotate".into()),
    };

    let ids: Vec<String> = client
        .virtual_keys()
        .list()
        .team_id(&team_id)
        .items()
        .map_ok(|key| key.id)
        .try_collect()
        .await?;
    if ids.is_empty() {
        println!("team {team_id} has no keys");
        return Ok(());
    }
    let outcome = match client.virtual_keys().rotate_many(ids).await {
        Err(bifrost_governance::Error::Unsupported { .. }) => {
            // Refused before sending: this server version has no rotation.
            println!(
                "the server ({}) cannot rotate keys",
                client.server_version().await?
            );
            return Ok(());
        }
        other => other?,
    };
    for key in &outcome.rotated {
        // Values print redacted; hand them to your secret store with expose_secret().
        println!(
            "rotated {:<24} new value {}",
            key.name,
            key.value.clone().unwrap_or_default()
        );
    }
    for (id, reason) in &outcome.failures {
        println!("NOT rotated {id}: {reason}");
    }
    Ok(())
}
