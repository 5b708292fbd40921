use backup_core::error::ApiError;
use backup_core::job::{Job, JobKey, JobKind};
use backup_core::status::Status;
use backup_core::validate::{restore_conflicts, Selection};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{ErrorAlert, SelectionFields, SelectionInputs};
use crate::now_ms;
use crate::state::{use_app_state, Connection};

/// What the pre-flight check found before a restore is sent.
#[derive(Clone, Debug, PartialEq)]
struct Preflight {
    selection: Selection,
    /// Collections that already exist: Weaviate would accept the restore, then end it FAILED.
    conflicts: Vec<String>,
}

/// Reads the live schema and the backup's contents, re-checks the selection against them, and
/// names the collections that already exist.
async fn preflight(conn: &Connection, sel: Selection) -> Result<Result<Preflight, backup_core::validate::FieldErrors>, ApiError> {
    let existing = conn.client.schema().await?.collection_names();
    // The list endpoint (v1.32+) says what the backup holds; without it, be conservative.
    let classes = conn
        .client
        .list_backups(&sel.backend)
        .await
        .ok()
        .and_then(|l| l.into_iter().find(|b| b.id == sel.id))
        .map(|b| b.classes)
        .filter(|c| !c.is_empty());
    if let Some(classes) = &classes {
        let form = backup_core::validate::SelectionForm {
            backend: sel.backend.clone(),
            id: sel.id.clone(),
            include: sel.include.join(","),
            exclude: sel.exclude.join(","),
        };
        if let Err(e) = form.validate(Some(classes), conn.caps) {
            return Ok(Err(e));
        }
    }
    let conflicts = restore_conflicts(&sel, classes.as_deref(), &existing);
    Ok(Ok(Preflight { selection: sel, conflicts }))
}

/// Restores a backup, after a pre-flight check against the live cluster.
#[component]
pub fn RestoreBackupForm(
    /// Backend to preselect when the server has it.
    #[prop(optional)]
    default_backend: Option<String>,
) -> impl IntoView {
    let state = use_app_state();
    let inputs = SelectionInputs::new();
    let server_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let pending = RwSignal::new(None::<Preflight>);

    let start = move |conn: Connection, sel: Selection| {
        busy.set(true);
        spawn_local(async move {
            let result = conn.client.restore_backup(&sel.backend, &sel.id, &sel.restore_request()).await;
            let _ = busy.try_set(false);
            match result {
                Ok(resp) => {
                    let key = JobKey { kind: JobKind::Restore, backend: sel.backend.clone(), id: sel.id.clone() };
                    let job = Job::started(key, &resp, now_ms());
                    let _ = state.jobs.try_update(|j| j.add(job));
                    let _ = pending.try_set(None);
                }
                Err(e) => {
                    let _ = server_error.try_set(Some(e));
                }
            }
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(conn) = state.connection.get_untracked() else { return };
        server_error.set(None);
        pending.set(None);
        let sel = match inputs.form().validate(None, conn.caps) {
            Ok(s) => s,
            Err(e) => {
                inputs.errors.set(e);
                return;
            }
        };
        inputs.errors.set(Default::default());
        busy.set(true);
        spawn_local(async move {
            match preflight(&conn, sel).await {
                Err(e) => {
                    let _ = busy.try_set(false);
                    let _ = server_error.try_set(Some(e));
                }
                Ok(Err(field_errors)) => {
                    let _ = busy.try_set(false);
                    let _ = inputs.errors.try_set(field_errors);
                }
                Ok(Ok(p)) if p.conflicts.is_empty() => start(conn, p.selection),
                Ok(Ok(p)) => {
                    let _ = busy.try_set(false);
                    let _ = pending.try_set(Some(p));
                }
            }
        });
    };

    let confirm = move |_| {
        let (Some(conn), Some(p)) = (state.connection.get_untracked(), pending.get_untracked()) else { return };
        start(conn, p.selection);
    };

    // The chosen backup's collections, when the console knows them.
    let backup_classes = Signal::derive(move || {
        let (backend, id) = (inputs.backend.get(), inputs.id.get());
        state.jobs.with(|j| {
            j.entries()
                .iter()
                .find_map(|e| {
                    e.job.with(|j| {
                        (j.key.kind == JobKind::Backup && j.key.backend == backend && j.key.id == id)
                            .then(|| j.classes.clone())
                    })
                })
                .unwrap_or_default()
        })
    });
    // Successful backups the console knows on the chosen backend, offered as ids.
    let suggestions = move || {
        let backend = inputs.backend.get();
        state.jobs.with(|j| {
            j.entries()
                .iter()
                .filter_map(|e| {
                    e.job.with(|j| {
                        (j.key.kind == JobKind::Backup && j.key.backend == backend && j.status == Status::Success)
                            .then(|| j.key.id.clone())
                    })
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <form class="card" aria-labelledby="restore-h" on:submit=submit novalidate>
            <h2 id="restore-h">"Restore backup"</h2>
            <SelectionFields prefix="restore" inputs default_backend=default_backend.unwrap_or_default() id_list="restore-ids" pickable=backup_classes />
            <datalist id="restore-ids">
                <For each=suggestions key=|id| id.clone() let:id>
                    <option value=id />
                </For>
            </datalist>
            <button type="submit" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>"Start restore"</button>
            {move || pending.get().map(|p| view! {
                <div class="alert warning" role="alert">
                    <p>
                        "These collections already exist: " <strong>{p.conflicts.join(", ")}</strong>
                        ". Weaviate will accept the restore, then end it FAILED for them (other collections are still restored). "
                        "Delete them first, or exclude them."
                    </p>
                    <div class="actions">
                        <button type="button" class="danger" on:click=confirm>"Restore anyway"</button>
                        <button type="button" class="secondary" on:click=move |_| pending.set(None)>"Back"</button>
                    </div>
                </div>
            })}
            <ErrorAlert error=server_error />
        </form>
    }
}
