//! What a job shows and which actions it offers, worked out once from the job and the clock:
//! the Jobs table's row and the job's own page render the same [`JobView`].

use crate::error::message_hint;
use crate::job::{Job, JobKind};
use crate::status::{Status, Tone};

/// The way to the restore form a job offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreAction {
    /// A successful backup.
    Restore,
    /// A restore that failed or was cancelled, once its cause is fixed.
    Again,
}

impl RestoreAction {
    pub fn label(self) -> &'static str {
        match self {
            RestoreAction::Restore => "Restore…",
            RestoreAction::Again => "Restore again…",
        }
    }
}

/// One job as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobView {
    /// As the API spells it.
    pub status: String,
    pub tone: Tone,
    /// Running: how long ago the console last heard of it.
    pub updated_ago_ms: Option<u64>,
    /// Running and unchanged for longer than the stall limit: since when.
    pub stalled_since: Option<u64>,
    pub cancel_outcome: Option<&'static str>,
    /// The server's error, with a hint when one is known.
    pub error: Option<(String, Option<&'static str>)>,
    /// Why the console cannot follow it right now.
    pub poll_problem: Option<String>,
    /// Polling stopped for good: offer "Check again".
    pub check_again: bool,
    pub restore: Option<RestoreAction>,
}

impl JobView {
    /// `now` is read only for a running job, so a finished one never depends on the clock.
    pub fn of(job: &Job, now: impl FnOnce() -> u64, stall_ms: u64, read_only: bool) -> JobView {
        let running = (!job.is_terminal()).then(now);
        let restore = match (job.key.kind, &job.status) {
            _ if read_only => None,
            (JobKind::Backup, Status::Success) => Some(RestoreAction::Restore),
            (JobKind::Restore, Status::Failed | Status::Canceled) => Some(RestoreAction::Again),
            _ => None,
        };
        JobView {
            status: job.status.as_str().to_string(),
            tone: job.status.tone(),
            updated_ago_ms: running.map(|n| n.saturating_sub(job.last_update_ms)),
            stalled_since: running.and_then(|n| job.stalled_since(n, stall_ms)),
            cancel_outcome: job.cancel_outcome(),
            error: job.error_shown().map(|e| {
                let hint = message_hint(&e);
                (e, hint)
            }),
            poll_problem: job.poll_problem.clone(),
            check_again: job.poll_stopped.is_some(),
            restore,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(kind: JobKind, status: &str) -> Job {
        Job::for_test(kind, status, 1_000)
    }

    #[test]
    fn a_finished_job_never_reads_the_clock() {
        let v = JobView::of(&job(JobKind::Backup, "SUCCESS"), || panic!("read the clock"), 60_000, false);
        assert_eq!((v.status.as_str(), v.tone, v.restore), ("SUCCESS", Tone::Success, Some(RestoreAction::Restore)));
        assert_eq!(v.updated_ago_ms, None);
    }

    #[test]
    fn a_running_job_shows_its_freshness_and_when_it_stalls() {
        let j = job(JobKind::Backup, "STARTED");
        let v = JobView::of(&j, || 31_000, 60_000, false);
        assert_eq!((v.updated_ago_ms, v.stalled_since, v.restore), (Some(30_000), None, None));
        let v = JobView::of(&j, || 120_000, 60_000, false);
        assert!(v.stalled_since.is_some());
    }

    #[test]
    fn restore_actions_follow_kind_status_and_read_only() {
        assert_eq!(JobView::of(&job(JobKind::Restore, "FAILED"), || 0, 1, false).restore, Some(RestoreAction::Again));
        assert_eq!(JobView::of(&job(JobKind::Restore, "SUCCESS"), || 0, 1, false).restore, None);
        assert_eq!(JobView::of(&job(JobKind::Backup, "SUCCESS"), || 0, 1, true).restore, None, "read-only console");
        assert_eq!(RestoreAction::Again.label(), "Restore again…");
    }

    #[test]
    fn the_servers_error_comes_with_its_hint() {
        let mut j = job(JobKind::Backup, "FAILED");
        j.error = Some("backup already in progress".into());
        let (text, hint) = JobView::of(&j, || 0, 1, false).error.unwrap();
        assert!(text.contains("already in progress") && hint.unwrap().contains("Another backup"));
    }
}
