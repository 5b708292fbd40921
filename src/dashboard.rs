//! Everything the admin sees once a server is in play — summary, jobs, coverage, the job
//! detail, both forms, preferences, the Policies view — and the watchers behind it (poller,
//! journal, job events, the policies' book).
//!
//! The release build (`scripts/build.sh`, `--cfg split`) cuts this — and with it Leptos's
//! renderer — out of the first load into its own wasm chunk: the page is interactive with the
//! first screen alone (`crate::first_screen`), and the chunk is fetched right after, in the
//! background, while the admin types. Other builds link it in and the same code runs
//! synchronously.

use backup_core::job::JobKey;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use backup_core::route::Route;

use crate::components::policies::{PoliciesView, PolicyBook, ViewLinks};
use crate::components::{CoverageView, CreateBackupForm, JobDetail, JobTable, Preferences, RestoreBackupForm, SummaryLine, DETAIL_HEADING};
use crate::job_events::use_job_events;
use crate::journal::use_journal;
use crate::poller::use_job_poller;
use crate::routes::use_routes;
use crate::state::use_app_state;
use crate::tabs::use_tabs;

/// Mounts the dashboard into `place`, under `owner` (the console's: the dashboard reads its
/// `AppState`). In the release build this first fetches the chunk; an error means it could not.
pub async fn mount(owner: Owner, place: HtmlElement) -> Result<(), SplitLoaderError> {
    #[cfg(split)]
    return dashboard(owner, place).await;
    #[cfg(not(split))]
    dashboard(owner, place)
}

#[cfg_attr(split, leptos::wasm_split::wasm_split(dashboard, wasm_split_path = ::leptos::wasm_split, fallible))]
fn dashboard(owner: Owner, place: HtmlElement) -> Result<(), SplitLoaderError> {
    owner.with(|| leptos::mount::mount_to(place, || view! { <Dashboard /> }).forget());
    Ok(())
}

#[component]
fn Dashboard() -> impl IntoView {
    let state = use_app_state();
    use_routes();
    let (detail, back) = use_detail_route();
    use_journal();
    use_tabs();
    use_job_poller();
    let alerts = use_job_events();
    let book = PolicyBook::provide();
    let connected = move || state.connected();
    // The Policies view takes the jobs' place; the table stays mounted (its filter, page and
    // scroll are there when the admin comes back).
    let on_policies = Memo::new(move |_| state.route.with(Route::is_policies));
    let default_backend = move || state.config.with(|c| c.default_backend.clone().unwrap_or_default());
    view! {
        <div class="toasts" role="status" aria-live="polite">
            {move || alerts.toasts.get().into_iter().map(|t| view! { <p class="toast">{t}</p> }).collect::<Vec<_>>()}
        </div>
        <Show when=connected>
            <ViewLinks />
            <SummaryLine />
        </Show>
        <div class="layout" class:connected=connected class:read-only=move || state.read_only()>
            <div class="primary">
                {move || detail.get().map(|key| view! { <JobDetail key back /> })}
                <Show when=connected>
                    <PoliciesView book />
                    <div class="jobs-area" hidden=move || on_policies.get()>
                        <JobTable />
                        <CoverageView />
                    </div>
                </Show>
            </div>
            <aside class="side" aria-label="Start a job and preferences">
                <Show when=move || connected() && !state.read_only()>
                    <CreateBackupForm default_backend=default_backend() />
                    <RestoreBackupForm default_backend=default_backend() />
                </Show>
                <Show when=connected>
                    <Preferences alerts />
                </Show>
            </aside>
        </div>
    }
}

/// The job whose detail the route opens, and "All jobs" to leave it. Keeps the table's scroll
/// for the way back, and makes "All jobs" the browser's back when the detail was opened from
/// the table.
fn use_detail_route() -> (Memo<Option<JobKey>>, Callback<()>) {
    let state = use_app_state();
    let detail = Memo::new(move |_| state.route.with(|r| r.job().cloned()));
    let table_scroll = StoredValue::new(0.0_f64);
    let from_table = StoredValue::new(false);
    let scroll = window_event_listener(leptos::ev::scroll, move |_| {
        if detail.with_untracked(Option::is_none) {
            table_scroll.set_value(window().scroll_y().unwrap_or(0.0));
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
                crate::focus_next_frame(format!("#{DETAIL_HEADING}"));
            }
            (Some(Route::Job(_)), Route::Home) => {
                let y = table_scroll.get_value();
                request_animation_frame(move || window().scroll_to_with_x_and_y(0.0, y));
            }
            _ => {}
        }
        route
    });
    let back = Callback::new(move |()| {
        if from_table.get_value() {
            history_back();
        } else {
            let _ = window().location().set_hash(&Route::Home.to_hash());
        }
    });
    (detail, back)
}

/// `history.back()` (no `History` binding needed for one call).
fn history_back() {
    let w = window();
    let back = js_sys::Reflect::get(&w, &"history".into())
        .ok()
        .and_then(|h| js_sys::Reflect::get(&h, &"back".into()).ok().map(|f| (h, f)));
    if let Some((h, f)) = back {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(&h);
        }
    }
}
