//! Spec-driven wiremock mocks: one [`expect`] per operation under test.
//!
//! ```no_run
//! # async fn demo() {
//! use bifrost_governance_wiremock::contract::{self, Reply};
//! use bifrost_governance_wiremock::fixtures::team;
//!
//! let server = wiremock::MockServer::start().await;
//! let guard = contract::expect("get_team")
//!     .authorization("Bearer test-key")
//!     .path_param("team_id", "t-1")
//!     .respond(Reply::ok(team("t-1").name("platform").envelope()))
//!     .mount(&server)
//!     .await;
//! // … run the code under test against server.uri() …
//! assert_eq!(guard.request_count(), 1);
//! # }
//! ```
//!
//! What a mock does:
//!
//! * **matches** requests whose method and path resolve to the operation in
//!   `openapi.yaml` (path parameters are any non-empty segment; a literal route such
//!   as `/virtual-keys/quota` wins over `/virtual-keys/{vk_id}`);
//! * **checks** every matched request: the `Authorization` header (the test must say
//!   what it expects), the query parameters the test pins, that every query parameter
//!   is declared by the operation and matches its schema, required parameters, the
//!   path parameters the test pins, and the JSON body against the operation's request
//!   schema (closed: undeclared fields are violations);
//! * **validates** the replies: a canned [`Reply::json`] is checked against the
//!   response schema for its status when the mock is built (in the test's task, so a
//!   bad fixture fails at once); replies of a [`ContractMock::respond_with`] closure are
//!   checked as they are produced;
//! * **records** every request it matched ([`ContractGuard::requests`],
//!   [`ContractGuard::single_body`]), so the test can assert what was sent.
//!
//! A request that breaks the contract is answered `599` ([`VIOLATION_STATUS`]) with a
//! `BifrostError` whose message lists the violations (a client then fails with that
//! text), and the violation is recorded in the [`ContractGuard`]: dropping a guard that
//! holds violations panics, so a test cannot pass with an off-spec request even when
//! the code under test swallows the error. Each violation names the request and the
//! offending field as a JSON pointer, e.g.
//! `request #1 POST /api/governance/teams: body /budgets/0/max_limit: 0 is less than or equal to the minimum of 0`.
//! [`Reply::raw`] is the one escape hatch, for deliberately off-spec answers (HTML
//! pages, plain-text errors) in fault tests.
//!
//! Requests no mount matches at all get wiremock's own `404` with an empty body.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::{
    Match, Mock, MockBuilder, MockGuard, MockServer, Request, Respond, ResponseTemplate, Times,
};

use crate::fixtures;
use crate::spec::{Operation, spec};

/// Status of the answer to a request that broke the contract.
pub const VIOLATION_STATUS: u16 = 599;

/// Starts a mock of the operation `operation_id` of `openapi.yaml`.
///
/// # Panics
///
/// When the spec has no such operation (a typo fails the test at once).
pub fn expect(operation_id: &str) -> ContractMock {
    let op = spec()
        .operation(operation_id)
        .unwrap_or_else(|| panic!("openapi.yaml has no operation {operation_id:?}"));
    ContractMock {
        op,
        builder: Mock::given(OperationMatcher { op }),
        authorization: None,
        query: Vec::new(),
        path_params: Vec::new(),
        reply: None,
        times: None,
        up_to: None,
        priority: None,
        on_answered: Vec::new(),
    }
}

/// A reply a contract mock sends. Its `Debug` masks secret-looking strings.
#[derive(Clone)]
pub struct Reply {
    status: u16,
    body: ReplyBody,
    headers: Vec<(String, String)>,
    delay: Option<Duration>,
}

#[derive(Debug, Clone)]
enum ReplyBody {
    Json(Value),
    Raw(ResponseTemplate),
}

impl Reply {
    /// `status` with a JSON body (a `serde_json::Value` or any [`fixtures`] builder);
    /// the body is validated against the operation's response schema for that status.
    pub fn json(status: u16, body: impl Into<Value>) -> Self {
        Self {
            status,
            body: ReplyBody::Json(body.into()),
            headers: Vec::new(),
            delay: None,
        }
    }

