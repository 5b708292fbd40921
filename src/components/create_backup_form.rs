use backup_core::api::BackupCreateRequest;
use backup_core::job::{JobKey, JobKind};
use backup_core::options::{CreateForm, Location};
use backup_core::preflight::{check_access, check_create, Finding};
use backup_core::validate::Selection;
use backup_core::validate::generated_backup_id;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::submit::{settle, SubmitRow, SubmitState};
use crate::components::{CreateAdvanced, CreateOptionInputs, SelectionFields, SelectionInputs};
use crate::state::{use_app_state, Connection};
use crate::components::variant::{Action, Notice};

fn fresh_id() -> String {
    let d = js_sys::Date::new_0();
    generated_backup_id(d.get_utc_full_year(), d.get_utc_month() + 1, d.get_utc_date(), d.get_utc_hours(), d.get_utc_minutes())
}

/// Starts a backup: backend, id, collection selection and advanced options, validated before
/// anything is sent; one request per submit.
#[component]
pub fn CreateBackupForm(
    /// Backend to preselect when the server has it.
    #[prop(optional)]
    default_backend: Option<String>,
) -> impl IntoView {
    let state = use_app_state();
    let inputs = SelectionInputs::new();
    let options = CreateOptionInputs::new();
    let collections = Signal::derive(move || state.connection.with(|c| c.as_ref().map(|c| c.collections.clone()).unwrap_or_default()));
    let bases = Signal::derive(move || {
        let backend = inputs.backend.get();
        state.successful_backups(&backend)
    });
    let status = SubmitState::new();
    let no_permission = Signal::derive(move || state.connection.with(|c| c.as_ref()?.access.as_ref()?.none()));
    let pending = RwSignal::new(None::<(Selection, BackupCreateRequest, Location, Vec<Finding>)>);
    let start = move |conn: Connection, sel: Selection, req: BackupCreateRequest, location: Location| {
        status.busy.set(true);
        spawn_local(async move {
            let key = JobKey { kind: JobKind::Backup, backend: sel.backend.clone(), id: sel.id.clone() };
            let outcome = settle(&conn, key, location, conn.client.create_backup(&sel.backend, &req)).await;
            if status.finish(state, outcome) {
                let _ = inputs.id.try_set(String::new());
            }
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(conn) = state.connection.get_untracked() else { return };
        if !status.begin() {
            return;
        }
        pending.set(None);
        let form = CreateForm { selection: inputs.form(), options: options.options() };
        let Some((sel, req, location)) = inputs.report(form.validate(Some(&conn.collections), conn.caps)) else {
            return;
        };
        let mut findings = check_create(&sel.backend, conn.nodes.len());
        findings.extend(check_access(&sel, conn.access.as_ref(), &conn.collections, false));
        if findings.is_empty() {
            start(conn, sel, req, location);
        } else {
            // Nothing is sent: the admin reads why the server would refuse it, and may still send
            // it (the node count could be stale).
            status.busy.set(false);
            pending.set(Some((sel, req, location, findings)));
        }
    };
    // A narrowed selection made explicit: the admin sees (and the request says) what is backed up.
    let name_allowed = move |allowed: Vec<String>| {
        pending.set(None);
        inputs.exclude.set(String::new());
        inputs.include.set(allowed.join(", "));
    };
    let send_anyway = move |_| {
        let (Some(conn), Some((sel, req, location, _))) = (state.connection.get_untracked(), pending.get_untracked()) else { return };
        pending.set(None);
        start(conn, sel, req, location);
    };

    let generate = ChildrenFn::to_children(move || {
        view! { <button type="button" class=Action::Secondary.class() on:click=move |_| inputs.id.set(fresh_id())>"Generate"</button> }
    });
    view! {
        <form class="card" aria-labelledby="create-h" on:submit=submit novalidate>
            <h2 id="create-h">"Create backup"</h2>
            <SelectionFields prefix="create" inputs default_backend=default_backend.unwrap_or_default() id_extra=generate pickable=collections />
            <CreateAdvanced inputs=options errors=inputs.errors bases />
            <SubmitRow label="Start backup" submit=status blocked=no_permission />
            {move || pending.get().map(|(_, _, _, findings)| view! {
                <div class=Notice::Warning.class() role="alert">
                    <p><strong>"Pre-flight check"</strong></p>
                    <ul>{findings.iter().map(|f| view! { <li>{f.message()}</li> }).collect::<Vec<_>>()}</ul>
                    <div class="actions">
                        {findings.iter().find_map(|f| match f {
                            Finding::Narrowed { narrowing, .. } if !narrowing.allowed.is_empty() => Some(narrowing.allowed.clone()),
                            _ => None,
                        }).map(|allowed| {
                            let label = format!("Name the {} it can", allowed.len());
                            view! { <button type="button" class=Action::Secondary.class() on:click=move |_| name_allowed(allowed.clone())>{label}</button> }
                        })}
                        <button type="button" class=Action::Secondary.class() on:click=send_anyway>"Send anyway"</button>
                        <button type="button" class=Action::Secondary.class() on:click=move |_| pending.set(None)>"Back"</button>
                    </div>
                </div>
            })}
        </form>
    }
}
