//! The first screen: the top bar, the configuration's outcome, the connection form and line —
//! everything the page shows until the dashboard is in — drawn without Leptos's renderer.
//!
//! Why: the first load (what the page fetches until "Connect" is usable) is this module, the
//! state (`AppState`, on Leptos's reactive graph, which the dashboard reads too), the HTTP
//! client and the configuration. The renderer (tachys) and every view drawn with it are in the
//! dashboard's chunk (`crate::dashboard`), fetched once this screen is painted. With the
//! connection form drawn by Leptos the renderer had to be in the first load too: 197.8 KB
//! gzipped then, against a 150 KB target (README: Building the static bundle).
//!
//! `dom` is the small kit the screen is drawn with; behaviour lives in plain functions over the
//! same signals the rest of the console uses.

pub mod connection_form;
pub mod connection_line;
pub mod dom;

use backup_core::config::ConsoleConfig;
use leptos::prelude::*;

use self::connection_form::{connection_form, ConnectionUi};
use self::connection_line::connection_line;
use self::dom::{slot, El};
use crate::components::apply_saved_preferences;
use crate::components::variant::Notice;
use crate::embed::use_host_bridge;
use crate::runtime_config;
use crate::state::{use_app_state, AppState};
use crate::theme::use_theme;

/// Starts the console in `target` (the page's body, or a host's element). Runtime
/// configuration is read first (`config.json`, query); `preset` (from the mount API) goes over
/// it, and a host page's messages over both. The console lives as long as the page.
pub fn start(target: &web_sys::HtmlElement, preset: Option<ConsoleConfig>) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(|| {
        let state = AppState::new().provide();
        use_theme();
        let header = El::new("header").attr("class", "topbar").child(El::new("h1").attr("class", "brand").text("Weaviate Backup Console"));
        let main = El::new("main").attr("class", "console");
        let loading = El::new("p").attr("class", "loading").attr("role", "status").text("Loading the console's configuration…");
        let _ = main.0.append_child(&loading.0);
        let _ = target.append_child(&header.0);
        let _ = target.append_child(&main.0);
        let owner = Owner::current().expect("inside the console's owner");
        leptos::task::spawn_local(async move {
            let loaded = runtime_config::load().await;
            loading.0.remove();
            owner.with(|| match loaded {
                Ok(cfg) => {
                    state.config.set(preset.unwrap_or_default().over(cfg));
                    console(&header, &main);
                }
                // An invalid configuration stops the console rather than let it run on weaker
                // settings than the deployment asked for.
                Err(e) => {
                    let _ = main.0.append_child(
                        &El::new("section").attr("class", "card alert stopped-config").attr("role", "alert")
                            .child(El::new("h2").text("The console's configuration is invalid"))
                            .child(El::new("p").attr("class", "server-text").text(&e))
                            .child(El::new("p").attr("class", "alert-hint").text("Fix config.json beside index.html (or the mount call) and reload. Nothing was sent to any server."))
                            .0,
                    );
                }
            });
        });
    });
    std::mem::forget(owner);
}

/// The console once its configuration is known.
fn console(header: &El, main: &El) {
    let state = use_app_state();
    use_host_bridge();
    apply_saved_preferences();
    let ui = ConnectionUi::default();
    connection_line(header, ui);
    slot(&main.0, move || state.notice.get(), |n| n.map(|n| El::new("p").attr("class", "notice").attr("role", "status").text(&n)));
    let _ = main.0.append_child(&connection_form(ui).0);
    slot(&main.0, move || !state.connected() && state.connecting.get() && !ui.expanded(state), |reading| {
        reading.then(|| El::new("p").attr("class", "loading").text("Reading the server's version, backup backends and collections…"))
    });
    dashboard(main);
}

/// Where the dashboard's chunk is.
#[derive(Clone, Copy, PartialEq)]
enum Chunk {
    Loading,
    Failed,
    In,
}

/// The dashboard, fetched after this screen is painted (a frame, then a task) so the chunk's
/// fetch and compile never delay it; on any real link it is in before the admin has typed a
/// URL. Nothing shows while it loads unless the console is already connected, and a clear
/// alert with a retry if the chunk cannot be fetched.
fn dashboard(main: &El) {
    let state = use_app_state();
    let chunk = RwSignal::new(Chunk::Loading);
    let place = El::new("div").attr("class", "dashboard").into_html();
    let owner = Owner::current().expect("inside the console's owner");
    let placed = place.clone();
    let load = move || {
        chunk.set(Chunk::Loading);
        let (owner, place) = (owner.clone(), place.clone());
        leptos::task::spawn_local(async move {
            let loaded = crate::dashboard::mount(owner, place).await;
            let _ = chunk.try_set(if loaded.is_ok() { Chunk::In } else { Chunk::Failed });
        });
    };
    let retry = load.clone();
    slot(&main.0, move || (chunk.get(), state.connected()), move |(chunk, connected)| match chunk {
        // While connecting, the console's own "Reading the server's version…" line is showing.
        Chunk::Loading if connected => Some(El::new("p").attr("class", "loading").attr("role", "status").text("Loading the jobs table and forms…")),
        Chunk::Failed => {
            let retry = retry.clone();
            Some(
                El::new("section").attr("class", &format!("card {}", Notice::Error.class())).attr("role", "alert")
                    .child(El::new("h2").text("Part of the console could not be loaded"))
                    .child(El::new("p").text("The jobs table and forms are fetched apart from the rest of the console, and that fetch failed. Check the network (or that every file of the console is deployed) and try again."))
                    .child(El::new("button").attr("type", "button").on("click", move |_| retry()).text("Try again")),
            )
        }
        _ => None,
    });
    let _ = main.0.append_child(&placed);
    request_animation_frame(move || set_timeout(load, std::time::Duration::ZERO));
}
