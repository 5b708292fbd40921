//! Reactive state shared through context, shaped like Leptos's todomvc: plain types with
//! methods, rows keyed by a stable id, each row's job in its own signal so a status change
//! re-renders only that row.
//!
//! A row's signal belongs to its entry, not to whatever reactive owner happens to be current
//! when the job is added (the journal's effect, an owner-less async task): it is reference
//! counted and lives exactly as long as something holds the entry.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use backup_core::access::Access;
use backup_core::api::BackupListItem;
use backup_core::config::ConsoleConfig;
use backup_core::route::Route;
use backup_core::error::ApiError;
use backup_core::job::{Job, JobKey, JobKind};
use backup_core::status::Status;
use backup_core::table::{diff_listed, ordered};
use backup_core::version::Capabilities;
use leptos::prelude::*;
use web_sys::{AbortController, AbortSignal};

use crate::client::Client;

/// The Weaviate the console is connected to, and what discovery found there.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub client: Client,
    pub version: String,
    pub caps: Capabilities,
    /// Enabled backup backends (`filesystem`, `s3`, …).
    pub backends: Vec<String>,
    /// Existing collections, exact case.
    pub collections: Vec<String>,
    /// Node names of the cluster (empty if `/v1/nodes` was not readable).
    pub nodes: Vec<String>,
    /// Server clock minus browser clock, when the server's `Date` header was readable.
    pub clock_offset_ms: Option<i64>,
    /// What the key may do, when the server has RBAC (`None` without a key or RBAC).
    pub access: Option<Access>,
}

impl Connection {
    /// Connects: the version and backends from `/v1/meta`, the collections from `/v1/schema`.
    /// Each request has the discovery deadline; `abort` ends them early.
    pub async fn discover(client: Client, abort: &AbortSignal) -> Result<Connection, ApiError> {
        let (meta, clock_offset_ms) = client.meta(Some(abort)).await?;
        let schema = client.schema(Some(abort)).await?;
        // Only informative (node mapping, pre-flight): a failure must not block connecting.
        let nodes = client.node_names(Some(abort)).await.unwrap_or_default();
        // Informative too: without RBAC (or on a server without the endpoint) nothing changes.
        let access = match client.has_key() {
            true => client.own_info(Some(abort)).await.ok().and_then(Access::from_own_info),
            false => None,
        };
        Ok(Connection {
            access,
            nodes,
            clock_offset_ms,
            caps: Capabilities::for_version(&meta.version),
            version: meta.version.clone(),
            backends: meta.backup_backends(),
            collections: schema.collection_names(),
            client,
        })
    }
}

/// One row of the job table. The entry owns its job's signal: cloning the entry shares it,
/// and it is freed when the last clone is dropped (the row left the table and no request for
/// it is in flight). Components take an arena handle to it (`RwSignal::from`) for their own
/// lifetime.
#[derive(Clone, Debug)]
pub struct JobEntry {
    /// `{kind}:{backend}:{id}`: stable across updates.
    pub key: String,
    /// Unique per entry, for keying rows: the same `key` on another server is another entry.
    /// (The signal itself is no key: `ArcRwSignal`'s `Hash` is not consistent with its `Eq`.)
    pub serial: u64,
    pub job: ArcRwSignal<Job>,
}

impl JobEntry {
    fn new(job: Job) -> JobEntry {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let serial = NEXT.fetch_add(1, Ordering::Relaxed);
        JobEntry { key: job.key.to_string(), serial, job: ArcRwSignal::new(job) }
    }

    /// Handles for a view that comes and goes (a row, the job detail): `job` to read, the
    /// view's one subscription to the entry, removed when the view goes; `set_job` for what the
    /// view changes (see `reactive::watch`: an entry outlives its rows).
    pub fn watch(&self) -> (Memo<Job>, WriteSignal<Job>) {
        crate::reactive::watch(&self.job)
    }
}

/// The same entry (memos of entries compare by identity, not by job).
impl PartialEq for JobEntry {
    fn eq(&self, other: &Self) -> bool {
        self.serial == other.serial
    }
}

/// Restore and incremental-base suggestions offered: the newest successful backups.
const SUGGESTIONS: usize = 50;

