use backup_core::policy_view::{age, at_ms};
use backup_core::route::Route;
use leptos::prelude::*;

use super::book::PolicyBook;
use crate::local_date_time;
use crate::state::use_app_state;
use crate::components::variant::{Action, Notice};

/// Milliseconds since the epoch of a policy time, for the console's date formatting.
pub(super) fn ms(t: backup_core::policy_view::DateTime<backup_core::policy_view::Utc>) -> u64 {
    t.timestamp_millis().max(0) as u64
}

/// Every policy with how it stands: state, last success and failure, next run, schedule in
/// cron and in words, backend and retention; policies that cannot run here say why.
#[component]
pub fn PolicyTable(
    /// The console's policies (the dashboard's book).
    book: PolicyBook,
) -> impl IntoView {
    let state = use_app_state();
    let broken = Memo::new(move |_| {
        book.entries.with(|e| {
            e.iter()
                .filter_map(|e| e.checked.as_ref().err().map(|errs| (e.policy.name.clone(), errs.iter().map(|(_, m)| m.to_string()).collect::<Vec<_>>().join(" "))))
                .collect::<Vec<_>>()
        })
    });
    let from_config = move |name: &str| book.entries.with(|e| e.iter().any(|e| e.from_config && e.policy.name == name));
    view! {
        <section class="card policies" aria-labelledby="policies-h">
            <div class="policies-head">
                <h2 id="policies-h" tabindex="-1">"Policies"</h2>
                <a class=Action::Link.class() href="#/">"All jobs"</a>
                <Show when=move || !state.read_only()>
                    <a class=Action::Link.class() href=Route::EditPolicy(None).to_hash()>"New policy"</a>
                </Show>
            </div>
            <p class="help">
                "A policy backs up on a schedule, under ids made from its template, and keeps what its retention says. "
                "The console shows how each stands from the backups it already lists; backup-runner runs them (see Export on a policy's page)."
            </p>
            {move || book.config_error.get().map(|e| view! { <div class=Notice::Error.class() role="alert"><p class="server-text">{e}</p><p class="alert-hint">"No policy from config.json is shown until it is fixed."</p></div> })}
            {move || book.kept_error.get().map(|e| view! { <p class="notice" role="status">{e}</p> })}
            {move || (!broken.with(Vec::is_empty)).then(|| view! {
                <div class=Notice::Warning.class() role="alert">
                    <p><strong>"These policies cannot run in this browser:"</strong></p>
                    <ul>{broken.get().into_iter().map(|(name, why)| view! { <li><span class="mono">{name}</span>": "{why}</li> }).collect::<Vec<_>>()}</ul>
                </div>
            })}
            <Show when=move || book.standing.with(Vec::is_empty)
                fallback=move || view! {
                    <div class="table-wrap">
                    <table aria-label="Policies" class="policy-table">
                        <thead><tr>
                            <th scope="col">"Policy"</th><th scope="col">"State"</th><th scope="col">"Schedule"</th>
                            <th scope="col">"Backend"</th><th scope="col">"Last success"</th><th scope="col">"Last failure"</th>
                            <th scope="col">"Next run"</th><th scope="col">"Retention"</th>
                        </tr></thead>
                        <tbody>
                            {move || {
                                let now = at_ms(book.now.get());
                                book.standing.get().into_iter().map(|(name, s)| {
                                    let row = s.row;
                                    let health = row.state.health.as_str();
                                    let success = row.state.last_success.as_ref().map(|m| m.at());
                                    let failure = row.last_failure();
                                    let next = match (row.paused, row.state.next_run) {
                                        (true, _) => "paused".to_string(),
                                        (false, Some(t)) => local_date_time(ms(t)),
                                        (false, None) => "never".to_string(),
                                    };
                                    view! {
                                        <tr data-policy=name.clone()>
                                            <td data-col="policy">
                                                <a href=Route::Policy(name.clone()).to_hash()>{name.clone()}</a>
                                                {from_config(&name).then(|| view! { <span class="badge">"from config.json"</span> })}
                                            </td>
                                            <td data-col="state" class=format!("policy-state {health}")>{health}</td>
                                            <td data-col="schedule"><code>{row.schedule.clone()}</code><br/><span class="help">{format!("{} ({})", row.described, row.time_zone)}</span></td>
                                            <td data-col="backend">{row.backend.clone()}</td>
                                            <td data-col="last-success" title=success.map(|t| local_date_time(ms(t)))>{age(success, now)}</td>
                                            <td data-col="last-failure" class="server-text">{failure.unwrap_or_else(|| "none".into())}</td>
                                            <td data-col="next-run">{next}</td>
                                            <td data-col="retention">{row.retention.clone()}</td>
                                        </tr>
                                    }
                                }).collect::<Vec<_>>()
                            }}
                        </tbody>
                    </table>
                    </div>
                }>
                <p class="empty">"No policies yet. Add one to config.json (key policies), or make one here with \"New policy\"."</p>
            </Show>
        </section>
    }
}
