//! Origins (`scheme://host[:port]`) and base URLs (origin plus path prefix), the units of
//! trust: the API key belongs to the base URL it was given for and is sent nowhere else, and
//! host pages are allowed by exact origin.

use serde::{Deserialize, Serialize};

/// The origin of an `http(s)` URL, as a browser writes it (`MessageEvent.origin`): scheme and
/// host lower-cased, the default port left out. `None` for anything else, including URLs with
/// user info (`http://good@evil`), whose origin a reader easily mistakes.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.chars().any(|c| c == '@' || c == '\\' || c.is_whitespace() || c.is_control()) {
        return None;
    }
    // The port is after the last ':' unless that ':' is inside an IPv6 literal.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
        None => !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
    };
    if !host_ok {
        return None;
    }
    let host = host.to_ascii_lowercase();
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(p) => {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u32>().ok()? > 65_535 {
                return None;
            }
            let p = p.trim_start_matches('0');
            let p = if p.is_empty() { "0" } else { p };
            Some(if p == default_port { format!("{scheme}://{host}") } else { format!("{scheme}://{host}:{p}") })
        }
    }
}

/// An allow-list entry: exactly `scheme://host[:port]` (one trailing `/` tolerated), returned in
/// canonical form. `*`, `null` and anything with a path are refused.
pub fn exact_origin(entry: &str) -> Result<String, String> {
    let bare = entry.strip_suffix('/').unwrap_or(entry);
    match origin_of(bare) {
        Some(o) if bare.split_once("://").is_some_and(|(_, rest)| !rest.contains(['/', '?', '#'])) => Ok(o),
        _ => Err(format!(
            "\"{entry}\" is not an origin: allowedOrigins takes exact scheme://host[:port] entries (no \"*\", \"null\" or paths)."
        )),
    }
}

/// The base URL a key belongs to: the origin plus the path, without query, fragment or trailing
/// slashes (`https://gw.example/weaviate`). Two apps behind one gateway origin
/// (`/weaviate/`, `/other-app/`) are two bases. `None` for a URL without an origin, and for a
/// path that the browser would rewrite before sending (a `.` or `..` segment, also written
/// `%2e`, or a backslash, which it reads as `/`): its real path is not the one written here.
pub fn base_of(url: &str) -> Option<String> {
    let origin = origin_of(url)?;
    let (_, rest) = url.trim().split_once("://")?;
    let path = rest[rest.find(['/', '?', '#']).unwrap_or(rest.len())..].split(['?', '#']).next().unwrap_or_default();
    let rewritten = |segment: &str| {
        let dots = segment.to_ascii_lowercase().replace("%2e", ".");
        dots == "." || dots == ".."
    };
    if path.contains('\\') || path.chars().any(|c| c.is_whitespace() || c.is_control()) || path.split('/').any(rewritten) {
        return None;
    }
    Some(format!("{origin}{}", path.trim_end_matches('/')))
}

/// Whether the browser sends requests to `url` over the network in clear text: plain `http`
/// to a host that is not this machine. Loopback is `localhost` and its subdomains (browsers
/// resolve them to loopback themselves), `127.0.0.0/8` as four decimal numbers, and `[::1]`;
/// any other spelling (`127.1`, `0x7f.0.0.1`) counts as the network, which errs on the side of
/// asking. `false` for a URL without an origin (nothing is sent there).
pub fn clear_text_to_network(url: &str) -> bool {
    let Some(origin) = origin_of(url) else { return false };
    let Some(authority) = origin.strip_prefix("http://") else { return false };
    let host = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => &authority[..i],
        _ => authority,
    };
    !is_loopback(host)
}

fn is_loopback(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    // Leading zeros elsewhere only pick another 127.x address; in front they make it octal.
    let dotted_127 = parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u8>().is_ok());
    host == "localhost" || host.ends_with(".localhost") || host == "[::1]" || dotted_127
}

