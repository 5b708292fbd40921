use backup_core::config::normalize_url;
use backup_core::key::check_api_key;
use backup_core::origin::{base_of, clear_text_to_network, origin_of, BoundKey};
use codee::string::FromToStringCodec;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use leptos_use_storage::use_session_storage;

use crate::components::{ErrorAlert, TextField};
use crate::state::{use_app_state, AppState};
use crate::components::variant::Action;

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
            // With RBAC: who the key is, and whether it is root (sees and may do everything).
            let key = match (&c.access, c.client.has_key()) {
                (Some(a), _) => format!("API key of {}", a.describe()),
                (None, true) => "API key".into(),
                (None, false) => "no API key".into(),
            };
            Some(view! {
                <div class="conn-line" role="group" aria-label="Server">
                    <span class="conn-dot" aria-hidden="true"></span>
                    <span class="conn-server" title=format!("Connected to {url}")>
                        <span class="visually-hidden">"Connected to "</span>{host}
                    </span>
                    <span class="conn-meta">{format!("Weaviate {}", c.version)}</span>
                    <span class="conn-meta" title="Enabled backup backends">{backends}</span>
                    <span class="conn-meta conn-key">{key}</span>
                    <button type="button" class=Action::SecondarySmall.class() aria-controls="connection-form"
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

/// The key the form would send to `base`: the one the console filled in (saved or configured),
/// with the base it belongs to, while the field still holds it; else what the admin typed, for
/// the URL they connect to.
fn key_to_send(filled: Option<BoundKey>, typed: &str, base: &str) -> Option<BoundKey> {
    match filled {
        Some(k) if k.key == typed.trim() => Some(k),
        _ => BoundKey::new(base, typed),
    }
}

/// Where the admin points the console at a Weaviate: URL and optional API key. Connects by
/// itself when the deployment or an allowed host names a server; a server named by a link is
/// filled in and waits for Connect. A key is bound to the base URL it was given for: a URL from
/// a link, a deep link or a host page never receives another server's key, and a key goes over
/// plain http to another machine only once the admin says so.
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
    // together with the base URL it was typed for.
    let (saved_key, set_saved_key, forget_key) =
        use_session_storage::<String, FromToStringCodec>("backup-console.api-key");
    let saved = move || BoundKey::parse_stored(&saved_key.get_untracked());
    // The server the admin last connected to from this form in this tab: a link naming it
    // again (a reload) connects by itself.
    let (confirmed, set_confirmed, _) = use_session_storage::<String, FromToStringCodec>("backup-console.confirmed-url");
    // The key the console itself put into the field (saved or configured), with its base URL;
    // anything else in the field was typed by the admin for the URL they connect to.
    let filled = RwSignal::new(saved());
    let api_key = RwSignal::new(filled.get_untracked().map(|k| k.key).unwrap_or_default());
    let remember = RwSignal::new(filled.get_untracked().is_some());
    let url_error = RwSignal::new(None::<String>);
    let key_error = RwSignal::new(None::<String>);
    let busy = state.connecting;
    // The URL a link offered, until the admin connects.
    let from_link = RwSignal::new(None::<String>);
    // The origin the admin agreed to send the key to over plain http.
    let clear_text_ok = RwSignal::new(None::<String>);
    let clear_text_error = RwSignal::new(None::<String>);
    // The server whose answer `connect_error` is.
    let attempted = RwSignal::new(None::<String>);

    // The origin a key would go to over plain http right now, if it would: the form asks first.
    let clear_text_to = move |base: &str, key: Option<&BoundKey>| {
        (key.is_some_and(|k| k.for_url(base).is_some()) && clear_text_to_network(base)).then(|| origin_of(base)).flatten()
    };
    let unacknowledged = move |base: &str, key: Option<&BoundKey>| {
        clear_text_to(base, key).filter(|there| clear_text_ok.get_untracked().as_ref() != Some(there))
    };
    let key_for = move |base: &str| key_to_send(filled.get_untracked(), &api_key.get_untracked(), base);
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
        if let Some(there) = unacknowledged(&base, key.as_ref()) {
            clear_text_error.set(Some(format!(
                "Tick \"Send the key unencrypted to {there}\" to send it over plain http, or use the server's https address."
            )));
            return;
        }
        clear_text_error.set(None);
        // Remembered: this server's key. Not remembered: none. Connecting without a key to
        // another server (a link's, say) leaves the saved key of its own server where it is.
        match key.as_ref().filter(|k| remember.get_untracked() && k.for_url(&base).is_some()) {
            Some(k) => set_saved_key.set(k.to_stored()),
            None if remember.get_untracked() && key.is_none() && saved().is_some_and(|k| k.for_url(&base).is_none()) => {}
            None => forget_key(),
        }
        from_link.set(None);
        set_confirmed.set(base.clone());
        ui.auto.set(false);
        attempted.set(Some(base.clone()));
        state.connect(&base, key.as_ref());
    };

    // The configuration (config.json, query, host page) names the server and maybe its key.
    // Only a change of server, key or where the URL came from reconnects, not a theme or any
    // other setting. This is the one place that decides whether the console connects by itself.
    let target = Memo::new(move |_| {
        let confirmed = confirmed.get_untracked();
        state.config.with(|c| c.url().map(|u| (u, c.bound_key(), c.connects_by_itself(Some(&confirmed)))))
    });
    Effect::new(move |_| {
        let Some((cfg_url, cfg_key, by_itself)) = target.get() else { return };
        let key = cfg_key.or_else(|| saved().filter(|k| k.for_url(&cfg_url).is_some()));
        url.set(cfg_url.clone());
        api_key.set(key.as_ref().map(|k| k.key.clone()).unwrap_or_default());
        // A saved key for another server stays known (not sent) so the form can say so.
        filled.set(key.clone().or_else(saved));
        url_error.set(None);
        key_error.set(None);
        // A link's server is offered, not connected to: nothing is sent until Connect.
        from_link.set((!by_itself).then(|| cfg_url.clone()));
        if !by_itself || unacknowledged(&cfg_url, key.as_ref()).is_some() {
            return;
        }
        if untrack(move || state.framing_refusal()).is_some() { return; }
        ui.auto.set(true);
        attempted.set(Some(cfg_url.clone()));
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
        let there = base_of(&url.get())?;
        let typed = api_key.get();
        let typed = typed.trim();
        ((typed.is_empty() || k.key == typed) && k.for_url(&there).is_none()).then(|| {
            format!("The saved key is for {}; it is not sent to {there}. Enter this server's key to use one.", k.base())
        })
    });
    // Said before Connect is pressed too: where a link points, and a key about to cross the
    // network in clear text.
    let link_prompt = Memo::new(move |_| {
        let offered = from_link.get().filter(|o| normalize_url(&url.get()).ok().as_ref() == Some(o))?;
        Some(format!("Connect to {} (from a link)?", origin_of(&offered)?))
    });
    let clear_text_now = Memo::new(move |_| {
        let base = normalize_url(&url.get()).ok()?;
        clear_text_to(&base, key_to_send(filled.get(), &api_key.get(), &base).as_ref())
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
            {move || clear_text_now.get().map(|there| {
                let (mine, label) = (there.clone(), format!("Send the key unencrypted to {there}"));
                view! {
                    <div class="check clear-text">
                        <input id="clear-text-ok" type="checkbox"
                            prop:checked=move || clear_text_ok.get().as_ref() == Some(&mine)
                            aria-invalid=move || clear_text_error.get().map(|_| "true")
                            aria-describedby=move || clear_text_error.get().map(|_| "clear-text-ok-error")
                            on:change=move |ev| {
                                clear_text_ok.set(event_target_checked(&ev).then(|| there.clone()));
                                clear_text_error.set(None);
                            } />
                        <label for="clear-text-ok">{label}</label>
                    </div>
                    <p class="help">"Plain http: anyone on the network path can read the key. Prefer the server's https address."</p>
                }
            })}
            {move || clear_text_error.get().map(|m| view! { <p class="field-error" id="clear-text-ok-error" role="alert">{m}</p> })}
            {move || link_prompt.get().map(|p| view! { <p class="link-prompt" role="status">{p}</p> })}
            <div class="actions">
                <button type="submit" aria-busy=move || busy.get().to_string()>"Connect"</button>
                <Show when=connected>
                    <button type="button" class=Action::Secondary.class() on:click=move |_| {
                        ui.open.set(false);
                        state.connect_error.set(None);
                    }>"Keep current server"</button>
                </Show>
            </div>
            <p class="busy-note" role="status">{move || busy.get().then_some("Connecting…")}</p>
            <ErrorAlert error=state.connect_error server=Signal::derive(move || attempted.get()) />
        </form>
    }
}
