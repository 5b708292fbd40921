use backup_core::export::{to_csv, to_json};
use backup_core::table::{SortBy, StatusFilter, TableView, Window, PAGE_SIZE};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::{ErrorAlert, JobRow};
use crate::reactive::{depend_on, JobScope, Redraws};
use crate::state::use_app_state;
use crate::components::variant::Action;

/// A `data:` URL holding `text` (a download link's target).
pub(crate) fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

/// Points the clicked link at `href` before the browser follows it.
fn set_href(ev: &leptos::ev::MouseEvent, href: &str) {
    if let Some(a) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
        let _ = a.set_attribute("href", href);
    }
}

/// Every job the console knows, filterable and sortable over all of them, rendered a page at a
/// time; rows keyed by `{kind}:{backend}:{id}`.
#[component]
pub fn JobTable() -> impl IntoView {
    let state = use_app_state();
    let view_opts = RwSignal::new(TableView::default());
    let page = RwSignal::new(0usize);
    // Another filter or order starts from the first page.
    let set_view = move |change: &dyn Fn(&mut TableView)| {
        view_opts.update(change);
        page.set(0);
    };
    // Positions of the shown jobs, in order, over every job; recomputed when the list changes,
    // and when a job changes only if the view filters or sorts by what changes.
    let shown = Memo::new(move |_| {
        view_opts.with(|v| {
            let follow = v.follows_updates();
            state.jobs.with(|j| {
                let jobs: Vec<_> =
                    j.entries().iter().map(|e| if follow { e.job.read() } else { e.job.read_untracked() }).collect();
                v.arrange(&jobs)
            })
        })
    });
    let window = move || Window::of(shown.with(Vec::len), page.get(), PAGE_SIZE);
    // Only the page is rendered; For keeps unchanged rows as they are.
    let page_rows = Memo::new(move |_| {
        let w = window();
        shown.with(|order| {
            state.jobs.with_untracked(|j| order[w.first..w.end].iter().map(|&i| j.entries()[i].clone()).collect::<Vec<_>>())
        })
    });
    // Leptos's `For` keeps a link to every row it ever drew (its owner holds a `Weak` to each
    // row's owner until it is dropped itself), and rows leave dead subscriptions on the
    // `JobScope` they read. Both go with the table body, which is rebuilt now and then
    // (`Redraws`): paging, filtering and jobs coming and going cost no memory for good.
    let redraws = Memo::new(move |before: Option<&(Vec<u64>, Redraws)>| {
        let page: Vec<u64> = page_rows.with(|p| p.iter().map(|e| e.serial).collect());
        let (old, r) = before.map_or((&[][..], Redraws::default()), |(old, r)| (old.as_slice(), *r));
        let next = r.next(old, &page);
        (page, next)
    });
    let generation = Memo::new(move |_| redraws.with(|(_, r)| r.generation));
    let total = move || state.jobs.with(|j| j.entries().len());
    // Export links carry the table while it is small; a large one is built when the link is
    // used, not on every change of every job.
    let small = move || total() <= PAGE_SIZE;
    let csv = move || data_url("text/csv", &state.jobs.with(|j| to_csv(&j.snapshot())));
    let json = move || data_url("application/json", &state.jobs.with(|j| to_json(&j.snapshot())));
    view! {
        <section class="card jobs">
            <div class="table-controls">
                <div class="field">
                    <label for="jobs-filter">"Filter jobs"</label>
                    <input id="jobs-filter" type="search" placeholder="id, collection, error…"
                        prop:value=move || view_opts.with(|v| v.text.clone())
                        on:input=move |ev| set_view(&|v| v.text = event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="jobs-status">"Status filter"</label>
                    <select id="jobs-status" on:change=move |ev| set_view(&|v| v.status = StatusFilter::from_label(&event_target_value(&ev)))>
                        {StatusFilter::ALL.into_iter().map(|f| view! { <option value=f.label()>{f.label()}</option> }).collect::<Vec<_>>()}
                    </select>
                </div>
                <div class="field">
                    <label for="jobs-sort">"Sort by"</label>
                    <select id="jobs-sort" on:change=move |ev| set_view(&|v| v.sort = SortBy::from_label(&event_target_value(&ev)))>
                        {SortBy::ALL.into_iter().map(|s| view! { <option value=s.label()>{s.label()}</option> }).collect::<Vec<_>>()}
                    </select>
                </div>
                <button type="button" class=Action::Secondary.class() on:click=move |_| state.jobs.update(|j| j.clear_finished())>
                    "Clear finished"
                </button>
                <a class=Action::Link.class() download="backup-jobs.csv" href=move || if small() { csv() } else { "#".into() }
                    on:click=move |ev| set_href(&ev, &untrack(csv))>
                    "Export CSV"
                </a>
                <a class=Action::Link.class() download="backup-jobs.json" href=move || if small() { json() } else { "#".into() }
                    on:click=move |ev| set_href(&ev, &untrack(json))>
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
                            <button type="button" class=Action::Secondary.class() on:click=again>"Check again"</button>
                        })}
                    </div>
                }
            }).collect::<Vec<_>>()}
            // The server's list quietly leaves out backups of collections the key may not read.
            {move || state.connection.with(|c| c.as_ref().and_then(|c| c.access.as_ref()?.list_note())).map(|note| view! {
                <p class="notice list-filtered" role="note">{note}</p>
            })}
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
                    {move || {
                        depend_on(generation);
                        let scope = JobScope::new(state);
                        view! {
                            <For each=move || page_rows.get() key=|e| e.serial let:entry>
                                <JobRow entry scope />
                            </For>
                        }
                    }}
                </tbody>
            </table>
            <nav class="pager" aria-label="Job pages" hidden=move || { window().pages < 2 }>
                <button type="button" class=Action::Secondary.class() disabled=move || window().page == 0
                    on:click=move |_| page.set(window().page.saturating_sub(1))>"Previous page"</button>
                <span aria-live="polite">
                    {move || {
                        let w = window();
                        format!("Jobs {}–{} of {}, page {} of {}", w.first + 1, w.end, shown.with(Vec::len), w.page + 1, w.pages)
                    }}
                </span>
                <button type="button" class=Action::Secondary.class() disabled=move || { let w = window(); w.page + 1 >= w.pages }
                    on:click=move |_| page.set(window().page + 1)>"Next page"</button>
            </nav>
            <p class="empty">
                {move || match (total(), shown.with(Vec::len)) {
                    (0, _) if state.read_only() => "No backups yet on this server. Backups appear here as soon as the backend's list is read.".to_string(),
                    (0, _) => "No backups yet on this server. Start one with \"Create backup\": it shows up here at once, with its live status. Backups made elsewhere appear when the backend's list is read.".to_string(),
                    (t, s) if s < t => format!("Showing {s} of {t} jobs."),
                    _ => String::new(),
                }}
            </p>
        </section>
    }
}
