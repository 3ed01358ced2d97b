//! `openapi.yaml`, loaded once, with its operations and JSON-Schema validators.
//!
//! OpenAPI 3.0 schemas are not JSON Schema: [`Spec::json_schema`] turns one into a
//! self-contained draft-7 document (every `#/components/schemas/X` it reaches is copied
//! under `definitions`, so recursive schemas such as `Team` ↔ `Customer` work),
//! rewriting what draft 7 spells differently:
//!
//! * `nullable: true` becomes a type union with `"null"` (and adds `null` to an `enum`);
//! * `exclusiveMinimum: true` + `minimum: m` (draft-4 booleans) becomes the numeric
//!   draft-7 `exclusiveMinimum: m` (likewise for the maximum);
//! * OpenAPI-only keywords (`nullable`, `discriminator`, `example`, `x-…`) are dropped.
//!
//! Request schemas are additionally *closed*: an object schema that lists
//! `properties` and says nothing about `additionalProperties` gets
//! `additionalProperties: false`, so a misspelled or undeclared field the SDK sends is
//! reported. Response schemas stay open, as the server may add fields.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

/// Where the spec lives: the workspace root.
pub const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");

const SCHEMA_PREFIX: &str = "#/components/schemas/";
const DRAFT7: &str = "http://json-schema.org/draft-07/schema#";
/// Longest text of one reported violation.
const MAX_MESSAGE: usize = 400;

/// Which side of the wire a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// What the SDK sends: objects with declared properties are closed.
    Request,
    /// What the server answers: unknown fields are allowed.
    Response,
}

/// A parameter of an operation (path-level and operation-level merged, `$ref`s resolved).
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Parameter name.
    pub name: String,
    /// `query`, `path` or `header`.
    pub location: String,
    /// Whether the request must carry it.
    pub required: bool,
    /// Its OpenAPI schema (unconverted).
    pub schema: Value,
}

/// A declared response of an operation.
#[derive(Debug, Clone)]
pub struct ResponseSpec {
    /// The media type, when the response has content.
    pub content_type: Option<String>,
    /// The OpenAPI schema of that content (unconverted).
    pub schema: Option<Value>,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, e.g. `/api/governance/teams/{team_id}`.
    pub path: String,
    /// Parameters, path-level ones overridden by operation-level ones.
    pub parameters: Vec<Parameter>,
    /// `Some((required, schema))` when the operation takes a JSON body.
    pub request_body: Option<(bool, Value)>,
    /// Responses keyed as in the spec: `"200"`, `"4XX"`, `"default"`.
    pub responses: BTreeMap<String, ResponseSpec>,
    /// `x-query-prefix.prefix`: query parameters named `<prefix><key>` that OpenAPI
    /// 3.0 cannot declare one by one (string values).
    pub query_prefix: Option<String>,
}

impl Operation {
    /// The parameter `name` in `location`, if declared.
    pub fn parameter(&self, location: &str, name: &str) -> Option<&Parameter> {
        self.parameters
            .iter()
            .find(|p| p.location == location && p.name == name)
    }

    /// The declared response for `status`: the exact code, else its range (`4XX`),
    /// else `default`.
    pub fn response(&self, status: u16) -> Option<&ResponseSpec> {
        self.responses
            .get(&status.to_string())
            .or_else(|| self.responses.get(&format!("{}XX", status / 100)))
            .or_else(|| self.responses.get("default"))
    }

    /// Path parameters extracted from `path` when it matches the template, with the
    /// number of literal segments (more literal segments = more specific route).
    /// Values are percent-decoded.
    pub fn match_path(&self, path: &str) -> Option<(usize, BTreeMap<String, String>)> {
        let template: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        if template.len() != actual.len() {
            return None;
        }
        let mut literal = 0;
        let mut params = BTreeMap::new();
        for (t, a) in template.iter().zip(&actual) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if a.is_empty() {
                    return None;
                }
                params.insert(name.to_string(), percent_decode(a));
            } else if t == a {
                literal += 1;
            } else {
                return None;
            }
        }
        Some((literal, params))
    }
}

/// The parsed spec. Get it with [`spec()`].
pub struct Spec {
    root: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

/// The workspace's `openapi.yaml`, parsed on first use.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text =
            std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| panic!("{SPEC_PATH}: {e}"));
        let root: Value =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{SPEC_PATH}: {e}"));
        Spec::new(root)
    })
}

