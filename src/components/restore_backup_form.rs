use backup_core::error::ApiError;
use backup_core::job::{JobKey, JobKind};
use backup_core::options::RestoreForm;
use backup_core::preflight::{check, summary, Facts, Finding};
use backup_core::route::Route;
use backup_core::validate::{FieldErrors, Selection};
use backup_core::version::Feature;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::submit::{settle, SubmitRow, SubmitState};
use crate::reactive::redrawn_options;
use crate::components::{RestoreAdvanced, RestoreOptionInputs, SelectionFields, SelectionInputs};
use crate::state::{use_app_state, Connection};
use crate::components::variant::Action;

/// A restore ready to send, and what the pre-flight check found about it.
#[derive(Clone, Debug, PartialEq)]
struct Pending {
    selection: Selection,
    request: backup_core::api::BackupRestoreRequest,
    location: backup_core::options::Location,
    findings: Vec<Finding>,
    /// What will happen, shown for confirmation.
    summary: String,
}

/// Reads the live schema, re-checks the selection against the backup's collections, and
/// gathers the facts for the pre-flight findings. The backup's collections come from the job
/// table (the list refresh or this console's own backup); only when it does not know them is
/// the backend's list asked.
async fn gather(
    conn: &Connection,
    sel: &Selection,
    known_classes: Vec<String>,
    running: Vec<String>,
) -> Result<Result<Facts, FieldErrors>, ApiError> {
    let existing = conn.client.schema(None).await?.collection_names();
    let backup_classes = if !known_classes.is_empty() {
        Some(known_classes)
    } else if conn.caps.has(Feature::List) {
        conn.client
            .list_backups(&sel.backend, None)
            .await
            .ok()
            .and_then(|l| l.into_iter().find(|b| b.id == sel.id))
            .map(|b| b.classes)
            .filter(|c| !c.is_empty())
    } else {
        None
    };
    if let Some(classes) = &backup_classes {
        if let Err(e) = sel.check_names_against(classes, conn.caps) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(Facts { existing, backup_classes, running, nodes: conn.nodes.clone(), access: conn.access.clone() }))
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
    let options = RestoreOptionInputs::new();
    let status = SubmitState::new();
    let no_permission = Signal::derive(move || state.connection.with(|c| c.as_ref()?.access.as_ref()?.none()));
    let pending = RwSignal::new(None::<Pending>);

    let start = move |conn: Connection, p: Pending| {
        status.busy.set(true);
        spawn_local(async move {
            let sel = p.selection;
            let key = JobKey { kind: JobKind::Restore, backend: sel.backend.clone(), id: sel.id.clone() };
            let outcome = settle(&conn, key, p.location, conn.client.restore_backup(&sel.backend, &sel.id, &p.request)).await;
            if status.finish(state, outcome) {
                let _ = pending.try_set(None);
            }
        });
    };

    // Framed by a page the deployment does not allow, a restore could be click-jacked through
    // its confirmation: refused before anything is sent, the form still in view saying why.
    let refusal = move || state.framing_refusal();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if untrack(refusal).is_some() {
            return;
        }
        let Some(conn) = state.connection.get_untracked() else { return };
        if !status.begin() {
            return;
        }
        pending.set(None);
        let form = RestoreForm { selection: inputs.form(), options: options.options() };
        let Some((selection, request, location)) = inputs.report(form.validate(None, conn.caps)) else {
            return;
        };
        status.busy.set(true);
        let (known, running) =
            state.jobs.with_untracked(|j| (j.backup_classes(&selection.backend, &selection.id), j.running()));
        spawn_local(async move {
            match gather(&conn, &selection, known, running).await {
                Err(e) => {
                    let _ = status.busy.try_set(false);
                    let _ = status.server_error.try_set(Some(e));
                }
                Ok(Err(field_errors)) => {
                    let _ = status.busy.try_set(false);
                    let _ = inputs.errors.try_set(field_errors);
                }
                // Always confirmed: a restore recreates collections, so one click (or a framed,
                // click-jacked console) is never enough.
                Ok(Ok(facts)) => {
                    let findings = check(&selection, &facts);
                    let summary = summary(&selection, &facts, conn.client.base_url());
                    let _ = status.busy.try_set(false);
                    let _ = pending.try_set(Some(Pending { selection, request, location, findings, summary }));
                }
            }
        });
    };

    let confirm = move |_| {
        let (Some(conn), Some(p)) = (state.connection.get_untracked(), pending.get_untracked()) else { return };
        start(conn, p);
    };

    // A deep link `#/restore/{backend}/{id}` fills the form in.
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Route::Restore { backend, id } = state.route.get() {
            inputs.backend.set(backend);
            inputs.id.set(id);
            if let Some(f) = form_ref.get() {
                f.scroll_into_view();
            }
        }
    });

    let backup_classes = Signal::derive(move || {
        let (backend, id) = (inputs.backend.get(), inputs.id.get());
        state.jobs.with(|j| j.backup_classes(&backend, &id))
    });
    let suggestions = move || {
        let backend = inputs.backend.get();
        state.successful_backups(&backend)
    };

    view! {
        <form class="card" aria-labelledby="restore-h" on:submit=submit novalidate node_ref=form_ref>
            <h2 id="restore-h">"Restore backup"</h2>
            <SelectionFields prefix="restore" inputs default_backend=default_backend.unwrap_or_default()
                id_list="restore-ids" pickable=backup_classes />
            <datalist id="restore-ids">
                {redrawn_options(suggestions)}
            </datalist>
            <RestoreAdvanced inputs=options errors=inputs.errors />
            {move || refusal().map(|why| view! { <p class="notice" role="status">{why}</p> })}
            <SubmitRow label="Start restore" submit=status blocked=no_permission />
            {move || pending.get().map(|p| {
                let blocked = p.findings.iter().any(Finding::blocks);
                let class = if p.findings.is_empty() { "alert confirm" } else { "alert warning" };
                view! {
                    <div class=class role="alert">
                        <p><strong>"Confirm restore"</strong></p>
                        <p class="confirm-summary">{p.summary.clone()}</p>
                        {(!p.findings.is_empty()).then(|| view! {
                            <ul>{p.findings.iter().map(|f| view! { <li>{f.message()}</li> }).collect::<Vec<_>>()}</ul>
                        })}
                        <div class="actions">
                            {(!blocked).then(|| view! {
                                <button type="button" class=Action::Danger.class() on:click=confirm>"Confirm restore"</button>
                            })}
                            <button type="button" class=Action::Secondary.class() on:click=move |_| pending.set(None)>"Back"</button>
                        </div>
                    </div>
                }
            })}
        </form>
    }
}
