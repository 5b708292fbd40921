//! What the console shows of its backup policies: which known jobs each policy made (grouped by
//! the policy's id template, from the jobs the console already has: the backends' lists it
//! refreshes anyway, and the jobs it started), each policy's row in the Policies table, the
//! next runs with the ids they will get, and what the browser keeps of policies made in it.
//!
//! The console never asks the server anything for a policy: every number here comes from what
//! it already knows, so the Policies view costs no request.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::TimeZone;
/// The app names these through core, which owns the dependency.
pub use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::BackupListItem;
use crate::job::{Job, JobKind};
use crate::policy::state::{members, Member, PolicyState};
use crate::policy::{Checked, Incremental, OnPreviousRunning, Policy, Retention, Span};
use crate::validate::{parse_collection_list, Field, FieldErrors};
use crate::version::Capabilities;
use crate::summary::ago;

/// Retention in a few words: `max 14, min 3, 30d`, or `keep all`.
pub fn retention_words(r: &Retention) -> String {
    let parts: Vec<String> = [
        r.max_count.map(|n| format!("max {n}")),
        r.min_count.map(|n| format!("min {n}")),
        r.expire_after.map(|s| s.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "keep all".into()
    } else {
        parts.join(", ")
    }
}

/// A time from milliseconds since the epoch (the console's clock).
pub fn at_ms(ms: u64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(i64::try_from(ms).unwrap_or(i64::MAX)).unwrap_or_default()
}

/// `3 h ago`, or `never`.
pub fn age(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(at) => ago((now - at).num_milliseconds().max(0) as u64),
        None => "never".into(),
    }
}

/// Each policy's jobs among everything the console knows, collected job by job (the caller
/// feeds it from wherever its jobs live, without copying them). Membership is the id template
/// read back, never a prefix: `nightly-eu-…` is not a run of `nightly`.
#[derive(Clone, Debug)]
pub struct Grouping<'a> {
    policies: &'a [(Policy, Checked)],
    /// Per policy: the list items of the jobs that may be its own (their id holds its name;
    /// [`members`] reads each id back through the template), and beside each its end (ms)
    /// and the server's reason, if known.
    items: Vec<Vec<BackupListItem>>,
    facts: Vec<Vec<(Option<u64>, Option<String>)>>,
    /// Backends whose list showed an incremental base: the server shows bases to this key, so a
    /// backup without one is a full backup there.
    bases_shown: HashSet<String>,
}

impl<'a> Grouping<'a> {
    pub fn new(policies: &'a [(Policy, Checked)]) -> Grouping<'a> {
        Grouping { policies, items: vec![vec![]; policies.len()], facts: vec![vec![]; policies.len()], bases_shown: HashSet::new() }
    }

    /// One known job, with the incremental base the server listed for it, if any.
    pub fn add(&mut self, job: &Job, base: Option<&str>) {
        if job.key.kind != JobKind::Backup {
            return;
        }
        let base = base.filter(|b| !b.is_empty());
        if base.is_some() && !self.bases_shown.contains(&job.key.backend) {
            self.bases_shown.insert(job.key.backend.clone());
        }
        for (i, (policy, _)) in self.policies.iter().enumerate() {
            // Every id a template makes holds the policy's name: a cheap sieve before the
            // template reads the id (once, in `members`).
            if policy.backend != job.key.backend || !job.key.id.contains(policy.name.as_str()) {
                continue;
            }
            self.items[i].push(BackupListItem {
                id: job.key.id.clone(),
                classes: vec![],
                status: job.status.clone(),
                started_at: None,
                // The end is set on the member below: no need to write a time to read it back.
                completed_at: None,
                size: job.size_gib,
                incremental_base_backup_id: base.map(String::from),
            });
            self.facts[i].push((job.finished_ms, job.error.clone()));
        }
    }

    /// The members of the `i`th policy, newest first, each failed one with the server's reason
    /// when a status read brought it.
    pub fn members(&self, i: usize) -> Vec<Member> {
        let (policy, checked) = &self.policies[i];
        let mut found = members(policy, checked, &self.items[i], self.bases_shown.contains(&policy.backend));
        let known: HashMap<&str, &(Option<u64>, Option<String>)> =
            self.items[i].iter().map(|item| item.id.as_str()).zip(&self.facts[i]).collect();
        for m in &mut found {
            if let Some((end, error)) = known.get(m.id.as_str()) {
                // As `members` reads `completedAt`: the end of a finished backup only.
                m.finished = end.filter(|_| m.status.is_terminal()).map(at_ms);
                m.error = error.clone();
            }
        }
        found
    }
}

/// One row of the Policies table.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyRow {
    pub name: String,
    pub backend: String,
    /// The cron pattern as written, and in words.
    pub schedule: String,
    pub described: String,
    pub time_zone: String,
    pub retention: String,
    pub paused: bool,
    pub state: PolicyState,
}

