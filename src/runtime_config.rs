//! Reads the runtime configuration at start: `config.json` beside `index.html` (relative, so it
//! works under any sub-path) over the URL query. A host page may add its own on top later
//! (`embed`). Rules, including what counts as absent, live in `backup_core::config`.

use backup_core::config::{read_config_file, ConsoleConfig};
use gloo_net::http::Request;

/// The configuration from `config.json` and the query, or why the console must not run.
pub async fn load() -> Result<ConsoleConfig, String> {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let from_query = ConsoleConfig::from_query(&query);
    let resp = Request::get("config.json")
        .send()
        .await
        .map_err(|e| format!("config.json could not be read: {e}"))?;
    let content_type = resp.headers().get("content-type").unwrap_or_default();
    let body = if resp.status() == 200 { resp.text().await.unwrap_or_default() } else { String::new() };
    Ok(match read_config_file(resp.status(), &content_type, &body)? {
        Some(file) => file.over(from_query),
        None => from_query,
    })
}
