//! Contract tests of the customer operations, through the ergonomic crate: requests
//! are checked against openapi.yaml, canned responses are validated against the
//! response schemas, and the exact bodies sent are asserted.
//!
//! Budgets are version-gated: v1.x servers keep one `budget` per customer, v2.x a set
//! of `budgets`. The SDK asks `GET /api/version` (once per client) whenever a create
//! or update carries budgets; `capabilities.rs` covers a failed or unparsable answer.

use bifrost_governance::{BudgetSpec, BudgetSpecs, Capability, Error, RateLimitSpec, ResetPeriod};
use bifrost_governance_tests::contract::{self, ContractGuard, Reply};
use bifrost_governance_tests::support::{AUTHORIZATION, client, mount_version};
use serde_json::{Value, json};
use wiremock::MockServer;

/// A customer with every field the server fills in, including its teams and its
/// virtual keys (which carry their secret values).
fn full_customer() -> Value {
    json!({
        "id": "cust-1",
        "name": "Acme",
        "budget_id": null,
        "budgets": [
            {
                "id": "bud-m",
                "max_limit": 1000.0,
                "reset_duration": "1M",
                "current_usage": 120.25,
                "calendar_aligned": true,
                "customer_id": "cust-1",
                "last_reset": "2026-07-01T00:00:00Z"
            },
            { "id": "bud-d", "max_limit": 50.0, "reset_duration": "1d", "current_usage": 0.0, "customer_id": "cust-1" }
        ],
        "rate_limit_id": "rl-1",
        "rate_limit": {
            "id": "rl-1",
            "token_max_limit": 5000000,
            "token_reset_duration": "1d",
            "token_current_usage": 1234,
            "request_max_limit": 1000,
            "request_reset_duration": "1h",
            "request_current_usage": 17
        },
        "teams": [
            { "id": "team-1", "name": "platform", "customer_id": "cust-1", "budgets": [], "virtual_key_count": 2 }
        ],
        "virtual_keys": [
            { "id": "vk-1", "name": "checkout", "value": "sk-bf-c0ffee00-0000-4000-8000-000000000001", "customer_id": "cust-1", "is_active": true }
        ],
        "calendar_aligned": true,
        "config_hash": "abc",
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-03T03:04:05Z"
    })
}

fn assert_full_customer(customer: &bifrost_governance::types::Customer) {
    assert_eq!(
        (customer.id.as_str(), customer.name.as_str()),
        ("cust-1", "Acme")
    );
    let budgets = customer.budgets.as_ref().expect("budgets");
    assert_eq!(
        budgets
            .iter()
            .map(|b| (
                b.id.as_str(),
                b.max_limit,
                b.reset_duration.as_deref(),
                b.current_usage
            ))
            .collect::<Vec<_>>(),
        [
            ("bud-m", Some(1000.0), Some("1M"), Some(120.25)),
            ("bud-d", Some(50.0), Some("1d"), Some(0.0))
        ]
    );
    assert_eq!(budgets[0].calendar_aligned, Some(true));
    assert_eq!(budgets[0].customer_id.as_deref(), Some("cust-1"));
    let rate_limit = customer.rate_limit.as_ref().expect("rate limit");
    assert_eq!(
        (
            rate_limit.token_max_limit,
            rate_limit.token_reset_duration.as_deref()
        ),
        (Some(5_000_000), Some("1d"))
    );
    assert_eq!(
        (
            rate_limit.request_max_limit,
            rate_limit.request_reset_duration.as_deref()
        ),
        (Some(1000), Some("1h"))
    );
    assert_eq!(rate_limit.request_current_usage, Some(17));
    let teams = customer.teams.as_ref().expect("teams");
    assert_eq!(
        (teams[0].id.as_str(), teams[0].virtual_key_count),
        ("team-1", Some(2))
    );
    let key = &customer.virtual_keys.as_ref().expect("virtual keys")[0];
    assert_eq!(key.id, "vk-1");
    assert_eq!(
        key.value.as_ref().unwrap().expose_secret(),
        "sk-bf-c0ffee00-0000-4000-8000-000000000001"
    );
    assert_eq!(customer.calendar_aligned, Some(true));
    assert_eq!(customer.rate_limit_id.as_deref(), Some("rl-1"));
    assert_eq!(
        customer.created_at.map(|t| t.timestamp()),
        Some(1_767_323_045)
    );
}

