use backup_core::config::ConsoleConfig;
use leptos::prelude::*;

use crate::components::{ConnectionForm, CoverageView, CreateBackupForm, JobTable, RestoreBackupForm};
use crate::embed::use_host_bridge;
use crate::job_events::{use_job_events, Alerts};
use crate::journal::use_journal;
use crate::poller::use_job_poller;
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
    use_job_poller();
    use_journal();
    use_theme();
    use_routes();
    let alerts = use_job_events();
    let loaded = LocalResource::new(runtime_config::load);
    // `None` while loading; an invalid configuration stops the console rather than let it run
    // on weaker settings than the deployment asked for.
    let outcome = RwSignal::new(None::<Result<(), String>>);
    Effect::new(move |_| {
        if let Some(loaded) = loaded.get() {
            outcome.set(Some(loaded.map(|cfg| state.config.set(preset.clone().unwrap_or_default().over(cfg)))));
        }
    });
    view! {
        <header class="topbar">
            <h1>"Weaviate Backup Console"</h1>
        </header>
        <main>
            {move || match outcome.get() {
                None => view! { <p>"Loading configuration…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <section class="card alert" role="alert">
                        <h2>"The console's configuration is invalid"</h2>
                        <p class="server-text">{e}</p>
                        <p class="alert-hint">"Fix config.json beside index.html (or the mount call) and reload. Nothing was sent to any server."</p>
                    </section>
                }.into_any(),
                Some(Ok(())) => view! { <Console state alerts /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn Console(state: AppState, alerts: Alerts) -> impl IntoView {
    use_host_bridge();
    let connected = move || state.connection.with(Option::is_some);
    let default_backend = move || state.config.with(|c| c.default_backend.clone().unwrap_or_default());
    view! {
        {move || state.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <div class="toasts" role="status" aria-live="polite">
            {move || alerts.toasts.get().into_iter().map(|t| view! { <p class="toast">{t}</p> }).collect::<Vec<_>>()}
        </div>
        <div class="check notify">
            <input id="notify" type="checkbox" prop:checked=move || alerts.notify.get()
                on:change=move |ev| alerts.set_notify(event_target_checked(&ev)) />
            <label for="notify">"Notify me when a job ends while this tab is in the background"</label>
        </div>
        <ConnectionForm />
        <JobTable />
        <Show
            when=move || connected() && !state.read_only()
            fallback=move || (!connected()).then(|| view! { <p class="hint">"Connect to a Weaviate to start a backup."</p> })
        >
            <div class="forms">
                <CreateBackupForm default_backend=default_backend() />
                <RestoreBackupForm default_backend=default_backend() />
            </div>
        </Show>
        <Show when=connected>
            <CoverageView />
        </Show>
    }
}
