//! `cargo xtask generate [--check]`, `cargo xtask lint-spec`, `cargo xtask drift` and `cargo xtask build-cost`.

use std::process::ExitCode;

use xtask::{
    GENERATED_PATH, SPEC_COPY_PATH, build_cost, check_fresh, drift, generate, lint_spec, read_spec,
    workspace_root,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["generate"] => run_generate(),
        ["generate", "--check"] => run_check(),
        ["lint-spec"] => run_lint(),
        ["drift", rest @ ..] => return drift::main(rest),
        ["build-cost", rest @ ..] => build_cost::Options::parse(rest, workspace_root())
            .and_then(|options| build_cost::run(&options))
            .map(|()| true),
        _ => {
            eprintln!(
                "usage:\n  cargo xtask generate [--check]\n  cargo xtask lint-spec\n  {}\n  {}",
                drift::USAGE,
                build_cost::USAGE
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_generate() -> anyhow::Result<bool> {
    let root = workspace_root();
    let spec = read_spec(&root)?;
    let code = generate(&spec)?;
    std::fs::write(root.join(GENERATED_PATH), &code)?;
    std::fs::write(root.join(SPEC_COPY_PATH), &spec)?;
    println!(
        "wrote {GENERATED_PATH} ({} lines) and {SPEC_COPY_PATH}",
        code.lines().count()
    );
    Ok(true)
}

fn run_check() -> anyhow::Result<bool> {
    match check_fresh(&workspace_root())? {
        None => {
            println!("{GENERATED_PATH} is up to date with openapi.yaml");
            Ok(true)
        }
        Some(message) => {
            eprintln!("{message}");
            Ok(false)
        }
    }
}

fn run_lint() -> anyhow::Result<bool> {
    let problems = lint_spec(&read_spec(&workspace_root())?)?;
    for problem in &problems {
        eprintln!("lint: {problem}");
    }
    if problems.is_empty() {
        println!("openapi.yaml passes lint-spec");
    }
    Ok(problems.is_empty())
}