fn written(customer: Value) -> Reply {
    Reply::ok(json!({ "message": "Customer updated successfully", "customer": customer }))
}

fn monthly() -> BudgetSpec {
    BudgetSpec::new(1000.0, ResetPeriod::months(1)).unwrap()
}

fn daily() -> BudgetSpec {
    BudgetSpec::new(50.0, ResetPeriod::days(1)).unwrap()
}

fn thousand_an_hour() -> RateLimitSpec {
    RateLimitSpec::builder()
        .tokens(5_000_000, ResetPeriod::days(1))
        .requests(1000, ResetPeriod::hours(1))
        .build()
        .unwrap()
}

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_sends_search_and_paging_and_decodes_the_page() {
    let server = MockServer::start().await;
    let guard = contract::expect("list_customers")
        .authorization(AUTHORIZATION)
        .query("limit", "10")
        .query("offset", "30")
        .query("search", "acm")
        .respond(Reply::ok(json!({
            "customers": [full_customer()],
            "count": 1,
            "total_count": 31,
            "limit": 10,
            "offset": 30
        })))
        .times(1)
        .mount(&server)
        .await;

    let page = client(&server.uri())
        .customers()
        .list()
        .search("acm")
        .page_size(10)
        .offset(30)
        .send()
        .await
        .unwrap();

    assert_eq!((page.total_count, page.limit, page.offset), (31, 10, 30));
    assert_eq!(page.items.len(), 1);
    assert_full_customer(&page.items[0]);
    assert_eq!(guard.requests()[0].query.len(), 3);
}

// ------------------------------------------------------------------ get

#[tokio::test]
async fn get_decodes_budgets_rate_limit_teams_and_keys() {
    let server = MockServer::start().await;
    let guard = contract::expect("get_customer")
        .authorization(AUTHORIZATION)
        .path_param("customer_id", "cust-1")
        .respond(Reply::ok(json!({ "customer": full_customer() })))
        .times(1)
        .mount(&server)
        .await;

    let customer = client(&server.uri())
        .customers()
        .get("cust-1")
        .await
        .unwrap();

    assert_full_customer(&customer);
    assert!(guard.requests()[0].raw_body.is_empty());
}

#[tokio::test]
async fn get_decodes_a_v1_customer_with_a_single_budget() {
    let server = MockServer::start().await;
    let _guard = contract::expect("get_customer")
        .authorization(AUTHORIZATION)
        .path_param("customer_id", "cust-1")
        .respond(Reply::ok(json!({ "customer": {
            "id": "cust-1",
            "name": "Acme",
            "budget_id": "bud-1",
            "budget": { "id": "bud-1", "max_limit": 100.0, "reset_duration": "1M", "current_usage": 3.5 },
            "rate_limit_id": null,
            "teams": null,
            "virtual_keys": null
        }})))
        .mount(&server)
        .await;

    let customer = client(&server.uri())
        .customers()
        .get("cust-1")
        .await
        .unwrap();

    let budget = customer.budget.expect("legacy single budget");
    assert_eq!(
        (budget.id.as_str(), budget.max_limit),
        ("bud-1", Some(100.0))
    );
    assert_eq!(customer.budget_id.as_deref(), Some("bud-1"));
    assert!(customer.budgets.is_none() && customer.teams.is_none());
}

// ------------------------------------------------------------------ create

/// Mounts `create_customer` answering the full customer.
async fn create_mock(server: &MockServer) -> ContractGuard {
    contract::expect("create_customer")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(
            json!({ "message": "Customer created successfully", "customer": full_customer() }),
        ))
        .mount(server)
        .await
}

