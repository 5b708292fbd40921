//! A backup or restore job as the console tracks it, and the state machine that folds
//! status answers and polling failures into it.

use serde::{Deserialize, Serialize};

use crate::api::{StartedResponse, StatusResponse};
use crate::error::ApiError;
use crate::status::Status;

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
    /// Why the last status read failed, while it keeps failing.
    pub poll_problem: Option<String>,
}

impl Job {
    /// A job the server just accepted; keyed by what was sent (the answer echoes it).
    pub fn started(key: JobKey, resp: &StartedResponse, now_ms: u64) -> Job {
        let mut job = Job {
            key,
            status: resp.status.clone(),
            classes: resp.classes.clone(),
            error: resp.error.clone().filter(|e| !e.is_empty()),
            started_ms: now_ms,
            finished_ms: None,
            size_gib: None,
            last_update_ms: now_ms,
            poll_failures: 0,
            poll_problem: None,
        };
        job.note_terminal(now_ms);
        job
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
        if self.is_terminal() {
            return;
        }
        self.status = resp.status.clone();
        if let Some(e) = resp.error.as_ref().filter(|e| !e.is_empty()) {
            self.error = Some(e.clone());
        }
        if resp.size.is_some() {
            self.size_gib = resp.size;
        }
        self.note_terminal(now_ms);
    }

    /// A status read failed: the job stays, with the reason, and polling backs off.
    pub fn apply_poll_error(&mut self, err: &ApiError, _now_ms: u64) {
        self.poll_failures = self.poll_failures.saturating_add(1);
        let prefix = if err.is_transient() { "connection lost — retrying" } else { "status check failed — retrying" };
        self.poll_problem = Some(format!("{prefix}: {err}"));
    }

    /// Elapsed time, live while running.
    pub fn duration_ms(&self, now_ms: u64) -> u64 {
        self.finished_ms.unwrap_or(now_ms).saturating_sub(self.started_ms)
    }

    fn note_terminal(&mut self, now_ms: u64) {
        if self.is_terminal() && self.finished_ms.is_none() {
            self.finished_ms = Some(now_ms);
        }
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
        j.apply_poll_error(&ApiError::Network("Failed to fetch".into()), 2_000);
        j.apply_poll_error(&ApiError::Server { status: 503, message: "down".into() }, 4_000);
        assert_eq!(j.poll_failures, 2);
        assert!(j.poll_problem.as_deref().unwrap().starts_with("connection lost — retrying"));
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

    #[test]
    fn job_round_trips_through_json() {
        let j = started();
        let s = serde_json::to_string(&j).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&s).unwrap(), j);
    }
}