impl PolicyRow {
    /// `members` newest first (from [`Grouping::members`]); `since`: when this console first
    /// saw the policy.
    pub fn of<Tz: TimeZone>(policy: &Policy, checked: &Checked, tz: &Tz, members: &[Member], now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> PolicyRow {
        PolicyRow {
            name: policy.name.clone(),
            backend: policy.backend.clone(),
            schedule: checked.schedule.as_str().to_string(),
            described: checked.schedule.describe(),
            time_zone: policy.time_zone.clone(),
            retention: retention_words(&policy.retention),
            paused: policy.paused,
            state: PolicyState::of(policy, checked, tz, members, now, since),
        }
    }

    /// The last failure: its id, and the server's reason when the console read one.
    pub fn last_failure(&self) -> Option<String> {
        self.state.last_failure.as_ref().map(|f| match &f.error {
            Some(e) => format!("{} ({}): {e}", f.id, f.status.as_str()),
            None => format!("{} ({})", f.id, f.status.as_str()),
        })
    }
}

/// The next `n` runs and the id each will get.
pub fn upcoming<Tz: TimeZone>(policy: &Policy, checked: &Checked, tz: &Tz, now: DateTime<Utc>, n: usize) -> Vec<(DateTime<Utc>, String)> {
    checked.schedule.next_runs(tz, now, n).into_iter().map(|at| (at, checked.template.render(&policy.name, at))).collect()
}

/// What this browser keeps for one server (`localStorage`, keyed by the server's base URL): the
/// policies made in the console, and when each policy (from `config.json` too) was first seen,
/// so a new policy is not overdue before it could have run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptPolicies {
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// Policy name → first seen, ms since the epoch.
    #[serde(default)]
    pub first_seen: BTreeMap<String, i64>,
}

impl KeptPolicies {
    /// What was stored, or why it cannot be read (then nothing is used: a policy half read is
    /// worse than none, and the notice says so).
    pub fn parse(text: &str) -> Result<KeptPolicies, String> {
        serde_json::from_str(text).map_err(|e| format!("The policies saved in this browser could not be read ({e}); they are ignored."))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Records `names` not seen before as seen at `now_ms`; whether anything was added.
    pub fn see<'n>(&mut self, names: impl IntoIterator<Item = &'n str>, now_ms: i64) -> bool {
        let mut added = false;
        for name in names {
            if !self.first_seen.contains_key(name) {
                self.first_seen.insert(name.to_string(), now_ms);
                added = true;
            }
        }
        added
    }

    pub fn since(&self, name: &str) -> Option<DateTime<Utc>> {
        self.first_seen.get(name).and_then(|ms| DateTime::<Utc>::from_timestamp_millis(*ms))
    }

    /// Adds `policy`, or replaces the one named `replacing` (an edit, maybe a rename). A rename
    /// keeps the first-seen time: the schedule did not start over.
    pub fn put(&mut self, replacing: Option<&str>, policy: Policy) {
        if let Some(old) = replacing {
            if old != policy.name {
                if let Some(t) = self.first_seen.remove(old) {
                    self.first_seen.insert(policy.name.clone(), t);
                }
            }
            self.policies.retain(|p| p.name != old);
        }
        self.policies.retain(|p| p.name != policy.name);
        self.policies.push(policy);
        self.policies.sort_by(|a, b| a.name.cmp(&b.name));
    }

    pub fn remove(&mut self, name: &str) {
        self.policies.retain(|p| p.name != name);
    }
}

