//! Which collections are protected: each collection's last successful backup, and the
//! collections that are in no backup at all.

use crate::job::{Job, JobKind};
use crate::status::Status;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow {
    pub collection: String,
    /// `(backend, id, finished_ms)` of the newest successful backup that holds it.
    pub last_backup: Option<(String, String, u64)>,
}

/// Rows for `collections`, in their order, from the known jobs.
pub fn coverage(collections: &[String], jobs: &[Job]) -> Vec<CoverageRow> {
    collections
        .iter()
        .map(|c| {
            let last_backup = jobs
                .iter()
                .filter(|j| j.key.kind == JobKind::Backup && j.status == Status::Success && j.classes.contains(c))
                .map(|j| (j.key.backend.clone(), j.key.id.clone(), j.finished_ms.unwrap_or(j.started_ms)))
                .max_by_key(|(_, _, t)| *t);
            CoverageRow { collection: c.clone(), last_backup }
        })
        .collect()
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
        assert_eq!(rows[0].last_backup, Some(("fs".into(), "new".into(), 5)));
        assert_eq!(rows[1].last_backup, Some(("fs".into(), "old".into(), 1)));
        assert_eq!(rows[2].last_backup, None, "a failed backup does not cover");
    }
}
