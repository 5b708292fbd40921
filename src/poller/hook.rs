//! `use_job_poller`, shaped like leptos-use's `use_interval_fn_with_options`: options in,
//! pause/resume out, everything stopped on unmount.

use std::time::Duration;

use backup_core::job::Job;
use backup_core::poll::{Grid, PollPolicy, SlotState, Wake};
use backup_core::version::{Feature, Version};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use_document_visibility::use_document_visibility;
use leptos_use_interval_fn::use_interval_fn;
use web_sys::VisibilityState;

use super::{Flight, Poller, SlotKey};
use crate::client::Client;
use crate::now_ms;
use crate::state::{use_app_state, AppState};

/// The poller's timing. The defaults are the console's; tests shorten them.
#[derive(Clone, Copy)]
pub struct UseJobPollerOptions {
    /// How often the clock advances (durations show whole seconds) and list refreshes are checked.
    pub tick_ms: u64,
    /// How often every backend's list is read again (backups made elsewhere, final statuses).
    pub list_ms: u64,
    /// The status schedule; its `grid` is replaced by `grid_for`'s for the connected server.
    pub policy: PollPolicy,
    /// The coordinator's cadence on a server of this version.
    pub grid_for: fn(Version) -> Grid,
    /// Whether the tab is hidden; `None`: the document's visibility.
    pub hidden: Option<Signal<bool>>,
}

impl Default for UseJobPollerOptions {
    fn default() -> Self {
        UseJobPollerOptions {
            tick_ms: 1_000,
            list_ms: 30_000,
            policy: PollPolicy::default(),
            grid_for: Grid::for_version,
            hidden: None,
        }
    }
}

/// Stops and restarts the poller (requests already sent still land).
pub struct UseJobPollerReturn<PauseFn, ResumeFn>
where
    PauseFn: Fn() + Clone + Send + Sync,
    ResumeFn: Fn() + Clone + Send + Sync,
{
    pub pause: PauseFn,
    pub resume: ResumeFn,
    pub is_active: Signal<bool>,
}

/// Starts polling every non-terminal job in the app state until it ends, with the console's
/// timing.
pub fn use_job_poller() -> UseJobPollerReturn<impl Fn() + Clone + Send + Sync, impl Fn() + Clone + Send + Sync> {
    use_job_poller_with_options(UseJobPollerOptions::default())
}

/// Whether `client` is still the one the console is connected with: an answer for a server
/// (or key) the console has left must not touch the new server's jobs.
fn still_current(state: AppState, client: &Client) -> bool {
    state.connection.try_with_untracked(|c| c.as_ref().is_some_and(|c| c.client == *client)) == Some(true)
}

/// What the hook's closures share: all `Copy`, so each timer and request takes its own.
#[derive(Clone, Copy)]
struct Polling {
    state: AppState,
    poller: StoredValue<Poller, LocalStorage>,
    is_active: RwSignal<bool>,
    /// Runs the tick from outside the reactive graph (the wake-up timer).
    kick: Trigger,
    hidden: Signal<bool>,
    list_ms: u64,
    policy: PollPolicy,
    grid_for: fn(Version) -> Grid,
}

impl Polling {
    /// The schedule, with the connected server's grid.
    fn policy(self) -> PollPolicy {
        let grid = self.state.connection.with_untracked(|c| c.as_ref().map(|c| (self.grid_for)(c.caps.version)));
        PollPolicy { grid: grid.unwrap_or_default(), ..self.policy }
    }

    /// Wakes the poller at `due`, unless it is already woken earlier.
    fn wake_at(self, due: u64) {
        let Polling { poller, kick, .. } = self;
        if self.is_active.try_get_untracked() != Some(true) || poller.try_update_value(|p| p.wake_at(due)) != Some(true) {
            return;
        }
        let fire = move || {
            let _ = poller.try_update_value(|p| {
                p.wake.clear();
                p.timer = None;
            });
            kick.notify();
        };
        if let Ok(handle) = set_timeout_with_handle(fire, Duration::from_millis(due.saturating_sub(now_ms()))) {
            poller.update_value(|p| p.timer = Some(handle));
        }
    }