    /// `200` with a JSON body (validated).
    pub fn ok(body: impl Into<Value>) -> Self {
        Self::json(200, body)
    }

    /// `status` with Bifrost's error envelope carrying `message`
    /// ([`fixtures::bifrost_error`]; validated like any JSON reply).
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, fixtures::bifrost_error(status, message))
    }

    /// A reply sent as it is, **not** validated: only for deliberately off-spec answers.
    pub fn raw(template: ResponseTemplate) -> Self {
        Self {
            status: 0,
            body: ReplyBody::Raw(template),
            headers: Vec::new(),
            delay: None,
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Delays the response.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Why this reply does not fit `op`, if it does not.
    fn violations(&self, op: &Operation) -> Vec<String> {
        let ReplyBody::Json(body) = &self.body else {
            return Vec::new();
        };
        match spec().validate_response_body(&op.id, self.status, body) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|e| format!("{} {} response: {e}", op.id, self.status))
                .collect(),
        }
    }

    fn template(&self) -> ResponseTemplate {
        let mut template = match &self.body {
            ReplyBody::Json(body) => ResponseTemplate::new(self.status).set_body_raw(
                serde_json::to_vec(body).expect("JSON body"),
                "application/json",
            ),
            ReplyBody::Raw(template) => template.clone(),
        };
        for (name, value) in &self.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        if let Some(delay) = self.delay {
            template = template.set_delay(delay);
        }
        template
    }
}

/// One request a contract mock received. Its `Debug` leaves out the
/// `Authorization` value and masks secret-looking strings of the body.
#[derive(Clone)]
pub struct Seen {
    /// HTTP method.
    pub method: String,
    /// Path as sent (percent-encoded).
    pub path: String,
    /// Path parameters, percent-decoded.
    pub path_params: BTreeMap<String, String>,
    /// Query pairs in order, decoded.
    pub query: Vec<(String, String)>,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as JSON, when there was a JSON body.
    pub body: Option<Value>,
    /// The raw body.
    pub raw_body: Vec<u8>,
    /// When the mock received it.
    pub at: Instant,
    /// 0-based index among the requests this mock received.
    pub index: usize,
}

impl Seen {
    /// The first value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Query parameter `name` parsed as an integer.
    pub fn query_i64(&self, name: &str) -> Option<i64> {
        self.query(name).and_then(|v| v.parse().ok())
    }
}

type ReplyFn = dyn Fn(&Seen) -> Reply + Send + Sync;
type AnsweredFn = dyn Fn(&str) + Send + Sync;

enum ReplySource {
    Fixed(Reply),
    /// Replies in order; the last one repeats.
    Sequence(Vec<Reply>, AtomicUsize),
    Dynamic(Box<ReplyFn>),
}

#[derive(Debug, Clone)]
enum AuthCheck {
    Exactly(String),
    Absent,
    Any,
}

/// Builder of a contract mock; see the [module docs](self).
#[must_use = "a contract mock does nothing until mounted"]
pub struct ContractMock {
    op: &'static Operation,
    builder: MockBuilder,
    authorization: Option<AuthCheck>,
    query: Vec<(String, Option<String>)>,
    path_params: Vec<(String, String)>,
    reply: Option<ReplySource>,
    times: Option<Times>,
    up_to: Option<u64>,
    priority: Option<u8>,
    on_answered: Vec<Arc<AnsweredFn>>,
}

impl ContractMock {
    /// Every request must carry exactly this `Authorization` value.
    pub fn authorization(mut self, value: &str) -> Self {
        self.authorization = Some(AuthCheck::Exactly(value.to_string()));
        self
    }

    /// Requests must carry no `Authorization` header.
    pub fn no_authorization(mut self) -> Self {
        self.authorization = Some(AuthCheck::Absent);
        self
    }

    /// The `Authorization` header is not checked.
    pub fn any_authorization(mut self) -> Self {
        self.authorization = Some(AuthCheck::Any);
        self
    }

