//! The journal: jobs this console started, kept in `localStorage` so they come back after a
//! reload. Per Weaviate URL; never holds the API key. Anything unreadable is reported, not
//! trusted.

use serde::{Deserialize, Serialize};

use crate::job::Job;

/// The storage key of the journal.
pub const STORAGE_KEY: &str = "backup-console.journal";
const FORMAT: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    v: u32,
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Entry {
    server: String,
    job: Job,
}

impl Journal {
    /// Reads the stored text; an absent value is an empty journal.
    pub fn parse(text: &str) -> Result<Journal, String> {
        if text.trim().is_empty() {
            return Ok(Journal { v: FORMAT, entries: vec![] });
        }
        let j: Journal = serde_json::from_str(text)
            .map_err(|e| format!("The saved job list could not be read and was ignored ({e})."))?;
        if j.v != FORMAT {
            return Err(format!("The saved job list has an unknown format (v{}) and was ignored.", j.v));
        }
        Ok(j)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&Journal { v: FORMAT, entries: self.entries.clone() }).unwrap_or_default()
    }

    /// Jobs recorded for `server`, newest first.
    pub fn jobs_for(&self, server: &str) -> Vec<Job> {
        self.entries.iter().filter(|e| e.server == server).map(|e| e.job.clone()).collect()
    }

    /// Replaces the jobs recorded for `server`.
    pub fn set_jobs(&mut self, server: &str, jobs: impl IntoIterator<Item = Job>) {
        self.entries.retain(|e| e.server != server);
        self.entries.extend(jobs.into_iter().map(|job| Entry { server: server.to_string(), job }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::JobKind;

    fn job(id: &str) -> Job {
        let r: StartedResponse =
            serde_json::from_str(&format!(r#"{{"id":"{id}","status":"STARTED","classes":["A"]}}"#)).unwrap();
        Job::started(crate::job::JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &r, 5)
    }

    #[test]
    fn round_trip_per_server() {
        let mut j = Journal::parse("").unwrap();
        j.set_jobs("http://a", vec![job("x"), job("y")]);
        j.set_jobs("http://b", vec![job("z")]);
        let back = Journal::parse(&j.to_json()).unwrap();
        assert_eq!(back.jobs_for("http://a"), vec![job("x"), job("y")]);
        assert_eq!(back.jobs_for("http://b"), vec![job("z")]);
        assert!(back.jobs_for("http://c").is_empty());
        let mut again = back.clone();
        again.set_jobs("http://a", vec![]);
        assert!(again.jobs_for("http://a").is_empty());
        assert_eq!(again.jobs_for("http://b").len(), 1);
    }

    #[test]
    fn corrupt_or_foreign_values_are_errors_not_panics() {
        for bad in ["{", "null", "[1,2]", r#"{"v":1,"entries":[{"server":1}]}"#, "\u{0}", "🙂"] {
            assert!(Journal::parse(bad).is_err(), "{bad}");
        }
        assert!(Journal::parse(r#"{"v":2,"entries":[]}"#).unwrap_err().contains("unknown format"));
    }

    #[test]
    fn never_stores_an_api_key() {
        let mut j = Journal::default();
        j.set_jobs("http://a", vec![job("x")]);
        let text = j.to_json();
        assert!(!text.contains("api_key") && !text.contains("apiKey") && !text.contains("Bearer"), "{text}");
    }
}
