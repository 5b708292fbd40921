use backup_core::config::normalize_url;
use backup_core::key::check_api_key;
use backup_core::origin::{origin_of, BoundKey};
use codee::string::FromToStringCodec;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use leptos_use_storage::use_session_storage;

use crate::components::{ErrorAlert, TextField};
use crate::state::{use_app_state, AppState};

/// Whether the connection controls are on screen. Shared by the form and the compact line
/// that replaces it once connected ("Change server" brings the form back).
#[derive(Clone, Copy)]
pub struct ConnectionUi {
    /// The admin asked for the controls ("Change server").
    pub open: RwSignal<bool>,
    /// The connection in progress was started by the configuration, not by the admin.
    auto: RwSignal<bool>,
}

impl Default for ConnectionUi {
    fn default() -> Self {
        ConnectionUi { open: RwSignal::new(false), auto: RwSignal::new(false) }
    }
}

impl ConnectionUi {
    /// The form is shown before the first connection (unless the configuration is connecting
    /// by itself), after a failed attempt, and when the admin asks for it.
    pub fn expanded(self, state: AppState) -> bool {
        self.open.get()
            || state.connect_error.with(Option::is_some)
            || (state.connection.with(Option::is_none) && !(state.connecting.get() && self.auto.get()))
    }
}

/// The server in one line once connected: address, version, backends, key status, and
/// "Change server", which opens the connection form (same labelled controls as before).
#[component]
pub fn ConnectionLine(ui: ConnectionUi) -> impl IntoView {
    let state = use_app_state();
    let toggle = move |_| {
        let open = !ui.open.get_untracked();
        ui.open.set(open);
        if open {
            // The first control of the form, once it is shown.
            request_animation_frame(|| {
                if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("weaviate-url")) {
                    let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            });
        }
    };
    move || {
        if let Some(c) = state.connection.get() {
            let url = c.client.base_url().to_string();
            let host = url.split_once("://").map(|(_, h)| h.to_string()).unwrap_or_else(|| url.clone());
            let backends = match c.backends.len() {
                0 => "no backup backend".to_string(),
                _ => c.backends.join(", "),
            };
            let key = if c.client.has_key() { "API key" } else { "no API key" };
            Some(view! {
                <div class="conn-line" role="group" aria-label="Server">
                    <span class="conn-dot" aria-hidden="true"></span>
                    <span class="conn-server" title=format!("Connected to {url}")>
                        <span class="visually-hidden">"Connected to "</span>{host}
                    </span>
                    <span class="conn-meta">{format!("Weaviate {}", c.version)}</span>
                    <span class="conn-meta" title="Enabled backup backends">{backends}</span>
                    <span class="conn-meta">{key}</span>
                    <button type="button" class="secondary small" aria-controls="connection-form"
                        aria-expanded=move || ui.open.get().to_string() on:click=toggle>
                        "Change server"
                    </button>
                </div>
            }.into_any())
        } else if state.connecting.get() && ui.auto.get() {
            let url = state.config.with(|c| c.url()).unwrap_or_default();
            Some(view! {
                <div class="conn-line" role="status">
                    <span class="conn-dot pending" aria-hidden="true"></span>
                    <span>{format!("Connecting to {url}…")}</span>
                </div>
            }.into_any())
        } else {
            None
        }
    }
}

/// Where the admin points the console at a Weaviate: URL and optional API key. Connects by
/// itself when the runtime configuration names a server. A key is bound to the server it was
/// given for: a URL from a link, a deep link or a host page never receives another server's key.
#[component]
pub fn ConnectionForm(
    /// Shared with the [`ConnectionLine`]; a fresh one when the form stands alone.
    #[prop(optional)]
    ui: Option<ConnectionUi>,
) -> impl IntoView {
    let state = use_app_state();
    let ui = ui.unwrap_or_default();
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
        ui.auto.set(false);
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
        if untrack(move || state.framing_refusal()).is_some() { return; }
        ui.auto.set(true);
        state.connect(&cfg_url, key.as_ref());
    });

    // A new connection closes the controls again.
    Effect::new(move |_| {
        if state.connected() {
            ui.open.set(false);
        }
    });
    let connected = move || state.connected();

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
    view! {
        <form
            id="connection-form"
            class="card connection"
            class:first-run=move || !connected()
            aria-labelledby="connection-h"
            hidden=move || !ui.expanded(state)
            on:submit=move |ev| {
                ev.prevent_default();
                connect();
            }
        >
            <h2 id="connection-h">"Connection"</h2>
            {move || (!connected()).then(|| view! {
                <p class="lead">
                    "Point the console at a Weaviate: the address of its REST endpoint, and an API key if the server requires one. "
                    "The console then lists its backups and lets you start new ones."
                </p>
            })}
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
            <div class="actions">
                <button type="submit" aria-busy=move || busy.get().to_string()>"Connect"</button>
                <Show when=connected>
                    <button type="button" class="secondary" on:click=move |_| {
                        ui.open.set(false);
                        state.connect_error.set(None);
                    }>"Keep current server"</button>
                </Show>
            </div>
            <p class="busy-note" role="status">{move || busy.get().then_some("Connecting…")}</p>
            <ErrorAlert error=state.connect_error />
        </form>
    }
}
