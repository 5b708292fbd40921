//! Embedding in a host page. The deployment allows host origins (`config.json`'s
//! `allowedOrigins`); the console hears `config` messages only from its parent window on the
//! one allowed origin that frames it, and posts `ready`, job events, the content height and
//! `stopped` only there — never with target `*`, and nothing when it is not in a frame. Framed
//! by any other page, it says so and refuses to act by itself ([`framing_refusal`]).

use backup_core::config::ConsoleConfig;
use backup_core::host::{parse_host_message, refused_framer, ConsoleEvent, HostMessage};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::first_screen::dom::listen;
use crate::state::{use_app_state, AppState};

fn parent_window() -> Option<web_sys::Window> {
    let win = web_sys::window()?;
    let parent = win.parent().ok()??;
    (JsValue::from(&parent) != JsValue::from(&win)).then_some(parent)
}

/// The framing pages' origins as the browser reports them, nearest first (none when the console
/// is not framed): `location.ancestorOrigins` where it exists (no framer can forge it), else
/// the referrer for the parent (empty under `Referrer-Policy: no-referrer`), and nothing known
/// of the pages above it.
fn ancestor_origins() -> Vec<Option<String>> {
    let (Some(win), Some(parent)) = (web_sys::window(), parent_window()) else { return vec![] };
    let get = |v: &JsValue, k: JsValue| js_sys::Reflect::get(v, &k).ok().filter(|v| !v.is_undefined());
    if let Some(list) = get(&win.location(), "ancestorOrigins".into()) {
        let len = get(&list, "length".into()).and_then(|n| n.as_f64()).unwrap_or(0.0) as u32;
        return (0..len).map(|i| get(&list, i.into()).and_then(|o| o.as_string())).collect();
    }
    let referrer = win.document().map(|d| d.referrer()).filter(|r| !r.is_empty());
    let nested = win.top().ok().flatten().is_some_and(|top| JsValue::from(top) != JsValue::from(parent));
    if nested { vec![referrer, None] } else { vec![referrer] }
}

fn parent_origin() -> Option<String> {
    ancestor_origins().into_iter().next().flatten()
}

/// Why the console must not connect by itself, restore or cancel: it is framed by a page that
/// `config` does not allow (`None`: not framed, or only by allowed hosts).
pub fn framing_refusal(config: &ConsoleConfig) -> Option<String> {
    let own = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    refused_framer(&ancestor_origins(), &own, config.allowed_origins.as_deref().unwrap_or_default()).map(|f| f.notice())
}

/// The host origin to hear and post to, if the configuration allows the one framing us.
fn host_target(state: AppState) -> Option<String> {
    parent_window()?;
    let target = state.config.with_untracked(|c| c.host_target(parent_origin().as_deref()));
    crate::panic_page::set_host(target.clone());
    target
}

/// Posts `event` to the parent window, if it is an allowed host.
pub fn post_to_host(state: AppState, event: &ConsoleEvent) {
    let (Some(parent), Some(target)) = (parent_window(), host_target(state)) else { return };
    if let Ok(data) = js_sys::JSON::parse(&event.to_json()) {
        let _ = parent.post_message(&data, &target);
    }
}

thread_local! {
    /// `ready` went out: a host hears it once per page load, even if the console is built
    /// again (the host answers each `ready` with its whole configuration).
    static READY_SENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Call once the runtime configuration (and so the allow-list) is known.
pub fn use_host_bridge() {
    let state = use_app_state();
    if let Some(why) = state.config.with_untracked(framing_refusal) {
        state.notice.set(Some(why));
    }
    if !READY_SENT.with(|r| r.replace(true)) {
        post_to_host(state, &ConsoleEvent::Ready);
    }

    let Some(window) = web_sys::window() else { return };
    listen(&window, "message", move |e| {
        let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else { return };
        let from_parent = match (e.source(), parent_window()) {
            (Some(source), Some(parent)) => JsValue::from(source) == JsValue::from(parent),
            _ => false,
        };
        if !from_parent || host_target(state).as_deref() != Some(e.origin().as_str()) {
            return;
        }
        let Some(text) = js_sys::JSON::stringify(&e.data()).ok().and_then(|s| s.as_string()) else { return };
        // `over` keeps the key with its server: a host that names another server without a key
        // leaves the old key behind.
        if let Some(HostMessage::Config(c)) = parse_host_message(&text) {
            state.config.update(|cur| *cur = c.over(cur.clone()));
        }
    });

    let body = window.document().and_then(|d| d.body());
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Some(e) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
            let height = e.target().scroll_height().max(0) as u32;
            post_to_host(state, &ConsoleEvent::Height { height });
        }
    });
    if let (Some(body), Ok(observer)) = (body, web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())) {
        observer.observe(&body);
        let held = StoredValue::new_local(Some((observer, on_resize)));
        on_cleanup(move || {
            if let Some((observer, _)) = held.try_update_value(Option::take).flatten() {
                observer.disconnect();
            }
        });
    }
}