    /// Reads the lists of `backends` that are due.
    fn refresh_lists(self, client: &Client, backends: Vec<String>, now: u64) {
        let Polling { state, poller, .. } = self;
        for backend in backends {
            // A permanent failure (401, 403, 422) stays on screen until the admin asks again.
            let stopped = state.list_errors.with_untracked(|errs| errs.iter().any(|(b, e)| *b == backend && !e.is_transient()));
            if stopped || poller.try_update_value(|p| p.list_due(&backend, now, self.list_ms)) != Some(true) {
                continue;
            }
            let flight = Flight::List(backend.clone());
            let Some(signal) = poller.try_update_value(|p| p.track(flight.clone())).flatten() else { continue };
            let client = client.clone();
            spawn_local(async move {
                let result = client.list_backups(&backend, Some(&signal)).await;
                // Aborted: `abort_all` already dropped it, and the flight may be a newer request's.
                if signal.aborted() {
                    return;
                }
                let _ = poller.try_update_value(|p| p.landed(&flight));
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
                            let _ = poller.try_update_value(|p| p.list_stopped(&backend));
                        }
                        let _ = state.list_errors.try_update(|errs| errs.push((backend, e)));
                    }
                }
            });
        }
    }

    /// Asks for `job`'s status, and schedules the next ask from the answer.
    fn read_status(self, client: &Client, serial: u64, slot_key: SlotKey, job: ArcRwSignal<Job>) {
        let Polling { poller, hidden, .. } = self;
        let (key, location) = job.with_untracked(|j| (j.key.clone(), j.location.clone()));
        let flight = Flight::Status(serial);
        let Some(signal) = poller.try_update_value(|p| p.track(flight.clone())).flatten() else { return };
        poller.update_value(|p| p.slot(slot_key).begin());
        let client = client.clone();
        spawn_local(async move {
            let sent = now_ms();
            let result = client.job_status(&key, &location, Some(&signal)).await;
            if signal.aborted() {
                return;
            }
            let _ = poller.try_update_value(|p| p.landed(&flight));
            // The entry owns `job`: if it left the table meanwhile, this updates nothing
            // anyone sees, and never another server's row with the same key.
            let now = now_ms();
            let Some(changed) = job.try_update(|j| {
                let before = j.status.clone();
                match &result {
                    Ok(resp) => j.apply_status(resp, now),
                    Err(e) => j.apply_poll_error(e),
                }
                result.is_ok().then(|| j.status != before)
            }) else {
                return;
            };
            job.try_with_untracked(|j| crate::tabs::share(client.base_url(), j));
            let policy = self.policy();
            let hidden = hidden.try_get_untracked().unwrap_or_default();
            let due = job.with_untracked(|j| {
                poller.try_update_value(|p| p.slot(slot_key).landed(&policy, j, sent, changed, now, hidden))
            });
            if let Some(due) = due.flatten() {
                self.wake_at(due);
            }
        });
    }

    fn tick(self) {
        let Polling { state, poller, hidden, .. } = self;
        if !self.is_active.get_untracked() {
            return;
        }
        let now = now_ms();
        let Some(client) = state.connection.with_untracked(|c| c.as_ref().map(|c| c.client.clone())) else {
            return;
        };
        if poller.try_update_value(|p| p.switch_to(&client)) == Some(true) {
            // The list errors were the old client's; a job stopped by 401/403 gets one more
            // try, since the new key may be allowed.
            if state.list_errors.with_untracked(|errs| !errs.is_empty()) {
                state.list_errors.set(vec![]);
            }
            state.jobs.with_untracked(|j| j.entries().iter().for_each(|e| e.job.maybe_update(Job::key_changed)));
        }
        if !state.running.with_untracked(Vec::is_empty) {
            state.now.set(now);
        }
        if !hidden.get_untracked() {
            let backends = state.connection.with_untracked(|c| {
                c.as_ref().filter(|c| c.caps.has(Feature::List)).map(|c| c.backends.clone()).unwrap_or_default()
            });
            self.refresh_lists(&client, backends, now);
        }

        // Another tab of this browser polls this server and shares what it reads (`crate::tabs`);
        // should it close, this tab starts over from the jobs as last shared.
        if !state.lead.with_untracked(|l| l.polls(client.base_url())) {
            poller.update_value(|p| p.slots.clear());
            return;
        }
        let active = state.active.get_untracked();
        poller.update_value(|p| p.keep_slots(|serial| active.iter().any(|e| e.serial == serial)));
        let policy = self.policy();
        let mut waiting = vec![];
        for entry in active {
            let Some((first_due, started)) =
                entry.job.with_untracked(|j| j.polls().then(|| (policy.first_due_ms(j, now), j.started_ms)))
            else {
                continue;
            };
            let slot_key = (entry.serial, started);
            let Some(look) = entry.job.with_untracked(|j| poller.try_update_value(|p| p.look(slot_key, j, first_due, now))) else {
                continue;
            };
            if look == SlotState::Due {
                self.read_status(&client, entry.serial, slot_key, entry.job);
            } else {
                waiting.push(look);
            }
        }
        if let Some(next) = Wake::earliest(waiting) {
            self.wake_at(next);
        }
    }
}

pub fn use_job_poller_with_options(
    options: UseJobPollerOptions,
) -> UseJobPollerReturn<impl Fn() + Clone + Send + Sync, impl Fn() + Clone + Send + Sync> {
    let UseJobPollerOptions { tick_ms, list_ms, policy, grid_for, hidden } = options;
    let hidden = hidden.unwrap_or_else(|| {
        let visibility = use_document_visibility();
        Signal::derive(move || visibility.get() == VisibilityState::Hidden)
    });
    let polling = Polling {
        state: use_app_state(),
        poller: StoredValue::new_local(Poller::default()),
        is_active: RwSignal::new(true),
        kick: Trigger::new(),
        hidden,
        list_ms,
        policy,
        grid_for,
    };
    let Polling { state, poller, is_active, kick, .. } = polling;

    // A new connection (its lists are read at once, not at the next tick), new jobs, the
    // wake-up timer and coming back to the tab (everything is due at once then).
    Effect::new(move |was_hidden: Option<bool>| {
        state.connection.track();
        state.lead.track();
        kick.track();
        state.active.track();
        let is_hidden = hidden.get();
        if was_hidden == Some(true) && !is_hidden {
            let now = now_ms();
            poller.update_value(|p| p.hurry(now));
        }
        untrack(|| polling.tick());
        is_hidden
    });
    let interval = use_interval_fn(move || polling.tick(), tick_ms);

    on_cleanup(move || {
        let _ = poller.try_update_value(|p| {
            p.abort_all();
            p.stop_timer();
        });
    });

    let pause = {
        let pause = interval.pause.clone();
        move || {
            is_active.set(false);
            pause();
            let _ = poller.try_update_value(Poller::stop_timer);
        }
    };
    let resume = {
        let resume = interval.resume.clone();
        move || {
            is_active.set(true);
            resume();
            kick.notify();
        }
    };
    UseJobPollerReturn { pause, resume, is_active: is_active.read_only().into() }
}