/// Every `operationId` of the spec, ordered by path (the list contract-test coverage is
/// measured against).
pub fn operation_ids() -> Vec<&'static str> {
    spec()
        .operations()
        .iter()
        .map(|op| op.id.as_str())
        .collect()
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Spec {
    fn new(root: Value) -> Self {
        let mut spec = Spec {
            root,
            operations: Vec::new(),
            validators: Mutex::new(HashMap::new()),
        };
        let paths = spec.root["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in &paths {
            let shared = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let id = op["operationId"]
                    .as_str()
                    .unwrap_or_else(|| {
                        panic!("{} {path} has no operationId", method.to_uppercase())
                    })
                    .to_string();
                let mut parameters: Vec<Parameter> = Vec::new();
                let own = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for raw in shared.iter().chain(&own) {
                    let p = spec.deref_object(raw);
                    let parameter = Parameter {
                        name: p["name"].as_str().unwrap_or_default().to_string(),
                        location: p["in"].as_str().unwrap_or_default().to_string(),
                        required: p["required"].as_bool().unwrap_or(false),
                        schema: p.get("schema").cloned().unwrap_or(json!({})),
                    };
                    parameters.retain(|q| {
                        !(q.name == parameter.name && q.location == parameter.location)
                    });
                    parameters.push(parameter);
                }
                let request_body = op.get("requestBody").map(|body| {
                    let body = spec.deref_object(body);
                    let schema = body["content"]["application/json"]["schema"].clone();
                    (body["required"].as_bool().unwrap_or(false), schema)
                });
                let mut responses = BTreeMap::new();
                for (status, response) in op["responses"].as_object().cloned().unwrap_or_default() {
                    let response = spec.deref_object(&response);
                    let content = response.get("content").and_then(Value::as_object);
                    let (content_type, schema) = match content.and_then(|c| c.iter().next()) {
                        Some((media, body)) => (Some(media.clone()), body.get("schema").cloned()),
                        None => (None, None),
                    };
                    responses.insert(
                        status,
                        ResponseSpec {
                            content_type,
                            schema,
                        },
                    );
                }
                let query_prefix = op["x-query-prefix"]["prefix"].as_str().map(str::to_string);
                spec.operations.push(Operation {
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    parameters,
                    request_body,
                    responses,
                    query_prefix,
                });
            }
        }
        spec
    }

    /// Follows a local `$ref` (any `#/…` pointer) until a non-reference object.
    fn deref_object(&self, value: &Value) -> Value {
        let mut current = value.clone();
        for _ in 0..16 {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return current;
            };
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("non-local $ref {reference}"));
            current = self
                .root
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"))
                .clone();
        }
        panic!("$ref chain too long at {value}")
    }

    /// The parsed document.
    pub fn document(&self) -> &Value {
        &self.root
    }

    /// Every operation, ordered by path (then method).
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The operation a request would reach: same method, matching template, the most
    /// literal template winning (so `/virtual-keys/quota` beats `/virtual-keys/{vk_id}`).
    pub fn route(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter_map(|op| op.match_path(path).map(|(literal, _)| (literal, op)))
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, op)| op)
    }

    /// `schema` (an OpenAPI schema of this spec) as a self-contained draft-7 JSON Schema.
    pub fn json_schema(&self, schema: &Value, direction: Direction) -> Value {
        let strict = direction == Direction::Request;
        let mut refs = BTreeSet::new();
        let root = convert(schema, strict, false, &mut refs);
        let mut definitions = Map::new();
        let mut pending: Vec<String> = refs.into_iter().collect();
        while let Some(name) = pending.pop() {
            if definitions.contains_key(&name) {
                continue;
            }
            let source = self.root["components"]["schemas"]
                .get(&name)
                .unwrap_or_else(|| panic!("openapi.yaml: unknown schema {name}"));
            let mut more = BTreeSet::new();
            definitions.insert(name, convert(source, strict, false, &mut more));
            pending.extend(more.into_iter().filter(|n| !definitions.contains_key(n)));
        }
        json!({ "$schema": DRAFT7, "definitions": definitions, "allOf": [root] })
    }

    /// Validates `instance` against `schema` (an OpenAPI schema); one readable line per
    /// violation, empty when valid. Validators are compiled once per `cache_key`.
    pub fn validate(
        &self,
        cache_key: &str,
        schema: &Value,
        direction: Direction,
        instance: &Value,
    ) -> Vec<String> {
        let key = format!("{direction:?}:{cache_key}");
        let validator = {
            let mut cache = self.validators.lock().expect("validator cache");
            cache
                .entry(key)
                .or_insert_with(|| {
                    let document = self.json_schema(schema, direction);
                    let validator = jsonschema::draft7::options()
                        .should_validate_formats(true)
                        .build(&document)
                        .unwrap_or_else(|e| {
                            panic!("{cache_key}: the converted schema does not compile: {e}")
                        });
                    Arc::new(validator)
                })
                .clone()
        };
        validator
            .iter_errors(instance)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() {
                    "(root)".to_string()
                } else {
                    at
                };
                truncate(&format!("{at}: {e}"))
            })
            .collect()
    }

    /// Violations of `body` against the request schema of `operation_id`.
    pub fn validate_request_body(&self, operation_id: &str, body: &Value) -> Vec<String> {
        let op = self
            .operation(operation_id)
            .unwrap_or_else(|| panic!("unknown operationId {operation_id}"));
        match &op.request_body {
            Some((_, schema)) => self.validate(
                &format!("{operation_id}:request"),
                schema,
                Direction::Request,
                body,
            ),
            None => vec![format!("{operation_id} takes no request body")],
        }
    }

    /// Checks a response body the server would send for `status`: the status must be
    /// declared, and the body must match that response's schema.
    pub fn validate_response_body(
        &self,
        operation_id: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Vec<String>> {
        let op = self
            .operation(operation_id)
            .unwrap_or_else(|| panic!("unknown operationId {operation_id}"));
        let Some(response) = op.response(status) else {
            let declared: Vec<&String> = op.responses.keys().collect();
            return Err(vec![format!(
                "status {status} is not declared (declared: {declared:?})"
            )]);
        };
        let Some(schema) = &response.schema else {
            return Err(vec![format!(
                "the {status} response has no JSON content in the spec"
            )]);
        };
        let errors = self.validate(
            &format!("{operation_id}:response:{status}"),
            schema,
            Direction::Response,
            body,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks one query or path parameter value (a string on the wire, coerced to the
    /// schema's type first).
    pub fn validate_parameter(
        &self,
        operation_id: &str,
        parameter: &Parameter,
        value: &str,
    ) -> Vec<String> {
        let coerced = coerce(&parameter.schema, value);
        let key = format!("{operation_id}:{}:{}", parameter.location, parameter.name);
        self.validate(&key, &parameter.schema, Direction::Request, &coerced)
            .into_iter()
            .map(|e| {
                format!(
                    "{} parameter `{}`={value:?}: {e}",
                    parameter.location, parameter.name
                )
            })
            .collect()
    }
}

/// A wire string as the JSON value the parameter schema describes.
fn coerce(schema: &Value, value: &str) -> Value {
    let parsed = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => value.parse::<i64>().ok().map(Value::from),
        Some("number") => value.parse::<f64>().ok().map(Value::from),
        Some("boolean") => value.parse::<bool>().ok().map(Value::from),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(value.to_string()))
}

/// Converts one OpenAPI 3.0 schema to draft 7, collecting the component names it refers to.
fn convert(schema: &Value, strict: bool, in_all_of: bool, refs: &mut BTreeSet<String>) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        // OpenAPI 3.0 ignores the siblings of `$ref`; so does this conversion.
        let name = reference
            .strip_prefix(SCHEMA_PREFIX)
            .unwrap_or_else(|| panic!("unsupported schema $ref {reference}"));
        refs.insert(name.to_string());
        return json!({ "$ref": format!("#/definitions/{name}") });
    }
    let mut out = Map::new();
    for (key, value) in object {
        let converted = match key.as_str() {
            "nullable" | "discriminator" | "xml" | "externalDocs" | "example" | "deprecated" => {
                continue;
            }
            k if k.starts_with("x-") => continue,
            "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => continue,
            "properties" | "patternProperties" | "definitions" => Value::Object(
                value
                    .as_object()
                    .map(|props| {
                        props
                            .iter()
                            .map(|(k, v)| (k.clone(), convert(v, strict, false, refs)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            "items" | "not" | "additionalProperties" if value.is_object() => {
                convert(value, strict, false, refs)
            }
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .map(|all| {
                        all.iter()
                            .map(|v| convert(v, strict, key == "allOf", refs))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    // Draft-4 boolean exclusivity → draft-6+ numeric bounds.
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if object.get(flag) == Some(&Value::Bool(true))
            && let Some(limit) = out.remove(bound)
        {
            out.insert(flag.to_string(), limit);
        }
    }
    if object.get("nullable") == Some(&Value::Bool(true)) {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(mut types)) => {
                if !types.contains(&json!("null")) {
                    types.push(json!("null"));
                }
                out.insert("type".into(), Value::Array(types));
            }
            _ => {}
        }
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
        let composed = ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| out.contains_key(*k));
        if !out.contains_key("type") && composed {
            // if/then/else rather than anyOf: violations inside the object keep
            // their precise paths instead of a bare "not valid under anyOf".
            out = Map::from_iter([
                ("if".to_string(), json!({ "type": "null" })),
                ("then".to_string(), json!(true)),
                ("else".to_string(), Value::Object(out)),
            ]);
        }
    }
    // Closing a branch of `allOf` would reject the other branches' properties.
    if strict
        && !in_all_of
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

fn truncate(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE {
        return message.to_string();
    }
    let cut: String = message.chars().take(MAX_MESSAGE).collect();
    format!("{cut}…")
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_and_exclusive_minimum_are_converted() {
        let mut refs = BTreeSet::new();
        let converted = convert(
            &json!({
                "type": "object",
                "properties": {
                    "n": { "type": "integer", "nullable": true },
                    "e": { "type": "string", "enum": ["a"], "nullable": true },
                    "m": { "type": "number", "minimum": 0, "exclusiveMinimum": true },
                    "pattern": { "type": "string" },
                    "r": { "$ref": "#/components/schemas/Team", "description": "ignored" }
                }
            }),
            true,
            false,
            &mut refs,
        );
        assert_eq!(
            converted,
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "n": { "type": ["integer", "null"] },
                    "e": { "type": ["string", "null"], "enum": ["a", null] },
                    "m": { "type": "number", "exclusiveMinimum": 0 },
                    "pattern": { "type": "string" },
                    "r": { "$ref": "#/definitions/Team" }
                }
            })
        );
        assert_eq!(refs, BTreeSet::from(["Team".to_string()]));
    }

    #[test]
    fn recursive_schemas_compile_and_validate() {
        let spec = spec();
        let team = json!({ "id": "t", "name": "n", "customer": { "id": "c", "name": "c", "teams": [{ "id": "t2", "name": "x" }] } });
        assert!(
            spec.validate(
                "t:team",
                &json!({ "$ref": "#/components/schemas/Team" }),
                Direction::Response,
                &team
            )
            .is_empty()
        );
        let bad = json!({ "id": "t", "name": "n", "customer": { "id": "c", "name": "c", "teams": [{ "id": 5 }] } });
        let errors = spec.validate(
            "t:team",
            &json!({ "$ref": "#/components/schemas/Team" }),
            Direction::Response,
            &bad,
        );
        assert!(
            errors.iter().any(|e| e.contains("/customer/teams/0")),
            "{errors:?}"
        );
    }

    #[test]
    fn every_request_and_response_schema_compiles() {
        let spec = spec();
        for op in spec.operations() {
            if let Some((_, schema)) = &op.request_body {
                let document = spec.json_schema(schema, Direction::Request);
                jsonschema::draft7::new(&document)
                    .unwrap_or_else(|e| panic!("{} request: {e}", op.id));
            }
            for (status, response) in &op.responses {
                if let Some(schema) = &response.schema {
                    let document = spec.json_schema(schema, Direction::Response);
                    jsonschema::draft7::new(&document)
                        .unwrap_or_else(|e| panic!("{} {status}: {e}", op.id));
                }
            }
        }
    }

    #[test]
    fn routes_prefer_literal_segments() {
        let spec = spec();
        assert_eq!(
            spec.route("GET", "/api/governance/virtual-keys/quota")
                .unwrap()
                .id,
            "get_virtual_key_quota"
        );
        assert_eq!(
            spec.route("GET", "/api/governance/virtual-keys/abc")
                .unwrap()
                .id,
            "get_virtual_key"
        );
        assert_eq!(
            spec.route("DELETE", "/api/governance/teams/t%201")
                .unwrap()
                .id,
            "delete_team"
        );
        assert!(spec.route("PATCH", "/api/governance/teams").is_none());
        let (_, params) = spec
            .operation("get_team")
            .unwrap()
            .match_path("/api/governance/teams/a%2Fb%20c")
            .unwrap();
        assert_eq!(params["team_id"], "a/b c");
    }

    #[test]
    fn the_spec_matches_the_generated_operation_table() {
        let mut from_spec: Vec<(String, String, String)> = spec()
            .operations()
            .iter()
            .map(|op| (op.id.clone(), op.method.clone(), op.path.clone()))
            .collect();
        let mut generated: Vec<(String, String, String)> =
            bifrost_governance_client::operations::ALL
                .iter()
                .map(|op| {
                    (
                        op.id.to_string(),
                        op.method.to_string(),
                        op.path.to_string(),
                    )
                })
                .collect();
        from_spec.sort();
        generated.sort();
        assert_eq!(from_spec, generated);
        assert_eq!(operation_ids().len(), 45);
    }
}
