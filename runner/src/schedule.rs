//! `schedule`: runs each non-paused policy when its schedule is due (in the policy's zone), one
//! run at a time, and serves the metrics. A run still going when another policy falls due
//! delays it; a policy's runs missed meanwhile are not made up (its next run is computed after
//! the run ends), as `concurrencyPolicy: Forbid` would.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backup_core::policy::state::{Member, PolicyState};
use backup_core::policy::{Checked, Policy};
use backup_core::status::Status;
use chrono::Utc;
use serde_json::json;

use crate::metrics::{render, PolicyMetrics};
use crate::run::{self, emit, zone_known, Limits, Outcome, Report};
use crate::weaviate::Weaviate;

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    STOP.store(true, Ordering::SeqCst);
}

pub fn stopping() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// SIGTERM and SIGINT end the scheduler between steps instead of killing it mid-write.
pub fn install_signal_handlers() {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
    }
}

struct Entry {
    policy: Policy,
    checked: Checked,
    tz: chrono_tz::Tz,
    members: Option<Vec<Member>>,
    metrics: PolicyMetrics,
}

type Shared = Arc<Mutex<BTreeMap<String, Entry>>>;

pub fn schedule(wv: &Weaviate, policies: Vec<Policy>, metrics_addr: Option<&str>, limits: Limits) -> Result<(), String> {
    let started = Utc::now();
    let mut entries = BTreeMap::new();
    for p in policies.into_iter().filter(|p| !p.paused) {
        let checked = p.validate(None, &zone_known).map_err(|_| format!("{}: invalid policy", p.name))?;
        let tz = run::zone(&p.time_zone).ok_or_else(|| format!("{}: unknown time zone {}", p.name, p.time_zone))?;
        entries.insert(p.name.clone(), Entry { policy: p, checked, tz, members: None, metrics: PolicyMetrics::default() });
    }
    if entries.is_empty() {
        return Err("No policy to schedule (all paused, or none in the file).".into());
    }
    // What the server already holds: the metrics are right from the first scrape.
    for e in entries.values_mut() {
        let mut store = None;
        match run::members(wv, &e.policy, &e.checked, &mut store) {
            Ok(m) => {
                seed(&mut e.metrics, &m);
                e.members = Some(m);
            }
            Err(err) => emit(json!({"event": "warning", "policy": e.policy.name, "error": err})),
        }
    }
    let shared: Shared = Arc::new(Mutex::new(entries));
    let server = match metrics_addr {
        Some(addr) => {
            let server = tiny_http::Server::http(addr).map_err(|e| format!("metrics on {addr}: {e}"))?;
            emit(json!({"event": "metrics", "addr": server.server_addr().to_ip().map(|a| a.to_string())}));
            let shared = shared.clone();
            Some(std::thread::spawn(move || serve(server, shared, started)))
        }
        None => None,
    };
    let mut due: BTreeMap<String, chrono::DateTime<Utc>> = BTreeMap::new();
    {
        let entries = shared.lock().map_err(|_| "state lock poisoned")?;
        for (name, e) in entries.iter() {
            if let Some(next) = e.checked.schedule.next_after(&e.tz, Utc::now()) {
                emit(json!({"event": "scheduled", "policy": name, "next": next.to_rfc3339()}));
                due.insert(name.clone(), next);
            }
        }
    }
    while let Some((name, at)) = due.iter().min_by_key(|(_, t)| **t).map(|(n, t)| (n.clone(), *t)) {
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        if !run::sleep(wait, &stopping) {
            break;
        }
        let policy = match shared.lock() {
            Ok(entries) => entries[&name].policy.clone(),
            Err(_) => break,
        };
        let report = run::run(wv, &policy, limits, &stopping);
        if let Ok(mut entries) = shared.lock() {
            let e = entries.get_mut(&name).expect("scheduled policies stay");
            record(&mut e.metrics, &report);
            if report.members.is_some() {
                e.members = report.members.clone();
            }
            match e.checked.schedule.next_after(&e.tz, Utc::now()) {
                Some(next) => {
                    emit(json!({"event": "scheduled", "policy": name, "next": next.to_rfc3339()}));
                    due.insert(name.clone(), next);
                }
                None => {
                    due.remove(&name);
                }
            }
        }
        if stopping() {
            break;
        }
    }
    STOP.store(true, Ordering::SeqCst);
    if let Some(t) = server {
        let _ = t.join();
    }
    emit(json!({"event": "stopped"}));
    Ok(())
}

/// Last success and failure, and the count kept, from what the server lists.
fn seed(m: &mut PolicyMetrics, members: &[Member]) {
    let ts = |x: &Member| x.at().timestamp_millis() as f64 / 1000.0;
    m.last_success = members.iter().find(|x| x.status == Status::Success).map(ts);
    m.last_failure = members.iter().find(|x| x.status.is_terminal() && x.status != Status::Success).map(ts);
    m.backups_kept = Some(members.len());
}

