use backup_core::error::ApiError;
use leptos::prelude::*;

use crate::state::AppState;
use crate::components::variant::Notice;

/// A server or network failure, then a hint in the console's own words. Whatever the server
/// wrote is shown as the server's: quoted after who said it (`127.0.0.1:9999 said: "…"`),
/// escaped by Leptos. A server's text must never read as the console's instruction: "paste the
/// admin key" from a server a link named is that server talking.
#[component]
pub fn ErrorAlert(
    /// The failure to show; nothing is rendered while `None`.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
    /// The URL of the server that answered; by default the connected one.
    #[prop(optional, into)]
    server: MaybeProp<String>,
) -> impl IntoView {
    let connected = use_context::<AppState>()
        .map(|state| Signal::derive(move || state.server_url()));
    let server = move || server.get().or_else(|| connected.and_then(|c| c.get()));
    move || {
        error.get().map(|e| {
            let status = e.status().map(|s| format!("HTTP {s}: "));
            let message = match e.attributed(server().as_deref()) {
                Some((who, words)) => view! {
                    {format!("{who} \"")}
                    <span class="server-text">{words.to_string()}</span>
                    "\""
                }
                .into_any(),
                None => view! { <span>{e.message().to_string()}</span> }.into_any(),
            };
            view! {
                <div class=Notice::Error.class() role="alert">
                    <p class="alert-message">{status}{message}</p>
                    {e.hint().map(|h| view! { <p class="alert-hint">{h}</p> })}
                </div>
            }
        })
    }
}
