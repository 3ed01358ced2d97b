//! Reads an OpenAPI description (3.0 or 3.1, JSON or YAML) into the flat view that
//! drift compares: per operation, its query parameters and the dotted field paths of
//! its request body and success responses, each with its type and enum values.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Path prefixes of the operations drift compares.
pub const SCOPES: [&str; 2] = ["/api/governance/", "/api/routing/"];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// How deep field paths are followed; deeper levels are not compared. Cycles through
/// `$ref` stop earlier, at the first repeated reference.
const MAX_DEPTH: usize = 24;

/// A parsed OpenAPI description.
#[derive(Debug)]
pub struct Spec {
    /// Where it came from (for messages).
    pub name: String,
    /// The `openapi` version string.
    pub version: String,
    doc: Value,
}

/// Operation identity: upper-case method and the path template with every path
/// parameter name blanked (`/teams/{}`), so `{team_id}` and `{id}` are the same path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpKey {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Normalised path template.
    pub path: String,
}

/// Where a field lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// A query parameter (the path starts with its name).
    Query,
    /// The JSON request body.
    Request,
    /// A JSON success (2xx) response body.
    Response,
}

impl Location {
    /// `query`, `request` or `response`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Query => "query",
            Location::Request => "request",
            Location::Response => "response",
        }
    }
}

/// What is known of one field path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    /// Base JSON types (`string`, `object`, ...), `null` removed unless it is the only one.
    pub types: BTreeSet<String>,
    /// Enum (or `const`) values as text, when the schema declares any.
    pub enums: Option<BTreeSet<String>>,
}

impl Field {
    /// The types as one label, e.g. `object|string`; `any` when unconstrained.
    pub fn type_label(&self) -> String {
        if self.types.is_empty() {
            "any".to_string()
        } else {
            self.types.iter().cloned().collect::<Vec<_>>().join("|")
        }
    }
}

/// Field paths (`""` for the body itself, `a.b`, `list[]`, `map{}`) of one location.
pub type Fields = BTreeMap<String, Field>;

/// One operation, flattened.
#[derive(Debug, Clone, Default)]
pub struct Operation {
    /// The path template as written in the spec.
    pub template: String,
    /// Query parameters: the parameter name is the root of each path.
    pub query: Fields,
    /// Request body fields (empty when there is no JSON body).
    pub request: Fields,
    /// Success response fields, merged over every 2xx response with a JSON body.
    pub response: Fields,
}

impl Operation {
    /// The fields of one location.
    pub fn fields(&self, location: Location) -> &Fields {
        match location {
            Location::Query => &self.query,
            Location::Request => &self.request,
            Location::Response => &self.response,
        }
    }
}

/// Every in-scope operation of a spec.
pub type Surface = BTreeMap<OpKey, Operation>;

impl Spec {
    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<Spec> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Spec::parse(&path.display().to_string(), &text)
    }

    /// Parses JSON or YAML text and checks that it is OpenAPI 3.0 or 3.1.
    pub fn parse(name: &str, text: &str) -> Result<Spec> {
        let doc: Value = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).with_context(|| format!("{name} is not valid JSON"))?
        } else {
            serde_norway::from_str(text).with_context(|| format!("{name} is not valid YAML"))?
        };
        let version = match doc.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => v.to_string(),
            Some(v) => bail!("{name}: OpenAPI {v} is not supported (3.0 or 3.1 only)"),
            None if doc.get("swagger").is_some() => {
                bail!("{name}: Swagger 2.0 is not supported (OpenAPI 3.0 or 3.1 only)")
            }
            None => bail!("{name}: no `openapi` version field; not an OpenAPI description"),
        };
        Ok(Spec {
            name: name.to_string(),
            version,
            doc,
        })
    }

    /// Flattens the governance and routing operations.
    pub fn surface(&self) -> Result<Surface> {
        let mut surface = Surface::new();
        let paths = self.doc.get("paths").and_then(Value::as_object);
        for (template, item) in paths.into_iter().flatten() {
            if !SCOPES.iter().any(|scope| template.starts_with(scope)) {
                continue;
            }
            let item = self
                .deref(item)
                .with_context(|| format!("path {template}"))?;
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let key = OpKey {
                    method: method.to_uppercase(),
                    path: normalise_path(template),
                };
                let label = format!("{} {template}", key.method);
                let flat = self
                    .operation(template, item, op)
                    .with_context(|| format!("{} in {}", label, self.name))?;
                if surface.insert(key, flat).is_some() {
                    bail!(
                        "{}: {label} is declared twice (path parameter names differ only)",
                        self.name
                    );
                }
            }
        }
        Ok(surface)
    }

    fn operation(&self, template: &str, item: &Value, op: &Value) -> Result<Operation> {
        let mut flat = Operation {
            template: template.to_string(),
            ..Operation::default()
        };

        // Operation-level parameters override path-level ones with the same name and place.
        let mut params: BTreeMap<(String, String), &Value> = BTreeMap::new();
        for list in [item.get("parameters"), op.get("parameters")] {
            for param in list.and_then(Value::as_array).into_iter().flatten() {
                let param = self.deref(param)?;
                let name = param.get("name").and_then(Value::as_str).unwrap_or("");
                let place = param.get("in").and_then(Value::as_str).unwrap_or("");
                params.insert((place.to_string(), name.to_string()), param);
            }
        }
        for ((place, name), param) in params {
            if place != "query" {
                continue;
            }
            let schema = param
                .get("schema")
                .or_else(|| first_media_schema(param.get("content")));
            let mut walker = Walker::new(self, &mut flat.query);
            match schema {
                Some(schema) => walker.walk(schema, &name)?,
                None => {
                    walker.out.entry(name).or_default();
                }
            }
        }

        if let Some(body) = op.get("requestBody") {
            let body = self.deref(body)?;
            if let Some(schema) = json_schema(body.get("content")) {
                Walker::new(self, &mut flat.request).walk(schema, "")?;
            }
        }

        let responses = op.get("responses").and_then(Value::as_object);
        for (code, response) in responses.into_iter().flatten() {
            if !code.starts_with('2') {
                continue;
            }
            let response = self.deref(response)?;
            if let Some(schema) = json_schema(response.get("content")) {
                Walker::new(self, &mut flat.response).walk(schema, "")?;
            }
        }
        Ok(flat)
    }

    /// Follows a chain of `$ref`s (parameters, responses, request bodies, path items).
    fn deref<'a>(&'a self, mut value: &'a Value) -> Result<&'a Value> {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) => value = self.target(target)?,
                None => return Ok(value),
            }
        }
        bail!("$ref chain longer than 32 links (a cycle?)")
    }

    /// The value a local `$ref` points at.
    fn target(&self, reference: &str) -> Result<&Value> {
        let Some(fragment) = reference.strip_prefix('#') else {
            bail!("external $ref {reference} is not supported; bundle the description first");
        };
        let pointer = percent_decode(fragment);
        self.doc
            .pointer(&pointer)
            .with_context(|| format!("unresolved $ref {reference}"))
    }
}

