//! Shared helpers: a client wired to a mock, the server's paging rules, and a scripted
//! raw TCP server for faults wiremock cannot produce. Response bodies come from
//! [`bifrost_governance_wiremock::fixtures`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bifrost_governance::{Client, Error, RetryConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::contract::{Reply, Seen};

/// The API key test clients send.
pub const API_KEY: &str = "test-key";
/// The `Authorization` header test clients send.
pub const AUTHORIZATION: &str = "Bearer test-key";

/// Retries with a 10 ms initial backoff, so fault tests stay fast.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::default().initial_backoff(Duration::from_millis(10))
}

/// A client for `base_url` with [`API_KEY`], [`fast_retry`] and a 5 s timeout.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key(API_KEY)
        .retry(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("test client")
}

/// The names of the typed predicates `err` answers true to (`is_not_found` →
/// `"not_found"`, …), in a fixed order: asserting the whole list pins one outcome
/// and that no other predicate also holds.
pub fn accessors(err: &Error) -> Vec<&'static str> {
    [
        ("bad_request", err.is_bad_request()),
        ("unauthorized", err.is_unauthorized()),
        ("not_found", err.is_not_found()),
        ("conflict", err.is_conflict()),
        ("rate_limited", err.is_rate_limited()),
        ("server_error", err.is_server_error()),
        ("timeout", err.is_timeout()),
        ("retryable", err.is_retryable()),
    ]
    .into_iter()
    .filter_map(|(name, yes)| yes.then_some(name))
    .collect()
}

/// The server's page-size rule (`ClampPaginationParams`): missing or `<= 0` → 25,
/// above 100 → 100.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    match limit {
        Some(l) if l > 0 => l.min(100),
        _ => 25,
    }
}

/// A list endpoint that pages like Bifrost: paging starts when `limit`, `offset` or
/// `search` is present (otherwise every row is returned), `limit` is clamped by
/// [`clamp_limit`] and then to `max_limit`, negative offsets become 0, and the answer
/// echoes `limit`/`offset` with `count` and `total_count`. Items keep their order.
///
/// `after_page` runs after every answered page with the page's 0-based index and can
/// mutate the rows (inserts and deletes between page requests).
#[derive(Clone)]
pub struct Paginator {
    items_key: &'static str,
    rows: Arc<Mutex<Vec<Value>>>,
    max_limit: i64,
    pages: Arc<AtomicUsize>,
    #[allow(clippy::type_complexity)]
    after_page: Arc<dyn Fn(usize, &mut Vec<Value>) + Send + Sync>,
    #[allow(clippy::type_complexity)]
    fail: Arc<dyn Fn(&Seen) -> Option<Reply> + Send + Sync>,
}

impl Paginator {
    /// Rows under `items_key` (e.g. `"teams"`).
    pub fn new(items_key: &'static str, rows: Vec<Value>) -> Self {
        Self {
            items_key,
            rows: Arc::new(Mutex::new(rows)),
            max_limit: 100,
            pages: Arc::new(AtomicUsize::new(0)),
            after_page: Arc::new(|_, _| {}),
            fail: Arc::new(|_| None),
        }
    }

    /// A server (or proxy) that serves at most `max` rows per page.
    pub fn max_limit(mut self, max: i64) -> Self {
        self.max_limit = max;
        self
    }

    /// Mutates the rows after each page.
    pub fn after_page(
        mut self,
        f: impl Fn(usize, &mut Vec<Value>) + Send + Sync + 'static,
    ) -> Self {
        self.after_page = Arc::new(f);
        self
    }

    /// Answers with the returned reply instead of a page when it returns one.
    pub fn fail_when(mut self, f: impl Fn(&Seen) -> Option<Reply> + Send + Sync + 'static) -> Self {
        self.fail = Arc::new(f);
        self
    }

    /// The current rows.
    pub fn rows(&self) -> Vec<Value> {
        self.rows.lock().expect("rows").clone()
    }

    /// Pages answered so far.
    pub fn pages_served(&self) -> usize {
        self.pages.load(Ordering::SeqCst)
    }

