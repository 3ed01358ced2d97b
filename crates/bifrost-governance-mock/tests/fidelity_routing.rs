//! Fidelity of the routing-rule routes (FIDELITY.md, "Routing rules").

mod common;

use common::{Api, BOTH, V1_5, V2, fake, id, names};
use reqwest::Method;
use serde_json::{Value, json};

const LEGACY: &str = "/api/governance/routing-rules";
const ROUTING: &str = "/api/routing/rules";

async fn create(api: &Api, body: Value) -> common::Raw {
    api.send(Method::POST, LEGACY, body).await
}

fn rule(name: &str) -> Value {
    json!({"name": name, "targets": [{"provider": "openai", "weight": 1}]})
}

#[tokio::test]
async fn routing_api_path_absent_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    api.get_raw(ROUTING)
        .await
        .assert_error(404, "Route not found: /api/routing/rules");
    assert_eq!(api.get_raw(LEGACY).await.status, 200);
}

#[tokio::test]
async fn routing_both_paths_serve_the_same_rules_on_v2() {
    let (_server, api) = fake(V2).await;
    let created = api.send(Method::POST, ROUTING, rule("r")).await.expect(200);
    let id = id(&created["rule"]);
    let legacy = api.get_raw(&format!("{LEGACY}/{id}")).await;
    let canonical = api.get_raw(&format!("{ROUTING}/{id}")).await;
    assert_eq!(legacy.body, canonical.body);
}

#[tokio::test]
async fn routing_list_order() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for (name, priority) in [("late", 5), ("first", 1), ("newer-first", 1)] {
            let mut body = rule(name);
            body["priority"] = json!(priority);
            body["scope"] = json!("team");
            body["scope_id"] = json!(format!("team-{name}"));
            if version == V2 {
                body["scope"] = json!("user");
            }
            create(&api, body).await.expect(200);
        }
        let body = api.get_raw(LEGACY).await.expect(200);
        assert_eq!(
            names(&body, "rules", "name"),
            ["newer-first", "first", "late"],
            "priority, then newest"
        );
    }
}

#[tokio::test]
async fn routing_list_scope_filter() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let mut enabled = rule("on");
        enabled["priority"] = json!(1);
        create(&api, enabled).await.expect(200);
        let mut disabled = rule("off");
        disabled["enabled"] = json!(false);
        create(&api, disabled).await.expect(200);
        let body = api
            .get_raw(&format!("{LEGACY}?scope=global&limit=1&offset=5"))
            .await
            .expect(200);
        assert_eq!(
            names(&body, "rules", "name"),
            ["on"],
            "enabled only, paging ignored"
        );
        assert_eq!(body["limit"], 1, "limit = count");
        api.get_raw(&format!("{LEGACY}?scope=team"))
            .await
            .assert_error(500, "Failed to get routing rules");
        let body = api
            .get_raw(&format!("{LEGACY}?scope_id=x"))
            .await
            .expect(200);
        assert_eq!(body["rules"], json!([]));
    }
}

#[tokio::test]
async fn routing_list_search_matches_cel() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let mut a = rule("alpha");
        a["cel_expression"] = json!("model == 'gpt-4o'");
        a["priority"] = json!(1);
        create(&api, a).await.expect(200);
        create(&api, rule("beta")).await.expect(200);
        let body = api
            .get_raw(&format!("{LEGACY}?search=GPT"))
            .await
            .expect(200);
        assert_eq!(names(&body, "rules", "name"), ["alpha"]);
        assert_eq!(body["limit"], 25);
        api.get_raw(&format!("{LEGACY}?limit=-1"))
            .await
            .assert_error(400, "Invalid limit parameter: must be non-negative");
    }
}

#[tokio::test]
async fn routing_from_memory_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let raw = api.get_raw(&format!("{LEGACY}?from_memory=true")).await;
    assert_eq!(
        raw.body,
        "{\"count\":0,\"limit\":0,\"offset\":0,\"rules\":null,\"total_count\":0}\n"
    );
    let mut disabled = rule("off");
    disabled["enabled"] = json!(false);
    create(&api, disabled).await.expect(200);
    let body = api
        .get_raw(&format!("{LEGACY}?from_memory=true&scope=global"))
        .await
        .expect(200);
    assert_eq!(
        names(&body, "rules", "name"),
        ["off"],
        "disabled rules included"
    );
}

