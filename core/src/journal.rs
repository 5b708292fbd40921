//! The journal: jobs this console started or acted on, kept in `localStorage` so they come
//! back after a reload. Per Weaviate URL, the newest [`MAX_PER_SERVER`] of them; never holds
//! the API key. Backups listed by the server are not kept: the list is read again. Anything
//! unreadable is reported, not trusted.
//!
//! Every tab of a browser writes the same value, so no tab may write it from its own copy: a
//! tab [merges](Journal::merge) what it holds into what is stored. A job is one entry per
//! server and key, and of two versions of it the newer wins ([`newer`]); a job cleared from view
//! leaves a marker, so a tab still showing it cannot bring it back. The merge is a join
//! (commutative, associative, idempotent): tabs that write in any order end with the same value.
//!
//! What the one tab polling a server reads is also told to the other tabs ([`Shared`]).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::job::{Job, JobKey};

/// The storage key of the journal.
pub const STORAGE_KEY: &str = "backup-console.journal";
const FORMAT: u32 = 1;
/// Jobs kept per server: a year of hourly backups must not fill the ~5 MB storage quota.
pub const MAX_PER_SERVER: usize = 500;
/// Clearings remembered per server: a tab still showing an older cleared job is a tab open for
/// longer than 500 clearings, and would show it only until it is cleared again.
pub const MAX_CLEARED_PER_SERVER: usize = 500;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    v: u32,
    entries: Vec<Entry>,
    /// Jobs cleared from view ("Clear finished"). An older console ignores the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cleared: Vec<Cleared>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Entry {
    server: String,
    job: Job,
    /// How many changes of this job were written, by any tab (see [`newer`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    rev: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Cleared {
    server: String,
    key: JobKey,
    /// The run cleared (its start): a later run under the same key (a restore of the same
    /// backup run again) is another job and stays.
    started_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What a tab knows of each job of one server: the version it last wrote or took from the
/// journal, with that version's revision. A job that differs from it was changed in the tab.
pub type Known = HashMap<JobKey, (Job, u64)>;

/// Whether version `a` (revision `ra`) of a job is newer than `b` (revision `rb`), for two
/// versions of one server's job with one key: the later run; in one run a finished version
/// before a running one (a finished job cannot change, and a tab that has not seen the end yet
/// must not reopen it), then the later written change (revision), then the later status read
/// (the one polling tab's reads: a successful read advances `last_update_ms`, a failed one
/// counts up `poll_failures`). Equal ranks are ordered by content, so that every tab picks
/// the same version. A cancel is no part of the order: [`join`] keeps it from either version.
pub fn newer(a: &Job, ra: u64, b: &Job, rb: u64) -> bool {
    match rank(a, ra).cmp(&rank(b, rb)) {
        // Usually the same version, read back: no need to serialize it.
        Ordering::Equal => a != b && content(a) > content(b),
        other => other == Ordering::Greater,
    }
}

fn rank(j: &Job, rev: u64) -> (u64, bool, u64, u64, u32, bool) {
    (j.started_ms, j.is_terminal(), rev, j.last_update_ms, j.poll_failures, j.poll_problem.is_some())
}

/// A job's content for ordering equal ranks, without the cancel flag (see [`join`]).
fn content(job: &Job) -> String {
    let mut j = job.clone();
    j.cancel_requested = false;
    serde_json::to_string(&j).unwrap_or_default()
}

/// The newer of two versions, with a cancel requested in either version of the same run: a
/// cancel is sent once, from one tab, and must not be lost to a status read in another tab
/// at the same time.
fn join(a: &Entry, b: &Entry) -> Entry {
    let (win, lose) = if newer(&b.job, b.rev, &a.job, a.rev) { (b, a) } else { (a, b) };
    let mut e = win.clone();
    if lose.job.started_ms == win.job.started_ms {
        e.job.cancel_requested |= lose.job.cancel_requested;
    }
    e
}

/// Takes what the tab polling the server read about a job into this tab's version, if it is a
/// later read of the same run (or a later run); a cancel requested here stays. Whether `mine`
/// changed.
pub fn take_shared(mine: &mut Job, theirs: &Job) -> bool {
    if rank(theirs, 0) <= rank(mine, 0) {
        return false;
    }
    let cancel = mine.cancel_requested && mine.started_ms == theirs.started_ms;
    adopt(mine, theirs);
    mine.cancel_requested |= cancel;
    true
}

