//! `bifrost-gov`: see the crate documentation and `bifrost-gov --help`.

fn main() -> std::process::ExitCode {
    bifrost_gov::run()
}