#[tokio::test]
async fn routing_from_memory_is_ignored_on_v2() {
    let (_server, api) = fake(V2).await;
    let raw = api.get_raw(&format!("{ROUTING}?from_memory=true")).await;
    assert_eq!(
        raw.body,
        "{\"count\":0,\"limit\":0,\"offset\":0,\"rules\":[],\"total_count\":0}\n"
    );
}

#[tokio::test]
async fn routing_get_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.get_raw(&format!("{LEGACY}/nope"))
            .await
            .assert_error(404, "Routing rule not found");
    }
}

#[tokio::test]
async fn routing_create_needs_name_and_targets() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, json!({"targets": [{"weight": 1}]}))
            .await
            .assert_error(400, "name field is required");
        create(&api, json!({"name": "r"}))
            .await
            .assert_error(400, "at least one target is required");
        create(&api, json!({"name": "r", "targets": []}))
            .await
            .assert_error(400, "at least one target is required");
    }
}

#[tokio::test]
async fn routing_create_target_checks() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        for (targets, message) in [
            (
                json!([{"weight": -0.5}, {"weight": 1.5}]),
                "each target weight must be positive",
            ),
            (
                json!([{"key_id": "k", "weight": 1}]),
                "key_id requires provider to be set",
            ),
            (
                json!([{"provider": "OpenAI", "weight": 0.5}, {"provider": "openai", "weight": 0.5}]),
                "duplicate target entry: provider=\"openai\" model=\"\" key_id=\"\"",
            ),
            (
                json!([{"provider": "openai", "weight": 0.5}]),
                "target weights must sum to 1, got 0.5000",
            ),
        ] {
            create(&api, json!({"name": "r", "targets": targets}))
                .await
                .assert_error(400, message);
        }
        let ok = create(&api, json!({"name": "r", "targets": [{"provider": "openai", "weight": 0}, {"provider": "anthropic", "weight": 1}]})).await;
        assert_eq!(ok.status, 200, "a weight of 0 is allowed: {}", ok.body);
    }
}

#[tokio::test]
async fn routing_create_fallbacks_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let with =
        |fallbacks: Value| json!({"name": "r", "targets": [{"weight": 1}], "fallbacks": fallbacks});
    create(&api, with(json!([" "])))
        .await
        .assert_error(400, "fallbacks[0] must not be empty");
    create(&api, with(json!(["openai/gpt-4o", "meta-llama/Llama-3.1-8B"])))
        .await
        .assert_error(400, "fallbacks[1] \"meta-llama/Llama-3.1-8B\" is invalid: must use a known provider prefix (e.g. \"openai/gpt-4o\" or \"azure/\" for the incoming model)");
    create(
        &api,
        with(json!([{"provider": "openai", "model": "gpt-4o"}])),
    )
    .await
    .assert_error(400, "Invalid JSON");
    let body = create(&api, with(json!(["azure/"]))).await.expect(200);
    assert_eq!(body["rule"]["fallbacks"], json!(["azure/"]));
}

#[tokio::test]
async fn routing_create_fallbacks_on_v2() {
    let (_server, api) = fake(V2).await;
    let with =
        |fallbacks: Value| json!({"name": "r", "targets": [{"weight": 1}], "fallbacks": fallbacks});
    let body = create(
        &api,
        with(json!([
        {"provider": " openai ", "model": "gpt-4o"},
        {"provider": "azure", "model": "gpt-4o", "key_id": "k1"},
        "anthropic/claude"])),
    )
    .await
    .expect(200);
    assert_eq!(
        body["rule"]["fallbacks"],
        json!([
        "openai/gpt-4o",
        {"provider": "azure", "model": "gpt-4o", "key_id": "k1"},
        "anthropic/claude"])
    );
    create(&api, with(json!([""])))
        .await
        .assert_error(400, "fallbacks[0] \"\" is invalid: must use a known provider prefix (e.g. \"openai/gpt-4o\" or \"azure/\" for the incoming model)");
    create(&api, with(json!([{"key_id": "k1"}])))
        .await
        .assert_error(400, "fallbacks[0] \"\" is invalid: must use a known provider prefix (e.g. \"openai/gpt-4o\" or \"azure/\" for the incoming model)");
    create(
        &api,
        with(json!([{"provider": "azure", "provider_key_name": "main"}])),
    )
    .await
    .assert_error(
        400,
        "fallbacks[0] provider_key_name is a config.json-only field; send key_id over the API",
    );
}

