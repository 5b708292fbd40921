//! The one owner of timers and polling. Status reads follow the pure schedule in
//! `backup_core::poll`: just after each of the coordinator's checks for a job this console
//! started, adaptively otherwise. A one-shot timer wakes the poller when the next read is due;
//! a 1 s interval advances the clock while jobs run and refreshes each backend's list every
//! 30 s while the tab is visible. Every in-flight request is aborted when the app unmounts or
//! the console connects elsewhere (or with another key).
//!
//! Only the entries that can still change (`AppState::active`) are looked at: an idle console
//! with 10,000 finished backups does no work per tick.
//!
//! Of the tabs of one browser connected to a server, only the one `crate::tabs` elects reads
//! its jobs' status, and tells the others.
//!
//! Transient failures (network, timeout, 5xx, 429) back off and retry; permanent ones (a job
//! the server no longer knows, a rejected key) stop asking and leave the reason on screen with
//! a way to check again, instead of repeating the same refused request forever.

use std::collections::HashMap;
use std::time::Duration;

use backup_core::job::Job;
use backup_core::poll::{Grid, PollPolicy, PollSlot};
use backup_core::version::Feature;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use_document_visibility::use_document_visibility;
use leptos_use_interval_fn::use_interval_fn;
use web_sys::{AbortController, AbortSignal, VisibilityState};

use crate::client::Client;
use crate::now_ms;
use crate::state::{use_app_state, AppState};

/// How often the clock advances (durations show whole seconds) and list refreshes are checked.
const TICK_MS: u64 = 1_000;
/// How often every backend's list is read again (backups made elsewhere, final statuses).
const LIST_MS: u64 = 30_000;

/// A request the poller may have in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Flight {
    /// A job's status, by entry serial.
    Status(u64),
    /// A backend's list.
    List(String),
}

/// Whether `client` is still the one the console is connected with: an answer for a server
/// (or key) the console has left must not touch the new server's jobs.
fn still_current(state: AppState, client: &Client) -> bool {
    state.connection.try_with_untracked(|c| c.as_ref().is_some_and(|c| c.client == *client)) == Some(true)
}

