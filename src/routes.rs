//! Keeps `AppState::route` in step with the URL fragment (deep links, back button).

use backup_core::route::Route;
use leptos::prelude::*;

use crate::state::use_app_state;

fn current() -> Route {
    Route::parse(&web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default())
}

pub fn use_routes() {
    let state = use_app_state();
    state.route.set(current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| state.route.set(current()));
    on_cleanup(move || handle.remove());
}