    /// Query parameter `name` must be present with exactly `value`.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), Some(value.to_string())));
        self
    }

    /// Query parameter `name` must be absent.
    pub fn no_query(mut self, name: &str) -> Self {
        self.query.push((name.to_string(), None));
        self
    }

    /// Path parameter `name` must decode to exactly `value`.
    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        assert!(
            self.op.path.contains(&format!("{{{name}}}")),
            "{} has no path parameter {name:?} ({})",
            self.op.id,
            self.op.path
        );
        self.path_params.push((name.to_string(), value.to_string()));
        self
    }

    /// An extra wiremock matcher (to route among several mocks of one operation).
    pub fn and(mut self, matcher: impl Match + 'static) -> Self {
        self.builder = self.builder.and(matcher);
        self
    }

    /// Always answers `reply` (validated now).
    pub fn respond(mut self, reply: Reply) -> Self {
        self.check_reply(&reply);
        self.reply = Some(ReplySource::Fixed(reply));
        self
    }

    /// Answers the replies in order, repeating the last (each validated now).
    pub fn respond_seq(mut self, replies: impl IntoIterator<Item = Reply>) -> Self {
        let replies: Vec<Reply> = replies.into_iter().collect();
        assert!(
            !replies.is_empty(),
            "{}: respond_seq needs at least one reply",
            self.op.id
        );
        replies.iter().for_each(|r| self.check_reply(r));
        self.reply = Some(ReplySource::Sequence(replies, AtomicUsize::new(0)));
        self
    }

    /// Answers what `reply` computes for each request (validated as produced; a bad
    /// reply is recorded as a violation and answered 599).
    pub fn respond_with(mut self, reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        self.reply = Some(ReplySource::Dynamic(Box::new(reply)));
        self
    }

    /// The mock must receive exactly this many requests (checked when the guard drops).
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n.into());
        self
    }

    /// The mock stops matching after `n` requests.
    pub fn up_to_n_times(mut self, n: u64) -> Self {
        self.up_to = Some(n);
        self
    }

    /// wiremock priority (1 is highest, default 5).
    pub fn priority(mut self, p: u8) -> Self {
        self.priority = Some(p);
        self
    }

    /// Calls `observer` with the `operationId` every time the mock answers a request
    /// that met the contract (not for violations). A way to measure which operations
    /// a test suite exercised.
    pub fn on_answered(mut self, observer: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_answered.push(Arc::new(observer));
        self
    }

    fn check_reply(&self, reply: &Reply) {
        let violations = reply.violations(self.op);
        assert!(
            violations.is_empty(),
            "contract {}: the test's canned reply does not match openapi.yaml:\n  {}",
            self.op.id,
            violations.join("\n  ")
        );
    }

    /// Registers the mock on `server`; it stays active while the guard lives.
    ///
    /// # Panics
    ///
    /// When no `Authorization` expectation or no reply was configured.
    pub async fn mount(self, server: &MockServer) -> ContractGuard {
        let op = self.op;
        let authorization = self.authorization.unwrap_or_else(|| {
            panic!(
                "contract {}: say what Authorization to expect (.authorization(..), \
                 .no_authorization() or .any_authorization())",
                op.id
            )
        });
        let reply = self
            .reply
            .unwrap_or_else(|| panic!("contract {}: no reply configured", op.id));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let responder = ContractResponder {
            op,
            authorization,
            query: self.query,
            path_params: self.path_params,
            reply,
            shared: shared.clone(),
            on_answered: self.on_answered,
        };
        let mut mock = self
            .builder
            .respond_with(responder)
            .named(format!("contract {}", op.id));
        if let Some(times) = self.times {
            mock = mock.expect(times);
        }
        if let Some(n) = self.up_to {
            mock = mock.up_to_n_times(n);
        }
        if let Some(p) = self.priority {
            mock = mock.with_priority(p);
        }
        let guard = server.register_as_scoped(mock).await;
        ContractGuard {
            operation: op.id.clone(),
            shared,
            _mock: guard,
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    requests: Vec<Seen>,
    violations: Vec<String>,
}

/// Keeps a contract mock mounted; gives access to what it received. Dropping a guard
/// that recorded violations panics (or prints them when already panicking).
#[must_use = "the mock is unmounted when the guard is dropped"]
pub struct ContractGuard {
    operation: String,
    shared: Arc<Mutex<Shared>>,
    _mock: MockGuard,
}

/// `value` with every string holding a virtual-key value (`sk-bf-…`) or a
/// bearer credential replaced, for `Debug` output: test logs end up in CI.
fn masked(value: &Value) -> Value {
    match value {
        Value::String(text) if text.contains("sk-bf-") || text.starts_with("Bearer ") => {
            Value::String("<redacted>".to_owned())
        }
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, v)| (name.clone(), masked(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = match &self.body {
            ReplyBody::Json(value) => masked(value).to_string(),
            ReplyBody::Raw(_) => "<raw template>".to_owned(),
        };
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body", &body)
            .field("headers", &self.headers)
            .field("delay", &self.delay)
            .finish()
    }
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen")
            .field("index", &self.index)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("content_type", &self.content_type)
            .field("body", &self.body.as_ref().map(|b| masked(b).to_string()))
            .field("raw_body_len", &self.raw_body.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ContractGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractGuard")
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

impl ContractGuard {
    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<Seen> {
        self.lock().requests.clone()
    }

    /// Number of requests received so far.
    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// The JSON bodies received, in order (requests without a body are skipped).
    pub fn bodies(&self) -> Vec<Value> {
        self.lock()
            .requests
            .iter()
            .filter_map(|r| r.body.clone())
            .collect()
    }

    /// The body of the one request received; panics unless exactly one came with a
    /// JSON body.
    pub fn single_body(&self) -> Value {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "{}: expected exactly one request, got {}",
            self.operation,
            requests.len()
        );
        requests[0]
            .body
            .clone()
            .unwrap_or_else(|| panic!("{}: the request had no JSON body", self.operation))
    }

    /// Contract violations recorded so far.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Takes the recorded violations (for tests that provoke them on purpose).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().violations)
    }

    /// Panics when a violation was recorded.
    pub fn assert_clean(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "{}",
            report(&self.operation, &violations)
        );
    }
}

impl Drop for ContractGuard {
    fn drop(&mut self) {
        let violations = std::mem::take(&mut self.lock().violations);
        if violations.is_empty() {
            return;
        }
        let message = report(&self.operation, &violations);
        if std::thread::panicking() {
            eprintln!("{message}");
        } else {
            panic!("{message}");
        }
    }
}

fn report(operation: &str, violations: &[String]) -> String {
    format!(
        "contract {operation}: {} violation(s):\n  {}",
        violations.len(),
        violations.join("\n  ")
    )
}

/// Matches requests that route to one operation.
struct OperationMatcher {
    op: &'static Operation,
}

impl Match for OperationMatcher {
    fn matches(&self, request: &Request) -> bool {
        spec()
            .route(request.method.as_str(), request.url.path())
            .is_some_and(|op| op.id == self.op.id)
    }
}

struct ContractResponder {
    op: &'static Operation,
    authorization: AuthCheck,
    query: Vec<(String, Option<String>)>,
    path_params: Vec<(String, String)>,
    reply: ReplySource,
    shared: Arc<Mutex<Shared>>,
    on_answered: Vec<Arc<AnsweredFn>>,
}

impl ContractResponder {
    fn seen(&self, request: &Request, index: usize) -> (Seen, Vec<String>) {
        let mut violations = Vec::new();
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let path = request.url.path().to_string();
        let path_params = self
            .op
            .match_path(&path)
            .map(|(_, p)| p)
            .unwrap_or_default();
        let query: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let content_type = header("content-type");
        let body = if request.body.is_empty() {
            None
        } else {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(v) => Some(v),
                Err(e) => {
                    violations.push(format!("request body is not JSON: {e}"));
                    None
                }
            }
        };
        let seen = Seen {
            method: request.method.as_str().to_string(),
            path,
            path_params,
            query,
            authorization: header("authorization"),
            content_type,
            body,
            raw_body: request.body.clone(),
            at: Instant::now(),
            index,
        };
        (seen, violations)
    }

    fn check(&self, seen: &Seen, violations: &mut Vec<String>) {
        let op = self.op;
        match (&self.authorization, &seen.authorization) {
            (AuthCheck::Exactly(want), Some(got)) if want == got => {}
            (AuthCheck::Exactly(want), got) => {
                violations.push(format!("Authorization: expected {want:?}, got {got:?}"));
            }
            (AuthCheck::Absent, Some(got)) => {
                violations.push(format!("Authorization: expected none, got {got:?}"))
            }
            (AuthCheck::Absent | AuthCheck::Any, _) => {}
        }
        for (name, want) in &self.query {
            let got = seen.query(name);
            if got != want.as_deref() {
                violations.push(format!("query `{name}`: expected {want:?}, got {got:?}"));
            }
        }
        for (name, value) in &seen.query {
            match op.parameter("query", name) {
                Some(parameter) => {
                    violations.extend(spec().validate_parameter(&op.id, parameter, value))
                }
                None if op.query_prefix.as_deref().is_some_and(|prefix| {
                    name.len() > prefix.len() && name.starts_with(prefix)
                }) => {}
                None => violations.push(format!(
                    "query parameter `{name}` is not declared by {}",
                    op.id
                )),
            }
        }
        for parameter in op.parameters.iter().filter(|p| p.required) {
            let present = match parameter.location.as_str() {
                "query" => seen.query(&parameter.name).is_some(),
                "path" => seen.path_params.contains_key(&parameter.name),
                _ => true,
            };
            if !present {
                violations.push(format!(
                    "required {} parameter `{}` is missing",
                    parameter.location, parameter.name
                ));
            }
        }
        for (name, want) in &self.path_params {
            let got = seen.path_params.get(name);
            if got != Some(want) {
                violations.push(format!(
                    "path parameter `{name}`: expected {want:?}, got {got:?}"
                ));
            }
        }
        match (&op.request_body, &seen.body) {
            (Some((_, _)), Some(body)) => {
                if !seen
                    .content_type
                    .as_deref()
                    .is_some_and(|ct| ct.starts_with("application/json"))
                {
                    violations.push(format!(
                        "Content-Type: expected application/json, got {:?}",
                        seen.content_type
                    ));
                }
                violations.extend(
                    spec()
                        .validate_request_body(&op.id, body)
                        .into_iter()
                        .map(|e| format!("body {e}")),
                );
            }
            (Some((true, _)), None) if seen.raw_body.is_empty() => {
                violations.push("the operation requires a JSON body; none was sent".into());
            }
            (None, _) if !seen.raw_body.is_empty() => {
                violations.push(format!(
                    "the operation takes no body; {} bytes were sent",
                    seen.raw_body.len()
                ));
            }
            _ => {}
        }
    }

    fn reply_for(&self, seen: &Seen) -> Reply {
        match &self.reply {
            ReplySource::Fixed(reply) => reply.clone(),
            ReplySource::Sequence(replies, next) => {
                let i = next.fetch_add(1, Ordering::SeqCst).min(replies.len() - 1);
                replies[i].clone()
            }
            ReplySource::Dynamic(f) => f(seen),
        }
    }
}

