//! Keeps the jobs this console started or acted on in `localStorage` (the newest 500 per
//! server), so they survive a reload and resume polling; backups listed by the server are
//! read from it again instead. Written only when one of those jobs changes. The format and its
//! checks are `backup_core::journal`.

use backup_core::journal::{Journal, STORAGE_KEY};
use leptos::prelude::*;
use web_sys::Storage;

use crate::state::use_app_state;

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn stored() -> String {
    storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).unwrap_or_default()
}

/// Loads the journal's jobs whenever the console connects to a server, and saves every change.
pub fn use_journal() {
    let state = use_app_state();
    let server = Memo::new(move |_| state.connection.with(|c| c.as_ref().map(|c| c.client.base_url().to_string())));

    // On connect: show that server's jobs (polling resumes for the unfinished ones).
    Effect::new(move |_| {
        let Some(url) = server.get() else { return };
        match Journal::parse(&stored()) {
            Ok(j) => state.jobs.update(|jobs| jobs.replace(j.jobs_for(&url))),
            Err(e) => {
                state.notice.set(Some(e));
                state.jobs.update(|jobs| jobs.replace(vec![]));
            }
        }
    });

    // A change to the list, or to a job that can still change (a finished one cannot, and a
    // listed backup becomes journaled only by a cancel, while it runs): save. An unreadable
    // stored value is overwritten only by real jobs.
    Effect::new(move |_| {
        state.active.with(|a| a.iter().for_each(|e| e.job.track()));
        let kept: Vec<_> = state.jobs.with(|jobs| {
            jobs.entries().iter().filter(|e| e.job.with_untracked(|j| j.journaled())).map(|e| e.job.get_untracked()).collect()
        });
        let Some(url) = server.get_untracked() else { return };
        let before = stored();
        let mut journal = Journal::parse(&before).unwrap_or_default();
        if kept.is_empty() && journal.jobs_for(&url).is_empty() {
            return;
        }
        journal.set_jobs(&url, kept);
        let text = journal.to_json();
        if text != before {
            if let Some(s) = storage() {
                let _ = s.set_item(STORAGE_KEY, &text);
            }
        }
    });
}
