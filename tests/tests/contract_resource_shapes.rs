//! Shapes every resource shares, each run over a table of resources: a delete sends
//! no body and succeeds; a missing entity is `not_found` on the first attempt (a
//! delete too) and after a retry (a delete then succeeds); a name taken on create is
//! `conflict`; a rejected key is `unauthorized`; blank ids and names are refused
//! before sending. Every fault keeps the server's message and is not retried.
//!
//! A row is one SDK call: the operation it must send, to which path, and the fault
//! message its server answers with. The file is a `contract_*` binary, so the
//! operations its mocks answer count for the coverage gate (`coverage.rs`).
//! What is particular to one resource stays in that resource's `contract_*` file.
//!
//! Lists share one shape too: without filters a list sends `limit` and `offset` and
//! nothing else, and a page whose items are `null` (Go's nil slice) is empty.

use bifrost_governance::{Client, Error, Result};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, accessors, client, mount_version};
use futures::future::BoxFuture;
use serde_json::json;
use wiremock::MockServer;

/// An SDK call with its one input (an id or a name; ignored by list calls).
type Call = fn(Client, &'static str) -> BoxFuture<'static, Result<()>>;

/// One call of one resource.
struct Row {
    /// What the call is, for failure messages.
    what: &'static str,
    /// The operation the call must send.
    operation: &'static str,
    /// The version `get_version` answers, for calls that ask it (routing rules
    /// choose `/api/routing` or the legacy route by it).
    version: Option<&'static str>,
    /// The id or name the call is made with.
    input: &'static str,
    /// The path parameter `input` fills, pinned in the mock.
    param: Option<&'static str>,
    /// The request the call must send.
    method: &'static str,
    path: &'static str,
    call: Call,
    /// The message of the error envelope the server answers in this row's fault.
    message: &'static str,
}

/// A server on the newest routing API, and one before it (legacy routes).
const NEWEST: Option<&str> = Some("v2.3.1");
const LEGACY: Option<&str> = Some("v1.5.2");

const DELETES: &[Row] = &[
    Row {
        what: "customers delete",
        operation: "delete_customer",
        version: None,
        input: "cust-1",
        param: Some("customer_id"),
        method: "DELETE",
        path: "/api/governance/customers/cust-1",
        call: |c, id| Box::pin(async move { c.customers().delete(id).await }),
        message: "Customer not found",
    },
    Row {
        what: "model configs delete",
        operation: "delete_model_config",
        version: None,
        input: "mc-1",
        param: Some("mc_id"),
        method: "DELETE",
        path: "/api/governance/model-configs/mc-1",
        call: |c, id| Box::pin(async move { c.model_configs().delete(id).await }),
        message: "Model config not found",
    },
    Row {
        what: "pricing overrides delete",
        operation: "delete_pricing_override",
        version: None,
        input: "po-1",
        param: Some("override_id"),
        method: "DELETE",
        path: "/api/governance/pricing-overrides/po-1",
        call: |c, id| Box::pin(async move { c.pricing_overrides().delete(id).await }),
        message: "pricing override not found",
    },
    Row {
        what: "providers delete",
        operation: "delete_provider_governance",
        version: None,
        input: "openai",
        param: Some("provider_name"),
        method: "DELETE",
        path: "/api/governance/providers/openai",
        call: |c, name| Box::pin(async move { c.providers().delete(name).await }),
        message: "provider not found",
    },
    Row {
        what: "routing rules delete",
        operation: "delete_routing_rule",
        version: NEWEST,
        input: "rule-1",
        param: Some("rule_id"),
        method: "DELETE",
        path: "/api/routing/rules/rule-1",
        call: |c, id| Box::pin(async move { c.routing_rules().delete(id).await }),
        message: "routing rule not found",
    },
    Row {
        what: "routing rules delete (legacy route)",
        operation: "delete_routing_rule_legacy",
        version: LEGACY,
        input: "rule-1",
        param: Some("rule_id"),
        method: "DELETE",
        path: "/api/governance/routing-rules/rule-1",
        call: |c, id| Box::pin(async move { c.routing_rules().delete(id).await }),
        message: "routing rule not found",
    },
    Row {
        what: "teams delete",
        operation: "delete_team",
        version: None,
        input: "team-1",
        param: Some("team_id"),
        method: "DELETE",
        path: "/api/governance/teams/team-1",
        call: |c, id| Box::pin(async move { c.teams().delete(id).await }),
        message: "Team not found",
    },
    Row {
        what: "virtual keys delete",
        operation: "delete_virtual_key",
        version: None,
        input: "vk-1",
        param: Some("vk_id"),
        method: "DELETE",
        path: "/api/governance/virtual-keys/vk-1",
        call: |c, id| Box::pin(async move { c.virtual_keys().delete(id).await }),
        message: "Virtual key not found",
    },
];

const TEAMS_GET: Row = Row {
    what: "teams get",
    operation: "get_team",
    version: None,
    input: "team-1",
    param: Some("team_id"),
    method: "GET",
    path: "/api/governance/teams/team-1",
    call: |c, id| Box::pin(async move { c.teams().get(id).await.map(drop) }),
    message: "Team not found",
};

const GETS: &[Row] = &[
    Row {
        what: "customers get",
        operation: "get_customer",
        version: None,
        input: "cust-1",
        param: Some("customer_id"),
        method: "GET",
        path: "/api/governance/customers/cust-1",
        call: |c, id| Box::pin(async move { c.customers().get(id).await.map(drop) }),
        message: "Customer not found",
    },
    Row {
        what: "model configs get",
        operation: "get_model_config",
        version: None,
        input: "mc-1",
        param: Some("mc_id"),
        method: "GET",
        path: "/api/governance/model-configs/mc-1",
        call: |c, id| Box::pin(async move { c.model_configs().get(id).await.map(drop) }),
        message: "Model config not found",
    },
    Row {
        what: "routing rules get",
        operation: "get_routing_rule",
        version: NEWEST,
        input: "rule-1",
        param: Some("rule_id"),
        method: "GET",
        path: "/api/routing/rules/rule-1",
        call: |c, id| Box::pin(async move { c.routing_rules().get(id).await.map(drop) }),
        message: "routing rule not found",
    },
    Row {
        what: "routing rules get (legacy route)",
        operation: "get_routing_rule_legacy",
        version: LEGACY,
        input: "rule-1",
        param: Some("rule_id"),
        method: "GET",
        path: "/api/governance/routing-rules/rule-1",
        call: |c, id| Box::pin(async move { c.routing_rules().get(id).await.map(drop) }),
        message: "routing rule not found",
    },
    TEAMS_GET,
    Row {
        what: "virtual keys get",
        operation: "get_virtual_key",
        version: None,
        input: "vk-1",
        param: Some("vk_id"),
        method: "GET",
        path: "/api/governance/virtual-keys/vk-1",
        call: |c, id| Box::pin(async move { c.virtual_keys().get(id).await.map(drop) }),
        message: "Virtual key not found",
    },
];

/// Updates of an entity the server does not have.
const UPDATES: &[Row] = &[Row {
    what: "providers update",
    operation: "update_provider_governance",
    version: None,
    input: "nope",
    param: Some("provider_name"),
    method: "PUT",
    path: "/api/governance/providers/nope",
    call: |c, name| {
        Box::pin(async move {
            c.providers()
                .update(name)
                .clear_rate_limit()
                .send()
                .await
                .map(drop)
        })
    },
    message: "provider not found",
}];

/// Creates of a name the server already has.
const CREATES: &[Row] = &[
    Row {
        what: "customers create",
        operation: "create_customer",
        version: None,
        input: "Acme",
        param: None,
        method: "POST",
        path: "/api/governance/customers",
        call: |c, name| Box::pin(async move { c.customers().create(name).send().await.map(drop) }),
        message: "customer name already exists",
    },
    Row {
        what: "model configs create",
        operation: "create_model_config",
        version: None,
        input: "gpt-4o",
        param: None,
        method: "POST",
        path: "/api/governance/model-configs",
        call: |c, model| {
            Box::pin(async move { c.model_configs().create(model).send().await.map(drop) })
        },
        message: "model config already exists",
    },
    Row {
        what: "teams create",
        operation: "create_team",
        version: None,
        input: "platform",
        param: None,
        method: "POST",
        path: "/api/governance/teams",
        call: |c, name| Box::pin(async move { c.teams().create(name).send().await.map(drop) }),
        message: "A team with this name already exists",
    },
    Row {
        what: "virtual keys create",
        operation: "create_virtual_key",
        version: None,
        input: "checkout",
        param: None,
        method: "POST",
        path: "/api/governance/virtual-keys",
        call: |c, name| {
            Box::pin(async move { c.virtual_keys().create(name).send().await.map(drop) })
        },
        message: "virtual key name already exists",
    },
];

/// Calls answered 401 (a key the server does not accept).
const UNAUTHORIZED: &[Row] = &[
    Row {
        message: "Unauthorized",
        ..TEAMS_GET
    },
    Row {
        what: "rate limits list",
        operation: "list_rate_limits",
        version: None,
        input: "",
        param: None,
        method: "GET",
        path: "/api/governance/rate-limits",
        call: |c, _| Box::pin(async move { c.rate_limits().list().await.map(drop) }),
        message: "invalid API key",
    },
];

/// A mock of `row`'s operation answering `replies` in order (the last repeats),
/// with the row's path parameter pinned, `get_version` when the row needs it, and
/// a client of that server.
struct Served {
    guard: ContractGuard,
    _version: Option<ContractGuard>,
    client: Client,
    _server: MockServer,
}

/// `get_version` answering `version`, for rows whose call asks it.
async fn version_of(server: &MockServer, version: Option<&str>) -> Option<ContractGuard> {
    match version {
        Some(v) => Some(mount_version(server, v).await),
        None => None,
    }
}

async fn serve(row: &Row, replies: Vec<Reply>) -> Served {
    let server = MockServer::start().await;
    let version = version_of(&server, row.version).await;
    let mut mock = contract::expect(row.operation).authorization(AUTHORIZATION);
    if let Some(name) = row.param {
        mock = mock.path_param(name, row.input);
    }
    let guard = mock.respond_seq(replies).mount(&server).await;
    Served {
        guard,
        _version: version,
        client: client(&server.uri()),
        _server: server,
    }
}

impl Served {
    async fn call(&self, row: &Row) -> Result<()> {
        (row.call)(self.client.clone(), row.input).await
    }

    /// The mock received `attempts` requests, each `row`'s method and path, with no
    /// body unless the method carries one.
    fn assert_sent(&self, row: &Row, attempts: usize) {
        let requests = self.guard.requests();
        assert_eq!(requests.len(), attempts, "{}: requests", row.what);
        for seen in &requests {
            assert_eq!(
                (seen.method.as_str(), seen.path.as_str()),
                (row.method, row.path),
                "{}",
                row.what
            );
            if matches!(row.method, "GET" | "DELETE") {
                assert!(
                    seen.raw_body.is_empty(),
                    "{}: sent a body {:?}",
                    row.what,
                    String::from_utf8_lossy(&seen.raw_body)
                );
            }
        }
    }
}

/// What a row's call must come to.
enum Outcome {
    Success,
    /// The server's error of this status, with only this accessor true (so not
    /// retryable) and the row's message kept.
    Api(u16, &'static str),
}

/// Runs each row's call against a server answering `replies` in order, and checks
/// that it comes to `outcome` after `attempts` requests of the row.
async fn run(
    rows: impl IntoIterator<Item = &Row>,
    replies: fn(&Row) -> Vec<Reply>,
    outcome: Outcome,
    attempts: usize,
) {
    for row in rows {
        let served = serve(row, replies(row)).await;

        let result = served.call(row).await;

        match (&outcome, result) {
            (Outcome::Success, result) => {
                result.unwrap_or_else(|e| panic!("{}: {e:?}", row.what));
            }
            (Outcome::Api(status, accessor), Err(err)) => {
                assert_eq!(accessors(&err), [*accessor], "{}: {err:?}", row.what);
                let api = err
                    .as_api()
                    .unwrap_or_else(|| panic!("{}: expected Error::Api, got {err:?}", row.what));
                assert_eq!(
                    (api.operation, api.status.as_u16(), api.message.as_str()),
                    (row.operation, *status, row.message),
                    "{}",
                    row.what
                );
            }
            (Outcome::Api(..), Ok(())) => panic!("{}: succeeded", row.what),
        }
        served.assert_sent(row, attempts);
    }
}

fn unavailable(status: u16) -> Reply {
    Reply::error(status, "upstream unavailable")
}

// ------------------------------------------------------------------ shapes

#[tokio::test]
async fn a_delete_sends_no_body_and_succeeds() {
    let deleted = |_: &Row| vec![Reply::ok(json!({ "message": "deleted successfully" }))];
    run(DELETES, deleted, Outcome::Success, 1).await;
}

#[tokio::test]
async fn a_missing_entity_is_not_found_on_the_first_attempt_even_for_a_delete() {
    let rows = DELETES.iter().chain(GETS).chain(UPDATES);
    let missing = |row: &Row| vec![Reply::error(404, row.message)];
    run(rows, missing, Outcome::Api(404, "not_found"), 1).await;
}

#[tokio::test]
async fn a_delete_whose_retry_finds_the_entity_gone_has_succeeded() {
    let gone_on_retry = |row: &Row| vec![unavailable(503), Reply::error(404, row.message)];
    run(DELETES, gone_on_retry, Outcome::Success, 2).await;
}

#[tokio::test]
async fn a_get_whose_retry_answers_404_is_still_not_found() {
    let missing_on_retry = |row: &Row| vec![unavailable(502), Reply::error(404, row.message)];
    run(GETS, missing_on_retry, Outcome::Api(404, "not_found"), 2).await;
}

#[tokio::test]
async fn a_name_taken_on_create_is_conflict_in_one_request() {
    let taken = |row: &Row| vec![Reply::error(409, row.message)];
    run(CREATES, taken, Outcome::Api(409, "conflict"), 1).await;
}

#[tokio::test]
async fn a_rejected_key_is_unauthorized_and_not_retried() {
    let rejected = |row: &Row| vec![Reply::error(401, row.message)];
    run(UNAUTHORIZED, rejected, Outcome::Api(401, "unauthorized"), 1).await;
}

#[tokio::test]
async fn blank_ids_and_names_are_refused_before_sending() {
    for row in DELETES.iter().chain(GETS).chain(UPDATES).chain(CREATES) {
        let server = MockServer::start().await;
        let version = contract::expect("get_version")
            .any_authorization()
            .respond(Reply::ok(json!("v2.3.1")))
            .times(0)
            .mount(&server)
            .await;
        let guard = contract::expect(row.operation)
            .authorization(AUTHORIZATION)
            .respond(Reply::error(404, row.message))
            .times(0)
            .mount(&server)
            .await;
        let client = client(&server.uri());

        for blank in ["", "  "] {
            let err = (row.call)(client.clone(), blank).await.unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput(_)),
                "{} with {blank:?}: {err:?}",
                row.what
            );
        }
        assert_eq!(
            (guard.request_count(), version.request_count()),
            (0, 0),
            "{}",
            row.what
        );
    }
}

