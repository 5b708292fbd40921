//! A backup or restore job as the console tracks it, and the state machine that folds
//! status answers and polling failures into it.

use serde::{Deserialize, Serialize};

use crate::api::{BackupListItem, StartedResponse, StatusResponse};
use crate::error::ApiError;
use crate::format::parse_rfc3339_ms;
use crate::limit::server_text;
use crate::options::Location;
use crate::status::Status;
use crate::version::{Capabilities, Feature};

/// Who started a job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// This console.
    #[default]
    Console,
    /// Found in the backend's list: a script, a client library, another admin.
    Server,
}

/// How long a running job may go without any change before it is flagged, by default.
pub const DEFAULT_STALL_MS: u64 = 10 * 60 * 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    Backup,
    Restore,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Backup => "backup",
            JobKind::Restore => "restore",
        }
    }
}

/// What identifies a job: Weaviate keys backups by (backend, id), and a restore of that
/// backup is a separate job with its own status endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobKey {
    pub kind: JobKind,
    pub backend: String,
    pub id: String,
}

impl std::fmt::Display for JobKey {
    /// `{kind}:{backend}:{id}`, the row's `data-job` attribute.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.kind.as_str(), self.backend, self.id)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub key: JobKey,
    pub status: Status,
    /// Collections the server selected for this job.
    pub classes: Vec<String>,
    /// The server's error for a failed job.
    pub error: Option<String>,
    /// Client clock, ms since the epoch.
    pub started_ms: u64,
    pub finished_ms: Option<u64>,
    pub size_gib: Option<f64>,
    /// Last successful status read.
    pub last_update_ms: u64,
    /// Consecutive failed status reads; drives the retry backoff.
    pub poll_failures: u32,
    /// Why the last status read failed, while it keeps failing (or why polling stopped).
    pub poll_problem: Option<String>,
    /// The permanent error that stopped polling this job, until the admin asks to check again.
    /// Not saved: a reload checks once more.
    #[serde(skip)]
    pub poll_stopped: Option<ApiError>,
    #[serde(default)]
    pub origin: Origin,
    /// Custom bucket/path: every status and cancel call must repeat it.
    #[serde(default)]
    pub location: Location,
    /// The admin asked to cancel; the server has accepted (204).
    #[serde(default)]
    pub cancel_requested: bool,
    /// Last time the status or size changed (stall detection).
    #[serde(default)]
    pub last_change_ms: u64,
    /// The request that started it, for "copy as curl/Python" (never with the key).
    #[serde(default)]
    pub request: Option<crate::snippet::SentRequest>,
    /// Each status as this console first saw it, with the client time it saw it (the job
    /// detail's timeline). Weaviate keeps no history, so this is all there is.
    #[serde(default)]
    pub observed: Vec<(Status, u64)>,
    /// When the coordinator started counting, on this console's clock (when the POST's answer
    /// arrived): the origin of the status grid ([`crate::poll::Grid`]). Unknown for a job
    /// started elsewhere or recovered after a lost answer.
    #[serde(default)]
    pub grid_start_ms: Option<u64>,
}

/// At most this many timeline entries are kept (a newer server's unknown states, a tampered
/// journal): the first and the latest ones.
pub const MAX_OBSERVED: usize = 16;

impl Job {
    /// A job the server just accepted; keyed by what was sent (the answer echoes it).
    pub fn started(key: JobKey, resp: &StartedResponse, now_ms: u64) -> Job {
        let mut job = Job {
            key,
            status: kept_status(&resp.status),
            classes: kept_names(&resp.classes),
            error: resp.error.as_deref().filter(|e| !e.is_empty()).map(server_text),
            started_ms: now_ms,
            finished_ms: None,
            size_gib: None,
            last_update_ms: now_ms,
            poll_failures: 0,
            poll_problem: None,
            poll_stopped: None,
            origin: Origin::Console,
            location: Location::default(),
            cancel_requested: false,
            last_change_ms: now_ms,
            request: None,
            observed: vec![],
            grid_start_ms: Some(now_ms),
        };
        job.observe(now_ms);
        job.note_terminal(now_ms);
        job
    }

    /// A job whose start request got no answer (network error, 5xx) but that the server knows:
    /// found by asking for its status, so the admin sees it instead of retrying blindly.
    pub fn recovered(key: JobKey, location: Location, resp: &StatusResponse, now_ms: u64) -> Job {
        let started = StartedResponse {
            id: key.id.clone(),
            backend: key.backend.clone(),
            classes: vec![],
            path: resp.path.clone(),
            status: resp.status.clone(),
            error: resp.error.clone(),
        };
        let mut job = Job::started(key, &started, now_ms);
        job.location = location;
        job.size_gib = resp.size;
        job.grid_start_ms = None;
        job
    }