/// All jobs, most recently added first, with a position index by key: a list refresh of
/// 10,000 backups looks each one up instead of scanning.
#[derive(Clone, Debug, Default)]
pub struct Jobs {
    entries: Vec<JobEntry>,
    index: HashMap<String, usize>,
    /// The incremental base each listed backup had (by job key), for the policies' chains.
    bases: HashMap<String, String>,
}

impl Jobs {
    fn reindex(&mut self) {
        self.index = self.entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect();
    }

    fn find(&self, key: &str) -> Option<&JobEntry> {
        self.index.get(key).map(|&i| &self.entries[i])
    }

    /// Adds a job at the top. A job with the same key (a backup the list found while its POST
    /// was in flight, a restore of the same backup run again) takes over the existing row:
    /// rows are keyed by job, so the entry and its signal must stay the same.
    pub fn add(&mut self, job: Job) {
        let key = job.key.to_string();
        let entry = match self.index.get(&key) {
            Some(&pos) => {
                let e = self.entries.remove(pos);
                e.job.set(job);
                e
            }
            None => JobEntry::new(job),
        };
        self.entries.insert(0, entry);
        self.reindex();
    }

    /// Replaces every job with another server's (its journal). Every entry is new, even for a
    /// key both servers have: a backup `x` on server B is not the `x` of server A, and a late
    /// answer about A's `x` (a poll, a cancel) must land on A's entry, not on B's row.
    pub fn replace(&mut self, jobs: Vec<Job>) {
        self.entries = jobs.into_iter().map(JobEntry::new).collect();
        self.bases.clear();
        self.reindex();
    }

    /// Drops finished jobs from view (and so from the journal).
    pub fn clear_finished(&mut self) {
        self.entries.retain(|e| !e.job.with_untracked(Job::is_terminal));
        self.reindex();
    }

    /// Merges a backend's list: unknown backups are added (marked as from elsewhere), known
    /// ones take the server's status once it is final. Only the rows the list changes are
    /// notified; whether rows were added (the list itself changed) is returned.
    pub fn merge_listed(&mut self, backend: &str, items: &[BackupListItem], now_ms: u64) -> bool {
        let diff = diff_listed(backend, items, |key| self.index.get(key).copied());
        for item in items.iter().filter(|i| i.incremental_base_backup_id.as_deref().is_some_and(|b| !b.is_empty())) {
            let key = JobKey { kind: JobKind::Backup, backend: backend.to_string(), id: item.id.clone() }.to_string();
            if !self.bases.contains_key(&key) {
                self.bases.insert(key, item.incremental_base_backup_id.clone().unwrap_or_default());
            }
        }
        for &(item, at) in &diff.known {
            self.entries[at].job.maybe_update(|j| j.apply_listed(&items[item], now_ms));
        }
        for &item in &diff.added {
            let entry = JobEntry::new(Job::from_listed(backend, &items[item], now_ms));
            self.index.insert(entry.key.clone(), self.entries.len());
            self.entries.push(entry);
        }
        !diff.added.is_empty()
    }

    /// Ids of the newest successful backups on `backend` (restore and incremental-base
    /// suggestions). Untracked: [`AppState::successful_backups`] says when to ask again.
    fn successful_backups(&self, backend: &str) -> Vec<String> {
        let found: Vec<(u64, String)> = self
            .entries
            .iter()
            .filter_map(|e| {
                e.job.with_untracked(|j| {
                    (j.key.kind == JobKind::Backup && j.key.backend == backend && j.status == Status::Success)
                        .then(|| (j.started_ms, j.key.id.clone()))
                })
            })
            .collect();
        let order = ordered(found.iter().enumerate().map(|(i, (started, _))| (0, !started, i)).collect());
        order.into_iter().take(SUGGESTIONS).map(|i| found[i].1.clone()).collect()
    }

    /// The collections of a known backup.
    pub fn backup_classes(&self, backend: &str, id: &str) -> Vec<String> {
        let key = JobKey { kind: JobKind::Backup, backend: backend.to_string(), id: id.to_string() }.to_string();
        self.find(&key).map(|e| e.job.with(|j| j.classes.clone())).unwrap_or_default()
    }

