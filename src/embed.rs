//! Embedding in a host page: hears `config` messages from allowed origins (`backup_core::host`)
//! and posts `ready`, job events and the content height to the parent window. Nothing is
//! posted when the console is not in a frame, and never to an origin off the allow-list.

use backup_core::host::{origin_allowed, parse_host_message, ConsoleEvent, HostMessage};
use leptos::prelude::*;
use leptos_use_resize_observer::use_resize_observer;
use wasm_bindgen::JsValue;

use crate::state::{use_app_state, AppState};

fn allowed_origins(state: AppState) -> Vec<String> {
    state.config.with_untracked(|c| c.allowed_origins.clone().unwrap_or_default())
}

/// Posts `event` to the parent window, once per origin on the configuration's allow-list.
pub fn post_to_host(state: AppState, event: &ConsoleEvent) {
    let Some(win) = web_sys::window() else { return };
    let Ok(Some(parent)) = win.parent() else { return };
    if JsValue::from(&parent) == JsValue::from(&win) {
        return;
    }
    let Ok(data) = js_sys::JSON::parse(&event.to_json()) else { return };
    for origin in allowed_origins(state) {
        let _ = parent.post_message(&data, &origin);
    }
}

/// Call once the runtime configuration (and so the allow-list) is known.
pub fn use_host_bridge() {
    let state = use_app_state();
    post_to_host(state, &ConsoleEvent::Ready);

    let handle = window_event_listener(leptos::ev::message, move |e: web_sys::MessageEvent| {
        if !origin_allowed(&e.origin(), &allowed_origins(state)) {
            return;
        }
        let Some(text) = js_sys::JSON::stringify(&e.data()).ok().and_then(|s| s.as_string()) else { return };
        match parse_host_message(&text) {
            // Allowed origins stay as the page set them: a host cannot widen its own access.
            Some(HostMessage::Config(mut c)) => {
                c.allowed_origins = None;
                state.config.update(|cur| *cur = c.over(cur.clone()));
            }
            None => {}
        }
    });
    on_cleanup(move || handle.remove());

    let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body());
    if let Some(body) = body {
        let el: web_sys::Element = body.into();
        use_resize_observer(el, move |entries, _| {
            if let Some(e) = entries.first() {
                let height = e.target().scroll_height().max(0) as u32;
                post_to_host(state, &ConsoleEvent::Height { height });
            }
        });
    }
}
