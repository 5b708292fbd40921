//! One run of a policy: start its backup (unless another is running), wait for its end on the
//! coordinator's schedule, then apply its retention. Every step is one JSON line on stdout.

use std::time::{Duration, Instant};

use backup_core::api::BackupListItem;
use backup_core::policy::retention::{Plan, Verdict};
use backup_core::policy::state::{self, Base, Member};
use backup_core::policy::{field_name, Checked, OnPreviousRunning, PoliciesFile, Policy};
use backup_core::poll::PollPolicy;
use backup_core::status::Status;
use backup_core::version::Capabilities;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::store::Store;
use crate::weaviate::Weaviate;

/// How long a run waits for its backup, and (with `onPreviousRunning: wait`) for another one.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub backup: Duration,
    pub previous: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { backup: Duration::from_secs(6 * 3600), previous: Duration::from_secs(3600) }
    }
}

/// The largest policies file read (a thousand policies is well under it).
const MAX_FILE: u64 = 1 << 20;
/// How often a waiting run asks again whether the other backup has ended.
const BUSY_RETRY: Duration = Duration::from_secs(2);

pub fn zone(name: &str) -> Option<chrono_tz::Tz> {
    name.parse().ok()
}

pub fn zone_known(name: &str) -> bool {
    zone(name).is_some()
}

pub fn load(path: &str) -> Result<PoliciesFile, String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_string(&mut text))
        .map_err(|e| format!("{path}: {e}"))?;
    if text.len() as u64 > MAX_FILE {
        return Err(format!("{path} is larger than {MAX_FILE} bytes."));
    }
    PoliciesFile::parse(&text, &zone_known).map_err(|e| format!("{path}:\n{e}"))
}

/// One JSON line on stdout.
pub fn emit(event: serde_json::Value) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{event}");
    let _ = out.flush();
}

/// The server's version and the policy checked against it.
pub fn prepare(wv: &Weaviate, policy: &Policy) -> Result<(Capabilities, Checked), String> {
    let meta = wv.meta().map_err(|e| format!("reading {}/v1/meta: {e}", wv.url))?;
    let caps = Capabilities::for_version(&meta.version);
    let checked = policy
        .validate(Some(caps), &zone_known)
        .map_err(|errs| errs.iter().map(|(f, m)| format!("{}: {}: {m}", policy.name, field_name(f))).collect::<Vec<_>>().join("\n"))?;
    Ok((caps, checked))
}

/// The policy's backups on the server, newest first. In an incremental policy, a base the
/// server does not show this key is read from the backup's stored descriptor (`baseBackupId`,
/// v1.39.0 `entities/backup/descriptor.go`); one that cannot be read stays unknown, which
/// retention treats as "keep everything older".
pub fn members(wv: &Weaviate, policy: &Policy, checked: &Checked, store: &mut Option<Store>) -> Result<Vec<Member>, String> {
    let items: Vec<BackupListItem> = wv.list(&policy.backend).map_err(|e| format!("listing {} backups: {e}", policy.backend))?;
    let mut found = state::members(policy, checked, &items, false);
    if policy.incremental.is_some() {
        for m in found.iter_mut().filter(|m| m.base == Base::Unknown) {
            let descriptor = open(store, policy)?.descriptor(&m.id)?;
            let base = descriptor
                .and_then(|d| serde_json::from_slice::<serde_json::Value>(&d).ok())
                .and_then(|v| v.get("baseBackupId").map(|b| b.as_str().unwrap_or_default().to_string()));
            if let Some(b) = base {
                m.base = if b.is_empty() { Base::Full } else { Base::On(b) };
            }
        }
    }
    Ok(found)
}

fn open<'a>(store: &'a mut Option<Store>, policy: &Policy) -> Result<&'a Store, String> {
    if store.is_none() {
        *store = Some(Store::open(&policy.backend, policy.bucket.as_deref(), policy.path.as_deref())?);
    }
    Ok(store.as_ref().expect("just opened"))
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Succeeded { id: String, started: DateTime<Utc>, seconds: f64, size_bytes: Option<f64> },
    Skipped { reason: String },
    Failed { id: Option<String>, at: DateTime<Utc>, error: String },
}

