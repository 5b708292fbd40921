//! The one owner of timers and polling. A single interval ticks the clock, starts the status
//! reads that are due (per the pure schedule in `backup_core::poll`), and refreshes each
//! backend's list on connect and then slowly; every in-flight request is aborted when the app
//! unmounts.

use std::collections::HashMap;

use backup_core::poll::{PollPolicy, PollSlot};
use backup_core::version::Feature;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use_document_visibility::use_document_visibility;
use leptos_use_interval_fn::use_interval_fn;
use web_sys::{AbortController, AbortSignal, VisibilityState};

use crate::now_ms;
use crate::state::{use_app_state, JobEntry};

/// How often the poller looks for due work (and the clock advances).
const TICK_MS: u64 = 500;
/// How often every backend's list is read again (backups made elsewhere, final statuses).
const LIST_MS: u64 = 30_000;

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

    // (server URL, when) of the last list refresh.
    let listed = StoredValue::new(None::<(String, u64)>);

    let tick = move || {
        let now = now_ms();
        state.now.set(now);
        let Some(conn) = state.connection.get_untracked() else { return };
        let url = conn.client.base_url().to_string();
        let list_due = listed.with_value(|l| match l {
            Some((u, at)) => *u != url || now.saturating_sub(*at) >= LIST_MS,
            None => true,
        });
        if list_due && conn.caps.has(Feature::List) {
            listed.set_value(Some((url, now)));
            for backend in conn.backends.clone() {
                let flight = format!("list:{backend}");
                let Some(signal) = track(&flight) else { continue };
                let client = conn.client.clone();
                spawn_local(async move {
                    let result = client.list_backups(&backend, Some(&signal)).await;
                    untrack(&flight);
                    if signal.aborted() {
                        return;
                    }
                    let _ = state.list_errors.try_update(|errs| errs.retain(|(b, _)| *b != backend));
                    match result {
                        Ok(items) => {
                            let _ = state.jobs.try_update(|j| j.merge_listed(&backend, &items, now_ms()));
                        }
                        Err(e) => {
                            let _ = state.list_errors.try_update(|errs| errs.push((backend, e)));
                        }
                    }
                });
            }
        }
        for entry in state.jobs.get_untracked().entries() {
            let JobEntry { key, job, .. } = entry.clone();
            let Some(snapshot) = job.try_get_untracked() else { continue };
            if snapshot.is_terminal() {
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
                let now = now_ms();
                let updated = job.try_update(|j| {
                    match &result {
                        Ok(resp) => j.apply_status(resp, now),
                        Err(e) => j.apply_poll_error(e, now),
                    }
                    policy.next_delay_ms(j.duration_ms(now), j.poll_failures, hidden())
                });
                if let Some(delay) = updated {
                    let _ = slots.try_update_value(|s| s.entry(key.clone()).or_default().finish(now, delay));
                }
                untrack(&key);
            });
        }
    };
    use_interval_fn(tick, TICK_MS);

    on_cleanup(move || {
        let _ = in_flight.try_update_value(|m| m.drain().for_each(|(_, a)| a.abort()));
    });
}
