use leptos::prelude::*;

/// A labelled text input with its help, a live note, and its validation message. The input has
/// no `name`: the forms are read by their handlers, so a native submit (a handler that failed)
/// sends none of them. (The connection form's fields, the API key's among them, are the first
/// screen's own: `first_screen::connection_form`.)
#[component]
pub fn TextField(
    /// DOM id of the input; the message gets `{id}-error`.
    #[prop(into)]
    id: String,
    /// Visible label, also the accessible name.
    label: &'static str,
    /// The input's value, two-way.
    value: RwSignal<String>,
    /// The rule this value broke, if any: marks the input `aria-invalid` and shows an alert.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(optional)] placeholder: &'static str,
    /// Help text under the field.
    #[prop(optional)]
    help: &'static str,
    /// A live note under the field (what a pattern matches, say), announced politely.
    #[prop(optional, into)]
    note: MaybeProp<String>,
    /// Why the field is unavailable on this server (disables it and says so).
    #[prop(optional, into)]
    unavailable: MaybeProp<String>,
    /// Id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: &'static str,
    /// Extra content after the input (a button, say).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="field-row">
                <input
                    id=id
                    type="text"
                    placeholder=placeholder
                    list=(!list.is_empty()).then_some(list)
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    // Autofill and programmatic clears fire only `change`.
                    on:change=move |ev| value.set(event_target_value(&ev))
                    disabled=move || unavailable.get().is_some()
                    title=move || unavailable.get()
                    aria-invalid=move || error.get().map(|_| "true")
                    aria-describedby=move || error.get().map(|_| described.clone())
                />
                {children.map(|c| c())}
            </div>
            {(!help.is_empty()).then(|| view! { <p class="help">{help}</p> })}
            <p class="note" aria-live="polite">{move || note.get()}</p>
            {move || unavailable.get().map(|why| view! { <p class="help unavailable">{why}</p> })}
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone() role="alert">{m}</p> })}
        </div>
    }
}
