//! The console's policies and how each stands, shared by the Policies view, the summary line
//! and the coverage view: `config.json`'s (read-only) and the ones made in this browser (kept in
//! `localStorage` per server), grouped over the jobs the console already knows. Nothing here
//! asks the server anything.

use std::time::Duration;

use backup_core::policy::state::Member;
use backup_core::policy::{Checked, Policy};
use backup_core::policy_view::{at_ms, Grouping, KeptPolicies, PolicyRow, Utc};
use backup_core::validate::FieldErrors;
use leptos::prelude::*;
use leptos_use_interval_fn::use_interval_fn;

use super::intl_zone::{zone, zone_known};
use crate::now_ms;
use crate::state::{use_app_state, AppState};

/// One policy as the console has it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub policy: Policy,
    /// From `config.json`: read-only here.
    pub from_config: bool,
    /// Its parsed parts, or why it cannot run here (a zone this browser does not know, say).
    pub checked: Result<Checked, FieldErrors>,
}

/// A policy that runs here, with its backups and its row.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    pub row: PolicyRow,
    /// Newest first.
    pub members: Vec<Member>,
}

/// How often ages and states move on without any job changing ("3 h ago", overdue): a clock,
/// not a request.
const CLOCK: Duration = Duration::from_secs(30);

/// Shared through context by the dashboard.
#[derive(Clone, Copy)]
pub struct PolicyBook {
    /// Why `config.json`'s policies cannot be used, if so (none of them is then).
    pub config_error: Memo<Option<String>>,
    pub kept: RwSignal<KeptPolicies>,
    /// Why what this browser kept could not be read, or saved.
    pub kept_error: RwSignal<Option<String>>,
    pub entries: Memo<Vec<Entry>>,
    /// The policies that run here, by name, in `entries`' order.
    pub standing: Memo<Vec<(String, Standing)>>,
    pub now: RwSignal<u64>,
    server: Memo<Option<String>>,
}

fn storage_key(server: &str) -> String {
    format!("backup-console.policies {server}")
}

impl PolicyBook {
    /// Builds the book and provides it; call once, in the dashboard.
    pub fn provide() -> PolicyBook {
        let state = use_app_state();
        let now = RwSignal::new(now_ms());
        use_interval_fn(move || now.set(now_ms()), CLOCK.as_millis() as u64);
        let config = Memo::new(move |_| state.config.with(|c| c.policies(&zone_known)));
        let config_error = Memo::new(move |_| config.with(|c| c.as_ref().err().cloned()));
        let server = Memo::new(move |_| state.server_url());
        let kept = RwSignal::new(KeptPolicies::default());
        let kept_error = RwSignal::new(None::<String>);
        // Another server: its own policies.
        Effect::new(move |_| {
            let Some(server) = server.get() else { return };
            let text = crate::local_storage().and_then(|s| s.get_item(&storage_key(&server)).ok().flatten());
            match text.map(|t| KeptPolicies::parse(&t)).unwrap_or_else(|| Ok(KeptPolicies::default())) {
                Ok(k) => {
                    kept.set(k);
                    kept_error.set(None);
                }
                Err(e) => {
                    kept.set(KeptPolicies::default());
                    kept_error.set(Some(e));
                }
            }
        });
        let entries = Memo::new(move |_| {
            let from_config = config.with(|c| c.clone().unwrap_or_default());
            let caps = state.connection.with(|c| c.as_ref().map(|c| c.caps));
            let names: Vec<String> = from_config.iter().map(|p| p.name.clone()).collect();
            let mine: Vec<Policy> = kept.with(|k| k.policies.iter().filter(|p| !names.contains(&p.name)).cloned().collect());
            from_config
                .into_iter()
                .map(|p| (p, true))
                .chain(mine.into_iter().map(|p| (p, false)))
                .map(|(policy, from_config)| Entry { checked: policy.validate(caps, &zone_known), policy, from_config })
                .collect::<Vec<_>>()
        });
        // Every policy's first sight, for `PolicyState::of`: saved with this browser's policies.
        Effect::new(move |_| {
            let names: Vec<String> = entries.with(|e| e.iter().map(|e| e.policy.name.clone()).collect());
            // `kept` tracked: another server's record, loaded later, is completed too (this
            // effect's own update comes back once and finds nothing new).
            if server.with_untracked(Option::is_some) && kept.with(|k| names.iter().any(|n| !k.first_seen.contains_key(n))) {
                let at = now_ms() as i64;
                kept.update(|k| {
                    k.see(names.iter().map(String::as_str), at);
                });
            }
        });
        // Every change is saved at once, for this server only.
        Effect::new(move |first: Option<()>| {
            let json = kept.with(KeptPolicies::to_json);
            if first.is_none() {
                return;
            }
            let Some(server) = server.get_untracked() else { return };
            let saved = crate::local_storage().map(|s| s.set_item(&storage_key(&server), &json).is_ok());
            if saved != Some(true) {
                kept_error.set(Some("The policies made here could not be saved in this browser (storage full or blocked): they will be gone after a reload.".into()));
            }
        });
        // The poller's clock ticks every second while a job runs; ages and states need no more
        // than this book's own half-minute clock (and every job change recounts at once).
        let tick = Memo::new(move |_| now.get().max(state.now.get()) / CLOCK.as_millis() as u64);
        let standing = Memo::new(move |_| standing(state, entries, kept, tick));
        let book = PolicyBook { config_error, kept, kept_error, entries, standing, now, server };
        provide_context(book);
        book
    }

    /// The connected server's URL (policies are kept per server).
    pub fn server(self) -> Option<String> {
        self.server.get()
    }

    pub fn entry(self, name: &str) -> Option<Entry> {
        self.entries.with(|e| e.iter().find(|e| e.policy.name == name).cloned())
    }
}

/// Groups every known job under its policy and works out each policy's state.
fn standing(state: AppState, entries: Memo<Vec<Entry>>, kept: RwSignal<KeptPolicies>, tick: Memo<u64>) -> Vec<(String, Standing)> {
    tick.track();
    let at = at_ms(now_ms());
    entries.with(|entries| {
        let runnable: Vec<(Policy, Checked)> =
            entries.iter().filter_map(|e| e.checked.as_ref().ok().map(|c| (e.policy.clone(), c.clone()))).collect();
        let mut grouping = Grouping::new(&runnable);
        state.jobs.with(|jobs| {
            for e in jobs.entries() {
                e.job.with(|job| grouping.add(job, jobs.base(&e.key)));
            }
        });
        kept.with(|k| {
            runnable
                .iter()
                .enumerate()
                .map(|(i, (policy, checked))| {
                    let members = grouping.members(i);
                    let row = match zone(&policy.time_zone) {
                        Some(tz) => PolicyRow::of(policy, checked, &tz, &members, at, k.since(&policy.name)),
                        // Validated a moment ago; a browser that forgets a zone counts it as UTC.
                        None => PolicyRow::of(policy, checked, &Utc, &members, at, k.since(&policy.name)),
                    };
                    (policy.name.clone(), Standing { row, members })
                })
                .collect()
        })
    })
}

/// The book, where the dashboard provides it.
pub fn use_policy_book() -> Option<PolicyBook> {
    use_context::<PolicyBook>()
}
