//! Watches jobs start and finish, and tells whoever cares: the host page (`embed`), the
//! document title (running count), and a toast when a job ends while the tab is hidden.

use std::collections::HashMap;

use backup_core::host::ConsoleEvent;
use backup_core::job::{Job, Origin};
use leptos::prelude::*;

use crate::embed::post_to_host;
use crate::state::use_app_state;

const TITLE: &str = "Weaviate Backup Console";

/// The toasts shown (newest last), each a sentence.
#[derive(Clone, Copy)]
pub struct Toasts(pub RwSignal<Vec<String>>);

pub fn use_job_events() -> Toasts {
    let state = use_app_state();
    let toasts = Toasts(RwSignal::new(vec![]));
    let mounted_at = crate::now_ms();
    // Last seen "is terminal" per job key.
    let seen = StoredValue::new(HashMap::<String, bool>::new());
    Effect::new(move |_| {
        let jobs: Vec<Job> = state.jobs.with(|j| j.snapshot());
        let running = jobs.iter().filter(|j| !j.is_terminal()).count();
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&if running > 0 { format!("({running} running) {TITLE}") } else { TITLE.to_string() });
        }
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
        for job in &jobs {
            let key = job.key.to_string();
            let done = job.is_terminal();
            let before = seen.with_value(|s| s.get(&key).copied());
            match before {
                None if !done && job.origin == Origin::Console && job.started_ms >= mounted_at => {
                    post_to_host(&ConsoleEvent::started(job));
                }
                Some(false) if done => {
                    post_to_host(&ConsoleEvent::finished(job));
                    if hidden {
                        toasts.0.update(|t| t.push(format!("{} {} ended {}", job.key.kind.as_str(), job.key.id, job.status.as_str())));
                    }
                }
                _ => {}
            }
            seen.update_value(|s| {
                s.insert(key, done);
            });
        }
    });
    toasts
}
