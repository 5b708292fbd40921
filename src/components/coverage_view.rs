use backup_core::coverage::coverage;
use leptos::prelude::*;

use crate::local_date_time;
use crate::state::use_app_state;

/// Each collection with its last successful backup; collections in no backup stand out.
#[component]
pub fn CoverageView() -> impl IntoView {
    let state = use_app_state();
    let rows = move || {
        let collections = state.connection.with(|c| c.as_ref().map(|c| c.collections.clone()).unwrap_or_default());
        let jobs = state.jobs.with(|j| j.snapshot());
        coverage(&collections, &jobs)
    };
    view! {
        <section class="card coverage">
            <table>
                <caption>"Coverage"</caption>
                <thead>
                    <tr><th scope="col">"Collection"</th><th scope="col">"Last successful backup"</th></tr>
                </thead>
                <tbody>
                    {move || rows().into_iter().map(|r| {
                        let covered = r.last_backup.is_some();
                        view! {
                            <tr data-collection=r.collection.clone() data-covered=covered.to_string()>
                                <td>{r.collection.clone()}</td>
                                <td>{match r.last_backup {
                                    Some((backend, id, at)) => view! { <span>{format!("{id} on {backend}, {}", local_date_time(at))}</span> }.into_any(),
                                    None => view! { <span class="uncovered">"⚠ In no backup"</span> }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </section>
    }
}