/// A list call of one resource with no filter set: how many items it yielded.
type ListCall = fn(Client) -> BoxFuture<'static, Result<usize>>;

/// One paged list.
struct Listing {
    what: &'static str,
    operation: &'static str,
    version: Option<&'static str>,
    /// The member of the page that holds the items.
    items: &'static str,
    call: ListCall,
}

const LISTINGS: &[Listing] = &[
    Listing {
        what: "customers",
        operation: "list_customers",
        version: None,
        items: "customers",
        call: |c| Box::pin(async move { Ok(c.customers().list().collect_all().await?.len()) }),
    },
    Listing {
        what: "model configs",
        operation: "list_model_configs",
        version: None,
        items: "model_configs",
        call: |c| Box::pin(async move { Ok(c.model_configs().list().collect_all().await?.len()) }),
    },
    Listing {
        what: "pricing overrides",
        operation: "list_pricing_overrides",
        version: None,
        items: "pricing_overrides",
        call: |c| {
            Box::pin(async move { Ok(c.pricing_overrides().list().collect_all().await?.len()) })
        },
    },
    Listing {
        what: "routing rules",
        operation: "list_routing_rules",
        version: NEWEST,
        items: "rules",
        call: |c| Box::pin(async move { Ok(c.routing_rules().list().collect_all().await?.len()) }),
    },
    Listing {
        what: "routing rules (legacy route)",
        operation: "list_routing_rules_legacy",
        version: LEGACY,
        items: "rules",
        call: |c| Box::pin(async move { Ok(c.routing_rules().list().collect_all().await?.len()) }),
    },
    Listing {
        what: "teams (one page)",
        operation: "list_teams",
        version: None,
        items: "teams",
        call: |c| Box::pin(async move { Ok(c.teams().list().send().await?.items.len()) }),
    },
    Listing {
        what: "virtual keys (one page)",
        operation: "list_virtual_keys",
        version: None,
        items: "virtual_keys",
        call: |c| Box::pin(async move { Ok(c.virtual_keys().list().send().await?.items.len()) }),
    },
];

#[tokio::test]
async fn a_list_without_filters_sends_only_limit_and_offset_and_null_items_are_empty() {
    for row in LISTINGS {
        let server = MockServer::start().await;
        let _version = version_of(&server, row.version).await;
        let guard = contract::expect(row.operation)
            .authorization(AUTHORIZATION)
            .respond(Reply::ok(json!({
                row.items: null, "count": 0, "total_count": 0, "limit": 100, "offset": 0
            })))
            .mount(&server)
            .await;

        let count = (row.call)(client(&server.uri())).await.unwrap();

        assert_eq!(count, 0, "{}: `{}: null` is empty", row.what, row.items);
        let requests = guard.requests();
        assert_eq!(requests.len(), 1, "{}", row.what);
        let mut sent: Vec<(&str, &str)> = requests[0]
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        sent.sort_unstable();
        assert_eq!(sent, [("limit", "100"), ("offset", "0")], "{}", row.what);
    }
}
