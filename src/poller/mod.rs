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
//!
//! [`Poller`] holds what the poller remembers between ticks; the hook ([`hook`]) wires it to
//! the app state, the timers and the client.

use std::collections::HashMap;

use backup_core::job::Job;
use backup_core::poll::{PollSlot, SlotState, Wake};
use leptos::prelude::TimeoutHandle;
use web_sys::{AbortController, AbortSignal};

use crate::client::Client;

mod hook;
pub use hook::{use_job_poller, use_job_poller_with_options, UseJobPollerOptions, UseJobPollerReturn};

/// A request the poller may have in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Flight {
    /// A job's status, by entry serial.
    Status(u64),
    /// A backend's list.
    List(String),
}

/// A job's slot: by entry serial and job start, so a job run again under the same key starts
/// a new schedule.
type SlotKey = (u64, u64);

/// What the poller remembers between ticks, for the client it polls.
#[derive(Default)]
struct Poller {
    /// The client the schedule below belongs to.
    client: Option<Client>,
    slots: HashMap<SlotKey, PollSlot>,
    /// When each backend's list was last asked for.
    listed: HashMap<String, u64>,
    /// Aborted when the console leaves this client or unmounts.
    in_flight: HashMap<Flight, AbortController>,
    wake: Wake,
    timer: Option<TimeoutHandle>,
}

impl Poller {
    /// Starts over if `client` is not the one polled for (another server or another key):
    /// nothing asked of the old one may land on the new one's jobs. Whether it did.
    fn switch_to(&mut self, client: &Client) -> bool {
        if self.client.as_ref() == Some(client) {
            return false;
        }
        self.abort_all();
        self.slots.clear();
        self.listed.clear();
        self.client = Some(client.clone());
        true
    }

    /// Registers an abortable request.
    fn track(&mut self, flight: Flight) -> Option<AbortSignal> {
        let abort = AbortController::new().ok()?;
        let signal = abort.signal();
        self.in_flight.insert(flight, abort);
        Some(signal)
    }

    fn landed(&mut self, flight: &Flight) {
        self.in_flight.remove(flight);
    }

    fn abort_all(&mut self) {
        self.in_flight.drain().for_each(|(_, a)| a.abort());
    }

    /// Whether `backend`'s list is due at `now`; if so, it counts as asked from now.
    fn list_due(&mut self, backend: &str, now: u64, every_ms: u64) -> bool {
        let due = self.listed.get(backend).is_none_or(|at| now.saturating_sub(*at) >= every_ms);
        if due {
            self.listed.insert(backend.to_string(), now);
        }
        due
    }

    /// The list failed for good: due again the moment the admin clears the error.
    fn list_stopped(&mut self, backend: &str) {
        self.listed.remove(backend);
    }

    /// Slots of entries that finished or left the table go with them.
    fn keep_slots(&mut self, keep: impl Fn(u64) -> bool) {
        self.slots.retain(|(serial, _), _| keep(*serial));
    }

    /// Where `job`'s slot stands at `now`; a new slot is due at `first_due`.
    fn look(&mut self, key: SlotKey, job: &Job, first_due: u64, now: u64) -> SlotState {
        let slot = self.slots.entry(key).or_insert_with(|| PollSlot::due_at(first_due));
        slot.cancel_seen(job, now);
        slot.state(now)
    }

    fn slot(&mut self, key: SlotKey) -> &mut PollSlot {
        self.slots.entry(key).or_default()
    }

    /// Back to a visible tab: everything is due at once.
    fn hurry(&mut self, now: u64) {
        self.slots.values_mut().for_each(|slot| slot.hurry(now));
    }

    /// Takes the wake-up timer's place for `due`, unless one at or before it is set; the
    /// caller then sets the timer.
    fn wake_at(&mut self, due: u64) -> bool {
        if !self.wake.sooner(due) {
            return false;
        }
        self.stop_timer();
        self.wake.set(due);
        true
    }

    fn stop_timer(&mut self) {
        self.wake.clear();
        if let Some(handle) = self.timer.take() {
            handle.clear();
        }
    }
}
