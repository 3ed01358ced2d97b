//! `bifrost-gov`: the command-line tool for the Bifrost governance API.
//!
//! Everyday commands over the SDK (`keys`, `teams`, …) and the declarative workflow:
//! `dump` the live server into a file, `validate` it offline, `plan` the changes,
//! `apply` them. The binary is a thin `main` over [`run`]; the library exposes the
//! engine for benchmarks and tests.
#![deny(missing_docs)]

pub mod file;
pub mod spec;
pub mod validate;
pub mod live;
pub mod observe;
pub mod apply;
pub mod plan;