/// Starts polling every non-terminal job in the app state until it ends.
pub fn use_job_poller() {
    let state = use_app_state();
    // The coordinator's cadence is the connected server's version's.
    let policy = move || PollPolicy {
        grid: state.connection.with_untracked(|c| c.as_ref().map(|c| Grid::for_version(c.caps.version))).unwrap_or_default(),
        ..PollPolicy::default()
    };
    // By entry serial and job start: a job run again under the same key starts a new schedule.
    let slots = StoredValue::new(HashMap::<(u64, u64), PollSlot>::new());
    let in_flight = StoredValue::new_local(HashMap::<Flight, AbortController>::new());
    let visibility = use_document_visibility();
    let hidden = move || visibility.get_untracked() == VisibilityState::Hidden;
    // Runs the tick from outside the reactive graph (the wake-up timer).
    let kick = Trigger::new();
    let wake = StoredValue::new_local(None::<(u64, TimeoutHandle)>);

    // Wakes the poller at `due`, unless it is already woken earlier.
    let arm = move |due: u64| {
        if wake.with_value(|w| w.as_ref().is_some_and(|(at, _)| *at <= due)) {
            return;
        }
        if let Some((_, old)) = wake.try_update_value(Option::take).flatten() {
            old.clear();
        }
        let wait = Duration::from_millis(due.saturating_sub(now_ms()));
        let fire = move || {
            let _ = wake.try_update_value(|w| *w = None);
            kick.notify();
        };
        if let Ok(handle) = set_timeout_with_handle(fire, wait) {
            wake.set_value(Some((due, handle)));
        }
    };

    // Registers an abortable request, so unmounting aborts it.
    let track = move |flight: Flight| -> Option<AbortSignal> {
        let abort = AbortController::new().ok()?;
        let signal = abort.signal();
        in_flight.update_value(|m| {
            m.insert(flight, abort);
        });
        Some(signal)
    };
    let landed = move |flight: &Flight| {
        let _ = in_flight.try_update_value(|m| m.remove(flight));
    };
    let abort_all = move || {
        let _ = in_flight.try_update_value(|m| m.drain().for_each(|(_, a)| a.abort()));
    };

    // The client the schedule below belongs to.
    let polling_for = StoredValue::new(None::<Client>);
    // When each backend's list was last asked for.
    let listed = StoredValue::new(HashMap::<String, u64>::new());

    let refresh_lists = move |client: &Client, backends: Vec<String>, now: u64| {
        for backend in backends {
            // A permanent failure (401, 403, 422) stays on screen until the admin asks again.
            let stopped = state.list_errors.with_untracked(|errs| errs.iter().any(|(b, e)| *b == backend && !e.is_transient()));
            let due = listed.with_value(|l| l.get(&backend).is_none_or(|at| now.saturating_sub(*at) >= LIST_MS));
            if stopped || !due {
                continue;
            }
            let flight = Flight::List(backend.clone());
            let Some(signal) = track(flight.clone()) else { continue };
            listed.update_value(|l| {
                l.insert(backend.clone(), now);
            });
            let client = client.clone();
            spawn_local(async move {
                let result = client.list_backups(&backend, Some(&signal)).await;
                // Aborted: `abort_all` already dropped it, and the flight may be a newer request's.
                if signal.aborted() {
                    return;
                }
                landed(&flight);
                if !still_current(state, &client) {
                    return;
                }
                if state.list_errors.with_untracked(|errs| errs.iter().any(|(b, _)| *b == backend)) {
                    let _ = state.list_errors.try_update(|errs| errs.retain(|(b, _)| *b != backend));
                }
                match result {
                    // Notifies the list only if backups were added; changed rows notify themselves.
                    Ok(items) => {
                        let _ = state.jobs.try_maybe_update(|j| (j.merge_listed(&backend, &items, now_ms()), ()));
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
    };

    let tick = move || {
        let now = now_ms();
        let Some(client) = state.connection.with_untracked(|c| {
            let c = c.as_ref()?;
            Some(polling_for.with_value(|p| p.as_ref() != Some(&c.client)).then(|| c.client.clone()))
        }) else {
            return;
        };
        if let Some(client) = client {
            // Another server or another key: start over. The list errors were the old client's;
            // a job stopped by 401/403 gets one more try, since the new key may be allowed.
            abort_all();
            slots.update_value(HashMap::clear);
            listed.update_value(HashMap::clear);
            if state.list_errors.with_untracked(|errs| !errs.is_empty()) {
                state.list_errors.set(vec![]);
            }
            state.jobs.with_untracked(|j| j.entries().iter().for_each(|e| e.job.maybe_update(Job::key_changed)));
            polling_for.set_value(Some(client));
        }
        let client = polling_for.get_value().expect("set above");
        if !state.running.with_untracked(Vec::is_empty) {
            state.now.set(now);
        }
        if !hidden() {
            let backends = state.connection.with_untracked(|c| {
                c.as_ref().filter(|c| c.caps.has(Feature::List)).map(|c| c.backends.clone()).unwrap_or_default()
            });
            refresh_lists(&client, backends, now);
        }

        // Another tab of this browser polls this server and shares what it reads (`crate::tabs`);
        // should it close, this tab starts over from the jobs as last shared.
        if !state.lead.with_untracked(|l| l.polls(client.base_url())) {
            slots.update_value(HashMap::clear);
            return;
        }
        let active = state.active.get_untracked();
        // Slots of entries that finished or left the table go with them.
        slots.update_value(|s| s.retain(|(serial, _), _| active.iter().any(|e| e.serial == *serial)));
        let mut next = None::<u64>;
        for entry in active {
            let Some((key, location, first_due, started)) = entry.job.with_untracked(|j| {
                j.polls().then(|| (j.key.clone(), j.location.clone(), policy().first_due_ms(j, now), j.started_ms))
            }) else {
                continue;
            };
            let serial = entry.serial;
            let slot_key = (serial, started);
            let waiting = slots.try_update_value(|s| {
                let slot = s.entry(slot_key).or_insert_with(|| PollSlot::due_at(first_due));
                entry.job.with_untracked(|j| slot.cancel_seen(j, now));
                (!slot.is_due(now)).then_some((!slot.in_flight).then_some(slot.next_due_ms))
            });
            match waiting.flatten() {
                Some(Some(at)) => {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    continue;
                }
                Some(None) => continue, // in flight
                None => {}
            }
            let flight = Flight::Status(serial);
            let Some(signal) = track(flight.clone()) else { continue };
            slots.update_value(|s| s.entry(slot_key).or_default().begin());
            let client = client.clone();
            let job = entry.job;
            spawn_local(async move {
                let sent = now_ms();
                let result = client.job_status(&key, &location, Some(&signal)).await;
                if signal.aborted() {
                    return;
                }
                landed(&flight);
                // The entry owns `job`: if it left the table meanwhile, this updates nothing
                // anyone sees, and never another server's row with the same key.
                let now = now_ms();
                let Some((changed, start)) = job.try_update(|j| {
                    let before = j.status.clone();
                    match &result {
                        Ok(resp) => j.apply_status(resp, now),
                        Err(e) => j.apply_poll_error(e),
                    }
                    (result.is_ok() && j.status != before, j.grid_start_ms)
                }) else {
                    return;
                };
                job.try_with_untracked(|j| crate::tabs::share(client.base_url(), j));
                let due = slots.try_update_value(|s| {
                    let slot = s.entry(slot_key).or_default();
                    if result.is_ok() {
                        slot.answered(&policy().grid, start, sent, changed);
                    }
                    // A stopped job waits for "Check again"; it is due as soon as that comes.
                    let due = job.with_untracked(|j| j.polls().then(|| policy().next_due_ms(j, slot, now, hidden())));
                    slot.finish(now, due.unwrap_or(now).saturating_sub(now));
                    due
                });
                if let Some(due) = due.flatten() {
                    arm(due);
                }
            });
        }
        if let Some(next) = next {
            arm(next);
        }
    };

    // A new connection (its lists are read at once, not at the next tick), new jobs, the
    // wake-up timer and coming back to the tab (everything is due at once then).
    Effect::new(move |was_hidden: Option<bool>| {
        state.connection.track();
        state.lead.track();
        kick.track();
        state.active.track();
        let is_hidden = visibility.get() == VisibilityState::Hidden;
        if was_hidden == Some(true) && !is_hidden {
            let now = now_ms();
            slots.update_value(|s| s.values_mut().for_each(|slot| slot.hurry(now)));
        }
        untrack(tick);
        is_hidden
    });
    use_interval_fn(tick, TICK_MS);

    on_cleanup(move || {
        abort_all();
        if let Some((_, handle)) = wake.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });
}
