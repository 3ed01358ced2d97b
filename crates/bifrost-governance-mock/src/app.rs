//! State shared by every request.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::fault::FaultState;
use crate::profile::Profile;
use crate::store::Store;

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) profile: Profile,
    pub(crate) api_key: Option<String>,
    pub(crate) latency: Duration,
    pub(crate) rotation_grace: Duration,
    pub(crate) version: String,
}

/// State shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) store: Mutex<Store>,
    pub(crate) config: Config,
    pub(crate) faults: Vec<FaultState>,
    pub(crate) requests: AtomicU64,
}

impl App {
    /// Locks the store (a panic in another request never poisons it for good).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The behaviour profile.
    pub(crate) fn profile(&self) -> Profile {
        self.config.profile
    }
}