/// What a run did, for the exit code and the scheduler's metrics.
#[derive(Clone, Debug)]
pub struct Report {
    pub outcome: Outcome,
    /// Retention's deletions, and its failure if it had one.
    pub expired: usize,
    pub retention_error: Option<String>,
    /// The policy's backups after the run (when they could be listed).
    pub members: Option<Vec<Member>>,
}

impl Report {
    pub fn failure(&self) -> Option<String> {
        match (&self.outcome, &self.retention_error) {
            (Outcome::Failed { error, .. }, _) => Some(error.clone()),
            (_, Some(e)) => Some(format!("retention: {e}")),
            _ => None,
        }
    }
}

/// Runs `policy` once. `stop` says the process is asked to end: waits end early.
pub fn run(wv: &Weaviate, policy: &Policy, limits: Limits, stop: &dyn Fn() -> bool) -> Report {
    let name = policy.name.as_str();
    let fail = |id: Option<String>, error: String| {
        emit(json!({"event": "failed", "policy": name, "id": id, "error": error}));
        Report { outcome: Outcome::Failed { id, at: Utc::now(), error }, expired: 0, retention_error: None, members: None }
    };
    let (caps, checked) = match prepare(wv, policy) {
        Ok(p) => p,
        Err(e) => return fail(None, e),
    };
    if (policy.bucket.is_some() || policy.path.is_some()) && (!policy.retention.is_unset() || policy.incremental.is_some()) {
        // backup-api.md §1: `GET /v1/backups/{backend}` scans the module's default location only.
        emit(json!({"event": "warning", "policy": name, "error": "the server lists only the backend's default bucket and path: backups at this policy's bucket/path are invisible to its retention and incremental chain"}));
    }
    let mut store = None;
    let before = match members(wv, policy, &checked, &mut store) {
        Ok(m) => m,
        Err(e) => return fail(None, e),
    };
    let base = state::next_base(policy, &before);
    let waiting_since = Instant::now();
    let mut announced = false;
    let (started, loc, id) = loop {
        let at = Utc::now();
        let (req, loc) = match policy.create_request(&checked, at, base.as_deref(), caps) {
            Ok(r) => r,
            Err(errs) => return fail(None, errs.iter().map(|(f, m)| format!("{}: {m}", field_name(f))).collect::<Vec<_>>().join("; ")),
        };
        match wv.create(&policy.backend, &req) {
            Ok(_) => break (at, loc, req.id),
            Err(e) if e.is_busy() => {
                let other = e.message().to_string();
                if policy.on_previous_running == OnPreviousRunning::Skip {
                    emit(json!({"event": "skipped", "policy": name, "reason": other}));
                    return Report { outcome: Outcome::Skipped { reason: other }, expired: 0, retention_error: None, members: Some(before) };
                }
                if !announced {
                    emit(json!({"event": "waiting", "policy": name, "reason": other}));
                    announced = true;
                }
                if waiting_since.elapsed() >= limits.previous || !sleep(BUSY_RETRY, stop) {
                    return fail(None, format!("gave up waiting after {} s for the running backup ({other})", waiting_since.elapsed().as_secs()));
                }
            }
            // No answer to the POST: the backup may have started anyway; its status says.
            Err(e) if e.may_have_taken_effect() && wv.status(&policy.backend, &req.id, &loc).is_ok() => break (at, loc, req.id),
            Err(e) => return fail(Some(req.id), e.to_string()),
        }
    };
    emit(json!({"event": "started", "policy": name, "id": id, "backend": policy.backend, "base": base}));
    let outcome = match wait(wv, &policy.backend, &id, &loc, limits.backup, stop) {
        Ok(status) if status.status == Status::Success => {
            let seconds = (Utc::now() - started).num_milliseconds() as f64 / 1000.0;
            let size_bytes = status.size.map(|gib| gib * (1u64 << 30) as f64);
            emit(json!({"event": "succeeded", "policy": name, "id": id, "seconds": seconds, "sizeBytes": size_bytes}));
            Outcome::Succeeded { id, started, seconds, size_bytes }
        }
        Ok(status) => {
            let error = status.error.filter(|e| !e.is_empty()).unwrap_or_else(|| format!("the backup ended {}", status.status.as_str()));
            return finish(wv, policy, &checked, &mut store, fail(Some(id), error));
        }
        Err(e) => return fail(Some(id), e),
    };
    let report = Report { outcome, expired: 0, retention_error: None, members: None };
    finish(wv, policy, &checked, &mut store, report)
}

