//! What happens around a create or restore POST, shared by both forms: the job goes into the
//! table, or, when the answer was lost (network error, timeout, 5xx), the server is asked
//! whether this POST started the job before the admin is offered a retry.

use std::future::Future;

use backup_core::error::ApiError;
use backup_core::job::{submit_took_effect, Job, JobKey, Prior, SubmitClock};
use backup_core::options::Location;

use leptos::prelude::*;

use crate::client::Posted;
use crate::components::ErrorAlert;
use crate::now_ms;
use crate::state::{AppState, Connection};

/// The outcome of a submit, for the form to show.
pub enum Submitted {
    /// The job is running: show it.
    Started(Job),
    /// The answer was lost, but the job exists on the server.
    Recovered(Job),
    /// The answer was lost, and the server shows nothing this POST provably started.
    Unconfirmed(ApiError),
    Failed(ApiError),
}

/// Sends `post` (a client call not yet awaited) for the job `key` and settles the outcome.
///
/// The job's status is read first: after a lost answer, the server may show an earlier job
/// under the same key (a restore's status persists per backup until the next restore), and
/// only a comparison with what was there before (or a `startedAt` after the submit time)
/// tells the new job apart. A failed read only makes the comparison weaker.
///
/// POSTs are deliberately not aborted when the form unmounts: an aborted POST is exactly the
/// ambiguous submit this module guards against. Their results are written with `try_*`, which
/// does nothing once the form is gone.
pub async fn settle(conn: &Connection, key: JobKey, location: Location, post: impl Future<Output = Posted>) -> Submitted {
    let prior = match conn.client.job_status(&key, &location, None).await {
        Ok(status) => Prior::Seen(status),
        Err(ApiError::NotFound(_)) => Prior::Absent,
        Err(_) => Prior::Unknown,
    };
    let Posted { request, sent_ms, result } = post.await;
    match result {
        Ok(resp) => {
            let mut job = Job::started(key, &resp, now_ms());
            job.location = location;
            job.request = Some(request);
            Submitted::Started(job)
        }
        Err(e) if e.may_have_taken_effect() => match conn.client.job_status(&key, &location, None).await {
            Ok(found) => {
                let clock = SubmitClock { sent_ms, server_offset_ms: conn.clock_offset_ms };
                if submit_took_effect(&prior, &found, clock) {
                    let mut job = Job::recovered(key, location, &found, now_ms());
                    job.request = Some(request);
                    Submitted::Recovered(job)
                } else {
                    Submitted::Unconfirmed(e)
                }
            }
            Err(_) => Submitted::Failed(e),
        },
        Err(e) => Submitted::Failed(e),
    }
}

/// The notice for a recovered job.
pub const RECOVERED: &str =
    "The server's answer was lost, but the job did start: it is in the table below. Nothing was sent twice.";

/// The notice when the answer was lost and the server shows only an earlier job.
pub const UNCONFIRMED: &str = "The server's answer was lost, and what it shows under this ID is an earlier job (or cannot \
     be told apart from one), so nothing is known to have started. Check the jobs and collections before retrying: \
     the server refuses a second backup with the same ID, or a restore while one is running.";

/// A form's submit state: one request in flight at most, and what came of the last one.
#[derive(Clone, Copy)]
pub struct SubmitState {
    pub busy: RwSignal<bool>,
    pub server_error: RwSignal<Option<ApiError>>,
    pub notice: RwSignal<Option<&'static str>>,
}

impl SubmitState {
    pub fn new() -> SubmitState {
        SubmitState { busy: RwSignal::new(false), server_error: RwSignal::new(None), notice: RwSignal::new(None) }
    }

    /// Starts a submit; `false` while another is in flight (a double click sends one request).
    pub fn begin(self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.server_error.set(None);
        self.notice.set(None);
        true
    }

    /// Shows an outcome: the job goes into the table, or the error into the form. `true` when
    /// a job was added.
    pub fn finish(self, state: AppState, outcome: Submitted) -> bool {
        let _ = self.busy.try_set(false);
        match outcome {
            Submitted::Started(job) => {
                let _ = state.jobs.try_update(|j| j.add(job));
                true
            }
            Submitted::Recovered(job) => {
                let _ = state.jobs.try_update(|j| j.add(job));
                let _ = self.notice.try_set(Some(RECOVERED));
                true
            }
            Submitted::Unconfirmed(e) => {
                let _ = self.server_error.try_set(Some(e));
                let _ = self.notice.try_set(Some(UNCONFIRMED));
                false
            }
            Submitted::Failed(e) => {
                let _ = self.server_error.try_set(Some(e));
                false
            }
        }
    }
}

impl Default for SubmitState {
    fn default() -> Self {
        Self::new()
    }
}

/// The submit button (disabled while a request is in flight) and what came of the submit.
#[component]
pub fn SubmitRow(
    /// Button text ("Start backup", "Start restore").
    label: &'static str,
    /// The form's submit state.
    submit: SubmitState,
    /// Why the key may not do this at all (the permission it lacks), if so.
    #[prop(optional, into)]
    blocked: Signal<Option<String>>,
) -> impl IntoView {
    let busy = submit.busy;
    view! {
        <button type="submit" disabled=move || busy.get() || blocked.with(Option::is_some) aria-busy=move || busy.get().to_string()
            title=blocked>{label}</button>
        {move || blocked.get().map(|why| view! { <p class="notice blocked">{why}</p> })}
        {move || submit.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <ErrorAlert error=submit.server_error />
    }
}
