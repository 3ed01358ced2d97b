//! How results are printed: tables that fit the terminal, or the SDK's types as
//! JSON or YAML for scripts. Secret values are removed from everything printed.

use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle, presets};
use serde::Serialize;
use serde_json::Value;

/// Output format (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables and text.
    #[default]
    Table,
    /// JSON (the SDK's types; stable for scripts).
    Json,
    /// YAML (the same data as JSON).
    Yaml,
}

/// What replaces a secret value.
pub const REDACTED: &str = "[REDACTED]";

/// Fields whose values are secrets: virtual-key and provider-key values, MCP
/// headers and connection strings, cloud credentials of provider keys.
const SECRET_FIELDS: [&str; 4] = [
    "value",
    "headers",
    "connection_string",
    "vertex_auth_credentials",
];
const SECRET_PREFIXES: [&str; 3] = ["azure_", "bedrock_", "vertex_"];
const SECRET_EXACT_URLS: [&str; 2] = ["ollama_url", "sgl_url"];

fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
        || SECRET_EXACT_URLS.contains(&name)
        || SECRET_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Replaces every secret in `value` (by field, and any `sk-bf-` token in any string)
/// with [`REDACTED`]; user-chosen maps (`metadata`) keep their keys.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "metadata" {
                    redact_tokens(v);
                } else if is_secret_field(key) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(_) => redact_tokens(value),
        _ => {}
    }
}

fn redact_tokens(value: &mut Value) {
    match value {
        Value::String(s) if s.contains("sk-bf-") => *s = REDACTED.into(),
        Value::Object(map) => map.values_mut().for_each(redact_tokens),
        Value::Array(items) => items.iter_mut().for_each(redact_tokens),
        _ => {}
    }
}

/// `item` as JSON with its secrets removed; `keep_value` keeps the top-level
/// `value` (the key just created or rotated, with `--show-secret`).
pub fn redacted<T: Serialize>(item: &T, keep_value: bool) -> Value {
    let mut value = serde_json::to_value(item).unwrap_or(Value::Null);
    let kept = keep_value.then(|| value.get("value").cloned()).flatten();
    redact(&mut value);
    if let (Some(kept), Value::Object(map)) = (kept, &mut value) {
        map.insert("value".into(), kept);
    }
    value
}

/// Prints data as JSON or YAML (`Format::Table` prints JSON too).
pub fn print_data(value: &Value, format: Format) {
    match format {
        Format::Yaml => match serde_norway::to_string(value) {
            Ok(text) => print!("{text}"),
            Err(e) => eprintln!("error: cannot write YAML: {e}"),
        },
        _ => println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
        ),
    }
}

/// Columns apart, a rule under the header, nothing between rows.
const STYLE: TableStyle = presets::NOTHING.header_separator(LineStyle::none().fill('─'));

/// A table fitted to the terminal's width.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    if let Some(width) = terminal_width() {
        table.set_width(width);
    }
    table
}

/// The width of the terminal on standard output (`COLUMNS` when set).
fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| comfy_table::Table::new().width())
}

/// Prints rows: a table for people (`row` turns an item into cells), or the
/// redacted items for scripts.
pub fn print_list<T: Serialize>(
    items: &[T],
    format: Format,
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) {
    match format {
        Format::Table => {
            let mut t = table(header);
            for item in items {
                t.add_row(row(item));
            }
            println!("{t}");
        }
        _ => {
            let values: Vec<Value> = items.iter().map(|i| redacted(i, false)).collect();
            print_data(&Value::Array(values), format);
        }
    }
}

/// Prints one item: `fields` as a two-column table for people, the redacted item
/// for scripts.
pub fn print_one<T: Serialize>(
    item: &T,
    format: Format,
    keep_value: bool,
    fields: impl Fn(&T) -> Vec<(&'static str, String)>,
) {
    match format {
        Format::Table => {
            let mut t = table(&["field", "value"]);
            for (k, v) in fields(item) {
                t.add_row(vec![k.to_string(), v]);
            }
            println!("{t}");
        }
        _ => print_data(&redacted(item, keep_value), format),
    }
}

/// Money in USD.
pub fn usd(amount: f64) -> String {
    format!("${amount:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_removed_wherever_they_are() {
        let mut v = json!({
            "name": "checkout",
            "value": "sk-bf-123",
            "metadata": {"value": "plain", "leak": "sk-bf-9"},
            "team": {"virtual_keys": [{"value": "sk-bf-456"}]},
            "provider_configs": [{"keys": [{"value": {"value": "sk-live"}, "azure_endpoint": "x", "name": "k"}]}],
            "description": "uses sk-bf-789 internally"
        });
        redact(&mut v);
        let text = v.to_string();
        assert!(!text.contains("sk-"), "{text}");
        assert_eq!(v["metadata"]["value"], "plain");
        assert_eq!(v["provider_configs"][0]["keys"][0]["name"], "k");
    }

    #[test]
    fn the_shown_value_is_only_the_top_level_one() {
        let item =
            json!({"value": "sk-bf-top", "team": {"virtual_keys": [{"value": "sk-bf-other"}]}});
        let v = redacted(&item, true);
        assert_eq!(v["value"], "sk-bf-top");
        assert_eq!(v["team"]["virtual_keys"][0]["value"], REDACTED);
    }
}
