//! Backup Console: a Leptos (CSR) admin console for Weaviate's backup API.
//!
//! Logic lives in the `backup-core` crate; this crate wires it to the browser:
//! `client` (every HTTP call), `poller` (every timer), `state` (shared reactive state),
//! `runtime_config` (where the Weaviate URL comes from), `first_screen` (what the page shows
//! before the dashboard: drawn without Leptos's renderer, for the first load's size),
//! `dashboard` (everything after, in its own wasm chunk), and `components` (what the admin sees
//! there).

pub mod client;
pub mod components;
pub mod dashboard;
pub mod embed;
pub mod first_screen;
pub mod job_events;
pub mod journal;
pub mod panic_page;
pub mod poller;
pub mod reactive;
pub mod routes;
pub mod runtime_config;
pub mod state;
pub mod tabs;
pub mod theme;

/// This browser's localStorage (the journal, preferences, the policies), if the page may use it.
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// This tab's sessionStorage (what the connection form remembers), if the page may use it.
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Moves the focus to the first element matching `selector` once the next frame is drawn (by
/// then what a change of view shows is in the page).
pub fn focus_next_frame(selector: impl Into<String>) {
    use wasm_bindgen::JsCast;
    let selector = selector.into();
    leptos::prelude::request_animation_frame(move || {
        let found = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(&selector).ok().flatten());
        if let Some(el) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// Milliseconds since the epoch, from the browser clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn js_date(ms: u64) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
}

/// Local time of day, `14:05:09`.
pub fn local_time(ms: u64) -> String {
    String::from(js_date(ms).to_locale_time_string("en-GB"))
}

/// When a job started, as the table shows it: the time of day for today's, with the date
/// otherwise (a list of years of backups must say which day each was).
pub fn local_started(ms: u64) -> String {
    if js_date(ms).to_date_string() == js_date(now_ms()).to_date_string() {
        local_time(ms)
    } else {
        local_date_time(ms)
    }
}

/// Local date and time, `25/11/2026, 14:05:09`.
pub fn local_date_time(ms: u64) -> String {
    String::from(js_date(ms).to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}