/// Whether a page served from `page_protocol` (`location.protocol`, e.g. `"https:"`) may not
/// call `url` at all: browsers block an `http` request from an `https` page as mixed content,
/// except to loopback, which counts as secure.
pub fn blocked_as_mixed_content(page_protocol: &str, url: &str) -> bool {
    page_protocol.eq_ignore_ascii_case("https:") && clear_text_to_network(url)
}

/// An API key together with the base URL it was given for. The client sends it only to that
/// base and below it, so no URL from a link, a deep link or a host page can take it elsewhere,
/// not even to another app on the same origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundKey {
    pub base: String,
    pub key: String,
}

impl BoundKey {
    /// `key` for the server at `url`; `None` for an empty key (anonymous) or a URL without a
    /// base.
    pub fn new(url: &str, key: &str) -> Option<BoundKey> {
        let key = key.trim();
        (!key.is_empty()).then_some(())?;
        Some(BoundKey { base: base_of(url)?, key: key.to_string() })
    }

    /// The key, if `url` is its base or below it, segment by segment: a key for
    /// `https://gw.example/weaviate` goes to `…/weaviate/v1/meta`, never to `…/weaviate-evil`.
    pub fn for_url(&self, url: &str) -> Option<&str> {
        let there = base_of(url)?;
        let below = there.strip_prefix(self.base.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        below.then_some(self.key.as_str())
    }

    /// Where the key belongs, for telling the admin.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Reads a stored key; anything unreadable (an older plain-text value, a tampered one) is
    /// no key at all. So is a key stored by an older console as `{origin, key}`: it was bound
    /// to a whole origin, and which app on that origin it was typed for is unknown, so it is
    /// dropped (the admin enters it once more) rather than widened or guessed.
    pub fn parse_stored(text: &str) -> Option<BoundKey> {
        let k: BoundKey = serde_json::from_str(text).ok()?;
        (base_of(&k.base).as_deref() == Some(k.base.as_str()) && !k.key.is_empty()).then_some(k)
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_as_browsers_write_them() {
        assert_eq!(origin_of("http://127.0.0.1:8080/v1/x?y#z").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin_of("HTTPS://Weaviate.Example.com:443/").as_deref(), Some("https://weaviate.example.com"));
        assert_eq!(origin_of("http://h:80").as_deref(), Some("http://h"));
        assert_eq!(origin_of("http://h:0080").as_deref(), Some("http://h"));
        assert_eq!(origin_of("http://[::1]:8080/").as_deref(), Some("http://[::1]:8080"));
        assert_eq!(origin_of("http://[::1]").as_deref(), Some("http://[::1]"));
        for bad in ["", "h:1", "ftp://h", "javascript:alert(1)", "http://", "http://good@evil", "http://h:99999",
                    "http://h:", "http://h:1x", "http://a b", "http://[::1", "http://h\\@evil", "http://:80"] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn allow_list_entries_are_exact() {
        assert_eq!(exact_origin("https://Dash.example.com/").unwrap(), "https://dash.example.com");
        assert_eq!(exact_origin("http://127.0.0.1:9000").unwrap(), "http://127.0.0.1:9000");
        for bad in ["*", "null", "https://dash.example.com/app", "dash.example.com", "https://*.example.com", "http://h?x"] {
            assert!(exact_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_key_goes_only_to_its_base_url() {
        let k = BoundKey::new("http://a.example:8080/", "secret").unwrap();
        assert_eq!(k.base(), "http://a.example:8080");
        assert_eq!(k.for_url("http://a.example:8080"), Some("secret"));
        assert_eq!(k.for_url("http://A.example:8080/sub/path"), Some("secret"));
        for other in ["http://a.example:8081", "https://a.example:8080", "http://a.example.evil:8080",
                      "http://a.example:8080@evil", "http://evil/?http://a.example:8080", ""] {
            assert_eq!(k.for_url(other), None, "{other}");
        }
        assert_eq!(BoundKey::new("http://h", "  "), None);
        assert_eq!(BoundKey::new("nonsense", "k"), None);
    }

    #[test]
    fn apps_on_one_gateway_origin_do_not_share_a_key() {
        let k = BoundKey::new("https://gw.example/weaviate/", "secret").unwrap();
        assert_eq!(k.base(), "https://gw.example/weaviate");
        for mine in ["https://gw.example/weaviate", "https://gw.example/weaviate/", "https://GW.example:443/weaviate/v1/meta",
                     "https://gw.example/weaviate/v1/backups/s3?order=desc", "https://gw.example/weaviate#x"] {
            assert_eq!(k.for_url(mine), Some("secret"), "{mine}");
        }
        for other in ["https://gw.example/other-app", "https://gw.example/weaviate-evil", "https://gw.example/weaviatex/v1",
                      "https://gw.example/", "https://gw.example", "https://gw.example/Weaviate", "https://gw.example/x/weaviate",
                      "https://gw.example/weaviate/../other-app", "https://gw.example/weaviate/%2e%2E/other-app",
                      "https://gw.example/weaviate/.%2e/other-app", "https://gw.example/weaviate\\..\\other-app",
                      "https://gw.example/weaviate/./v1", "http://gw.example/weaviate"] {
            assert_eq!(k.for_url(other), None, "{other}");
        }
        // A key for the whole origin covers every app on it, as the admin said.
        let root = BoundKey::new("https://gw.example", "k").unwrap();
        assert_eq!(root.for_url("https://gw.example/other-app"), Some("k"));
        assert_eq!(root.for_url("https://gw.example.evil/"), None);
        // A URL the browser would rewrite has no base: no key goes with it.
        assert_eq!(BoundKey::new("https://gw.example/a/../weaviate", "k"), None);
    }

    #[test]
    fn loopback_is_this_machine_only() {
        for local in ["http://localhost:8080", "http://127.0.0.1:8080/v1", "http://127.255.0.9", "http://[::1]:8080",
                      "http://weaviate.localhost:8080", "HTTP://LOCALHOST", "https://weaviate.corp", "https://10.0.0.1", "nonsense"] {
            assert!(!clear_text_to_network(local), "{local}");
        }
        for network in ["http://weaviate.corp:8080", "http://10.0.0.1", "http://127.1", "http://0x7f.0.0.1", "http://128.0.0.1",
                        "http://127.0.0.256", "http://localhost.evil", "http://[::2]", "http://127.0.0.1.evil", "http://0127.0.0.1"] {
            assert!(clear_text_to_network(network), "{network}");
        }
        assert!(blocked_as_mixed_content("https:", "http://weaviate.corp:8080"));
        assert!(!blocked_as_mixed_content("https:", "http://127.0.0.1:8080"), "loopback counts as secure");
        assert!(!blocked_as_mixed_content("https:", "https://weaviate.corp"));
        assert!(!blocked_as_mixed_content("http:", "http://weaviate.corp:8080"));
    }

    #[test]
    fn stored_keys_round_trip_and_junk_is_no_key() {
        let k = BoundKey::new("http://h:1/weaviate", "k").unwrap();
        assert_eq!(BoundKey::parse_stored(&k.to_stored()), Some(k));
        for junk in ["", "secret", "{}", r#"{"base":"*","key":"k"}"#, r#"{"base":"http://h/x/","key":"k"}"#,
                     r#"{"base":"http://h","key":""}"#, r#"{"base":"http://h/a/../b","key":"k"}"#,
                     // The shape of an older console: bound to a whole origin, dropped.
                     r#"{"origin":"http://h","key":"k"}"#, r#"{"base":"http://h","origin":"http://h","key":"k"}"#] {
            assert_eq!(BoundKey::parse_stored(junk), None, "{junk}");
        }
    }
}
