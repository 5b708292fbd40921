use backup_core::format::{human_duration, human_size_gib};
use backup_core::job::{Job, JobKey, JobKind, Origin};
use backup_core::job_view::{JobView, RestoreAction};
use backup_core::snippet::{curl, python, SentRequest};
use backup_core::summary::{ago, elapsed};
use leptos::prelude::*;

use crate::components::{CancelControl, CopyBlock, RestoreLink};
use crate::reactive::JobScope;
use crate::state::{use_app_state, JobEntry};
use crate::{local_date_time, local_time};
use crate::components::variant::{Action, Notice};

/// DOM id of the detail's heading (focused when the view opens).
pub const DETAIL_HEADING: &str = "job-detail-h";

fn kind_title(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Backup => "Backup",
        JobKind::Restore => "Restore",
    }
}

/// One job on its own (`#/jobs/{kind}/{backend}/{id}`): its status timeline as the console saw
/// it, what it covered and where, its error with a hint, the request as curl/Python, and what
/// can be done with it. `back` returns to the table.
#[component]
pub fn JobDetail(
    /// The job shown.
    key: JobKey,
    /// Returns to the table, where it was.
    back: Callback<()>,
) -> impl IntoView {
    let state = use_app_state();
    let wanted = key.to_string();
    // The entry for this key, if the console knows it (the journal and the lists load after
    // connecting, so it may appear a moment later).
    let serial = Memo::new(move |_| state.jobs.with(|j| j.entries().iter().find(|e| e.key == wanted).map(|e| e.serial)));
    let title_kind = kind_title(key.kind);
    let id = key.id.clone();
    let body = move || match serial.get() {
        Some(s) => {
            let entry = state.jobs.with_untracked(|j| j.entries().iter().find(|e| e.serial == s).cloned());
            entry.map(|entry| view! { <DetailBody entry /> }.into_any())
        }
        None => Some(not_found(&key, state.connected()).into_any()),
    };
    view! {
        <section class="card job-detail" aria-labelledby=DETAIL_HEADING>
            <button type="button" class="back" on:click=move |_| back.run(())>
                <span aria-hidden="true">"← "</span>"All jobs"
            </button>
            <h2 id=DETAIL_HEADING tabindex="-1">
                {title_kind}" "<span class="mono">{id}</span>
            </h2>
            {body}
        </section>
    }
}

fn not_found(key: &JobKey, connected: bool) -> impl IntoView {
    let text = if connected {
        format!(
            "This console knows no {} \"{}\" on \"{}\". It may have been cleared from the list, or it ran on another server. \
             Backups made elsewhere appear once the backend's list has been read (about every 30 s).",
            key.kind.as_str(),
            key.id,
            key.backend
        )
    } else {
        "Not connected yet: the job appears once the console has reached its server.".to_string()
    };
    view! { <p class="empty-state">{text}</p> }
}