/// Makes `mine` the journal's version `theirs`. Why polling stopped (never stored) stays as
/// this tab knows it unless `theirs` is a later read. Whether `mine` changed.
pub fn adopt(mine: &mut Job, theirs: &Job) -> bool {
    let later = theirs.started_ms != mine.started_ms || theirs.last_update_ms > mine.last_update_ms;
    let mut next = theirs.clone();
    if !later && next.poll_stopped.is_none() {
        next.poll_stopped = mine.poll_stopped.clone();
    }
    if next == *mine {
        return false;
    }
    *mine = next;
    true
}

impl Journal {
    /// Reads the stored text; an absent value is an empty journal. What a tab or an older
    /// console may have left (the same job twice, more than the bound, listed backups) is
    /// merged and bounded as the journal would hold it.
    pub fn parse(text: &str) -> Result<Journal, String> {
        if text.trim().is_empty() {
            return Ok(Journal { v: FORMAT, ..Journal::default() });
        }
        let mut j: Journal = serde_json::from_str(text)
            .map_err(|e| format!("The saved job list could not be read and was ignored ({e})."))?;
        if j.v != FORMAT {
            return Err(format!("The saved job list has an unknown format (v{}) and was ignored.", j.v));
        }
        j.normalize();
        Ok(j)
    }

    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Stored<'a> {
            v: u32,
            entries: &'a [Entry],
            #[serde(skip_serializing_if = "<[Cleared]>::is_empty")]
            cleared: &'a [Cleared],
        }
        serde_json::to_string(&Stored { v: FORMAT, entries: &self.entries, cleared: &self.cleared }).unwrap_or_default()
    }

    /// Jobs recorded for `server`, newest first.
    pub fn jobs_for(&self, server: &str) -> Vec<Job> {
        self.entries.iter().filter(|e| e.server == server).map(|e| e.job.clone()).collect()
    }

    /// What a tab knows after reading or writing this journal for `server` (see [`Known`]).
    pub fn known_for(&self, server: &str) -> Known {
        self.entries.iter().filter(|e| e.server == server).map(|e| (e.job.key.clone(), (e.job.clone(), e.rev))).collect()
    }

    /// Jobs of `server` cleared from view, each with the run it cleared.
    pub fn cleared_for(&self, server: &str) -> Vec<(JobKey, u64)> {
        self.cleared.iter().filter(|c| c.server == server).map(|c| (c.key.clone(), c.started_ms)).collect()
    }

    /// Replaces the jobs recorded for `server` with those of `jobs` it keeps (a journal of one
    /// tab's own, as an older console wrote it).
    pub fn set_jobs(&mut self, server: &str, jobs: impl IntoIterator<Item = Job>) {
        self.entries.retain(|e| e.server != server);
        self.cleared.retain(|c| c.server != server);
        self.entries.extend(jobs.into_iter().map(|job| Entry { server: server.to_string(), job, rev: 0 }));
        self.normalize();
    }

    /// Merges in what one tab shows of `server` now: `jobs` (those it keeps), each compared
    /// with what the tab knew of it (`known`, see [`Known`]). A job changed in the tab gets the
    /// revision after the highest one seen of it, so it wins over what the tab had read; a
    /// known job no longer shown was cleared in the tab.
    pub fn record(&mut self, server: &str, jobs: &[Job], known: &Known) {
        let stored: HashMap<&JobKey, u64> = self.entries.iter().filter(|e| e.server == server).map(|e| (&e.job.key, e.rev)).collect();
        let mut mine = Journal { v: FORMAT, ..Journal::default() };
        for job in jobs.iter().filter(|j| j.journaled()) {
            let seen = known.get(&job.key);
            let rev = match seen {
                Some((was, rev)) if was == job => *rev,
                _ => seen.map_or(0, |(_, r)| *r).max(stored.get(&job.key).copied().unwrap_or(0)) + 1,
            };
            mine.entries.push(Entry { server: server.to_string(), job: job.clone(), rev });
        }
        let shown: std::collections::HashSet<&JobKey> = jobs.iter().map(|j| &j.key).collect();
        for (key, (job, _)) in known.iter().filter(|(k, _)| !shown.contains(k)) {
            mine.cleared.push(Cleared { server: server.to_string(), key: key.clone(), started_ms: job.started_ms });
        }
        self.merge(&mine);
    }

    /// Merges `other` in: every job either holds, in its newer version, unless cleared, and
    /// the newest [`MAX_PER_SERVER`] per server. What this journal held keeps its place, so
    /// a merge that adds nothing writes the same text.
    pub fn merge(&mut self, other: &Journal) {
        self.entries.extend(other.entries.iter().cloned());
        self.cleared.extend(other.cleared.iter().cloned());
        self.normalize();
    }

    /// Drops what matters least, to fit a full storage quota: the clearings, else the older
    /// half of the finished jobs (those still running are what a reload must not lose). How
    /// many were dropped; 0 when nothing is left to drop.
    pub fn shrink(&mut self) -> usize {
        if !self.cleared.is_empty() {
            return std::mem::take(&mut self.cleared).len();
        }
        let finished: Vec<usize> = (0..self.entries.len()).filter(|&i| self.entries[i].job.is_terminal()).collect();
        // Entries are newest first: the older half is the tail.
        let drop: std::collections::HashSet<usize> = finished[finished.len() / 2..].iter().copied().collect();
        let mut i = 0;
        self.entries.retain(|_| {
            i += 1;
            !drop.contains(&(i - 1))
        });
        drop.len()
    }

    /// One entry per server and key (the join of all), none of a cleared run nor of a listed
    /// backup, newest first (a stable sort: ties keep their place), bounded per server.
    fn normalize(&mut self) {
        let mut cleared: Vec<Cleared> = vec![];
        let mut at: HashMap<(String, JobKey), usize> = HashMap::new();
        for c in self.cleared.drain(..) {
            match at.get(&(c.server.clone(), c.key.clone())) {
                Some(&i) => cleared[i].started_ms = cleared[i].started_ms.max(c.started_ms),
                None => {
                    at.insert((c.server.clone(), c.key.clone()), cleared.len());
                    cleared.push(c);
                }
            }
        }
        let mut entries: Vec<Entry> = vec![];
        let mut pos: HashMap<(String, JobKey), usize> = HashMap::new();
        for e in self.entries.drain(..) {
            let id = (e.server.clone(), e.job.key.clone());
            match pos.get(&id) {
                Some(&i) => entries[i] = join(&entries[i], &e),
                None => {
                    pos.insert(id, entries.len());
                    entries.push(e);
                }
            }
        }
        entries.retain(|e| {
            e.job.journaled()
                && at.get(&(e.server.clone(), e.job.key.clone())).is_none_or(|&i| e.job.started_ms > cleared[i].started_ms)
        });
        self.entries = bounded(entries, MAX_PER_SERVER, |e| (&e.server, e.job.started_ms));
        self.cleared = bounded(cleared, MAX_CLEARED_PER_SERVER, |c| (&c.server, c.started_ms));
    }
}