    /// A backup found in the backend's list that the console has not seen before.
    pub fn from_listed(backend: &str, item: &BackupListItem, now_ms: u64) -> Job {
        let started = item.started_at.as_deref().and_then(parse_rfc3339_ms).unwrap_or(now_ms);
        let resp = StartedResponse {
            id: item.id.clone(),
            backend: backend.to_string(),
            classes: item.classes.clone(),
            path: None,
            status: item.status.clone(),
            error: None,
        };
        let key = JobKey { kind: JobKind::Backup, backend: backend.to_string(), id: item.id.clone() };
        let mut job = Job::started(key, &resp, started);
        job.origin = Origin::Server;
        job.grid_start_ms = None;
        job.size_gib = item.size;
        job.last_update_ms = now_ms;
        job.last_change_ms = now_ms;
        if job.is_terminal() {
            job.finished_ms = item.completed_at.as_deref().and_then(parse_rfc3339_ms).or(Some(now_ms));
        }
        // Not seen by this console: the list's own start and end times are the timeline.
        job.observed = vec![];
        job.observed = job.timeline();
        job
    }

    /// Folds a list item for the same backup in: the server's view wins once it is finished.
    /// Whether anything changed; an item that changes nothing leaves the job untouched, so a
    /// list refresh touches only the rows it changes.
    pub fn apply_listed(&mut self, item: &BackupListItem, now_ms: u64) -> bool {
        if self.key.kind != JobKind::Backup || self.is_terminal() || !item.status.is_terminal() {
            return false;
        }
        self.status = kept_status(&item.status);
        if !item.classes.is_empty() {
            self.classes = kept_names(&item.classes);
        }
        if item.size.is_some() {
            self.size_gib = item.size;
        }
        self.last_change_ms = now_ms;
        self.finished_ms = item.completed_at.as_deref().and_then(parse_rfc3339_ms).or(Some(now_ms));
        // The server answered with the end: whatever kept status reads from it is over, and a
        // "connection lost" from before would otherwise stay on a finished job for good.
        self.poll_failures = 0;
        self.poll_problem = None;
        self.poll_stopped = None;
        self.observe(now_ms);
        true
    }

    /// Whether the journal keeps this job: one this console started or acted on. Backups
    /// listed by the server are read from it again after a reload.
    pub fn journaled(&self) -> bool {
        self.origin == Origin::Console || self.cancel_requested
    }

    /// Whether a browser notification may tell of this job: only if this console started it.
    /// A listed job's id is whatever text its starter (or the server) chose, and a notification
    /// shows it outside the page, as the browser's own message ("Weaviate: key expired — sign in
    /// at …"); the page's toast still shows it, where it reads as a job's name.
    pub fn may_notify(&self) -> bool {
        self.origin == Origin::Console
    }

    /// The error to show: the server's, or for a failure it gave no reason for (Weaviate
    /// leaves `error` empty when a node is lost before its first check), where to look.
    pub fn error_shown(&self) -> Option<String> {
        self.error.clone().filter(|e| !e.is_empty()).or_else(|| {
            (self.status == Status::Failed).then(|| {
                "Weaviate gave no reason. Check the logs of the node that coordinated it and whether every node is up.".to_string()
            })
        })
    }

