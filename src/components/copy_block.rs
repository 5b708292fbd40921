use leptos::prelude::*;
use crate::components::variant::Action;

/// A snippet (curl, Python) with a button that copies it.
#[component]
pub fn CopyBlock(
    /// Button text, e.g. "Copy as curl".
    label: &'static str,
    /// `data-snippet` of the block (`curl`, `python`).
    name: &'static str,
    /// The snippet.
    text: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let to_copy = text.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&to_copy);
            copied.set(true);
        }
    };
    view! {
        <div class="snippet">
            <div class="snippet-head">
                <button type="button" class=Action::SecondarySmall.class() on:click=copy>{label}</button>
                <span class="copied" aria-live="polite">{move || copied.get().then_some("Copied")}</span>
            </div>
            <pre data-snippet=name tabindex="0">{text}</pre>
        </div>
    }
}
