use backup_core::format::{human_duration, human_size_gib};
use backup_core::job::Origin;
use backup_core::job_view::JobView;
use backup_core::route::Route;
use backup_core::snippet::{curl, python};
use leptos::prelude::*;

use crate::components::{CancelControl, CopyBlock, RestoreLink};
use crate::local_time as clock;
use crate::reactive::JobScope;
use crate::state::JobEntry;
use crate::components::variant::Action;

/// One job: its status as the API spells it (plus an icon, never colour alone), its live
/// duration and freshness, and Cancel while it can be cancelled.
#[component]
pub fn JobRow(
    /// The job; only this row re-renders when it changes.
    entry: JobEntry,
    /// Everything else the row reads (see `JobScope`).
    scope: JobScope,
) -> impl IntoView {
    let now = scope.now;
    let (job, set_job) = entry.watch();
    // A finished row never reads the clock, so the poller's tick re-renders running rows only.
    let view = Memo::new(move |_| job.with(|j| JobView::of(j, || now.get(), scope.stall_ms(), scope.read_only())));
    let status = move || view.with(|v| v.status.clone());
    let tone = move || view.with(|v| v.tone.as_str());
    let classes = move || job.with(|j| if j.classes.is_empty() { "—".to_string() } else { j.classes.join(", ") });
    let duration = move || job.with(|j| human_duration(j.duration_ms(if j.finished_ms.is_some() { 0 } else { now.get() })));
    let size = move || job.with(|j| j.size_gib.map(human_size_gib).unwrap_or_else(|| "—".into()));
    let freshness = move || view.with(|v| v.updated_ago_ms.map(|ms| format!("updated {}s ago", ms / 1000)));
    let problem = move || {
        view.with(|v| v.poll_problem.clone()).map(|p| format!("{p} (last update {})", clock(job.with(|j| j.last_update_ms))))
    };
    let k = job.with_untracked(|j| j.key.clone());
    let kind = k.kind.as_str();
    let link = Route::Job(k.clone()).to_hash();
    let linked = {
        let k = k.clone();
        move || scope.is_open(&k)
    };
    // A deep link to this job opens its detail view (`JobDetail`); the row is only marked.
    let snippets = move || {
        let (base, key) = scope.server()?;
        let req = job.with(|j| j.request.clone())?;
        Some((curl(&base, &req, key), python(&base, &req, key)))
    };
    view! {
        <tr data-job=entry.key.clone() data-tone=tone
            class:linked=linked.clone() aria-current=move || linked().then_some("true")>
            <td>
                {kind}
                {move || (job.with(|j| j.origin) == Origin::Server)
                    .then(|| view! { <span class="badge" title="Started outside this console">"elsewhere"</span> })}
            </td>
            <td class="mono"><a href=link title="Open this job's details">{k.id.clone()}</a></td>
            <td>{k.backend.clone()}</td>
            <td>
                <span class=move || format!("status status-{}", tone()) data-col="status">{status}</span>
                <span class="fresh">{freshness}</span>
                {move || view.with(|v| v.stalled_since).map(|since| view! {
                    <p class="stalled" role="status">{format!("may be stuck: no change since {}", clock(since))}</p>
                })}
                {move || view.with(|v| v.cancel_outcome).map(|m| view! { <p class="cancel-outcome" role="status">{m}</p> })}
            </td>
            <td>{classes}</td>
            <td data-col="started">{move || job.with(|j| crate::local_started(j.started_ms))}</td>
            <td class="num">{duration}</td>
            <td class="num">{size}</td>
            <td data-col="error">
                {move || view.with(|v| v.error.clone()).map(|(e, hint)| view! {
                    <span class="server-text">{e}</span>
                    {hint.map(|h| view! { <p class="alert-hint">{h}</p> })}
                })}
                {move || problem().map(|p| view! { <p class="poll-problem">{p}</p> })}
                {move || view.with(|v| v.check_again).then(|| view! {
                    <button type="button" class=Action::Secondary.class() on:click=move |_| crate::tabs::check_again(set_job)>"Check again"</button>
                })}
            </td>
            <td class="actions-cell">
                {move || view.with(|v| v.restore).map(|a| view! { <RestoreLink job scope label=a.label() /> })}
                {move || snippets().map(|(c, p)| view! {
                    <details class="request">
                        <summary>"Request"</summary>
                        <CopyBlock label="Copy as curl" name="curl" text=c />
                        <CopyBlock label="Copy as Python" name="python" text=p />
                    </details>
                })}
                <CancelControl job set_job scope />
            </td>
        </tr>
    }
}
