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
        "{:>6}  {:>8}  {:>8}  {:>6}  {:>9}  {:>9}  load after",
        "round", "floor", "sdk", "ratio", "floor cpu", "sdk cpu"
    );
    let (mut floors, mut sdks, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=options.rounds {
        let floor = cold(
            options,
            &scratch,
            &["build", "--quiet", "--lib", "-p", FLOOR],
        )?;
        let sdk = cold(options, &scratch, &["build", "--quiet", "--lib", "-p", SDK])?;
        let ratio = sdk.wall / floor.wall;
        println!(
            "{round:>6}  {:>7.1}s  {:>7.1}s  {ratio:>6.3}  {:>9}  {:>9}  {}",
            floor.wall,
            sdk.wall,
            floor.cpu_text(),
            sdk.cpu_text(),
            load_average()
        );
        floors.push(floor.wall);
        sdks.push(sdk.wall);
        ratios.push(ratio);
    }
    println!(
        "{:>6}  {:>7.1}s  {:>7.1}s  {:>6.3}  (wall times; ratio: median of the rounds' ratios)",
        "median",
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
            "README main job `cargo run --example quickstart`, cold: {:.1}s wall, {} cpu; load after: {}",
            job.wall,
            job.cpu_text(),
            load_average()
        );
    }
    Ok(())
}

/// Wall and CPU time of one cargo command in a new, empty target directory.
fn cold(options: &Options, scratch: &Path, args: &[&str]) -> Result<Cost> {
    let target = scratch.join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("removing {}", target.display()))?;
    }
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    cargo(&options.root, Some(&target), args)?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = children_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    std::fs::remove_dir_all(&target).ok();
    Ok(Cost { wall, cpu })
}

/// What one build cost: wall seconds, and CPU seconds (user + system) of cargo and
/// every compiler it ran, which other load on a shared machine inflates much less
/// than the wall time.
#[derive(Debug, Clone, Copy)]
struct Cost {
    wall: f64,
    cpu: Option<f64>,
}

impl Cost {
    fn cpu_text(self) -> String {
        self.cpu
            .map_or_else(|| "?".to_string(), |cpu| format!("{cpu:.1}s"))
    }
}

/// User + system CPU seconds of this process's waited-for descendants (Linux
/// `/proc/self/stat` fields `cutime` and `cstime`, in clock ticks of 1/100 s).
fn children_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the parenthesised command name (which may hold spaces):
    // `cutime` and `cstime` are the 16th and 17th of the line, 14th and 15th here.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(13)? + ticks(14)?) / 100.0)
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

    #[cfg(target_os = "linux")]
    #[test]
    fn children_cpu_time_is_read_from_proc() {
        assert!(children_cpu_seconds().is_some_and(|s| s >= 0.0));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
