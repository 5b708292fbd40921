use backup_core::error::ApiError;
use backup_core::job::Job;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::ErrorAlert;
use crate::reactive::JobScope;
use crate::state::{use_app_state, AppState};
use crate::components::variant::Action;

/// Cancel for one job, in the row and in the job detail: never a single click (a framed console
/// must not be click-jacked into it), always a confirmation saying what happens; why the job
/// cannot be cancelled when it cannot; and a refusal from the server. Framed by a page the
/// deployment does not allow, it stays in view, disabled, saying why.
#[component]
pub fn CancelControl(
    /// The job to cancel.
    job: Memo<Job>,
    /// Marks the cancel as sent.
    set_job: WriteSignal<Job>,
    /// What the control reads besides the job (see `JobScope`).
    scope: JobScope,
) -> impl IntoView {
    let state = use_app_state();
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let kind = job.with_untracked(|j| j.key.kind.as_str());
    let blocker = move || scope.caps().map(|caps| job.with(|j| j.cancel_blocker(caps)));
    let can_cancel = move || matches!(blocker(), Some(Ok(()))) && !scope.read_only();
    // Framed by a page the deployment does not allow, or a key without the permission.
    let refused = move || scope.framing_refusal().or_else(|| job.with(|j| scope.cancel_refusal(&j.classes)));
    let send = move |_| {
        confirming.set(false);
        request_cancel(state, job, set_job, error);
    };
    view! {
        <Show when=can_cancel>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class=Action::Secondary.class() disabled=move || refused().is_some() title=refused
                        on:click=move |_| confirming.set(true)>"Cancel"</button>
                    {move || refused().map(|why| view! { <span class="cannot-cancel">{why}</span> })}
                }
            >
                <div class="confirm" role="group" aria-label="Confirm cancel">
                    <p>
                        {format!("Stop this {kind}? Weaviate aborts it; it ends CANCELED (or SUCCESS if it finishes first). ")}
                        "No backup data is deleted."
                    </p>
                    <div class="actions">
                        <button type="button" class=Action::Danger.class() on:click=send>"Confirm cancel"</button>
                        <button type="button" class=Action::Secondary.class() on:click=move |_| confirming.set(false)>"Keep running"</button>
                    </div>
                </div>
            </Show>
        </Show>
        {move || match blocker() {
            Some(Err(why)) if job.with(|j| !j.is_terminal() && !j.cancel_requested) => {
                Some(view! { <span class="cannot-cancel" title=why.clone()>{why.clone()}</span> })
            }
            _ => None,
        }}
        <ErrorAlert error />
    }
}

/// Sends the cancel; the outcome lands on the job, a refusal in `error`.
fn request_cancel(state: AppState, job: Memo<Job>, set_job: WriteSignal<Job>, error: RwSignal<Option<ApiError>>) {
    let Some(conn) = state.connection.get_untracked() else { return };
    let snapshot = job.get_untracked();
    spawn_local(async move {
        match conn.client.cancel(&snapshot.key, &snapshot.location).await {
            Ok(()) => {
                let _ = set_job.try_update(|j| j.cancel_requested = true);
            }
            Err(e) => {
                let _ = error.try_set(Some(e));
            }
        }
    });
}