/// Applies retention after a run that ended, success or failure.
fn finish(wv: &Weaviate, policy: &Policy, checked: &Checked, store: &mut Option<Store>, mut report: Report) -> Report {
    match retention(wv, policy, checked, store, true, false) {
        Ok((expired, members)) => {
            report.expired = expired;
            report.members = Some(members);
        }
        Err(e) => {
            emit(json!({"event": "retention_failed", "policy": policy.name, "error": e}));
            report.retention_error = Some(e);
        }
    }
    report
}

/// The policy's retention plan; with `apply`, the expired backups are deleted. Returns how
/// many were deleted and the members left. `print_plan` prints every verdict.
pub fn retention(wv: &Weaviate, policy: &Policy, checked: &Checked, store: &mut Option<Store>, apply: bool, print_plan: bool) -> Result<(usize, Vec<Member>), String> {
    let members = members(wv, policy, checked, store)?;
    let plan = Plan::of(policy, &members, Utc::now());
    if print_plan {
        for (m, v) in &plan.items {
            let verdict = if matches!(v, Verdict::Expire(_)) { "expire" } else { "keep" };
            emit(json!({"policy": policy.name, "id": m.id, "status": m.status.as_str(), "verdict": verdict, "reason": v.reason()}));
        }
    }
    if !apply {
        return Ok((0, members));
    }
    let mut deleted = 0;
    for (m, v) in plan.items.iter().filter(|(_, v)| matches!(v, Verdict::Expire(_))) {
        let objects = open(store, policy)?.delete_backup(&m.id)?;
        emit(json!({"event": "expired", "policy": policy.name, "id": m.id, "reason": v.reason(), "objects": objects}));
        deleted += 1;
    }
    let left = members.into_iter().filter(|m| plan.kept().any(|k| k.id == m.id)).collect();
    Ok((deleted, left))
}

/// Polls the backup's status just after each of the coordinator's checks (core's [`Grid`]),
/// until it ends. Failed reads are retried with the console's backoff; the deadline is `limit`.
///
/// [`Grid`]: backup_core::poll::Grid
fn wait(wv: &Weaviate, backend: &str, id: &str, loc: &backup_core::options::Location, limit: Duration, stop: &dyn Fn() -> bool) -> Result<backup_core::api::StatusResponse, String> {
    let poll = PollPolicy::default();
    let start = Instant::now();
    let ms = |t: Instant| t.duration_since(start).as_millis() as u64;
    let mut failures = 0u32;
    let mut next = poll.grid.next_ask_ms(0, 0);
    loop {
        let now = ms(Instant::now());
        if now >= limit.as_millis() as u64 {
            return Err(format!("{id} did not end within {} s (it may still be running on the server)", limit.as_secs()));
        }
        if !sleep(Duration::from_millis(next.saturating_sub(now)), stop) {
            return Err(format!("stopped while waiting for {id} (it goes on on the server)"));
        }
        match wv.status(backend, id, loc) {
            Ok(s) if s.status.is_terminal() => return Ok(s),
            Ok(_) => {
                failures = 0;
                next = poll.grid.next_ask_ms(0, ms(Instant::now()));
            }
            Err(e) if e.is_transient() && failures < 10 => {
                failures += 1;
                next = ms(Instant::now()) + poll.next_delay_ms(0, failures, false);
            }
            Err(e) => return Err(format!("reading the status of {id}: {e}")),
        }
    }
}

/// Sleeps `d` in short steps; false when asked to stop.
pub fn sleep(d: Duration, stop: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if stop() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(200)));
    }
}
