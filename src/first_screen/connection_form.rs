use backup_core::config::normalize_url;
use backup_core::key::check_api_key;
use backup_core::origin::{base_of, clear_text_to_network, origin_of, BoundKey};
use backup_core::error::ApiError;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::dom::El;
use crate::components::variant::{Action, Notice};
use crate::state::{use_app_state, AppState};

/// Whether the connection controls are on screen. Shared by the form and the compact line
/// that replaces it once connected ("Change server" brings the form back).
#[derive(Clone, Copy)]
pub struct ConnectionUi {
    /// The admin asked for the controls ("Change server").
    pub open: RwSignal<bool>,
    /// The connection in progress was started by the configuration, not by the admin.
    pub(super) auto: RwSignal<bool>,
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

    /// "Change server": opens or closes the controls; opened, the URL field takes the focus.
    pub fn toggle(self) {
        let open = !self.open.get_untracked();
        self.open.set(open);
        if open {
            crate::focus_next_frame("#weaviate-url");
        }
    }
}

fn session_get(key: &str) -> String {
    crate::session_storage().and_then(|s| s.get_item(key).ok().flatten()).unwrap_or_default()
}

fn session_set(key: &str, value: &str) {
    if let Some(s) = crate::session_storage() {
        let _ = s.set_item(key, value);
    }
}

