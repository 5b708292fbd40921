use backup_core::export::{to_csv, to_json};
use backup_core::table::{SortBy, StatusFilter, TableView};
use leptos::prelude::*;

use crate::components::{ErrorAlert, JobRow};
use crate::state::use_app_state;

fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

/// Every job the console knows, filterable and sortable; rows keyed by `{kind}:{backend}:{id}`.
#[component]
pub fn JobTable() -> impl IntoView {
    let state = use_app_state();
    let view_opts = RwSignal::new(TableView::default());
    // Recomputes the order when any job changes; For keeps unchanged rows as they are.
    let shown = Memo::new(move |_| {
        let jobs: Vec<_> = state.jobs.with(|j| j.entries().iter().map(|e| (e.key.clone(), e.job.get())).collect());
        view_opts.with(|v| v.arrange(&jobs))
    });
    let rows = move || {
        let keys = shown.get();
        state.jobs.with_untracked(|j| {
            keys.iter().filter_map(|k| j.entries().iter().find(|e| &e.key == k).cloned()).collect::<Vec<_>>()
        })
    };
    let total = move || state.jobs.with(|j| j.entries().len());
    view! {
        <section class="card jobs">
            <div class="table-controls">
                <div class="field">
                    <label for="jobs-filter">"Filter jobs"</label>
                    <input id="jobs-filter" type="search" placeholder="id, collection, error…"
                        prop:value=move || view_opts.with(|v| v.text.clone())
                        on:input=move |ev| view_opts.update(|v| v.text = event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="jobs-status">"Status filter"</label>
                    <select id="jobs-status" on:change=move |ev| view_opts.update(|v| v.status = StatusFilter::from_label(&event_target_value(&ev)))>
                        {StatusFilter::ALL.into_iter().map(|f| view! { <option value=f.label()>{f.label()}</option> }).collect::<Vec<_>>()}
                    </select>
                </div>
                <div class="field">
                    <label for="jobs-sort">"Sort by"</label>
                    <select id="jobs-sort" on:change=move |ev| view_opts.update(|v| v.sort = SortBy::from_label(&event_target_value(&ev)))>
                        {SortBy::ALL.into_iter().map(|s| view! { <option value=s.label()>{s.label()}</option> }).collect::<Vec<_>>()}
                    </select>
                </div>
                <div class="field">
                    <label for="jobs-stall">"Flag as stuck after (minutes)"</label>
                    <input id="jobs-stall" type="number" min="1" prop:value=move || state.stall_minutes.get().to_string()
                        on:change=move |ev| {
                            if let Ok(m) = event_target_value(&ev).parse::<u64>() {
                                state.stall_minutes.set(m.max(1));
                            }
                        } />
                </div>
                <button type="button" class="secondary" on:click=move |_| state.jobs.update(|j| j.clear_finished())>
                    "Clear finished"
                </button>
                <a class="button-link" download="backup-jobs.csv" href=move || data_url("text/csv", &state.jobs.with(|j| to_csv(&j.snapshot())))>
                    "Export CSV"
                </a>
                <a class="button-link" download="backup-jobs.json" href=move || data_url("application/json", &state.jobs.with(|j| to_json(&j.snapshot())))>
                    "Export JSON"
                </a>
            </div>
            {move || state.list_errors.get().into_iter().map(|(backend, e)| {
                let stopped = !e.is_transient();
                let again = {
                    let backend = backend.clone();
                    move |_| state.list_errors.update(|errs| errs.retain(|(b, _)| *b != backend))
                };
                view! {
                    <div class="list-error">
                        <p>{format!("Backups on \"{backend}\" could not be listed:")}</p>
                        <ErrorAlert error=Signal::stored(Some(e)) />
                        {stopped.then(|| view! {
                            <p>"The list is not read again until you ask: the same request would fail the same way."</p>
                            <button type="button" class="secondary" on:click=again>"Check again"</button>
                        })}
                    </div>
                }
            }).collect::<Vec<_>>()}
            <table>
                <caption>"Jobs"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"ID"</th>
                        <th scope="col">"Backend"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Collections"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Duration"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Error"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    // Keyed by entry: one per `data-job` key on a server, and a new row
                    // for another server's job with the same key.
                    <For each=rows key=|e| e.serial let:entry>
                        <JobRow entry />
                    </For>
                </tbody>
            </table>
            <p class="empty">
                {move || match (total(), shown.with(Vec::len)) {
                    (0, _) => "No jobs yet. Backups and restores you start appear here.".to_string(),
                    (t, s) if s < t => format!("Showing {s} of {t} jobs."),
                    _ => String::new(),
                }}
            </p>
        </section>
    }
}