/// Seconds east of UTC from an offset as `Intl.DateTimeFormat` writes it (`timeZoneName:
/// "longOffset"`): `GMT`, `GMT+01:00`, `GMT-09:30`; `None` for anything else.
pub fn gmt_offset(text: &str) -> Option<i32> {
    let rest = text.trim().strip_prefix("GMT")?;
    if rest.is_empty() {
        return Some(0);
    }
    let sign = match rest.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = rest[1..].split_once(':').unwrap_or((&rest[1..], "0"));
    let (h, m) = (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?);
    (h <= 24 && m < 60 && !rest[1..].starts_with(['+', '-'])).then_some(sign * (h * 3600 + m * 60))
}

/// The policy editor's fields as typed. Empty optional fields mean "not set".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyForm {
    pub name: String,
    pub backend: String,
    pub schedule: String,
    pub time_zone: String,
    pub id_template: String,
    pub include: String,
    pub exclude: String,
    pub cpu: String,
    pub compression: String,
    pub bucket: String,
    pub path: String,
    /// A full backup every N runs; empty: no incremental runs.
    pub full_every: String,
    pub max_count: String,
    pub min_count: String,
    pub expire_after: String,
    pub freshness: String,
    /// `skip` or `wait`.
    pub on_previous_running: String,
    pub paused: bool,
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn count(s: &str, field: Field, what: &str, errs: &mut FieldErrors) -> Option<u32> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse().map_err(|_| errs.add(field, format!("{what} must be a whole number, e.g. 14."))).ok()
}

fn span(s: &str, field: Field, errs: &mut FieldErrors) -> Option<Span> {
    text(s).and_then(|t| Span::parse(&t).map_err(|e| errs.add(field, e)).ok())
}

impl PolicyForm {
    /// The fields of `p`, to edit it.
    pub fn of(p: &Policy) -> PolicyForm {
        let n = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
        PolicyForm {
            name: p.name.clone(),
            backend: p.backend.clone(),
            schedule: p.schedule.clone(),
            time_zone: p.time_zone.clone(),
            id_template: p.id_template.clone(),
            include: p.include.join(", "),
            exclude: p.exclude.join(", "),
            cpu: n(p.cpu_percentage),
            compression: p.compression_level.clone().unwrap_or_default(),
            bucket: p.bucket.clone().unwrap_or_default(),
            path: p.path.clone().unwrap_or_default(),
            full_every: n(p.incremental.map(|i| i.full_every)),
            max_count: n(p.retention.max_count),
            min_count: n(p.retention.min_count),
            expire_after: p.retention.expire_after.map(|s| s.to_string()).unwrap_or_default(),
            freshness: p.freshness.map(|s| s.to_string()).unwrap_or_default(),
            on_previous_running: match p.on_previous_running {
                OnPreviousRunning::Skip => "skip".into(),
                OnPreviousRunning::Wait => "wait".into(),
            },
            paused: p.paused,
        }
    }

    /// The policy typed, with what could not be read (a count that is not a number, a length
    /// of time without its unit).
    pub fn policy(&self) -> (Policy, FieldErrors) {
        let mut errs = FieldErrors::default();
        let mut p = Policy::new(self.name.trim(), self.backend.trim(), self.schedule.trim(), self.time_zone.trim());
        p.id_template = self.id_template.trim().to_string();
        p.include = parse_collection_list(&self.include);
        p.exclude = parse_collection_list(&self.exclude);
        p.cpu_percentage = count(&self.cpu, Field::Cpu, "CPU %", &mut errs);
        p.compression_level = text(&self.compression);
        p.bucket = text(&self.bucket);
        p.path = text(&self.path);
        p.incremental = count(&self.full_every, Field::Incremental, "A full backup every … runs", &mut errs).map(|full_every| Incremental { full_every });
        p.retention = Retention {
            max_count: count(&self.max_count, Field::Retention, "Keep at most", &mut errs),
            min_count: count(&self.min_count, Field::Retention, "Keep at least", &mut errs),
            expire_after: span(&self.expire_after, Field::Retention, &mut errs),
        };
        p.freshness = span(&self.freshness, Field::Freshness, &mut errs);
        p.on_previous_running = if self.on_previous_running == "wait" { OnPreviousRunning::Wait } else { OnPreviousRunning::Skip };
        p.paused = self.paused;
        (p, errs)
    }

