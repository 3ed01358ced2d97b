//! No response, however malformed, makes the SDK panic: random bodies, statuses and
//! content types are served for real calls, and each outcome is classified.

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
