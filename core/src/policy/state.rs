//! Which listed backups a policy made, and how the policy stands: running, last success, last
//! failure, next run, overdue. The table's `state` column and the runner's metrics both come
//! from here.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::api::BackupListItem;
use crate::status::Status;

use super::{Checked, Policy};

/// What a backup was built on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    Full,
    On(String),
    /// The server hides `incremental_base_backup_id` from this key (non-root, or older than
    /// v1.37.6) and nobody read the stored descriptor.
    Unknown,
}

/// One of a policy's backups.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: String,
    /// The run's start, read from the id.
    pub started: DateTime<Utc>,
    pub status: Status,
    /// `completedAt` from the list, when finished.
    pub finished: Option<DateTime<Utc>>,
    pub base: Base,
    pub size_gib: Option<f64>,
    /// The server's reason, when a caller read it (the list carries none).
    pub error: Option<String>,
}

impl Member {
    /// When the backup became usable (its end), or its start while unknown.
    pub fn at(&self) -> DateTime<Utc> {
        self.finished.unwrap_or(self.started)
    }

    pub fn is_running(&self) -> bool {
        !self.status.is_terminal()
    }
}

/// Parses `completedAt`, which reads as the zero time while a backup runs.
fn finished(item: &BackupListItem) -> Option<DateTime<Utc>> {
    let t = item.completed_at.as_deref()?;
    let at = DateTime::parse_from_rfc3339(t.trim()).ok()?.with_timezone(&Utc);
    (at.timestamp() > 0).then_some(at)
}

/// The policy's backups among `items` (one backend's list), newest first. `bases_shown`: the
/// server shows this key each backup's base (a root key on v1.37.6+), so an absent base means
/// a full backup.
pub fn members(policy: &Policy, checked: &Checked, items: &[BackupListItem], bases_shown: bool) -> Vec<Member> {
    let mut found: Vec<Member> = items
        .iter()
        .filter_map(|item| {
            let started = checked.template.parse_id(&policy.name, &item.id)?;
            let base = match (&item.incremental_base_backup_id, bases_shown) {
                (Some(b), _) if !b.is_empty() => Base::On(b.clone()),
                (_, true) => Base::Full,
                (_, false) => Base::Unknown,
            };
            Some(Member {
                id: item.id.clone(),
                started,
                status: item.status.clone(),
                finished: finished(item).filter(|_| item.status.is_terminal()),
                base,
                size_gib: item.size,
                error: None,
            })
        })
        .collect();
    found.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| b.id.cmp(&a.id)));
    found
}

/// The policy's state column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// The last success is older than the freshness objective (or there is none after a
    /// scheduled run should have made one).
    Overdue,
    /// The last run failed: its failure is newer than the last success (SLM's red).
    Failing,
    Running,
}

impl Health {
    /// The UI contract's `data-col="state"` text.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Overdue => "overdue",
            Health::Failing => "failing",
            Health::Running => "running",
        }
    }
}

/// How a policy stands at some moment.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyState {
    pub health: Health,
    pub running: Option<Member>,
    pub last_success: Option<Member>,
    pub last_failure: Option<Member>,
    /// `None` while paused.
    pub next_run: Option<DateTime<Utc>>,
    pub freshness: TimeDelta,
    /// By how much the freshness objective is missed.
    pub overdue_by: Option<TimeDelta>,
    pub succeeded: usize,
    pub failed: usize,
}

