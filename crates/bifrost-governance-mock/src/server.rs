//! The embeddable server: builder, lifecycle and the middleware every request
//! goes through (counting, latency, faults, admin authentication, error bodies).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{App, Config};
use crate::errors::{ApiError, envelope};
use crate::fault::{Fault, FaultState};
use crate::governance::{self, Of};
use crate::profile::{Generation, Profile};
use crate::routes::{self, keys, meta};
use crate::seed::{MockError, Seed};
use crate::store::Store;
use crate::store::catalog::ProviderKeyInfo;
use crate::store::records::{Budget, RateLimit};

/// Version string `GET /api/version` answers by default.
pub const DEFAULT_VERSION: &str = "v2.3.1";

/// Configures and starts a [`MockServer`].
///
/// ```no_run
/// # async fn demo() {
/// use std::time::Duration;
/// use bifrost_governance_mock::{Fault, MockServer};
///
/// let server = MockServer::builder()
///     .api_key("admin-secret")
///     .latency(Duration::from_millis(5))
///     .fault(Fault::every_nth(10, 503))
///     .version("v2.3.1")
///     .start()
///     .await;
/// println!("{}", server.base_url());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    api_key: Option<String>,
    latency: Duration,
    rotation_grace: Duration,
    faults: Vec<Fault>,
    seed: Option<Seed>,
    version: Option<String>,
    bind: SocketAddr,
    deterministic: bool,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            latency: Duration::ZERO,
            rotation_grace: Duration::ZERO,
            faults: Vec::new(),
            seed: None,
            version: None,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            deterministic: false,
        }
    }
}

impl MockServerBuilder {
    /// Requires `Authorization: Bearer <key>` on every route except
    /// `/api/version` and the virtual-key quota (401 "Unauthorized" otherwise).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Adds a fixed delay before every request is handled.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Keeps a rotated key's previous value working for `grace` (the server's
    /// `vk_rotation_cooldown`); responses then carry `previous_value_expires_at`.
    /// Default zero: the old value stops working at once.
    pub fn rotation_grace(mut self, grace: Duration) -> Self {
        self.rotation_grace = grace;
        self
    }

    /// Adds a fault (may be called several times; each fault counts on its own).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Initial customers, teams and virtual keys.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The version `GET /api/version` answers, which also selects the behaviour:
    /// `v1.5.0`–`v1.5.8` behave like Bifrost 1.5.2, `v2.*` like the newest v2 code
    /// (the default, [`DEFAULT_VERSION`]); other versions are refused by
    /// [`try_start`](Self::try_start) with [`MockError::UnsupportedVersion`]. A seed
    /// file's `server_version` is used when this is not called.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Ids, key values and timestamps follow a fixed sequence instead of random
    /// UUIDs and the wall clock (ids `00000000-0000-4000-8000-000000000001`, …;
    /// times one second apart from 2026-01-01T00:00:00Z), so responses are
    /// reproducible byte for byte.
    pub fn deterministic(mut self) -> Self {
        self.deterministic = true;
        self
    }

