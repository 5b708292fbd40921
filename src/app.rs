use leptos::prelude::*;

use crate::components::{ConnectionForm, CreateBackupForm, JobTable, RestoreBackupForm};
use crate::journal::use_journal;
use crate::poller::use_job_poller;
use crate::runtime_config::{self, StartConfig};
use crate::state::AppState;

/// The whole console: connection, forms, job table; runtime configuration is read first.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new().provide();
    use_job_poller();
    use_journal();
    let config = LocalResource::new(runtime_config::load);
    view! {
        <header class="topbar">
            <h1>"Weaviate Backup Console"</h1>
        </header>
        <main>
            <Suspense fallback=|| view! { <p>"Loading configuration…"</p> }>
                {move || config.get().map(|cfg| view! { <Console cfg state /> })}
            </Suspense>
        </main>
    }
}

#[component]
fn Console(cfg: StartConfig, state: AppState) -> impl IntoView {
    let connected = move || state.connection.with(Option::is_some);
    let StartConfig { weaviate_url, default_backend, notice } = cfg;
    view! {
        {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {move || state.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <ConnectionForm initial_url=weaviate_url.unwrap_or_default() />
        <JobTable />
        <Show
            when=connected
            fallback=|| view! { <p class="hint">"Connect to a Weaviate to start a backup."</p> }
        >
            <div class="forms">
                <CreateBackupForm default_backend=default_backend.clone().unwrap_or_default() />
                <RestoreBackupForm default_backend=default_backend.clone().unwrap_or_default() />
            </div>
        </Show>
    }
}
