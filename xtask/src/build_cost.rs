//! `cargo xtask build-cost`: cold debug builds of the SDK and of a floor crate
//! (`xtask/floor`: reqwest with the same features, serde, serde_json, tokio) back to
//! back, each in a fresh target directory, for several rounds; then the README's
//! main job, `cargo run --example quickstart`, from a fresh target directory.
//!
//! Prints every round (with the load average, since the machine may be shared) and
//! the medians. Downloads are not timed: dependencies are fetched first.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// Usage line of the command.
pub const USAGE: &str = "cargo xtask build-cost [--rounds N] [--no-job] [--root DIR]";

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rounds of floor + SDK builds.
    pub rounds: usize,
    /// Also time the README's main job (`cargo run --example quickstart`).
    pub job: bool,
    /// Workspace to measure (default: this one).
    pub root: PathBuf,
}

impl Options {
    /// Reads `--rounds N`, `--no-job` and `--root DIR`.
    pub fn parse(args: &[&str], default_root: PathBuf) -> Result<Self> {
        let mut options = Options {
            rounds: 3,
            job: true,
            root: default_root,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--rounds" => {
                    let n = args.next().context("--rounds needs a number")?;
                    options.rounds = n.parse().context("--rounds needs a number")?;
                    if options.rounds == 0 {
                        bail!("--rounds must be at least 1");
                    }
                }
                "--no-job" => options.job = false,
                "--root" => {
                    options.root = PathBuf::from(args.next().context("--root needs a directory")?)
                }
                other => bail!("unknown argument {other:?}\nusage: {USAGE}"),
            }
        }
        Ok(options)
    }
}

/// The two packages compared, floor first.
const FLOOR: &str = "bifrost-governance-floor";
const SDK: &str = "bifrost-governance";

/// Runs the measurement and prints the report.
pub fn run(options: &Options) -> Result<()> {
    let scratch = std::env::temp_dir().join("bifrost-build-cost");
    cargo(&options.root, None, &["fetch", "--quiet"]).context("cargo fetch")?;
    println!(
        "cold debug builds, fresh target dir each, {} round(s); load average before: {}",
        options.rounds,
        load_average()
    );
    println!(
        "{:>5}  {:>9}  {:>9}  {:>6}  load after",
        "round", "floor", "sdk", "ratio"
    );
    let (mut floors, mut sdks, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=options.rounds {
        let floor = cold(
            options,
            &scratch,
            &["build", "--quiet", "--lib", "-p", FLOOR],
        )?;
        let sdk = cold(options, &scratch, &["build", "--quiet", "--lib", "-p", SDK])?;
        println!(
            "{round:>5}  {floor:>8.1}s  {sdk:>8.1}s  {:>6.3}  {}",
            sdk / floor,
            load_average()
        );
        floors.push(floor);
        sdks.push(sdk);
        ratios.push(sdk / floor);
    }
    println!(
        "median  {:>8.1}s  {:>8.1}s  {:>6.3}  (ratio: median of the rounds' ratios)",
        median(&mut floors),
        median(&mut sdks),
        median(&mut ratios)
    );
    if options.job {
        // Build and run, as a user types it; the example's own run takes about a second.
        let job = cold(
            options,
            &scratch,
            &["run", "--quiet", "--example", "quickstart"],
        )?;
        println!(
            "README main job `cargo run --example quickstart`, cold: {job:.1}s; load after: {}",
            load_average()
        );
    }
    Ok(())
}

/// Wall time of one cargo command in a new, empty target directory.
fn cold(options: &Options, scratch: &Path, args: &[&str]) -> Result<f64> {
    let target = scratch.join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("removing {}", target.display()))?;
    }
    let started = Instant::now();
    cargo(&options.root, Some(&target), args)?;
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&target).ok();
    Ok(seconds)
}

fn cargo(root: &Path, target: Option<&Path>, args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(args).stdout(Stdio::null());
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let status = command
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// The 1-, 5- and 15-minute load averages (Linux), or "?".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_reject() {
        let root = PathBuf::from("/w");
        let o = Options::parse(&["--rounds", "5", "--no-job"], root.clone()).unwrap();
        assert_eq!((o.rounds, o.job, o.root.clone()), (5, false, root.clone()));
        let o = Options::parse(&[], root.clone()).unwrap();
        assert_eq!((o.rounds, o.job), (3, true));
        assert!(Options::parse(&["--rounds", "0"], root.clone()).is_err());
        assert!(Options::parse(&["--rounds"], root.clone()).is_err());
        assert!(Options::parse(&["--fast"], root).is_err());
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
