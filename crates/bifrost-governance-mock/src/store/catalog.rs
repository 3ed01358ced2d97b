//! The server configuration the governance API refers to but does not manage:
//! configured providers with their keys (`config_providers`, `config_keys`), and
//! MCP clients (`config_mcp_clients`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// A provider key configured on the mock server, as the SDK needs to know it
/// to fill `provider_configs[].key_ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderKeyInfo {
    /// Provider name, e.g. `openai`.
    pub provider: String,
    /// Numeric row id of the key.
    pub id: i64,
    /// Unique key name, e.g. `openai-primary`.
    pub name: String,
    /// The key's UUID: the value to send in `key_ids`.
    pub key_id: String,
}

/// A row of `config_keys` (the columns a virtual key's response shows).
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) provider: String,
    pub(crate) key_id: String,
    pub(crate) models: Vec<String>,
}

/// A row of `config_providers`.
#[derive(Debug, Clone)]
pub(crate) struct Provider {
    pub(crate) name: String,
}

/// A row of `config_mcp_clients`.
#[derive(Debug, Clone)]
pub(crate) struct McpClient {
    pub(crate) id: u64,
    pub(crate) client_id: String,
    pub(crate) name: String,
    pub(crate) connection_type: String,
    pub(crate) connection_string: Option<String>,
    pub(crate) auth_type: String,
    pub(crate) stdio: Option<(String, Vec<String>)>,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) tools_to_execute: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
}

/// Configured providers, keys and MCP clients.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) providers: Vec<Provider>,
    pub(crate) keys: Vec<Key>,
    pub(crate) mcp_clients: Vec<McpClient>,
}

/// A seeded key: its name and the models it serves.
type KeySpec = (&'static str, &'static [&'static str]);

/// The deterministic `key_id` of seeded provider key number `n`.
fn key_uuid(n: u64) -> String {
    format!("b1f05700-0000-4000-8000-{n:012}")
}

impl Catalog {
    /// openai, anthropic, azure, bedrock, gemini, mistral, groq and vertex with one
    /// or two keys each, plus the `github`, `filesystem` and `slack` MCP clients.
    pub(crate) fn seeded(now: DateTime<Utc>) -> Self {
        let specs: &[(&str, &[KeySpec])] = &[
            (
                "openai",
                &[
                    ("openai-primary", &["gpt-4o", "gpt-4o-mini"]),
                    ("openai-secondary", &[]),
                ],
            ),
            (
                "anthropic",
                &[
                    ("anthropic-primary", &[]),
                    ("anthropic-batch", &["claude-3-5-haiku-latest"]),
                ],
            ),
            ("azure", &[("azure-eastus", &["gpt-4o"])]),
            ("bedrock", &[("bedrock-us-east-1", &[])]),
            ("gemini", &[("gemini-primary", &[])]),
            ("mistral", &[("mistral-primary", &[])]),
            ("groq", &[("groq-primary", &[])]),
            ("vertex", &[("vertex-us-central1", &[])]),
        ];
        let mut keys = Vec::new();
        for (provider, provider_keys) in specs {
            for (name, models) in *provider_keys {
                let id = keys.len() as u64 + 1;
                keys.push(Key {
                    id,
                    name: (*name).to_string(),
                    provider: (*provider).to_string(),
                    key_id: key_uuid(id),
                    models: models.iter().map(|m| (*m).to_string()).collect(),
                });
            }
        }
        let client = |id: u64, name: &str, connection_type: &str| McpClient {
            id,
            client_id: format!("mcp-{name}"),
            name: name.to_string(),
            connection_type: connection_type.to_string(),
            connection_string: None,
            auth_type: "none".to_string(),
            stdio: None,
            headers: BTreeMap::new(),
            tools_to_execute: vec!["*".to_string()],
            created_at: now,
        };
        let mut github = client(1, "github", "http");
        github.connection_string = Some("https://api.githubcopilot.com/mcp/".to_string());
        github.auth_type = "headers".to_string();
        github.headers.insert(
            "Authorization".to_string(),
            "Bearer ghp_mockmockmockmock".to_string(),
        );
        let mut filesystem = client(2, "filesystem", "stdio");
        filesystem.stdio = Some((
            "npx".to_string(),
            vec![
                "-y".to_string(),
                "@modelcontextprotocol/server-filesystem".to_string(),
                "/tmp".to_string(),
            ],
        ));
        let mut slack = client(3, "slack", "sse");
        slack.connection_string = Some("https://mcp.slack.example/sse".to_string());
        Self {
            providers: specs
                .iter()
                .map(|(name, _)| Provider {
                    name: (*name).to_string(),
                })
                .collect(),
            keys,
            mcp_clients: vec![github, filesystem, slack],
        }
    }

    /// Whether `name` is a configured provider (`getConfiguredProviderSet`: exact,
    /// after trimming the stored names).
    pub(crate) fn is_configured(&self, name: &str) -> bool {
        self.providers.iter().any(|p| p.name.trim() == name)
    }

    /// Keys by their UUID `key_id`, of any provider (`GetKeysByIDs`: `key_id IN ?`).
    pub(crate) fn keys_by_key_ids(&self, key_ids: &[String]) -> Vec<&Key> {
        self.keys
            .iter()
            .filter(|k| key_ids.contains(&k.key_id))
            .collect()
    }

    /// A key by numeric id.
    pub(crate) fn key(&self, id: u64) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// An MCP client by exact name (`GetMCPClientByName`).
    pub(crate) fn mcp_client_by_name(&self, name: &str) -> Option<&McpClient> {
        self.mcp_clients.iter().find(|c| c.name == name)
    }

    /// An MCP client by numeric id.
    pub(crate) fn mcp_client(&self, id: u64) -> Option<&McpClient> {
        self.mcp_clients.iter().find(|c| c.id == id)
    }

    /// Public description of every seeded key.
    pub(crate) fn key_infos(&self) -> Vec<ProviderKeyInfo> {
        self.keys
            .iter()
            .map(|k| ProviderKeyInfo {
                provider: k.provider.clone(),
                id: k.id as i64,
                name: k.name.clone(),
                key_id: k.key_id.clone(),
            })
            .collect()
    }
}