/// The remembered key, opt-in only: it survives a reload of this tab, never the browser
/// session, and only together with the base URL it was typed for (`BoundKey::to_stored`).
const SAVED_KEY: &str = "backup-console.api-key";
/// The server the admin last connected to from this form in this tab: a link naming it again
/// (a reload) connects by itself.
const CONFIRMED_URL: &str = "backup-console.confirmed-url";

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
///
/// `ui` is shared with the connection line (`connection_line`).
pub fn connection_form(ui: ConnectionUi) -> El {
    let state = use_app_state();
    let url = RwSignal::new(String::new());
    let saved = move || BoundKey::parse_stored(&session_get(SAVED_KEY));
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
            Some(k) => session_set(SAVED_KEY, &k.to_stored()),
            None if remember.get_untracked() && key.is_none() && saved().is_some_and(|k| k.for_url(&base).is_none()) => {}
            None => {
                if let Some(s) = crate::session_storage() {
                    let _ = s.remove_item(SAVED_KEY);
                }
            }
        }
        from_link.set(None);
        session_set(CONFIRMED_URL, &base);
        ui.auto.set(false);
        attempted.set(Some(base.clone()));
        state.connect(&base, key.as_ref());
    };

    // The configuration (config.json, query, host page) names the server and maybe its key.
    // Only a change of server, key or where the URL came from reconnects, not a theme or any
    // other setting. This is the one place that decides whether the console connects by itself.
    let target = Memo::new(move |_| {
        let confirmed = session_get(CONFIRMED_URL);
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
    let remember_box = El::new("input").attr("id", "remember-key").attr("type", "checkbox")
        .bind_checked(move || remember.get())
        .on("change", move |ev| remember.set(checked(&ev)));
    El::new("form")
        .attr("id", "connection-form")
        .attr("class", "card connection")
        .attr("aria-labelledby", "connection-h")
        .bind_flag("class.first-run", move || !connected())
        .bind_flag("hidden", move || !ui.expanded(state))
        .on("submit", move |ev| {
            ev.prevent_default();
            connect();
        })
        .child(El::new("h2").attr("id", "connection-h").text("Connection"))
        .slot(connected, |connected| {
            (!connected).then(|| {
                El::new("p").attr("class", "lead").text(
                    "Point the console at a Weaviate: the address of its REST endpoint, and an API key if the server requires one. \
                     The console then lists its backups and lets you start new ones.",
                )
            })
        })
        .child(
            El::new("div").attr("class", "field-grid")
                .child(text_field(Field { id: "weaviate-url", label: "Weaviate URL", value: url, error: url_error, note: None, placeholder: "http://localhost:8080", help: "" }))
                .child(text_field(Field {
                    id: "api-key",
                    label: "API key",
                    value: api_key,
                    error: key_error,
                    note: Some(key_note),
                    placeholder: "",
                    help: "Leave empty for anonymous access. Sent only to the server it is entered for; kept in memory unless you choose to remember it.",
                })),
        )
        .child(
            El::new("div").attr("class", "check").child(remember_box)
                .child(El::new("label").attr("for", "remember-key").text("Remember the API key for this server in this tab (sessionStorage)")),
        )
        .slot(move || clear_text_now.get(), move |there| {
            let there = there?;
            let (mine, label) = (there.clone(), format!("Send the key unencrypted to {there}"));
            let tick = El::new("input").attr("id", "clear-text-ok").attr("type", "checkbox")
                .bind_checked(move || clear_text_ok.get().as_ref() == Some(&mine))
                .bind_attr("aria-invalid", move || clear_text_error.get().map(|_| "true".into()))
                .bind_attr("aria-describedby", move || clear_text_error.get().map(|_| "clear-text-ok-error".into()))
                .on("change", move |ev| {
                    clear_text_ok.set(checked(&ev).then(|| there.clone()));
                    clear_text_error.set(None);
                });
            Some(El::new("div").attr("class", "check clear-text").child(tick).child(
                El::new("label").attr("for", "clear-text-ok").text(&label),
            ))
        })
        .slot(move || clear_text_now.with(Option::is_some), |asked| {
            asked.then(|| El::new("p").attr("class", "help").text("Plain http: anyone on the network path can read the key. Prefer the server's https address."))
        })
        .slot(move || clear_text_error.get(), |m| {
            m.map(|m| El::new("p").attr("class", "field-error").attr("id", "clear-text-ok-error").attr("role", "alert").text(&m))
        })
        .slot(move || link_prompt.get(), |p| p.map(|p| El::new("p").attr("class", "link-prompt").attr("role", "status").text(&p)))
        .child(
            El::new("div").attr("class", "actions")
                .child(El::new("button").attr("type", "submit").bind_attr("aria-busy", move || Some(busy.get().to_string())).text("Connect"))
                .slot(connected, move |connected| {
                    connected.then(|| {
                        El::new("button").attr("type", "button").attr("class", Action::Secondary.class())
                            .on("click", move |_| {
                                ui.open.set(false);
                                state.connect_error.set(None);
                            })
                            .text("Keep current server")
                    })
                }),
        )
        .child(El::new("p").attr("class", "busy-note").attr("role", "status").bind_text(move || if busy.get() { "Connecting…".into() } else { String::new() }))
        .slot(move || (state.connect_error.get(), attempted.get().or_else(|| state.server_url())), |(error, server)| {
            error.map(|e| error_alert(&e, server.as_deref()))
        })
}

fn checked(ev: &web_sys::Event) -> bool {
    ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

/// One of the form's two text inputs.
struct Field {
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// The rule the value broke: marks the input `aria-invalid` and shows an alert.
    error: RwSignal<Option<String>>,
    /// A live note under the field, announced politely.
    note: Option<Memo<Option<String>>>,
    placeholder: &'static str,
    help: &'static str,
}

/// A labelled input with its help, note and validation message, marked up as the dashboard's
/// `TextField`. The input has no `name`: the form is read by its handler, so a native submit (a
/// handler that failed) sends none of them, and never the API key in a GET form's URL.
///
/// The API key's field is a password field that no password manager may save or fill:
/// `autocomplete="off"` is ignored on password fields by Chromium's, so it is marked
/// `one-time-code`, a value that password managers skip (like a card number's `cc-number`) and
/// that keeps the field masked and announced as a password; the `data-*` attributes are the
/// opt-outs of 1Password, LastPass, Bitwarden and Dashlane. (A text field masked by
/// `-webkit-text-security` would also escape them, but shows the key in clear in browsers
/// without that property and reads it aloud to screen readers.)
fn text_field(f: Field) -> El {
    let Field { id, label, value, error, note, placeholder, help } = f;
    let secret = id == "api-key";
    let error_id = format!("{id}-error");
    let set = move |ev: web_sys::Event| {
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            value.set(input.value());
        }
    };
    let mut input = El::new("input").attr("id", id).attr("type", if secret { "password" } else { "text" }).attr("spellcheck", "false");
    if !placeholder.is_empty() {
        input = input.attr("placeholder", placeholder);
    }
    input = match secret {
        true => input.attr("autocomplete", "one-time-code").attr("data-1p-ignore", "true").attr("data-lpignore", "true")
            .attr("data-bwignore", "true").attr("data-form-type", "other"),
        false => input.attr("autocomplete", "off"),
    };
    let described = error_id.clone();
    let input = input
        .bind_value(move || value.get())
        .on("input", set)
        // Autofill and programmatic clears fire only `change`.
        .on("change", set)
        .bind_attr("aria-invalid", move || error.get().map(|_| "true".into()))
        .bind_attr("aria-describedby", move || error.get().map(|_| described.clone()));
    let mut field = El::new("div").attr("class", "field")
        .child(El::new("label").attr("for", id).text(label))
        .child(El::new("div").attr("class", "field-row").child(input));
    if !help.is_empty() {
        field = field.child(El::new("p").attr("class", "help").text(help));
    }
    field
        .child(El::new("p").attr("class", "note").attr("aria-live", "polite").bind_text(move || note.and_then(|n| n.get()).unwrap_or_default()))
        .slot(move || error.get(), move |m| m.map(|m| El::new("p").attr("class", "field-error").attr("id", &error_id).attr("role", "alert").text(&m)))
}

/// A failed connection, as the dashboard's `ErrorAlert` shows any failure: the server's words
/// quoted after who said it, then a hint in the console's own words.
fn error_alert(e: &ApiError, server: Option<&str>) -> El {
    let message = El::new("p").attr("class", "alert-message").text(&e.status().map(|s| format!("HTTP {s}: ")).unwrap_or_default());
    let message = match e.attributed(server) {
        Some((who, words)) => message.text(&format!("{who} \"")).child(El::new("span").attr("class", "server-text").text(words)).text("\""),
        None => message.child(El::new("span").text(e.message())),
    };
    let alert = El::new("div").attr("class", Notice::Error.class()).attr("role", "alert").child(message);
    match e.hint() {
        Some(h) => alert.child(El::new("p").attr("class", "alert-hint").text(&h)),
        None => alert,
    }
}
