use backup_core::route::Route;
use leptos::portal::Portal;
use leptos::prelude::*;

use crate::state::use_app_state;

/// The header's links between the two views, "Jobs" and "Policies", the current one marked.
/// Drawn into the page's header from the dashboard chunk, so the first load does not carry them.
#[component]
pub fn ViewLinks() -> impl IntoView {
    let state = use_app_state();
    let header = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector("header.topbar").ok().flatten());
    let policies = Memo::new(move |_| state.route.with(Route::is_policies));
    header.map(|mount| {
        view! {
            <Portal mount>
                <nav class="views" aria-label="Views">
                    <a href=Route::Home.to_hash() aria-current=move || (!policies.get()).then_some("page")>"Jobs"</a>
                    <a href=Route::Policies.to_hash() aria-current=move || policies.get().then_some("page")>"Policies"</a>
                </nav>
            </Portal>
        }
    })
}
