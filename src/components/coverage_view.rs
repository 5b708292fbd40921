use backup_core::coverage::{uncovered_by_policies, CoverageTally};
use leptos::prelude::*;

use crate::components::policies::use_policy_book;
use crate::local_date_time;
use crate::state::use_app_state;

/// Each collection with its last successful backup; collections in no backup come first and
/// stand out. With policies, it also says which collections no active policy backs up.
#[component]
pub fn CoverageView() -> impl IntoView {
    let state = use_app_state();
    let rows = Memo::new(move |_| {
        let mut t = CoverageTally::default();
        state.jobs.with(|j| j.entries().iter().for_each(|e| e.job.with(|job| t.add(job))));
        state.connection.with(|c| t.rows(c.as_ref().map(|c| c.collections.as_slice()).unwrap_or_default()))
    });
    let uncovered = move || rows.with(|r| r.iter().filter(|r| r.last_backup.is_none()).count());
    let intro = move || {
        let total = rows.with(Vec::len);
        match (total, uncovered()) {
            (0, _) => "This server has no collections yet, so there is nothing to back up.".to_string(),
            (t, 0) => format!("All {t} collections are in at least one successful backup."),
            (t, u) => format!("{u} of {t} collections are in no successful backup this console knows of. Back them up with \"Create backup\"."),
        }
    };
    let book = use_policy_book();
    let no_policy = Memo::new(move |_| {
        let book = book?;
        book.entries.with(|entries| {
            if entries.is_empty() {
                return None;
            }
            let policies: Vec<&backup_core::policy::Policy> = entries.iter().filter(|e| e.checked.is_ok()).map(|e| &e.policy).collect();
            state.connection.with(|c| {
                let collections = c.as_ref().map(|c| c.collections.as_slice()).unwrap_or_default();
                Some(uncovered_by_policies(collections, &policies).into_iter().map(String::from).collect::<Vec<_>>())
            })
        })
    });
    view! {
        <section class="card coverage" aria-labelledby="coverage-h">
            <h2 id="coverage-h" tabindex="-1">"Coverage"</h2>
            <p class="help">{intro}</p>
            {move || no_policy.get().map(|names| if names.is_empty() {
                view! { <p class="help" data-policy-coverage="all">"Every collection is backed up by an active policy."</p> }.into_any()
            } else {
                view! { <p class="uncovered" data-policy-coverage="gaps">{format!("No active policy backs up: {}.", names.join(", "))}</p> }.into_any()
            })}
            <Show when=move || rows.with(|r| !r.is_empty())>
                <table>
                    <caption class="visually-hidden">"Coverage"</caption>
                    <thead>
                        <tr><th scope="col">"Collection"</th><th scope="col">"Last successful backup"</th></tr>
                    </thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|r| {
                            let covered = r.last_backup.is_some();
                            view! {
                                <tr data-collection=r.collection.clone() data-covered=covered.to_string()>
                                    <td>{r.collection.clone()}</td>
                                    <td>{match r.last_backup {
                                        Some((backend, id, at)) => view! {
                                            <span><span class="mono">{id}</span>{format!(" on {backend}, {}", local_date_time(at))}</span>
                                        }.into_any(),
                                        None => view! { <span class="uncovered">"⚠ In no backup"</span> }.into_any(),
                                    }}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
