//! Embedding in a host page. The deployment allows host origins (`config.json`'s
//! `allowedOrigins`); the console hears `config` messages only from its parent window on the
//! one allowed origin that frames it, and posts `ready`, job events, the content height and
//! `stopped` only there — never with target `*`, and nothing when it is not in a frame.

use backup_core::host::{parse_host_message, ConsoleEvent, HostMessage};
use leptos::prelude::*;
use leptos_use_resize_observer::use_resize_observer;
use wasm_bindgen::{JsCast, JsValue};

use crate::state::{use_app_state, AppState};

fn parent_window() -> Option<web_sys::Window> {
    let win = web_sys::window()?;
    let parent = win.parent().ok()??;
    (JsValue::from(&parent) != JsValue::from(&win)).then_some(parent)
}

/// The framing page's origin as the browser reports it: `location.ancestorOrigins` where it
/// exists (the framer cannot forge it), else the referrer.
fn parent_origin() -> Option<String> {
    let win = web_sys::window()?;
    let ancestors = js_sys::Reflect::get(&win.location(), &"ancestorOrigins".into()).ok();
    ancestors
        .filter(|a| !a.is_undefined())
        .and_then(|a| js_sys::Reflect::get(&a, &0.into()).ok())
        .and_then(|o| o.as_string())
        .or_else(|| win.document().map(|d| d.referrer()).filter(|r| !r.is_empty()))
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
    if !READY_SENT.with(|r| r.replace(true)) {
        post_to_host(state, &ConsoleEvent::Ready);
    }

    let handle = window_event_listener(leptos::ev::message, move |e: web_sys::MessageEvent| {
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
    on_cleanup(move || handle.remove());

    let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body());
    if let Some(body) = body {
        let el: web_sys::Element = body.unchecked_into();
        use_resize_observer(el, move |entries, _| {
            if let Some(e) = entries.first() {
                let height = e.target().scroll_height().max(0) as u32;
                post_to_host(state, &ConsoleEvent::Height { height });
            }
        });
    }
}