    /// Every rule at once, the runner's (`Policy::validate`) and the editor's own (readable
    /// numbers and lengths, a name no other policy has): the policy to save, or every problem.
    pub fn check(&self, caps: Option<Capabilities>, zone_known: &dyn Fn(&str) -> bool, editing: Option<&str>, taken: &[String]) -> Result<(Policy, Checked), FieldErrors> {
        let (policy, mut errs) = self.policy();
        if let Some(m) = name_taken(&policy.name, editing, taken) {
            errs.add(Field::Name, m);
        }
        match policy.validate(caps, zone_known) {
            Ok(checked) if errs.is_empty() => Ok((policy, checked)),
            Ok(_) => Err(errs),
            Err(more) => {
                for (f, m) in more.iter() {
                    errs.add(f, m);
                }
                Err(errs)
            }
        }
    }
}

/// A name taken by another policy, for the editor: config's and this browser's share one
/// namespace (ids are made from the name).
pub fn name_taken(name: &str, editing: Option<&str>, taken: &[String]) -> Option<String> {
    (editing != Some(name) && taken.iter().any(|t| t == name)).then(|| format!("A policy named {name} exists already."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::JobKey;
    use crate::policy::state::Health;
    use crate::policy::Span;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn job(backend: &str, id: &str, status: &str, end: Option<&str>, error: Option<&str>) -> Job {
        let resp: StartedResponse = serde_json::from_value(serde_json::json!({"id": id, "status": status, "error": error})).unwrap();
        let mut j = Job::started(JobKey { kind: JobKind::Backup, backend: backend.into(), id: id.into() }, &resp, 0);
        j.finished_ms = end.map(|e| utc(e).timestamp_millis() as u64);
        j
    }

    fn checked(p: Policy) -> (Policy, Checked) {
        let c = p.validate(None, &|_| true).unwrap();
        (p, c)
    }

    #[test]
    fn jobs_are_grouped_by_template_backend_and_kind() {
        let policies = [checked(Policy::new("nightly", "filesystem", "0 2 * * *", "UTC")), checked(Policy::new("nightly-eu", "filesystem", "0 3 * * *", "UTC"))];
        let mut g = Grouping::new(&policies);
        let mut restore = job("filesystem", "nightly-20261204-020000", "SUCCESS", Some("2026-12-04T05:00:00Z"), None);
        restore.key.kind = JobKind::Restore;
        for j in [
            job("filesystem", "nightly-20261205-020000", "SUCCESS", Some("2026-12-05T02:01:00Z"), None),
            job("filesystem", "nightly-eu-20261205-030000", "SUCCESS", Some("2026-12-05T03:01:00Z"), None),
            job("s3", "nightly-20261206-020000", "SUCCESS", Some("2026-12-06T02:01:00Z"), None),
            job("filesystem", "nightly-20261206-020000", "FAILED", Some("2026-12-06T02:00:30Z"), Some("disk full")),
            restore,
        ] {
            g.add(&j, None);
        }
        let m = g.members(0);
        assert_eq!(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["nightly-20261206-020000", "nightly-20261205-020000"]);
        assert_eq!(m[0].error.as_deref(), Some("disk full"));
        assert_eq!(m[1].finished, Some(utc("2026-12-05T02:01:00Z")));
        assert_eq!(g.members(1).len(), 1);

        let (p, c) = &policies[0];
        let row = PolicyRow::of(p, c, &Utc, &m, utc("2026-12-06T05:00:00Z"), None);
        assert_eq!(row.state.health, Health::Failing);
        assert_eq!(row.last_failure().as_deref(), Some("nightly-20261206-020000 (FAILED): disk full"));
        assert_eq!(age(row.state.last_success.map(|s| s.at()), utc("2026-12-06T05:01:00Z")), "1 d ago");
        assert_eq!(row.state.next_run, Some(utc("2026-12-07T02:00:00Z")));
    }

    #[test]
    fn a_listed_base_means_the_server_shows_bases() {
        let mut p = Policy::new("inc", "filesystem", "0 2 * * *", "UTC");
        p.incremental = Some(crate::policy::Incremental { full_every: 3 });
        let policies = [checked(p)];
        let full = job("filesystem", "inc-20261201-020000", "SUCCESS", Some("2026-12-01T02:01:00Z"), None);
        let mut g = Grouping::new(&policies);
        g.add(&full, None);
        assert_eq!(g.members(0)[0].base, crate::policy::state::Base::Unknown);
        g.add(&job("filesystem", "inc-20261202-020000", "SUCCESS", Some("2026-12-02T02:01:00Z"), None), Some("inc-20261201-020000"));
        let m = g.members(0);
        assert_eq!(m[1].base, crate::policy::state::Base::Full);
        assert_eq!(m[0].base, crate::policy::state::Base::On("inc-20261201-020000".into()));
    }

    #[test]
    fn retention_and_age_in_words() {
        let r = Retention { max_count: Some(14), min_count: Some(3), expire_after: Some(Span::parse("30d").unwrap()) };
        assert_eq!(retention_words(&r), "max 14, min 3, 30d");
        assert_eq!(retention_words(&Retention::default()), "keep all");
        assert_eq!(age(None, utc("2026-12-06T05:00:00Z")), "never");
        let now = utc("2026-12-06T05:00:00Z");
        assert_eq!(age(Some(utc("2026-12-06T02:00:00Z")), now), "3 h ago");
    }

    #[test]
    fn upcoming_runs_carry_their_ids() {
        let (p, c) = checked(Policy::new("nightly", "filesystem", "0 2 * * *", "UTC"));
        let next = upcoming(&p, &c, &Utc, utc("2026-12-06T05:00:00Z"), 5);
        assert_eq!(next.len(), 5);
        assert_eq!(next[0], (utc("2026-12-07T02:00:00Z"), "nightly-20261207-020000".to_string()));
    }

    #[test]
    fn the_editor_reads_its_fields_and_reports_every_problem_at_once() {
        let mut p = Policy::new("nightly", "filesystem", "0 2 * * *", "Europe/Berlin");
        p.include = vec!["Article".into(), "Author".into()];
        p.retention = Retention { max_count: Some(14), min_count: Some(3), expire_after: Some(Span::parse("30d").unwrap()) };
        p.incremental = Some(Incremental { full_every: 7 });
        p.freshness = Some(Span::parse("36h").unwrap());
        p.on_previous_running = OnPreviousRunning::Wait;
        let form = PolicyForm::of(&p);
        assert_eq!(form.policy(), (p.clone(), FieldErrors::default()));
        let known = |z: &str| z == "UTC" || z == "Europe/Berlin";
        assert_eq!(form.check(None, &known, None, &[]).unwrap().0, p);

        let bad = PolicyForm { max_count: "lots".into(), freshness: "2 days".into(), cpu: "x".into(), schedule: "0 25 * * *".into(), time_zone: "Mars/Base".into(), ..form.clone() };
        let errs = bad.check(None, &known, None, &["nightly".into()]).unwrap_err();
        for f in [Field::Retention, Field::Freshness, Field::Cpu, Field::Schedule, Field::TimeZone, Field::Name] {
            assert!(errs.get(f).is_some(), "{f:?} missing from {errs:?}");
        }
        assert!(errs.get(Field::Name).unwrap().contains("exists already"));
        assert!(form.check(None, &known, Some("nightly"), &["nightly".into()]).is_ok(), "editing keeps its own name");
    }

    #[test]
    fn offsets_as_intl_writes_them() {
        assert_eq!(gmt_offset("GMT"), Some(0));
        assert_eq!(gmt_offset("GMT+01:00"), Some(3600));
        assert_eq!(gmt_offset("GMT-09:30"), Some(-34_200));
        assert_eq!(gmt_offset("GMT+5"), Some(18_000));
        for bad in ["CET", "GMT+", "GMT+99:00", "GMT--1", "GMT+1:75", "GMT+é"] {
            assert_eq!(gmt_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn kept_policies_round_trip_and_remember_first_sight() {
        let mut k = KeptPolicies::default();
        k.put(None, Policy::new("b", "filesystem", "@daily", "UTC"));
        k.put(None, Policy::new("a", "filesystem", "@daily", "UTC"));
        assert!(k.see(["a", "b"], 1_000));
        assert!(!k.see(["a"], 2_000), "first sight stays");
        k.put(Some("a"), Policy::new("c", "filesystem", "@hourly", "UTC"));
        assert_eq!(k.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(k.since("c"), DateTime::from_timestamp_millis(1_000), "a rename keeps the first sight");
        let back = KeptPolicies::parse(&k.to_json()).unwrap();
        assert_eq!(back, k);
        assert!(KeptPolicies::parse("{\"policies\": 3}").unwrap_err().contains("ignored"));
        assert!(name_taken("b", None, &["b".into()]).is_some());
        assert!(name_taken("b", Some("b"), &["b".into()]).is_none());
    }
}
