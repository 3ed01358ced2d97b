//! JSON exactly as Go's `encoding/json` writes it for Bifrost's structs.
//!
//! Responses are built as [`Go`] trees in the field order of the upstream struct
//! and encoded by [`encode`], which follows `encoding/json`: struct fields in
//! declaration order, map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped,
//! floats in Go's shortest form (`100`, `0.5`, `1e-7`, `1e+21`), times in RFC 3339
//! with trailing zeros of the fraction dropped, and (like `Encoder.Encode`) a
//! final newline. Whether a field is present, `null`, `[]` or absent is decided by
//! the builder methods, which mirror Go's tags: [`Obj::field`] always writes,
//! [`Obj::omitempty`] drops Go's zero values, [`Obj::omit_nil`] drops only a nil
//! pointer.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Utc};

/// A value as Go would encode it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Go {
    /// `null`: a nil pointer, slice, map or interface.
    Null,
    /// A `bool`.
    Bool(bool),
    /// Any signed integer type.
    Int(i64),
    /// A `float64`.
    Float(f64),
    /// A `string`.
    Str(String),
    /// A `time.Time`.
    Time(DateTime<Utc>),
    /// A non-nil slice or array.
    Array(Vec<Go>),
    /// A struct, fields in declaration order.
    Object(Vec<(String, Go)>),
    /// A non-nil `map[string]T`: encoded with sorted keys.
    Map(BTreeMap<String, Go>),
}

impl Go {
    /// Whether `omitempty` drops the value: `false`, `0`, `""`, nil, and empty
    /// slices and maps (structs are never empty to Go).
    pub(crate) fn is_go_zero(&self) -> bool {
        match self {
            Go::Null => true,
            Go::Bool(b) => !b,
            Go::Int(i) => *i == 0,
            Go::Float(f) => *f == 0.0,
            Go::Str(s) => s.is_empty(),
            Go::Time(_) | Go::Object(_) => false,
            Go::Array(items) => items.is_empty(),
            Go::Map(entries) => entries.is_empty(),
        }
    }

    /// A slice that is nil when `items` is `None` (so `null`).
    pub(crate) fn slice<T: Into<Go>>(items: Option<Vec<T>>) -> Go {
        items.map_or(Go::Null, |items| {
            Go::Array(items.into_iter().map(Into::into).collect())
        })
    }
}

impl From<bool> for Go {
    fn from(b: bool) -> Self {
        Go::Bool(b)
    }
}

impl From<i64> for Go {
    fn from(i: i64) -> Self {
        Go::Int(i)
    }
}

impl From<u32> for Go {
    fn from(i: u32) -> Self {
        Go::Int(i64::from(i))
    }
}

impl From<usize> for Go {
    fn from(i: usize) -> Self {
        Go::Int(i as i64)
    }
}

impl From<f64> for Go {
    fn from(f: f64) -> Self {
        Go::Float(f)
    }
}

impl From<String> for Go {
    fn from(s: String) -> Self {
        Go::Str(s)
    }
}

impl From<&str> for Go {
    fn from(s: &str) -> Self {
        Go::Str(s.to_string())
    }
}

impl From<&String> for Go {
    fn from(s: &String) -> Self {
        Go::Str(s.clone())
    }
}

impl From<DateTime<Utc>> for Go {
    fn from(t: DateTime<Utc>) -> Self {
        Go::Time(t)
    }
}

impl<T: Into<Go>> From<Option<T>> for Go {
    /// A pointer: `None` is nil.
    fn from(value: Option<T>) -> Self {
        value.map_or(Go::Null, Into::into)
    }
}

impl From<Obj> for Go {
    fn from(obj: Obj) -> Self {
        Go::Object(obj.0)
    }
}

/// Builds a struct's JSON object field by field, in declaration order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj(Vec<(String, Go)>);

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A field without `omitempty`: always written (`null` when nil).
    pub(crate) fn field(mut self, name: &str, value: impl Into<Go>) -> Self {
        self.0.push((name.to_string(), value.into()));
        self
    }

    /// A field with `omitempty`: left out when Go considers the value empty.
    pub(crate) fn omitempty(mut self, name: &str, value: impl Into<Go>) -> Self {
        let value = value.into();
        if !value.is_go_zero() {
            self.0.push((name.to_string(), value));
        }
        self
    }

    /// A pointer field with `omitempty`: left out when nil, written when it points
    /// at anything (a pointer to `false` or `0` is not empty to Go).
    pub(crate) fn omit_nil(mut self, name: &str, value: Option<impl Into<Go>>) -> Self {
        if let Some(value) = value {
            self.0.push((name.to_string(), value.into()));
        }
        self
    }

    /// Removes a field (for `MarshalJSON` overrides that delete a member).
    pub(crate) fn remove(mut self, name: &str) -> Self {
        self.0.retain(|(k, _)| k != name);
        self
    }
}

