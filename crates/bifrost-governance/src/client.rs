//! Client configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bifrost_governance_client::hooks::Executor;
use bifrost_governance_client::secret::SecretString;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tokio::sync::OnceCell;

use crate::capability::Capability;
use crate::error::{Error, Result};
use crate::executor::SdkExecutor;
use crate::hook::{Hooks, RequestHook};
use crate::redact;
use crate::retry::RetryConfig;
use crate::transport::call;
use crate::version::ServerVersion;

/// Default base URL of a local Bifrost.
pub const DEFAULT_BASE_URL: &str = "http://localhost:8080";
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How requests authenticate.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (Bifrost with admin authentication off).
    #[default]
    None,
    /// `Authorization: Bearer <key>`: a management API key or a login token.
    Bearer(SecretString),
    /// `Authorization: Basic …` with the admin username and password.
    Basic {
        /// Admin username.
        username: String,
        /// Admin password.
        password: SecretString,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Bearer(_) => f.write_str("Bearer([REDACTED])"),
            Auth::Basic { username, .. } => write!(
                f,
                "Basic {{ username: {username:?}, password: [REDACTED] }}"
            ),
        }
    }
}

impl Auth {
    fn header(&self) -> Result<Option<HeaderValue>> {
        use base64::Engine;
        let text = match self {
            Auth::None => return Ok(None),
            Auth::Bearer(key) => format!("Bearer {}", key.expose_secret()),
            Auth::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose_secret());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            Error::Config("the credentials contain characters not allowed in a header".into())
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

/// Builder of a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use bifrost_governance::{Client, RetryConfig};
///
/// let builder = Client::builder()
///     .base_url("http://localhost:8080")
///     .api_key("bf-admin-key")
///     .default_header("x-tenant", "acme")
///     .default_header("x-api-key", "gateway-secret") // sensitive: hidden in Debug
///     .timeout(Duration::from_secs(20))
///     .retry(RetryConfig::default().max_attempts(4));
/// assert!(!format!("{builder:?}").contains("gateway-secret"));
/// let client = builder.build()?;
/// assert!(!format!("{client:?}").contains("bf-admin-key"));
/// # Ok::<(), bifrost_governance::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    http: Option<reqwest::Client>,
    connect_timeout: Duration,
    timeout: Option<Duration>,
    retry: RetryConfig,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    /// The first default header that could not be used (reported by `build`).
    header_error: Option<String>,
    hooks: Hooks,
    server_version: Option<ServerVersion>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_string(),
            auth: Auth::None,
            http: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: Some(DEFAULT_TIMEOUT),
            retry: RetryConfig::default(),
            user_agent: None,
            default_headers: HeaderMap::new(),
            header_error: None,
            hooks: Hooks::default(),
            server_version: None,
        }
    }
}

impl ClientBuilder {
    /// Server address, e.g. `http://localhost:8080` (default) or
    /// `https://bifrost.internal`. A path prefix is kept; a trailing `/` is not.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sends `Authorization: Bearer <key>` (a management API key or login token).
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.auth = Auth::Bearer(key.into());
        self
    }

    /// Sends Basic credentials (OSS servers with admin authentication on).
    pub fn basic_auth(
        mut self,
        username: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.auth = Auth::Basic {
            username: username.into(),
            password: password.into(),
        };
        self
    }

    /// Sets the authentication explicitly.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Uses the caller's `reqwest::Client` (connection pool, proxies, TLS roots).
    /// Its own connect timeout applies; [`timeout`](Self::timeout) still bounds each
    /// attempt.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for each attempt, from sending to the whole body (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No per-attempt timeout.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Retry policy (default: [`RetryConfig::default`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Appends a product token to the `User-Agent` (e.g. `"billing-svc/1.4"`).
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Sends this header on every request that does not carry one of that name
    /// (the credentials set with [`api_key`](Self::api_key) and friends win over a
    /// default `Authorization`). Values of credential-like names (`Authorization`,
    /// `Cookie`, `X-API-Key`, `Proxy-Authorization`, names containing `token`,
    /// `secret`, `key`…) are marked sensitive, so `Debug` output hides them. An
    /// invalid name or value makes [`build`](Self::build) fail. Operations that take
    /// no credentials (version, virtual-key quota) never send `Authorization`.
    pub fn default_header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(redact::is_sensitive_header(&name));
                self.default_headers.insert(name, value);
            }
            (Err(_), _) => {
                self.header_error
                    .get_or_insert_with(|| "a default header name is not valid".into());
            }
            (Ok(name), Err(_)) => {
                // The value may be a secret: the message names the header only.
                self.header_error.get_or_insert_with(|| {
                    format!("the value of default header `{name}` is not valid")
                });
            }
        }
        self
    }

    /// Adds every header of `headers` as with [`default_header`](Self::default_header)
    /// (replacing earlier defaults of the same names).
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        let mut name = None;
        for (key, mut value) in headers {
            // `HeaderMap`'s iterator names only the first value of each header.
            if key.is_some() {
                name = key;
                self.default_headers
                    .remove(name.as_ref().expect("just set"));
            }
            let Some(name) = &name else { continue };
            value.set_sensitive(value.is_sensitive() || redact::is_sensitive_header(name));
            self.default_headers.append(name.clone(), value);
        }
        self
    }

    /// Adds a [`RequestHook`], run on every attempt after the ones added before it.
    pub fn hook(mut self, hook: impl RequestHook) -> Self {
        self.hooks.0.push(Arc::new(hook));
        self
    }

    /// Uses this server version for feature gating instead of asking
    /// `GET /api/version` (for servers where that route is not reachable).
    pub fn assume_server_version(mut self, version: &str) -> Self {
        self.server_version = Some(ServerVersion::parse(version));
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        if let Some(problem) = self.header_error {
            return Err(Error::Config(problem));
        }
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL {:?}: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::Config(format!(
                "base URL {:?} must be http(s)://host[:port]",
                self.base_url
            )));
        }
        // Without a TLS backend reqwest would fail each request with "invalid URL,
        // scheme is not http"; say what is missing once, before any request.
        #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
        if url.scheme() == "https" {
            return Err(Error::Config(format!(
                "base URL {:?} is https, but bifrost-governance was built without TLS: \
                 enable its `rustls` (default) or `native-tls` feature",
                self.base_url
            )));
        }
        let base_url = self.base_url.trim_end_matches('/').to_string();
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        let mut agent = format!("{}/{}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
        if let Some(extra) = &self.user_agent {
            agent = format!("{agent} {extra}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&agent)
                .map_err(|_| Error::Config(format!("user agent {agent:?}")))?,
        );
        for name in self.default_headers.keys() {
            headers.remove(name);
        }
        headers.extend(self.default_headers);
        let executor = SdkExecutor {
            authorization: self.auth.header()?,
            headers,
            timeout: self.timeout,
            retry: self.retry,
            hooks: self.hooks,
        };
        let raw = bifrost_governance_client::Client::new_with_client(
            &base_url,
            http,
            Executor::new(executor),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                raw,
                base_url,
                auth_kind: auth_kind(&self.auth),
                version: OnceCell::new_with(self.server_version),
            }),
        })
    }
}