    /// What came of a cancel, once the job has ended.
    pub fn cancel_outcome(&self) -> Option<&'static str> {
        if !self.cancel_requested {
            return None;
        }
        match self.status {
            Status::Canceled => Some("Canceled as requested."),
            Status::Success => Some("The job finished before the cancel took effect: it succeeded."),
            Status::Failed => Some("The job failed before the cancel took effect."),
            _ => Some("Cancelling… waiting for the server to confirm."),
        }
    }

    /// Whether the admin may cancel this job now, or why not.
    pub fn cancel_blocker(&self, caps: Capabilities) -> Result<(), String> {
        if self.is_terminal() {
            return Err("The job has ended.".into());
        }
        if self.cancel_requested {
            return Err("Cancel already requested.".into());
        }
        let feature = match self.key.kind {
            JobKind::Backup => Feature::Cancel,
            JobKind::Restore => Feature::RestoreCancel,
        };
        if let Some(why) = caps.lacks(feature) {
            return Err(format!("Cancelling a {} {}", self.key.kind.as_str(), why.to_lowercase()));
        }
        if self.status == Status::Finalizing {
            return Err("Weaviate is applying the restored schema (FINALIZING) and refuses to cancel now.".into());
        }
        Ok(())
    }

    /// Since when a running job has shown no change, if that is longer than `threshold_ms`.
    pub fn stalled_since(&self, now_ms: u64, threshold_ms: u64) -> Option<u64> {
        (!self.is_terminal() && now_ms.saturating_sub(self.last_change_ms) >= threshold_ms).then_some(self.last_change_ms)
    }

    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// Folds a status answer into the job. A terminal status is final: later answers (for
    /// example a restore-status rewritten by a cancel elsewhere) do not reopen the job.
    pub fn apply_status(&mut self, resp: &StatusResponse, now_ms: u64) {
        self.last_update_ms = now_ms;
        self.poll_failures = 0;
        self.poll_problem = None;
        self.poll_stopped = None;
        if self.is_terminal() {
            return;
        }
        let status = kept_status(&resp.status);
        if status != self.status || (resp.size.is_some() && resp.size != self.size_gib) {
            self.last_change_ms = now_ms;
        }
        self.status = status;
        if let Some(e) = resp.error.as_deref().filter(|e| !e.is_empty()) {
            self.error = Some(server_text(e));
        }
        if resp.size.is_some() {
            self.size_gib = resp.size;
        }
        self.observe(now_ms);
        self.note_terminal(now_ms);
    }

    /// A status read failed: the job stays, with the reason. A transient failure backs off and
    /// retries; a permanent one stops polling this job (see [`Job::polls`]) and says why.
    pub fn apply_poll_error(&mut self, err: &ApiError) {
        if err.is_transient() {
            self.poll_failures = self.poll_failures.saturating_add(1);
            let what = if matches!(err, ApiError::Decode(_)) { "unreadable answer" } else { "connection lost" };
            self.poll_problem = Some(format!("{what} — retrying: {err}"));
            return;
        }
        let why = match err {
            // The text of a status 404 is a dump of Go internals; the code says it all.
            ApiError::NotFound(_) => "The server no longer knows this job (404) — polling stopped".to_string(),
            // The server's words stay quoted as its own: they are not the console's instructions.
            ApiError::Unauthorized(_) => format!("The API key was rejected (401) — polling stopped: {}", err.shown(None)),
            ApiError::Forbidden(_) => format!("This API key may not read this job (403) — polling stopped: {}", err.shown(None)),
            other => format!("The server refused the status request — polling stopped: {}", other.shown(None)),
        };
        self.poll_problem = Some(why);
        self.poll_stopped = Some(err.clone());
    }

    /// Whether the poller should keep asking for this job's status.
    pub fn polls(&self) -> bool {
        !self.is_terminal() && self.poll_stopped.is_none()
    }

    /// The admin asked to check a stopped job again: the next tick polls it once more.
    pub fn check_again(&mut self) {
        self.poll_stopped = None;
    }

    /// A new API key (or server) is in use: a job stopped by 401/403 is worth asking again.
    /// Whether it was resumed.
    pub fn key_changed(&mut self) -> bool {
        let resume = self.poll_stopped.as_ref().is_some_and(ApiError::is_auth);
        if resume {
            self.poll_stopped = None;
        }
        resume
    }

    /// Elapsed time, live while running.
    pub fn duration_ms(&self, now_ms: u64) -> u64 {
        self.finished_ms.unwrap_or(now_ms).saturating_sub(self.started_ms)
    }

    /// Records the current status in the timeline if it is new.
    fn observe(&mut self, now_ms: u64) {
        if self.observed.last().is_some_and(|(s, _)| *s == self.status) {
            return;
        }
        if self.observed.len() >= MAX_OBSERVED {
            self.observed.remove(1);
        }
        self.observed.push((self.status.clone(), now_ms));
    }

    /// The status timeline to show: what this console observed, oldest first. A job saved by
    /// an older console has none; its start (and end, if known) stand in for it.
    pub fn timeline(&self) -> Vec<(Status, u64)> {
        if !self.observed.is_empty() {
            return self.observed.clone();
        }
        let mut t = vec![];
        match self.finished_ms {
            Some(end) if self.is_terminal() => {
                if end > self.started_ms {
                    t.push((Status::Started, self.started_ms));
                }
                t.push((self.status.clone(), end));
            }
            _ => t.push((self.status.clone(), self.started_ms)),
        }
        t
    }

    fn note_terminal(&mut self, now_ms: u64) {
        if self.is_terminal() && self.finished_ms.is_none() {
            self.finished_ms = Some(now_ms);
        }
    }
}

/// A status as a job keeps it: an unknown one is server text like any other (see [`server_text`]).
fn kept_status(status: &Status) -> Status {
    match status {
        Status::Unknown(text) => Status::Unknown(server_text(text)),
        known => known.clone(),
    }
}

/// Collection names as a job keeps them.
fn kept_names(names: &[String]) -> Vec<String> {
    names.iter().map(|n| server_text(n)).collect()
}

/// What the server said about a job's status resource just before the POST that starts it.
#[derive(Clone, Debug, PartialEq)]
pub enum Prior {
    /// 404: no job with this key existed.
    Absent,
    /// A job with this key existed (an earlier restore of the same backup, a canceled backup
    /// whose id is being reused).
    Seen(StatusResponse),
    /// The read failed; nothing is known.
    Unknown,
}

/// When a POST was sent, for comparing with the server's `startedAt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubmitClock {
    /// Browser clock, ms since the epoch.
    pub sent_ms: u64,
    /// Server clock minus browser clock, when known (the `Date` header of an earlier answer;
    /// it is unreadable cross-origin because Weaviate exposes no headers).
    pub server_offset_ms: Option<i64>,
}

/// Slack when comparing `startedAt` with the submit time on the server's clock: `Date` has
/// whole seconds, and the offset is measured across one round trip.
pub const CLOCK_MARGIN_MS: u64 = 2_000;
/// Slack when the server's clock is unknown: the clocks are assumed to be NTP-synchronized.
pub const UNSYNCED_MARGIN_MS: u64 = 5_000;