/// Flattens one schema into field paths.
struct Walker<'a> {
    spec: &'a Spec,
    out: &'a mut Fields,
    /// `$ref`s being expanded on the current path (cycle guard).
    stack: Vec<String>,
}

impl<'a> Walker<'a> {
    fn new(spec: &'a Spec, out: &'a mut Fields) -> Self {
        Walker {
            spec,
            out,
            stack: Vec::new(),
        }
    }

    /// Records the field at `path` and everything below it.
    fn walk(&mut self, schema: &Value, path: &str) -> Result<()> {
        let mut types = BTreeSet::new();
        self.base_types(schema, &mut Vec::new(), &mut types)?;
        if types.len() > 1 {
            types.remove("null");
        }
        self.out
            .entry(path.to_string())
            .or_default()
            .types
            .extend(types);
        self.children(schema, path)
    }

    /// Enum values and sub-fields of `schema` at `path`, through `$ref` and
    /// `allOf`/`oneOf`/`anyOf` (whose members describe the same value).
    fn children(&mut self, schema: &Value, path: &str) -> Result<()> {
        if path_depth(path) > MAX_DEPTH {
            return Ok(());
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
            && !self.stack.iter().any(|r| r == reference)
        {
            let target = self.spec.target(reference)?;
            self.stack.push(reference.to_string());
            let result = self.children(target, path);
            self.stack.pop();
            result?;
        }
        let mut values = Vec::new();
        if let Some(list) = schema.get("enum").and_then(Value::as_array) {
            values.extend(list.iter());
        }
        if let Some(value) = schema.get("const") {
            values.push(value);
        }
        if !values.is_empty() {
            let enums = self
                .out
                .entry(path.to_string())
                .or_default()
                .enums
                .get_or_insert_with(BTreeSet::new);
            enums.extend(values.into_iter().filter(|v| !v.is_null()).map(value_text));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for member in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.children(member, path)?;
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                self.walk(prop, &child)?;
            }
        }
        if let Some(extra) = schema.get("additionalProperties")
            && extra.is_object()
        {
            self.walk(extra, &format!("{path}{{}}"))?;
        }
        if let Some(items) = schema.get("items")
            && items.is_object()
        {
            self.walk(items, &format!("{path}[]"))?;
        }
        Ok(())
    }

    /// The JSON types a schema allows, `null` included (the caller drops it).
    fn base_types(
        &self,
        schema: &Value,
        seen: &mut Vec<String>,
        out: &mut BTreeSet<String>,
    ) -> Result<()> {
        match schema.get("type") {
            Some(Value::String(t)) => {
                out.insert(t.clone());
                return Ok(());
            }
            Some(Value::Array(list)) => {
                out.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
                return Ok(());
            }
            _ => {}
        }
        let before = out.len();
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
            && !seen.iter().any(|r| r == reference)
        {
            seen.push(reference.to_string());
            self.base_types(self.spec.target(reference)?, seen, out)?;
            seen.pop();
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for member in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.base_types(member, seen, out)?;
            }
        }
        if out.len() > before {
            return Ok(());
        }
        if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
            out.insert("object".to_string());
        } else if schema.get("items").is_some() {
            out.insert("array".to_string());
        } else {
            let values = schema
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(schema.get("const"));
            out.extend(values.map(|v| json_type(v).to_string()));
        }
        Ok(())
    }
}

/// The schema of the JSON media type of a `content` map (`application/json`, else
/// any `*json` type).
fn json_schema(content: Option<&Value>) -> Option<&Value> {
    let content = content?.as_object()?;
    let media = content.get("application/json").or_else(|| {
        content
            .iter()
            .find(|(media, _)| media.contains("json"))
            .map(|(_, v)| v)
    })?;
    media.get("schema")
}

fn first_media_schema(content: Option<&Value>) -> Option<&Value> {
    content?.as_object()?.values().next()?.get("schema")
}

/// `/a/{vk_id}/b` becomes `/a/{}/b`.
pub fn normalise_path(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn path_depth(path: &str) -> usize {
    path.matches(['.', '[', '{']).count()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Strings as themselves, anything else as JSON text.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Decodes `%XX` escapes of a `$ref` fragment (`#/paths/~1a%7Bid%7D`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
