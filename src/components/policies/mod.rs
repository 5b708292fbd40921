//! The Policies view (`#/policies…`): the table of every policy and how it stands, a policy's
//! page, and the editor. Part of the dashboard chunk, so none of it is in the first load.

mod book;
pub mod intl_zone;
mod policy_editor;
mod policy_page;
mod policy_table;
mod view_links;

use backup_core::route::Route;
use leptos::prelude::*;

pub use book::{use_policy_book, PolicyBook};
pub use policy_editor::PolicyEditor;
pub use policy_page::PolicyPage;
pub use policy_table::PolicyTable;
pub use view_links::ViewLinks;

use crate::state::use_app_state;

/// Whichever part of the Policies view the route names; nothing on other routes.
#[component]
pub fn PoliciesView(
    /// The console's policies.
    book: PolicyBook,
) -> impl IntoView {
    let state = use_app_state();
    let route = Memo::new(move |_| state.route.with(|r| r.is_policies().then(|| r.clone())));
    // A new page of the view takes the focus to its heading, as the job detail does.
    Effect::new(move |_| {
        if route.with(Option::is_some) {
            crate::focus_next_frame(".policies-view h2");
        }
    });
    view! {
        <div class="policies-view">
            {move || match route.get() {
                Some(Route::Policies) => view! { <PolicyTable book /> }.into_any(),
                Some(Route::Policy(name)) => view! { <PolicyPage book name /> }.into_any(),
                Some(Route::EditPolicy(editing)) => view! { <PolicyEditor book editing /> }.into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}
