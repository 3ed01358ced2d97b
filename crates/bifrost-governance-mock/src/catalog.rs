//! The server configuration the governance API refers to but does not manage:
//! configured providers with their keys, and MCP clients.

use std::collections::HashMap;

use bifrost_governance_client::secret::{EnvVar, SecretString};
use bifrost_governance_client::types::{McpClient, McpStdioConfig, ProviderKey};
use chrono::{DateTime, Utc};

/// Provider names Bifrost knows (`core/schemas/bifrost.go`), used to check
/// routing targets and fallbacks.
pub(crate) const KNOWN_PROVIDERS: &[&str] = &[
    "openai",
    "azure",
    "anthropic",
    "bedrock",
    "cohere",
    "vertex",
    "mistral",
    "ollama",
    "groq",
    "sgl",
    "parasail",
    "perplexity",
    "cerebras",
    "gemini",
    "openrouter",
    "elevenlabs",
    "huggingface",
    "nebius",
    "xai",
    "replicate",
    "vllm",
    "runway",
    "fireworks",
];

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

/// A configured provider.
#[derive(Debug, Clone)]
pub(crate) struct ProviderEntry {
    pub(crate) name: String,
    pub(crate) keys: Vec<ProviderKey>,
}

/// Configured providers and MCP clients.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) providers: Vec<ProviderEntry>,
    pub(crate) mcp_clients: Vec<McpClient>,
}

