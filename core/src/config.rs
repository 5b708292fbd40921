//! Runtime configuration. The same built bundle is pointed at a Weaviate, themed and locked
//! down at run time, by precedence: a host page's `postMessage` > `config.json` beside
//! `index.html` > the URL query > the connection form.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::origin::{base_of, exact_origin, origin_of, BoundKey};
use crate::policy::{PoliciesFile, Policy, FILE_VERSION};

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

/// Every configuration key; each is optional, and a higher source wins key by key, except
/// that the API key travels with the URL it was given for (see [`ConsoleConfig::over`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsoleConfig {
    pub weaviate_url: Option<String>,
    /// The key for `weaviate_url` of the same source. Never read from the URL (it would leak
    /// into logs and history).
    pub api_key: Option<String>,
    pub default_backend: Option<String>,
    pub theme: Option<Theme>,
    /// CSS custom properties (`--bc-*` only) the host sets, e.g. its accent colour.
    pub theme_vars: Option<BTreeMap<String, String>>,
    /// Exact origins whose `postMessage` the console accepts and posts events to. Only the
    /// deployment (`config.json`, the mount API) sets them.
    pub allowed_origins: Option<Vec<String>>,
    /// Forms hidden, table only.
    pub read_only: Option<bool>,
    /// Backup policies the deployment sets (each in the policies file's schema), read-only in
    /// the console. Kept as JSON here and read by [`ConsoleConfig::policies`] in the Policies
    /// code, which the first load does not carry.
    pub policies: Option<Vec<serde_json::Value>>,
    /// `?hostOrigin=`: which allowed origin frames the console. Honoured only when it is on
    /// `allowed_origins`, so a framer cannot name itself.
    #[serde(skip)]
    pub host_origin: Option<String>,
    /// `weaviate_url` came from a link (the query), not from the deployment or an allowed host:
    /// the console fills the form and asks before sending anything there.
    #[serde(skip)]
    pub url_from_link: bool,
}

/// Where a configuration came from: the rules differ in what each may say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `config.json` or the mount API: the deployment itself.
    Deployment,
    /// A `config` message from an allowed host page.
    Host,
}

impl ConsoleConfig {
    /// Parses and checks a configuration. Unknown keys are errors: a misspelt `readOnly` must
    /// not leave a console writable.
    pub fn parse(text: &str, source: Source) -> Result<ConsoleConfig, String> {
        let c: ConsoleConfig =
            serde_json::from_str(text).map_err(|e| format!("The configuration is not valid: {e}"))?;
        c.checked(source)
    }

