//! The one-line answer above the job table: what is running, what failed lately, and which
//! collections are in no backup at all.

use crate::coverage::CoverageTally;
use crate::job::Job;
use crate::policy::state::Health;
use crate::status::Status;

/// "Lately" for failures: the last 24 hours.
pub const RECENT_MS: u64 = 24 * 60 * 60 * 1000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Jobs not yet in a terminal status.
    pub running: usize,
    /// Jobs that ended `FAILED` within [`RECENT_MS`] (by their end time, else their start).
    pub failed_recently: usize,
    /// Collections in no successful backup the console knows of.
    pub uncovered: usize,
    /// Collections on the server.
    pub collections: usize,
    /// Policies whose last success is older than their freshness objective.
    pub policies_overdue: usize,
    /// Policies whose last run failed.
    pub policies_failing: usize,
}

/// How a part of the summary should look: calm, or asking for attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mood {
    Calm,
    Busy,
    Attention,
}

impl Mood {
    pub fn as_str(self) -> &'static str {
        match self {
            Mood::Calm => "calm",
            Mood::Busy => "busy",
            Mood::Attention => "attention",
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Summary {
    pub fn of(jobs: &[Job], collections: &[String], now_ms: u64) -> Summary {
        let mut t = Tally::new(now_ms);
        jobs.iter().for_each(|j| t.add(j));
        t.finish(collections)
    }

    /// The three parts, each a short phrase with its mood.
    pub fn parts(&self) -> [(Mood, String); 3] {
        let running = match self.running {
            0 => (Mood::Calm, "Nothing running".to_string()),
            n => (Mood::Busy, format!("{} running", plural(n, "job", "jobs"))),
        };
        let failed = match self.failed_recently {
            0 => (Mood::Calm, "no failures in the last 24 h".to_string()),
            n => (Mood::Attention, format!("{} in the last 24 h", plural(n, "failure", "failures"))),
        };
        let covered = match (self.collections, self.uncovered) {
            (0, _) => (Mood::Calm, "no collections to back up yet".to_string()),
            (_, 0) => (Mood::Calm, "every collection is in a backup".to_string()),
            (c, u) => (Mood::Attention, format!("{u} of {} in no backup", plural(c, "collection", "collections"))),
        };
        [running, failed, covered]
    }

    /// The policies that need attention (`2 policies overdue, 1 failing`); `None` while every
    /// policy is fine, so the line stays short for a console without policies.
    pub fn policies_part(&self) -> Option<String> {
        let parts: Vec<String> = [(self.policies_overdue, "overdue"), (self.policies_failing, "failing")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .enumerate()
            .map(|(i, (n, what))| if i == 0 { format!("{} {what}", plural(n, "policy", "policies")) } else { format!("{n} {what}") })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// Counts a policy's state into the summary.
    pub fn add_policy(&mut self, health: Health) {
        match health {
            Health::Overdue => self.policies_overdue += 1,
            Health::Failing => self.policies_failing += 1,
            Health::Ok | Health::Running => {}
        }
    }
}

/// Builds a [`Summary`] job by job, so the caller need not copy its jobs.
#[derive(Clone, Debug)]
pub struct Tally {
    since: u64,
    running: usize,
    failed_recently: usize,
    coverage: CoverageTally,
}

impl Tally {
    pub fn new(now_ms: u64) -> Tally {
        Tally { since: now_ms.saturating_sub(RECENT_MS), running: 0, failed_recently: 0, coverage: CoverageTally::default() }
    }

    pub fn add(&mut self, j: &Job) {
        if !j.is_terminal() {
            self.running += 1;
        }
        if j.status == Status::Failed && j.finished_ms.unwrap_or(j.started_ms) >= self.since {
            self.failed_recently += 1;
        }
        self.coverage.add(j);
    }

    pub fn finish(&self, collections: &[String]) -> Summary {
        Summary {
            running: self.running,
            failed_recently: self.failed_recently,
            uncovered: self.coverage.uncovered(collections),
            collections: collections.len(),
            ..Summary::default()
        }
    }
}

/// `just now`, `40 s ago`, `5 min ago`, `3 h ago`, `2 d ago`.
pub fn ago(delta_ms: u64) -> String {
    let s = delta_ms / 1000;
    match s {
        0..=4 => "just now".into(),
        5..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

/// A short span for "after N" offsets: `<1 s`, `3 s`, `2 min 5 s`, `1 h 2 min`.
pub fn elapsed(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 => "<1 s".into(),
        1..=59 => format!("{s} s"),
        60..=3599 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s / 60) % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{StartedResponse, StatusResponse};
    use crate::job::{JobKey, JobKind};

    fn job(id: &str, classes: &[&str], at: u64) -> Job {
        let resp: StartedResponse = serde_json::from_str(&format!(
            r#"{{"id":"{id}","status":"STARTED","classes":{}}}"#,
            serde_json::to_string(classes).unwrap()
        ))
        .unwrap();
        Job::started(JobKey { kind: JobKind::Backup, backend: "fs".into(), id: id.into() }, &resp, at)
    }

    fn ended(mut j: Job, status: &str, at: u64) -> Job {
        let resp: StatusResponse = serde_json::from_str(&format!(r#"{{"status":"{status}"}}"#)).unwrap();
        j.apply_status(&resp, at);
        j
    }

    #[test]
    fn counts_running_recent_failures_and_gaps() {
        let now = 10 * RECENT_MS;
        let jobs = vec![
            job("run", &["A"], now - 5),
            ended(job("ok", &["A"], 1), "SUCCESS", 2),
            ended(job("old-fail", &["B"], 1), "FAILED", now - RECENT_MS - 1),
            ended(job("new-fail", &["B"], now - RECENT_MS - 10), "FAILED", now - RECENT_MS),
            ended(job("gone", &["C"], now - 9), "CANCELED", now - 8),
        ];
        let cols: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
        let s = Summary::of(&jobs, &cols, now);
        assert_eq!(s, Summary { running: 1, failed_recently: 1, uncovered: 2, collections: 3, ..Default::default() });
        let text: Vec<String> = s.parts().into_iter().map(|(_, t)| t).collect();
        assert_eq!(text, ["1 job running", "1 failure in the last 24 h", "2 of 3 collections in no backup"]);
        assert_eq!(s.parts()[2].0, Mood::Attention);
    }

    #[test]
    fn calm_when_all_is_well_or_empty() {
        let s = Summary::default();
        assert!(s.parts().iter().all(|(m, _)| *m == Mood::Calm));
        assert_eq!(s.parts()[2].1, "no collections to back up yet");
        let s = Summary { collections: 2, ..Default::default() };
        assert_eq!(s.parts()[2].1, "every collection is in a backup");
        assert_eq!(Summary { running: 3, ..s }.parts()[0], (Mood::Busy, "3 jobs running".into()));
    }

    #[test]
    fn policies_needing_attention_are_named() {
        let mut s = Summary::default();
        assert_eq!(s.policies_part(), None);
        for h in [Health::Ok, Health::Running, Health::Overdue] {
            s.add_policy(h);
        }
        assert_eq!(s.policies_part().as_deref(), Some("1 policy overdue"));
        s.add_policy(Health::Overdue);
        s.add_policy(Health::Failing);
        assert_eq!(s.policies_part().as_deref(), Some("2 policies overdue, 1 failing"));
    }

    #[test]
    fn elapsed_is_short() {
        assert_eq!(elapsed(400), "<1 s");
        assert_eq!(elapsed(3_200), "3 s");
        assert_eq!(elapsed(120_000), "2 min");
        assert_eq!(elapsed(125_000), "2 min 5 s");
        assert_eq!(elapsed(3_720_000), "1 h 2 min");
    }

    #[test]
    fn ago_is_short() {
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(12_000), "12 s ago");
        assert_eq!(ago(5 * 60_000 + 5), "5 min ago");
        assert_eq!(ago(3 * 3_600_000), "3 h ago");
        assert_eq!(ago(50 * 3_600_000), "2 d ago");
    }
}
