//! The one owner of timers and polling. A single interval ticks the clock, starts the status
//! reads that are due (per the pure schedule in `backup_core::poll`), and refreshes each
//! backend's list on connect and then slowly; every in-flight request is aborted when the app
//! unmounts or the console connects elsewhere (or with another key).
//!
//! Transient failures (network, timeout, 5xx, 429) back off and retry; permanent ones (a job
//! the server no longer knows, a rejected key) stop asking and leave the reason on screen with
//! a way to check again, instead of repeating the same refused request forever.

use std::collections::HashMap;

use backup_core::poll::{PollPolicy, PollSlot};
use backup_core::version::Feature;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use_document_visibility::use_document_visibility;
use leptos_use_interval_fn::use_interval_fn;
use web_sys::{AbortController, AbortSignal, VisibilityState};

use crate::client::Client;
use crate::now_ms;
use crate::state::{use_app_state, AppState, JobEntry};

/// How often the poller looks for due work (and the clock advances).
const TICK_MS: u64 = 500;
/// How often every backend's list is read again (backups made elsewhere, final statuses).
const LIST_MS: u64 = 30_000;

/// Whether `client` is still the one the console is connected with: an answer for a server
/// (or key) the console has left must not touch the new server's jobs.
fn still_current(state: AppState, client: &Client) -> bool {
    state.connection.try_with_untracked(|c| c.as_ref().is_some_and(|c| c.client == *client)) == Some(true)
}

/// Starts polling every non-terminal job in the app state until it ends.
pub fn use_job_poller() {
    let state = use_app_state();
    let policy = PollPolicy::default();
    let slots = StoredValue::new(HashMap::<String, PollSlot>::new());
    let in_flight = StoredValue::new_local(HashMap::<String, AbortController>::new());
    let visibility = use_document_visibility();
    let hidden = move || visibility.get_untracked() == VisibilityState::Hidden;

    // Coming back to the tab: everything is due at once.
    Effect::new(move |was_hidden: Option<bool>| {
        let is_hidden = visibility.get() == VisibilityState::Hidden;
        if was_hidden == Some(true) && !is_hidden {
            let now = now_ms();
            slots.update_value(|s| s.values_mut().for_each(|slot| slot.hurry(now)));
        }
        is_hidden
    });

    // Registers an abortable request under `key`, so unmounting aborts it.
    let track = move |key: &str| -> Option<AbortSignal> {
        let abort = AbortController::new().ok()?;
        let signal = abort.signal();
        in_flight.update_value(|m| {
            m.insert(key.to_string(), abort);
        });
        Some(signal)
    };
    let untrack = move |key: &str| {
        let _ = in_flight.try_update_value(|m| m.remove(key));
    };
    let abort_all = move || {
        let _ = in_flight.try_update_value(|m| m.drain().for_each(|(_, a)| a.abort()));
    };

    // The client the schedule below belongs to.
    let polling_for = StoredValue::new(None::<Client>);
    // When each backend's list was last asked for.
    let listed = StoredValue::new(HashMap::<String, u64>::new());

    let tick = move || {
        let now = now_ms();
        state.now.set(now);
        let Some(conn) = state.connection.get_untracked() else { return };
        if polling_for.with_value(|c| c.as_ref() != Some(&conn.client)) {
            // Another server or another key: start over. The list errors were the old client's;
            // a job stopped by 401/403 gets one more try, since the new key may be allowed.
            abort_all();
            slots.update_value(HashMap::clear);
            listed.update_value(HashMap::clear);
            if state.list_errors.with_untracked(|errs| !errs.is_empty()) {
                state.list_errors.set(vec![]);
            }
            state.jobs.with_untracked(|j| j.entries().iter().for_each(|e| e.job.maybe_update(|j| j.key_changed())));
            polling_for.set_value(Some(conn.client.clone()));
        }
        if conn.caps.has(Feature::List) {
            for backend in conn.backends.clone() {
                // A permanent failure (401, 403, 422) stays on screen until the admin asks again.
                let stopped = state.list_errors.with_untracked(|errs| errs.iter().any(|(b, e)| *b == backend && !e.is_transient()));
                let due = listed.with_value(|l| l.get(&backend).is_none_or(|at| now.saturating_sub(*at) >= LIST_MS));
                if stopped || !due {
                    continue;
                }
                let flight = format!("list:{backend}");
                let Some(signal) = track(&flight) else { continue };
                listed.update_value(|l| {
                    l.insert(backend.clone(), now);
                });
                let client = conn.client.clone();
                spawn_local(async move {
                    let result = client.list_backups(&backend, Some(&signal)).await;
                    // Aborted: `abort_all` already dropped it, and the key may be a newer request's.
                    if signal.aborted() {
                        return;
                    }
                    untrack(&flight);
                    if !still_current(state, &client) {
                        return;
                    }
                    let _ = state.list_errors.try_update(|errs| errs.retain(|(b, _)| *b != backend));
                    match result {
                        Ok(items) => {
                            let _ = state.jobs.try_update(|j| j.merge_listed(&backend, &items, now_ms()));
                        }
                        Err(e) => {
                            if !e.is_transient() {
                                // Due again the moment the admin clears the error.
                                let _ = listed.try_update_value(|l| l.remove(&backend));
                            }
                            let _ = state.list_errors.try_update(|errs| errs.push((backend, e)));
                        }
                    }
                });
            }
        }
        for entry in state.jobs.get_untracked().entries() {
            let JobEntry { key, job, .. } = entry.clone();
            let snapshot = job.get_untracked();
            if !snapshot.polls() {
                continue;
            }
            let due = slots.with_value(|s| s.get(&key).is_none_or(|slot| slot.is_due(now)));
            if !due {
                continue;
            }
            let Some(signal) = track(&key) else { continue };
            slots.update_value(|s| s.entry(key.clone()).or_default().begin());
            let client = conn.client.clone();
            spawn_local(async move {
                let result = client.job_status(&snapshot.key, &snapshot.location, Some(&signal)).await;
                if signal.aborted() {
                    return;
                }
                untrack(&key);
                // The entry owns `job`: if it left the table meanwhile, this updates nothing
                // anyone sees, and never another server's row with the same key.
                let now = now_ms();
                let delay = job.try_update(|j| {
                    match &result {
                        Ok(resp) => j.apply_status(resp, now),
                        Err(e) => j.apply_poll_error(e),
                    }
                    // A stopped job waits for "Check again"; it is due as soon as that comes.
                    if j.polls() {
                        policy.next_delay_ms(j.duration_ms(now), j.poll_failures, hidden())
                    } else {
                        0
                    }
                });
                if let Some(delay) = delay {
                    let _ = slots.try_update_value(|s| s.entry(key).or_default().finish(now, delay));
                }
            });
        }
    };
    use_interval_fn(tick, TICK_MS);

    on_cleanup(abort_all);
}