#[tokio::test]
async fn create_without_budgets_sends_the_name_and_asks_no_version() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_mock(&server).await;

    let customer = client(&server.uri())
        .customers()
        .create("Acme")
        .send()
        .await
        .unwrap();

    assert_full_customer(&customer);
    assert_eq!(create.single_body(), json!({ "name": "Acme" }));
    assert_eq!(
        version.request_count(),
        0,
        "nothing is gated without budgets"
    );
}

#[tokio::test]
async fn create_on_v2_sends_budgets_as_a_list() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = create_mock(&server).await;

    client(&server.uri())
        .customers()
        .create("Acme")
        .budget(monthly())
        .rate_limit(thousand_an_hour())
        .calendar_aligned(true)
        .send()
        .await
        .unwrap();

    assert_eq!(version.request_count(), 1);
    assert_eq!(
        create.single_body(),
        json!({
            "name": "Acme",
            "budgets": [{ "max_limit": 1000.0, "reset_duration": "1M", "calendar_aligned": true }],
            "rate_limit": {
                "token_max_limit": 5000000,
                "token_reset_duration": "1d",
                "request_max_limit": 1000,
                "request_reset_duration": "1h"
            },
            "calendar_aligned": true
        })
    );
}

#[tokio::test]
async fn create_on_v2_sends_several_budgets() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v2.0.0").await;
    let create = create_mock(&server).await;

    client(&server.uri())
        .customers()
        .create("Acme")
        .budgets(BudgetSpecs::try_from([monthly(), daily()]).unwrap())
        .send()
        .await
        .unwrap();

    assert_eq!(
        create.single_body(),
        json!({
            "name": "Acme",
            "budgets": [
                { "max_limit": 1000.0, "reset_duration": "1M" },
                { "max_limit": 50.0, "reset_duration": "1d" }
            ]
        })
    );
}

#[tokio::test]
async fn create_on_v1_with_one_budget_sends_the_singular_budget() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v1.5.2").await;
    let create = create_mock(&server).await;

    client(&server.uri())
        .customers()
        .create("Acme")
        .budget(monthly())
        .send()
        .await
        .unwrap();

    assert_eq!(version.request_count(), 1);
    assert_eq!(
        create.single_body(),
        json!({ "name": "Acme", "budget": { "max_limit": 1000.0, "reset_duration": "1M" } })
    );
}

#[tokio::test]
async fn create_on_v1_with_two_budgets_is_refused_before_sending() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.2").await;
    let create = contract::expect("create_customer")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "customer": full_customer() })))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .customers()
        .create("Acme")
        .budget(monthly())
        .budget(daily())
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            Error::Unsupported {
                capability: Capability::MultiBudgetOwners,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(create.request_count(), 0);
}

#[tokio::test]
async fn invalid_creates_send_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let create = contract::expect("create_customer")
        .authorization(AUTHORIZATION)
        .respond(Reply::ok(json!({ "customer": full_customer() })))
        .times(0)
        .mount(&server)
        .await;
    let customers = client(&server.uri()).customers();

    let blank = customers.create(" ").send().await.unwrap_err();
    let repeated = customers
        .create("Acme")
        .budget(daily())
        .budget(BudgetSpec::new(1.0, ResetPeriod::hours(24)).unwrap())
        .send()
        .await
        .unwrap_err();
    let hourly_aligned = customers
        .create("Acme")
        .budget(BudgetSpec::new(1.0, ResetPeriod::hours(1)).unwrap())
        .calendar_aligned(true)
        .send()
        .await
        .unwrap_err();

    for err in [blank, repeated, hourly_aligned] {
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert_eq!((version.request_count(), create.request_count()), (0, 0));
}

// ------------------------------------------------------------------ update

/// The body of one update against a server of `version`.
async fn update_body(
    version: &str,
    update: impl AsyncFnOnce(&bifrost_governance::Client) -> bifrost_governance::Result<()>,
) -> Value {
    let server = MockServer::start().await;
    let _version = mount_version(&server, version).await;
    let put = contract::expect("update_customer")
        .authorization(AUTHORIZATION)
        .path_param("customer_id", "cust-1")
        .respond(written(full_customer()))
        .mount(&server)
        .await;
    update(&client(&server.uri())).await.unwrap();
    put.single_body()
}

