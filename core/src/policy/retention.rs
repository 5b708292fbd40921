//! The retention plan: which of a policy's backups expire, and why each other one is kept.
//! Weaviate has no delete API; the runner deletes what this plan expires from the object store.
//!
//! Safety first, then SLM's rules: a running backup is never expired; the newest `min_count`
//! successes are kept whatever their age; every backup a kept one builds on (its
//! `incremental_base_backup_id`, transitively) is kept; where a base is unknown in an
//! incremental policy, nothing older than it expires.

use chrono::{DateTime, Utc};

use crate::status::Status;

use super::state::{Base, Member};
use super::{Policy, Span};

/// Why a backup stays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keep {
    Running,
    /// Among the newest `min_count` successes.
    MinCount(u32),
    /// Within `max_count` and `expire_after`.
    Retained,
    /// A kept backup builds on it.
    BaseOf(String),
    /// An incremental backup newer than it has a base this key cannot see.
    ChainUnknown(String),
    /// A failed run newer than every success: the policy's last failure, still telling.
    LastFailure,
}

/// Why a backup goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expire {
    OlderThan(Span),
    BeyondMaxCount(u32),
    /// A failed or canceled run with a newer success: partial data nothing can restore.
    Superseded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Keep(Keep),
    Expire(Expire),
}

impl Verdict {
    /// In words, for the retention preview and the runner's events.
    pub fn reason(&self) -> String {
        match self {
            Verdict::Keep(Keep::Running) => "kept: still running".into(),
            Verdict::Keep(Keep::MinCount(n)) => format!("kept: among the newest {n} (minCount)"),
            Verdict::Keep(Keep::Retained) => "kept: within retention".into(),
            Verdict::Keep(Keep::BaseOf(id)) => format!("kept: {id} builds on it"),
            Verdict::Keep(Keep::ChainUnknown(id)) => format!("kept: {id} may build on it (its base is not visible to this key)"),
            Verdict::Keep(Keep::LastFailure) => "kept: the policy's last failure".into(),
            Verdict::Expire(Expire::OlderThan(s)) => format!("expires: older than {s} (expireAfter)"),
            Verdict::Expire(Expire::BeyondMaxCount(n)) => format!("expires: more than {n} newer backups (maxCount)"),
            Verdict::Expire(Expire::Superseded) => "expires: a failed run with a newer success".into(),
        }
    }
}

/// Every member of the policy with its verdict, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub items: Vec<(Member, Verdict)>,
}

impl Plan {
    /// `members` newest first, as `state::members` returns them.
    pub fn of(policy: &Policy, members: &[Member], now: DateTime<Utc>) -> Plan {
        let r = &policy.retention;
        let newest_success = members.iter().find(|m| m.status == Status::Success).map(|m| m.started);
        let mut successes = 0u32;
        let mut items: Vec<(Member, Verdict)> = members
            .iter()
            .map(|m| {
                let verdict = if m.is_running() {
                    Verdict::Keep(Keep::Running)
                } else if m.status != Status::Success {
                    match newest_success {
                        Some(s) if s > m.started => Verdict::Expire(Expire::Superseded),
                        _ => Verdict::Keep(Keep::LastFailure),
                    }
                } else {
                    successes += 1;
                    let rank = successes;
                    match (r.min_count, r.max_count, r.expire_after) {
                        (Some(min), _, _) if rank <= min => Verdict::Keep(Keep::MinCount(min)),
                        (_, Some(max), _) if rank > max => Verdict::Expire(Expire::BeyondMaxCount(max)),
                        (_, _, Some(age)) if now - m.at() > age.delta() => Verdict::Expire(Expire::OlderThan(age)),
                        _ => Verdict::Keep(Keep::Retained),
                    }
                };
                (m.clone(), verdict)
            })
            .collect();
        protect_chains(policy, &mut items);
        Plan { items }
    }

    pub fn expired(&self) -> impl Iterator<Item = &Member> {
        self.items.iter().filter(|(_, v)| matches!(v, Verdict::Expire(_))).map(|(m, _)| m)
    }

    pub fn kept(&self) -> impl Iterator<Item = &Member> {
        self.items.iter().filter(|(_, v)| matches!(v, Verdict::Keep(_))).map(|(m, _)| m)
    }
}

