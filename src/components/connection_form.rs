use backup_core::config::normalize_url;
use backup_core::key::check_api_key;
use backup_core::origin::{origin_of, BoundKey};
use codee::string::FromToStringCodec;
use leptos::prelude::*;
use leptos_use_storage::use_session_storage;

use crate::components::{ErrorAlert, TextField};
use crate::state::use_app_state;

/// Where the admin points the console at a Weaviate: URL and optional API key. Connects by
/// itself when the runtime configuration names a server. A key is bound to the server it was
/// given for: a URL from a link, a deep link or a host page never receives another server's key.
#[component]
pub fn ConnectionForm() -> impl IntoView {
    let state = use_app_state();
    let url = RwSignal::new(String::new());
    // Opt-in only: the key survives a reload of this tab, never the browser session, and only
    // together with the origin it was typed for.
    let (saved_key, set_saved_key, forget_key) =
        use_session_storage::<String, FromToStringCodec>("backup-console.api-key");
    let saved = move || BoundKey::parse_stored(&saved_key.get_untracked());
    // The key the console itself put into the field (saved or configured), with its origin;
    // anything else in the field was typed by the admin for the URL they connect to.
    let filled = RwSignal::new(saved());
    let api_key = RwSignal::new(filled.get_untracked().map(|k| k.key).unwrap_or_default());
    let remember = RwSignal::new(filled.get_untracked().is_some());
    let url_error = RwSignal::new(None::<String>);
    let key_error = RwSignal::new(None::<String>);
    let busy = state.connecting;

    let key_for = move |base: &str| -> Option<BoundKey> {
        let typed = api_key.get_untracked();
        match filled.get_untracked() {
            Some(k) if k.key == typed.trim() => Some(k),
            _ => BoundKey::new(base, &typed),
        }
    };
    let connect = move || {
        let base = match normalize_url(&url.get_untracked()) {
            Ok(u) => u,
            Err(e) => {
                url_error.set(Some(e));
                return;
            }
        };
        url_error.set(None);
        if let Err(e) = check_api_key(&api_key.get_untracked()) {
            key_error.set(Some(e));
            return;
        }
        key_error.set(None);
        let key = key_for(&base);
        match key.as_ref().filter(|k| remember.get_untracked() && k.for_url(&base).is_some()) {
            Some(k) => set_saved_key.set(k.to_stored()),
            None => forget_key(),
        }
        state.connect(&base, key.as_ref());
    };

    // The configuration (config.json, query, host page) names the server and maybe its key.
    // Only a change of server or key reconnects, not a theme or any other setting.
    let target = Memo::new(move |_| state.config.with(|c| c.url().map(|u| (u, c.bound_key()))));
    Effect::new(move |_| {
        let Some((cfg_url, cfg_key)) = target.get() else { return };
        let key = cfg_key.or_else(|| saved().filter(|k| k.for_url(&cfg_url).is_some()));
        url.set(cfg_url.clone());
        api_key.set(key.as_ref().map(|k| k.key.clone()).unwrap_or_default());
        // A saved key for another server stays known (not sent) so the form can say so.
        filled.set(key.clone().or_else(saved));
        url_error.set(None);
        key_error.set(None);
        state.connect(&cfg_url, key.as_ref());
    });

    // Said before Connect is pressed: a filled-in key stays with its own server.
    let key_note = Memo::new(move |_| {
        let k = filled.get()?;
        let there = origin_of(&url.get())?;
        let typed = api_key.get();
        let typed = typed.trim();
        ((typed.is_empty() || k.key == typed) && k.origin != there).then(|| {
            format!("The saved key is for {}; it is not sent to {there}. Enter this server's key to use one.", k.origin)
        })
    });
    let summary = move || {
        state.connection.get().map(|c| {
            let key = if c.client.has_key() { "with an API key" } else { "without an API key" };
            format!("Connected to {} — Weaviate {}, {key}", c.client.base_url(), c.version)
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
                    error=key_error
                    note=Signal::derive(move || key_note.get())
                    input_type="password"
                    help="Leave empty for anonymous access. Sent only to the server it is entered for; kept in memory unless you choose to remember it."
                />
            </div>
            <div class="check">
                <input id="remember-key" type="checkbox" prop:checked=move || remember.get()
                    on:change=move |ev| remember.set(event_target_checked(&ev)) />
                <label for="remember-key">"Remember the API key for this server in this tab (sessionStorage)"</label>
            </div>
            <button type="submit" aria-busy=move || busy.get().to_string()>
                "Connect"
            </button>
            <p class="connection-summary" aria-live="polite">{summary}</p>
            <ErrorAlert error=state.connect_error />
        </form>
    }
}