    /// Follows the journal as merged with what other tabs wrote (`crate::journal`): each job
    /// takes the journal's version, jobs another tab started are added, and those another tab
    /// cleared leave (a later run under the same key stays). Changed rows notify themselves;
    /// whether the list changed is returned.
    pub fn follow_journal(&mut self, jobs: Vec<Job>, cleared: &[(JobKey, u64)]) -> bool {
        let mut added = vec![];
        for job in jobs {
            match self.find(&job.key.to_string()) {
                // A backup listed here that another tab started (or cancelled) is that tab's job.
                Some(e) => e.job.maybe_update(|j| backup_core::journal::adopt(j, &job)),
                None => added.push(JobEntry::new(job)),
            }
        }
        let mut changed = !added.is_empty();
        // At the top, as `add` puts a job, once every lookup above is done (they go by position).
        self.entries.splice(0..0, added);
        let before = self.entries.len();
        if !cleared.is_empty() {
            let cleared: HashMap<&JobKey, u64> = cleared.iter().map(|(key, run)| (key, *run)).collect();
            self.entries.retain(|e| e.job.with_untracked(|j| cleared.get(&j.key).is_none_or(|run| j.started_ms > *run)));
        }
        changed |= self.entries.len() != before;
        if changed {
            self.reindex();
        }
        changed
    }

    /// Takes what the tab polling this server read about a job (`crate::tabs`) if it is newer,
    /// or adds the job (a backup started elsewhere that this tab's list has not shown yet).
    /// Whether the list changed.
    pub fn take_shared(&mut self, job: Job) -> bool {
        match self.find(&job.key.to_string()) {
            Some(e) => {
                e.job.maybe_update(|j| backup_core::journal::take_shared(j, &job));
                false
            }
            None => {
                self.add(job);
                true
            }
        }
    }

    /// Keys of the jobs still running.
    pub fn running(&self) -> Vec<String> {
        self.entries.iter().filter(|e| e.job.with(|j| !j.is_terminal())).map(|e| e.key.clone()).collect()
    }

    pub fn entries(&self) -> &[JobEntry] {
        &self.entries
    }

    /// The incremental base the server listed for the backup with `key`, if any.
    pub fn base(&self, key: &str) -> Option<&str> {
        self.bases.get(key).map(String::as_str)
    }

    /// Where the job with `key` is in [`Jobs::entries`].
    pub fn position(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// A snapshot of every job, tracking each row's signal.
    pub fn snapshot(&self) -> Vec<Job> {
        self.entries.iter().map(|e| e.job.get()).collect()
    }
}

/// Which tab of the browser polls a server's running jobs: one per server, elected by
/// `crate::tabs`; the others take what it reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Lead {
    /// No other tab shares the work (no Web Locks or BroadcastChannel here, or a test harness):
    /// this tab polls whatever it is connected to.
    #[default]
    Alone,
    /// This tab polls the server with this base URL, and tells the other tabs what it reads.
    Polls(String),
    /// Another tab polls (or none has been elected yet).
    Follows,
}

impl Lead {
    /// Whether this tab polls the jobs of the server at `base_url`.
    pub fn polls(&self, base_url: &str) -> bool {
        match self {
            Lead::Alone => true,
            Lead::Polls(url) => url == base_url,
            Lead::Follows => false,
        }
    }
}

/// Everything components share; provided once by the app.
#[derive(Clone, Copy)]
pub struct AppState {
    pub connection: RwSignal<Option<Connection>>,
    pub jobs: RwSignal<Jobs>,
    /// Entries not finished when the list last changed: the only ones whose status can still
    /// change (a finished job stays finished, and `Jobs::add` of a new run changes the list).
    /// Recomputed only when the list changes, so per-update costs follow these few.
    pub active: Memo<Vec<JobEntry>>,
    /// The entries running now; changes only when a job starts or ends.
    pub running: Memo<Vec<JobEntry>>,
    /// The poller's clock, for live durations.
    pub now: RwSignal<u64>,
    /// A notice for the whole page (e.g. an unreadable saved job list).
    pub notice: RwSignal<Option<String>>,
    /// Backends whose list could not be read, with why.
    pub list_errors: RwSignal<Vec<(String, ApiError)>>,
    /// A running job unchanged this long is flagged "may be stuck".
    pub stall_minutes: RwSignal<u64>,
    /// Whether this tab polls the connected server's jobs (`crate::tabs`).
    pub lead: RwSignal<Lead>,
    /// The effective runtime configuration (host > config.json > query).
    pub config: RwSignal<ConsoleConfig>,
    pub connecting: RwSignal<bool>,
    pub connect_error: RwSignal<Option<ApiError>>,
    /// Aborts the discovery in progress, if any.
    discovery: StoredValue<Option<AbortController>, LocalStorage>,
    /// The deep link in the URL fragment.
    pub route: RwSignal<Route>,
}