#[tokio::test]
async fn routing_create_scope_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let mut body = rule("r");
    body["scope"] = json!("user");
    create(&api, body.clone()).await.assert_error(
        400,
        "invalid scope \"user\": must be one of: global, team, customer, virtual_key",
    );
    body["scope"] = json!("team");
    create(&api, body.clone())
        .await
        .assert_error(400, "scope_id field is required when scope is not global");
    body["scope_id"] = json!("ghost");
    let created = create(&api, body).await.expect(200);
    assert_eq!(created["rule"]["scope_id"], "ghost", "not checked");
}

#[tokio::test]
async fn routing_create_scope_on_v2() {
    let (_server, api) = fake(V2).await;
    let mut body = rule("r");
    body["scope"] = json!("nope");
    create(&api, body.clone()).await.assert_error(
        400,
        "invalid scope \"nope\": must be one of: global, team, customer, virtual_key, user",
    );
    for (scope, what) in [
        ("team", "team"),
        ("customer", "customer"),
        ("virtual_key", "virtual key"),
    ] {
        body["scope"] = json!(scope);
        body["scope_id"] = json!("ghost");
        create(&api, body.clone()).await.assert_error(
            400,
            &format!("{what} 'ghost' not found: routing rule scope_id not found"),
        );
    }
    body["scope"] = json!("user");
    create(&api, body).await.expect(200);
}

#[tokio::test]
async fn routing_cel_is_not_checked_on_1_5() {
    let (_server, api) = fake(V1_5).await;
    let mut body = rule("r");
    body["cel_expression"] = json!("model == (");
    assert_eq!(
        create(&api, body).await.expect(200)["rule"]["cel_expression"],
        "model == ("
    );
}

#[tokio::test]
async fn routing_cel_is_checked_on_v2() {
    let (_server, api) = fake(V2).await;
    let mut body = rule("r");
    body["cel_expression"] = json!("model == (");
    let raw = create(&api, body.clone()).await;
    assert_eq!(raw.status, 400);
    assert!(
        raw.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid CEL expression: ERROR: <input>:1:"),
        "{}",
        raw.body
    );
    body["cel_expression"] = json!("model == 'gpt-4o' && headers['x-tier'] in ['gold']");
    let id = id(&create(&api, body).await.expect(200)["rule"]);
    let raw = api
        .send(
            Method::PUT,
            &format!("{LEGACY}/{id}"),
            json!({"cel_expression": "a &&"}),
        )
        .await;
    assert_eq!(raw.status, 400, "{}", raw.body);
}

#[tokio::test]
async fn routing_priority_clash_is_500() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        create(&api, rule("a")).await.expect(200);
        create(&api, rule("b"))
            .await
            .assert_error(500, "Failed to create routing rule: routing rule with priority 0 already exists for scope 'global'");
    }
}

#[tokio::test]
async fn routing_priority_clash_prints_a_pointer() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let scoped = |name: &str| json!({"name": name, "scope": "user", "scope_id": "u1", "targets": [{"weight": 1}]});
        let scope_value = if version == V1_5 { "team" } else { "user" };
        let mut first = scoped("a");
        first["scope"] = json!(scope_value);
        create(&api, first.clone()).await.expect(200);
        let mut second = scoped("b");
        second["scope"] = json!(scope_value);
        let raw = create(&api, second).await;
        let message = raw.expect(500)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        let prefix = format!(
            "Failed to create routing rule: routing rule with priority 0 already exists for scope '{scope_value}' with scopeID '0xc"
        );
        assert!(message.starts_with(&prefix), "{message}");
        assert!(
            !message.contains("u1"),
            "the address, not the id: {message}"
        );
    }
}

#[tokio::test]
async fn routing_duplicate_names() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let scope = if version == V1_5 { "team" } else { "user" };
        create(&api, json!({"name": "same", "scope": scope, "scope_id": "s", "priority": 1, "targets": [{"weight": 1}]})).await.expect(200);
        create(&api, json!({"name": "same", "scope": scope, "scope_id": "s", "priority": 2, "targets": [{"weight": 1}]}))
            .await
            .assert_error(500, "Failed to create routing rule: a record with this scope id already exists. Please use a different value");
        let mut global = rule("g");
        global["priority"] = json!(1);
        create(&api, global.clone()).await.expect(200);
        global["priority"] = json!(2);
        assert_eq!(
            create(&api, global).await.status,
            200,
            "NULL scope ids never collide"
        );
    }
}

