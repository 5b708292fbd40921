use backup_core::error::ApiError;
use leptos::prelude::*;

/// A server or network failure: the server's own text (escaped by Leptos) plus a hint.
#[component]
pub fn ErrorAlert(
    /// The failure to show; nothing is rendered while `None`.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let status = e.status().map(|s| format!("HTTP {s}: "));
            view! {
                <div class="alert" role="alert">
                    <p class="alert-message">{status}<span class="server-text">{e.message().to_string()}</span></p>
                    {e.hint().map(|h| view! { <p class="alert-hint">{h}</p> })}
                </div>
            }
        })
    }
}