/// Encodes like Go's `json.NewEncoder(w).Encode(v)`: the value then a newline.
pub(crate) fn encode(value: &Go) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &Go) {
    match value {
        Go::Null => out.push_str("null"),
        Go::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Go::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Go::Float(f) => write_float(out, *f),
        Go::Str(s) => write_string(out, s),
        Go::Time(t) => write_string(out, &go_time(t)),
        Go::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Go::Object(fields) => write_members(out, fields.iter().map(|(k, v)| (k.as_str(), v))),
        Go::Map(entries) => write_members(out, entries.iter().map(|(k, v)| (k.as_str(), v))),
    }
}

fn write_members<'a>(out: &mut String, members: impl Iterator<Item = (&'a str, &'a Go)>) {
    out.push('{');
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        write_value(out, value);
    }
    out.push('}');
}

/// `time.Time.MarshalJSON` of a UTC time: RFC 3339 with nanoseconds, trailing
/// zeros of the fraction dropped (`2026-01-02T03:04:05.1234Z`).
pub(crate) fn go_time(t: &DateTime<Utc>) -> String {
    let mut text = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.timestamp_subsec_nanos();
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push('Z');
    text
}

/// `float64` as `encoding/json` writes it.
fn write_float(out: &mut String, f: f64) {
    if !f.is_finite() {
        // Go refuses to encode these (an error, not a body); never produced here.
        out.push_str("null");
        return;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // 'e' format: Go writes at least two exponent digits, then trims `e-0X`
        // to `e-X`; positive exponents keep their sign.
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').expect("exponent form");
        let exponent: i32 = exponent.parse().expect("exponent");
        let sign = if exponent < 0 { '-' } else { '+' };
        let digits = exponent.unsigned_abs();
        if sign == '+' && digits < 10 {
            let _ = write!(out, "{mantissa}e+0{digits}");
        } else {
            let _ = write!(out, "{mantissa}e{sign}{digits}");
        }
    } else {
        let _ = write!(out, "{f}");
    }
}

/// A JSON string with Go's escaping (HTML-safe).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Converts a `serde_json` value (a request body echoed back, a stored `query`
/// map) into the tree Go would write for `map[string]any`: objects as sorted maps,
/// integral numbers as integers.
pub(crate) fn from_json(value: &serde_json::Value) -> Go {
    match value {
        serde_json::Value::Null => Go::Null,
        serde_json::Value::Bool(b) => Go::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            // Go decodes every JSON number of an `any` into float64.
            Some(i) => Go::Float(i as f64),
            None => Go::Float(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => Go::Str(s.clone()),
        serde_json::Value::Array(items) => Go::Array(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Go::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

/// `strconv.Quote` (Go's `%q`): the text in double quotes with Go's escapes.
pub(crate) fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn floats_print_like_strconv_format_float() {
        for (f, text) in [
            (100.0, "100"),
            (0.5, "0.5"),
            (-0.0, "-0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e22, "1.5e+22"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (2.5e-10, "2.5e-10"),
            (123456789.125, "123456789.125"),
        ] {
            let mut out = String::new();
            write_float(&mut out, f);
            assert_eq!(out, text, "{f}");
        }
    }

    #[test]
    fn strings_are_html_escaped() {
        let mut out = String::new();
        write_string(&mut out, "a<b>&\"c\"\\\n\u{1}\u{2028}é");
        assert_eq!(out, r#""a\u003cb\u003e\u0026\"c\"\\\n\u0001\u2028é""#);
    }

    #[test]
    fn times_drop_trailing_zeros() {
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(go_time(&t), "2026-01-02T03:04:05Z");
        let t = t + chrono::Duration::microseconds(123_400);
        assert_eq!(go_time(&t), "2026-01-02T03:04:05.1234Z");
        let t = t + chrono::Duration::nanoseconds(1);
        assert_eq!(go_time(&t), "2026-01-02T03:04:05.123400001Z");
        let zero = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(go_time(&zero), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn objects_keep_order_maps_sort_and_omitempty_drops_zero_values() {
        let value: Go = Obj::new()
            .field("z", 1i64)
            .field("nil_slice", Go::slice::<i64>(None))
            .field("empty_slice", Go::slice(Some(Vec::<i64>::new())))
            .omitempty("zero", 0i64)
            .omitempty("empty", "")
            .omitempty("no", false)
            .omit_nil("ptr_false", Some(false))
            .omit_nil("ptr_nil", None::<bool>)
            .field(
                "map",
                Go::Map(
                    [("b".to_string(), Go::Int(2)), ("a".to_string(), Go::Int(1))]
                        .into_iter()
                        .collect(),
                ),
            )
            .into();
        assert_eq!(
            encode(&value),
            "{\"z\":1,\"nil_slice\":null,\"empty_slice\":[],\"ptr_false\":false,\"map\":{\"a\":1,\"b\":2}}\n"
        );
    }
}
