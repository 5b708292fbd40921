//! Keeps the job list in `localStorage` (through leptos-use's storage hook) so jobs survive a
//! reload and resume polling. The format and its checks are `backup_core::journal`.

use backup_core::journal::{Journal, STORAGE_KEY};
use codee::string::FromToStringCodec;
use leptos::prelude::*;
use leptos_use_storage::use_local_storage;

use crate::state::use_app_state;

/// Loads the journal's jobs whenever the console connects to a server, and saves every change.
pub fn use_journal() {
    let state = use_app_state();
    let (stored, set_stored, _) = use_local_storage::<String, FromToStringCodec>(STORAGE_KEY);
    let server = Memo::new(move |_| state.connection.with(|c| c.as_ref().map(|c| c.client.base_url().to_string())));

    // On connect: show that server's jobs (polling resumes for the unfinished ones).
    Effect::new(move |_| {
        let Some(url) = server.get() else { return };
        match Journal::parse(&stored.get_untracked()) {
            Ok(j) => state.jobs.update(|jobs| jobs.replace(j.jobs_for(&url))),
            Err(e) => {
                state.notice.set(Some(e));
                state.jobs.update(|jobs| jobs.replace(vec![]));
            }
        }
    });

    // Any job change: save. An unreadable stored value is overwritten only by real jobs.
    Effect::new(move |_| {
        let jobs = state.jobs.with(|j| j.snapshot());
        let Some(url) = server.get_untracked() else { return };
        let mut journal = Journal::parse(&stored.get_untracked()).unwrap_or_default();
        if jobs.is_empty() && journal.jobs_for(&url).is_empty() {
            return;
        }
        journal.set_jobs(&url, jobs);
        set_stored.set(journal.to_json());
    });
}
