use leptos::prelude::*;

use crate::components::JobRow;
use crate::state::use_app_state;

/// Every job the console knows, newest first; rows keyed by `{kind}:{backend}:{id}`.
#[component]
pub fn JobTable() -> impl IntoView {
    let state = use_app_state();
    let entries = move || state.jobs.with(|j| j.entries().to_vec());
    view! {
        <section class="card jobs">
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
                    </tr>
                </thead>
                <tbody>
                    <For each=entries key=|e| e.key.clone() let:entry>
                        <JobRow entry />
                    </For>
                </tbody>
            </table>
            <Show when=move || state.jobs.with(|j| j.entries().is_empty())>
                <p class="empty">"No jobs yet. Backups and restores you start appear here."</p>
            </Show>
        </section>
    }
}
