//! Helpers shared by several test files.

pub mod virtual_keys;
