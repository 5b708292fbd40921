use backup_core::error::{message_hint, ApiError};
use backup_core::format::{human_duration, human_size_gib};
use backup_core::job::{Job, Origin};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::ErrorAlert;
use crate::state::{use_app_state, JobEntry};

fn clock(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_time_string("en-GB"))
}

/// One job: its status as the API spells it (plus an icon, never colour alone), its live
/// duration and freshness, and Cancel while it can be cancelled.
#[component]
pub fn JobRow(
    /// The job; only this row re-renders when it changes.
    entry: JobEntry,
) -> impl IntoView {
    let state = use_app_state();
    let now = state.now;
    let job = entry.job;
    let confirming = RwSignal::new(false);
    let cancel_error = RwSignal::new(None::<ApiError>);
    let status = move || job.with(|j| j.status.as_str().to_string());
    let tone = move || job.with(|j| j.status.tone().as_str());
    let classes = move || job.with(|j| if j.classes.is_empty() { "—".to_string() } else { j.classes.join(", ") });
    let duration = move || {
        let n = now.get();
        job.with(|j| human_duration(j.duration_ms(n)))
    };
    let size = move || job.with(|j| j.size_gib.map(human_size_gib).unwrap_or_else(|| "—".into()));
    let freshness = move || {
        let n = now.get();
        job.with(|j| (!j.is_terminal()).then(|| format!("updated {}s ago", n.saturating_sub(j.last_update_ms) / 1000)))
    };
    let stalled = move || {
        let (n, minutes) = (now.get(), state.stall_minutes.get());
        job.with(|j| j.stalled_since(n, minutes.max(1) * 60_000))
    };
    let problem = move || {
        job.with(|j| j.poll_problem.clone().map(|p| format!("{p} (last update {})", clock(j.last_update_ms))))
    };
    let blocker = move || {
        let caps = state.connection.with(|c| c.as_ref().map(|c| c.caps));
        caps.map(|caps| job.with(|j| j.cancel_blocker(caps)))
    };
    let can_cancel = move || matches!(blocker(), Some(Ok(())));
    let send_cancel = move |_| {
        confirming.set(false);
        let Some(conn) = state.connection.get_untracked() else { return };
        let snapshot = job.get_untracked();
        spawn_local(async move {
            match conn.client.cancel(&snapshot.key, &snapshot.location).await {
                Ok(()) => {
                    let _ = job.try_update(|j| j.cancel_requested = true);
                }
                Err(e) => {
                    let _ = cancel_error.try_set(Some(e));
                }
            }
        });
    };
    let k = job.with_untracked(|j| j.key.clone());
    let kind = k.kind.as_str();
    view! {
        <tr data-job=entry.key.clone() data-tone=tone>
            <td>
                {kind}
                {move || (job.with(|j| j.origin) == Origin::Server)
                    .then(|| view! { <span class="badge" title="Started outside this console">"elsewhere"</span> })}
            </td>
            <td class="mono">{k.id.clone()}</td>
            <td>{k.backend.clone()}</td>
            <td>
                <span class=move || format!("status status-{}", tone()) data-col="status">{status}</span>
                <span class="fresh">{freshness}</span>
                {move || stalled().map(|since| view! {
                    <p class="stalled" role="status">{format!("may be stuck: no change since {}", clock(since))}</p>
                })}
                {move || job.with(Job::cancel_outcome).map(|m| view! { <p class="cancel-outcome" role="status">{m}</p> })}
            </td>
            <td>{classes}</td>
            <td>{move || job.with(|j| clock(j.started_ms))}</td>
            <td class="num">{duration}</td>
            <td class="num">{size}</td>
            <td data-col="error">
                {move || job.with(|j| j.error.clone()).map(|e| view! {
                    <span class="server-text">{e.clone()}</span>
                    {message_hint(&e).map(|h| view! { <p class="alert-hint">{h}</p> })}
                })}
                {move || problem().map(|p| view! { <p class="poll-problem">{p}</p> })}
                <ErrorAlert error=cancel_error />
            </td>
            <td class="actions-cell">
                <Show when=can_cancel>
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="secondary" on:click=move |_| confirming.set(true)>"Cancel"</button>
                        }
                    >
                        <div class="confirm" role="group" aria-label="Confirm cancel">
                            <p>
                                {format!("Stop this {kind}? Weaviate aborts it; it ends CANCELED (or SUCCESS if it finishes first). ")}
                                "No backup data is deleted."
                            </p>
                            <button type="button" class="danger" on:click=send_cancel>"Confirm cancel"</button>
                            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Keep running"</button>
                        </div>
                    </Show>
                </Show>
                {move || match blocker() {
                    Some(Err(why)) if job.with(|j| !j.is_terminal() && !j.cancel_requested) => {
                        Some(view! { <span class="cannot-cancel" title=why.clone()>{why.clone()}</span> })
                    }
                    _ => None,
                }}
            </td>
        </tr>
    }
}
