use backup_core::options::{CreateOptions, RestoreOptions, COMPRESSION_LEVELS};
use backup_core::validate::{Field, FieldErrors};
use backup_core::version::{Capabilities, Feature};
use leptos::prelude::*;

use crate::components::TextField;
use crate::reactive::redrawn_options;
use crate::state::use_app_state;

fn caps_signal() -> Signal<Option<Capabilities>> {
    let state = use_app_state();
    Signal::derive(move || state.connection.with(|c| c.as_ref().map(|c| c.caps)))
}

/// Why `f` is unavailable on the connected server, if it is.
fn lacks(caps: Signal<Option<Capabilities>>, f: Feature) -> Signal<Option<String>> {
    Signal::derive(move || caps.get().and_then(|c| c.lacks(f)))
}

fn error(errors: RwSignal<FieldErrors>, f: Field) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|e| e.get(f).map(str::to_string)))
}

/// The create form's advanced inputs.
#[derive(Clone, Copy)]
pub struct CreateOptionInputs {
    pub cpu: RwSignal<String>,
    pub compression: RwSignal<String>,
    pub bucket: RwSignal<String>,
    pub path: RwSignal<String>,
    pub base_id: RwSignal<String>,
    pub roles: RwSignal<String>,
}

impl CreateOptionInputs {
    pub fn new() -> Self {
        let s = || RwSignal::new(String::new());
        CreateOptionInputs { cpu: s(), compression: s(), bucket: s(), path: s(), base_id: s(), roles: s() }
    }

    pub fn options(&self) -> CreateOptions {
        CreateOptions {
            cpu: self.cpu.get_untracked(),
            compression: self.compression.get_untracked(),
            bucket: self.bucket.get_untracked(),
            path: self.path.get_untracked(),
            base_id: self.base_id.get_untracked(),
            roles: self.roles.get_untracked(),
        }
    }
}

impl Default for CreateOptionInputs {
    fn default() -> Self {
        Self::new()
    }
}