    /// The reply for one list request.
    pub fn reply(&self, request: &Seen) -> Reply {
        if let Some(reply) = (self.fail)(request) {
            return reply;
        }
        let mut rows = self.rows.lock().expect("rows");
        let search = request
            .query("search")
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        let paged = ["limit", "offset"]
            .iter()
            .any(|k| request.query(k).is_some_and(|v| !v.is_empty()))
            || search.is_some();
        let matching: Vec<&Value> = rows
            .iter()
            .filter(|row| {
                search.as_ref().is_none_or(|s| {
                    row["name"]
                        .as_str()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains(s)
                })
            })
            .collect();
        let total = matching.len() as i64;
        let (limit, offset) = if paged {
            // Bifrost's team list turns an unparsable value into 0.
            let limit = clamp_limit(Some(
                request.query("limit").map_or(0, |v| v.parse().unwrap_or(0)),
            ));
            let offset = request
                .query("offset")
                .map_or(0, |v| v.parse::<i64>().unwrap_or(0))
                .max(0);
            (limit.min(self.max_limit), offset)
        } else {
            (total, 0)
        };
        let page: Vec<Value> = matching
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .cloned()
            .collect();
        let body = json!({
            self.items_key: page,
            "count": page.len(),
            "total_count": total,
            "limit": limit,
            "offset": offset,
        });
        let index = self.pages.fetch_add(1, Ordering::SeqCst);
        (self.after_page)(index, &mut rows);
        Reply::ok(body)
    }
}

/// What a [`RawServer`] does with one request.
#[derive(Debug, Clone)]
pub enum RawAction {
    /// Reads the request, then closes the connection without answering.
    Close,
    /// Reads the request, writes these bytes, then closes the connection.
    Write(Vec<u8>),
}

impl RawAction {
    /// A complete HTTP/1.1 response with a JSON body and `Connection: close`.
    pub fn json(status: u16, reason: &str, body: &Value) -> Self {
        let body = serde_json::to_string(body).expect("JSON");
        Self::Write(
            format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }
}

/// A TCP server on 127.0.0.1 that answers one connection per scripted action (then
/// closes every further connection) and counts the requests it read.
#[derive(Debug)]
pub struct RawServer {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Starts serving `script`.
    pub async fn start(script: Vec<RawAction>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            let mut script = script.into_iter();
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let Some(head) = read_request(&mut stream).await else {
                    continue;
                };
                seen.lock().expect("requests").push(head);
                match script.next() {
                    Some(RawAction::Write(bytes)) => {
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.flush().await;
                        let _ = stream.shutdown().await;
                    }
                    Some(RawAction::Close) | None => {}
                }
                drop(stream);
            }
        });
        Self {
            url,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Request lines (`GET /path HTTP/1.1`) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (head and `Content-Length` body); returns its request line.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(head.lines().next().unwrap_or_default().to_string())
}

/// A `http://127.0.0.1:<port>` where nothing listens (the port was bound, then freed).
pub async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{address}")
}

/// Mounts `get_version` answering `version` (a bare JSON string such as `"v2.3.1"`).
///
/// The SDK asks for the version lazily, once per client, before gated operations
/// (virtual-key updates and patches, owner budgets, virtual-key scoped model
/// configs). The route needs no credentials and the client sends its own
/// everywhere, so the `Authorization` header is not checked here
/// (`contract_version.rs` pins it).
pub async fn mount_version(
    server: &wiremock::MockServer,
    version: &str,
) -> crate::contract::ContractGuard {
    crate::contract::expect("get_version")
        .any_authorization()
        .respond(Reply::ok(json!(version)))
        .mount(server)
        .await
}

/// The JSON fixture at `tests/fixtures/<path>`, parsed.
pub fn fixture(path: &str) -> Value {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// Mounts `operation` answering the fixture `path` with 200; `Reply::ok` checks the
/// fixture against the operation's response schema.
pub async fn serve_fixture(
    server: &wiremock::MockServer,
    operation: &str,
    path: &str,
) -> crate::contract::ContractGuard {
    crate::contract::expect(operation)
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(fixture(path)))
        .mount(server)
        .await
}
