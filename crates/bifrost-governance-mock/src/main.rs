//! `bifrost-governance-mock`: runs the fake Bifrost governance API.
//!
//! ```text
//! cargo run -p bifrost-governance-mock -- --port 8080 --api-key secret --seed seed.yaml
//! ```
//!
//! Prints the base URL on stdout once it accepts connections, then serves until killed.
#![deny(missing_docs)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use bifrost_governance_mock::{MockServer, Seed};
use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "bifrost-governance-mock",
    version,
    about = "Stateful fake of the Bifrost governance API"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Require `Authorization: Bearer <KEY>` on management routes.
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// Delay added to every request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Seconds a rotated key's previous value keeps working (0: none).
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    rotation_grace_secs: u64,
    /// Seed file (`.json`, `.yaml` or `.yml`) of customers, teams and virtual keys.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Version answered by `GET /api/version`; it selects the behaviour
    /// (`v1.5.0`–`v1.5.8`: Bifrost 1.5.2, `v2.*`: the newest v2). Default: the seed
    /// file's `server_version`, else the crate's default version.
    #[arg(long, value_name = "VERSION")]
    server_version: Option<String>,
    /// Reproducible ids, key values and timestamps (see `deterministic()`).
    #[arg(long)]
    deterministic: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = MockServer::builder()
        .bind(SocketAddr::new(args.host, args.port))
        .latency(Duration::from_millis(args.latency_ms))
        .rotation_grace(Duration::from_secs(args.rotation_grace_secs));
    if let Some(version) = args.server_version {
        builder = builder.version(version);
    }
    if args.deterministic {
        builder = builder.deterministic();
    }
    if let Some(key) = args.api_key {
        builder = builder.api_key(key);
    }
    if let Some(path) = &args.seed {
        match Seed::from_path(path) {
            Ok(seed) => builder = builder.seed(seed),
            Err(e) => {
                eprintln!("bifrost-governance-mock: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let server = match builder.try_start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("bifrost-governance-mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", server.base_url());
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
