//! Runtime configuration: the same built bundle is pointed at a Weaviate by a `config.json`
//! beside `index.html`, a `?weaviate=` query parameter, or the connection form.

use serde::Deserialize;

/// `config.json` beside `index.html`. Every key is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileConfig {
    pub weaviate_url: Option<String>,
    pub default_backend: Option<String>,
}

impl FileConfig {
    pub fn parse(text: &str) -> Result<FileConfig, String> {
        serde_json::from_str(text).map_err(|e| format!("config.json is not valid: {e}"))
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
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
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

/// The Weaviate URL to connect to at start, by precedence: `config.json`, then the query.
pub fn initial_url(file: Option<&FileConfig>, query: &str) -> Option<String> {
    file.and_then(|f| f.weaviate_url.clone())
        .or_else(|| query_param(query, "weaviate"))
        .and_then(|u| normalize_url(&u).ok())
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
    fn config_file_wins_over_query() {
        let f = FileConfig::parse(r#"{"weaviateUrl":"http://file:8080/","defaultBackend":"s3"}"#).unwrap();
        assert_eq!(initial_url(Some(&f), "?weaviate=http://q:1").as_deref(), Some("http://file:8080"));
        assert_eq!(initial_url(None, "?weaviate=http://q:1").as_deref(), Some("http://q:1"));
        assert_eq!(initial_url(None, "?weaviate=nonsense"), None);
        assert!(FileConfig::parse("{oops").is_err());
        assert_eq!(FileConfig::parse("{}").unwrap(), FileConfig::default());
    }
}