fn auth_kind(auth: &Auth) -> &'static str {
    match auth {
        Auth::None => "none",
        Auth::Bearer(_) => "bearer",
        Auth::Basic { .. } => "basic",
    }
}

/// A handle to one Bifrost server. Cheap to clone; clones share the connection pool.
///
/// ```no_run
/// # async fn demo() -> bifrost_governance::Result<()> {
/// use bifrost_governance::Client;
///
/// let client = Client::from_env()?;
/// println!("talking to Bifrost {}", client.server_version().await?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    raw: bifrost_governance_client::Client,
    base_url: String,
    auth_kind: &'static str,
    /// Set by the first successful `GET /api/version` (a failure is not kept).
    version: OnceCell<ServerVersion>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth_kind)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Configures from the environment: `BIFROST_BASE_URL` (default
    /// `http://localhost:8080`) and `BIFROST_API_KEY` (optional, sent as Bearer).
    pub fn from_env() -> Result<Self> {
        let mut builder = Self::builder();
        if let Some(url) = std::env::var("BIFROST_BASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            builder = builder.base_url(url);
        }
        if let Some(key) = std::env::var("BIFROST_API_KEY")
            .ok()
            .filter(|k| !k.is_empty())
        {
            builder = builder.api_key(key);
        }
        builder.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The generated client underneath, for operations this crate does not wrap.
    /// Requests made through it still get authentication, retries and tracing.
    pub fn raw(&self) -> &bifrost_governance_client::Client {
        &self.inner.raw
    }

    /// Asks the server for its version (`GET /api/version`, no authentication) and
    /// remembers it for feature gating unless a version is remembered already.
    pub async fn server_version(&self) -> Result<ServerVersion> {
        let version = self.fetch_version().await?;
        let _ = self.inner.version.set(version.clone());
        Ok(version)
    }

    async fn fetch_version(&self) -> Result<ServerVersion> {
        let text = call("get_version", self.raw().get_version().send()).await?;
        Ok(ServerVersion::parse(&text))
    }

    /// The remembered version; the first call asks the server. A failed request
    /// is returned and not remembered: the next call asks again.
    async fn known_version(&self) -> Result<&ServerVersion> {
        self.inner
            .version
            .get_or_try_init(|| self.fetch_version())
            .await
    }

    /// Whether the server has `capability`, from its version (asked once per
    /// client on first use; a version that does not parse has everything, see
    /// [`ServerVersion`]). Errs only when the version cannot be fetched.
    pub async fn supports(&self, capability: Capability) -> Result<bool> {
        Ok(self.known_version().await?.supports(capability))
    }

    /// Succeeds when the server has `capability`, else returns
    /// [`Error::Unsupported`]; the only request it may make is the version's.
    ///
    /// ```no_run
    /// # async fn demo(client: bifrost_governance::Client) -> bifrost_governance::Result<()> {
    /// use bifrost_governance::Capability;
    ///
    /// client.require(Capability::KeyRotation).await?;
    /// # Ok(()) }
    /// ```
    pub async fn require(&self, capability: Capability) -> Result<()> {
        let version = self.known_version().await?;
        if version.supports(capability) {
            return Ok(());
        }
        Err(Error::Unsupported {
            capability,
            server_version: version.clone(),
            since: capability.since(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `https://` base URL builds exactly when a TLS feature is on; `http://`
    /// always does. CI runs this with the default features and without any.
    #[test]
    fn https_base_url_needs_a_tls_feature() {
        let https = Client::builder()
            .base_url("https://bifrost.example")
            .build();
        if cfg!(any(feature = "rustls", feature = "native-tls")) {
            assert!(https.is_ok(), "{:?}", https.err());
        } else {
            let Err(Error::Config(message)) = https else {
                panic!(
                    "expected Error::Config, got {:?}",
                    https.map(|c| c.base_url().to_string())
                );
            };
            assert!(
                message.contains("without TLS") && message.contains("`rustls`"),
                "{message}"
            );
        }
        let http = Client::builder().base_url("http://127.0.0.1:1").build();
        assert!(http.is_ok(), "{:?}", http.err());
    }
}