#[tokio::test]
async fn routing_ttft_on_v2() {
    let (_server, api) = fake(V2).await;
    let body = create(
        &api,
        json!({"name": "r", "targets": [
        {"provider": "openai", "weight": 0.5, "ttft_timeout_ms": 1500},
        {"provider": "anthropic", "weight": 0.5, "ttft_timeout_ms": 0}]}),
    )
    .await
    .expect(200);
    assert_eq!(body["rule"]["targets"][0]["ttft_timeout_ms"], 1500);
    assert!(
        body["rule"]["targets"][1].get("ttft_timeout_ms").is_none(),
        "0 is stored as none"
    );
    create(
        &api,
        json!({"name": "r2", "priority": 3, "targets": [{"weight": 1, "ttft_timeout_ms": 300001}]}),
    )
    .await
    .assert_error(
        400,
        "ttft_timeout_ms must be between 1 and 300000 (0 disables it)",
    );
}

#[tokio::test]
async fn routing_create_defaults() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let body = create(&api, json!({"name": "r", "targets": [
            {"provider": "openai", "weight": 0.25}, {"provider": "anthropic", "model": "claude", "weight": 0.75}]}))
            .await
            .expect(200);
        assert_eq!(body["message"], "Routing rule created successfully");
        let r = &body["rule"];
        assert_eq!(
            (
                &r["enabled"],
                &r["chain_rule"],
                &r["scope"],
                &r["scope_id"],
                &r["priority"]
            ),
            (
                &json!(true),
                &json!(false),
                &json!("global"),
                &Value::Null,
                &json!(0)
            )
        );
        assert_eq!(
            r["targets"][0]["provider"], "openai",
            "the answer keeps the sent order"
        );
        assert!(r.get("fallbacks").is_none() && r.get("query").is_none());
        let got = api
            .get_raw(&format!("{LEGACY}/{}", id(r)))
            .await
            .expect(200);
        assert_eq!(
            got["rule"]["targets"][0]["provider"], "anthropic",
            "stored order: weight DESC"
        );
    }
}

#[tokio::test]
async fn routing_update_rules() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let id = id(&create(&api, rule("r")).await.expect(200)["rule"]);
        let path = format!("{LEGACY}/{id}");
        api.send(Method::PUT, &path, json!({"targets": []}))
            .await
            .assert_error(400, "at least one routing target is required");
        let body = api
            .send(Method::PUT, &path, json!({"name": "", "description": "d"}))
            .await
            .expect(200);
        assert_eq!(
            (&body["rule"]["name"], &body["message"]),
            (&json!("r"), &json!("Routing rule updated successfully"))
        );
        api.send(Method::PUT, &path, json!({"scope": "team"}))
            .await
            .assert_error(400, "scope_id field is required when scope is not global");
    }
}

#[tokio::test]
async fn routing_update_unknown_is_404() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.send(Method::PUT, &format!("{LEGACY}/nope"), json!({}))
            .await
            .assert_error(404, "Routing rule not found");
    }
}

#[tokio::test]
async fn routing_update_fallbacks_and_query() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        let mut body = rule("r");
        body["fallbacks"] = json!(["openai/gpt-4o"]);
        body["query"] = json!({"b": 2, "a": [1, "x"]});
        let created = create(&api, body).await;
        assert!(
            created.body.contains(r#""query":{"a":[1,"x"],"b":2}"#),
            "a Go map: sorted keys; {}",
            created.body
        );
        let id = id(&created.json()["rule"]);
        let body = api
            .send(
                Method::PUT,
                &format!("{LEGACY}/{id}"),
                json!({"fallbacks": [], "query": {}}),
            )
            .await
            .expect(200);
        assert!(body["rule"].get("fallbacks").is_none(), "[] clears");
        assert!(
            body["rule"].get("query").is_none(),
            "{{}} is stored and omitted"
        );
    }
}

#[tokio::test]
async fn routing_delete() {
    for version in BOTH {
        let (_server, api) = fake(version).await;
        api.raw(Method::DELETE, &format!("{LEGACY}/nope"), None)
            .await
            .assert_error(404, "Routing rule not found");
        let id = id(&create(&api, rule("r")).await.expect(200)["rule"]);
        let raw = api
            .raw(Method::DELETE, &format!("{LEGACY}/{id}"), None)
            .await;
        assert_eq!(
            raw.body,
            "{\"message\":\"Routing rule deleted successfully\"}\n"
        );
    }
}
