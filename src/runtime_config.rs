//! Reads the runtime configuration at start: `config.json` beside `index.html` (relative, so it
//! works under any sub-path) over the URL query. A host page may add its own on top later
//! (`embed`). Rules live in `backup_core::config`.

use backup_core::config::ConsoleConfig;
use gloo_net::http::Request;

/// The configuration from `config.json` and the query, and a problem worth telling the user.
pub async fn load() -> (ConsoleConfig, Option<String>) {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let from_query = ConsoleConfig::from_query(&query);
    match Request::get("config.json").send().await {
        Ok(resp) if resp.status() == 200 => {
            match resp.text().await.map_err(|e| e.to_string()).and_then(|t| ConsoleConfig::parse(&t)) {
                Ok(file) => (file.over(from_query), None),
                Err(e) => (from_query, Some(format!("config.json was ignored: {e}"))),
            }
        }
        // No config.json is the normal case for a standalone console.
        _ => (from_query, None),
    }
}
