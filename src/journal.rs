//! Keeps the jobs this console started or acted on in `localStorage` (the newest 500 per
//! server), so they survive a reload and resume polling; backups listed by the server are
//! read from it again instead. The format, its checks and the merge are
//! `backup_core::journal`.
//!
//! Every tab of the browser shares the one stored value, so a tab never writes it from its own
//! copy: it merges what it shows into what is stored now, and takes back what the merge kept
//! (a newer version, a job another tab started or cleared). Another tab's write arrives as a
//! `storage` event and is merged the same way, so every tab shows the others' jobs live.
//!
//! A write the storage quota refuses makes room by dropping what matters least (markers of
//! cleared jobs, then the older finished jobs) and says so; if even that fails, the admin is
//! told that jobs will not come back after a reload.

use backup_core::journal::{Journal, Known, STORAGE_KEY};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::state::{use_app_state, AppState};

fn stored() -> String {
    crate::local_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).unwrap_or_default()
}

/// What this tab knows of the journal of one server (see [`Known`]).
#[derive(Default)]
struct Seen {
    server: String,
    known: Known,
}

/// Loads the journal's jobs whenever the console connects to a server, saves every change, and
/// follows what other tabs write.
pub fn use_journal() {
    let state = use_app_state();
    let server = Memo::new(move |_| state.server_url());
    let seen = StoredValue::new(Seen::default());

    // On connect: show that server's jobs (polling resumes for the unfinished ones).
    Effect::new(move |_| {
        let Some(url) = server.get() else { return };
        match Journal::parse(&stored()) {
            Ok(j) => {
                seen.set_value(Seen { server: url.clone(), known: j.known_for(&url) });
                state.jobs.update(|jobs| jobs.replace(j.jobs_for(&url)));
            }
            Err(e) => {
                seen.set_value(Seen { server: url, known: Known::new() });
                state.notice.set(Some(e));
                state.jobs.update(|jobs| jobs.replace(vec![]));
            }
        }
    });

    // A change to the list, or to a job that can still change (a finished one cannot, and a
    // listed backup becomes journaled only by a cancel, while it runs): save.
    Effect::new(move |_| {
        state.active.with(|a| a.iter().for_each(|e| e.job.track()));
        state.jobs.track();
        if let Some(url) = server.get_untracked() {
            reconcile(state, &url, seen);
        }
    });

    // Another tab wrote: merge it in (and write back what only this tab had, should the two
    // writes have crossed).
    let other_tab = window_event_listener(leptos::ev::storage, move |e| {
        if e.key().as_deref() != Some(STORAGE_KEY) {
            return;
        }
        if let Some(url) = server.get_untracked() {
            reconcile(state, &url, seen);
        }
    });
    // A page shown again from the back/forward cache missed every write made while it was
    // frozen there.
    let back = window_event_listener(leptos::ev::pageshow, move |e| {
        if let (true, Some(url)) = (e.persisted(), server.get_untracked()) {
            reconcile(state, &url, seen);
        }
    });
    on_cleanup(move || {
        other_tab.remove();
        back.remove();
    });
}

/// Merges what this tab shows of `url` into the stored journal, writes the result if it
/// differs, and shows what the merge kept.
fn reconcile(state: AppState, url: &str, seen: StoredValue<Seen>) {
    let jobs: Vec<_> = state.jobs.with_untracked(|jobs| {
        jobs.entries().iter().filter(|e| e.job.with_untracked(|j| j.journaled())).map(|e| e.job.get_untracked()).collect()
    });
    let known = seen.with_value(|s| if s.server == url { s.known.clone() } else { Known::new() });
    let before = stored();
    let mut journal = match Journal::parse(&before) {
        Ok(j) => j,
        // An unreadable stored value (its notice shown at connect) is overwritten only by real jobs.
        Err(_) if jobs.is_empty() => return,
        Err(_) => Journal::default(),
    };
    journal.record(url, &jobs, &known);
    let text = journal.to_json();
    if text != before {
        write(state, &mut journal, text);
    }
    seen.set_value(Seen { server: url.to_string(), known: journal.known_for(url) });
    let (kept, cleared) = (journal.jobs_for(url), journal.cleared_for(url));
    let _ = state.jobs.try_maybe_update(|j| (j.follow_journal(kept, &cleared), ()));
}

/// The name of a storage error (`QuotaExceededError`, `SecurityError`, …).
fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| "unknown error".into())
}

/// Stores `text` (the journal's JSON). A full quota drops what matters least until it fits;
/// whatever was dropped, or could not be saved, is said on the page.
fn write(state: AppState, journal: &mut Journal, mut text: String) {
    let Some(s) = crate::local_storage() else { return };
    let mut dropped = 0;
    let refused = loop {
        match s.set_item(STORAGE_KEY, &text) {
            Ok(()) => break None,
            Err(e) if error_name(&e) == "QuotaExceededError" => match journal.shrink() {
                0 => break Some(e),
                n => {
                    dropped += n;
                    text = journal.to_json();
                }
            },
            Err(e) => break Some(e),
        }
    };
    let notice = match refused {
        Some(e) if error_name(&e) == "QuotaExceededError" => Some(
            "This browser's storage for this site is full: the job list could not be saved, so jobs shown here will not \
             come back after a reload. Free some of this site's storage (browser settings, site data) and reload."
                .to_string(),
        ),
        Some(e) => Some(format!(
            "The job list could not be saved in this browser's storage ({}): jobs shown here will not come back after a reload.",
            error_name(&e)
        )),
        None if dropped > 0 => Some(format!(
            "This browser's storage for this site is full: {dropped} of the oldest finished jobs (or markers of cleared \
             ones) were dropped from the saved job list so that it still saves."
        )),
        None => None,
    };
    if notice.is_some() && state.notice.with_untracked(|n| *n != notice) {
        state.notice.set(notice);
    }
}
