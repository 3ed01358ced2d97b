//! Fidelity of the pricing-override routes (FIDELITY.md, "Pricing overrides").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, id, names};
use reqwest::Method;
use serde_json::{Value, json};

const PATH: &str = "/api/governance/pricing-overrides";

fn override_body(name: &str) -> Value {
    json!({
        "name": name,
        "scope_kind": "global",
        "match_type": "exact",
        "pattern": "gpt-4o",
        "request_types": ["chat_completion"],
        "patch": {"input_cost_per_token": 0.5}
    })
}

async fn create(api: &Api, body: Value) -> common::Raw {
    api.send(Method::POST, PATH, body).await
}

fn with(changes: Value) -> Value {
    let mut body = override_body("po");
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn pricing_create_is_201() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = create(&api, override_body("po")).await;
        let body = raw.expect(201);
        assert_eq!(body["message"], "Pricing override created successfully");
        assert_eq!(body["pricing_override"]["name"], "po");
    }
}

#[tokio::test]
async fn pricing_create_needs_a_name() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, with(json!({"name": "  "})))
            .await
            .assert_error(400, "name is required");
        // The name comes before every other check.
        create(&api, json!({"scope_kind": "nope"}))
            .await
            .assert_error(400, "name is required");
    }
}

#[tokio::test]
async fn pricing_scope_kind_checks() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for (changes, message) in [
            (
                json!({"provider_id": "openai"}),
                "global scope_kind must not include scope identifiers",
            ),
            (
                json!({"scope_kind": "provider"}),
                "provider_id is required for provider scope_kind",
            ),
            (
                json!({"scope_kind": "provider", "provider_id": "openai", "virtual_key_id": "vk"}),
                "provider scope_kind only supports provider_id",
            ),
            (
                json!({"scope_kind": "provider_key"}),
                "provider_key_id is required for provider_key scope_kind",
            ),
            (
                json!({"scope_kind": "provider_key", "provider_key_id": "k", "provider_id": "openai"}),
                "provider_key scope_kind only supports provider_key_id",
            ),
            (
                json!({"scope_kind": "virtual_key"}),
                "virtual_key_id is required for virtual_key scope_kind",
            ),
            (
                json!({"scope_kind": "virtual_key", "virtual_key_id": "vk", "provider_key_id": "k"}),
                "virtual_key scope_kind only supports virtual_key_id",
            ),
            (
                json!({"scope_kind": "virtual_key_provider", "virtual_key_id": "vk"}),
                "virtual_key_id and provider_id are required for virtual_key_provider scope_kind",
            ),
            (
                json!({"scope_kind": "virtual_key_provider", "virtual_key_id": "vk", "provider_id": "p", "provider_key_id": "k"}),
                "virtual_key_provider scope_kind does not support provider_key_id",
            ),
            (
                json!({"scope_kind": "virtual_key_provider_key", "virtual_key_id": "vk"}),
                "virtual_key_id, provider_id, and provider_key_id are required for virtual_key_provider_key scope_kind",
            ),
            (
                json!({"scope_kind": "team"}),
                "unsupported scope_kind \"team\"",
            ),
            (json!({"scope_kind": ""}), "unsupported scope_kind \"\""),
        ] {
            create(&api, with(changes)).await.assert_error(400, message);
        }
    }
}

#[tokio::test]
async fn pricing_pattern_checks() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for (changes, message) in [
            (json!({"pattern": "  "}), "pattern is required"),
            (
                json!({"pattern": "gpt-*"}),
                "exact match pattern must not contain wildcards",
            ),
            (
                json!({"match_type": "wildcard", "pattern": "gpt"}),
                "wildcard pattern must end with *",
            ),
            (
                json!({"match_type": "wildcard", "pattern": "g*pt*"}),
                "wildcard pattern must contain exactly one trailing *",
            ),
            (
                json!({"match_type": "regex"}),
                "unsupported match_type \"regex\"",
            ),
        ] {
            create(&api, with(changes)).await.assert_error(400, message);
        }
        let body = create(
            &api,
            with(json!({"match_type": "wildcard", "pattern": " gpt-4* "})),
        )
        .await
        .expect(201);
        assert_eq!(
            body["pricing_override"]["pattern"], "gpt-4*",
            "stored trimmed"
        );
    }
}

#[tokio::test]
async fn pricing_request_type_checks() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for (types, message) in [
            (
                json!([]),
                "request_types is required and must contain at least one value",
            ),
            (
                Value::Null,
                "request_types is required and must contain at least one value",
            ),
            (
                json!(["chat_completion_stream"]),
                "unsupported request_type \"chat_completion_stream\": use the base type (e.g. \"chat_completion\" covers both streaming and non-streaming)",
            ),
            (json!(["chat"]), "unsupported request_type \"chat\""),
        ] {
            create(&api, with(json!({"request_types": types})))
                .await
                .assert_error(400, message);
        }
    }
}