/// Keeps every base of a kept backup, until nothing changes (chains are short; a cycle in what
/// a server reported cannot loop: each pass only turns expiries into keeps).
fn protect_chains(policy: &Policy, items: &mut [(Member, Verdict)]) {
    let incremental = policy.incremental.is_some();
    loop {
        let mut changed = false;
        for i in 0..items.len() {
            if !matches!(items[i].1, Verdict::Keep(_)) {
                continue;
            }
            let kept = items[i].0.clone();
            match &kept.base {
                Base::On(base) => {
                    if let Some(j) = items.iter().position(|(m, v)| &m.id == base && matches!(v, Verdict::Expire(_))) {
                        items[j].1 = Verdict::Keep(Keep::BaseOf(kept.id.clone()));
                        changed = true;
                    }
                }
                Base::Unknown if incremental && kept.status == Status::Success => {
                    for (m, v) in items.iter_mut() {
                        if m.started < kept.started && m.status == Status::Success && matches!(v, Verdict::Expire(_)) {
                            *v = Verdict::Keep(Keep::ChainUnknown(kept.id.clone()));
                            changed = true;
                        }
                    }
                }
                _ => {}
            }
        }
        if !changed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Incremental, Retention};
    use super::*;
    use chrono::TimeDelta;

    fn member(day: u32, status: Status, base: Base) -> Member {
        let started = DateTime::parse_from_rfc3339(&format!("2026-12-{day:02}T02:00:00Z")).unwrap().with_timezone(&Utc);
        Member { id: format!("p-202612{day:02}-020000"), started, status, finished: Some(started + TimeDelta::minutes(1)), base, size_gib: None, error: None }
    }

    fn policy(retention: Retention, incremental: bool) -> Policy {
        let mut p = Policy::new("p", "filesystem", "0 2 * * *", "UTC");
        p.retention = retention;
        p.incremental = incremental.then_some(Incremental { full_every: 7 });
        p
    }

    fn verdicts(plan: &Plan) -> Vec<String> {
        plan.items.iter().map(|(m, v)| format!("{} {}", &m.id[2..10], v.reason())).collect()
    }

    const NOW: &str = "2026-12-20T00:00:00Z";
    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(NOW).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn max_count_keeps_the_newest() {
        let p = policy(Retention { max_count: Some(2), ..Default::default() }, false);
        let ms: Vec<Member> = (1..=3).rev().map(|d| member(d, Status::Success, Base::Full)).collect();
        let plan = Plan::of(&p, &ms, now());
        assert_eq!(plan.expired().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["p-20261201-020000"]);
    }

    #[test]
    fn age_expires_but_min_count_holds() {
        let p = policy(Retention { expire_after: Some(Span::parse("7d").unwrap()), min_count: Some(2), max_count: None }, false);
        let ms: Vec<Member> = [3, 2, 1].map(|d| member(d, Status::Success, Base::Full)).into();
        let plan = Plan::of(&p, &ms, now());
        assert_eq!(
            verdicts(&plan),
            [
                "20261203 kept: among the newest 2 (minCount)",
                "20261202 kept: among the newest 2 (minCount)",
                "20261201 expires: older than 1w (expireAfter)"
            ]
        );
    }

    #[test]
    fn a_kept_incremental_keeps_its_whole_chain() {
        let p = policy(Retention { max_count: Some(1), ..Default::default() }, true);
        let ms = vec![
            member(4, Status::Success, Base::On("p-20261203-020000".into())),
            member(3, Status::Success, Base::On("p-20261202-020000".into())),
            member(2, Status::Success, Base::Full),
            member(1, Status::Success, Base::Full),
        ];
        let plan = Plan::of(&p, &ms, now());
        assert_eq!(
            verdicts(&plan),
            [
                "20261204 kept: within retention",
                "20261203 kept: p-20261204-020000 builds on it",
                "20261202 kept: p-20261203-020000 builds on it",
                "20261201 expires: more than 1 newer backups (maxCount)"
            ]
        );
    }

    #[test]
    fn unknown_bases_keep_everything_older_in_an_incremental_policy() {
        let p = policy(Retention { max_count: Some(1), ..Default::default() }, true);
        let ms = vec![member(2, Status::Success, Base::Unknown), member(1, Status::Success, Base::Unknown)];
        assert_eq!(Plan::of(&p, &ms, now()).expired().count(), 0);
        let p = policy(Retention { max_count: Some(1), ..Default::default() }, false);
        assert_eq!(Plan::of(&p, &ms, now()).expired().count(), 1);
    }

    #[test]
    fn running_and_last_failures_stay_superseded_failures_go() {
        let p = policy(Retention { max_count: Some(1), ..Default::default() }, false);
        let ms = vec![
            member(5, Status::Started, Base::Full),
            member(4, Status::Failed, Base::Full),
            member(3, Status::Success, Base::Full),
            member(2, Status::Canceled, Base::Full),
        ];
        assert_eq!(
            verdicts(&Plan::of(&p, &ms, now())),
            [
                "20261205 kept: still running",
                "20261204 kept: the policy's last failure",
                "20261203 kept: within retention",
                "20261202 expires: a failed run with a newer success"
            ]
        );
    }
}
