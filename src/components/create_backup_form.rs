use backup_core::error::ApiError;
use backup_core::job::{Job, JobKey, JobKind};
use backup_core::validate::generated_backup_id;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{ErrorAlert, SelectionFields, SelectionInputs};
use crate::now_ms;
use crate::state::use_app_state;

fn fresh_id() -> String {
    let d = js_sys::Date::new_0();
    generated_backup_id(d.get_utc_full_year(), d.get_utc_month() + 1, d.get_utc_date(), d.get_utc_hours(), d.get_utc_minutes())
}

/// Starts a backup: backend, id and collection selection, validated before anything is sent.
#[component]
pub fn CreateBackupForm(
    /// Backend to preselect when the server has it.
    #[prop(optional)]
    default_backend: Option<String>,
) -> impl IntoView {
    let state = use_app_state();
    let inputs = SelectionInputs::new();
    let collections = Signal::derive(move || state.connection.with(|c| c.as_ref().map(|c| c.collections.clone()).unwrap_or_default()));
    let server_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(conn) = state.connection.get_untracked() else { return };
        server_error.set(None);
        let selection = match inputs.form().validate(Some(&conn.collections), conn.caps) {
            Ok(s) => s,
            Err(e) => {
                inputs.errors.set(e);
                return;
            }
        };
        inputs.errors.set(Default::default());
        busy.set(true);
        spawn_local(async move {
            let result = conn.client.create_backup(&selection.backend, &selection.create_request()).await;
            let _ = busy.try_set(false);
            match result {
                Ok(resp) => {
                    let key = JobKey { kind: JobKind::Backup, backend: selection.backend.clone(), id: selection.id.clone() };
                    let job = Job::started(key, &resp, now_ms());
                    let _ = state.jobs.try_update(|j| j.add(job));
                    let _ = inputs.id.try_set(String::new());
                }
                Err(e) => {
                    let _ = server_error.try_set(Some(e));
                }
            }
        });
    };

    let generate = ChildrenFn::to_children(move || {
        view! { <button type="button" class="secondary" on:click=move |_| inputs.id.set(fresh_id())>"Generate"</button> }
    });
    view! {
        <form class="card" aria-labelledby="create-h" on:submit=submit novalidate>
            <h2 id="create-h">"Create backup"</h2>
            <SelectionFields prefix="create" inputs default_backend=default_backend.unwrap_or_default() id_extra=generate pickable=collections />
            <button type="submit" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>"Start backup"</button>
            <ErrorAlert error=server_error />
        </form>
    }
}
