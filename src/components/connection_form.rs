use backup_core::config::normalize_url;
use leptos::prelude::*;
use leptos_use_storage::use_session_storage;
use codee::string::FromToStringCodec;

use crate::components::{ErrorAlert, TextField};
use crate::state::use_app_state;

/// Where the admin points the console at a Weaviate: URL and optional API key. Connects by
/// itself when the runtime configuration names a server.
#[component]
pub fn ConnectionForm() -> impl IntoView {
    let state = use_app_state();
    let url = RwSignal::new(String::new());
    // Opt-in only: the key survives a reload of this tab, never the browser session.
    let (saved_key, set_saved_key, forget_key) =
        use_session_storage::<String, FromToStringCodec>("backup-console.api-key");
    let api_key = RwSignal::new(saved_key.get_untracked());
    let remember = RwSignal::new(!saved_key.get_untracked().is_empty());
    let url_error = RwSignal::new(None::<String>);
    let busy = state.connecting;

    let connect = move || {
        if busy.get_untracked() {
            return;
        }
        let base = match normalize_url(&url.get_untracked()) {
            Ok(u) => u,
            Err(e) => {
                url_error.set(Some(e));
                return;
            }
        };
        url_error.set(None);
        let key = api_key.get_untracked();
        if remember.get_untracked() && !key.is_empty() {
            set_saved_key.set(key.clone());
        } else {
            forget_key();
        }
        state.connect(&base, &key);
    };
    // Configuration (config.json, query, host page) names the server, and maybe the key.
    let auto_connect = connect.clone();
    Effect::new(move |_| {
        let (cfg_url, cfg_key) = state.config.with(|c| (c.url(), c.api_key.clone()));
        let Some(cfg_url) = cfg_url else { return };
        url.set(cfg_url);
        if let Some(k) = cfg_key {
            api_key.set(k);
        }
        auto_connect();
    });

    let summary = move || {
        state.connection.get().map(|c| {
            format!("Connected to {} — Weaviate {}", c.client.base_url(), c.version)
        })
    };

    view! {
        <form
            class="card connection"
            aria-labelledby="connection-h"
            on:submit=move |ev| {
                ev.prevent_default();
                connect();
            }
        >
            <h2 id="connection-h">"Connection"</h2>
            <div class="field-grid">
                <TextField
                    id="weaviate-url"
                    label="Weaviate URL"
                    value=url
                    error=url_error
                    placeholder="http://localhost:8080"
                />
                <TextField
                    id="api-key"
                    label="API key"
                    value=api_key
                    error=Signal::stored(None::<String>)
                    input_type="password"
                    help="Leave empty for anonymous access. Kept in memory unless you choose to remember it."
                />
            </div>
            <div class="check">
                <input id="remember-key" type="checkbox" prop:checked=move || remember.get()
                    on:change=move |ev| remember.set(event_target_checked(&ev)) />
                <label for="remember-key">"Remember the API key in this tab (sessionStorage)"</label>
            </div>
            <button type="submit" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>
                "Connect"
            </button>
            <p class="connection-summary" aria-live="polite">{summary}</p>
            <ErrorAlert error=state.connect_error />
        </form>
    }
}
