use backup_core::job::Job;
use backup_core::route::Route;
use leptos::prelude::*;

use crate::reactive::JobScope;
use crate::components::variant::Action;

/// The way to the restore form for a backup, in the row and on the job page; disabled, with the
/// permission named, when the key may restore none of the backup's collections.
#[component]
pub fn RestoreLink(
    /// The backup to restore.
    job: Memo<Job>,
    /// What the link reads besides the job (see `JobScope`).
    scope: JobScope,
    /// "Restore…", "Restore again…".
    label: &'static str,
    /// The page's main action.
    #[prop(optional)]
    primary: bool,
) -> impl IntoView {
    let href = job.with_untracked(|j| Route::Restore { backend: j.key.backend.clone(), id: j.key.id.clone() }.to_hash());
    let class = if primary { Action::PrimaryLink } else { Action::Link }.class();
    move || match job.with(|j| scope.restore_refusal(&j.classes)) {
        None => view! { <a class=class href=href.clone()>{label}</a> }.into_any(),
        Some(why) => view! {
            <button type="button" class=Action::Secondary.class() disabled title=why.clone()>{label}</button>
            <span class="cannot-restore">{why}</span>
        }
        .into_any(),
    }
}
