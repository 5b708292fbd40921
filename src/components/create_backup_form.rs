use backup_core::error::ApiError;
use backup_core::job::{Job, JobKind};
use backup_core::validate::{generated_backup_id, Field, FieldErrors, SelectionForm};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{ErrorAlert, TextField};
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
    let backends = Memo::new(move |_| state.connection.with(|c| c.as_ref().map(|c| c.backends.clone()).unwrap_or_default()));
    let backend = RwSignal::new(String::new());
    // Keep the chosen backend valid for the connected server.
    Effect::new(move |_| {
        let list = backends.get();
        if !list.contains(&backend.get_untracked()) {
            let pick = default_backend.clone().filter(|b| list.contains(b)).or_else(|| list.first().cloned());
            backend.set(pick.unwrap_or_default());
        }
    });
    let id = RwSignal::new(String::new());
    let include = RwSignal::new(String::new());
    let exclude = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let server_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let err = move |f: Field| Signal::derive(move || errors.with(|e| e.get(f).map(str::to_string)));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(conn) = state.connection.get_untracked() else { return };
        server_error.set(None);
        let form = SelectionForm {
            backend: backend.get_untracked(),
            id: id.get_untracked(),
            include: include.get_untracked(),
            exclude: exclude.get_untracked(),
        };
        let selection = match form.validate(Some(&conn.collections)) {
            Ok(s) => {
                errors.set(FieldErrors::default());
                s
            }
            Err(e) => {
                errors.set(e);
                return;
            }
        };
        busy.set(true);
        spawn_local(async move {
            let result = conn.client.create_backup(&selection.backend, &selection.create_request()).await;
            let _ = busy.try_set(false);
            match result {
                Ok(resp) => {
                    let job = Job::started(JobKind::Backup, &selection.backend, &resp, now_ms());
                    state.jobs.update(|j| j.add(job));
                    let _ = id.try_set(String::new());
                }
                Err(e) => {
                    let _ = server_error.try_set(Some(e));
                }
            }
        });
    };

    view! {
        <form class="card" aria-labelledby="create-h" on:submit=submit novalidate>
            <h2 id="create-h">"Create backup"</h2>
            <div class="field">
                <label for="create-backend">"Backend"</label>
                <select
                    id="create-backend"
                    prop:value=move || backend.get()
                    on:change=move |ev| backend.set(event_target_value(&ev))
                    aria-invalid=move || err(Field::Backend).get().map(|_| "true")
                >
                    <For each=move || backends.get() key=|b| b.clone() let:b>
                        <option value=b.clone()>{b.clone()}</option>
                    </For>
                </select>
                <Show when=move || backends.with(Vec::is_empty)>
                    <p class="field-error" role="alert">
                        "No backup backend is enabled on this server. Enable one with "
                        <code>"ENABLE_MODULES=backup-filesystem"</code>" and "
                        <code>"BACKUP_FILESYSTEM_PATH"</code>" (or backup-s3, -gcs, -azure) and restart Weaviate."
                    </p>
                </Show>
            </div>
            <TextField id="create-id" label="Backup ID" value=id error=err(Field::Id) placeholder="nightly-1"
                help="Lowercase letters, digits, '_' and '-'.">
                <button type="button" class="secondary" on:click=move |_| id.set(fresh_id())>"Generate"</button>
            </TextField>
            <TextField id="create-include" label="Include collections" value=include error=err(Field::Include)
                help="Comma- or space-separated; empty means all." />
            <TextField id="create-exclude" label="Exclude collections" value=exclude error=err(Field::Exclude)
                help="Use either include or exclude." />
            <button type="submit" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>"Start backup"</button>
            <ErrorAlert error=server_error />
        </form>
    }
}