/// CPU share, compression, custom bucket/path, incremental base and RBAC roles of a new backup; controls
/// the server lacks are disabled with the version that adds them.
#[component]
pub fn CreateAdvanced(
    /// The option inputs, read by the form on submit.
    inputs: CreateOptionInputs,
    /// The form's field errors (shared with the selection fields).
    errors: RwSignal<FieldErrors>,
    /// Successful backups on the chosen backend, offered as incremental bases.
    #[prop(into)]
    bases: Signal<Vec<String>>,
) -> impl IntoView {
    let caps = caps_signal();
    let level_lacks = move |f: Feature| caps.get().and_then(|c| c.lacks(f));
    view! {
        <details class="advanced">
            <summary>"Advanced"</summary>
            <TextField id="create-cpu" label="CPU percentage" value=inputs.cpu error=error(errors, Field::Cpu)
                placeholder="50" help="1–80; empty means the server's default (50)."
                unavailable=lacks(caps, Feature::CpuPercentage) />
            <div class="field">
                <label for="create-compression">"Compression level"</label>
                <select id="create-compression"
                    on:change=move |ev| inputs.compression.set(event_target_value(&ev))
                    disabled=move || level_lacks(Feature::CpuPercentage).is_some()
                    aria-invalid=move || error(errors, Field::Compression).get().map(|_| "true")>
                    <option value="">"Server default (gzip)"</option>
                    {COMPRESSION_LEVELS.into_iter().map(|(level, f)| view! {
                        <option value=level disabled=move || level_lacks(f).is_some() title=move || level_lacks(f)>{level}</option>
                    }).collect::<Vec<_>>()}
                </select>
                {move || error(errors, Field::Compression).get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <TextField id="create-bucket" label="Bucket" value=inputs.bucket error=error(errors, Field::Bucket)
                help="Object-store backends only; every later call repeats it." unavailable=lacks(caps, Feature::BucketPath) />
            <TextField id="create-path" label="Path" value=inputs.path error=error(errors, Field::Path)
                help="Overrides the backend's default location; such backups do not appear in the list."
                unavailable=lacks(caps, Feature::BucketPath) />
            <TextField id="create-base" label="Incremental base backup" value=inputs.base_id error=error(errors, Field::BaseId)
                list="create-bases" help="A successful backup on this backend with the same compression."
                unavailable=lacks(caps, Feature::IncrementalBase) />
            <TextField id="create-roles" label="Include roles" value=inputs.roles error=error(errors, Field::Roles)
                placeholder="editor, team-*"
                help="RBAC roles to back up (* and ? match); empty backs up the whole RBAC state. Built-in roles are never backed up."
                unavailable=lacks(caps, Feature::IncludeRoles) />
            <datalist id="create-bases">
                {redrawn_options(move || bases.get())}
            </datalist>
        </details>
    }
}

/// The restore form's advanced inputs.
#[derive(Clone, Copy)]
pub struct RestoreOptionInputs {
    pub cpu: RwSignal<String>,
    pub bucket: RwSignal<String>,
    pub path: RwSignal<String>,
    pub roles: RwSignal<String>,
    pub users: RwSignal<String>,
    pub overwrite_alias: RwSignal<bool>,
    pub node_mapping: RwSignal<String>,
}

impl RestoreOptionInputs {
    pub fn new() -> Self {
        let s = || RwSignal::new(String::new());
        RestoreOptionInputs {
            cpu: s(),
            bucket: s(),
            path: s(),
            roles: s(),
            users: s(),
            overwrite_alias: RwSignal::new(false),
            node_mapping: s(),
        }
    }

    pub fn options(&self) -> RestoreOptions {
        RestoreOptions {
            cpu: self.cpu.get_untracked(),
            bucket: self.bucket.get_untracked(),
            path: self.path.get_untracked(),
            roles: self.roles.get_untracked(),
            users: self.users.get_untracked(),
            overwrite_alias: self.overwrite_alias.get_untracked(),
            node_mapping: self.node_mapping.get_untracked(),
        }
    }
}

impl Default for RestoreOptionInputs {
    fn default() -> Self {
        Self::new()
    }
}

/// CPU share, bucket/path, RBAC restore options, alias overwrite and node mapping of a restore.
#[component]
pub fn RestoreAdvanced(
    /// The option inputs, read by the form on submit.
    inputs: RestoreOptionInputs,
    /// The form's field errors (shared with the selection fields).
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let state = use_app_state();
    let caps = caps_signal();
    let nodes = move || state.connection.with(|c| c.as_ref().map(|c| c.nodes.join(", ")).unwrap_or_default());
    let rbac_lacks = lacks(caps, Feature::RolesUsersOptions);
    let choice = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| value.set(event_target_value(&ev))
                    disabled=move || rbac_lacks.get().is_some() title=move || rbac_lacks.get()>
                    <option value="noRestore">"Do not restore"</option>
                    <option value="all">"Restore all"</option>
                </select>
            </div>
        }
    };
    let alias_lacks = lacks(caps, Feature::OverwriteAlias);
    view! {
        <details class="advanced">
            <summary>"Advanced"</summary>
            <TextField id="restore-cpu" label="CPU percentage" value=inputs.cpu error=error(errors, Field::Cpu)
                placeholder="50" help="1–80; empty means the server's default (50)."
                unavailable=lacks(caps, Feature::CpuPercentage) />
            <TextField id="restore-bucket" label="Bucket" value=inputs.bucket error=error(errors, Field::Bucket)
                help="The bucket the backup was made with, if not the default." unavailable=lacks(caps, Feature::BucketPath) />
            <TextField id="restore-path" label="Path" value=inputs.path error=error(errors, Field::Path)
                help="The path the backup was made with, if not the default." unavailable=lacks(caps, Feature::BucketPath) />
            {choice("restore-roles", "Roles", inputs.roles)}
            {choice("restore-users", "Users", inputs.users)}
            <div class="check">
                <input id="restore-alias" type="checkbox" prop:checked=move || inputs.overwrite_alias.get()
                    on:change=move |ev| inputs.overwrite_alias.set(event_target_checked(&ev))
                    disabled=move || alias_lacks.get().is_some() title=move || alias_lacks.get() />
                <label for="restore-alias">"Overwrite aliases of the same name"</label>
            </div>
            <TextField id="restore-node-mapping" label="Node mapping" value=inputs.node_mapping
                error=error(errors, Field::NodeMapping) placeholder="old-node=new-node"
                note=Signal::derive(move || Some(format!("Nodes of this cluster: {}", nodes())))
                help="Needed when the backup was taken on nodes with other names."
                unavailable=lacks(caps, Feature::NodeMapping) />
        </details>
    }
}
