//! Scrubbing of secrets from text that ends up in errors and logs.
//!
//! Bodies and decoder messages can quote virtual-key values (`sk-bf-…`), provider
//! key values and MCP headers. Anything derived from a response that is shown to a
//! person goes through here first.

/// Longest excerpt of a body kept in an error.
pub(crate) const EXCERPT_LEN: usize = 240;

/// A short excerpt of a body with every JSON string *value* masked (object keys are
/// kept, so the shape stays readable) and any `sk-bf-` token masked.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let masked = masked_body(body);
    let mut excerpt: String = masked.chars().take(EXCERPT_LEN).collect();
    if masked.chars().count() > EXCERPT_LEN {
        excerpt.push('…');
    }
    excerpt
}

/// The whole body with every JSON string value and every `sk-bf-` token masked.
pub(crate) fn masked_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    mask_virtual_keys(&mask_json_string_values(&text))
}

/// Whether a header's values are credentials: kept out of `Debug` output (and
/// HTTP/2 header compression) by marking them sensitive, and never kept from
/// responses in errors when the name is `set-cookie`.
pub(crate) fn is_sensitive_header(name: &http::HeaderName) -> bool {
    const EXACT: [&str; 5] = [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-bf-vk",
    ];
    const PARTS: [&str; 7] = [
        "auth", "token", "secret", "password", "api-key", "apikey", "session",
    ];
    let name = name.as_str(); // always lower case
    EXACT.contains(&name) || PARTS.iter().any(|part| name.contains(part))
}

/// Marks the values of credential-like headers sensitive.
pub(crate) fn mark_sensitive(headers: &mut http::HeaderMap) {
    for (name, value) in headers.iter_mut() {
        if is_sensitive_header(name) {
            value.set_sensitive(true);
        }
    }
}

/// A decoder or server message with quoted strings masked: serde quotes the
/// offending value (`invalid type: string "sk-bf-…"`), which may be a secret.
pub(crate) fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    for c in text.chars() {
        if c == '"' {
            if in_quote {
                out.push_str("***\"");
            } else {
                out.push('"');
            }
            in_quote = !in_quote;
        } else if !in_quote {
            out.push(c);
        }
    }
    mask_virtual_keys(&out)
}

/// Masks `sk-bf-` tokens wherever they appear.
pub(crate) fn mask_virtual_keys(text: &str) -> String {
    const PREFIX: &str = "sk-bf-";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        out.push_str("sk-bf-***");
        let tail = &rest[at + PREFIX.len()..];
        let token_len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(tail.len());
        rest = &tail[token_len..];
    }
    out.push_str(rest);
    out
}

/// Replaces the content of every JSON string that is not an object key with `***`.
fn mask_json_string_values(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '"' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Find the closing quote, honouring escapes; an unterminated string runs to the end.
        let mut end = i + 1;
        while end < chars.len() && chars[end] != '"' {
            end += if chars[end] == '\\' { 2 } else { 1 };
        }
        let next = chars[(end + 1).min(chars.len())..]
            .iter()
            .find(|c| !c.is_whitespace());
        if next == Some(&':') {
            out.extend(&chars[i..(end + 1).min(chars.len())]);
        } else {
            out.push_str("\"***\"");
        }
        i = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_keeps_keys_and_masks_values() {
        let body = br#"{"virtual_key":{"id":"a","value":"sk-bf-123e4567-e89b","headers":{"Authorization":"Bearer t0k"}}}"#;
        let e = body_excerpt(body);
        assert_eq!(
            e,
            r#"{"virtual_key":{"id":"***","value":"***","headers":{"Authorization":"***"}}}"#
        );
    }

    #[test]
    fn excerpt_masks_unterminated_strings_and_escapes() {
        let e = body_excerpt(br#"{"value":"sk-bf-abc\"def"#);
        assert!(!e.contains("abc") && !e.contains("def"), "{e}");
    }

    #[test]
    fn masked_body_is_whole_and_still_json() {
        let body = br#"{"virtual_key":{"value":"sk-bf-1","weight":"x\"y","n":[1,2.5,true,null]}}"#;
        let masked = masked_body(body);
        assert_eq!(
            masked,
            r#"{"virtual_key":{"value":"***","weight":"***","n":[1,2.5,true,null]}}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&masked).is_ok());
    }

    #[test]
    fn credential_like_header_names_are_sensitive() {
        for (name, sensitive) in [
            ("authorization", true),
            ("proxy-authorization", true),
            ("cookie", true),
            ("set-cookie", true),
            ("x-api-key", true),
            ("x-bf-vk", true),
            ("x-auth-token", true),
            ("x-client-secret", true),
            ("x-request-id", false),
            ("content-type", false),
            ("retry-after", false),
        ] {
            let name = http::HeaderName::from_static(name);
            assert_eq!(is_sensitive_header(&name), sensitive, "{name}");
        }
    }

    #[test]
    fn excerpt_is_bounded() {
        let body = vec![b'x'; 10_000];
        assert_eq!(body_excerpt(&body).chars().count(), EXCERPT_LEN + 1);
    }

    #[test]
    fn message_masks_quoted_values_and_tokens() {
        let m = message(
            r#"invalid type: string "sk-bf-42", expected struct X at line 1; key sk-bf-77 leaked"#,
        );
        assert_eq!(
            m,
            r#"invalid type: string "***", expected struct X at line 1; key sk-bf-*** leaked"#
        );
    }
}
