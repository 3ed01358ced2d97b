//! No response, however malformed, makes the SDK panic: random bodies, statuses and
//! content types are served for real calls, and each outcome is classified. Then the
//! exact shapes: money values decode to the nearest `f64`, and a JSON array is not
//! accepted where the response is an object.

use std::sync::{Arc, Mutex};

use bifrost_governance::{Client, Error, RetryConfig};
use proptest::prelude::*;
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[derive(Clone, Default)]
struct Canned(Arc<Mutex<(u16, &'static str, Vec<u8>)>>);

impl Respond for Canned {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let (status, content_type, body) = self.0.lock().unwrap().clone();
        ResponseTemplate::new(status)
            .insert_header("content-type", content_type)
            .set_body_bytes(body)
    }
}

const VALID_KEY: &str = r#"{"virtual_key":{"id":"vk-1","name":"k","value":"sk-bf-1","budgets":[{"id":"b","max_limit":1,"reset_duration":"1d"}],"team":{"id":"t","name":"n","customer":{"id":"c","name":"c"}}}}"#;

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Arbitrary bytes.
        prop::collection::vec(any::<u8>(), 0..200),
        // A valid body cut at a random point.
        (0..VALID_KEY.len()).prop_map(|cut| VALID_KEY.as_bytes()[..cut].to_vec()),
        // A valid body with one byte replaced.
        (0..VALID_KEY.len(), any::<u8>()).prop_map(|(at, byte)| {
            let mut body = VALID_KEY.as_bytes().to_vec();
            body[at] = byte;
            body
        }),
        // Well-formed JSON of the wrong shape.
        prop::sample::select(vec![
            "null",
            "[]",
            "{}",
            "42",
            "\"sk-bf-x\"",
            r#"{"virtual_key":null}"#,
            r#"{"virtual_key":[]}"#,
            r#"{"virtual_key":{"id":5}}"#,
            r#"{"error":{"message":7}}"#,
            r#"{"virtual_keys":{"a":1}}"#,
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn any_response_is_a_value_or_a_typed_error(
        status in prop::sample::select(vec![200u16, 201, 204, 301, 400, 401, 404, 409, 418, 500, 503]),
        content_type in prop::sample::select(vec!["application/json", "text/html", "text/plain", "application/octet-stream"]),
        body in body_strategy(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let canned = Canned::default();
            *canned.0.lock().unwrap() = (status, content_type, body.clone());
            let server = MockServer::start().await;
            Mock::given(any_request()).respond_with(canned).mount(&server).await;
            let client = Client::builder().base_url(server.uri()).retry(RetryConfig::disabled()).build().unwrap();

            let got = client.virtual_keys().get("vk-1").await;
            let listed = client.virtual_keys().list().send().await;
            let rotated = client.virtual_keys().rotate_many(["a"]).await;
            let json = content_type == "application/json";
            for outcome in [got.as_ref().err(), listed.as_ref().err(), rotated.as_ref().err()].into_iter().flatten() {
                // Errors print without panicking and never echo the secret.
                let printed = format!("{outcome} {outcome:?}");
                prop_assert!(!printed.contains("sk-bf-1"), "secret in {}", printed);
                match outcome {
                    Error::Api(api) => prop_assert_eq!(api.status.as_u16(), status),
                    Error::UnexpectedContentType { status: s, .. } => {
                        prop_assert!(!json);
                        prop_assert_eq!(s.as_u16(), status);
                    }
                    Error::Decode { .. } => prop_assert!(status < 400),
                    other => prop_assert!(false, "unexpected error kind: {:?}", other),
                }
            }
            if got.is_ok() {
                prop_assert!(json && (200..300).contains(&status));
            }
            if status >= 400 {
                prop_assert!(got.is_err() && listed.is_err());
            }
            Ok(())
        })?;
    }
}

// ---------------------------------------------------------------- exact shapes

async fn serve(body: &'static str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any_request())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    (server, client)
}

/// Money values decode to the nearest `f64`: without serde_json's
/// `float_roundtrip`, `0.9999999999999999` reads as `1.0` and `9.999999999999999e-8`
/// as `1.0000000000000001e-7` (one step off `1e-7`).
#[tokio::test]
async fn money_values_decode_exactly() {
    let (_server, client) = serve(
        r#"{"virtual_key":{"id":"vk-1","name":"k","budgets":[
            {"id":"b1","max_limit":9.999999999999999e-8,"reset_duration":"1d","current_usage":0.9999999999999999},
            {"id":"b2","max_limit":2.9999999999999996,"reset_duration":"1M","current_usage":0.30000000000000004}
        ]}}"#,
    )
    .await;

    let key = client.virtual_keys().get("vk-1").await.unwrap();

    let budgets = key.budgets.unwrap();
    let values: Vec<(Option<f64>, Option<f64>)> = budgets
        .iter()
        .map(|b| (b.max_limit, b.current_usage))
        .collect();
    assert_eq!(
        values,
        [
            // The nearest f64 to 9.999999999999999e-8 is 1e-7.
            (Some(1e-7), Some(0.9999999999999999)),
            (Some(2.9999999999999996), Some(0.1 + 0.2)),
        ]
    );
    assert_ne!(values[0].1, Some(1.0));
}

/// serde's derived `Deserialize` reads a JSON array into a struct field by field;
/// the SDK refuses an array (or any non-object) where the response is an object.
#[tokio::test]
async fn an_array_where_an_object_is_expected_is_a_decode_error() {
    const ARRAY: &str = "[3,3,0,7,[]]";
    // The generated type alone would accept it as a (strange) key list.
    assert!(
        serde_json::from_str::<bifrost_governance::types::VirtualKeyList>(ARRAY).is_ok(),
        "the premise of this test"
    );
    let (_server, client) = serve(ARRAY).await;

    let listed = client.virtual_keys().list().send().await.unwrap_err();
    let got = client.virtual_keys().get("vk-1").await.unwrap_err();
    let teams = client.teams().list().send().await.unwrap_err();

    for err in [&listed, &got, &teams] {
        match err {
            Error::Decode {
                message, excerpt, ..
            } => {
                assert_eq!(message, "expected a JSON object, found an array");
                assert_eq!(excerpt, ARRAY);
            }
            other => panic!("expected Error::Decode, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn well_formed_objects_still_decode_and_a_bare_string_stays_a_version() {
    let (_server, client) = serve(r#"{"virtual_keys":[],"count":0,"total_count":0}"#).await;
    assert!(
        client
            .virtual_keys()
            .list()
            .send()
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let (_server, client) = serve(r#""v2.3.1""#).await;
    assert_eq!(client.server_version().await.unwrap().as_str(), "v2.3.1");
    let err = client.teams().get("t").await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { message, .. } if message.ends_with("found a string")),
        "{err:?}"
    );
}
