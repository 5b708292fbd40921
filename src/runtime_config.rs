//! Reads the runtime configuration at start: `config.json` beside `index.html` (relative, so it
//! works under any sub-path), then the `?weaviate=` query parameter. Rules live in
//! `backup_core::config`.

use backup_core::config::{initial_url, FileConfig};
use gloo_net::http::Request;

/// What start-up configuration found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StartConfig {
    pub weaviate_url: Option<String>,
    pub default_backend: Option<String>,
    /// A problem with `config.json` worth telling the user.
    pub notice: Option<String>,
}

pub async fn load() -> StartConfig {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let (file, notice) = match Request::get("config.json").send().await {
        Ok(resp) if resp.status() == 200 => match resp.text().await.map_err(|e| e.to_string()).and_then(|t| FileConfig::parse(&t)) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e)),
        },
        // No config.json is the normal case for a standalone console.
        _ => (None, None),
    };
    StartConfig {
        weaviate_url: initial_url(file.as_ref(), &query),
        default_backend: file.and_then(|f| f.default_backend),
        notice,
    }
}