fn record(m: &mut PolicyMetrics, r: &Report) {
    let now = Utc::now().timestamp_millis() as f64 / 1000.0;
    let result = match &r.outcome {
        Outcome::Succeeded { seconds, size_bytes, .. } => {
            m.last_success = Some(now);
            m.last_duration_seconds = Some(*seconds);
            m.last_size_bytes = *size_bytes;
            "success"
        }
        Outcome::Failed { .. } => {
            m.last_failure = Some(now);
            "failure"
        }
        Outcome::Skipped { .. } => "skipped",
    };
    *m.runs_total.entry(result).or_default() += 1;
    m.backups_expired_total += r.expired as u64;
    if let Some(members) = &r.members {
        m.backups_kept = Some(members.len());
    }
}

fn serve(server: tiny_http::Server, shared: Shared, since: chrono::DateTime<Utc>) {
    while !stopping() {
        let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(200)) else { continue };
        let resp = if req.url() == "/metrics" {
            let body = match shared.lock() {
                Ok(entries) => render(&entries.iter().map(|(n, e)| (n.clone(), with_overdue(e, since))).collect()),
                Err(_) => String::new(),
            };
            let ct = tiny_http::Header::from_bytes("Content-Type", "text/plain; version=0.0.4; charset=utf-8").expect("static header");
            tiny_http::Response::from_string(body).with_header(ct)
        } else {
            tiny_http::Response::from_string("Not found: the metrics are at /metrics\n").with_status_code(404)
        };
        let _ = req.respond(resp);
    }
}

/// The policy's metrics with `overdue` as of now (core's freshness rule, in its zone).
fn with_overdue(e: &Entry, since: chrono::DateTime<Utc>) -> PolicyMetrics {
    let mut m = e.metrics.clone();
    let members = e.members.as_deref().unwrap_or_default();
    let state = PolicyState::of(&e.policy, &e.checked, &e.tz, members, Utc::now(), Some(since));
    // A success this run made that the members (listed before it) do not show yet still counts.
    let fresh = m.last_success.is_some_and(|t| Utc::now().timestamp() as f64 - t <= state.freshness.num_seconds() as f64);
    m.overdue = state.overdue_by.is_some() && !fresh;
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use backup_core::policy::state::Base;

    fn member(id: &str, status: Status, finished_secs_ago: i64) -> Member {
        let at = Utc::now() - chrono::TimeDelta::seconds(finished_secs_ago);
        Member { id: id.into(), started: at, status, finished: Some(at), base: Base::Full, size_gib: None, error: None }
    }

    fn report(outcome: Outcome, expired: usize, kept: Option<usize>) -> Report {
        let members = kept.map(|n| (0..n).map(|i| member(&format!("p-{i}"), Status::Success, 0)).collect());
        Report { outcome, expired, retention_error: None, members }
    }

    #[test]
    fn runs_update_their_series() {
        let mut m = PolicyMetrics::default();
        let ok = Outcome::Succeeded { id: "p-1".into(), started: Utc::now(), seconds: 2.5, size_bytes: Some(1024.0) };
        record(&mut m, &report(ok, 1, Some(2)));
        assert!(m.last_success.unwrap() > 1.7e9);
        assert_eq!((m.last_duration_seconds, m.last_size_bytes, m.backups_kept, m.backups_expired_total), (Some(2.5), Some(1024.0), Some(2), 1));
        record(&mut m, &report(Outcome::Failed { id: None, at: Utc::now(), error: "x".into() }, 0, None));
        record(&mut m, &report(Outcome::Skipped { reason: "busy".into() }, 0, None));
        assert!(m.last_failure.is_some());
        assert_eq!(m.runs_total, BTreeMap::from([("success", 1), ("failure", 1), ("skipped", 1)]));
        assert_eq!(m.backups_kept, Some(2), "a run that could not list keeps the last count");
    }

    #[test]
    fn the_server_list_seeds_and_overdue_follows_freshness() {
        let policy = Policy::new("p", "filesystem", "0 * * * *", "UTC");
        let checked = policy.validate(None, &zone_known).unwrap();
        let members = vec![member("p-2", Status::Failed, 60), member("p-1", Status::Success, 3 * 3600)];
        let mut metrics = PolicyMetrics::default();
        seed(&mut metrics, &members);
        assert_eq!(metrics.backups_kept, Some(2));
        assert!(metrics.last_failure > metrics.last_success);
        let since = Utc::now() - chrono::TimeDelta::days(1);
        let entry = Entry { policy, checked, tz: chrono_tz::UTC, members: Some(members), metrics };
        assert!(with_overdue(&entry, since).overdue, "hourly, last success 3 h ago: beyond twice the interval");
        let fresh = Entry { members: Some(vec![member("p-3", Status::Success, 60)]), ..entry };
        assert!(!with_overdue(&fresh, since).overdue);
    }
}
