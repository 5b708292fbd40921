//! Runtime configuration. The same built bundle is pointed at a Weaviate, themed and locked
//! down at run time, by precedence: a host page's `postMessage` > `config.json` beside
//! `index.html` > the URL query > the connection form.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    /// Follow `prefers-color-scheme`.
    Auto,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "auto" => Some(Theme::Auto),
            _ => None,
        }
    }
}

/// Every configuration key; each is optional, and a higher source wins key by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleConfig {
    pub weaviate_url: Option<String>,
    /// Never read from the URL (it would leak into logs and history).
    pub api_key: Option<String>,
    pub default_backend: Option<String>,
    pub theme: Option<Theme>,
    /// CSS custom properties (`--bc-*` only) the host sets, e.g. its accent colour.
    pub theme_vars: Option<BTreeMap<String, String>>,
    /// Origins whose `postMessage` the console accepts and posts events to.
    pub allowed_origins: Option<Vec<String>>,
    /// Forms hidden, table only.
    pub read_only: Option<bool>,
}

impl ConsoleConfig {
    pub fn parse(text: &str) -> Result<ConsoleConfig, String> {
        serde_json::from_str(text).map_err(|e| format!("The configuration is not valid: {e}"))
    }

    /// From the query string: `weaviate`, `backend`, `theme`, `readOnly`, `hostOrigin`.
    pub fn from_query(query: &str) -> ConsoleConfig {
        ConsoleConfig {
            weaviate_url: query_param(query, "weaviate"),
            default_backend: query_param(query, "backend"),
            theme: query_param(query, "theme").and_then(|t| Theme::parse(&t)),
            read_only: query_param(query, "readOnly").map(|v| v == "true" || v == "1"),
            allowed_origins: query_param(query, "hostOrigin").map(|o| vec![o]),
            ..Default::default()
        }
    }

    /// `self` over `lower`: each key from `self` when set, else from `lower`.
    pub fn over(self, lower: ConsoleConfig) -> ConsoleConfig {
        ConsoleConfig {
            weaviate_url: self.weaviate_url.or(lower.weaviate_url),
            api_key: self.api_key.or(lower.api_key),
            default_backend: self.default_backend.or(lower.default_backend),
            theme: self.theme.or(lower.theme),
            theme_vars: self.theme_vars.or(lower.theme_vars),
            allowed_origins: self.allowed_origins.or(lower.allowed_origins),
            read_only: self.read_only.or(lower.read_only),
        }
    }

    /// The Weaviate URL, normalized, if set and valid.
    pub fn url(&self) -> Option<String> {
        self.weaviate_url.as_deref().and_then(|u| normalize_url(u).ok())
    }

    /// The host's theme variables as a CSS rule; names other than `--bc-*` and values that
    /// could end the rule are dropped.
    pub fn theme_css(&self) -> String {
        let vars: Vec<String> = self
            .theme_vars
            .iter()
            .flatten()
            .filter(|(k, v)| {
                k.starts_with("--bc-")
                    && k[5..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !v.contains(['{', '}', ';', '<', '>'])
            })
            .map(|(k, v)| format!("{k}: {v};"))
            .collect();
        if vars.is_empty() {
            String::new()
        } else {
            format!(":root {{ {} }}", vars.join(" "))
        }
    }
}

/// A Weaviate base URL as typed: trimmed, without trailing slashes, http(s) only.
pub fn normalize_url(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    if url.is_empty() {
        return Err("Enter the Weaviate URL, e.g. http://localhost:8080.".into());
    }
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| "The Weaviate URL must start with http:// or https://.".to_string())?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err("The Weaviate URL has no valid host.".into());
    }
    Ok(url.to_string())
}

/// The value of `name` in a URL query string (`?a=1&weaviate=http%3A%2F%2F…`), decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized() {
        assert_eq!(normalize_url(" http://127.0.0.1:8080/ ").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(normalize_url("https://x.weaviate.cloud").unwrap(), "https://x.weaviate.cloud");
        assert!(normalize_url("").is_err());
        assert!(normalize_url("localhost:8080").is_err());
        assert!(normalize_url("ftp://x").is_err());
        assert!(normalize_url("http://").is_err());
    }

    #[test]
    fn query_parameter_is_decoded() {
        assert_eq!(
            query_param("?x=1&weaviate=http%3A%2F%2F127.0.0.1%3A8080", "weaviate").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(query_param("?weaviate=http://h:1", "weaviate").as_deref(), Some("http://h:1"));
        assert_eq!(query_param("", "weaviate"), None);
        assert_eq!(query_param("?weaviate", "weaviate").as_deref(), Some(""));
        assert_eq!(query_param("?w=%zz%", "w").as_deref(), Some("%zz%"));
        assert_eq!(query_param("?w=%é%4", "w").as_deref(), Some("%é%4"));
    }

    #[test]
    fn precedence_key_by_key() {
        let host = ConsoleConfig::parse(r#"{"apiKey":"k","theme":"dark"}"#).unwrap();
        let file = ConsoleConfig::parse(r#"{"weaviateUrl":"http://file:8080/","defaultBackend":"s3","theme":"light"}"#).unwrap();
        let query = ConsoleConfig::from_query("?weaviate=http://q:1&backend=gcs&readOnly=true");
        let c = host.over(file.over(query));
        assert_eq!(c.url().as_deref(), Some("http://file:8080"));
        assert_eq!(c.api_key.as_deref(), Some("k"));
        assert_eq!(c.default_backend.as_deref(), Some("s3"));
        assert_eq!(c.theme, Some(Theme::Dark));
        assert_eq!(c.read_only, Some(true));
    }

    #[test]
    fn query_never_supplies_an_api_key() {
        let q = ConsoleConfig::from_query("?apiKey=secret&api_key=secret&weaviate=http://h:1&theme=neon&hostOrigin=http://host:9");
        assert_eq!(q.api_key, None);
        assert_eq!(q.theme, None);
        assert_eq!(q.allowed_origins, Some(vec!["http://host:9".to_string()]));
        assert_eq!(ConsoleConfig::from_query("?weaviate=nonsense").url(), None);
    }

    #[test]
    fn invalid_config_is_an_error() {
        assert!(ConsoleConfig::parse("{oops").is_err());
        assert!(ConsoleConfig::parse(r#"{"readOnly":"yes"}"#).is_err());
        assert_eq!(ConsoleConfig::parse(r#"{"unknown":1}"#).unwrap(), ConsoleConfig::default());
    }

    #[test]
    fn theme_vars_are_filtered() {
        let c = ConsoleConfig::parse(
            r##"{"themeVars":{"--bc-accent":"#c00","color":"red","--bc-x":"1}body{display:none","--bc-radius":"2px"}}"##,
        )
        .unwrap();
        assert_eq!(c.theme_css(), ":root { --bc-accent: #c00; --bc-radius: 2px; }");
        assert_eq!(ConsoleConfig::default().theme_css(), "");
    }
}