#[tokio::test]
async fn update_clear_budgets_sends_an_empty_list_on_v2() {
    let body = update_body("v2.3.1", async |c| {
        c.customers()
            .update("cust-1")
            .clear_budgets()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "budgets": [] }));
}

#[tokio::test]
async fn update_clear_budgets_sends_an_empty_budget_on_v1() {
    let body = update_body("v1.5.2", async |c| {
        c.customers()
            .update("cust-1")
            .clear_budgets()
            .send()
            .await
            .map(drop)
    })
    .await;
    assert_eq!(body, json!({ "budget": {} }));
}

#[tokio::test]
async fn update_set_budgets_on_v1_sends_the_single_budget() {
    let body = update_body("v1.5.2", async |c| {
        c.customers()
            .update("cust-1")
            .set_budgets(BudgetSpecs::from(monthly()))
            .send()
            .await
            .map(drop)
    })
    .await;
    // (Calendar alignment of customers is refused there: v1.5.2 ignores it.)
    assert_eq!(
        body,
        json!({ "budget": { "max_limit": 1000.0, "reset_duration": "1M" } })
    );
}

#[tokio::test]
async fn update_sends_every_field_that_was_set_on_v2() {
    let body = update_body("v2.3.1", async |c| {
        let customer = c
            .customers()
            .update("cust-1")
            .set_name("Acme Corp")
            .set_budgets(BudgetSpecs::try_from([monthly(), daily()]).unwrap())
            .set_rate_limit(thousand_an_hour())
            .calendar_aligned(false)
            .reset_budget_usage()
            .send()
            .await?;
        assert_full_customer(&customer);
        Ok(())
    })
    .await;
    assert_eq!(
        body,
        json!({
            "name": "Acme Corp",
            "budgets": [
                { "max_limit": 1000.0, "reset_duration": "1M", "calendar_aligned": false },
                { "max_limit": 50.0, "reset_duration": "1d", "calendar_aligned": false }
            ],
            "rate_limit": {
                "token_max_limit": 5000000,
                "token_reset_duration": "1d",
                "request_max_limit": 1000,
                "request_reset_duration": "1h"
            },
            "calendar_aligned": false,
            "reset_budget_usage": true
        })
    );
}

#[tokio::test]
async fn update_clear_rate_limit_sends_an_empty_object_and_asks_no_version() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let put = contract::expect("update_customer")
        .authorization(AUTHORIZATION)
        .path_param("customer_id", "cust-1")
        .respond(written(full_customer()))
        .mount(&server)
        .await;
    let c = client(&server.uri());

    c.customers()
        .update("cust-1")
        .clear_rate_limit()
        .send()
        .await
        .unwrap();
    c.customers().update("cust-1").send().await.unwrap();

    assert_eq!(put.bodies(), [json!({ "rate_limit": {} }), json!({})]);
    assert_eq!(
        version.request_count(),
        0,
        "nothing is gated without budgets"
    );
}

#[tokio::test]
async fn update_on_v1_with_two_budgets_is_refused_before_sending() {
    let server = MockServer::start().await;
    let _version = mount_version(&server, "v1.5.2").await;
    let put = contract::expect("update_customer")
        .authorization(AUTHORIZATION)
        .respond(written(full_customer()))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .customers()
        .update("cust-1")
        .set_budgets(BudgetSpecs::try_from([monthly(), daily()]).unwrap())
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    assert_eq!(put.request_count(), 0);
}

#[tokio::test]
async fn update_with_a_blank_name_sends_nothing() {
    let server = MockServer::start().await;
    let version = mount_version(&server, "v2.3.1").await;
    let put = contract::expect("update_customer")
        .authorization(AUTHORIZATION)
        .respond(written(full_customer()))
        .times(0)
        .mount(&server)
        .await;

    let err = client(&server.uri())
        .customers()
        .update("cust-1")
        .set_name("  ")
        .set_budgets(BudgetSpecs::from(monthly()))
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!((version.request_count(), put.request_count()), (0, 0));
}

// Deletes, and the not-found and conflict shapes every resource shares, are in
// contract_resource_shapes.rs.