impl AppState {
    pub fn new() -> AppState {
        let jobs = RwSignal::new(Jobs::default());
        let unfinished = |e: &&JobEntry| e.job.with_untracked(|j| !j.is_terminal());
        let active = Memo::new(move |_| jobs.with(|j| j.entries().iter().filter(unfinished).cloned().collect::<Vec<_>>()));
        let running = Memo::new(move |_| {
            active.with(|a| a.iter().filter(|e| e.job.with(|j| !j.is_terminal())).cloned().collect::<Vec<_>>())
        });
        AppState {
            connection: RwSignal::new(None),
            jobs,
            active,
            running,
            now: RwSignal::new(crate::now_ms()),
            notice: RwSignal::new(None),
            list_errors: RwSignal::new(vec![]),
            stall_minutes: RwSignal::new(backup_core::job::DEFAULT_STALL_MS / 60_000),
            lead: RwSignal::new(Lead::Alone),
            config: RwSignal::new(ConsoleConfig::default()),
            connecting: RwSignal::new(false),
            connect_error: RwSignal::new(None),
            discovery: StoredValue::new_local(None),
            route: RwSignal::new(Route::Home),
        }
    }

    /// Ids of the newest successful backups on `backend`, for the restore and incremental-base
    /// suggestions. A backup becomes a successful one only by being added or by ending, so this
    /// follows the list and `running`, not every job: a status read of one running job does
    /// not rescan 10,000 listed backups.
    pub fn successful_backups(self, backend: &str) -> Vec<String> {
        crate::reactive::depend_on(self.running);
        self.jobs.with(|j| j.successful_backups(backend))
    }

    /// Connects to `base_url` (normalized), with `key` only if it belongs to that server; the
    /// result lands in `connection` or `connect_error`. Connecting again aborts a discovery
    /// still running, so a hung server does not keep "Connect" busy and its late answer is
    /// never used.
    pub fn connect(self, base_url: &str, key: Option<&backup_core::origin::BoundKey>) {
        self.connect_error.set(None);
        let Ok(abort) = AbortController::new() else {
            self.connect_error.set(Some(ApiError::Network("this browser cannot abort requests (no AbortController)".into())));
            return;
        };
        if let Some(previous) = self.discovery.try_update_value(|d| d.replace(abort.clone())).flatten() {
            previous.abort();
        }
        self.connecting.set(true);
        let client = Client::new(base_url, key);
        leptos::task::spawn_local(async move {
            let signal = abort.signal();
            let result = Connection::discover(client, &signal).await;
            if signal.aborted() {
                return; // superseded by a newer Connect, which owns `connecting` now
            }
            let _ = self.connecting.try_set(false);
            match result {
                Ok(c) => {
                    let _ = self.connection.try_set(Some(c));
                }
                Err(e) => {
                    let _ = self.connect_error.try_set(Some(e));
                }
            }
        });
    }

    pub fn read_only(&self) -> bool {
        self.config.with(|c| c.read_only == Some(true))
    }

    pub fn connected(&self) -> bool {
        self.connection.with(Option::is_some)
    }

    /// The connected server's base URL (tracked).
    pub fn server_url(&self) -> Option<String> {
        self.connection.with(|c| c.as_ref().map(|c| c.client.base_url().to_string()))
    }

    /// Why this console must not connect by itself, restore or cancel: a page the deployment
    /// does not allow frames it (see `embed::framing_refusal`).
    pub fn framing_refusal(&self) -> Option<String> {
        self.config.with(crate::embed::framing_refusal)
    }

    pub fn provide(self) -> AppState {
        provide_context(self);
        self
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The state provided by the app (or a test harness).
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