    /// The address to listen on (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Starts the server.
    ///
    /// # Panics
    ///
    /// When the address cannot be bound or the seed is refused; use
    /// [`try_start`](Self::try_start) to handle those.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("bifrost-governance-mock failed to start: {e}"),
        }
    }

    /// Starts the server, reporting bind and seed errors.
    pub async fn try_start(self) -> Result<MockServer, MockError> {
        let version = self
            .version
            .clone()
            .or_else(|| self.seed.as_ref().and_then(|s| s.server_version.clone()))
            .unwrap_or_else(|| DEFAULT_VERSION.to_string());
        let profile = Profile::for_version(&version)
            .ok_or_else(|| MockError::UnsupportedVersion(version.clone()))?;
        let mut store = Store::new(self.deterministic);
        if let Some(seed) = &self.seed {
            seed.apply(&mut store, profile)?;
        }
        let app = Arc::new(App {
            store: Mutex::new(store),
            config: Config {
                profile,
                api_key: self.api_key,
                latency: self.latency,
                rotation_grace: self.rotation_grace,
                version,
            },
            faults: self.faults.into_iter().map(FaultState::new).collect(),
            requests: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(MockError::Bind)?;
        let addr = listener.local_addr().map_err(MockError::Bind)?;
        let router = router(app.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await;
        });
        Ok(MockServer {
            addr,
            app,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// A running, stateful fake of the Bifrost governance API.
///
/// Serves the governance and routing routes of the generation its version selects
/// (see [`Generation`] and `FIDELITY.md`), from memory. Dropping it (or
/// [`shutdown`](Self::shutdown)) stops it.
///
/// ```no_run
/// # async fn demo() {
/// let server = bifrost_governance_mock::MockServer::start().await;
/// let url = format!("{}/api/governance/virtual-keys", server.base_url());
/// # let _ = url;
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    app: Arc<App>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with default settings on a free 127.0.0.1 port.
    ///
    /// # Panics
    ///
    /// When no local port can be bound.
    pub async fn start() -> MockServer {
        Self::builder().start().await
    }

    /// A builder for a customised server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin API key the server requires, if any.
    pub fn api_key(&self) -> Option<&str> {
        self.app.config.api_key.as_deref()
    }

    /// The version string `GET /api/version` answers.
    pub fn version(&self) -> &str {
        &self.app.config.version
    }

    /// The generation the server behaves like, selected by its version.
    pub fn generation(&self) -> Generation {
        self.app.config.profile.generation
    }

    /// How many HTTP requests the server has received (faulted and refused ones included).
    pub fn request_count(&self) -> u64 {
        self.app.requests.load(Ordering::SeqCst)
    }

    /// Sets the request counter back to zero.
    pub fn reset_request_count(&self) {
        self.app.requests.store(0, Ordering::SeqCst);
    }

    /// Inserts `count` plain virtual keys directly into the store (no HTTP, no
    /// per-key validation), for benchmarks; returns their ids in creation order.
    pub fn insert_virtual_keys(&self, count: usize) -> Vec<String> {
        keys::insert_bulk(&mut self.app.store(), count)
    }

    /// Adds a seed's entities to the running server.
    pub fn apply_seed(&self, seed: &Seed) -> Result<(), MockError> {
        seed.apply(&mut self.app.store(), self.app.profile())
    }

    /// The provider keys configured on the server (their `key_id` goes into `key_ids`).
    pub fn provider_keys(&self) -> Vec<ProviderKeyInfo> {
        self.app.store().catalog.key_infos()
    }

    /// The names of the configured providers.
    pub fn providers(&self) -> Vec<String> {
        self.app
            .store()
            .catalog
            .providers
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// The names of the configured MCP clients.
    pub fn mcp_clients(&self) -> Vec<String> {
        self.app
            .store()
            .catalog
            .mcp_clients
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The id of the virtual key with this name, if any.
    pub fn virtual_key_id(&self, name: &str) -> Option<String> {
        self.app
            .store()
            .virtual_keys
            .values()
            .find(|vk| vk.name == name)
            .map(|vk| vk.id.clone())
    }

    /// The current secret value of a virtual key, by id.
    pub fn virtual_key_value(&self, id: &str) -> Option<String> {
        self.app
            .store()
            .virtual_keys
            .get(id)
            .map(|vk| vk.value.clone())
    }

    /// Simulates traffic on a virtual key: adds `cost_usd` to each of its budgets
    /// and `tokens` plus one request to its rate limit. Returns false when the
    /// key does not exist.
    pub fn record_usage(&self, vk_id: &str, cost_usd: f64, tokens: i64) -> bool {
        let profile = self.app.profile();
        let mut store = self.app.store();
        let Some(vk) = store.virtual_keys.get(vk_id).cloned() else {
            return false;
        };
        let slot = governance::slot(&store, profile, &vk, Of::Key);
        for id in &slot.budget_ids {
            store.update::<Budget, _>(id, |b| b.current_usage += cost_usd);
        }
        if let Some(id) = &slot.rate_limit_id {
            store.update::<RateLimit, _>(id, |rl| {
                rl.token_current_usage += tokens;
                rl.request_current_usage += 1;
            });
        }
        true
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                // Connections still open after 5 s are cut.
                abort.abort();
            }
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Every route, the fallback and the shared middleware.
fn router(app: Arc<App>) -> Router {
    routes::router(app.profile())
        .fallback(route_not_found)
        .layer(middleware::from_fn_with_state(app.clone(), pipeline))
        .with_state(app)
}

async fn route_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("Route not found: {}", uri.path()))
}

/// Whether a request needs the admin key. The quota route has no admin middleware
/// (`gov.go RegisterRoutes`); `/api/version` is whitelisted, compared with the whole
/// request URI, so with its query string (`handlers/middlewares.go APIMiddleware`).
fn needs_admin_auth(uri: &Uri) -> bool {
    let whole = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    whole != meta::VERSION_PATH && uri.path() != keys::QUOTA_PATH
}

async fn pipeline(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    app.requests.fetch_add(1, Ordering::SeqCst);
    if !app.config.latency.is_zero() {
        tokio::time::sleep(app.config.latency).await;
    }
    let path = request.uri().path().to_string();
    tracing::debug!(method = %request.method(), %path, "bifrost-governance-mock request");
    for fault in &app.faults {
        if let Some(response) = fault.check(&path) {
            return response;
        }
    }
    if let Some(key) = &app.config.api_key
        && needs_admin_auth(request.uri())
    {
        let expected = format!("Bearer {key}");
        let presented = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if presented != Some(expected.as_str()) {
            return ApiError::unauthorized("Unauthorized").into_response();
        }
    }
    json_errors(next.run(request).await).await
}

/// Framework-generated errors: a method the path does not serve answers like
/// fasthttp/router (405, `Method Not Allowed` as plain text, with `Allow`); others
/// (413, path rejections) get the `BifrostError` envelope.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
        let (mut parts, _) = response.into_parts();
        parts.headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::from("Method Not Allowed"));
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("Request failed")
            .to_string()
    } else {
        text
    };
    let mut rebuilt = crate::errors::GoJson(status, envelope(status, message)).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rebuilt.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rebuilt
}