/// Whether a job found by asking for its status, after its POST's answer was lost, is the one
/// that POST started (and not an earlier job under the same key: a restore's status persists
/// per backup until the next restore overwrites it). Only evidence counts; without it the
/// admin is offered the retry, which the server refuses harmlessly if the job did start.
///
/// 1. Nothing existed before the POST: whatever is there now came from it.
/// 2. Something existed: it is the same job unless the status shows a later `startedAt`;
///    without timestamps (restore status has none), unless it changed from a finished state.
///    An earlier job still running means this POST was refused (one runs at a time).
/// 3. Nothing is known about before: a `startedAt` after the submit time on the server's
///    clock; without timestamps there is no evidence.
pub fn submit_took_effect(prior: &Prior, found: &StatusResponse, clock: SubmitClock) -> bool {
    let started = |r: &StatusResponse| r.started_at.as_deref().filter(|t| !t.starts_with("0001-01-01")).and_then(parse_rfc3339_ms);
    match prior {
        Prior::Absent => true,
        Prior::Seen(before) => match (started(before), started(found)) {
            (Some(then), Some(now)) => now > then,
            _ => before.status.is_terminal() && (&before.status, &before.error) != (&found.status, &found.error),
        },
        Prior::Unknown => started(found).is_some_and(|at| {
            let margin = if clock.server_offset_ms.is_some() { CLOCK_MARGIN_MS } else { UNSYNCED_MARGIN_MS };
            let sent_on_server = clock.sent_ms.saturating_add_signed(clock.server_offset_ms.unwrap_or(0));
            at + margin >= sent_on_server
        }),
    }
}

