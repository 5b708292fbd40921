use leptos::prelude::*;

/// A labelled text input with its help, a live note, and its validation message. The input has
/// no `name`: the forms are read by their handlers, so a native submit (a handler that failed)
/// sends none of them, and never the API key in a GET form's URL.
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
    /// `text` or `password`. A password field holds an API key, which no password manager may
    /// save or fill: `autocomplete="off"` is ignored on password fields by Chromium's, so it is
    /// marked `one-time-code`, a value that password managers skip (like a card number's
    /// `cc-number`) and that keeps the field masked and announced as a password; the `data-*`
    /// attributes are the opt-outs of 1Password, LastPass, Bitwarden and Dashlane. (A text field
    /// masked by `-webkit-text-security` would also escape them, but shows the key in clear in
    /// browsers without that property and reads it aloud to screen readers.)
    #[prop(default = "text")]
    input_type: &'static str,
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
    let secret = input_type == "password";
    let opt_out = secret.then_some("true");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="field-row">
                <input
                    id=id
                    type=input_type
                    placeholder=placeholder
                    list=(!list.is_empty()).then_some(list)
                    autocomplete=if secret { "one-time-code" } else { "off" }
                    data-1p-ignore=opt_out
                    data-lpignore=opt_out
                    data-bwignore=opt_out
                    data-form-type=secret.then_some("other")
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