#[tokio::test]
async fn pricing_blank_ids_pass_and_are_stored_null() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(
            &api,
            with(json!({"scope_kind": "provider", "provider_id": " "})),
        )
        .await
        .expect(201);
        let po = &body["pricing_override"];
        assert!(
            po.get("provider_id").is_none(),
            "present for the check, null once stored: {po}"
        );
        assert_eq!(po["scope_kind"], "provider");
    }
}

#[tokio::test]
async fn pricing_patch_is_a_string_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let raw = create(&api, override_body("po")).await;
    assert_eq!(raw.status, 201);
    assert!(
        raw.body
            .contains(r#""pricing_patch":"{\"input_cost_per_token\":0.5}""#),
        "{}",
        raw.body
    );
    assert!(!raw.body.contains(r#""patch""#));
    let mut body = override_body("bare");
    body.as_object_mut().unwrap().remove("patch");
    let po = create(&api, body).await.expect(201);
    assert_eq!(
        po["pricing_override"]["pricing_patch"], "{}",
        "an omitted patch is stored as {{}}"
    );
}

#[tokio::test]
async fn pricing_patch_is_an_object_on_v2() {
    let (_server, api) = fake(V2).await;
    let raw = create(
        &api,
        with(
            json!({"patch": {"output_cost_per_token": 2, "input_cost_per_token": 0.5, "bogus": 1}}),
        ),
    )
    .await;
    assert_eq!(raw.status, 201, "{}", raw.body);
    assert!(
        raw.body
            .contains(r#""patch":{"input_cost_per_token":0.5,"output_cost_per_token":2}}"#),
        "struct order, unknown dropped: {}",
        raw.body
    );
    assert!(!raw.body.contains("pricing_patch"));
}

#[tokio::test]
async fn pricing_patch_values_must_be_numbers() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, with(json!({"patch": {"input_cost_per_token": "1"}})))
            .await
            .assert_error(400, "Invalid JSON");
        create(&api, with(json!({"patch": [1]})))
            .await
            .assert_error(400, "Invalid JSON");
    }
}

#[tokio::test]
async fn pricing_negative_price_is_500_on_v2() {
    let (_server, api) = fake(V2).await;
    create(&api, with(json!({"patch": {"input_cost_per_token": -1}})))
        .await
        .assert_error(500, "Failed to create pricing override");
    let id = id(&create(&api, override_body("po")).await.expect(201)["pricing_override"]);
    api.send(
        Method::PUT,
        &format!("{PATH}/{id}"),
        json!({"patch": {"output_cost_per_token": -0.1}}),
    )
    .await
    .assert_error(500, "Failed to update pricing override");
}

#[tokio::test]
async fn pricing_negative_price_is_stored_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let body = create(&api, with(json!({"patch": {"input_cost_per_token": -1}})))
        .await
        .expect(201);
    assert_eq!(
        body["pricing_override"]["pricing_patch"],
        "{\"input_cost_per_token\":-1}"
    );
}

#[tokio::test]
async fn pricing_user_scopes_on_v2() {
    let (_server, api) = fake(V2).await;
    let body = create(&api, with(json!({"scope_kind": "user", "user_id": "u1"})))
        .await
        .expect(201);
    assert_eq!(body["pricing_override"]["user_id"], "u1");
    create(&api, with(json!({"scope_kind": "user"})))
        .await
        .assert_error(400, "user_id is required for user scope_kind");
    create(&api, with(json!({"user_id": "u1"})))
        .await
        .assert_error(400, "global scope_kind must not include scope identifiers");
    create(
        &api,
        with(json!({"scope_kind": "user_provider", "user_id": "u1"})),
    )
    .await
    .assert_error(
        400,
        "user_id and provider_id are required for user_provider scope_kind",
    );
    let listed = api.get_raw(&format!("{PATH}?user_id=u1")).await.expect(200);
    assert_eq!(names(&listed, "pricing_overrides", "name"), ["po"]);
}

#[tokio::test]
async fn pricing_user_scope_is_unsupported_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    create(&api, with(json!({"scope_kind": "user", "user_id": "u1"})))
        .await
        .assert_error(400, "unsupported scope_kind \"user\"");
    let body = create(&api, with(json!({"user_id": "u1"})))
        .await
        .expect(201);
    assert!(
        body["pricing_override"].get("user_id").is_none(),
        "ignored: {}",
        body["pricing_override"]
    );
}

#[tokio::test]
async fn pricing_names_and_ids_are_not_checked() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, override_body("same")).await.expect(201);
        create(&api, override_body("same")).await.expect(201);
        let body = create(
            &api,
            with(json!({"scope_kind": "virtual_key", "virtual_key_id": "ghost"})),
        )
        .await
        .expect(201);
        assert_eq!(body["pricing_override"]["virtual_key_id"], "ghost");
    }
}