#[component]
fn DetailBody(entry: JobEntry) -> impl IntoView {
    let scope = JobScope::new(use_app_state());
    let now = scope.now;
    let (job, set_job) = entry.watch();
    let k = job.with_untracked(|j| j.key.clone());

    let view = Memo::new(move |_| job.with(|j| JobView::of(j, || now.get(), scope.stall_ms(), scope.read_only())));
    let status = move || view.with(|v| v.status.clone());
    let tone = move || view.with(|v| v.tone.as_str());

    let subtitle = move || {
        let n = now.get();
        job.with(|j| {
            let by = match j.origin {
                Origin::Console => "started from this console",
                Origin::Server => "started elsewhere (found in the backend's list)",
            };
            format!("{} on {} · {by} · {}", j.key.kind.as_str(), j.key.backend, ago(n.saturating_sub(j.started_ms)))
        })
    };
    let freshness = move || view.with(|v| v.updated_ago_ms.map(|ms| format!("Running · checked {}", ago(ms))));

    let location = move || job.with(|j| (j.location.bucket.clone(), j.location.path.clone()));
    let place = |v: Option<String>| match v {
        Some(v) => view! { <span class="mono">{v}</span> }.into_any(),
        None => view! { <span class="muted">"The backend's default"</span> }.into_any(),
    };
    let collections = move || job.with(|j| j.classes.clone());
    let finished = move || job.with(|j| j.finished_ms.map(local_date_time));
    let duration = move || {
        let n = now.get();
        job.with(|j| human_duration(j.duration_ms(n)))
    };
    let size = move || job.with(|j| j.size_gib.map(human_size_gib));

    let timeline = move || {
        job.with(|j| {
            let t = j.timeline();
            let start = t.first().map(|(_, at)| *at).unwrap_or(j.started_ms);
            let end = t.last().map(|(_, at)| *at).unwrap_or(start);
            // Within a day the date is in the details above; the clock time is enough.
            let short = end.saturating_sub(start) < 20 * 60 * 60 * 1000;
            t.into_iter()
                .enumerate()
                .map(|(i, (s, at))| {
                    let tone = s.tone().as_str();
                    let when = if short { local_time(at) } else { local_date_time(at) };
                    let offset = (i > 0).then(|| format!("after {}", elapsed(at.saturating_sub(start))));
                    view! {
                        <li>
                            <span class=format!("status status-{tone}")>{s.as_str().to_string()}</span>
                            <span class="when">{when}</span>
                            {offset.map(|o| view! { <span class="offset">{o}</span> })}
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let timeline_note = move || match job.with(|j| j.origin) {
        Origin::Server => "From the backend's list: when it started and ended. Weaviate keeps no history of the statuses in between.",
        Origin::Console => "As this console saw it. Weaviate keeps no history of its own.",
    };

    let snippets = move || {
        let (base, with_key) = scope.server()?;
        let (started_by, req) = job.with(|j| match &j.request {
            Some(r) => (true, r.clone()),
            None => (false, SentRequest::status_read(&j.key, &j.location)),
        });
        let heading = if started_by { "The request that started it" } else { "Check its status yourself" };
        Some(view! {
            <h3>{heading}</h3>
            <p class="help">
                {if with_key { "The key is read from $WEAVIATE_API_KEY; it is never part of the text." } else { "No API key: the server allows anonymous access." }}
            </p>
            <CopyBlock label="Copy as curl" name="curl" text=curl(&base, &req, with_key) />
            <CopyBlock label="Copy as Python" name="python" text=python(&base, &req, with_key) />
        })
    };

    view! {
        <div class="detail-status">
            <span class=move || format!("status status-{} big", tone())>{status}</span>
            <span class="detail-sub">{subtitle}</span>
        </div>
        <p class="fresh">{freshness}</p>
        {move || view.with(|v| v.stalled_since).map(|since| view! {
            <p class="stalled" role="status">
                {format!("May be stuck: no change since {}. ", local_time(since))}
                "Weaviate runs one backup or restore at a time; if this one hangs, cancel it and start again."
            </p>
        })}
        {move || view.with(|v| v.cancel_outcome).map(|m| view! { <p class="cancel-outcome" role="status">{m}</p> })}
        {move || view.with(|v| v.error.clone()).map(|(e, hint)| {
            view! {
                <div class=Notice::ServerText.class()>
                    <p class="alert-title">"What the server said"</p>
                    <p class="server-text">{e}</p>
                    {hint.map(|h| view! { <p class="alert-hint">{h}</p> })}
                </div>
            }
        })}
        {move || view.with(|v| v.poll_problem.clone()).map(|p| view! {
            <div class=Notice::Warning.class()>
                <p>{p}</p>
                {view.with(|v| v.check_again).then(|| view! {
                    <div class="actions">
                        <button type="button" class=Action::Secondary.class() on:click=move |_| crate::tabs::check_again(set_job)>"Check again"</button>
                    </div>
                })}
            </div>
        })}

        <div class="detail-actions actions">
            {move || view.with(|v| v.restore).map(|a| view! { <RestoreLink job scope label=a.label() primary={a == RestoreAction::Restore} /> })}
            <CancelControl job set_job scope />
        </div>

        <div class="detail-grid">
            <div>
                <h3>"Details"</h3>
                <dl class="facts">
                    <dt>"Backend"</dt><dd>{k.backend.clone()}</dd>
                    <dt>"Bucket"</dt><dd>{move || place(location().0)}</dd>
                    <dt>"Path"</dt><dd>{move || place(location().1)}</dd>
                    <dt>"Collections"</dt>
                    <dd>
                        {move || {
                            let cs = collections();
                            if cs.is_empty() {
                                view! { <span class="muted">"Not reported by the server"</span> }.into_any()
                            } else {
                                view! {
                                    <ul class="tags">{cs.into_iter().map(|c| view! { <li>{c}</li> }).collect::<Vec<_>>()}</ul>
                                }.into_any()
                            }
                        }}
                    </dd>
                    <dt>"Started"</dt><dd>{move || job.with(|j| local_date_time(j.started_ms))}</dd>
                    <dt>"Ended"</dt><dd>{move || finished().unwrap_or_else(|| "Still running".into())}</dd>
                    <dt>"Duration"</dt><dd class="num-left">{duration}</dd>
                    <dt>"Size"</dt>
                    <dd>{move || match size() {
                        Some(s) => view! { <span>{s}<span class="help inline">" before compression"</span></span> }.into_any(),
                        None if job.with(Job::is_terminal) => view! { <span class="muted">"Not reported by the server"</span> }.into_any(),
                        None => view! { <span class="muted">"Not reported yet"</span> }.into_any(),
                    }}</dd>
                </dl>
            </div>
            <div>
                <h3>"Status timeline"</h3>
                <ol class="timeline">{timeline}</ol>
                <p class="help">{timeline_note}</p>
            </div>
        </div>
        <div class="detail-request">{snippets}</div>
    }
}