/// Sorts newest first (stable) and keeps `max` per server.
fn bounded<T>(mut items: Vec<T>, max: usize, of: impl Fn(&T) -> (&String, u64)) -> Vec<T> {
    items.sort_by_key(|t| std::cmp::Reverse(of(t).1));
    let mut count: HashMap<String, usize> = HashMap::new();
    items.retain(|t| {
        let n = count.entry(of(t).0.clone()).or_default();
        *n += 1;
        *n <= max
    });
    items
}

/// What the tab polling a server tells the other tabs of the browser after each status read:
/// the job as it now knows it. Received from any tab of the origin (an older console, a broken
/// one), so read totally: anything else is ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shared {
    v: u32,
    pub server: String,
    pub job: Job,
}

/// A message larger than this is ignored (a job with its timeline is a few KB).
pub const MAX_SHARED: usize = 64 * 1024;

impl Shared {
    pub fn new(server: &str, job: &Job) -> Shared {
        Shared { v: FORMAT, server: server.to_string(), job: job.clone() }
    }

    pub fn parse(text: &str) -> Option<Shared> {
        if text.len() > MAX_SHARED {
            return None;
        }
        serde_json::from_str::<Shared>(text).ok().filter(|s| s.v == FORMAT)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The polling tab's last word before its page goes. The browser hands the lock on only once
/// the page is torn down (~100 ms after the close in `tests/e2e/tests/suite/tabs.rs`, however
/// long that takes on a loaded machine); this message is sent while the page is still there,
/// and a visible tab takes the lock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Leaving {
    v: u32,
    leaving: String,
}

/// What one tab tells the others on the channel.
#[derive(Clone, Debug, PartialEq)]
pub enum Told {
    /// A status read ([`Shared`]).
    Read(Shared),
    /// The tab polling this server is going away.
    Leaving(String),
}

impl Told {
    /// Like [`Shared::parse`]: any other text is `None`.
    pub fn parse(text: &str) -> Option<Told> {
        if let Some(shared) = Shared::parse(text) {
            return Some(Told::Read(shared));
        }
        if text.len() > MAX_SHARED {
            return None;
        }
        serde_json::from_str::<Leaving>(text).ok().filter(|l| l.v == FORMAT).map(|l| Told::Leaving(l.leaving))
    }