#[tokio::test]
async fn pricing_list_filters_and_paging() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, override_body("alpha")).await.expect(201);
        create(
            &api,
            with(json!({"name": "beta", "scope_kind": "provider", "provider_id": "openai"})),
        )
        .await
        .expect(201);
        let all = api.get_raw(PATH).await.expect(200);
        assert_eq!(
            names(&all, "pricing_overrides", "name"),
            ["alpha", "beta"],
            "created_at ASC"
        );
        assert_eq!(
            (&all["count"], &all["limit"], &all["offset"]),
            (&json!(2), &json!(2), &json!(0))
        );
        let filtered = api
            .get_raw(&format!(
                "{PATH}?scope_kind=provider&provider_id=%20openai%20"
            ))
            .await
            .expect(200);
        assert_eq!(
            names(&filtered, "pricing_overrides", "name"),
            ["beta"],
            "filters trimmed"
        );
        let page = api.get_raw(&format!("{PATH}?search=ALP")).await.expect(200);
        assert_eq!(names(&page, "pricing_overrides", "name"), ["alpha"]);
        assert_eq!(page["limit"], 25);
        api.get_raw(&format!("{PATH}?offset=x"))
            .await
            .assert_error(400, "Invalid offset parameter: must be a number");
    }
}

#[tokio::test]
async fn pricing_list_is_empty_array() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let raw = api.get_raw(PATH).await;
        assert_eq!(
            raw.body,
            "{\"count\":0,\"limit\":0,\"offset\":0,\"pricing_overrides\":[],\"total_count\":0}\n"
        );
    }
}

#[tokio::test]
async fn pricing_has_no_single_get() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let id = id(&create(&api, override_body("po")).await.expect(201)["pricing_override"]);
        let raw = api.get_raw(&format!("{PATH}/{id}")).await;
        assert_eq!(raw.status, 405, "PUT and DELETE only: {}", raw.body);
    }
}

#[tokio::test]
async fn pricing_update_merges() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let created = create(&api, with(json!({"scope_kind": "virtual_key_provider", "virtual_key_id": "vk", "provider_id": "openai"}))).await.expect(201);
        let path = format!("{PATH}/{}", id(&created["pricing_override"]));
        let body = api
            .send(
                Method::PUT,
                &path,
                json!({"scope_kind": "provider", "provider_id": "anthropic"}),
            )
            .await
            .expect(200);
        let po = &body["pricing_override"];
        assert_eq!(body["message"], "Pricing override updated successfully");
        assert!(
            po.get("virtual_key_id").is_none(),
            "a new scope kind starts without ids: {po}"
        );
        assert_eq!(
            (&po["provider_id"], &po["pattern"], &po["name"]),
            (&json!("anthropic"), &json!("gpt-4o"), &json!("po"))
        );
        api.send(Method::PUT, &path, json!({"provider_id": null}))
            .await
            .assert_error(400, "provider_id is required for provider scope_kind");
        api.send(Method::PUT, &path, json!({"name": " "}))
            .await
            .assert_error(400, "name is required");
        api.send(Method::PUT, &path, json!({"provider_id": 5}))
            .await
            .assert_error(400, "Invalid JSON");
    }
}

#[tokio::test]
async fn pricing_update_replaces_the_patch() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let created = create(
            &api,
            with(json!({"patch": {"input_cost_per_token": 1, "output_cost_per_token": 2}})),
        )
        .await
        .expect(201);
        let path = format!("{PATH}/{}", id(&created["pricing_override"]));
        let raw = api
            .send(
                Method::PUT,
                &path,
                json!({"patch": {"output_cost_per_token": 3}}),
            )
            .await;
        let expected = if version == V2 {
            r#""patch":{"output_cost_per_token":3}"#
        } else {
            r#""pricing_patch":"{\"output_cost_per_token\":3}""#
        };
        assert!(raw.body.contains(expected), "{}", raw.body);
        let kept = api
            .send(Method::PUT, &path, json!({"name": "renamed"}))
            .await;
        assert!(kept.body.contains(expected), "absent keeps: {}", kept.body);
    }
}

#[tokio::test]
async fn pricing_update_empty_request_types_is_400() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let created = create(&api, override_body("po")).await.expect(201);
        let path = format!("{PATH}/{}", id(&created["pricing_override"]));
        api.send(Method::PUT, &path, json!({"request_types": []}))
            .await
            .assert_error(
                400,
                "request_types is required and must contain at least one value",
            );
        api.send(
            Method::PUT,
            "/api/governance/pricing-overrides/nope",
            json!({}),
        )
        .await
        .assert_error(404, "Pricing override not found");
    }
}

#[tokio::test]
async fn pricing_delete() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.raw(Method::DELETE, &format!("{PATH}/nope"), None)
            .await
            .assert_error(404, "Pricing override not found");
        let created = create(&api, override_body("po")).await.expect(201);
        let raw = api
            .raw(
                Method::DELETE,
                &format!("{PATH}/{}", id(&created["pricing_override"])),
                None,
            )
            .await;
        assert_eq!(
            raw.body,
            "{\"message\":\"Pricing override deleted successfully\"}\n"
        );
        let list = api.get_raw(PATH).await.expect(200);
        assert_eq!(list["count"], 0);
    }
}
