//! `bifrost-gov`: the command-line tool for the Bifrost governance API.
//!
//! Everyday commands over the SDK (`keys`, `teams`, …) and the declarative workflow:
//! `dump` the live server into a file, `validate` it offline, `plan` the changes,
//! `apply` them. The binary is a thin `main` over [`run`]; the library exposes the
//! engine ([`live`], [`observe`], [`plan`], [`apply`]) for benchmarks and tests.
//!
//! Exit codes: 0 success (for `plan`: nothing to change), 1 error, 2 `plan` found
//! changes.
#![deny(missing_docs)]

pub mod apply;
mod cli;
mod commands;
pub mod file;
pub mod live;
pub mod observe;
pub mod output;
pub mod plan;
pub mod render;
pub mod schema;
pub mod spec;
pub mod validate;

use std::process::ExitCode;

use clap::Parser;

pub use commands::declarative_render_file as render_file;

/// Parses the command line, runs the command and returns its exit code (errors
/// are printed to standard error as `error: …`).
pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(code) => code,
        Err(commands::Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(verbose: u8) {
    let filter = match verbose {
        0 => return,
        1 => "bifrost_governance=info,bifrost_gov=info",
        _ => "bifrost_governance=debug,bifrost_gov=debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}