impl PolicyState {
    /// `members` newest first, as [`members`] returns them. A policy with no success yet is
    /// overdue once a whole freshness period has passed since its first scheduled run after
    /// `since` (when the console or runner first saw the policy), never before.
    pub fn of<Tz: TimeZone>(policy: &Policy, checked: &Checked, tz: &Tz, members: &[Member], now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> PolicyState {
        let running = members.iter().find(|m| m.is_running()).cloned();
        let last_success = members.iter().find(|m| m.status == Status::Success).cloned();
        let last_failure = members.iter().find(|m| m.status.is_terminal() && m.status != Status::Success).cloned();
        let freshness = policy.freshness(checked, tz, now);
        let reference = match (&last_success, since) {
            (Some(s), _) => Some(s.at()),
            (None, Some(since)) => checked.schedule.next_after(tz, since),
            (None, None) => members.last().map(|m| m.started),
        };
        let overdue_by = reference.map(|r| now - r - freshness).filter(|d| *d > TimeDelta::zero());
        let failing = match (&last_failure, &last_success) {
            (Some(f), Some(s)) => f.started > s.started,
            (Some(_), None) => true,
            _ => false,
        };
        let health = if running.is_some() {
            Health::Running
        } else if failing {
            Health::Failing
        } else if overdue_by.is_some() && !policy.paused {
            Health::Overdue
        } else {
            Health::Ok
        };
        PolicyState {
            health,
            next_run: (!policy.paused).then(|| checked.schedule.next_after(tz, now)).flatten(),
            running,
            last_success,
            last_failure,
            freshness,
            overdue_by,
            succeeded: members.iter().filter(|m| m.status == Status::Success).count(),
            failed: members.iter().filter(|m| m.status.is_terminal() && m.status != Status::Success).count(),
        }
    }
}

/// The base of the policy's next run: the last success, unless the chain up to it already
/// holds `full_every` backups (then a full one). A base the server hides counts as a full
/// backup's end of chain only when known; otherwise the next run is full, which is always safe.
pub fn next_base(policy: &Policy, members: &[Member]) -> Option<String> {
    let every = policy.incremental?.full_every as usize;
    let last = members.iter().find(|m| m.status == Status::Success)?;
    let mut length = 1;
    let mut at = last;
    loop {
        match &at.base {
            Base::Full => break,
            Base::Unknown => return None,
            Base::On(id) => match members.iter().find(|m| &m.id == id) {
                Some(parent) => {
                    length += 1;
                    at = parent;
                }
                None => return None,
            },
        }
        if length >= every {
            return None;
        }
    }
    (length < every).then(|| last.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn item(id: &str, status: &str, completed: &str, base: Option<&str>) -> BackupListItem {
        let mut v = serde_json::json!({"id": id, "status": status, "completedAt": completed});
        if let Some(b) = base {
            v["incremental_base_backup_id"] = b.into();
        }
        serde_json::from_value(v).unwrap()
    }

    fn nightly() -> (Policy, Checked) {
        let p = Policy::new("nightly", "filesystem", "0 2 * * *", "UTC");
        let c = p.validate(None, &|_| true).unwrap();
        (p, c)
    }

    #[test]
    fn members_are_parsed_from_the_template_newest_first() {
        let (p, c) = nightly();
        let items = [
            item("nightly-20261204-020000", "SUCCESS", "2026-12-04T02:01:00Z", None),
            item("nightly-eu-20261205-020000", "SUCCESS", "2026-12-05T02:01:00Z", None),
            item("nightly-20261205-020000", "FAILED", "2026-12-05T02:00:30Z", None),
            item("nightly-20261206-020000", "STARTED", "0001-01-01T00:00:00.000Z", None),
            item("manual-1", "SUCCESS", "2026-12-05T09:00:00Z", None),
        ];
        let m = members(&p, &c, &items, true);
        let ids: Vec<&str> = m.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["nightly-20261206-020000", "nightly-20261205-020000", "nightly-20261204-020000"]);
        assert_eq!(m[0].finished, None);
        assert_eq!(m[2].base, Base::Full);
        assert_eq!(members(&p, &c, &items, false)[2].base, Base::Unknown);
    }

    #[test]
    fn state_running_failing_overdue_ok() {
        let (p, c) = nightly();
        let ok = [item("nightly-20261206-020000", "SUCCESS", "2026-12-06T02:01:00Z", None)];
        let now = utc("2026-12-06T12:00:00Z");
        let s = PolicyState::of(&p, &c, &Utc, &members(&p, &c, &ok, true), now, None);
        assert_eq!(s.health, Health::Ok);
        assert_eq!(s.next_run, Some(utc("2026-12-07T02:00:00Z")));
        assert_eq!(s.freshness, TimeDelta::days(2));

        let late = PolicyState::of(&p, &c, &Utc, &members(&p, &c, &ok, true), utc("2026-12-08T03:00:00Z"), None);
        assert_eq!(late.health, Health::Overdue);
        assert_eq!(late.overdue_by, Some(TimeDelta::minutes(59)));

        let failed = [ok[0].clone(), item("nightly-20261207-020000", "FAILED", "2026-12-07T02:00:10Z", None)];
        let s = PolicyState::of(&p, &c, &Utc, &members(&p, &c, &failed, true), utc("2026-12-07T03:00:00Z"), None);
        assert_eq!((s.health, s.failed, s.succeeded), (Health::Failing, 1, 1));
        assert_eq!(s.last_failure.unwrap().id, "nightly-20261207-020000");

        let running = [failed[1].clone(), item("nightly-20261208-020000", "TRANSFERRING", "", None)];
        let s = PolicyState::of(&p, &c, &Utc, &members(&p, &c, &running, true), utc("2026-12-08T02:00:05Z"), None);
        assert_eq!(s.health, Health::Running);
    }

    #[test]
    fn a_new_policy_is_not_overdue_before_it_could_have_run() {
        let (p, c) = nightly();
        let seen = utc("2026-12-06T12:00:00Z");
        let s = PolicyState::of(&p, &c, &Utc, &[], utc("2026-12-08T12:00:00Z"), Some(seen));
        assert_eq!(s.health, Health::Ok, "first run 12-07 02:00, two days' grace");
        let s = PolicyState::of(&p, &c, &Utc, &[], utc("2026-12-09T03:00:00Z"), Some(seen));
        assert_eq!(s.health, Health::Overdue);
    }

    #[test]
    fn incremental_runs_build_on_the_last_success_and_restart_full() {
        let (mut p, c) = nightly();
        p.incremental = Some(super::super::Incremental { full_every: 3 });
        let full = item("nightly-20261201-020000", "SUCCESS", "2026-12-01T02:01:00Z", None);
        let inc1 = item("nightly-20261202-020000", "SUCCESS", "2026-12-02T02:01:00Z", Some("nightly-20261201-020000"));
        let inc2 = item("nightly-20261203-020000", "SUCCESS", "2026-12-03T02:01:00Z", Some("nightly-20261202-020000"));
        assert_eq!(next_base(&p, &members(&p, &c, &[], true)), None);
        assert_eq!(next_base(&p, &members(&p, &c, &[full.clone()], true)).as_deref(), Some("nightly-20261201-020000"));
        assert_eq!(next_base(&p, &members(&p, &c, &[full.clone(), inc1.clone()], true)).as_deref(), Some("nightly-20261202-020000"));
        assert_eq!(next_base(&p, &members(&p, &c, &[full.clone(), inc1.clone(), inc2], true)), None, "third in chain: full");
        assert_eq!(next_base(&p, &members(&p, &c, &[full, inc1], false)), None, "hidden bases: full");
    }
}
