//! Origins (`scheme://host[:port]`), the unit of trust: the API key belongs to the origin it
//! was given for and is sent nowhere else, and host pages are allowed by exact origin.

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

/// An API key together with the origin it was given for. The client sends it only to that
/// origin, so no URL from a link, a deep link or a host page can take it elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundKey {
    pub origin: String,
    pub key: String,
}

impl BoundKey {
    /// `key` for the server at `url`; `None` for an empty key (anonymous) or a URL without an
    /// origin.
    pub fn new(url: &str, key: &str) -> Option<BoundKey> {
        let key = key.trim();
        (!key.is_empty()).then_some(())?;
        Some(BoundKey { origin: origin_of(url)?, key: key.to_string() })
    }

    /// The key, if `url` is on the origin it belongs to.
    pub fn for_url(&self, url: &str) -> Option<&str> {
        (origin_of(url).as_deref() == Some(self.origin.as_str())).then_some(self.key.as_str())
    }

    /// Reads a stored key; anything unreadable (an older plain-text value, a tampered one) is
    /// no key at all.
    pub fn parse_stored(text: &str) -> Option<BoundKey> {
        let k: BoundKey = serde_json::from_str(text).ok()?;
        (origin_of(&k.origin).as_deref() == Some(k.origin.as_str()) && !k.key.is_empty()).then_some(k)
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
    fn a_key_goes_only_to_its_origin() {
        let k = BoundKey::new("http://a.example:8080/", "secret").unwrap();
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
    fn stored_keys_round_trip_and_junk_is_no_key() {
        let k = BoundKey::new("http://h:1", "k").unwrap();
        assert_eq!(BoundKey::parse_stored(&k.to_stored()), Some(k));
        for junk in ["", "secret", "{}", r#"{"origin":"*","key":"k"}"#, r#"{"origin":"http://h/x","key":"k"}"#,
                     r#"{"origin":"http://h","key":""}"#] {
            assert_eq!(BoundKey::parse_stored(junk), None, "{junk}");
        }
    }
}