    /// The server the message is about.
    pub fn server(&self) -> &str {
        match self {
            Told::Read(shared) => &shared.server,
            Told::Leaving(server) => server,
        }
    }

    pub fn leaving(server: &str) -> String {
        serde_json::to_string(&Leaving { v: FORMAT, leaving: server.to_string() }).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::JobKind;
    use crate::status::Status;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    fn job(id: &str) -> Job {
        job_at(id, 5)
    }

    fn job_at(id: &str, started: u64) -> Job {
        let r: StartedResponse =
            serde_json::from_str(&format!(r#"{{"id":"{id}","status":"STARTED","classes":["A"]}}"#)).unwrap();
        Job::started(JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &r, started)
    }

    fn restore(id: &str, started: u64) -> Job {
        let mut j = job_at(id, started);
        j.key.kind = JobKind::Restore;
        j
    }

    fn listed(id: &str) -> Job {
        let item: crate::api::BackupListItem = serde_json::from_str(&format!(r#"{{"id":"{id}","status":"SUCCESS"}}"#)).unwrap();
        Job::from_listed("filesystem", &item, 5)
    }

    fn ended(mut j: Job, status: &str, at: u64) -> Job {
        j.status = Status::parse(status);
        j.last_update_ms = at;
        j.finished_ms = Some(at);
        j
    }

    fn ids(jobs: &[Job]) -> Vec<String> {
        let mut ids: Vec<String> = jobs.iter().map(|j| j.key.to_string()).collect();
        ids.sort();
        ids
    }

    /// A tab: what it shows of one server, and what it knows of the journal.
    struct Tab {
        jobs: Vec<Job>,
        known: Known,
    }

    impl Tab {
        /// Opens on `stored`.
        fn open(stored: &str) -> Tab {
            let j = Journal::parse(stored).unwrap();
            Tab { jobs: j.jobs_for("http://a"), known: j.known_for("http://a") }
        }

        /// Writes what it shows into `stored`, as the app does: merged, never replaced.
        fn save(&mut self, stored: &mut String) {
            let mut j = Journal::parse(stored).unwrap();
            j.record("http://a", &self.jobs, &self.known);
            *stored = j.to_json();
            self.known = j.known_for("http://a");
        }
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
        old.entries.extend((0..1_000).map(|i| Entry { server: "http://a".into(), job: listed(&format!("l{i}")), rev: 0 }));
        old.entries.push(Entry { server: "http://a".into(), job: job("kept"), rev: 0 });
        let back = Journal::parse(&old.to_json()).unwrap();
        assert_eq!(back.jobs_for("http://a").len(), 1);
        // A merge is bounded the same way.
        let mut more = Journal::default();
        more.set_jobs("http://a", (2_000..2_100).map(|i| job_at(&format!("a{i}"), i)));
        j.merge(&more);
        let a = j.jobs_for("http://a");
        assert_eq!((a.len(), a[0].key.id.as_str(), a[MAX_PER_SERVER - 1].key.id.as_str()), (MAX_PER_SERVER, "a2099", "a1600"));
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

    /// Issue 18: a restore started in one tab, then a backup in another that opened before it.
    #[test]
    fn two_tabs_with_stale_copies_keep_both_jobs() {
        let mut stored = String::new();
        let mut one = Tab::open(&stored);
        let mut two = Tab::open(&stored);
        one.jobs.push(restore("snap", 10));
        one.save(&mut stored);
        two.jobs.push(job_at("nightly", 20));
        two.save(&mut stored);
        assert_eq!(ids(&Journal::parse(&stored).unwrap().jobs_for("http://a")), ["backup:filesystem:nightly", "restore:filesystem:snap"]);
        // And the first tab, writing again from what it holds, loses nothing either.
        one.jobs[0] = ended(one.jobs[0].clone(), "SUCCESS", 30);
        one.save(&mut stored);
        let back = Journal::parse(&stored).unwrap().jobs_for("http://a");
        assert_eq!(ids(&back), ["backup:filesystem:nightly", "restore:filesystem:snap"]);
        assert_eq!(back.iter().find(|j| j.key.id == "snap").unwrap().status, Status::Success);
    }

    #[test]
    fn a_stale_tab_does_not_undo_a_newer_version() {
        let mut stored = String::new();
        let mut one = Tab::open(&stored);
        one.jobs.push(job_at("b", 10));
        one.save(&mut stored);
        let mut two = Tab::open(&stored);
        // The first tab sees the end; the second, still showing it running, reads a status.
        one.jobs[0] = ended(one.jobs[0].clone(), "SUCCESS", 40);
        one.save(&mut stored);
        two.jobs[0].last_update_ms = 50;
        two.save(&mut stored);
        assert_eq!(Journal::parse(&stored).unwrap().jobs_for("http://a")[0].status, Status::Success, "finished beats running");
        // A cancel sent in one tab survives a status read written by the other at once.
        let mut stored = String::new();
        let mut one = Tab::open(&stored);
        one.jobs.push(job_at("c", 10));
        one.save(&mut stored);
        let mut two = Tab::open(&stored);
        one.jobs[0].cancel_requested = true;
        two.jobs[0].last_update_ms = 60;
        let (mut s1, mut s2) = (stored.clone(), stored.clone());
        one.save(&mut s1);
        two.save(&mut s2);
        let mut a = Journal::parse(&s1).unwrap();
        a.merge(&Journal::parse(&s2).unwrap());
        let c = &a.jobs_for("http://a")[0];
        assert!(c.cancel_requested, "{c:?}");
        // The same job run again is the newer one, finished or not.
        let mut j = Journal::default();
        j.set_jobs("http://a", vec![ended(restore("r", 10), "SUCCESS", 20)]);
        let mut again = Journal::default();
        again.set_jobs("http://a", vec![restore("r", 30)]);
        j.merge(&again);
        assert_eq!(j.jobs_for("http://a")[0].status, Status::Started);
    }

    #[test]
    fn a_job_cleared_in_one_tab_is_not_brought_back_by_another() {
        let mut stored = String::new();
        let mut one = Tab::open(&stored);
        one.jobs = vec![ended(job_at("old", 10), "SUCCESS", 11), job_at("running", 12)];
        one.save(&mut stored);
        let mut two = Tab::open(&stored);
        one.jobs.retain(|j| !j.is_terminal());
        one.save(&mut stored);
        // The second tab still shows it and writes what it holds.
        two.jobs[1].last_update_ms = 99;
        two.save(&mut stored);
        let j = Journal::parse(&stored).unwrap();
        assert_eq!(ids(&j.jobs_for("http://a")), ["backup:filesystem:running"]);
        assert_eq!(j.cleared_for("http://a"), vec![(job("old").key, 10)]);
        // A new run under the cleared key is another job.
        one.jobs.push(job_at("old", 20));
        one.save(&mut stored);
        assert_eq!(Journal::parse(&stored).unwrap().jobs_for("http://a").len(), 2);
        // Clearings are bounded too.
        let mut many = Journal::default();
        for i in 0..(MAX_CLEARED_PER_SERVER as u64 + 10) {
            many.cleared.push(Cleared { server: "http://a".into(), key: job(&format!("c{i}")).key, started_ms: i });
        }
        many.normalize();
        assert_eq!(many.cleared_for("http://a").len(), MAX_CLEARED_PER_SERVER);
    }

    #[test]
    fn an_unchanged_tab_writes_the_same_text() {
        let mut stored = String::new();
        let mut one = Tab::open(&stored);
        one.jobs = vec![job_at("x", 1), job_at("y", 1), restore("z", 3)];
        one.save(&mut stored);
        let mut two = Tab::open(&stored);
        let before = stored.clone();
        two.save(&mut stored);
        one.save(&mut stored);
        assert_eq!(stored, before);
    }

    #[test]
    fn shrinking_drops_clearings_then_the_older_finished_jobs() {
        let mut j = Journal::default();
        let jobs: Vec<Job> = (0..10).map(|i| if i % 2 == 0 { ended(job_at(&format!("f{i}"), i), "SUCCESS", i) } else { job_at(&format!("r{i}"), i) }).collect();
        j.set_jobs("http://a", jobs);
        j.cleared.push(Cleared { server: "http://a".into(), key: job("gone").key, started_ms: 1 });
        assert_eq!(j.shrink(), 1);
        assert!(j.cleared_for("http://a").is_empty());
        assert_eq!(j.shrink(), 3, "the older half of five finished");
        let left = ids(&j.jobs_for("http://a"));
        assert!(left.contains(&"backup:filesystem:f8".to_string()) && !left.contains(&"backup:filesystem:f0".to_string()), "{left:?}");
        while j.shrink() > 0 {}
        assert!(j.jobs_for("http://a").iter().all(|j| !j.is_terminal()));
        assert_eq!(j.jobs_for("http://a").len(), 5, "running jobs are never dropped");
    }

    #[test]
    fn shared_reads_are_taken_only_when_later() {
        let mine = job_at("b", 10);
        let mut read = mine.clone();
        read.status = Status::parse("TRANSFERRING");
        read.last_update_ms = 20;
        let text = Shared::new("http://a", &read).to_json();
        let got = Shared::parse(&text).unwrap();
        assert_eq!((got.server.as_str(), &got.job), ("http://a", &read));
        let mut m = mine.clone();
        m.cancel_requested = true;
        assert!(take_shared(&mut m, &got.job));
        assert_eq!((m.status.clone(), m.cancel_requested), (Status::parse("TRANSFERRING"), true), "the cancel sent here stays");
        assert!(!take_shared(&mut m, &mine), "an older read is ignored");
        assert!(!take_shared(&mut m.clone(), &m), "the same read changes nothing");
        let mut failed = m.clone();
        failed.poll_failures = 1;
        assert!(take_shared(&mut m, &failed), "a failed read after it is later");
        // Hostile or foreign messages are ignored.
        let padded = format!("{text}{}", " ".repeat(MAX_SHARED));
        for bad in ["", "null", "{}", r#"{"v":2,"server":"x","job":null}"#, &text.replace(r#""v":1"#, r#""v":9"#), &padded] {
            assert_eq!(Shared::parse(bad), None, "{bad:.80}");
            assert_eq!(Told::parse(bad), None, "{bad:.80}");
        }
        assert_eq!(Told::parse(&text), Some(Told::Read(got)));
    }

    #[test]
    fn a_leaving_tab_names_its_server() {
        let text = Told::leaving("http://a");
        assert_eq!(Told::parse(&text), Some(Told::Leaving("http://a".into())));
        assert_eq!(Told::parse(&text).unwrap().server(), "http://a");
        for bad in [r#"{"v":2,"leaving":"http://a"}"#, r#"{"v":1,"leaving":7}"#, r#"{"v":1}"#] {
            assert_eq!(Told::parse(bad), None, "{bad}");
        }
    }

    // ---- properties --------------------------------------------------------------------------

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
    }

    /// Runs a property `cases` times.
    fn run<S: Strategy>(name: &'static str, cases: u32, s: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        println!("proptest {name}: {cases} cases");
        let config = Config { cases, rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift, ..Config::default() };
        if let Err(e) = TestRunner::new(config).run(&s, test) {
            panic!("proptest {name}: {e}");
        }
    }

    /// Journals over a few servers, keys, runs and versions, so that they collide.
    fn journal() -> impl Strategy<Value = Journal> {
        let entry = (0..2u8, 0..3u8, 0..3u64, 0..4u8, 0..3u64, 0..3u64, any::<bool>(), 0..2u32).prop_map(
            |(server, id, run, status, rev, read, cancel, failures)| {
                let kind = if id == 2 { "r" } else { "b" };
                let mut j = if kind == "r" { restore(&format!("{id}"), run) } else { job_at(&format!("{id}"), run) };
                j.status = Status::parse(["STARTED", "TRANSFERRING", "SUCCESS", "FAILED"][status as usize]);
                j.last_update_ms = read;
                j.poll_failures = failures;
                j.cancel_requested = cancel;
                Entry { server: format!("http://{server}"), job: j, rev }
            },
        );
        let cleared = (0..2u8, 0..3u8, 0..3u64).prop_map(|(server, id, run)| Cleared {
            server: format!("http://{server}"),
            key: if id == 2 { restore(&format!("{id}"), 0).key } else { job(&format!("{id}")).key },
            started_ms: run,
        });
        (proptest::collection::vec(entry, 0..6), proptest::collection::vec(cleared, 0..2)).prop_map(|(entries, cleared)| {
            let mut j = Journal { v: FORMAT, entries, cleared };
            j.normalize();
            j
        })
    }

    /// The journal as a set (order is the writer's).
    fn set(j: &Journal) -> (Vec<String>, Vec<String>) {
        let mut e: Vec<String> = j.entries.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let mut c: Vec<String> = j.cleared.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
        e.sort();
        c.sort();
        (e, c)
    }

    fn merged(a: &Journal, b: &Journal) -> Journal {
        let mut m = a.clone();
        m.merge(b);
        m
    }

    #[test]
    fn prop_merge_is_a_join() {
        // A tenth of the cases: three merges of up to 18 jobs each take 50 times a parse.
        run("journal::Journal::merge", cases() / 10, (journal(), journal(), journal()), |(a, b, c)| {
            prop_assert_eq!(merged(&a, &a), a.clone(), "idempotent");
            prop_assert_eq!(set(&merged(&a, &b)), set(&merged(&b, &a)), "commutative");
            prop_assert_eq!(set(&merged(&merged(&a, &b), &c)), set(&merged(&a, &merged(&b, &c))), "associative");
            prop_assert_eq!(Journal::parse(&merged(&a, &b).to_json()).unwrap(), merged(&a, &b), "stored as merged");
            Ok(())
        });
    }

    #[test]
    fn prop_merge_never_loses_a_job() {
        run("journal::Journal::merge keeps every job", cases() / 10, (journal(), journal()), |(a, b)| {
            let m = merged(&a, &b);
            for e in a.entries.iter().chain(&b.entries) {
                let covered = a.cleared.iter().chain(&b.cleared).any(|c| c.server == e.server && c.key == e.job.key && c.started_ms >= e.job.started_ms);
                let kept = m.entries.iter().find(|k| k.server == e.server && k.job.key == e.job.key);
                match kept {
                    // What is kept is one of the versions either had, at least as new.
                    Some(k) => {
                        prop_assert!(!newer(&e.job, e.rev, &k.job, k.rev), "{e:?} lost to {k:?}");
                        prop_assert!(k.job.started_ms > e.job.started_ms || !covered);
                        if k.job.started_ms == e.job.started_ms && e.job.cancel_requested {
                            prop_assert!(k.job.cancel_requested, "a cancel is kept");
                        }
                    }
                    None => prop_assert!(covered, "{e:?} lost"),
                }
            }
            Ok(())
        });
    }

    #[test]
    fn prop_told_parse_is_total() {
        let text = proptest::string::string_regex(r#"[{}\[\]":,0-9a-zA-Z_ .\-]{0,200}"#).unwrap();
        let message = (0..3u64, 0..4u8, any::<u8>()).prop_map(|(run, status, cut)| {
            let mut j = job_at("b", run);
            j.status = Status::parse(["STARTED", "TRANSFERRING", "SUCCESS", "??"][status as usize]);
            let t = Shared::new("http://a", &j).to_json();
            t.chars().take(t.len() * usize::from(cut) / 255).collect::<String>()
        });
        let leaving = any::<u8>().prop_map(|cut| {
            let t = Told::leaving("http://a");
            t.chars().take(t.len() * usize::from(cut) / 255).collect::<String>()
        });
        run("journal::Told::parse", cases(), prop_oneof![text, message, leaving], |t| {
            match Told::parse(&t) {
                Some(Told::Read(s)) => {
                    prop_assert_eq!(Shared::parse(&s.to_json()), Some(s.clone()));
                    let mut mine = job_at("b", 0);
                    take_shared(&mut mine, &s.job);
                }
                Some(Told::Leaving(server)) => prop_assert_eq!(Told::parse(&Told::leaving(&server)), Some(Told::Leaving(server))),
                None => {}
            }
            Ok(())
        });
    }
}