/// A seeded key: its name and the models it serves (empty = all).
type KeySpec = (&'static str, &'static [&'static str]);

fn plain(value: &str) -> EnvVar {
    EnvVar {
        value: SecretString::from(value),
        plain: false,
        env_var: Some(String::new()),
        from_env: Some(false),
        ..EnvVar::default()
    }
}

/// The deterministic `key_id` of seeded provider key number `n`.
fn key_uuid(n: i64) -> String {
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
        let mut next_key = 1;
        let providers = specs
            .iter()
            .enumerate()
            .map(|(index, (provider, keys))| ProviderEntry {
                name: (*provider).to_string(),
                keys: keys
                    .iter()
                    .map(|(name, models)| {
                        let id = next_key;
                        next_key += 1;
                        let mut key = ProviderKey {
                            id: Some(id),
                            name: Some((*name).to_string()),
                            provider_id: Some(index as i64 + 1),
                            provider: Some((*provider).to_string()),
                            key_id: Some(key_uuid(id)),
                            value: Some(plain(&format!("sk-fake-{name}-{id:04}"))),
                            models: Some(models.iter().map(|m| (*m).to_string()).collect()),
                            blacklisted_models: Some(Vec::new()),
                            weight: Some(1.0),
                            enabled: Some(true),
                            status: Some("active".to_string()),
                            config_hash: Some(String::new()),
                            created_at: Some(now),
                            updated_at: Some(now),
                            ..ProviderKey::default()
                        };
                        match *provider {
                            "azure" => {
                                key.azure_endpoint =
                                    Some(plain("https://mock-eastus.openai.azure.com"));
                                key.azure_api_version = Some(plain("2024-10-21"));
                            }
                            "bedrock" => {
                                key.bedrock_access_key = Some(plain("AKIAMOCKMOCKMOCK0001"));
                                key.bedrock_secret_key = Some(plain("mock-bedrock-secret"));
                                key.bedrock_region = Some(plain("us-east-1"));
                            }
                            "vertex" => {
                                key.vertex_project_id = Some(plain("mock-project"));
                                key.vertex_region = Some(plain("us-central1"));
                                key.vertex_auth_credentials = Some(plain("{}"));
                            }
                            _ => {}
                        }
                        key
                    })
                    .collect(),
            })
            .collect();
        let mcp_client = |id: i64, name: &str, connection_type: &str| McpClient {
            id: Some(id),
            client_id: Some(format!("mcp-{name}")),
            name: Some(name.to_string()),
            is_code_mode_client: Some(false),
            connection_type: Some(connection_type.to_string()),
            is_ping_available: Some(true),
            tool_sync_interval: Some(serde_json::json!(0)),
            auth_type: Some("none".to_string()),
            allow_on_all_virtual_keys: Some(false),
            disabled: Some(false),
            tools_to_execute: Some(vec!["*".to_string()]),
            tools_to_auto_execute: Some(Vec::new()),
            headers: Some(HashMap::new()),
            allowed_extra_headers: Some(Vec::new()),
            tool_pricing: Some(HashMap::new()),
            config_hash: Some(String::new()),
            created_at: Some(now),
            updated_at: Some(now),
            ..McpClient::default()
        };
        let mut github = mcp_client(1, "github", "http");
        github.connection_string = Some(plain("https://api.githubcopilot.com/mcp/"));
        github.auth_type = Some("headers".to_string());
        github.headers = Some(HashMap::from([(
            "Authorization".to_string(),
            plain("Bearer ghp_mockmockmockmock"),
        )]));
        let mut filesystem = mcp_client(2, "filesystem", "stdio");
        filesystem.stdio_config = Some(McpStdioConfig {
            command: Some("npx".to_string()),
            args: Some(vec![
                "-y".to_string(),
                "@modelcontextprotocol/server-filesystem".to_string(),
                "/tmp".to_string(),
            ]),
            envs: Some(Vec::new()),
        });
        let mut slack = mcp_client(3, "slack", "sse");
        slack.connection_string = Some(plain("https://mcp.slack.example/sse"));
        Self {
            providers,
            mcp_clients: vec![github, filesystem, slack],
        }
    }

    /// A configured provider by exact name.
    pub(crate) fn provider(&self, name: &str) -> Option<&ProviderEntry> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// Whether `name` is a configured or a built-in provider.
    pub(crate) fn is_known_provider(&self, name: &str) -> bool {
        self.provider(name).is_some() || KNOWN_PROVIDERS.contains(&name)
    }

    /// A key of `provider` by its UUID `key_id`.
    pub(crate) fn key(&self, provider: &str, key_id: &str) -> Option<&ProviderKey> {
        self.provider(provider)?
            .keys
            .iter()
            .find(|k| k.key_id.as_deref() == Some(key_id))
    }

    /// A key of any provider by its UUID `key_id`.
    pub(crate) fn key_anywhere(&self, key_id: &str) -> Option<&ProviderKey> {
        self.providers
            .iter()
            .flat_map(|p| &p.keys)
            .find(|k| k.key_id.as_deref() == Some(key_id))
    }

    /// An MCP client by name.
    pub(crate) fn mcp_client_by_name(&self, name: &str) -> Option<&McpClient> {
        self.mcp_clients
            .iter()
            .find(|c| c.name.as_deref() == Some(name))
    }

    /// An MCP client by numeric id.
    pub(crate) fn mcp_client(&self, id: i64) -> Option<&McpClient> {
        self.mcp_clients.iter().find(|c| c.id == Some(id))
    }

    /// Public description of every seeded key.
    pub(crate) fn key_infos(&self) -> Vec<ProviderKeyInfo> {
        self.providers
            .iter()
            .flat_map(|p| &p.keys)
            .map(|k| ProviderKeyInfo {
                provider: k.provider.clone().unwrap_or_default(),
                id: k.id.unwrap_or_default(),
                name: k.name.clone().unwrap_or_default(),
                key_id: k.key_id.clone().unwrap_or_default(),
            })
            .collect()
    }
}

/// A key the way VK responses embed it: only `id, name, key_id, models,
/// provider` are loaded and every credential is blanked (`AfterFind` upstream).
pub(crate) fn reduced_key(key: &ProviderKey) -> ProviderKey {
    ProviderKey {
        id: key.id,
        name: key.name.clone(),
        provider_id: Some(0),
        provider: key.provider.clone(),
        key_id: key.key_id.clone(),
        value: Some(plain("")),
        models: key.models.clone(),
        weight: None,
        status: Some(String::new()),
        ..ProviderKey::default()
    }
}
