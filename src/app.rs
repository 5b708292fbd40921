use backup_core::config::ConsoleConfig;
use backup_core::route::Route;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::{apply_saved_preferences, ConnectionForm, ConnectionLine, ConnectionUi, DETAIL_HEADING};
use crate::dashboard::LazyDashboard;
use crate::embed::use_host_bridge;
use crate::routes::use_routes;
use crate::runtime_config;
use crate::state::AppState;
use crate::theme::use_theme;

/// The whole console. Runtime configuration is read first (`config.json`, query); `preset`
/// (from the mount API) goes over it, and a host page's messages over both.
#[component]
pub fn App(
    /// Configuration given by a host that mounts the console itself.
    #[prop(optional)]
    preset: Option<ConsoleConfig>,
) -> impl IntoView {
    let state = AppState::new().provide();
    use_theme();
    use_routes();
    let loaded = LocalResource::new(runtime_config::load);
    // `None` while loading; an invalid configuration stops the console rather than let it run
    // on weaker settings than the deployment asked for.
    let outcome = RwSignal::new(None::<Result<(), String>>);
    Effect::new(move |_| {
        if let Some(loaded) = loaded.get() {
            outcome.set(Some(loaded.map(|cfg| state.config.set(preset.clone().unwrap_or_default().over(cfg)))));
        }
    });
    // What is on screen changes only when the outcome does: the console (and with it the host
    // bridge, which says `ready`) is built once per load.
    let phase = Memo::new(move |_| outcome.get());
    let ready = Memo::new(move |_| matches!(phase.get(), Some(Ok(()))));
    let ui = ConnectionUi::default();
    view! {
        <header class="topbar">
            <h1 class="brand">"Weaviate Backup Console"</h1>
            <Show when=move || ready.get()>
                <ConnectionLine ui />
            </Show>
        </header>
        <main class="console">
            {move || match phase.get() {
                None => view! { <p class="loading" role="status">"Loading the console's configuration…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <section class="card alert stopped-config" role="alert">
                        <h2>"The console's configuration is invalid"</h2>
                        <p class="server-text">{e}</p>
                        <p class="alert-hint">"Fix config.json beside index.html (or the mount call) and reload. Nothing was sent to any server."</p>
                    </section>
                }.into_any(),
                Some(Ok(())) => view! { <Console state ui /> }.into_any(),
            }}
        </main>
    }
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn focus_by_id(id: &str) {
    if let Some(el) = window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

/// `history.back()` (no `History` binding needed for one call).
fn history_back() {
    let Some(w) = window() else { return };
    let back = js_sys::Reflect::get(&w, &"history".into())
        .ok()
        .and_then(|h| js_sys::Reflect::get(&h, &"back".into()).ok().map(|f| (h, f)));
    if let Some((h, f)) = back {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(&h);
        }
    }
}

#[component]
fn Console(state: AppState, ui: ConnectionUi) -> impl IntoView {
    use_host_bridge();
    apply_saved_preferences();
    let connected = move || state.connected();
    let detail = Memo::new(move |_| state.route.with(|r| r.job().cloned()));

    // Where the table was scrolled, so leaving a job's detail returns there; and whether the
    // detail was opened from the table (then "All jobs" is the browser's back).
    let table_scroll = StoredValue::new(0.0_f64);
    let from_table = StoredValue::new(false);
    let scroll = window_event_listener(leptos::ev::scroll, move |_| {
        if detail.with_untracked(Option::is_none) {
            table_scroll.set_value(window().and_then(|w| w.scroll_y().ok()).unwrap_or(0.0));
        }
    });
    on_cleanup(move || scroll.remove());
    Effect::new(move |before: Option<Route>| {
        let route = state.route.get();
        match (&before, &route) {
            (_, Route::Job(_)) => {
                if !matches!(before, Some(Route::Job(_))) {
                    from_table.set_value(before.is_some());
                }
                request_animation_frame(|| focus_by_id(DETAIL_HEADING));
            }
            (Some(Route::Job(_)), Route::Home) => {
                let y = table_scroll.get_value();
                request_animation_frame(move || {
                    if let Some(w) = window() {
                        w.scroll_to_with_x_and_y(0.0, y);
                    }
                });
            }
            _ => {}
        }
        route
    });
    let back = Callback::new(move |()| {
        if from_table.get_value() {
            history_back();
        } else if let Some(w) = window() {
            let _ = w.location().set_hash(&Route::Home.to_hash());
        }
    });

    view! {
        {move || state.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <ConnectionForm ui />
        <Show when=move || !connected() && state.connecting.get() && !ui.expanded(state)>
            <p class="loading">"Reading the server's version, backup backends and collections…"</p>
        </Show>
        <LazyDashboard detail back />
    }
}