#[cfg(test)]
impl Job {
    /// A job `b` on `filesystem`, started by this console at `at`, now in `status`.
    pub(crate) fn for_test(kind: JobKind, status: &str, at: u64) -> Job {
        let r: StartedResponse = serde_json::from_str(r#"{"id":"b","status":"STARTED"}"#).unwrap();
        let mut j = Job::started(JobKey { kind, backend: "filesystem".into(), id: "b".into() }, &r, at);
        j.status = Status::parse(status);
        j
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started() -> Job {
        let resp: StartedResponse = serde_json::from_str(
            r#"{"backend":"filesystem","classes":["Article"],"id":"b1","path":"/b/b1","status":"STARTED"}"#,
        )
        .unwrap();
        Job::started(JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: "b1".into() }, &resp, 1_000)
    }

    fn status(json: &str) -> StatusResponse {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn key_renders_as_data_job() {
        assert_eq!(started().key.to_string(), "backup:filesystem:b1");
    }

    #[test]
    fn the_journal_keeps_what_this_console_started_or_acted_on() {
        let mine = started();
        assert!(mine.journaled());
        assert_eq!(mine.grid_start_ms, Some(1_000));
        let mut listed = Job::from_listed("filesystem", &listed(r#"{"id":"x","status":"STARTED"}"#), 5);
        assert!(!listed.journaled());
        listed.cancel_requested = true;
        assert!(listed.journaled(), "cancelled here");
    }

    #[test]
    fn only_jobs_this_console_started_notify() {
        assert!(started().may_notify());
        let key = JobKey { kind: JobKind::Restore, backend: "s3".into(), id: "lost".into() };
        assert!(Job::recovered(key, Location::default(), &status(r#"{"status":"STARTED"}"#), 7).may_notify());
        let phishing = listed(r#"{"id":"Weaviate: key expired — sign in at https://evil.example","status":"SUCCESS"}"#);
        let mut listed = Job::from_listed("s3", &phishing, 5);
        assert!(!listed.may_notify());
        listed.cancel_requested = true;
        assert!(!listed.may_notify(), "cancelled here, but still started elsewhere");
    }

    #[test]
    fn server_text_is_kept_cut() {
        let huge = "x".repeat(6 * 1024 * 1024);
        let fits = |t: &str| t.chars().count() < crate::limit::MAX_SERVER_TEXT_CHARS + 50 && t.contains("… [cut here: ");
        let mut j = started();
        j.apply_status(&status(&format!(r#"{{"status":"{huge}"}}"#)), 2_000);
        assert!(fits(j.status.as_str()), "an unknown status");
        j.apply_status(&status(&format!(r#"{{"status":"FAILED","error":"{huge}"}}"#)), 3_000);
        assert!(fits(j.error.as_deref().unwrap()));
        let resp: StartedResponse =
            serde_json::from_str(&format!(r#"{{"status":"FAILED","error":"{huge}","classes":["{huge}","A"]}}"#)).unwrap();
        let j = Job::started(started().key, &resp, 1);
        assert!(fits(j.error.as_deref().unwrap()) && fits(&j.classes[0]));
        assert_eq!(j.classes[1], "A");
        let mut l = Job::from_listed("s3", &listed(&format!(r#"{{"id":"x","status":"{huge}","classes":["{huge}"]}}"#)), 5);
        assert!(fits(l.status.as_str()) && fits(&l.classes[0]));
        assert!(l.apply_listed(&listed(&format!(r#"{{"id":"x","status":"SUCCESS","classes":["{huge}"]}}"#)), 6));
        assert!(fits(&l.classes[0]));
    }

    #[test]
    fn runs_to_success() {
        let mut j = started();
        assert_eq!(j.classes, vec!["Article"]);
        j.apply_status(&status(r#"{"status":"STARTED"}"#), 2_000);
        assert!(!j.is_terminal());
        assert_eq!(j.duration_ms(5_000), 4_000);
        j.apply_status(&status(r#"{"status":"SUCCESS","size":0.5}"#), 13_000);
        assert_eq!(j.status, Status::Success);
        assert_eq!(j.size_gib, Some(0.5));
        assert_eq!(j.finished_ms, Some(13_000));
        assert_eq!(j.duration_ms(99_000), 12_000);
    }

    #[test]
    fn a_failure_without_a_reason_says_where_to_look() {
        let mut j = started();
        assert_eq!(j.error_shown(), None, "running: nothing to show");
        j.apply_status(&status(r#"{"status":"FAILED","error":""}"#), 2_000);
        assert!(j.error_shown().unwrap().contains("gave no reason"));
        let mut k = started();
        k.apply_status(&status(r#"{"status":"FAILED","error":"node2 might be down"}"#), 2_000);
        assert_eq!(k.error_shown().as_deref(), Some("node2 might be down"));
    }

    #[test]
    fn timeline_records_each_new_status_once() {
        let mut j = started();
        j.apply_status(&status(r#"{"status":"STARTED"}"#), 2_000);
        j.apply_status(&status(r#"{"status":"TRANSFERRING"}"#), 3_000);
        j.apply_status(&status(r#"{"status":"TRANSFERRING","size":0.1}"#), 4_000);
        j.apply_status(&status(r#"{"status":"FAILED","error":"boom"}"#), 5_000);
        j.apply_status(&status(r#"{"status":"SUCCESS"}"#), 6_000);
        let t: Vec<_> = j.timeline().into_iter().map(|(s, at)| (s.as_str().to_string(), at)).collect();
        assert_eq!(t, vec![("STARTED".into(), 1_000), ("TRANSFERRING".into(), 3_000), ("FAILED".into(), 5_000)]);
    }

    #[test]
    fn timeline_is_bounded_and_keeps_the_first_and_latest() {
        let mut j = started();
        for i in 0..40u64 {
            j.apply_status(&status(&format!(r#"{{"status":"NEW_{i}"}}"#)), 2_000 + i);
        }
        assert_eq!(j.observed.len(), MAX_OBSERVED);
        assert_eq!(j.observed[0], (Status::Started, 1_000));
        assert_eq!(j.observed.last().unwrap().0.as_str(), "NEW_39");
    }

    #[test]
    fn timeline_of_an_old_journal_entry_and_a_listed_backup() {
        // Saved before the timeline existed: no `observed` field.
        let mut old = started();
        old.apply_status(&status(r#"{"status":"SUCCESS"}"#), 9_000);
        let mut v = serde_json::to_value(&old).unwrap();
        v.as_object_mut().unwrap().remove("observed");
        let back: Job = serde_json::from_value(v).unwrap();
        assert!(back.observed.is_empty());
        assert_eq!(back.timeline(), vec![(Status::Started, 1_000), (Status::Success, 9_000)]);

        let item: BackupListItem = serde_json::from_str(
            r#"{"id":"x","classes":["A"],"status":"SUCCESS","startedAt":"2026-01-01T00:00:00Z","completedAt":"2026-01-01T00:00:05Z"}"#,
        )
        .unwrap();
        let listed = Job::from_listed("fs", &item, 99);
        let at = parse_rfc3339_ms("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(listed.timeline(), vec![(Status::Started, at), (Status::Success, at + 5_000)]);
    }

    #[test]
    fn terminal_is_final() {
        let mut j = started();
        j.apply_status(&status(r#"{"status":"FAILED","error":"boom"}"#), 2_000);
        j.apply_status(&status(r#"{"status":"CANCELED"}"#), 3_000);
        assert_eq!(j.status, Status::Failed);
        assert_eq!(j.error.as_deref(), Some("boom"));
        assert_eq!(j.finished_ms, Some(2_000));
    }

    #[test]
    fn poll_errors_keep_the_job_and_recover() {
        let mut j = started();
        j.apply_poll_error(&ApiError::Network("Failed to fetch".into()));
        j.apply_poll_error(&ApiError::Server { status: 503, message: "down".into() });
        j.apply_poll_error(&ApiError::Timeout("no answer within 10 s".into()));
        assert!(j.polls(), "transient failures keep polling");
        assert_eq!(j.poll_failures, 3);
        assert!(j.poll_problem.as_deref().unwrap().starts_with("connection lost — retrying"));
        assert!(j.poll_problem.as_deref().unwrap().ends_with("no answer within 10 s"));
        j.apply_poll_error(&ApiError::Decode("unexpected answer from the server (HTTP 200): expected value".into()));
        assert!(j.polls(), "an HTML page from a proxy is retried");
        assert!(j.poll_problem.as_deref().unwrap().starts_with("unreadable answer — retrying"));
        assert_eq!(j.poll_failures, 4);
        assert_eq!(j.last_update_ms, 1_000);
        j.apply_status(&status(r#"{"status":"STARTED"}"#), 6_000);
        assert_eq!(j.poll_failures, 0);
        assert_eq!(j.poll_problem, None);
        assert_eq!(j.last_update_ms, 6_000);
    }

    #[test]
    fn unknown_status_is_shown_and_not_terminal() {
        let mut j = started();
        j.apply_status(&status(r#"{"status":"REPLICATING"}"#), 2_000);
        assert_eq!(j.status.as_str(), "REPLICATING");
        assert!(!j.is_terminal());
    }

    fn listed(json: &str) -> BackupListItem {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn stall_detection_with_a_simulated_clock() {
        let mut j = started(); // t = 1 s
        let min = 60_000;
        assert_eq!(j.stalled_since(1_000 + 9 * min, DEFAULT_STALL_MS), None);
        // Same status, same size: no change, even though reads succeed.
        j.apply_status(&status(r#"{"status":"STARTED"}"#), 1_000 + 5 * min);
        assert_eq!(j.stalled_since(1_000 + 10 * min, DEFAULT_STALL_MS), Some(1_000));
        // Size grows: not stuck.
        j.apply_status(&status(r#"{"status":"STARTED","size":0.2}"#), 1_000 + 11 * min);
        assert_eq!(j.stalled_since(1_000 + 12 * min, DEFAULT_STALL_MS), None);
        assert_eq!(j.stalled_since(1_000 + 21 * min, DEFAULT_STALL_MS), Some(1_000 + 11 * min));
        // A configurable threshold.
        assert!(j.stalled_since(1_000 + 12 * min, min).is_some());
        // Finished jobs are never stuck.
        j.apply_status(&status(r#"{"status":"SUCCESS"}"#), 1_000 + 30 * min);
        assert_eq!(j.stalled_since(1_000 + 100 * min, DEFAULT_STALL_MS), None);
    }

    #[test]
    fn listed_backups_from_elsewhere() {
        let item = listed(r#"{"id":"cli-1","classes":["A"],"status":"SUCCESS","size":1.5,
            "startedAt":"2026-11-25T10:00:00.000Z","completedAt":"2026-11-25T10:00:12.500Z"}"#);
        let j = Job::from_listed("s3", &item, 99);
        assert_eq!(j.key.to_string(), "backup:s3:cli-1");
        assert_eq!(j.origin, Origin::Server);
        assert_eq!(j.duration_ms(0), 12_500);
        assert_eq!(j.size_gib, Some(1.5));
        assert!(!j.journaled() && j.grid_start_ms.is_none(), "re-read from the server, not on this clock");
        let running = Job::from_listed("s3", &listed(r#"{"id":"x","status":"STARTED"}"#), 99);
        assert_eq!((running.started_ms, running.finished_ms), (99, None));
    }

    #[test]
    fn server_list_wins_only_for_finished_jobs() {
        let mut j = started();
        let before = j.clone();
        assert!(!j.apply_listed(&listed(r#"{"id":"b1","status":"STARTED"}"#), 2_000));
        assert_eq!(j, before, "an item that changes nothing touches nothing");
        assert!(j.apply_listed(&listed(r#"{"id":"b1","status":"FAILED","classes":["A","B"]}"#), 3_000));
        assert_eq!(j.status, Status::Failed);
        assert_eq!(j.classes, vec!["A", "B"]);
        let failed = j.clone();
        assert!(!j.apply_listed(&listed(r#"{"id":"b1","status":"SUCCESS"}"#), 4_000));
        assert_eq!(j, failed, "terminal stays");
    }

    #[test]
    fn the_end_from_the_list_clears_a_lost_connection() {
        let mut j = started();
        j.apply_poll_error(&ApiError::Network("Failed to fetch".into()));
        assert!(j.poll_problem.is_some());
        assert!(j.apply_listed(&listed(r#"{"id":"b1","status":"CANCELED"}"#), 3_000));
        assert_eq!((j.poll_problem, j.poll_failures), (None, 0), "the server answered: nothing is lost");
    }

    #[test]
    fn recovered_after_a_lost_answer() {
        let key = JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: "lost".into() };
        let loc = Location { bucket: None, path: Some("/p".into()) };
        let j = Job::recovered(key, loc.clone(), &status(r#"{"status":"STARTED"}"#), 7);
        assert_eq!(j.key.to_string(), "backup:filesystem:lost");
        assert_eq!(j.grid_start_ms, None, "its start is not when the lost answer would have come");
        assert_eq!((j.location, j.status, j.started_ms), (loc, Status::Started, 7));
    }

    #[test]
    fn who_may_cancel() {
        let new = Capabilities::for_version("1.39.0");
        let mut j = started();
        assert!(j.cancel_blocker(new).is_ok());
        assert!(j.cancel_blocker(Capabilities::for_version("1.26.0")).unwrap_err().contains("1.26.5"), "the backport in its own line");
        assert!(j.cancel_blocker(Capabilities::for_version("1.23.0")).unwrap_err().contains("1.27.0"));
        let mut r = j.clone();
        r.key.kind = JobKind::Restore;
        assert!(r.cancel_blocker(new).is_ok());
        assert!(r.cancel_blocker(Capabilities::for_version("1.35.0")).unwrap_err().contains("1.36.0"));
        r.status = Status::Finalizing;
        assert!(r.cancel_blocker(new).unwrap_err().contains("FINALIZING"));
        j.cancel_requested = true;
        assert!(j.cancel_blocker(new).is_err());
        let mut done = started();
        done.apply_status(&status(r#"{"status":"SUCCESS"}"#), 2);
        assert!(done.cancel_blocker(new).is_err());
    }

    #[test]
    fn cancel_outcomes() {
        let mut j = started();
        assert_eq!(j.cancel_outcome(), None);
        j.cancel_requested = true;
        assert!(j.cancel_outcome().unwrap().starts_with("Cancelling"));
        let mut done = j.clone();
        done.apply_status(&status(r#"{"status":"SUCCESS"}"#), 5_000);
        assert!(done.cancel_outcome().unwrap().contains("finished before the cancel"));
        j.apply_status(&status(r#"{"status":"CANCELED"}"#), 5_000);
        assert_eq!(j.cancel_outcome(), Some("Canceled as requested."));
    }

    #[test]
    fn old_journal_entries_without_new_fields_still_load() {
        let old = r#"{"key":{"kind":"backup","backend":"filesystem","id":"x"},"status":"STARTED","classes":[],
            "error":null,"started_ms":5,"finished_ms":null,"size_gib":null,"last_update_ms":5,"poll_failures":0,"poll_problem":null}"#;
        let j: Job = serde_json::from_str(old).unwrap();
        assert_eq!(j.origin, Origin::Console);
        assert_eq!(j.location, Location::default());
    }

    #[test]
    fn job_round_trips_through_json() {
        let j = started();
        let s = serde_json::to_string(&j).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&s).unwrap(), j);
    }

    #[test]
    fn permanent_poll_errors_stop_polling_and_say_why() {
        let cases = [
            (ApiError::from_response(404, r#"{"error":[{"message":"coordinator cannot get status: metadata not found"}]}"#),
             "The server no longer knows this job (404) — polling stopped"),
            (ApiError::from_response(401, r#"{"code":401,"message":"unauthorized: invalid api key"}"#),
             "The API key was rejected (401) — polling stopped: HTTP 401: the server said: \"unauthorized: invalid api key\""),
            (ApiError::from_response(403, r#"{"error":[{"message":"rbac: forbidden"}]}"#),
             "This API key may not read this job (403) — polling stopped: HTTP 403: the server said: \"rbac: forbidden\""),
            (ApiError::from_response(422, r#"{"error":[{"message":"no backup provider \"x\""}]}"#),
             "The server refused the status request — polling stopped: HTTP 422: the server said: \"no backup provider \"x\"\""),
        ];
        for (err, why) in cases {
            let mut j = started();
            j.apply_poll_error(&err);
            assert!(!j.polls(), "{err:?}");
            assert_eq!(j.poll_problem.as_deref(), Some(why));
            assert_eq!(j.poll_failures, 0, "no backoff: nothing is retried");
            assert!(!j.is_terminal(), "the job's own status is unknown, not failed");
            j.check_again();
            assert!(j.polls(), "Check again polls once more");
            j.apply_poll_error(&err);
            assert!(!j.polls(), "and stops again if nothing changed");
            j.apply_status(&status(r#"{"status":"STARTED"}"#), 9_000);
            assert!(j.polls() && j.poll_problem.is_none(), "an answer clears it");
        }
    }

    #[test]
    fn a_new_key_resumes_only_jobs_stopped_by_auth() {
        let mut denied = started();
        denied.apply_poll_error(&ApiError::Forbidden("forbidden".into()));
        assert!(denied.key_changed());
        assert!(denied.polls());
        assert!(!denied.key_changed(), "nothing to resume twice");
        let mut gone = started();
        gone.apply_poll_error(&ApiError::NotFound("x".into()));
        assert!(!gone.key_changed());
        assert!(!gone.polls());
    }

    #[test]
    fn finished_jobs_are_not_polled_and_stops_are_not_saved() {
        let mut j = started();
        j.apply_poll_error(&ApiError::NotFound("x".into()));
        let back: Job = serde_json::from_str(&serde_json::to_string(&j).unwrap()).unwrap();
        assert!(back.polls(), "a reload checks again");
        j.apply_status(&status(r#"{"status":"SUCCESS"}"#), 2);
        assert!(!j.polls());
    }

    /// 2026-11-25T00:00:00Z; the tests' times all fall on that day.
    const DAY: u64 = 1_795_564_800_000;
    const SENT: u64 = DAY + 12 * 3_600_000;
    /// RFC 3339, as Weaviate writes it, for a time on `DAY`.
    fn at(ms: u64) -> String {
        let t = ms - DAY;
        let (h, m, s) = (t / 3_600_000, t / 60_000 % 60, t / 1000 % 60);
        format!("2026-11-25T{h:02}:{m:02}:{s:02}.{:03}Z", t % 1000)
    }
    fn backup_status(state: &str, started_ms: u64) -> StatusResponse {
        status(&format!(r#"{{"status":"{state}","startedAt":"{}"}}"#, at(started_ms)))
    }
    fn synced() -> SubmitClock {
        SubmitClock { sent_ms: SENT, server_offset_ms: Some(0) }
    }

    #[test]
    fn the_test_clock_is_right() {
        assert_eq!(parse_rfc3339_ms("2026-11-25T00:00:00.000Z"), Some(DAY));
        assert_eq!(parse_rfc3339_ms(&at(SENT)), Some(SENT));
        assert_eq!(parse_rfc3339_ms(&at(SENT + 75_250)), Some(SENT + 75_250));
    }

    #[test]
    fn nothing_before_means_the_post_started_it() {
        assert!(submit_took_effect(&Prior::Absent, &status(r#"{"status":"SUCCESS"}"#), synced()));
    }

    #[test]
    fn an_earlier_restore_of_the_same_backup_is_not_the_new_one() {
        let before = status(r#"{"status":"SUCCESS"}"#);
        let seen = Prior::Seen(before.clone());
        // Unchanged: the earlier restore, whatever the clocks say.
        assert!(!submit_took_effect(&seen, &before, synced()));
        // The new restore overwrote restore_config.json.
        assert!(submit_took_effect(&seen, &status(r#"{"status":"TRANSFERRING"}"#), synced()));
        assert!(submit_took_effect(
            &Prior::Seen(status(r#"{"status":"FAILED","error":"class name Article already exists"}"#)),
            &status(r#"{"status":"SUCCESS"}"#),
            synced()
        ));
        // One restore runs at a time: with another running, this POST was refused.
        let running = Prior::Seen(status(r#"{"status":"TRANSFERRING"}"#));
        assert!(!submit_took_effect(&running, &status(r#"{"status":"FINALIZING"}"#), synced()));
    }

    #[test]
    fn restore_status_without_timestamps_and_nothing_known_is_not_evidence() {
        assert!(!submit_took_effect(&Prior::Unknown, &status(r#"{"status":"SUCCESS"}"#), synced()));
        assert!(!submit_took_effect(&Prior::Unknown, &status(r#"{"status":"TRANSFERRING"}"#), synced()));
    }

    #[test]
    fn backups_compare_started_at_with_the_earlier_one() {
        let canceled = Prior::Seen(status(&format!(r#"{{"status":"CANCELED","startedAt":"{}"}}"#, at(SENT - 600_000))));
        assert!(submit_took_effect(&canceled, &backup_status("STARTED", SENT + 300), synced()), "id reused after a cancel");
        let unchanged = status(&format!(r#"{{"status":"CANCELED","startedAt":"{}"}}"#, at(SENT - 600_000)));
        assert!(!submit_took_effect(&canceled, &unchanged, synced()));
    }

    #[test]
    fn started_at_against_the_submit_time_on_the_servers_clock() {
        // The server's clock runs 60 s ahead of the browser's.
        let ahead = SubmitClock { sent_ms: SENT, server_offset_ms: Some(60_000) };
        assert!(submit_took_effect(&Prior::Unknown, &backup_status("STARTED", SENT + 60_400), ahead));
        assert!(!submit_took_effect(&Prior::Unknown, &backup_status("SUCCESS", SENT + 30_000), ahead), "started before the submit");
        // Within the margin of the Date header's whole seconds.
        assert!(submit_took_effect(&Prior::Unknown, &backup_status("STARTED", SENT + 60_000 - 1_500), ahead));
        // …and behind.
        let behind = SubmitClock { sent_ms: SENT, server_offset_ms: Some(-3_600_000) };
        assert!(submit_took_effect(&Prior::Unknown, &backup_status("STARTED", SENT - 3_599_000), behind));
        assert!(!submit_took_effect(&Prior::Unknown, &backup_status("STARTED", SENT - 3_700_000), behind));
        // Unknown offset: the clocks are assumed close.
        let unknown = SubmitClock { sent_ms: SENT, server_offset_ms: None };
        assert!(submit_took_effect(&Prior::Unknown, &backup_status("STARTED", SENT - 4_000), unknown));
        assert!(!submit_took_effect(&Prior::Unknown, &backup_status("SUCCESS", SENT - 3_600_000), unknown));
        // A running backup's zero completedAt is no start time; a zero startedAt neither.
        let zero = status(r#"{"status":"STARTED","startedAt":"0001-01-01T00:00:00.000Z"}"#);
        assert!(!submit_took_effect(&Prior::Unknown, &zero, synced()));
    }
}