impl Respond for ContractResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let index = self
            .shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .requests
            .len();
        let (seen, mut violations) = self.seen(request, index);
        self.check(&seen, &mut violations);
        let reply = if violations.is_empty() {
            Some(self.reply_for(&seen))
        } else {
            None
        };
        if let (Some(reply), ReplySource::Dynamic(_)) = (&reply, &self.reply) {
            violations.extend(
                reply
                    .violations(self.op)
                    .into_iter()
                    .map(|v| format!("the test's responder: {v}")),
            );
        }
        let label = format!("request #{} {} {}", index + 1, seen.method, seen.path);
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.requests.push(seen);
        match reply {
            Some(reply) if violations.is_empty() => {
                drop(shared);
                for observer in &self.on_answered {
                    observer(&self.op.id);
                }
                reply.template()
            }
            _ => {
                let message = format!(
                    "CONTRACT VIOLATION {}: {label}: {}",
                    self.op.id,
                    violations.join("; ")
                );
                shared
                    .violations
                    .extend(violations.into_iter().map(|v| format!("{label}: {v}")));
                ResponseTemplate::new(VIOLATION_STATUS).set_body_json(json!({
                    "is_bifrost_error": false,
                    "status_code": VIOLATION_STATUS,
                    "error": { "message": message },
                }))
            }
        }
    }
}
