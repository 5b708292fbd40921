use backup_core::validate::{pattern_preview, Field, FieldErrors, SelectionForm};
use leptos::prelude::*;

use crate::components::{CollectionPicker, TextField};
use crate::state::use_app_state;

/// The inputs shared by the create and restore forms, and the rules they broke.
#[derive(Clone, Copy)]
pub struct SelectionInputs {
    pub backend: RwSignal<String>,
    pub id: RwSignal<String>,
    pub include: RwSignal<String>,
    pub exclude: RwSignal<String>,
    pub errors: RwSignal<FieldErrors>,
}

impl SelectionInputs {
    pub fn new() -> SelectionInputs {
        SelectionInputs {
            backend: RwSignal::new(String::new()),
            id: RwSignal::new(String::new()),
            include: RwSignal::new(String::new()),
            exclude: RwSignal::new(String::new()),
            errors: RwSignal::new(FieldErrors::default()),
        }
    }

    pub fn form(&self) -> SelectionForm {
        SelectionForm {
            backend: self.backend.get_untracked(),
            id: self.id.get_untracked(),
            include: self.include.get_untracked(),
            exclude: self.exclude.get_untracked(),
        }
    }

    /// Shows what the form's validator (`core::options::CreateForm`, `RestoreForm`) found at
    /// each field, all at once; `None` when anything is wrong, so nothing is sent.
    pub fn report<R>(&self, result: Result<R, FieldErrors>) -> Option<R> {
        match result {
            Ok(ok) => {
                self.errors.set(FieldErrors::default());
                Some(ok)
            }
            Err(e) => {
                self.errors.set(e);
                None
            }
        }
    }

    fn error(self, f: Field) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || errors.with(|e| e.get(f).map(str::to_string)))
    }
}

impl Default for SelectionInputs {
    fn default() -> Self {
        Self::new()
    }
}

/// Backend, Backup ID, Include and Exclude collections, with validation messages and a preview
/// of what wildcard patterns match.
#[component]
pub fn SelectionFields(
    /// DOM id prefix (`create`, `restore`), keeping the two forms' ids apart.
    prefix: &'static str,
    /// The inputs, read by the form on submit.
    inputs: SelectionInputs,
    /// Backend to preselect when the server has it.
    #[prop(optional)]
    default_backend: Option<String>,
    /// Shown after the Backup ID input (a Generate button, say).
    #[prop(optional)]
    id_extra: Option<ChildrenFn>,
    /// Collections the pickers offer (the schema's for a create, the backup's for a restore).
    #[prop(into)]
    pickable: Signal<Vec<String>>,
    /// `list` attribute for the Backup ID input (a datalist of suggestions).
    #[prop(optional)]
    id_list: &'static str,
) -> impl IntoView {
    let state = use_app_state();
    let backends = Memo::new(move |_| state.connection.with(|c| c.as_ref().map(|c| c.backends.clone()).unwrap_or_default()));
    let collections = Memo::new(move |_| state.connection.with(|c| c.as_ref().map(|c| c.collections.clone()).unwrap_or_default()));
    let backend = inputs.backend;
    // Keep the chosen backend one the connected server has.
    Effect::new(move |_| {
        let list = backends.get();
        if !list.contains(&backend.get_untracked()) {
            let pick = default_backend.clone().filter(|b| list.contains(b)).or_else(|| list.first().cloned());
            backend.set(pick.unwrap_or_default());
        }
    });
    let backend_id = format!("{prefix}-backend");
    let preview = move |text: RwSignal<String>| {
        Signal::derive(move || text.with(|t| collections.with(|c| pattern_preview(t, c))))
    };
    view! {
        <div class="field">
            <label for=backend_id.clone()>"Backend"</label>
            <select
                id=backend_id
                prop:value=move || backend.get()
                on:change=move |ev| backend.set(event_target_value(&ev))
                aria-invalid=move || inputs.error(Field::Backend).get().map(|_| "true")
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
        <TextField id=format!("{prefix}-id") label="Backup ID" value=inputs.id error=inputs.error(Field::Id) placeholder="nightly-1"
            list=id_list help="Lowercase letters, digits, '_' and '-'.">
            {id_extra.clone().map(|c| c())}
        </TextField>
        <TextField id=format!("{prefix}-include") label="Include collections" value=inputs.include
            error=inputs.error(Field::Include) note=preview(inputs.include)
            help="Comma- or space-separated, * and ? allowed (Weaviate 1.36+); empty means all." />
        <CollectionPicker text=inputs.include collections=pickable label="Pick collections to include" />
        <TextField id=format!("{prefix}-exclude") label="Exclude collections" value=inputs.exclude
            error=inputs.error(Field::Exclude) note=preview(inputs.exclude)
            help="Use either include or exclude." />
        <CollectionPicker text=inputs.exclude collections=pickable label="Pick collections to exclude" />
    }
}
