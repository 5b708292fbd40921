//! The journal: jobs this console started or acted on, kept in `localStorage` so they come
//! back after a reload. Per Weaviate URL, the newest [`MAX_PER_SERVER`] of them; never holds
//! the API key. Backups listed by the server are not kept: the list is read again. Anything
//! unreadable is reported, not trusted.

use serde::{Deserialize, Serialize};

use crate::job::Job;

/// The storage key of the journal.
pub const STORAGE_KEY: &str = "backup-console.journal";
const FORMAT: u32 = 1;
/// Jobs kept per server: a year of hourly backups must not fill the ~5 MB storage quota.
pub const MAX_PER_SERVER: usize = 500;

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
        #[derive(Serialize)]
        struct Stored<'a> {
            v: u32,
            entries: &'a [Entry],
        }
        serde_json::to_string(&Stored { v: FORMAT, entries: &self.entries }).unwrap_or_default()
    }

    /// Jobs recorded for `server`, newest first. A journal written before the bound (with every
    /// listed backup in it) yields only what it would keep now.
    pub fn jobs_for(&self, server: &str) -> Vec<Job> {
        let mut jobs: Vec<Job> = self.entries.iter().filter(|e| e.server == server && e.job.journaled()).map(|e| e.job.clone()).collect();
        newest(&mut jobs);
        jobs
    }

    /// Replaces the jobs recorded for `server` with those of `jobs` it keeps.
    pub fn set_jobs(&mut self, server: &str, jobs: impl IntoIterator<Item = Job>) {
        self.entries.retain(|e| e.server != server);
        let mut kept: Vec<Job> = jobs.into_iter().filter(Job::journaled).collect();
        newest(&mut kept);
        self.entries.extend(kept.into_iter().map(|job| Entry { server: server.to_string(), job }));
    }
}

/// Sorts newest first (ties keep their order) and keeps [`MAX_PER_SERVER`].
fn newest(jobs: &mut Vec<Job>) {
    let order = crate::table::ordered(jobs.iter().enumerate().map(|(i, j)| (0, !j.started_ms, i)).collect());
    let mut slots: Vec<Option<Job>> = jobs.drain(..).map(Some).collect();
    jobs.extend(order.into_iter().take(MAX_PER_SERVER).filter_map(|i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::JobKind;

    fn job(id: &str) -> Job {
        job_at(id, 5)
    }

    fn job_at(id: &str, started: u64) -> Job {
        let r: StartedResponse =
            serde_json::from_str(&format!(r#"{{"id":"{id}","status":"STARTED","classes":["A"]}}"#)).unwrap();
        Job::started(crate::job::JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &r, started)
    }

    fn listed(id: &str) -> Job {
        let item: crate::api::BackupListItem = serde_json::from_str(&format!(r#"{{"id":"{id}","status":"SUCCESS"}}"#)).unwrap();
        Job::from_listed("filesystem", &item, 5)
    }

    #[test]
    fn keeps_what_this_console_started_or_acted_on() {
        let mut cancelled = listed("cancelled-here");
        cancelled.cancel_requested = true;
        let mut j = Journal::default();
        j.set_jobs("http://a", vec![job("mine"), listed("elsewhere"), cancelled]);
        let ids: Vec<String> = j.jobs_for("http://a").into_iter().map(|j| j.key.id).collect();
        assert_eq!(ids, ["mine", "cancelled-here"]);
        assert!(!j.to_json().contains("elsewhere"));
    }

    #[test]
    fn keeps_the_newest_per_server() {
        let mut j = Journal::default();
        j.set_jobs("http://a", (0..2_000).map(|i| job_at(&format!("a{i}"), i)));
        j.set_jobs("http://b", vec![job("b")]);
        let a = j.jobs_for("http://a");
        assert_eq!(a.len(), MAX_PER_SERVER);
        assert_eq!(a[0].key.id, "a1999");
        assert_eq!(a[MAX_PER_SERVER - 1].key.id, "a1500");
        assert_eq!(j.jobs_for("http://b").len(), 1);
        // A stored journal from before the bound loads bounded, without the listed backups.
        let mut old = Journal::parse("").unwrap();
        old.entries.extend((0..1_000).map(|i| Entry { server: "http://a".into(), job: listed(&format!("l{i}")) }));
        old.entries.push(Entry { server: "http://a".into(), job: job("kept") });
        let back = Journal::parse(&old.to_json()).unwrap();
        assert_eq!(back.jobs_for("http://a").len(), 1);
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
