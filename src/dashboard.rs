//! Everything the admin sees once a server is in play — summary, jobs, coverage, the job
//! detail, both forms, preferences, the Policies view — and the watchers behind it (poller,
//! journal, job events, the policies' book).
//!
//! The release build (`scripts/build.sh`, `--cfg split`) cuts this out of the first load into
//! its own wasm chunk: the page is interactive with the connection form alone, and the chunk is
//! fetched right after, in the background, while the admin types. Other builds link it in and
//! the same code runs synchronously.

use backup_core::job::JobKey;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use backup_core::route::Route;

use crate::components::policies::{PoliciesView, PolicyBook, ViewLinks};
use crate::components::{CoverageView, CreateBackupForm, JobDetail, JobTable, Preferences, RestoreBackupForm, SummaryLine};
use crate::job_events::use_job_events;
use crate::journal::use_journal;
use crate::poller::use_job_poller;
use crate::state::use_app_state;
use crate::tabs::use_tabs;

/// The dashboard, fetched once the connection form has been painted; nothing on screen while it
/// loads unless the console is already connected, and a clear alert with a retry if the chunk
/// cannot be fetched.
#[component]
pub fn LazyDashboard(
    /// The job whose detail is open, from the route.
    detail: Memo<Option<JobKey>>,
    /// Leaves the detail ("All jobs").
    back: Callback<()>,
) -> impl IntoView {
    let state = use_app_state();
    // After the first screen is painted (the frame, then a task), so the chunk's fetch and
    // compile never delay it; on any real link it is in before the admin has typed a URL.
    let painted = RwSignal::new(false);
    let after_frame = StoredValue::new(None::<TimeoutHandle>);
    let frame = request_animation_frame_with_handle(move || {
        let timer = set_timeout_with_handle(move || painted.set(true), std::time::Duration::ZERO);
        after_frame.set_value(timer.ok());
    })
    .ok();
    on_cleanup(move || {
        if let Some(frame) = frame {
            frame.cancel();
        }
        if let Some(timer) = after_frame.try_get_value().flatten() {
            timer.clear();
        }
    });
    let attempt = RwSignal::new(0_u32);
    // While connecting, the console's own "Reading the server's version…" line is showing.
    let fallback = move || state.connected().then(|| view! { <p class="loading" role="status">"Loading the jobs table and forms…"</p> });
    let dashboard = move || {
        attempt.track();
        painted.get().then(|| {
            Suspend::new(async move {
                match load(detail, back).await {
                    Ok(view) => view,
                    Err(_) => view! {
                        <section class="card alert" role="alert">
                            <h2>"Part of the console could not be loaded"</h2>
                            <p>"The jobs table and forms are fetched apart from the rest of the console, and that fetch failed. Check the network (or that every file of the console is deployed) and try again."</p>
                            <button type="button" on:click=move |_| attempt.update(|n| *n += 1)>"Try again"</button>
                        </section>
                    }
                    .into_any(),
                }
            })
        })
    };
    view! { <Suspense fallback>{dashboard}</Suspense> }
}

async fn load(detail: Memo<Option<JobKey>>, back: Callback<()>) -> Result<AnyView, SplitLoaderError> {
    #[cfg(split)]
    return dashboard(detail, back).await;
    #[cfg(not(split))]
    dashboard(detail, back)
}

#[cfg_attr(split, leptos::wasm_split::wasm_split(dashboard, wasm_split_path = ::leptos::wasm_split, fallible))]
fn dashboard(detail: Memo<Option<JobKey>>, back: Callback<()>) -> Result<AnyView, SplitLoaderError> {
    let state = use_app_state();
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
    Ok(view! {
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
    .into_any())
}