    fn checked(mut self, source: Source) -> Result<ConsoleConfig, String> {
        if let Some(u) = &self.weaviate_url {
            self.weaviate_url = Some(normalize_url(u).map_err(|e| format!("weaviateUrl: {e}"))?);
        }
        if let Some(k) = &self.api_key {
            crate::key::check_api_key(k).map_err(|e| format!("apiKey: {e}"))?;
            // Every source says which server its key is for: a key alone would go to whatever
            // URL is current, which a link may have set.
            if self.weaviate_url.is_none() {
                return Err("apiKey is set without weaviateUrl: say which server the key is for.".into());
            }
        }
        if let Some(b) = &self.default_backend {
            if b.is_empty() || !b.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(format!("defaultBackend \"{b}\" is not a backend name (e.g. filesystem, s3)."));
            }
        }
        if source == Source::Host && self.policies.is_some() {
            return Err("policies can only be set by the deployment.".into());
        }
        match (source, self.allowed_origins.take()) {
            (Source::Host, Some(_)) => return Err("allowedOrigins can only be set by the deployment.".into()),
            (_, Some(list)) => {
                self.allowed_origins = Some(list.iter().map(|o| exact_origin(o)).collect::<Result<_, _>>()?);
            }
            (_, None) => {}
        }
        Ok(self)
    }

    /// From the query string: `weaviate`, `backend`, `theme`, `readOnly`, `hostOrigin`.
    pub fn from_query(query: &str) -> ConsoleConfig {
        let weaviate_url = query_param(query, "weaviate");
        ConsoleConfig {
            url_from_link: weaviate_url.is_some(),
            weaviate_url,
            default_backend: query_param(query, "backend"),
            theme: query_param(query, "theme").and_then(|t| Theme::parse(&t)),
            read_only: query_param(query, "readOnly").map(|v| v == "true" || v == "1"),
            host_origin: query_param(query, "hostOrigin").and_then(|o| exact_origin(&o).ok()),
            ..Default::default()
        }
    }

    /// `self` over `lower`: each key from `self` when set, else from `lower`. The URL keeps
    /// saying where it came from (a link, or the deployment or host). The API key is never
    /// carried to another server: a higher source that names a URL outside the lower key's base
    /// URL without a key leaves none, and a key without its server (refused by `parse`) is
    /// dropped.
    pub fn over(self, lower: ConsoleConfig) -> ConsoleConfig {
        let (weaviate_url, api_key, url_from_link) = match (self.weaviate_url, self.api_key) {
            (Some(url), Some(key)) => (Some(url), Some(key), self.url_from_link),
            (Some(url), None) => {
                let same = lower.bound_key().is_some_and(|k| k.for_url(&url).is_some());
                (Some(url), lower.api_key.filter(|_| same), self.url_from_link)
            }
            (None, _) => (lower.weaviate_url, lower.api_key, lower.url_from_link),
        };
        ConsoleConfig {
            weaviate_url,
            api_key,
            url_from_link,
            default_backend: self.default_backend.or(lower.default_backend),
            theme: self.theme.or(lower.theme),
            theme_vars: self.theme_vars.or(lower.theme_vars),
            allowed_origins: self.allowed_origins.or(lower.allowed_origins),
            read_only: self.read_only.or(lower.read_only),
            policies: self.policies.or(lower.policies),
            host_origin: self.host_origin.or(lower.host_origin),
        }
    }

    /// The deployment's policies, each checked by the policies file's rules (every problem at
    /// once, by policy and field; a name used twice); none when the key is absent.
    pub fn policies(&self, zone_known: &dyn Fn(&str) -> bool) -> Result<Vec<Policy>, String> {
        let Some(list) = &self.policies else { return Ok(vec![]) };
        let file = serde_json::json!({ "version": FILE_VERSION, "policies": list });
        PoliciesFile::parse(&file.to_string(), zone_known).map(|f| f.policies).map_err(|e| format!("config.json policies: {e}"))
    }

    /// The Weaviate URL, normalized, if set and valid.
    pub fn url(&self) -> Option<String> {
        self.weaviate_url.as_deref().and_then(|u| normalize_url(u).ok())
    }

    /// The configured key, bound to the configured server.
    pub fn bound_key(&self) -> Option<BoundKey> {
        BoundKey::new(&self.url()?, self.api_key.as_deref()?)
    }

    /// Whether the console connects to the configured server by itself: to a URL from the
    /// deployment or an allowed host, or from a link that names exactly the server the admin
    /// connected to in this tab before (`confirmed`: a reload, a deep link into it). Any other
    /// URL from a link (`?weaviate=`, with or without a deep link) is only offered: a link must
    /// not get the console talking to a server of its choosing, and showing that server's
    /// answers, without the admin's word.
    pub fn connects_by_itself(&self, confirmed: Option<&str>) -> bool {
        let Some(url) = self.url() else { return false };
        !self.url_from_link || confirmed.and_then(|c| normalize_url(c).ok()) == Some(url)
    }

    /// The allowed origin that frames the console, if the deployment allows one: the one named
    /// by `?hostOrigin=`, else the parent's origin as the browser reports it, else the only
    /// allowed origin. `None` means nothing is ever posted.
    pub fn host_target(&self, parent_origin: Option<&str>) -> Option<String> {
        let allowed = self.allowed_origins.as_deref().unwrap_or_default();
        let on_list = |o: &str| allowed.iter().any(|a| a == o).then(|| o.to_string());
        self.host_origin
            .as_deref()
            .and_then(on_list)
            .or_else(|| parent_origin.and_then(origin_of).as_deref().and_then(on_list))
            .or_else(|| (allowed.len() == 1).then(|| allowed[0].clone()))
    }

    /// The host's theme variables (`--bc-*` names only, values that cannot break out of a
    /// declaration), to set one by one through CSSOM.
    pub fn theme_vars(&self) -> Vec<(String, String)> {
        self.theme_vars
            .iter()
            .flatten()
            .filter(|(k, v)| {
                k.starts_with("--bc-")
                    && k[5..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !v.contains(['{', '}', ';', '<', '>'])
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// What a fetch of `config.json` means. Absent (404, or an HTML page from a static host's
/// single-page fallback) is the normal case; anything else that is not a valid configuration
/// stops the console rather than let it run on weaker settings.
pub fn read_config_file(status: u16, content_type: &str, body: &str) -> Result<Option<ConsoleConfig>, String> {
    let html = content_type.trim_start().to_ascii_lowercase().starts_with("text/html");
    match status {
        404 | 410 => Ok(None),
        200 if html => Ok(None),
        200 => ConsoleConfig::parse(body, Source::Deployment)
            .map(Some)
            .map_err(|e| format!("config.json: {e}")),
        s => Err(format!("config.json could not be read (HTTP {s}).")),
    }
}

/// A Weaviate base URL as typed: trimmed, without trailing slashes, http(s) only, with a host
/// (and no user info, which hides the real host from a reader).
pub fn normalize_url(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    if url.is_empty() {
        return Err("Enter the Weaviate URL, e.g. http://localhost:8080.".into());
    }
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err("The Weaviate URL must start with http:// or https://.".into());
    }
    if origin_of(url).is_none() || url.contains(char::is_whitespace) {
        return Err("The Weaviate URL has no valid host.".into());
    }
    if url.contains(['?', '#']) {
        return Err("The Weaviate URL cannot have a query or a fragment (?…, #…): each request adds its own path to it.".into());
    }
    // The key is bound to this path: it must be the path the browser really asks for.
    if base_of(url).is_none() {
        return Err("The Weaviate URL has a path the browser would rewrite (a \".\" or \"..\" segment, or a backslash): write the path it stands for.".into());
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

    fn file(text: &str) -> ConsoleConfig {
        ConsoleConfig::parse(text, Source::Deployment).unwrap()
    }

    #[test]
    fn policies_come_from_the_deployment_only_and_are_checked_when_read() {
        let text = r#"{"policies": [{"name": "nightly", "backend": "filesystem", "schedule": "0 2 * * *", "timeZone": "UTC",
            "retention": {"maxCount": 14}}]}"#;
        let c = file(text);
        let known = |z: &str| z == "UTC";
        let ps = c.policies(&known).unwrap();
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].retention.max_count, Some(14));
        assert!(ConsoleConfig::parse(text, Source::Host).unwrap_err().contains("deployment"));
        // A host's config over the deployment's keeps the deployment's policies.
        assert_eq!(ConsoleConfig { theme: Some(Theme::Dark), ..Default::default() }.over(c.clone()).policies, c.policies);
        assert!(ConsoleConfig::parse(r#"{"policies": {}}"#, Source::Deployment).is_err(), "an array");
        let bad = file(&text.replace("maxCount", "maxCuont").replace("\"UTC\"", "\"Mars/Base\""));
        let e = bad.policies(&known).unwrap_err();
        assert!(e.starts_with("config.json policies:") && e.contains("maxCuont"), "{e}");
        let twice = file(r#"{"policies": [{"name": "a", "backend": "s3", "schedule": "@daily", "timeZone": "UTC"},
            {"name": "a", "backend": "s3", "schedule": "@daily", "timeZone": "Mars/Base"}]}"#);
        let e = twice.policies(&known).unwrap_err();
        assert!(e.contains("a: the name is used twice.") && e.contains("Unknown time zone"), "{e}");
        assert_eq!(ConsoleConfig::default().policies(&known).unwrap(), vec![]);
    }

    #[test]
    fn urls_are_normalized() {
        assert_eq!(normalize_url(" http://127.0.0.1:8080/ ").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(normalize_url("https://x.weaviate.cloud").unwrap(), "https://x.weaviate.cloud");
        assert_eq!(normalize_url("https://gw.example/weaviate/").unwrap(), "https://gw.example/weaviate");
        for bad in ["", "localhost:8080", "ftp://x", "http://", "http://user:pw@h", "javascript:alert(1)", "http://a b",
                    "http://h/a/../b", "http://h/%2E", "http://h/a\\b", "http://h/?x=1", "http://h#frag"] {
            assert!(normalize_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_url_from_a_link_is_offered_not_connected() {
        let link = ConsoleConfig::from_query("?weaviate=http://evil:1&theme=dark");
        assert!(link.url_from_link && !link.connects_by_itself(None));
        assert!(!ConsoleConfig::from_query("?theme=dark").url_from_link);
        // Over nothing, under a file without a URL, with a host theme on top: still a link's.
        let f = file(r#"{"theme":"light","defaultBackend":"s3"}"#);
        let theme = ConsoleConfig::parse(r#"{"theme":"dark"}"#, Source::Host).unwrap();
        assert!(!theme.clone().over(f.clone().over(link.clone())).connects_by_itself(None));
        // The deployment's or a host's URL connects at once, whatever the query said.
        let named = file(r#"{"weaviateUrl":"http://a:8080"}"#);
        assert!(named.connects_by_itself(None));
        let over_link = named.over(link.clone());
        assert!(over_link.connects_by_itself(None) && over_link.url().as_deref() == Some("http://a:8080"));
        let host = ConsoleConfig::parse(r#"{"weaviateUrl":"http://evil:1"}"#, Source::Host).unwrap();
        assert!(host.over(link.clone()).connects_by_itself(None), "an allowed host names the same server: it connects");
        // A link under a mount-API preset that names no server stays a link.
        assert!(!ConsoleConfig::default().over(link.clone()).connects_by_itself(None));
        assert!(!ConsoleConfig::default().connects_by_itself(Some("http://evil:1")), "no URL, nothing to connect to");
        // The server the admin connected to in this tab, named again (a reload): connects.
        assert!(link.connects_by_itself(Some("http://evil:1/")));
        for other in ["http://evil:1/sub", "http://evil:2", "https://evil:1", "nonsense", ""] {
            assert!(!link.connects_by_itself(Some(other)), "{other}");
        }
    }

    #[test]
    fn a_key_stays_with_its_base_url_across_sources() {
        let f = file(r#"{"weaviateUrl":"https://gw.example/weaviate","apiKey":"secret"}"#);
        let to = |url: &str| ConsoleConfig::parse(&format!(r#"{{"weaviateUrl":"{url}"}}"#), Source::Host).unwrap().over(f.clone());
        assert_eq!(to("https://gw.example/weaviate/").bound_key().unwrap().key, "secret");
        assert_eq!(to("https://gw.example/weaviate/v2").bound_key().unwrap().key, "secret");
        for other in ["https://gw.example/other-app", "https://gw.example/weaviate-evil", "https://gw.example"] {
            assert_eq!(to(other).api_key, None, "{other}");
        }
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
        let host = ConsoleConfig::parse(r#"{"weaviateUrl":"http://file:8080","apiKey":"k2","theme":"dark"}"#, Source::Host).unwrap();
        let f = file(r#"{"weaviateUrl":"http://file:8080/","apiKey":"k","defaultBackend":"s3","theme":"light"}"#);
        let query = ConsoleConfig::from_query("?weaviate=http://q:1&backend=gcs&readOnly=true");
        let c = host.over(f.over(query));
        assert_eq!(c.url().as_deref(), Some("http://file:8080"));
        assert_eq!(c.api_key.as_deref(), Some("k2"), "a host rotates the key of the server it names");
        // A key without its server is refused, from a host as from a file: the current URL may
        // have come from a link.
        assert!(ConsoleConfig::parse(r#"{"apiKey":"k"}"#, Source::Host).is_err());
        let linked = ConsoleConfig::from_query("?weaviate=http://evil:1");
        let stray = ConsoleConfig { api_key: Some("k".into()), ..Default::default() }.over(linked);
        assert_eq!(stray.bound_key(), None);
        assert_eq!(c.default_backend.as_deref(), Some("s3"));
        assert_eq!(c.theme, Some(Theme::Dark));
        assert_eq!(c.read_only, Some(true));
    }

    #[test]
    fn a_key_never_follows_another_server() {
        let f = file(r#"{"weaviateUrl":"http://a:8080","apiKey":"secret"}"#);
        // A host names another server without a key: the file's key stays behind.
        let moved = ConsoleConfig::parse(r#"{"weaviateUrl":"http://evil:8080"}"#, Source::Host).unwrap().over(f.clone());
        assert_eq!(moved.url().as_deref(), Some("http://evil:8080"));
        assert_eq!(moved.api_key, None);
        assert_eq!(moved.bound_key(), None);
        // The same server again (another path on it): the key stays.
        let same = ConsoleConfig::parse(r#"{"weaviateUrl":"http://a:8080/","theme":"dark"}"#, Source::Host).unwrap().over(f.clone());
        assert_eq!(same.bound_key().unwrap().key, "secret");
        // The query never outranks the file, and its URL carries no key of its own.
        let q = f.clone().over(ConsoleConfig::from_query("?weaviate=http://evil:1"));
        assert_eq!(q.url().as_deref(), Some("http://a:8080"));
        let bare = ConsoleConfig::from_query("?weaviate=http://evil:1").over(ConsoleConfig::default());
        assert_eq!(bare.bound_key(), None);
    }

    #[test]
    fn query_never_supplies_a_key_or_an_allowed_origin() {
        let q = ConsoleConfig::from_query("?apiKey=secret&api_key=secret&weaviate=http://h:1&theme=neon&hostOrigin=http://host:9");
        assert_eq!(q.api_key, None);
        assert_eq!(q.theme, None);
        assert_eq!(q.allowed_origins, None);
        assert_eq!(q.host_origin.as_deref(), Some("http://host:9"));
        assert_eq!(ConsoleConfig::from_query("?weaviate=nonsense").url(), None);
        assert_eq!(ConsoleConfig::from_query("?hostOrigin=*").host_origin, None);
    }

    #[test]
    fn only_the_deployment_grants_host_origins() {
        let f = file(r#"{"allowedOrigins":["https://dash.example.com","http://127.0.0.1:9000/"]}"#);
        assert_eq!(f.allowed_origins.as_deref().unwrap()[1], "http://127.0.0.1:9000");
        let pick = |q: &str, parent: Option<&str>| ConsoleConfig::from_query(q).over(f.clone()).host_target(parent);
        assert_eq!(pick("?hostOrigin=http://127.0.0.1:9000", None).as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(pick("?hostOrigin=http://evil:1", None), None, "a framer cannot name itself");
        assert_eq!(pick("", Some("https://dash.example.com/page")).as_deref(), Some("https://dash.example.com"));
        assert_eq!(pick("", Some("http://evil:1")), None);
        let none = ConsoleConfig::from_query("?hostOrigin=http://evil:1");
        assert_eq!(none.host_target(Some("http://evil:1")), None, "no allow-list, no host");
        let one = file(r#"{"allowedOrigins":["http://h:1"]}"#);
        assert_eq!(one.host_target(None).as_deref(), Some("http://h:1"));
        for bad in [r#"{"allowedOrigins":["*"]}"#, r#"{"allowedOrigins":["null"]}"#, r#"{"allowedOrigins":["https://h/app"]}"#] {
            assert!(ConsoleConfig::parse(bad, Source::Deployment).is_err(), "{bad}");
        }
        assert!(ConsoleConfig::parse(r#"{"allowedOrigins":["http://evil:1"]}"#, Source::Host).is_err());
    }

    #[test]
    fn invalid_config_is_an_error() {
        for bad in ["{oops", r#"{"readOnly":"yes"}"#, r#"{"readonly":true}"#, r#"{"weaviateUrl":"ftp://x"}"#,
                    r#"{"apiKey":"k"}"#, r#"{"weaviateUrl":"http://h","apiKey":"a\nb"}"#, r#"{"defaultBackend":"S3/x"}"#, "[]", "null"] {
            assert!(ConsoleConfig::parse(bad, Source::Deployment).is_err(), "{bad}");
        }
        assert_eq!(file("{}"), ConsoleConfig::default());
    }

    #[test]
    fn config_file_absent_present_or_broken() {
        assert_eq!(read_config_file(404, "text/plain", "not found"), Ok(None));
        assert_eq!(read_config_file(200, "text/html; charset=utf-8", "<!doctype html>"), Ok(None));
        assert_eq!(read_config_file(200, "application/json", r#"{"theme":"dark"}"#).unwrap().unwrap().theme, Some(Theme::Dark));
        assert!(read_config_file(200, "application/json", "{oops").is_err());
        assert!(read_config_file(200, "text/plain", "garbage").is_err());
        assert!(read_config_file(500, "application/json", "").is_err());
    }

    #[test]
    fn theme_vars_are_filtered() {
        let c = file(r##"{"themeVars":{"--bc-accent":"#c00","color":"red","--bc-x":"1}body{display:none","--bc-radius":"2px"}}"##);
        assert_eq!(c.theme_vars(), vec![("--bc-accent".into(), "#c00".into()), ("--bc-radius".into(), "2px".into())]);
        assert!(ConsoleConfig::default().theme_vars().is_empty());
    }
}
