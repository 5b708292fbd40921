//! Watches jobs start and finish, and tells whoever cares: the host page (`embed`), the
//! document title (running count), and a toast (plus, for a job this console started, an
//! opt-in browser notification) when a job ends while the tab is hidden.

use backup_core::host::ConsoleEvent;
use backup_core::job::Origin;
use leptos::prelude::*;
use leptos_use_document_visibility::use_document_visibility;
use web_sys::VisibilityState;

use crate::embed::post_to_host;
use crate::state::{use_app_state, JobEntry};

const TITLE: &str = "Weaviate Backup Console";

/// What the admin is told when a job ends while they are away.
#[derive(Clone, Copy)]
pub struct Alerts {
    /// Toasts shown (newest last), each a sentence.
    pub toasts: RwSignal<Vec<String>>,
    /// Opt-in browser notifications.
    pub notify: RwSignal<bool>,
}

impl Alerts {
    /// Turns browser notifications on (asking the browser's permission) or off.
    pub fn set_notify(self, on: bool) {
        if on {
            let _ = web_sys::Notification::request_permission();
        }
        self.notify.set(on);
    }

    /// Shows a toast, and a browser notification too if the admin opted in and `notify` (see
    /// [`Job::may_notify`](backup_core::job::Job::may_notify)).
    fn tell(self, text: String, notify: bool) {
        if notify && self.notify.get_untracked() && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
            let _ = web_sys::Notification::new(&text);
        }
        self.toasts.update(|t| t.push(text));
    }
}

/// Follows `AppState::running`, which changes only when a job starts or ends: the title
/// counts it, and whatever left it finished. No per-job work while nothing starts or ends.
pub fn use_job_events() -> Alerts {
    let state = use_app_state();
    let alerts = Alerts { toasts: RwSignal::new(vec![]), notify: RwSignal::new(false) };
    let mounted_at = crate::now_ms();
    // The admin was away since the last look: a job that ends now ended "while hidden" (polling
    // slows to a heartbeat in a hidden tab, so the end is often seen just after coming back).
    let visibility = use_document_visibility();
    let away = StoredValue::new(false);
    Effect::new(move |_| {
        if visibility.get() == VisibilityState::Hidden {
            away.set_value(true);
        }
    });
    Effect::new(move |before: Option<Vec<JobEntry>>| {
        let running = state.running.get();
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let n = running.len();
            doc.set_title(&if n > 0 { format!("({n} running) {TITLE}") } else { TITLE.to_string() });
        }
        let hidden = visibility.get_untracked() == VisibilityState::Hidden;
        let was_away = hidden || away.get_value();
        let before = before.unwrap_or_default();
        for entry in running.iter().filter(|e| !before.contains(e)) {
            entry.job.with_untracked(|job| {
                if job.origin == Origin::Console && job.started_ms >= mounted_at {
                    post_to_host(state, &ConsoleEvent::started(job));
                }
            });
        }
        // Left `running`: ended, or left the table (another server's jobs), which is no end.
        for entry in before.iter().filter(|e| !running.contains(e)) {
            let ended = entry.job.with_untracked(|job| {
                job.is_terminal().then(|| {
                    post_to_host(state, &ConsoleEvent::finished(job));
                    (format!("{} {} ended {}", job.key.kind.as_str(), job.key.id, job.status.as_str()), job.may_notify())
                })
            });
            if let (Some((text, notify)), true) = (ended, was_away) {
                alerts.tell(text, notify);
            }
        }
        if !hidden {
            away.set_value(false);
        }
        running
    });
    alerts
}
