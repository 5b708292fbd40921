//! Which collections are protected: each collection's last successful backup, and the
//! collections that are in no backup at all.

use std::collections::HashMap;

use crate::job::{Job, JobKind};
use crate::policy::Policy;
use crate::validate::{is_pattern, pattern_matches};
use crate::status::Status;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow {
    pub collection: String,
    /// `(backend, id, finished_ms)` of the newest successful backup that holds it.
    pub last_backup: Option<(String, String, u64)>,
}

/// Collects, job by job, the newest successful backup of each collection (so a caller can
/// feed it from wherever its jobs live without copying them).
#[derive(Clone, Debug, Default)]
pub struct CoverageTally {
    newest: HashMap<String, (String, String, u64)>,
}

impl CoverageTally {
    pub fn add(&mut self, j: &Job) {
        if j.key.kind != JobKind::Backup || j.status != Status::Success {
            return;
        }
        let at = j.finished_ms.unwrap_or(j.started_ms);
        for c in &j.classes {
            let newer = self.newest.get(c).is_none_or(|(_, _, t)| at > *t);
            if newer {
                self.newest.insert(c.clone(), (j.key.backend.clone(), j.key.id.clone(), at));
            }
        }
    }

    /// Rows for `collections`: gaps first (what the admin must act on), otherwise in their order.
    pub fn rows(&self, collections: &[String]) -> Vec<CoverageRow> {
        let (mut gaps, covered): (Vec<_>, Vec<_>) = collections
            .iter()
            .map(|c| CoverageRow { collection: c.clone(), last_backup: self.newest.get(c).cloned() })
            .partition(|r| r.last_backup.is_none());
        gaps.extend(covered);
        gaps
    }

    /// How many of `collections` are in no successful backup.
    pub fn uncovered(&self, collections: &[String]) -> usize {
        collections.iter().filter(|c| !self.newest.contains_key(*c)).count()
    }
}

/// Whether `policy` backs up `collection`: it is active (not paused) and its selection takes
/// the collection, read as the server reads include and exclude (exact names, or wildcard
/// patterns).
pub fn policy_covers(policy: &Policy, collection: &str) -> bool {
    let named = |names: &[String]| names.iter().any(|n| n == collection || (is_pattern(n) && pattern_matches(n, collection)));
    !policy.paused && if policy.include.is_empty() { !named(&policy.exclude) } else { named(&policy.include) }
}

/// The collections no active policy backs up, in their order.
pub fn uncovered_by_policies<'a>(collections: &'a [String], policies: &[&Policy]) -> Vec<&'a str> {
    collections.iter().filter(|c| !policies.iter().any(|p| policy_covers(p, c))).map(String::as_str).collect()
}

/// Rows for `collections` (gaps first) from the known jobs.
pub fn coverage(collections: &[String], jobs: &[Job]) -> Vec<CoverageRow> {
    let mut t = CoverageTally::default();
    jobs.iter().for_each(|j| t.add(j));
    t.rows(collections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::JobKey;

    fn job(id: &str, status: &str, classes: &[&str], at: u64) -> Job {
        let resp: StartedResponse = serde_json::from_str(&format!(
            r#"{{"id":"{id}","status":"{status}","classes":{}}}"#,
            serde_json::to_string(classes).unwrap()
        ))
        .unwrap();
        Job::started(JobKey { kind: JobKind::Backup, backend: "fs".into(), id: id.into() }, &resp, at)
    }

    #[test]
    fn newest_success_per_collection_and_gaps() {
        let jobs = vec![
            job("old", "SUCCESS", &["A", "B"], 1),
            job("new", "SUCCESS", &["A"], 5),
            job("bad", "FAILED", &["C"], 9),
        ];
        let rows = coverage(&["A".into(), "B".into(), "C".into()], &jobs);
        let names: Vec<&str> = rows.iter().map(|r| r.collection.as_str()).collect();
        assert_eq!(names, ["C", "A", "B"], "gaps first, then the given order");
        assert_eq!(rows[0].last_backup, None, "a failed backup does not cover");
        assert_eq!(rows[1].last_backup, Some(("fs".into(), "new".into(), 5)));
        assert_eq!(rows[2].last_backup, Some(("fs".into(), "old".into(), 1)));
    }

    #[test]
    fn the_first_of_equal_times_wins_and_restores_do_not_cover() {
        let mut restore = job("r", "SUCCESS", &["A"], 7);
        restore.key.kind = JobKind::Restore;
        let jobs = vec![job("one", "SUCCESS", &["A"], 3), job("two", "SUCCESS", &["A"], 3), restore];
        let rows = coverage(&["A".into()], &jobs);
        assert_eq!(rows[0].last_backup, Some(("fs".into(), "one".into(), 3)));
    }

    #[test]
    fn policies_cover_by_include_exclude_and_patterns() {
        let cols: Vec<String> = ["Article", "Author", "Paragraph", "Log"].map(String::from).to_vec();
        let mut all_but_logs = Policy::new("p", "fs", "@daily", "UTC");
        all_but_logs.exclude = vec!["Log".into()];
        let mut authors = Policy::new("q", "fs", "@daily", "UTC");
        authors.include = vec!["A*r".into()];
        assert_eq!(uncovered_by_policies(&cols, &[&authors]), ["Article", "Paragraph", "Log"]);
        assert_eq!(uncovered_by_policies(&cols, &[&all_but_logs, &authors]), ["Log"]);
        all_but_logs.paused = true;
        assert_eq!(uncovered_by_policies(&cols, &[&all_but_logs]).len(), 4, "a paused policy covers nothing");
        assert_eq!(uncovered_by_policies(&cols, &[]).len(), 4);
    }
}
