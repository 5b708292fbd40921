use backup_core::error::message_hint;
use backup_core::format::{human_duration, human_size_gib};
use leptos::prelude::*;

use crate::state::{use_app_state, JobEntry};

fn clock(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_time_string("en-GB"))
}

/// One job: its status as the API spells it, plus a visual state that never relies on colour.
#[component]
pub fn JobRow(
    /// The job; only this row re-renders when it changes.
    entry: JobEntry,
) -> impl IntoView {
    let now = use_app_state().now;
    let job = entry.job;
    let status = move || job.with(|j| j.status.as_str().to_string());
    let tone = move || job.with(|j| j.status.tone().as_str());
    let classes = move || job.with(|j| if j.classes.is_empty() { "—".to_string() } else { j.classes.join(", ") });
    let duration = move || {
        let n = now.get();
        job.with(|j| human_duration(j.duration_ms(n)))
    };
    let size = move || job.with(|j| j.size_gib.map(human_size_gib).unwrap_or_else(|| "—".into()));
    let problem = move || {
        job.with(|j| {
            j.poll_problem.clone().map(|p| format!("{p} (last update {})", clock(j.last_update_ms)))
        })
    };
    let k = job.with_untracked(|j| j.key.clone());
    view! {
        <tr data-job=entry.key.clone() data-tone=tone>
            <td>{k.kind.as_str()}</td>
            <td class="mono">{k.id.clone()}</td>
            <td>{k.backend.clone()}</td>
            <td>
                <span class=move || format!("status status-{}", tone()) data-col="status">{status}</span>
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
            </td>
        </tr>
    }
}
